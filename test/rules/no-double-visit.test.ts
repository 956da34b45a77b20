// no-double-visit: one visit per owned reference per path — the same field twice, a cell's
// value through an alias, a list walked twice, a visit in a loop that may repeat, through
// helpers too. Untyped and typed.
import type { InvalidTestCase, ValidTestCase } from '@typescript-eslint/rule-tester';
import type { ESLintUtils } from '@typescript-eslint/utils';

import rule from '../../rules/no-double-visit.js';
import { cls, ONE, VISIT_ALL } from './contract-harness.js';
import { IMPORTS, typedTester, untypedTester } from './harness.js';

type MessageIds = ESLintUtils.InferMessageIdsTypeFromRule<typeof rule>;
type Invalid = InvalidTestCase<MessageIds, []>;

const double = (line: number) => ({ messageId: 'doubleVisit' as const, line });
const inLoop = (line: number) => ({ messageId: 'visitInLoop' as const, line });
const viaHelper = (line: number) => ({ messageId: 'doubleVisitViaHelper' as const, line });
const CROSS_FILE = "import { visitChild, visitRegistry, visitIfFlag } from './visit-helpers';";
const LISTS = 'items: field.list(), more: field.list(), a: field.ref(), n: field.int()';

const valid: (string | ValidTestCase<[]>)[] = [
  cls(VISIT_ALL),
  cls(['if (self.flag) visit.call(self.a);', 'else visit.call(self.a);'], { fields: ONE }),
  cls(['const v = self.c.get();', 'visit.call(v);'], { fields: 'c: field.cell()' }),
  cls(['for (const x of self.items) visit.call(x);'], { fields: LISTS }),
  cls(['for (let i = 0; i < self.items.length; i++) visit.call(self.items.at(i));'], { fields: LISTS }),
  cls(['self.items.forEach((x) => visit.call(x));'], { fields: LISTS }),
  cls(['for (const x of self.items) visit.call(x);', 'for (const y of self.more) visit.call(y);'], { fields: LISTS }),
  cls(['if (self.flag) {', '  visit.call(self.a);', '  return;', '}', 'visit.call(self.a);'], { fields: ONE }),
  cls(['for (const x of self.items) {', '  visit.call(self.a);', '  break;', '}'], { fields: LISTS }),
  cls(['[self.a, self.b].forEach((r) => visit.call(r));'], { fields: 'a: field.ref(), b: field.ref()' }),
  cls(['for (const r of [self.a, self.b]) visit.call(r);'], { fields: 'a: field.ref(), b: field.ref()' }),
  cls(['visitA(self, visit);'], { fields: ONE, after: ['function visitA(node: any, v: Visit) { v.call(node.a); }'] }),
  cls(['visitA(self, visit);', 'visitB(self, visit);'], {
    fields: 'a: field.ref(), b: field.ref()',
    after: ['function visitA(node: any, v: Visit) { v.call(node.a); }', 'const visitB = (node: any, v: Visit) => v.call(node.b);'],
  }),
  cls(['if (self.flag) visitA(self, visit);', 'else visitA(self, visit);'], { fields: ONE, after: ['function visitA(node: any, v: Visit) { v.call(node.a); }'] }),
  cls(['switch (self.n) {', '  case 0:', '    visit.call(self.a);', '    break;', '  default:', '    visit.call(self.a);', '}'], { fields: ONE }),
  cls(['visit.call(self.items.at(0));', 'visit.call(self.items.at(1));'], { fields: LISTS }),
  cls(['for (const x of self.items) {', '  for (const y of self.more) visit.call(y);', '  visit.call(x);', '}'].slice(0, 0).concat(['for (const x of self.items) visit.call(x);', 'self.more.forEach((y) => visit.call(y));']), { fields: LISTS }),
  cls(['self.flag ? visit.call(self.a) : visit.call(self.b);'], { fields: 'a: field.ref(), b: field.ref(), flag: field.bool()' }),
  cls(['visit.call(self.a);', 'visit.call(self.b);'], { fields: 'a: field.ref(), b: field.ref()' }),
  [IMPORTS, 'class Node {', '  a: unknown = null;', '  b: unknown = null;', '  __traverse__(visit: Visit) {', '    visit.call(this.a as never);', '    visit.call(this.b as never);', '  }', '}'].join('\n'),
  cls(['for (const x of self.items) visit.call(x);', 'if (self.items.length === 0) visit.call(self.a);'], { fields: LISTS }),
  cls(['try {', '  visit.call(self.a);', '} finally {', '  void 0;', '}'], { fields: ONE }),
  cls(['(() => visit.call(self.a))();'], { fields: ONE }),
  cls(['self.items.some((x) => {', '  visit.call(x);', '  return false;', '});'], { fields: LISTS }),
  cls(['let k = 0;', 'while (k < 3) k++;', 'visit.call(self.a);'], { fields: ONE }),
  cls(['const v = self.c.get();', 'if (v) visit.call(v);', 'else visit.call(self.c.get());'], { fields: 'c: field.cell()' }),
];

