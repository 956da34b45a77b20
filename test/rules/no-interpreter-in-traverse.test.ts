// no-interpreter-in-traverse: captured interpreter tokens and API calls that need one
// (Py.new, cloneRef, bind, borrow, gc.*, new Interpreter) in traverse bodies and helpers;
// and the `checkUnknownCalls` option that `strict` turns on.
import type { ESLintUtils } from '@typescript-eslint/utils';
import type { InvalidTestCase, ValidTestCase } from '@typescript-eslint/rule-tester';

import rule, { type NoInterpreterOptions } from '../../rules/no-interpreter-in-traverse.js';
import { IMPORTS, inTraverse, typedTester, untypedTester, withClear } from './harness.js';

type MessageIds = ESLintUtils.InferMessageIdsTypeFromRule<typeof rule>;
type Options = [NoInterpreterOptions];
type Invalid = InvalidTestCase<MessageIds, Options>;

const direct = (line: number, column: number, operation: string) => ({
  messageId: 'interpreterInTraverse' as const,
  line,
  column,
  data: { operation },
});
const captured = (line: number, column: number, operation: string) => ({
  messageId: 'capturedToken' as const,
  line,
  column,
  data: { operation },
});
const viaHelper = (line: number, column: number, chain: string, opLine: number, operation: string) => ({
  messageId: 'interpreterViaHelper' as const,
  line,
  column,
  data: { chain, line: opLine, operation },
});
const withImports = (imports: string, body: string[], after: string[] = []): string =>
  inTraverse(body, after).replace(IMPORTS, imports);
const STRICT: Options = [{ checkUnknownCalls: true }];
const NO_PY = 'undefined as never';

const valid: (string | ValidTestCase<Options>)[] = [
  inTraverse(['visit.call(self.child);']),
  inTraverse(['const x: Py<unknown> | null = self.child;', 'visit.call(x);']),
  inTraverse(['self.items.forEach((item) => visit.call(item));']),
  withClear(['visit.call(self.child);'], ['gc.collect();', `self.child?.cloneRef(${NO_PY});`]),
  inTraverse(['visit.call(self.child);'], ['gc.collect();', 'Py.new(py, null, {});', 'declare const py: Python;']),
  inTraverse(['const py = 1;', 'void py;']),
  inTraverse(['const f = (() => 0).bind(null);', 'void f;']),
  inTraverse(['if (!self.child?.isDropped()) visit.call(self.child);']),
  inTraverse(['fetchSomething();'], ['declare function fetchSomething(): void;']),
  withImports("import { pyclass, field } from 'traverse-guard';", ['gc.collect();'], ['const gc = { collect() { return 0; } };']),
  inTraverse(['setTimeout(() => gc.collect());']),
  inTraverse(['const later = () => Py.new(undefined as never, null, {});', 'void later;']),
  inTraverse(['visit.call(self.child);'], ['function unused() { return gc.collect(); }']),
  inTraverse(['const n = self.count + 1;', 'void n;']),
  inTraverse(['Python.withGil(() => 0);', 'new GILPool();', 'self.child?.drop();']),
  "import { gc } from 'traverse-guard';\nclass X { traverse() { gc.collect(); } }",
  "import { gc } from 'traverse-guard';\nconst spec = { traverse() { gc.collect(); } };\nvoid spec;",
  "import { gc } from 'x';\ngc.collect();",
  inTraverse(["const s = 'gc.collect()';", 'void s;']),
  inTraverse(['return () => gc.collect();']),
  "import { gc } from 'traverse-guard';\nclass Node {\n  __traverse__(visit: { call(x: unknown): void }) { visit.call(null); }\n  __clear__() { gc.collect(); }\n}",
  inTraverse(['visit.call(self.cell.get());']),
  { code: inTraverse(['console.log(self.count);', 'void Math.max(1, 2);', 'visit.call(self.cell.get());']), options: STRICT },
  { code: inTraverse(['visitAll(self, visit);'], ['function visitAll(s: any, v: Visit) { v.call(s.child); }']), options: STRICT },
  { code: inTraverse(['fetchSomething();'], ['declare function fetchSomething(): void;']), options: [{ checkUnknownCalls: true, allowedCalls: ['fetchSomething'] }] },
  { code: inTraverse(['self.items.forEach((item) => visit.call(item));']), options: STRICT },
  inTraverse(['const n: Python | null = null;', 'void n;']),
];

