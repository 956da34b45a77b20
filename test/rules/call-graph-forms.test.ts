// The call graph's forms (issue 11), for each hazard rule, untyped and typed: methods
// (#private, static, super, inherited), class fields, getters, object-literal methods, Map and
// array elements, default parameters, aliases, bind, (0, f), template tags, Reflect.apply,
// .call, callbacks (method references, helpers that call their parameter, IIFEs, Promise
// executors, replacers, revivers) and constructors. Each hazardous form has a look-alike that
// must stay clean (deferred, never called, overridden, stored). Lines and columns are found
// from markers in the generated code, so the cases stay readable.
import type { InvalidTestCase, ValidTestCase } from '@typescript-eslint/rule-tester';
import type { TSESLint } from '@typescript-eslint/utils';

import noDrop from '../../rules/no-drop-in-traverse.js';
import noGil from '../../rules/no-gil-in-traverse.js';
import noInterpreter from '../../rules/no-interpreter-in-traverse.js';
import noPool from '../../rules/no-pool-in-traverse.js';
import { typedTester, untypedTester } from './harness.js';

const IMPORTS =
  "import { Python, Py, GILPool, gc, pyclass, field, Visit } from 'traverse-guard';\ndeclare const p: Py<unknown>;";

/** A `pyclass` traverse whose body is `body`, followed by the file's helpers. */
function spec(body: string, after: string): string {
  return `${IMPORTS}\npyclass('Node', {\n  fields: { child: field.ref() },\n  traverse(self, visit) {\n    ${body}\n  },\n});\n${after}`;
}

/** What the move-to-clear suggestion makes of spec(body, after). */
function specMoved(body: string, after: string): string {
  return `${IMPORTS}\npyclass('Node', {\n  fields: { child: field.ref() },\n  traverse(self, visit) {\n  },\n  clear(self) {\n    ${body}\n  },\n});\n${after}`;
}

/** A class with `__traverse__(visit)` whose body is `body`; `members` follow in the class; `before` precedes it. */
function klass(body: string, members: string, before = ''): string {
  return `${IMPORTS}\n${before}${before ? '\n' : ''}class Node${before.includes('class Base') ? ' extends Base' : ''} {\n  __traverse__(visit: Visit) {\n    ${body}\n  }\n  ${members}\n}`;
}

interface Hazard {
  readonly op: string;
  readonly display: string;
  readonly direct: string;
  readonly viaHelper: string;
  readonly extra: Record<string, string>;
  readonly directExtra: Record<string, string>;
  readonly suggestions: boolean;
}

const HAZARDS: Record<string, Hazard> = {
  gil: { op: 'Python.acquireGil()', display: 'Python.acquireGil', direct: 'gilInTraverse', viaHelper: 'gilViaHelper', extra: { past: 'acquired' }, directExtra: { effect: 'acquires' }, suggestions: false },
  pool: { op: 'new GILPool()', display: 'new GILPool()', direct: 'poolInTraverse', viaHelper: 'poolViaHelper', extra: {}, directExtra: {}, suggestions: false },
  drop: { op: 'p.drop()', display: '.drop()', direct: 'dropInTraverse', viaHelper: 'dropViaHelper', extra: {}, directExtra: {}, suggestions: true },
  interpreter: { op: 'gc.collect()', display: 'gc.collect', direct: 'interpreterInTraverse', viaHelper: 'interpreterViaHelper', extra: {}, directExtra: {}, suggestions: false },
};

/** 1-based line and column of the first occurrence of `marker` (after `from`, if given). */
function locate(code: string, marker: string, from = ''): { line: number; column: number } {
  const start = from ? code.indexOf(from) : 0;
  const index = code.indexOf(marker, start);
  if (start === -1 || index === -1) throw new Error(`marker ${marker} not in:\n${code}`);
  const before = code.slice(0, index);
  const line = before.split('\n').length;
  return { line, column: index - before.lastIndexOf('\n') };
}

interface Form {
  readonly name: string;
  /** The code with the hazard `op` in place. */
  readonly code: (op: string) => string;
  /** Text where the report lands (searched after the traverse header). */
  readonly at: string;
  /** The helper chain, or null when the hazard is reported where it is written (callbacks). */
  readonly chain: string | null;
  /** For a direct drop: the file after the move-to-clear suggestion (a callback without parameters moves whole). */
  readonly moved?: (op: string) => string;
}

const head = (code: string): string => (code.includes('__traverse__(') ? '__traverse__(' : 'traverse(self');

