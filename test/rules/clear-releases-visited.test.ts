// clear-releases-visited: `clear` releases, on every path, each reference field the traverse
// visits; a pyclass whose reference fields can form a cycle has a `clear` (option
// requireClear). Untyped and typed.
import type { InvalidTestCase, ValidTestCase } from '@typescript-eslint/rule-tester';
import type { ESLintUtils } from '@typescript-eslint/utils';

import rule from '../../rules/clear-releases-visited.js';
import { cls, ONE, VISIT_ALL } from './contract-harness.js';
import { IMPORTS, typedTester, untypedTester } from './harness.js';

type MessageIds = ESLintUtils.InferMessageIdsTypeFromRule<typeof rule>;
type Options = [{ requireClear?: boolean }];
type Invalid = InvalidTestCase<MessageIds, Options>;

const notReleased = (line: number) => ({ messageId: 'notReleased' as const, line });
const missing = (line: number) => ({ messageId: 'missingClear' as const, line });
const B = 'b: field.optionalRef(), flag: field.bool(), n: field.int()';
const C = 'c: field.cell(), flag: field.bool()';
const L = 'items: field.list(), n: field.int()';
const RELEASE_ALL = ['self.a.drop();', 'self.b = null;', 'self.c.take();', 'self.items.clear();'];

const valid: (string | ValidTestCase<Options>)[] = [
  cls(VISIT_ALL, { clear: RELEASE_ALL }),
  cls(['visit.call(self.c.get());', 'for (const x of self.items) visit.call(x);'], { fields: `${C}, ${L}`, clear: ['self.c.clear();', 'self.items.splice(0);'] }),
  cls(['visit.call(self.c.get());', 'for (const x of self.items) visit.call(x);'], { fields: `${C}, ${L}`, clear: ['self.c.set(null);', 'self.items.splice(0, self.items.length);'] }),
  cls(['visit.call(self.b);'], { fields: B, clear: ['Object.assign(self, { b: null });'] }),
  cls(['visit.call(self.b);'], { fields: B, clear: ["Reflect.set(self, 'b', null);"] }),
  cls(['visit.call(self.b);'], { fields: B, clear: ['delete (self as any).b;'] }),
  cls(['visit.call(self.b);'], { fields: B, clear: ['if (self.b) self.b = null;'] }),
  cls(['visit.call(self.b);', 'visit.call(self.c.get());'], { fields: `${B}, c: field.cell()`, clear: ['releaseAll(self);'], after: ['function releaseAll(s: any) { s.b = null; s.c.take(); }'] }),
  cls(['visit.call(self.b);'], { fields: B, clear: ['reset(self);'], after: ['declare function reset(s: unknown): void;'] }),
  cls(['visit.call(self.a);'], { fields: 'a: field.ref(), b: field.optionalRef()', clear: ['self.a.drop();'] }),
  [IMPORTS, "const Leaf = pyclass('Leaf', { fields: { n: field.int() }, traverse() {} });", "pyclass('Node', { fields: { a: field.ref<typeof Leaf>() }, traverse(self, visit) { visit.call(self.a); } });"].join('\n'),
  { code: cls(['visit.call(self.b);'], { fields: B }), options: [{ requireClear: false }] },
  cls(['void self.n;'], { fields: 'n: field.int()' }),
  [IMPORTS, 'class Node {', '  a: unknown = null;', '  __traverse__(visit: Visit) { visit.call(this.a as never); }', '}'].join('\n'),
  cls(['visit.call(self.b);'], { fields: B }).replace('  traverse', '  clear: clearNode,\n  traverse') + '\nfunction clearNode(self: any) { self.b = null; }',
  [IMPORTS, "pyclass('N', {", `  fields: { ${C} },`, '  traverse: (self, visit) => visit.call(self.c.get()),', '  clear: (self) => self.c.clear(),', '});'].join('\n'),
  cls(['self.items.forEach((x) => visit.call(x));'], { fields: L, clear: ['if (self.items.length > 0) self.items.clear();'] }),
  cls(['visit.call(self.c.get());'], { fields: C, clear: ['self.c.replace(null);'] }),
  cls(['visit.call(self.b);'], { fields: B, clear: ['self.b?.drop();'] }),
  cls(['visit.call(self.a);'], { fields: ONE, clear: ['self.a[Symbol.dispose]();'] }),
  cls(['visit.call(self.c.get());'], { fields: C, clear: ['for (const r of [self.c]) r.clear();'] }),
  cls(['visit.call(self.c.get());'], { fields: C, clear: ['const { c } = self;', 'c.clear();'] }),
  cls(['visit.call(self.b);'], { fields: B, clear: ["if (self.flag) throw new Error('busy');", 'self.b = null;'] }),
  cls(['visitB(self, visit);'], { fields: B, clear: ['self.b = null;'], after: ['function visitB(s: any, v: Visit) { v.call(s.b); }'] }),
  [IMPORTS, "const Empty = pyclass('Empty', { fields: {}, traverse() {} });", "pyclass('Node', { fields: { a: field.ref<typeof Empty>(), b: field.list<typeof Empty>() }, traverse(self, visit) { visit.call(self.a); self.b.forEach((x) => visit.call(x)); } });"].join('\n'),
  [IMPORTS, "const Node = pyclass('Node', {", '  fields: { next: field.optionalRef<typeof Node>() },', '  traverse(self, visit) { visit.call(self.next); },', '  clear(self) { self.next = null; },', '});'].join('\n'),
  // A derived clear (src/api: `derive: true | 'clear'`) releases every reference field.
  cls(['visit.call(self.a);'], { fields: ONE }).replace('  traverse(self, visit) {', "  derive: 'clear',\n  traverse(self, visit) {"),
  cls(['visit.call(self.c.get());'], { fields: C, before: ['declare const how: "clear";'] }).replace('  traverse(self, visit) {', '  derive: how,\n  traverse(self, visit) {'),
  // Taken and then emptied again is released.
  cls(['visit.call(self.c.get());'], { fields: C, clear: ['const old = self.c.take();', 'self.c.set(old);', 'self.c.take();'] }),
];