const invalid: Invalid[] = [
  {
    code: inTraverse(['Py.new(py, null, {});'], ['declare const py: Python;']),
    errors: [direct(5, 5, 'Py.new'), captured(5, 12, 'py')],
  },
  { code: inTraverse([`self.child?.cloneRef(${NO_PY});`]), errors: [direct(5, 5, '.cloneRef()')] },
  { code: inTraverse([`self.child?.bind(${NO_PY});`]), errors: [direct(5, 5, '.bind()')] },
  { code: inTraverse([`self.child?.borrow(${NO_PY});`]), errors: [direct(5, 5, '.borrow()')] },
  { code: inTraverse([`self.child?.borrowMut(${NO_PY});`]), errors: [direct(5, 5, '.borrowMut()')] },
  { code: inTraverse([`self.child?.bind?.(${NO_PY});`]), errors: [direct(5, 5, '.bind()')] },
  { code: inTraverse([`self.child!['cloneRef'](${NO_PY});`]), errors: [direct(5, 5, '.cloneRef()')] },
  { code: inTraverse(['gc.collect();']), errors: [direct(5, 5, 'gc.collect')] },
  { code: inTraverse(['gc.getReferrers(self);']), errors: [direct(5, 5, 'gc.getReferrers')] },
  { code: inTraverse(['void gc.garbage;']), errors: [direct(5, 10, 'gc.garbage')] },
  {
    code: withImports("import * as tg from 'traverse-guard'; import { pyclass, field } from 'traverse-guard';", ['tg.gc.collect();']),
    errors: [direct(5, 5, 'gc.collect')],
  },
  { code: inTraverse(['const { collect } = gc;', 'collect();']), errors: [direct(6, 5, 'gc.collect')] },
  { code: inTraverse(['Reflect.apply(gc.collect, gc, []);']), errors: [direct(5, 5, 'gc.collect')] },
  { code: inTraverse(['gc.collect.call(gc);']), errors: [direct(5, 5, 'gc.collect')] },
  { code: inTraverse(['new Interpreter({});']), errors: [direct(5, 5, 'new Interpreter()')] },
  { code: inTraverse(['void py;'], ['declare const py: Python;']), errors: [captured(5, 10, 'py')] },
  {
    code: [IMPORTS, 'Python.withGil((py) => {', "  pyclass('Node', { fields: {}, traverse(self, visit) { void py; } });", '});'].join('\n'),
    errors: [captured(3, 62, 'py')],
  },
  { code: inTraverse(['void py;'], ['const py = Python.assumeGilAcquired();']), errors: [captured(5, 10, 'py')] },
  {
    code: inTraverse(['void token;'], ['const guard = Python.acquireGil();', 'const token = guard.python();']),
    errors: [captured(5, 10, 'token')],
  },
  {
    code: inTraverse(['count();'], ['function count() { return gc.collect(); }']),
    errors: [viaHelper(5, 5, '`count`', 8, 'gc.collect')],
  },
  {
    code: inTraverse(['clone(self.child);'], ['declare const py: Python;', 'function clone(p: any) { return p.cloneRef(py); }']),
    errors: [viaHelper(5, 5, '`clone`', 9, '.cloneRef()')],
  },
  {
    code: inTraverse([`self.items.forEach((item) => item.cloneRef(${NO_PY}));`]),
    errors: [direct(5, 34, '.cloneRef()')],
  },
  { code: inTraverse([`Py.new.call(Py, ${NO_PY}, null, {});`]), errors: [direct(5, 5, 'Py.new')] },
  {
    code: withImports("import { Py as Ref, pyclass, field } from 'traverse-guard';", [`Ref.new(${NO_PY}, null, {});`]),
    errors: [direct(5, 5, 'Py.new')],
  },
  {
    code: "import { gc } from 'traverse-guard';\nclass Node {\n  __traverse__(visit: unknown) {\n    gc.collect();\n  }\n}",
    errors: [direct(4, 5, 'gc.collect')],
  },
  {
    code: inTraverse(['visit.call(self.child);'], ['const t: TraverseFn<{}> = () => { gc.collect(); };']),
    errors: [direct(8, 35, 'gc.collect')],
  },
  {
    code: inTraverse(['fetchSomething();'], ['declare function fetchSomething(): void;']),
    options: STRICT,
    errors: [{ messageId: 'unknownCall', line: 5, column: 5, data: { operation: 'fetchSomething' } }],
  },
  {
    code: inTraverse(['h();'], ['function h() { fetchSomething(); }', 'declare function fetchSomething(): void;']),
    options: STRICT,
    errors: [{ messageId: 'unknownViaHelper', line: 5, column: 5, data: { chain: '`h`', line: 8, operation: 'fetchSomething' } }],
  },
  {
    code: inTraverse(['self.child?.toJSON();']),
    options: [{ checkUnknownCalls: true, allowedCalls: ['other'] }],
    errors: [{ messageId: 'unknownCall', line: 5, column: 5, data: { operation: 'self.child?.toJSON' } }],
  },
];

untypedTester().run('no-interpreter-in-traverse (untyped)', rule, {
  valid,
  invalid: [
    ...invalid,
    { code: inTraverse(['void token;'], ['const token = { python() { return 1; } }.python();']), errors: [captured(5, 10, 'token')] },
  ],
});

typedTester().run('no-interpreter-in-traverse (typed)', rule, {
  valid: [...valid, inTraverse(['void token;'], ['const token = { python() { return 1; } }.python();'])],
  invalid,
});
