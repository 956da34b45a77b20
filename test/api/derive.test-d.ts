// Type tests of the derived slots: `derive: true | 'traverse' | 'clear'` is accepted (with the
// other slot hand-written where only one is derived), no other value is, and a hand-written
// traverse next to `derive` still gets its contextual return type.
import { describe, expectTypeOf, test } from 'vitest';
import { field, pyclass, type DeriveSpec, type PyClassSpec } from 'traverse-guard';

const fields = { a: field.cell(), b: field.list(), n: field.int() };

describe('derive', () => {
  test('both derived', () => {
    pyclass('Both', { fields, derive: true });
  });

  test('a hand-written traverse with a derived clear, and the other way round', () => {
    pyclass('HandTraverse', {
      fields,
      traverse(self, visit) {
        visit.call(self.a.get());
        for (const x of self.b) visit.call(x);
      },
      derive: 'clear',
    });
    pyclass('HandClear', {
      fields,
      derive: 'traverse',
      clear(self) {
        self.a.clear();
        self.b.clear();
      },
    });
  });

  test('the spec type names the spelling', () => {
    expectTypeOf<PyClassSpec<typeof fields>['derive']>().toEqualTypeOf<DeriveSpec | undefined>();
    expectTypeOf<DeriveSpec>().toEqualTypeOf<true | 'traverse' | 'clear'>();
  });

  test('no other value', () => {
    // @ts-expect-error only true, 'traverse' or 'clear'
    pyclass('Typo', { fields, derive: 'both' });
    // @ts-expect-error false is not a spelling (leave derive out)
    pyclass('Typo2', { fields, derive: false });
  });
});