const invalid: Invalid[] = [
  // `derive: false` derives nothing: the class still needs a clear.
  { code: cls(['visit.call(self.a);'], { fields: ONE }).replace('  traverse(self, visit) {', "  derive: false,\n  traverse(self, visit) {"), errors: [missing(5)] },
  // The clear takes the reference and puts it back (a "reset"), or refills the list.
  { code: cls(['visit.call(self.c.get());'], { fields: C, clear: ['const kept = self.c.take();', 'self.c.set(kept);'] }), errors: [notReleased(7)] },
  {
    code: cls(['for (const x of self.items) visit.call(x);'], { fields: L, clear: ['const keep = [...self.items];', 'self.items.clear();', 'for (const x of keep) self.items.push(x);'] }),
    errors: [notReleased(7)],
  },
  { code: cls(['visit.call(self.b);'], { fields: B, clear: ['const kept = self.b;', 'self.b = null;', 'self.b = kept;'] }), errors: [notReleased(7)] },
  { code: cls(VISIT_ALL, { clear: ['self.a.drop();', 'self.c.take();', 'self.items.clear();'] }), errors: [notReleased(10)] },
  { code: cls(['visit.call(self.a);'], { fields: ONE, clear: [] }), errors: [notReleased(7)] },
  { code: cls(['visit.call(self.a);'], { fields: ONE }), errors: [missing(4)] },
  { code: cls(['visit.call(self.b);'], { fields: B, clear: ['if (self.flag) self.b = null;'] }), errors: [notReleased(7)] },
  { code: cls(['for (const x of self.items) visit.call(x);'], { fields: L, clear: ['self.items.pop();'] }), errors: [notReleased(7)] },
  { code: cls(['visit.call(self.c.get());'], { fields: C, clear: ['self.c.set(other);'], before: ['declare const other: Py<unknown>;'] }), errors: [notReleased(8)] },
  { code: cls(['visit.call(self.b);'], { fields: B, clear: ['maybeRelease(self);'], after: ['function maybeRelease(s: any) { if (s.n > 0) s.b = null; }'] }), errors: [notReleased(7)] },
  { code: cls(['visit.call(self.b);'], { fields: B, clear: ['if (self.flag) return;', 'self.b = null;'] }), errors: [notReleased(7)] },
  { code: cls(['visit.call(self.b);', 'visit.call(self.c.get());'], { fields: `${B}, c: field.cell()`, clear: ['self.b = null;'] }), errors: [notReleased(8)] },
  { code: cls(['for (const x of self.items) visit.call(x);'], { fields: L, clear: ['self.items.splice(1);'] }), errors: [notReleased(7)] },
  { code: [IMPORTS, "const Node = pyclass('Node', {", '  fields: { next: field.optionalRef<typeof Node>() },', '  traverse(self, visit) { visit.call(self.next); },', '});'].join('\n'), errors: [missing(4)] },
  {
    code: [
      IMPORTS,
      "const A = pyclass('A', { fields: { b: field.ref<typeof B>() }, traverse(self, visit) { visit.call(self.b); }, clear(self) { self.b.drop(); } });",
      "const B = pyclass('B', { fields: { a: field.ref<typeof A>() }, traverse(self, visit) { visit.call(self.a); } });",
    ].join('\n'),
    errors: [{ messageId: 'missingClear', line: 3, column: 64 }],
  },
  { code: [IMPORTS, `const fields = { ${B} };`, 'const t: TraverseFn<typeof fields> = (self, visit) => visit.call(self.b);', "pyclass('N', { fields, traverse: t });"].join('\n'), errors: [missing(4)] },
  { code: cls(['visit.call(self.c.get());'], { fields: C, clear: ['void self.c.get();'] }), errors: [notReleased(7)] },
  { code: cls(['visit.call(self.b);'], { fields: B, clear: ['for (let i = 0; i < self.n; i++) self.b = null;'] }), errors: [notReleased(7)] },
  { code: cls(['visit.call(self.b);'], { fields: B, clear: ['switch (self.n) {', '  case 0:', '    self.b = null;', '}'] }), errors: [notReleased(7)] },
  { code: cls(['visit.call(self.b);'], { fields: B, clear: ['self.b = self.b;'] }), errors: [notReleased(7)] },
  { code: [IMPORTS, "pyclass('N', {", `  fields: { ${C} },`, '  traverse: (self, visit) => visit.call(self.c.get()),', '  clear: (self) => { self.c.get(); },', '});'].join('\n'), errors: [notReleased(5)] },
  { code: cls(['visit.call(self.b);'], { fields: B, clear: ["Reflect.set(self, 'b', other);"], before: ['declare const other: Py<unknown>;'] }), errors: [notReleased(8)] },
  { code: cls(['visit.call(self.b);'], { fields: B, clear: ['Object.assign(self, { b: other });'], before: ['declare const other: Py<unknown>;'] }), errors: [notReleased(8)] },
  { code: cls(['visitC(self, visit);'], { fields: C, clear: ['void 0;'], after: ['function visitC(s: any, v: Visit) { v.call(s.c.get()); }'] }), errors: [notReleased(7)] },
  { code: cls(['self.items.forEach((x) => visit.call(x));'], { fields: L }), errors: [missing(4)] },
  {
    code: [IMPORTS, "const Leaf = pyclass('Leaf', { fields: { n: field.int() }, traverse() {} });", "pyclass('Node', { fields: { a: field.ref<typeof Leaf>(), b: field.ref() }, traverse(self, visit) { visit.call(self.a); visit.call(self.b); } });"].join('\n'),
    errors: [{ messageId: 'missingClear', line: 3, column: 76 }],
  },
  { code: cls(['for (const x of self.items) visit.call(x);'], { fields: L, clear: ['while (self.items.length > 5) self.items.pop();'] }), errors: [notReleased(7)] },
  { code: cls(['visit.call(self.c.get());'], { fields: C, clear: ['if (!self.flag) self.c.take();'] }), errors: [notReleased(7)] },
  { code: cls(['visit.call(self.a);'], { fields: ONE, clear: ['visitNothing(self);'].slice(0, 0).concat(['self.n = 0;']) }), errors: [notReleased(7)] },
];

