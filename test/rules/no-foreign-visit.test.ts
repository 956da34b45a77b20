// no-foreign-visit: `visit.call` only of a reference field of `self`, a cell's value or an item
// of a list field — never a module-level or captured handle, a fresh object, the instance, a
// plain field or a container; through helpers too. Untyped and typed.
import type { InvalidTestCase, ValidTestCase } from '@typescript-eslint/rule-tester';
import type { ESLintUtils } from '@typescript-eslint/utils';

import rule from '../../rules/no-foreign-visit.js';
import { cls, ONE, REF_FIELDS, VISIT_ALL } from './contract-harness.js';
import { IMPORTS, typedTester, untypedTester } from './harness.js';

type MessageIds = ESLintUtils.InferMessageIdsTypeFromRule<typeof rule>;
type Invalid = InvalidTestCase<MessageIds, []>;

const foreign = (line: number) => ({ messageId: 'foreignVisit' as const, line });
const viaHelper = (line: number) => ({ messageId: 'foreignVisitViaHelper' as const, line });
const CROSS_FILE = "import { visitChild, visitRegistry, visitIfFlag } from './visit-helpers';";
const SHARED = ['declare const shared: Py<unknown>;'];

const valid: (string | ValidTestCase<[]>)[] = [
  cls(VISIT_ALL),
  cls(['self.items.forEach((x) => visit.call(x));']),
  cls(['const a = self.a;', 'visit.call(a);']),
  cls(['visitOne(self.a, visit);'], { after: ['function visitOne(x: any, v: Visit) { v.call(x); }'] }),
  cls(['self.items.forEach((x) => visitOne(x, visit));'], { after: ['function visitOne(x: any, v: Visit) { v.call(x); }'] }),
  cls(['visit.call(null);']),
  cls(['visit.call(undefined);']),
  cls(['visit.call(self.b ?? null);']),
  cls(['visit.call(pick(self));'], { after: ['declare function pick(x: unknown): never;'] }),
  cls(['for (const r of [self.a, self.b]) visit.call(r);']),
  [IMPORTS, "pyclass('N', {", `  fields: { ${ONE} },`, '  traverse({ a }, visit) {', '    visit.call(a);', '  },', '});'].join('\n'),
  [IMPORTS, 'class Node {', '  a: unknown = null;', '  __traverse__(visit: Visit) {', '    visit.call(this.a as never);', '  }', '}'].join('\n'),
  cls(['void shared;', 'visit.call(self.a);'], { before: SHARED }),
  cls(['visit.call(self.a);'], { before: SHARED, after: ['function other(v: Visit) { v.call(shared); }'] }),
  cls(['visit.call(self.flag ? self.a : self.b);']),
  cls(['visit.call(self.c.get()!);']),
  cls(['const { items } = self;', 'for (const x of items) visit.call(x);']),
  cls(['visit.call(self.items.at(0));']),
  [IMPORTS, 'declare const base: object;', "pyclass('N', { ...base, traverse(self: any, visit: Visit) { visit.call(self.anything); } });"].join('\n'),
  cls(['const get = (s: any) => s.a;', 'visit.call(get(self));']),
  cls(['visit.call(self.a as never);']),
  cls(['visit.call((self as any).a);']),
  cls(['self.items.every((x) => {', '  visit.call(x);', '  return true;', '});']),
  cls(['(() => visit.call(self.a))();']),
  cls(['visit.call(NOTHING);'], { before: ['const NOTHING = null;'] }),
  cls(['const pick = () => self.c.get();', 'visit.call(pick());']),
];

