// traverse-visits-all-fields: every reference field visited on every normal path; only a
// guard on the field's own emptiness may stand around its visit. Untyped and typed.
import type { InvalidTestCase, ValidTestCase } from '@typescript-eslint/rule-tester';
import type { ESLintUtils } from '@typescript-eslint/utils';

import rule from '../../rules/traverse-visits-all-fields.js';
import { cls, ONE, VISIT_ALL } from './contract-harness.js';
import { IMPORTS, typedTester, untypedTester } from './harness.js';

type MessageIds = ESLintUtils.InferMessageIdsTypeFromRule<typeof rule>;
type Options = [{ reportUnknownVisitors?: boolean }];
type Invalid = InvalidTestCase<MessageIds, Options>;

const CROSS_FILE = "import { visitChild, visitRegistry, visitIfFlag } from './visit-helpers';";
const AT = { line: 4, column: 3 };
const never = { messageId: 'neverVisited' as const, ...AT };
const somePaths = { messageId: 'notOnEveryPath' as const, ...AT };
const partly = { messageId: 'listPartlyVisited' as const, ...AT };

const valid: (string | ValidTestCase<Options>)[] = [
  cls(VISIT_ALL),
  cls(['visit.call(self.a);', 'visit.call(self.b);', 'visit.call(self.c.get());', 'self.items.forEach((x) => visit.call(x));']),
  cls(['visit.call(self.a);', 'visit.call(self.b);', 'visit.call(self.c.get());', 'for (let i = 0; i < self.items.length; i++) visit.call(self.items.at(i));']),
  cls(['visit.call(self.a);', 'if (self.b) visit.call(self.b);', 'if (!self.c.isEmpty()) visit.call(self.c.get());', 'if (self.items.length > 0) for (const x of self.items) visit.call(x);']),
  cls(['visit.call(self.a);', 'visit.call(self.c.get());', 'for (const x of self.items) visit.call(x);', 'if (self.b === null) return;', 'visit.call(self.b);']),
  cls(['visit.call(self.a);', 'visit.call(self.b);', 'const v = self.c.get();', 'if (v) visit.call(v);', 'self.items.forEach((x) => visit.call(x));']),
  cls(['const { a, b, c, items } = self;', 'visit.call(a);', 'visit.call(b);', 'visit.call(c.get());', 'for (const x of items) visit.call(x);']),
  cls(['visitAll(self, visit);'], {
    after: ['function visitAll(node: any, v: Visit) {', '  v.call(node.a);', '  v.call(node.b);', '  v.call(node.c.get());', '  for (const x of node.items) v.call(x);', '}'],
  }),
  cls(['visitRefs(self, visit);', 'visit.call(self.c.get());', 'self.items.forEach(each);', 'function each(x: any) { visit.call(x); }'], {
    after: ['const visitRefs = (node: any, v: Visit) => { v.call(node.a); v.call(node.b); };'],
  }),
  cls(['[self.a, self.b, self.c.get()].forEach((r) => visit.call(r));', 'for (const x of self.items) visit.call(x);']),
  cls(['for (const r of [self.a, self.b, self.c.get()]) visit.call(r);', 'for (const x of self.items) visit.call(x);']),
  cls(['visit.call(self.a);', 'self.b ? visit.call(self.b) : undefined;', 'visit.call(self.c.get());', 'for (const x of self.items) visit.call(x);']),
  cls(['visit.call(self.a);', 'self.b && visit.call(self.b);', 'self.b != null && visit.call(self.b);', 'visit.call(self.c.get());', 'for (const x of self.items) visit.call(x);'].filter((_, i) => i !== 2)),
  cls(['visit.call(self.a);', 'visit.call(self.b);', 'visit.call(self.c.get());', 'if (self.items.length === 0) return;', 'for (const x of self.items) visit.call(x);']),
  cls(['try {', '  visit.call(self.a);', '} finally {', '  visit.call(self.b);', '}', 'visit.call(self.c.get());', 'for (const x of self.items) visit.call(x);']),
  cls(['if (self.n > 0) return;'], { fields: 'n: field.int(), flag: field.bool()' }),
  cls(['visitor(self, visit);'], { after: ['declare function visitor(node: unknown, v: Visit): void;'] }),
  cls(["throw new Error('not traversable');"]),
  [IMPORTS, 'const fields = { a: field.ref(), items: field.list() };', "pyclass('N', { fields, traverse(self, visit) { visit.call(self.a); self.items.forEach((x) => visit.call(x)); } });"].join('\n'),
  [IMPORTS, 'class Node {', '  a: unknown = null;', '  __traverse__(visit: Visit) {', '    if (Math.random() > 2) visit.call(this.a as never);', '  }', '}'].join('\n'),
  cls(['visit.call(self.a);', 'visit.call(self.b);', 'visit.call(self.c.get());', 'for (const x of self.items) {', '  if (!x) continue;', '  visit.call(x);', '}']),
  cls(['visit.call(self.a);', 'visit.call(self.b ?? null);', 'visit.call(self.c.get());', 'for (const x of self.items) visit.call(x);']),
  [IMPORTS, "pyclass('N', {", `  fields: { ${ONE} },`, '  traverse: function (self, visit) {', '    visit.call(self.a);', '  },', '});'].join('\n'),
  [IMPORTS, `const fields = { ${ONE} };`, 'const t: TraverseFn<typeof fields> = (self, visit) => visit.call(self.a);', "pyclass('N', { fields, traverse: t });"].join('\n'),
  cls(['if (self.a) visit.call(self.a);', 'if (self.b !== null && self.b !== undefined) visit.call(self.b);', 'if (self.c.get() !== null) visit.call(self.c.get());', 'if (self.items.length !== 0) self.items.forEach((x) => visit.call(x));']),
  cls(['outer(self, visit);'], { fields: ONE, after: ['function outer(s: any, v: Visit) { inner(s, v); }', 'function inner(s: any, v: Visit) { v.call(s.a); }'] }),
];

