// no-pool-in-traverse: `new GILPool()`, `py.newPool()` and `Python.withPool(…)` in traverse
// bodies and their helpers, through aliases, namespaces, destructuring and indirect calls.
import type { ESLintUtils } from '@typescript-eslint/utils';
import type { InvalidTestCase, ValidTestCase } from '@typescript-eslint/rule-tester';

import rule from '../../rules/no-pool-in-traverse.js';
import { IMPORTS, inTraverse, typedTester, untypedTester, withClear } from './harness.js';

type MessageIds = ESLintUtils.InferMessageIdsTypeFromRule<typeof rule>;
type Invalid = InvalidTestCase<MessageIds, []>;

const direct = (line: number, column: number, operation: string) => ({
  messageId: 'poolInTraverse' as const,
  line,
  column,
  data: { operation },
});
const viaHelper = (line: number, column: number, chain: string, opLine: number, operation: string) => ({
  messageId: 'poolViaHelper' as const,
  line,
  column,
  data: { chain, line: opLine, operation },
});
const withImports = (imports: string, body: string[], after: string[] = []): string =>
  inTraverse(body, after).replace(IMPORTS, imports);

const valid: (string | ValidTestCase<[]>)[] = [
  inTraverse(['visit.call(self.child);']),
  inTraverse(['self.items.forEach((item) => visit.call(item));']),
  withClear(['visit.call(self.child);'], ['new GILPool();', 'Python.withPool(() => 0);']),
  inTraverse(['visit.call(self.child);'], ['const pool = new GILPool();', 'void pool;']),
  withImports("import { pyclass, field } from 'traverse-guard';", ['new GILPool();'], ['class GILPool {}']),
  inTraverse(['const m = new Map();', 'const s = new Set();', 'void [m, s, new Array(3)];']),
  inTraverse(['setTimeout(() => new GILPool());']),
  inTraverse(['const later = () => Python.withPool(() => 0);', 'void later;']),
  inTraverse(['function inner() { return new GILPool(); }', 'void inner;']),
  inTraverse(['const P = GILPool;', 'void P;']),
  inTraverse(['void GILPool.name;']),
  inTraverse(['const p: GILPool | null = null;', 'void p;']),
  inTraverse(['void (self.child instanceof GILPool);']),
  inTraverse(['visit.call(self.child);'], ['function unused() { return new GILPool(); }']),
  inTraverse(['const f = Python.withPool;', 'void f;']),
  inTraverse(['Python.withGil(() => 0);', 'gc.collect();', 'self.child?.drop();']),
  "import { GILPool } from 'traverse-guard';\nclass X { traverse() { return new GILPool(); } }",
  "import { GILPool } from 'traverse-guard';\nconst spec = { traverse() { return new GILPool(); } };\nvoid spec;",
  "import { GILPool } from 'traverse-guard';\nimport { pyclass } from 'elsewhere';\npyclass('N', { traverse() { new GILPool(); } });",
  "import { GILPool } from 'x';\nnew GILPool();",
  withImports("import { pyclass, field } from 'traverse-guard'; import { GILPool } from 'other-lib';", ['new GILPool();']),
  inTraverse(["const s = 'new GILPool()';", 'void s;']),
  inTraverse(['queueMicrotask(function later() { new GILPool(); });']),
  inTraverse(['return () => new GILPool();']),
  "import { GILPool } from 'traverse-guard';\nclass Node {\n  __traverse__(visit: { call(x: unknown): void }) { visit.call(null); }\n  __clear__() { new GILPool(); }\n}",
  inTraverse(['visit.call(self.child); // new GILPool()']),
];