const invalid: Invalid[] = [
  { code: cls(['visit.call(shared);'], { before: SHARED }), errors: [foreign(6)] },
  { code: cls(['visit.call(registry.h);'], { before: ['const registry = { h: null as any };'] }), errors: [foreign(6)] },
  {
    code: [IMPORTS, 'export function make(handle: any) {', "  return pyclass('N', {", `    fields: { ${ONE} },`, '    traverse(self, visit) {', '      visit.call(handle);', '    },', '  });', '}'].join('\n'),
    errors: [foreign(6)],
  },
  { code: cls(['visit.call(new Thing() as never);'], { after: ['class Thing {}'] }), errors: [foreign(5)] },
  { code: cls(['visit.call(Py.new(py, Other, {}) as never);'], { before: ['declare const py: Python;', 'declare const Other: any;'] }), errors: [foreign(7)] },
  { code: cls(['visit.call({} as never);']), errors: [foreign(5)] },
  { code: cls(['visit.call(self as never);']), errors: [foreign(5)] },
  { code: cls(['visit.call(self.n as never);']), errors: [foreign(5)] },
  { code: cls(['visit.call(self.c as never);']), errors: [foreign(5)] },
  { code: cls(['visit.call(self.items as never);']), errors: [foreign(5)] },
  { code: cls(['visit.call((self as any).other);']), errors: [foreign(5)] },
  { code: cls(['visitOne(shared, visit);'], { before: SHARED, after: ['function visitOne(x: any, v: Visit) { v.call(x); }'] }), errors: [viaHelper(6)] },
  { code: cls(['visitShared(visit);'], { before: SHARED, after: ['function visitShared(v: Visit) { v.call(shared); }'] }), errors: [viaHelper(6)] },
  { code: cls(['visit.call(handle as never);'], { before: ["import { Resource as handle } from './other';"] }), errors: [foreign(6)] },
  { code: cls(['visit.call([self.a] as never);']), errors: [foreign(5)] },
  { code: cls(['visit.call(1 as never);']), errors: [foreign(5)] },
  { code: cls(['visit.call(self.items.length as never);']), errors: [foreign(5)] },
  {
    code: [IMPORTS, 'export function make() {', '  let last: any = null;', "  return pyclass('N', {", `    fields: { ${ONE} },`, '    traverse(self, visit) {', '      visit.call(last);', '    },', '    clear() {', '      last = null;', '    },', '  });', '}'].join('\n'),
    errors: [foreign(7)],
  },
  { code: cls(['const tmp = new Holder();', 'visit.call(tmp.ref);'], { after: ['class Holder { ref: any = null; }'] }), errors: [foreign(6)] },
  { code: cls(['visit.call(current);'], { before: ['let current: any = null;'], after: ['export function setCurrent(x: any) { current = x; }'] }), errors: [foreign(6)] },
  { code: cls(['handles.forEach((h) => visit.call(h));'], { before: ['const handles: any[] = [];'] }), errors: [foreign(6)] },
  { code: cls(['for (const h of handles) visit.call(h);'], { before: ['const handles: any[] = [];'] }), errors: [foreign(6)] },
  {
    code: cls(['outer(shared, visit);'], { before: SHARED, after: ['function outer(x: any, v: Visit) { inner(x, v); }', 'function inner(y: any, v: Visit) { v.call(y); }'] }),
    errors: [viaHelper(6)],
  },
  {
    code: [IMPORTS, ...SHARED, 'class Node {', '  __traverse__(visit: Visit) {', '    visit.call(shared);', '  }', '}'].join('\n'),
    errors: [foreign(5)],
  },
  { code: cls(['visitOne(self.items, visit);'], { after: ['function visitOne(x: any, v: Visit) { v.call(x); }'] }), errors: [viaHelper(5)] },
  { code: cls(['const fresh = new Map();', 'visit.call(fresh as never);'], { fields: REF_FIELDS }), errors: [foreign(6)] },
];

untypedTester().run('no-foreign-visit (untyped)', rule, { valid, invalid });
typedTester().run('no-foreign-visit (typed)', rule, {
  valid: [...valid, cls(['visitChild(self, visit);'], { before: [CROSS_FILE] })],
  // Typed: the helper in another file visits that file's module-level value.
  invalid: [...invalid, { code: cls(['visitRegistry(visit);'], { before: [CROSS_FILE] }), errors: [viaHelper(6)] }],
});