const invalid: Invalid[] = [
  { code: cls(['visit.call(self.a);', 'visit.call(self.c.get());', 'for (const x of self.items) visit.call(x);']), errors: [never] },
  { code: cls(['visit.call(self.a);', 'visit.call(self.b);', 'visit.call(self.c.get());']), errors: [never] },
  { code: cls(['if (self.flag) visit.call(self.a);'], { fields: ONE }), errors: [somePaths] },
  { code: cls(['visit.call(self.a);', 'visit.call(self.b);', 'visit.call(self.c.get());', 'if (self.n > 0) for (const x of self.items) visit.call(x);']), errors: [somePaths] },
  { code: cls(['visit.call(self.a);', 'visit.call(self.b);', 'visit.call(self.c.get());', 'visit.call(self.items.at(0));']), errors: [partly] },
  { code: cls(['if (self.flag) return;', 'visit.call(self.a);'], { fields: ONE }), errors: [somePaths] },
  { code: cls(['for (const x of self.items) {', '  if (self.flag) visit.call(x);', '}'], { fields: 'items: field.list(), flag: field.bool()' }), errors: [somePaths] },
  { code: cls(['for (const x of self.items) {', '  visit.call(x);', '  break;', '}'], { fields: 'items: field.list()' }), errors: [somePaths] },
  { code: cls(['visitA(self, visit);'], { fields: ONE, after: ['function visitA(node: any, v: Visit) {', '  if (node.flag) v.call(node.a);', '}'] }), errors: [somePaths] },
  { code: cls(['void 0;'], { fields: ONE, after: ['function visitA(node: any, v: Visit) { v.call(node.a); }'] }), errors: [never] },
  { code: cls(['self.flag && visit.call(self.a);'], { fields: ONE }), errors: [somePaths] },
  { code: cls(['self.flag ? visit.call(self.a) : null;'], { fields: ONE }), errors: [somePaths] },
  { code: cls(['if (self.b) visit.call(self.a);'], { fields: 'a: field.ref(), b: field.optionalRef()' }), errors: [somePaths, never] },
  { code: cls(['if (!self.c.isEmpty()) return;', 'visit.call(self.c.get());'], { fields: 'c: field.cell()' }), errors: [somePaths] },
  { code: cls(['switch (self.n) {', '  case 0:', '    visit.call(self.a);', '    break;', '}'], { fields: ONE }), errors: [somePaths] },
  { code: cls(['for (let i = 0; i < self.n; i++) visit.call(self.a);'], { fields: ONE }), errors: [somePaths] },
  { code: cls(['while (self.flag) {', '  visit.call(self.a);', '  break;', '}'], { fields: ONE }), errors: [somePaths] },
  { code: cls(['visit.call(self.items.at(self.n));'], { fields: 'items: field.list(), n: field.int()' }), errors: [partly] },
  { code: cls(['visit.call(self.c as never);'], { fields: 'c: field.cell()' }), errors: [never] },
  { code: cls(['if (self.flag) visit.call(self.c.get());'], { fields: 'c: field.cell(), flag: field.bool()' }), errors: [somePaths] },
  { code: cls(['if (Math.random() > 0.5) visit.call(self.a);'], { fields: ONE }), errors: [somePaths] },
  {
    code: [IMPORTS, 'const fields = { a: field.ref(), items: field.list() };', "pyclass('N', { fields, traverse(self, visit) { visit.call(self.a); } });"].join('\n'),
    errors: [{ messageId: 'neverVisited', line: 3, column: 24 }],
  },
  {
    code: [IMPORTS, 'const fields = { a: field.ref(), b: field.ref() };', 'const t: TraverseFn<typeof fields> = (self, visit) => visit.call(self.a);', "pyclass('N', { fields, traverse: t });"].join('\n'),
    errors: [{ messageId: 'neverVisited', line: 4, column: 24 }],
  },
  { code: cls(['visit.call(self.a);', 'if (self.n === 0) return;', 'visit.call(self.b);'], { fields: 'a: field.ref(), b: field.ref(), n: field.int()' }), errors: [somePaths] },
  {
    code: cls(['outer(self, visit);'], { fields: ONE, after: ['function outer(s: any, v: Visit) { if (s.n > 1) inner(s, v); }', 'function inner(s: any, v: Visit) { v.call(s.a); }'] }),
    errors: [somePaths],
  },
  { code: cls(['const v = self.c.get();', 'if (self.flag) visit.call(v);'], { fields: 'c: field.cell(), flag: field.bool()' }), errors: [somePaths] },
  // strict: `visit` handed to a call nothing resolves is reported (completeness cannot be checked).
  {
    code: cls(['visitor(self, visit);'], { after: ['declare function visitor(node: unknown, v: Visit): void;'] }),
    options: [{ reportUnknownVisitors: true }],
    errors: [{ messageId: 'unknownVisitor', line: 5, column: 5 }],
  },
];