const invalid: Invalid[] = [
  { code: inTraverse(['new GILPool();']), errors: [direct(5, 5, 'new GILPool()')] },
  { code: inTraverse(['const pool = new GILPool();', 'void pool;']), errors: [direct(5, 18, 'new GILPool()')] },
  { code: inTraverse(['using pool = new GILPool();']), errors: [direct(5, 18, 'new GILPool()')] },
  { code: inTraverse(['py.newPool();'], ['declare const py: Python;']), errors: [direct(5, 5, 'py.newPool')] },
  { code: inTraverse(['py.newPool?.();'], ['declare const py: Python;']), errors: [direct(5, 5, 'py.newPool')] },
  { code: inTraverse(['Python.withPool(() => 0);']), errors: [direct(5, 5, 'Python.withPool')] },
  {
    code: withImports("import { GILPool as Pool, pyclass, field } from 'traverse-guard';", ['new Pool();']),
    errors: [direct(5, 5, 'new GILPool()')],
  },
  {
    code: withImports("import * as tg from 'traverse-guard'; import { pyclass, field } from 'traverse-guard';", ['new tg.GILPool();']),
    errors: [direct(5, 5, 'new GILPool()')],
  },
  {
    code: withImports("import * as tg from 'traverse-guard'; import { pyclass, field } from 'traverse-guard';", [
      "tg['Python'].withPool(() => 0);",
    ]),
    errors: [direct(5, 5, 'Python.withPool')],
  },
  { code: inTraverse(['Python.withPool?.(() => 0);']), errors: [direct(5, 5, 'Python.withPool')] },
  { code: inTraverse(["Python['withPool'](() => 0);"]), errors: [direct(5, 5, 'Python.withPool')] },
  { code: inTraverse(['Python.withPool.call(Python, () => 0);']), errors: [direct(5, 5, 'Python.withPool')] },
  { code: inTraverse(['Reflect.apply(Python.withPool, Python, [() => 0]);']), errors: [direct(5, 5, 'Python.withPool')] },
  { code: inTraverse(['const { withPool } = Python;', 'withPool(() => 0);']), errors: [direct(6, 5, 'Python.withPool')] },
  { code: inTraverse(['new Pool2();'], ['const Pool2 = GILPool;']), errors: [direct(5, 5, 'new GILPool()')] },
  {
    code: inTraverse(['makePool();'], ['function makePool() { return new GILPool(); }']),
    errors: [viaHelper(5, 5, '`makePool`', 8, 'new GILPool()')],
  },
  {
    code: inTraverse(['a();'], ['const a = () => b();', 'function b() { Python.withPool(() => 0); }']),
    errors: [viaHelper(5, 5, '`a` → `b`', 9, 'Python.withPool')],
  },
  { code: inTraverse(['self.items.forEach(() => new GILPool());']), errors: [direct(5, 30, 'new GILPool()')] },
  { code: inTraverse(['self.items.map(() => Python.withPool(() => 0));']), errors: [direct(5, 26, 'Python.withPool')] },
  { code: inTraverse(['(function () { new GILPool(); })();']), errors: [direct(5, 20, 'new GILPool()')] },
  { code: inTraverse(['(() => new GILPool()).call(null);']), errors: [direct(5, 12, 'new GILPool()')] },
  {
    code: "import { GILPool } from 'traverse-guard';\nclass Node {\n  __traverse__(visit: unknown) {\n    new GILPool();\n  }\n}",
    errors: [direct(4, 5, 'new GILPool()')],
  },
  {
    code: "import { GILPool } from 'traverse-guard';\nclass Node {\n  __traverse__(visit: unknown) {\n    this.pool();\n  }\n  pool() { return new GILPool(); }\n}",
    errors: [viaHelper(4, 5, '`this.pool`', 6, 'new GILPool()')],
  },
  {
    code: inTraverse(['visit.call(self.child);'], ['const t: TraverseFn<{}> = () => { new GILPool(); };']),
    errors: [direct(8, 35, 'new GILPool()')],
  },
  {
    code: inTraverse(['visit.call(self.child);'], ['const t2 = ((self, visit) => { new GILPool(); }) satisfies TraverseFn<{}>;']),
    errors: [direct(8, 32, 'new GILPool()')],
  },
  {
    code: inTraverse(['visit.call(self.child);'], [
      "pyclass('Other', { fields: {}, traverse: traverseOther });",
      'function traverseOther() { Python.withPool(() => 0); }',
    ]),
    errors: [direct(9, 28, 'Python.withPool')],
  },
  { code: inTraverse(['Python.acquireGil().python().newPool();']), errors: [direct(5, 5, 'py.newPool')] },
  { code: inTraverse(['new (GILPool as typeof GILPool)();']), errors: [direct(5, 5, 'new GILPool()')] },
  {
    code: withImports("import { pyclass, field } from 'traverse-guard'; import { GILPool } from './barrel';", ['new GILPool();']),
    errors: [direct(5, 5, 'new GILPool()')],
  },
];

untypedTester().run('no-pool-in-traverse (untyped)', rule, { valid, invalid });

typedTester().run('no-pool-in-traverse (typed)', rule, {
  valid: [...valid, inTraverse(['fake.newPool();'], ['const fake = { newPool() { return 1; } };'])],
  invalid: [
    ...invalid,
    {
      code: withImports("import { pyclass, field } from 'traverse-guard'; import { Pool } from './reexport';", ['new Pool();']),
      errors: [direct(5, 5, 'new GILPool()')],
    },
  ],
});