const INVALID_FORMS: Form[] = [
  { name: '#private method', code: (op) => klass('this.#h();', `#h() { ${op}; }`), at: 'this.#h()', chain: '`this.#h`' },
  { name: 'static method', code: (op) => klass('Node.h();', `static h() { ${op}; }`), at: 'Node.h()', chain: '`Node.h`' },
  { name: 'super.h()', code: (op) => klass('super.h();', 'h() {}', `class Base { h() { ${op}; } }`), at: 'super.h()', chain: '`super.h`' },
  { name: 'inherited this.h()', code: (op) => klass('this.h();', 'x = 1;', `class Base { h() { ${op}; } }`), at: 'this.h()', chain: '`this.h`' },
  { name: 'class field holding an arrow', code: (op) => klass('this.h();', `h = () => { ${op}; };`), at: 'this.h()', chain: '`this.h`' },
  { name: 'this.ops.h() on an object-literal field', code: (op) => klass('this.ops.h();', `ops = { h() { ${op}; } };`), at: 'this.ops.h()', chain: '`this.ops.h`' },
  { name: 'class getter read', code: (op) => klass('void this.h;', `get h() { ${op}; return 1; }`), at: 'this.h', chain: '`this.h`' },
  { name: 'object-literal getter read', code: (op) => spec('void o.h;', `const o = { get h() { ${op}; return 1; } };`), at: 'o.h', chain: '`o.h`' },
  { name: 'object-literal method', code: (op) => spec('o.h();', `const o = { h() { ${op}; } };`), at: 'o.h()', chain: '`o.h`' },
  { name: 'arrow in a Map', code: (op) => spec("m.get('k')?.();", `const m = new Map([['k', () => { ${op}; }]]);`), at: "m.get('k')?.()", chain: "`m.get('k')`" },
  { name: 'arrow in an array', code: (op) => spec('hs[0]!();', `const hs = [() => { ${op}; }];`), at: 'hs[0]!()', chain: '`hs[0]`' },
  { name: 'arrows of an array in for-of', code: (op) => spec('for (const h of hs) h();', `const hs = [() => { ${op}; }];`), at: 'h()', chain: '`h`' },
  { name: "a helper's default parameter", code: (op) => spec('h();', `function h(g = ${op}) { void g; }`), at: 'h()', chain: '`h`' },
  { name: 'alias const f = h', code: (op) => spec('f();', `function h() { ${op}; }\nconst f = h;`), at: 'f()', chain: '`f`' },
  { name: '.bind', code: (op) => spec('g();', `function h() { ${op}; }\nconst g = h.bind(null);`), at: 'g()', chain: '`g`' },
  { name: '(0, h)()', code: (op) => spec('(0, h)();', `function h() { ${op}; }`), at: '(0, h)()', chain: '`h`' },
  { name: 'template tag', code: (op) => spec('h`x`;', `function h(s: TemplateStringsArray) { ${op}; return s; }`), at: 'h`x`', chain: '`h`' },
  { name: 'Reflect.apply', code: (op) => spec('Reflect.apply(h, null, []);', `function h() { ${op}; }`), at: 'Reflect.apply', chain: '`h`' },
  { name: 'h.call', code: (op) => spec('h.call(null);', `function h() { ${op}; }`), at: 'h.call', chain: '`h`' },
  { name: 'Array.prototype.forEach.call', code: (op) => spec('Array.prototype.forEach.call([1], h);', `function h() { ${op}; }`), at: 'h);', chain: '`h`' },
  { name: 'forEach(Node.dispose)', code: (op) => klass('[1].forEach(Node.dispose);', `static dispose() { ${op}; }`), at: 'Node.dispose)', chain: '`Node.dispose`' },
  { name: 'forEach(this.enter)', code: (op) => klass('[1].forEach(this.enter);', `enter() { ${op}; }`), at: 'this.enter)', chain: '`this.enter`' },
  { name: 'constructor of a class of the file', code: (op) => spec('new Helper();', `class Helper { constructor() { ${op}; } }`), at: 'new Helper()', chain: '`new Helper`' },
  { name: 'helper cycle', code: (op) => spec('a();', `function a() { b(); }\nfunction b() { a(); ${op}; }`), at: 'a()', chain: '`a` → `b`' },
  // Callbacks that run synchronously are reported where they are written.
  {
    name: 'callback run by a helper',
    code: (op) => spec(`run(() => { ${op}; });`, 'function run(f: () => void) { f(); }'),
    at: '',
    chain: null,
    moved: (op) => specMoved(`run(() => { ${op}; });`, 'function run(f: () => void) { f(); }'),
  },
  { name: 'callback handed into an IIFE', code: (op) => spec(`((f: () => void) => f())(() => { ${op}; });`, ''), at: '', chain: null },
  {
    name: 'new Promise executor',
    code: (op) => spec(`void new Promise(() => { ${op}; });`, ''),
    at: '',
    chain: null,
    moved: (op) => specMoved(`void new Promise(() => { ${op}; });`, ''),
  },
  {
    name: 'replace replacer',
    code: (op) => spec(`'a'.replace('a', () => { ${op}; return ''; });`, ''),
    at: '',
    chain: null,
    moved: (op) => specMoved(`'a'.replace('a', () => { ${op}; return ''; });`, ''),
  },
  { name: 'JSON.parse reviver', code: (op) => spec(`JSON.parse('1', (k, v) => { ${op}; return v; });`, ''), at: '', chain: null },
];

