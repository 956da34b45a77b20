// no-drop-in-traverse: ends of owned references in traverse bodies (drop, dispose, using,
// RefCell/RefList writes, delete, assignment over a reference), and the move-to-clear suggestion.
import type { ESLintUtils } from '@typescript-eslint/utils';
import type { InvalidTestCase, ValidTestCase } from '@typescript-eslint/rule-tester';

import rule from '../../rules/no-drop-in-traverse.js';
import { inTraverse, typedTester, untypedTester, withClear } from './harness.js';

type MessageIds = ESLintUtils.InferMessageIdsTypeFromRule<typeof rule>;
type Invalid = InvalidTestCase<MessageIds, []>;

/** A direct drop whose statement can move into clear; `output` is the file after the move. */
const movable = (line: number, column: number, operation: string, output: string) => ({
  messageId: 'dropInTraverse' as const,
  line,
  column,
  data: { operation },
  suggestions: [{ messageId: 'moveToClear' as const, output }],
});
const fixed = (line: number, column: number, operation: string) => ({
  messageId: 'dropInTraverse' as const,
  line,
  column,
  data: { operation },
  suggestions: [],
});
const viaHelper = (line: number, column: number, chain: string, opLine: number, operation: string) => ({
  messageId: 'dropViaHelper' as const,
  line,
  column,
  data: { chain, line: opLine, operation },
  suggestions: [],
});

/** The drop statement `statement` alone in the traverse: it moves into a new `clear`. */
const moved = (statement: string, operation: string, column = 5): Invalid => ({
  code: inTraverse([statement]),
  errors: [movable(5, column, operation, withClear([], [statement]))],
});

const valid: (string | ValidTestCase<[]>)[] = [
  inTraverse(['visit.call(self.child);']),
  inTraverse(['const c = self.cell.get();', 'visit.call(c);']),
  inTraverse(['visit.call(self.items.at(0));', 'void self.items.length;']),
  inTraverse(['self.items.forEach((item) => visit.call(item));']),
  inTraverse(['for (const item of self.items) visit.call(item);']),
  inTraverse(['if (self.child) visit.call(self.child);']),
  withClear(['visit.call(self.child);'], ['self.cell.take();', 'self.child?.drop();']),
  inTraverse(['visit.call(self.child);'], ['declare const p: Py<unknown>;', 'p.drop();']),
  inTraverse(['const stack = [1, 2];', 'stack.pop();']),
  inTraverse(['const m = new Map<number, number>();', 'm.set(1, 2);', 'm.clear();']),
  inTraverse(['let n = 0;', 'n = 1;', 'void n;']),
  inTraverse(['const o = { a: 1 };', 'o.a = 2;']),
  inTraverse(['const o: { a?: number } = { a: 1 };', 'delete o.a;']),
  inTraverse(['visit.call(self.child);'], ['function later(p: Py<unknown>) { using held = p; void held; }']),
  inTraverse(['const f = self.child?.drop;', 'void f;']),
  inTraverse(['setTimeout(() => self.child?.drop());']),
  inTraverse(['if (!self.child?.isDropped()) visit.call(self.child);']),
  inTraverse(['visit.call(self.cell.get());']),
  inTraverse(['readOnly(self);'], ['function readOnly(node: { child: unknown }) { return node.child; }']),
  inTraverse(['function dropLater() { self.child?.drop(); }', 'void dropLater;']),
  "import { Py } from 'traverse-guard';\nclass Node {\n  child: Py<unknown> | null = null;\n  __traverse__(visit: { call(x: unknown): void }) { visit.call(this.child); }\n  __clear__() { this.child?.drop(); this.child = null; }\n}",
  inTraverse(['self.items.push(null as never);']),
  inTraverse(['void String(self.count);']),
  "import { Py } from 'traverse-guard';\nconst spec = { traverse(self: { child: Py<unknown> }) { self.child.drop(); } };\nvoid spec;",
  inTraverse(['gc.collect();', 'Python.withGil(() => 0);', 'new GILPool();']),
  inTraverse(['const copy = [...self.items];', 'copy.pop();']),
];

