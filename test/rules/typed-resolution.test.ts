// Typed resolution (issue 11): helpers in another file of the program (functions, arrows,
// static methods, two hops), value aliases and `export * as api`, `Bound` methods, the cases
// where typed mode used to be weaker than untyped, and strict's broader unknown-call check.
import type { InvalidTestCase, ValidTestCase } from '@typescript-eslint/rule-tester';

import noDrop from '../../rules/no-drop-in-traverse.js';
import noGil from '../../rules/no-gil-in-traverse.js';
import noInterpreter from '../../rules/no-interpreter-in-traverse.js';
import noPool from '../../rules/no-pool-in-traverse.js';
import { inTraverse, IMPORTS, typedTester, untypedTester } from './harness.js';

const HELPERS =
  "import { acquireInHelper, poolInHelper, dropInHelper, viaInner, Ops, readOnly, acquire, api } from './helpers';";

/** A traverse body with the helpers of fixtures/typed/helpers.ts imported (body line 1 is file line 6). */
const withHelpers = (body: string[], after: string[] = []): string => inTraverse(body, after).replace(IMPORTS, `${IMPORTS}\n${HELPERS}`);

const via = <M extends string>(messageId: M, column: number, chain: string, line: number, operation: string, extra: Record<string, string> = {}) => ({
  messageId,
  line: 6,
  column,
  data: { chain, line, operation, ...extra },
});

typedTester().run('no-gil-in-traverse: cross-file (typed)', noGil, {
  valid: [withHelpers(['readOnly({ count: 1 });', 'visit.call(self.child);'])],
  invalid: [
    { code: withHelpers(['acquireInHelper();']), errors: [via('gilViaHelper', 5, '`acquireInHelper (helpers.ts)`', 5, 'Python.acquireGil', { past: 'acquired' })] },
    {
      code: withHelpers(['viaInner();']),
      errors: [via('gilViaHelper', 5, '`viaInner (helpers.ts)` → `inner (helpers.ts)`', 22, 'Python.withGil', { past: 'acquired' })],
    },
    { code: withHelpers(['Ops.reset();']), errors: [via('gilViaHelper', 5, '`Ops.reset (helpers.ts)`', 27, 'Python.attach', { past: 'acquired' })] },
    // `export const acquire = Python.withGil`: a value alias in another file.
    { code: withHelpers(['acquire(() => 0);']), errors: [{ messageId: 'gilInTraverse', line: 6, column: 5, data: { operation: 'Python.withGil', effect: 'acquires' } }] },
    // `export * as api from 'traverse-guard'`.
    { code: withHelpers(['api.Python.acquireGil();']), errors: [{ messageId: 'gilInTraverse', line: 6, column: 5, data: { operation: 'Python.acquireGil', effect: 'acquires' } }] },
  ],
});

untypedTester().run('no-gil-in-traverse: cross-file needs types (untyped)', noGil, {
  // Without a program there is no way to see into another file: documented in the rule page.
  valid: [withHelpers(['acquireInHelper();']), withHelpers(['viaInner();'])],
  invalid: [],
});

typedTester().run('no-pool-in-traverse: cross-file (typed)', noPool, {
  valid: [withHelpers(['readOnly({ count: 1 });'])],
  invalid: [{ code: withHelpers(['poolInHelper();']), errors: [via('poolViaHelper', 5, '`poolInHelper (helpers.ts)`', 9, 'new GILPool()')] }],
});

typedTester().run('no-drop-in-traverse: cross-file (typed)', noDrop, {
  valid: [withHelpers(['readOnly({ count: 1 });'])],
  invalid: [
    {
      code: withHelpers(['dropInHelper(self.child as never);']),
      errors: [{ ...via('dropViaHelper', 5, '`dropInHelper (helpers.ts)`', 13, '.drop()'), suggestions: [] }],
    },
  ],
});

const STRICT = [{ checkUnknownCalls: true }] as [{ checkUnknownCalls: boolean }];
type InterpreterOptions = [{ checkUnknownCalls?: boolean; allowedCalls?: string[] }];

const interpreterValid: ValidTestCase<InterpreterOptions>[] = [
  // strict's safe list comes from the API's read-only methods.
  { code: inTraverse(['if (!self.cell.isEmpty()) visit.call(self.cell.get());']), options: STRICT },
  { code: inTraverse(['if (self.child && !self.child.isDropped()) visit.call(self.child);']), options: STRICT },
  { code: inTraverse(['self.items.some((item) => item === null);', 'visit.call(self.items.at(0));']), options: STRICT },
  // A helper calling its parameter: the callback is judged where it is written.
  { code: inTraverse(['run(() => visit.call(self.child));'], ['function run(f: () => void) { f(); }']), options: STRICT },
];

const interpreterInvalid: InvalidTestCase<'unknownCall' | 'interpreterInTraverse' | 'interpreterViaHelper' | 'unknownViaHelper', InterpreterOptions>[] = [
  {
    // A computed member call on a reference field: strict cannot vouch for it.
    code: inTraverse(["const verb = 'drop';", '(self.child as any)[verb]();']),
    options: STRICT,
    errors: [{ messageId: 'unknownCall', line: 6, column: 5, data: { operation: '(self.child as any)[verb]' } }],
  },
  {
    code: inTraverse(['const k = String(self.count);', '(self as any)[k]();']),
    options: STRICT,
    errors: [{ messageId: 'unknownCall', line: 6, column: 5, data: { operation: '(self as any)[k]' } }],
  },
  {
    // A callee the call graph cannot resolve (a parameter of the traverse's own scope chain).
    code: inTraverse(['pick()();'], ['declare function pick(): () => void;']),
    options: STRICT,
    errors: [
      { messageId: 'unknownCall', line: 5, column: 5, data: { operation: 'pick()' } },
      { messageId: 'unknownCall', line: 5, column: 5, data: { operation: 'pick' } },
    ],
  },
  {
    code: inTraverse(['void gc.garbage.length;']),
    errors: [{ messageId: 'interpreterInTraverse', line: 5, column: 10, data: { operation: 'gc.garbage' } }],
  },
];

untypedTester().run('no-interpreter-in-traverse: strict and API reads (untyped)', noInterpreter, {
  valid: interpreterValid,
  invalid: interpreterInvalid,
});

typedTester().run('no-interpreter-in-traverse: strict, API reads and Bound (typed)', noInterpreter, {
  valid: [...interpreterValid, inTraverse(['visit.call(self.child);'], ['declare const b: Bound<unknown>;', 'b.refcnt();']).replace('type TraverseFn', 'type TraverseFn, type Bound')],
  invalid: [
    ...interpreterInvalid,
    {
      code: inTraverse(['b.refcnt();', 'b.unbind();'], ['declare const b: Bound<unknown>;']).replace('type TraverseFn', 'type TraverseFn, type Bound'),
      errors: [
        { messageId: 'interpreterInTraverse', line: 5, column: 5, data: { operation: '.refcnt()' } },
        { messageId: 'interpreterInTraverse', line: 6, column: 5, data: { operation: '.unbind()' } },
      ],
    },
    {
      code: inTraverse(['b.isTracked();'], ['declare const b: Bound<unknown>;']).replace('type TraverseFn', 'type TraverseFn, type Bound'),
      errors: [{ messageId: 'interpreterInTraverse', line: 5, column: 5, data: { operation: '.isTracked()' } }],
    },
  ],
});
