// AddressSet (Process.clearedByGc): Set<number> semantics — insertion order, no duplicates,
// has/size — for object addresses (flag per slot) and for any other number (plain Set).
import { describe, expect, it } from 'vitest';
import { AddressSet } from '../../src/simulator/addrset.js';
import { createSimulation, newList } from '../../src/simulator/index.js';

describe('AddressSet', () => {
  it('behaves like a Set of addresses, in insertion order', () => {
    const sim = createSimulation({ python: '3.11' });
    const p = sim.process;
    const [a, b, c] = [newList(p, sim.builtins), newList(p, sim.builtins), newList(p, sim.builtins)];
    const set = new AddressSet(p.mem);
    const ref = new Set<number>();
    for (const x of [b, a, b, 0x4, c, a, 0x4, a + 1]) {
      set.add(x);
      ref.add(x);
    }
    expect([...set]).toEqual([...ref]);
    expect(set.size).toBe(ref.size);
    for (const x of [a, b, c, 0x4, a + 1, a + 2, 0]) expect(set.has(x)).toBe(ref.has(x));
  });

  it('keeps working when the heap grows past its flags', () => {
    const sim = createSimulation({ python: '3.11', capacity: 80 });
    const p = sim.process;
    const set = new AddressSet(p.mem);
    const ops = Array.from({ length: 300 }, () => newList(p, sim.builtins));
    for (const op of [...ops].reverse()) set.add(op);
    expect([...set]).toEqual([...ops].reverse());
    expect(ops.every((op) => set.has(op))).toBe(true);
  });
});