/** Every finding on a pyclass spec's clear offers the derived clear (exact outputs below). */
const offeringDerive = (c: Invalid): Invalid => ({
  ...c,
  errors: c.errors.map((e) => ('suggestions' in e ? e : { ...e, suggestions: 1 as never })),
});

const suggestionCases: Invalid[] = [
  {
    code: cls(['visit.call(self.a);'], { fields: ONE }),
    errors: [
      {
        ...missing(4),
        suggestions: [
          {
            messageId: 'addDerivedClear',
            data: { value: "'clear'" },
            output: cls(['visit.call(self.a);'], { fields: ONE }).replace('  traverse(self, visit) {', "  derive: 'clear',\n  traverse(self, visit) {"),
          },
        ],
      },
    ],
  },
  {
    code: cls(['visit.call(self.c.get());'], { fields: C, clear: ['const kept = self.c.take();', 'self.c.set(kept);'] }),
    errors: [
      {
        ...notReleased(7),
        suggestions: [
          {
            messageId: 'useDerive',
            data: { part: 'clear', value: "'clear'" },
            output: [IMPORTS, "pyclass('Node', {", `  fields: { ${C} },`, '  traverse(self, visit) {', '    visit.call(self.c.get());', '  },', "  derive: 'clear',", '});'].join('\n'),
          },
        ],
      },
    ],
  },
];

untypedTester().run('clear-releases-visited (untyped)', rule, { valid, invalid: [...invalid.map(offeringDerive), ...suggestionCases] });
typedTester().run('clear-releases-visited (typed)', rule, { valid, invalid: [...invalid.map(offeringDerive), ...suggestionCases] });
