// no-gil-in-traverse: GIL acquisition/release in traverse bodies and the helpers they call,
// through aliases, namespaces, destructuring, chains, computed members and .call/.apply.
import type { ESLintUtils } from '@typescript-eslint/utils';
import type { InvalidTestCase, ValidTestCase } from '@typescript-eslint/rule-tester';

import rule from '../../rules/no-gil-in-traverse.js';
import { IMPORTS, inTraverse, typedTester, untypedTester, withClear } from './harness.js';

type MessageIds = ESLintUtils.InferMessageIdsTypeFromRule<typeof rule>;
type Invalid = InvalidTestCase<MessageIds, []>;

const direct = (line: number, column: number, operation: string, effect = 'acquires') => ({
  messageId: 'gilInTraverse' as const,
  line,
  column,
  data: { operation, effect },
});
const viaHelper = (line: number, column: number, chain: string, opLine: number, operation: string, past = 'acquired') => ({
  messageId: 'gilViaHelper' as const,
  line,
  column,
  data: { chain, line: opLine, operation, past },
});

const withImports = (imports: string, body: string[], after: string[] = []): string =>
  inTraverse(body, after).replace(IMPORTS, imports);

const valid: (string | ValidTestCase<[]>)[] = [
  inTraverse(['visit.call(self.child);']),
  inTraverse(['const c = self.child;', 'visit.call(c);']),
  inTraverse(['if (self.count > 0) visit.call(self.cell.get());']),
  inTraverse(['self.items.forEach((item) => visit.call(item));']),
  withClear(['visit.call(self.child);'], ['Python.withGil(() => 0);']),
  inTraverse(['visit.call(self.child);'], ['Python.withGil(() => 0);']),
  inTraverse(['withGil(() => {});'], ['function withGil(f: () => void) { f(); }']),
  withImports("import { pyclass, field } from 'traverse-guard';", ['Python.withGil(() => 0);'], [
    'const Python = { withGil(f: () => number) { return f(); } };',
  ]),
  withImports("import { pyclass, field } from 'traverse-guard'; import { Python } from 'some-other-lib';", [
    'Python.withGil(() => 0);',
  ]),
  inTraverse(['setTimeout(() => Python.withGil(() => 0));']),
  inTraverse(['const later = () => Python.withGil(() => 0);', 'void later;']),
  inTraverse(['function inner() { Python.attach(() => 0); }', 'void inner;']),
  inTraverse(['visit.call(self.child);'], ['function unused() { Python.withGil(() => 0); }']),
  inTraverse(['const f = Python.withGil;', 'void f;']),
  inTraverse(['(self as any).withGil?.();']),
  "import { Python } from 'traverse-guard';\nclass X { traverse() { Python.withGil(() => 0); } }",
  "import { Python } from 'traverse-guard';\nconst spec = { traverse() { Python.withGil(() => 0); } };\nvoid spec;",
  "import { Python } from 'traverse-guard';\nimport { pyclass } from 'elsewhere';\npyclass('N', { traverse() { Python.withGil(() => 0); } });",
  inTraverse(['gc.collect();', 'new GILPool();']),
  "import { pyclass } from 'traverse-guard';\nimport { Python } from 'traverse-guard';\npyclass('N', { fields: Python.withGil(() => ({})), traverse(self: unknown, visit: Visit) { void self; void visit; } });\nimport type { Visit } from 'traverse-guard';",
  "import { Python } from 'x';\nPython.withGil(() => 0);",
  inTraverse(['return () => Python.withGil(() => 0);']),
  inTraverse(['visit.call(self.child); // Python.withGil(() => 0)']),
  inTraverse(["const s = 'Python.withGil';", 'void s;']),
  inTraverse(['Python.toString();']),
  inTraverse(['queueMicrotask(function later() { Python.acquireGil(); });']),
  "import { Python } from 'traverse-guard';\nclass Node {\n  __traverse__(visit: { call(x: unknown): void }) {\n    visit.call(this);\n  }\n  __clear__() { Python.withGil(() => 0); }\n}",
];