const invalid: Invalid[] = [
  { code: cls(['visit.call(self.a);', 'visit.call(self.a);'], { fields: ONE }), errors: [double(6)] },
  { code: cls(['visit.call(self.c.get());', 'visit.call(self.c.get());'], { fields: 'c: field.cell()' }), errors: [double(6)] },
  { code: cls(['const v = self.c.get();', 'visit.call(v);', 'visit.call(self.c.get());'], { fields: 'c: field.cell()' }), errors: [double(7)] },
  { code: cls(['for (const x of self.items) visit.call(x);', 'for (const y of self.items) visit.call(y);'], { fields: LISTS }), errors: [double(6)] },
  { code: cls(['for (const x of self.items) visit.call(x);', 'self.items.forEach((y) => visit.call(y));'], { fields: LISTS }), errors: [double(6)] },
  { code: cls(['for (const x of self.items) visit.call(x);', 'visit.call(self.items.at(0));'], { fields: LISTS }), errors: [double(6)] },
  { code: cls(['visit.call(self.items.at(0));', 'for (const x of self.items) visit.call(x);'], { fields: LISTS }), errors: [double(6)] },
  { code: cls(['visit.call(self.items.at(0));', 'visit.call(self.items.at(0));'], { fields: LISTS }), errors: [double(6)] },
  { code: cls(['for (const x of self.items) visit.call(self.a);'], { fields: LISTS }), errors: [inLoop(5)] },
  { code: cls(['for (let i = 0; i < self.n; i++) visit.call(self.a);'], { fields: LISTS }), errors: [inLoop(5)] },
  { code: cls(['let k = 0;', 'while (k < 2) {', '  visit.call(self.a);', '  k++;', '}'], { fields: ONE }), errors: [inLoop(7)] },
  { code: cls(['for (const x of self.items) {', '  visit.call(x);', '  visit.call(x);', '}'], { fields: LISTS }), errors: [double(7)] },
  { code: cls(['for (const x of self.items) {', '  for (const y of self.items) visit.call(y);', '}'], { fields: LISTS }), errors: [double(6)] },
  { code: cls(['visitA(self, visit);', 'visit.call(self.a);'], { fields: ONE, after: ['function visitA(node: any, v: Visit) { v.call(node.a); }'] }), errors: [double(6)] },
  { code: cls(['visitA(self, visit);', 'visitA(self, visit);'], { fields: ONE, after: ['function visitA(node: any, v: Visit) { v.call(node.a); }'] }), errors: [viaHelper(6)] },
  { code: cls(['[self.a, self.a].forEach((r) => visit.call(r));'], { fields: ONE }), errors: [inLoop(5)] },
  { code: cls(['for (const r of [self.a, self.b]) visit.call(r);', 'visit.call(self.b);'], { fields: 'a: field.ref(), b: field.ref()' }), errors: [double(6)] },
  { code: cls(['const { a } = self;', 'visit.call(a);', 'visit.call(self.a);'], { fields: ONE }), errors: [double(7)] },
  { code: cls(['if (self.flag) visit.call(self.a);', 'visit.call(self.a);'], { fields: ONE }), errors: [double(6)] },
  { code: cls(['switch (self.n) {', '  case 0:', '    visit.call(self.a);', '  case 1:', '    visit.call(self.a);', '    break;', '}'], { fields: ONE }), errors: [double(9)] },
  { code: cls(['for (let i = 0; i < self.items.length; i++) visit.call(self.items.at(i));', 'for (const x of self.items) visit.call(x);'], { fields: LISTS }), errors: [double(6)] },
  { code: cls(['self.items.forEach(() => visit.call(self.a));'], { fields: LISTS }), errors: [inLoop(5)] },
  { code: cls(['self.flag && visit.call(self.a);', 'visit.call(self.a);'], { fields: ONE }), errors: [double(6)] },
  { code: cls(['visitTwice(self, visit);'], { fields: ONE, after: ['function visitTwice(node: any, v: Visit) {', '  v.call(node.a);', '  v.call(node.a);', '}'] }), errors: [viaHelper(5)] },
  { code: [IMPORTS, 'class Node {', '  a: unknown = null;', '  __traverse__(visit: Visit) {', '    visit.call(this.a as never);', '    visit.call(this.a as never);', '  }', '}'].join('\n'), errors: [double(6)] },
  { code: cls(['[1, 2].forEach(() => visit.call(self.a));'], { fields: ONE }), errors: [inLoop(5)] },
];

untypedTester().run('no-double-visit (untyped)', rule, { valid, invalid });
typedTester().run('no-double-visit (typed)', rule, {
  valid: [...valid, cls(['visitChild(self, visit);'], { fields: ONE, before: [CROSS_FILE] })],
  // Typed: the helper in another file of the program is followed (untyped, it is unknown).
  invalid: [...invalid, { code: cls(['visitChild(self, visit);', 'visitChild(self, visit);'], { fields: ONE, before: [CROSS_FILE] }), errors: [viaHelper(7)] }],
});
