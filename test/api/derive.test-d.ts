// Type tests of the derived slots: `'derive'` is accepted for traverse and clear (alone or
// together, with a hand-written other half), and no other string is.
import { describe, expectTypeOf, test } from 'vitest';
import { field, pyclass, type PyClassSpec } from 'traverse-guard';

const fields = { a: field.cell(), b: field.list(), n: field.int() };

describe("traverse: 'derive' / clear: 'derive'", () => {
  test('both derived', () => {
    pyclass('Both', { fields, traverse: 'derive', clear: 'derive' });
  });

  test('a hand-written traverse with a derived clear, and the other way round', () => {
    pyclass('HandTraverse', {
      fields,
      traverse(self, visit) {
        visit.call(self.a.get());
        for (const x of self.b) visit.call(x);
      },
      clear: 'derive',
    });
    pyclass('HandClear', {
      fields,
      traverse: 'derive',
      clear(self) {
        self.a.clear();
        self.b.clear();
      },
    });
  });

  test('the spec type names the spelling', () => {
    expectTypeOf<PyClassSpec<typeof fields>['traverse']>().toExtend<'derive' | ((...a: never[]) => unknown) | undefined>();
    expectTypeOf<'derive'>().toExtend<NonNullable<PyClassSpec<typeof fields>['traverse']>>();
    expectTypeOf<'derive'>().toExtend<NonNullable<PyClassSpec<typeof fields>['clear']>>();
  });

  test('no other string', () => {
    // @ts-expect-error only 'derive' asks for a generated traverse
    pyclass('Typo', { fields, traverse: 'derived' });
    // @ts-expect-error only 'derive' asks for a generated clear
    pyclass('Typo2', { fields, traverse: 'derive', clear: true });
  });
});
