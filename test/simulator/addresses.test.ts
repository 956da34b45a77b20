// Codes and real values (src/simulator/addresses.ts): the mapping is one-to-one where it claims
// to be, arithmetic near a region moves the real address alike, stand-ins keep what the
// collector reads, and Memory reports faults and keeps words in real terms.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  HEAP_BASE,
  MAX_REFCNT,
  MAX_TYPES,
  HEAP_REAL,
  MAX_HEAP_BYTES,
  REGION_CODES,
  STACK_REAL,
  STATE_REAL,
  TYPES_REAL,
  codeOf,
  isExactCode,
  realValue,
  toCode,
} from '../../src/simulator/addresses.js';
import { createSimulation, newList } from '../../src/simulator/index.js';
import { AccessFault, FIRST_OBJECT_SLOT, Memory } from '../../src/simulator/memory.js';

const CANONICAL = 2 ** 47;
const low2 = (x: bigint) => Number(BigInt.asUintN(2, x));
/** Reals inside each region, its 64 KiB of slack before the base included, `margin` bytes
 *  away from the region's ends. */
const inRegions = (margin: number) =>
  fc.oneof(
    fc.integer({ min: STATE_REAL - 2 ** 16 + margin, max: STATE_REAL + 2 ** 20 }),
    fc.integer({ min: TYPES_REAL, max: TYPES_REAL + 0x1a0 * 2000 }),
    fc.integer({ min: STACK_REAL - 2 ** 16 + margin, max: STACK_REAL + 2 ** 19 }),
    fc.integer({ min: HEAP_REAL - 2 ** 16 + margin, max: HEAP_REAL + MAX_HEAP_BYTES }),
  );
const regionReal = inRegions(0);
const anyReal = fc.oneof(
  regionReal,
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 }),
  fc.double({ min: -(2 ** 53), max: 2 ** 53, noNaN: true }).map(Math.trunc),
  fc.integer({ min: 2 ** 52, max: 2 ** 52 + 2 ** 31 }),
);

describe('codes', () => {
  it('round-trip every real outside the stand-in window, and small values are themselves', () => {
    fc.assert(
      fc.property(anyReal, (r) => {
        const c = codeOf(r);
        if (r >= 2 ** 52 + REGION_CODES && r < 2 ** 52 + 2 ** 31) {
          expect(isExactCode(c, BigInt(r))).toBe(false);
          expect(Math.abs(realValue(c))).toBeGreaterThanOrEqual(CANONICAL); // still non-canonical
          expect(low2(BigInt(realValue(c)))).toBe(low2(BigInt(r)));
        } else {
          expect(realValue(c)).toBe(r);
          expect(isExactCode(c, BigInt(r))).toBe(true);
        }
        if (r < REGION_CODES) expect(c).toBe(r);
      }),
      { numRuns: 2000, seed: 3165 },
    );
  });

  it('code every region address as an int32, and move with address arithmetic', () => {
    fc.assert(
      fc.property(inRegions(64), fc.integer({ min: -64, max: 64 }), (r, k) => {
        const c = codeOf(r);
        expect(c | 0).toBe(c);
        expect(c).toBeGreaterThanOrEqual(REGION_CODES);
        expect(c & 3).toBe(r % 4); // the flag bits of a tagged pointer are the real's
        expect(realValue(c + k)).toBe(r + k);
      }),
      { numRuns: 2000, seed: 19 },
    );
  });

  it('give 64-bit garbage a stand-in with its sign and flag bits, far outside canonical space', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (u) => {
        const v = BigInt.asIntN(64, u);
        const c = toCode(u);
        if (isExactCode(c, u)) expect(BigInt(realValue(c))).toBe(v);
        else {
          expect(Math.sign(realValue(c))).toBe(v < 0n ? -1 : 1);
          expect(Math.abs(realValue(c))).toBeGreaterThanOrEqual(CANONICAL);
          expect(low2(BigInt(realValue(c)))).toBe(low2(u));
        }
      }),
      { numRuns: 2000, seed: 47 },
    );
  });
});

describe('Memory with coded words', () => {
  it('reports faults at real addresses', () => {
    const mem = new Memory(16);
    const fault = (addr: number) => {
      try {
        mem.load(addr);
      } catch (e) {
        return e as AccessFault;
      }
      throw new Error('no fault');
    };
    expect(fault(4)).toMatchObject({ address: 4, code: 'SEGV_MAPERR' });
    expect(fault(codeOf(0x40000000))).toMatchObject({ address: 0x40000000, code: 'SEGV_MAPERR' });
    expect(fault(codeOf(HEAP_REAL - 4096))).toMatchObject({ address: HEAP_REAL - 4096, code: 'SEGV_MAPERR' });
    expect(fault(-2)).toMatchObject({ address: 0, code: 'SI_KERNEL' });
    expect(fault(toCode(0x7f3a5c0000c000n))).toMatchObject({ address: 0, code: 'SI_KERNEL' });
  });

  it('starts with Int32Array words and widens for good when a word does not fit', () => {
    const mem = new Memory(16);
    const a = mem.allocSlot();
    const b = mem.allocSlot();
    const ga = mem.blockAddr(a);
    expect(ga).toBe(HEAP_BASE + (a - FIRST_OBJECT_SLOT) * 64);
    mem.store(ga, mem.blockAddr(b) + 1);
    mem.storePrev(ga, 4 * 7 + 2);
    expect(mem.gcNext).toBeInstanceOf(Int32Array);
    mem.store(mem.blockAddr(b), 2 ** 40 + 3);
    expect(mem.wide).toBe(true);
    expect(mem.gcNext).toBeInstanceOf(Float64Array);
    expect(mem.load(ga)).toBe(mem.blockAddr(b) + 1);
    expect(mem.loadPrev(ga)).toBe(30);
    expect(mem.load(mem.blockAddr(b))).toBe(2 ** 40 + 3);
    mem.reserve(4096); // growing keeps the wide arrays
    expect(mem.gcPrev).toBeInstanceOf(Float64Array);
    expect(mem.load(mem.blockAddr(b))).toBe(2 ** 40 + 3);
  });
});

describe('limits of the coding', () => {
  it('refuses a reference count that would make gc_refs << 2 leave the small codes', () => {
    const sim = createSimulation({ python: '3.11' });
    const p = sim.process;
    const op = newList(p, sim.builtins);
    p.mem.refcnt[p.slot(op)] = MAX_REFCNT - 2;
    p.Py_INCREF(op);
    expect(p.refcnt(op)).toBe(MAX_REFCNT - 1);
    expect(() => p.Py_INCREF(op)).toThrow(/reference count past/);
    expect(p.refcnt(op)).toBe(MAX_REFCNT - 1);
    expect(4 * (MAX_REFCNT - 1) + 3).toBeLessThan(REGION_CODES);
  });

  it('gives every type an address in the gcstate region, and refuses one more', () => {
    const sim = createSimulation({ python: '3.11' });
    const p = sim.process;
    const spec = { name: 'T', gc: false, dealloc: () => {}, referents: () => [] };
    while (p.types.length + 1 < MAX_TYPES) p.defineType(spec);
    const last = p.newObject(p.types[p.types.length - 1], undefined);
    expect(realValue(p.mem.load(last + 8))).toBe(TYPES_REAL + p.types.length * 0x1a0); // ob_type
    expect(() => p.defineType(spec)).toThrow(RangeError);
  });
});