const invalid: Invalid[] = [
  { code: inTraverse(['Python.withGil(() => 0);']), errors: [direct(5, 5, 'Python.withGil')] },
  { code: inTraverse(['Python.attach(() => 0);']), errors: [direct(5, 5, 'Python.attach')] },
  { code: inTraverse(['Python.acquireGil();']), errors: [direct(5, 5, 'Python.acquireGil')] },
  { code: inTraverse(['Python.assumeGilAcquired();']), errors: [direct(5, 5, 'Python.assumeGilAcquired')] },
  { code: inTraverse(['const guard = Python.acquireGil();', 'void guard;']), errors: [direct(5, 19, 'Python.acquireGil')] },
  {
    code: withImports("import { Python as P, pyclass, field } from 'traverse-guard';", ['P.withGil(() => 0);']),
    errors: [direct(5, 5, 'Python.withGil')],
  },
  {
    code: withImports("import * as tg from 'traverse-guard'; import { pyclass, field } from 'traverse-guard';", [
      'tg.Python.withGil(() => 0);',
    ]),
    errors: [direct(5, 5, 'Python.withGil')],
  },
  {
    code: withImports("import * as tg from 'traverse-guard'; import { pyclass, field } from 'traverse-guard';", [
      "tg.Python['attach'](() => 0);",
    ]),
    errors: [direct(5, 5, 'Python.attach')],
  },
  { code: inTraverse(['const { withGil } = Python;', 'withGil(() => 0);']), errors: [direct(6, 5, 'Python.withGil')] },
  { code: inTraverse(['enter(() => 0);'], ['const { attach: enter } = Python;']), errors: [direct(5, 5, 'Python.attach')] },
  { code: inTraverse(['P2.withGil(() => 0);'], ['const P2 = Python;']), errors: [direct(5, 5, 'Python.withGil')] },
  { code: inTraverse(['Python.withGil?.(() => 0);']), errors: [direct(5, 5, 'Python.withGil')] },
  { code: inTraverse(["Python['withGil'](() => 0);"]), errors: [direct(5, 5, 'Python.withGil')] },
  { code: inTraverse(['Python[`attach`](() => 0);']), errors: [direct(5, 5, 'Python.attach')] },
  { code: inTraverse(['Python.withGil.call(Python, () => 0);']), errors: [direct(5, 5, 'Python.withGil')] },
  { code: inTraverse(['Python.attach.apply(Python, [() => 0]);']), errors: [direct(5, 5, 'Python.attach')] },
  { code: inTraverse(['Reflect.apply(Python.withGil, Python, [() => 0]);']), errors: [direct(5, 5, 'Python.withGil')] },
  { code: inTraverse(['(Python as typeof Python).withGil(() => 0);']), errors: [direct(5, 5, 'Python.withGil')] },
  {
    code: inTraverse(['helperA();'], ['function helperA() { helperB(); }', 'function helperB() { Python.withGil(() => 0); }']),
    errors: [viaHelper(5, 5, '`helperA` → `helperB`', 9, 'Python.withGil')],
  },
  {
    code: inTraverse(['enterGil();'], ['const enterGil = () => Python.attach(() => 0);']),
    errors: [viaHelper(5, 5, '`enterGil`', 8, 'Python.attach')],
  },
  {
    code: inTraverse(['self.items.forEach(() => Python.withGil(() => 0));']),
    errors: [direct(5, 30, 'Python.withGil')],
  },
  { code: inTraverse(['(() => { Python.withGil(() => 0); })();']), errors: [direct(5, 14, 'Python.withGil')] },
  {
    code: inTraverse(['self.items.forEach(visitItem);'], ['function visitItem() { Python.acquireGil(); }']),
    errors: [viaHelper(5, 24, '`visitItem`', 8, 'Python.acquireGil')],
  },
  {
    code: inTraverse(['py.detach(() => 0);'], ['declare const py: Python;']),
    errors: [direct(5, 5, 'py.detach', 'releases')],
  },
  {
    code: inTraverse(['py.allowThreads(() => 0);'], ['declare const py: Python;']),
    errors: [direct(5, 5, 'py.allowThreads', 'releases')],
  },
  {
    code: inTraverse(['Python.acquireGil().release();']),
    errors: [direct(5, 5, 'GILGuard#release', 'releases'), direct(5, 5, 'Python.acquireGil')],
  },
  {
    code: inTraverse(['release(Python.assumeGilAcquired());'], ['function release(py: Python) { py.allowThreads(() => 0); }']),
    errors: [viaHelper(5, 5, '`release`', 8, 'py.allowThreads', 'released'), direct(5, 13, 'Python.assumeGilAcquired')],
  },
  {
    code: "import { Python } from 'traverse-guard';\nclass Node {\n  __traverse__(visit: unknown) {\n    Python.withGil(() => 0);\n  }\n}",
    errors: [direct(4, 5, 'Python.withGil')],
  },
  {
    code: "import { Python } from 'traverse-guard';\nclass Node {\n  __traverse__(visit: unknown) {\n    this.enter();\n  }\n  enter() { Python.withGil(() => 0); }\n}",
    errors: [viaHelper(4, 5, '`this.enter`', 6, 'Python.withGil')],
  },
  {
    code: inTraverse(['visit.call(self.child);'], ['const t: TraverseFn<{}> = (self, visit) => { Python.withGil(() => 0); };']),
    errors: [direct(8, 46, 'Python.withGil')],
  },
  {
    code: inTraverse(['visit.call(self.child);'], [
      "pyclass('Other', { fields: {}, traverse: traverseOther });",
      'function traverseOther(self: unknown, visit: Visit) { Python.attach(() => 0); }',
    ]),
    errors: [direct(9, 55, 'Python.attach')],
  },
  {
    code: withImports("import { pyclass, field } from 'traverse-guard'; import { Python } from './barrel';", [
      'Python.withGil(() => 0);',
    ]),
    errors: [direct(5, 5, 'Python.withGil')],
  },
];

untypedTester().run('no-gil-in-traverse (untyped)', rule, { valid, invalid });

typedTester().run('no-gil-in-traverse (typed)', rule, {
  valid: [
    ...valid,
    // A look-alike `Python` from another module is not the API's: only types can tell.
    withImports("import { pyclass, field } from 'traverse-guard'; import { Python } from './other';", [
      'Python.withGil(() => 0);',
    ]),
  ],
  invalid: [
    ...invalid,
    // A re-export under another name: only types can follow it.
    {
      code: withImports("import { pyclass, field } from 'traverse-guard'; import { Interp } from './reexport';", [
        'Interp.withGil(() => 0);',
      ]),
      errors: [direct(5, 5, 'Python.withGil')],
    },
  ],
});