/** Every finding on a pyclass spec's traverse offers the derived traverse (exact outputs below). */
const offeringDerive = (c: Invalid): Invalid => ({
  ...c,
  errors: c.errors.map((e) => (e.messageId === 'unknownVisitor' || 'suggestions' in e ? e : { ...e, suggestions: 1 as never })),
});

const DERIVE_TRAVERSE = [IMPORTS, "pyclass('Node', {", `  fields: { ${ONE} },`, "  derive: 'traverse',", '});'].join('\n');
const DERIVE_BOTH = [IMPORTS, "pyclass('Node', {", `  fields: { ${ONE} },`, '  derive: true,', '});'].join('\n');
const suggestionCases: Invalid[] = [
  {
    code: cls(['if (self.flag) visit.call(self.a);'], { fields: ONE }),
    errors: [{ ...somePaths, suggestions: [{ messageId: 'useDerive', data: { part: 'traverse', value: "'traverse'" }, output: DERIVE_TRAVERSE }] }],
  },
  {
    // A derived clear already: derive both, and the hand-written traverse goes.
    code: cls(['if (self.flag) visit.call(self.a);'], { fields: ONE }).replace('  traverse(self, visit) {', "  derive: 'clear',\n  traverse(self, visit) {"),
    errors: [{ ...somePaths, line: 5, suggestions: [{ messageId: 'useDerive', data: { part: 'traverse', value: 'true' }, output: DERIVE_BOTH }] }],
  },
];

untypedTester().run('traverse-visits-all-fields (untyped)', rule, { valid, invalid: [...invalid.map(offeringDerive), ...suggestionCases] });
typedTester().run('traverse-visits-all-fields (typed)', rule, {
  valid: [...valid, cls(['visitChild(self, visit);'], { fields: ONE, before: [CROSS_FILE] })],
  // Typed: the condition inside the helper of another file is seen (untyped, the call is unknown).
  invalid: [...invalid.map(offeringDerive), ...suggestionCases, offeringDerive({ code: cls(['visitIfFlag(self, visit);'], { fields: ONE, before: [CROSS_FILE] }), errors: [{ ...somePaths, line: 5 }] })],
});