const invalid: Invalid[] = [
  moved('self.child?.drop();', '.drop()'),
  moved('self.child![Symbol.dispose]();', '[Symbol.dispose]()'),
  moved('self.cell.set(null);', '.set()'),
  moved('self.cell.replace(null);', '.replace()'),
  moved('self.cell.take();', '.take()'),
  moved('self.cell.clear();', '.clear()'),
  moved('self.items.pop();', '.pop()'),
  moved('self.items.splice(0, 1);', '.splice()'),
  moved('self.items.set(0, null as never);', '.set()'),
  moved('self.items.clear();', '.clear()'),
  moved('delete (self as any).child;', 'delete (self as any).child'),
  moved('(self as any).child = null;', '(self as any).child = …'),
  moved('Object.assign(self, { child: null });', 'Object.assign'),
  moved("Reflect.set(self, 'child', null);", 'Reflect.set'),
  moved("Reflect.deleteProperty(self, 'child');", 'Reflect.deleteProperty'),
  moved('self.child?.drop?.();', '.drop()'),
  moved("self.child!['drop']();", '.drop()'),
  moved('self.child!.drop.call(self.child);', '.drop()'),
  moved('Reflect.apply(self.cell.take, self.cell, []);', '.take()'),
  moved('[(self as any).child] = [null];', '(self as any).child = …', 6),
  { code: inTraverse(['using held = self.child!;']), errors: [fixed(5, 11, 'using held')] },
  { code: inTraverse(['const { cell } = self;', 'cell.take();']), errors: [fixed(6, 5, '.take()')] },
  { code: inTraverse(['const c = self.cell;', 'c.clear();']), errors: [fixed(6, 5, '.clear()')] },
  {
    code: inTraverse(['dropAll(self);'], ['function dropAll(node: any) { node.cell.clear(); }']),
    errors: [viaHelper(5, 5, '`dropAll`', 8, '.clear()')],
  },
  {
    code: inTraverse(['self.items.forEach((item) => item.drop());']),
    errors: [fixed(5, 34, '.drop()')],
  },
  {
    code: "import { Py } from 'traverse-guard';\nclass Node {\n  child: Py<unknown> | null = null;\n  __traverse__(visit: unknown) {\n    this.child?.drop();\n  }\n}",
    errors: [fixed(5, 5, '.drop()')],
  },
  {
    code: "import { Py } from 'traverse-guard';\nclass Node {\n  child: Py<unknown> | null = null;\n  __traverse__(visit: unknown) {\n    this.child = null;\n  }\n}",
    errors: [fixed(5, 5, 'this.child = …')],
  },
  {
    code: inTraverse(['visit.call(self.child);'], ['const t: TraverseFn<{ child: Py<unknown> }> = (self) => { self.child.drop(); };']),
    errors: [fixed(8, 59, '.drop()')],
  },
  {
    code: withClear(['visit.call(self.child);', 'self.cell.take();'], ['self.child?.drop();']),
    errors: [
      movable(6, 5, '.take()', withClear(['visit.call(self.child);'], ['self.child?.drop();', 'self.cell.take();'])),
    ],
  },
  {
    code: withClear(['self.cell.take();'], []),
    errors: [movable(5, 5, '.take()', withClear([], ['self.cell.take();']))],
  },
  {
    code: inTraverse(['clearAll(self);'], ['function clearAll(node: any) { inner(node); }', 'function inner(n: any) { n.items.splice(0); }']),
    errors: [viaHelper(5, 5, '`clearAll` → `inner`', 9, '.splice()')],
  },
];

untypedTester().run('no-drop-in-traverse (untyped)', rule, {
  valid,
  invalid: [
    ...invalid,
    // Without types a write over any `self` field may replace a reference.
    { code: inTraverse(['(self as any).count = 1;']), errors: [movable(5, 5, '(self as any).count = …', withClear([], ['(self as any).count = 1;']))] },
  ],
});

typedTester().run('no-drop-in-traverse (typed)', rule, {
  valid: [
    ...valid,
    // `count` is an int field: not a reference location.
    inTraverse(['(self as any).count = 1;']),
    // `.drop()` on an object that is not the API's.
    inTraverse(['r.drop();'], ["import { Resource } from './other';", 'declare const r: Resource;']),
  ],
  invalid,
});