const VALID_FORMS: Array<{ name: string; code: (op: string) => string }> = [
  { name: 'setTimeout callback', code: (op) => spec(`setTimeout(() => { ${op}; });`, '') },
  { name: 'queueMicrotask callback', code: (op) => spec(`queueMicrotask(() => { ${op}; });`, '') },
  { name: '.then callback', code: (op) => spec(`void Promise.resolve().then(() => { ${op}; });`, '') },
  { name: 'helper that defers its parameter', code: (op) => spec(`later(() => { ${op}; });`, 'function later(f: () => void) { setTimeout(f); }') },
  { name: 'helper that stores its parameter', code: (op) => spec(`keep(() => { ${op}; });`, 'let saved: unknown;\nfunction keep(f: () => void) { saved = f; void saved; }') },
  { name: 'IIFE that does not call its parameter', code: (op) => spec(`((f: () => void) => void f)(() => { ${op}; });`, '') },
  { name: 'method never called', code: (op) => klass('visit.call(null);', `h() { ${op}; }`) },
  { name: 'getter never read', code: (op) => klass('void this.x;', `x = 1;\n  get h() { ${op}; return 1; }`) },
  { name: 'method reference read, not called', code: (op) => klass('void this.h;', `h() { ${op}; }`) },
  { name: 'overridden method: this.h() runs the safe override', code: (op) => klass('this.h();', 'h() {}', `class Base { h() { ${op}; } }`) },
  { name: 'super.h() of a safe base', code: (op) => klass('super.h();', `h() { ${op}; }`, 'class Base { h() {} }') },
  { name: 'alias never called', code: (op) => spec('void f;', `function h() { ${op}; }\nconst f = h;`) },
  { name: 'bind without a call', code: (op) => spec('void h.bind(null);', `function h() { ${op}; }`) },
  { name: 'Map value never called', code: (op) => spec("void m.get('k');", `const m = new Map([['k', () => { ${op}; }]]);`) },
  { name: 'class field arrow never called', code: (op) => klass('void this.x;', `x = 1;\n  h = () => { ${op}; };`) },
  { name: 'static method of another name', code: (op) => klass('Node.safe();', `static safe() {}\n  static h() { ${op}; }`) },
  { name: 'object-literal method of another name', code: (op) => spec('o.safe();', `const o = { safe() {}, h() { ${op}; } };`) },
  { name: 'other object with the same method name', code: (op) => spec('a.h();', `const a = { h() {} };\nconst b = { h() { ${op}; } };\nvoid b;`) },
  { name: 'constructor of a class never built', code: (op) => spec('void Helper;', `class Helper { constructor() { ${op}; } }`) },
];

type AnyRule = TSESLint.RuleModule<string, readonly unknown[]>;

function cases(hazard: Hazard): { valid: ValidTestCase<[]>[]; invalid: InvalidTestCase<string, []>[] } {
  const invalid = INVALID_FORMS.map((form): InvalidTestCase<string, []> => {
    const code = form.code(hazard.op);
    const opAt = locate(code, hazard.op, form.chain === null ? head(code) : '');
    const reportAt = form.chain === null ? opAt : locate(code, form.at, head(code));
    const data =
      form.chain === null
        ? { operation: hazard.display, ...hazard.directExtra }
        : { operation: hazard.display, chain: form.chain, line: locate(code, hazard.op).line, ...hazard.extra };
    return {
      name: form.name,
      code,
      errors: [
        {
          messageId: form.chain === null ? hazard.direct : hazard.viaHelper,
          ...reportAt,
          data,
          ...(hazard.suggestions
            ? { suggestions: form.moved ? [{ messageId: 'moveToClear', output: form.moved(hazard.op) }] : [] }
            : {}),
        },
      ],
    };
  });
  const valid = VALID_FORMS.map((form) => ({ name: form.name, code: form.code(hazard.op) }));
  return { valid, invalid };
}

const RULES: Array<[string, AnyRule, Hazard]> = [
  ['no-gil-in-traverse', noGil as unknown as AnyRule, HAZARDS.gil!],
  ['no-pool-in-traverse', noPool as unknown as AnyRule, HAZARDS.pool!],
  ['no-drop-in-traverse', noDrop as unknown as AnyRule, HAZARDS.drop!],
  ['no-interpreter-in-traverse', noInterpreter as unknown as AnyRule, HAZARDS.interpreter!],
];

for (const [id, rule, hazard] of RULES) {
  const { valid, invalid } = cases(hazard);
  untypedTester().run(`${id}: call-graph forms (untyped)`, rule, { valid, invalid });
  typedTester().run(`${id}: call-graph forms (typed)`, rule, { valid, invalid });
}
