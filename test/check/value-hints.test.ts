// Value hints from the syntax: the constants a traverse (and the same-file helpers it calls)
// compares primitive fields with, through locals, destructuring, parameters and module
// constants; and the pairwise value combinations the states are built from.
import { describe, expect, it } from 'vitest';
import { field } from '../../src/api/index.js';
import { enumerateStates, valueCombos, valuesTried } from '../../src/check/states.js';
import { valueHints } from '../../src/check/value-hints.js';

const SRC = `import { field, pyclass, type RefCell } from 'traverse-guard';
const LIMIT = 1024;
type Mode = 'keep' | 'trim' | 'wipe';
function helper(n: number, cell: unknown) {
  if (n >= LIMIT) (cell as RefCell).take();
}
export const Gated = pyclass('Gated', {
  fields: { inner: field.cell(), size: field.int(), mode: field.value<Mode>('keep'), tag: field.str(), on: field.bool(), free: field.int() },
  traverse(self, visit) {
    const { size } = self;
    helper(size, self.inner);
    switch (self.mode) { case 'trim': break; }
    if (self.tag.length > 3 && self.on) visit.call(self.inner.get());
    if (Date.now() > 5) visit.call(self.inner.get());
  },
});
export const Other = pyclass('Other', {
  fields: { level: field.int(2) },
  traverse: otherTraverse,
});
function otherTraverse(self: { level: number }) {
  const l = self.level;
  if (l === 7) return;
}
`;

describe('valueHints', () => {
  const hints = valueHints('/x/gated.ts', SRC);

  it('follows a destructured field into a same-file helper and resolves a module constant: c-1, c, c+1', () => {
    expect(hints.Gated.values.size).toEqual([1023, 1024, 1025]);
  });

  it('takes the literal union of field.value<…> and switch cases; a length bound gives strings of that length', () => {
    expect(hints.Gated.values.mode).toEqual(['keep', 'trim', 'wipe']);
    expect(hints.Gated.values.tag).toEqual(['xx', 'xxx', 'xxxx']);
  });

  it('gives nothing for a field the traverse never compares', () => {
    expect(hints.Gated.values.free).toBeUndefined();
    expect(hints.Gated.values.on).toBeUndefined();
  });

  it('names the guards, and which fields each reads (none: the exploration cannot steer it)', () => {
    const clock = hints.Gated.guards.find((g) => g.text === 'Date.now() > 5');
    expect(clock).toMatchObject({ line: 14, fields: [] });
    expect(hints.Gated.guards.find((g) => g.text === 'n >= LIMIT')).toMatchObject({ line: 5, fields: ['size'] });
  });

  it('reads a traverse defined as a named function, through a local', () => {
    expect(hints.Other.values.level).toEqual([6, 7, 8]);
  });
});

describe('states with value hints', () => {
  const fields = { inner: field.cell(), size: field.int(), mode: field.str(), on: field.bool() };
  const hints = { size: [1023, 1024, 1025], mode: ['trim', 'wipe'] };

  it('every hinted value is tried, paired with every value of every other field', () => {
    const { extra } = valueCombos(fields, hints);
    const axes: Record<string, unknown[]> = { size: [0, 1, 1023, 1024, 1025], mode: ['', 'x', 'trim', 'wipe'], on: [false, true] };
    const names = Object.keys(axes);
    const hinted = (k: string, v: unknown) => (hints as Record<string, unknown[]>)[k]?.includes(v);
    for (let i = 0; i < names.length; i++) {
      for (let j = i + 1; j < names.length; j++) {
        for (const a of axes[names[i]]) {
          for (const b of axes[names[j]]) {
            if (!hinted(names[i], a) && !hinted(names[j], b)) continue;
            expect(extra.some((c) => c[names[i]] === a && c[names[j]] === b), `${names[i]}=${a} with ${names[j]}=${b}`).toBe(true);
          }
        }
      }
    }
  });

  it('the count grows with the hints, not as their product', () => {
    const many = { a: field.int(), b: field.int(), c: field.int(), d: field.int() };
    const h = (n: number) => Object.fromEntries(Object.keys(many).map((k) => [k, Array.from({ length: n }, (_, i) => 100 + i)]));
    const n3 = valueCombos(many, h(3)).extra.length;
    const n9 = valueCombos(many, h(9)).extra.length;
    // A product would grow 3^4 = 81 times; pairwise grows about with the square of one axis.
    expect(n9 / n3).toBeLessThan(10);
    expect(n9).toBeLessThan(11 ** 2 * 2);
  });

  it('the explored states include a hinted value on a one-step heap, and report the values tried', () => {
    const states = enumerateStates(fields, hints);
    expect(states.some((s) => s.values.size === 1025 && s.refs.inner === 'young-rc1' && s.collection === 'full')).toBe(true);
    expect(valuesTried(states).mode).toEqual(expect.arrayContaining(['', 'x', 'trim', 'wipe']));
    // Without hints, the states are what they were.
    expect(enumerateStates(fields).length).toBeLessThan(states.length);
  });

  it('a hinted value also meets a garbage cycle through each reference field (a visit skipped under a value guard leaks only there)', () => {
    const tree = { left: field.optionalRef(), right: field.optionalRef(), depth: field.int() };
    const states = enumerateStates(tree, { depth: [7, 8, 9] });
    for (const f of ['left', 'right'] as const) {
      const other = f === 'left' ? 'right' : 'left';
      expect(states.some((s) => s.values.depth === 8 && s.refs[f] === 'self' && s.refs[other] === 'none' && s.held === 'garbage'), f).toBe(true);
    }
    // Linear: one cycle at a time, each hinted value once per cycle target.
    expect(states.length).toBeLessThan(enumerateStates(tree).length + 3 * 2 * 2 * 4);
  });
});
