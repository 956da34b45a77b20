// traverse-deterministic: what a traverse visits depends only on the instance's fields and
// constants — not on random numbers, the clock, module or captured state (changed by the
// traverse or elsewhere), or a field the traverse writes through a cast. Untyped and typed.
import type { InvalidTestCase, ValidTestCase } from '@typescript-eslint/rule-tester';
import type { ESLintUtils } from '@typescript-eslint/utils';

import rule from '../../rules/traverse-deterministic.js';
import { cls, ONE, VISIT_ALL } from './contract-harness.js';
import { IMPORTS, typedTester, untypedTester } from './harness.js';

type MessageIds = ESLintUtils.InferMessageIdsTypeFromRule<typeof rule>;
type Invalid = InvalidTestCase<MessageIds, []>;

const nd = (line: number, column?: number) => ({ messageId: 'nondeterministic' as const, line, ...(column ? { column } : {}) });
const viaHelper = (line: number) => ({ messageId: 'nondeterministicViaHelper' as const, line });
const LIST = 'items: field.list(), a: field.ref(), n: field.int(), flag: field.bool()';

const valid: (string | ValidTestCase<[]>)[] = [
  cls(VISIT_ALL),
  cls(['if (self.flag) visit.call(self.a);'], { fields: ONE }),
  cls(['if (self.n < LIMIT) visit.call(self.a);'], { fields: ONE, before: ['const LIMIT = 3;'] }),
  cls(['const r = Math.random();', 'void r;', 'visit.call(self.a);'], { fields: ONE }),
  cls(['console.log(Date.now());', 'visit.call(self.a);'], { fields: ONE }),
  cls(['calls++;', 'visit.call(self.a);'], { fields: ONE, before: ['let calls = 0;'] }),
  cls(['later.push(() => self.n);', 'visit.call(self.a);'], { fields: ONE, before: ['const later: (() => number)[] = [];'] }),
  cls(['let k = 0;', 'for (const x of self.items) {', '  if (k++ > 100) break;', '  visit.call(x);', '}'], { fields: LIST }),
  cls(['if (config.deep) visit.call(self.a);'], { fields: ONE, before: ['const config = { deep: true };'] }),
  cls(['visitIf(self, visit);'], { fields: ONE, after: ['function visitIf(s: any, v: Visit) { if (s.flag) v.call(s.a); }'] }),
  cls(['visit.call(self.a);'], { fields: ONE, after: ['export function timing() { return performance.now(); }'] }),
  cls(['if (self.items.length > 0) self.items.forEach((x) => visit.call(x));'], { fields: LIST }),
  cls(['visit.call(self.a);', 'if (Math.random() > 0.5) console.log("sampled");'], { fields: ONE }),
  cls(['visit.call(self.a);'], { fields: ONE, before: ['let enabled = true;'], after: ['export function toggle() { enabled = !enabled; return enabled; }'] }),
  cls(['switch (self.n) {', '  case 0:', '    visit.call(self.a);', '    break;', '  default:', '    visit.call(self.a);', '}'], { fields: ONE }),
  [IMPORTS, 'export function make(depth: number) {', "  return pyclass('N', {", `    fields: { ${ONE} },`, '    traverse(self, visit) {', '      if (depth > 0) visit.call(self.a);', '    },', '  });', '}'].join('\n'),
  cls(['if (self.n > MAX) visit.call(self.a);'], { fields: ONE, before: ["import { MAX } from './constants';"] }),
  cls(['visit.call(self.a);'], { fields: ONE, clear: ['self.flag = false;'] }),
  cls(['self.flag ? visit.call(self.a) : undefined;'], { fields: ONE }),
  cls(['const deep = self.n > 2;', 'if (deep) visit.call(self.a);'], { fields: ONE }),
  cls(['for (let i = 0; i < 3; i++) void i;', 'visit.call(self.a);'], { fields: ONE }),
  cls(["const m = new Map<string, number>();", "m.set('a', 1);", "if (m.has('a')) visit.call(self.a);"], { fields: ONE }),
  cls(['if (Math.random() > 0.5) visit.call(self.a);'], { fields: ONE, before: ['const Math = { random: () => 1 };'] }),
  cls(['const started = Date.now();', 'visit.call(self.a);', 'void (Date.now() - started);'], { fields: ONE }),
  cls(['if (self.a) visit.call(self.a);', 'seen.add(self.n);'], { fields: ONE, before: ['const seen = new Set<number>();'] }),
];

