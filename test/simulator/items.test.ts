// ItemStore: the flat pool behind list `ob_item` and `__slots__`, checked against plain
// JavaScript arrays over random operation sequences (regions move when they grow, detached
// regions stay readable, other slots are never disturbed).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ItemStore } from '../../src/simulator/index.js';

type Op =
  | { kind: 'assign'; slot: number; items: number[] }
  | { kind: 'push'; slot: number; value: number }
  | { kind: 'set'; slot: number; at: number; value: number }
  | { kind: 'detach'; slot: number }
  | { kind: 'release'; slot: number };

const slot = fc.integer({ min: 0, max: 3000 });
/** Items are object addresses as the simulator codes them: int32s (src/simulator/addresses.ts). */
const value = fc.integer({ min: 0, max: 2 ** 31 - 1 });
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('assign' as const), slot, items: fc.array(value, { maxLength: 40 }) }),
  fc.record({ kind: fc.constant('push' as const), slot, value }),
  fc.record({ kind: fc.constant('set' as const), slot, at: fc.nat(50), value }),
  fc.record({ kind: fc.constant('detach' as const), slot }),
  fc.record({ kind: fc.constant('release' as const), slot }),
);

describe('ItemStore', () => {
  it('behaves like one JavaScript array per slot', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const store = new ItemStore();
        const model = new Map<number, number[]>();
        const detached: { handle: { start: number; length: number }; items: number[] }[] = [];
        for (const o of ops) {
          const cur = model.get(o.slot) ?? [];
          if (o.kind === 'assign') {
            store.assign(o.slot, o.items);
            model.set(o.slot, [...o.items]);
          } else if (o.kind === 'push') {
            store.push(o.slot, o.value);
            model.set(o.slot, [...cur, o.value]);
          } else if (o.kind === 'set') {
            if (o.at < cur.length) {
              store.set(o.slot, o.at, o.value);
              cur[o.at] = o.value;
            } else {
              expect(() => store.set(o.slot, o.at, o.value)).toThrow(RangeError);
            }
          } else if (o.kind === 'release') {
            store.release(o.slot);
            model.set(o.slot, []);
          } else {
            const handle = store.detach(o.slot);
            expect(handle.length).toBe(cur.length);
            detached.push({ handle, items: cur });
            model.set(o.slot, []);
          }
        }
        for (const [s, items] of model) {
          expect(store.length(s)).toBe(items.length);
          expect(store.toArray(s)).toEqual(items);
          items.forEach((x, i) => expect(store.get(s, i)).toBe(x));
          expect(store.get(s, items.length)).toBe(0);
        }
        for (const d of detached) {
          expect(Array.from({ length: d.handle.length }, (_, i) => store.detachedItem(d.handle, i))).toEqual(d.items);
        }
      }),
      { numRuns: 300, seed: 20261126 },
    );
  });

  it('an unknown slot is empty', () => {
    const store = new ItemStore();
    expect(store.length(123456)).toBe(0);
    expect(store.get(123456, 0)).toBe(0);
    expect(store.toArray(123456)).toEqual([]);
    expect(store.detach(123456)).toEqual({ start: 0, length: 0 });
  });

  it('refuses an item that is no object address (not an int32 code)', () => {
    const store = new ItemStore();
    store.assign(1, [4]);
    for (const bad of [2 ** 31, -(2 ** 31) - 1, 0x7f3a5c000040, 1.5]) {
      expect(() => store.push(1, bad)).toThrow(RangeError);
      expect(() => store.set(1, 0, bad)).toThrow(RangeError);
      expect(() => store.assign(2, [0, bad])).toThrow(RangeError);
    }
    expect(store.toArray(1)).toEqual([4]);
  });
});