const invalid: Invalid[] = [
  { code: cls(['if (Math.random() > 0.5) visit.call(self.a);'], { fields: ONE }), errors: [nd(5, 9)] },
  { code: cls(['if (Date.now() % 2) visit.call(self.a);'], { fields: ONE }), errors: [nd(5)] },
  { code: cls(['if (performance.now() > 0) visit.call(self.a);'], { fields: ONE }), errors: [nd(5)] },
  { code: cls(['if (new Date().getSeconds() > 30) visit.call(self.a);'], { fields: ONE }), errors: [nd(5)] },
  { code: cls(['calls++;', 'if (calls % 2) visit.call(self.a);'], { fields: ONE, before: ['let calls = 0;'] }), errors: [nd(7)] },
  { code: cls(['if (enabled) visit.call(self.a);'], { fields: ONE, before: ['let enabled = true;'], after: ['export function toggle() { enabled = !enabled; }'] }), errors: [nd(6)] },
  {
    code: [IMPORTS, 'export function make() {', '  let n = 0;', "  return pyclass('N', {", `    fields: { ${ONE} },`, '    traverse(self, visit) {', '      if (n++ === 0) visit.call(self.a);', '    },', '  });', '}'].join('\n'),
    errors: [nd(7)],
  },
  { code: cls(['(self as any).n++;', 'if (self.n % 2) visit.call(self.a);'], { fields: ONE }), errors: [nd(6)] },
  { code: cls(['if (Math.random() < 0.1) return;', 'visit.call(self.a);'], { fields: ONE }), errors: [nd(5)] },
  { code: cls(['for (let i = 0; i < Math.random() * 3; i++) visit.call(self.items.at(i));'], { fields: LIST }), errors: [nd(5)] },
  { code: cls(['const coin = Math.random() > 0.5;', 'if (coin) visit.call(self.a);'], { fields: ONE }), errors: [nd(6)] },
  { code: cls(['maybe(self, visit);'], { fields: ONE, after: ['function maybe(s: any, v: Visit) { if (Math.random() > 0.5) v.call(s.a); }'] }), errors: [viaHelper(5)] },
  { code: cls(['Math.random() > 0.5 && visit.call(self.a);'], { fields: ONE }), errors: [nd(5)] },
  { code: cls(['visit.call(Math.random() > 0.5 ? self.a : null);'], { fields: ONE }), errors: [nd(5)] },
  { code: cls(['if (seen.length === 0) visit.call(self.a);', 'seen.push(1);'], { fields: ONE, before: ['const seen: number[] = [];'] }), errors: [nd(6)] },
  {
    code: cls(['if (!visited.has(self)) {', '  visited.add(self);', '  visit.call(self.a);', '}'], { fields: ONE, before: ['const visited = new Set<unknown>();'] }),
    errors: [nd(6)],
  },
  { code: cls(['switch (Math.floor(Math.random() * 2)) {', '  case 0:', '    visit.call(self.a);', '}'], { fields: ONE }), errors: [nd(5)] },
  { code: cls(['while (enabled) {', '  visit.call(self.a);', '  break;', '}'], { fields: ONE, before: ['let enabled = true;'], after: ['export function off() { enabled = false; }'] }), errors: [nd(6)] },
  {
    code: cls(['if (on()) visit.call(self.a);'], { fields: ONE, before: ['let enabled = true;'], after: ['function on() { return enabled; }', 'export function off() { enabled = false; }'] }),
    errors: [nd(6)],
  },
  { code: cls(["if (crypto.randomUUID().startsWith('a')) visit.call(self.a);"], { fields: ONE }), errors: [nd(5)] },
  { code: cls(['(self as { flag: boolean }).flag = !self.flag;', 'if (self.flag) visit.call(self.a);'], { fields: ONE }), errors: [nd(6)] },
  { code: cls(['if (process.hrtime.bigint() > 0n) visit.call(self.a);'], { fields: ONE }), errors: [nd(5)] },
  { code: cls(['for (const x of Math.random() > 0.5 ? [self.a] : []) visit.call(x);'], { fields: ONE }), errors: [nd(5)] },
  { code: cls(['state.n += 1;', 'if (state.n > 1) return;', 'visit.call(self.a);'], { fields: ONE, before: ['const state = { n: 0 };'] }), errors: [nd(7)] },
  { code: cls(['flip(self);', 'if (self.flag) visit.call(self.a);'], { fields: ONE, after: ['function flip(s: any) { s.flag = !s.flag; }'] }), errors: [nd(6)] },
  {
    code: [IMPORTS, 'let tick = 0;', 'class Node {', '  a: unknown = null;', '  __traverse__(visit: Visit) {', '    tick += 1;', '    if (tick % 2) visit.call(this.a as never);', '  }', '}'].join('\n'),
    errors: [nd(7)],
  },
];

untypedTester().run('traverse-deterministic (untyped)', rule, { valid, invalid });
typedTester().run('traverse-deterministic (typed)', rule, { valid, invalid });
