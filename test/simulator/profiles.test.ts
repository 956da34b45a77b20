// Version profiles (reference §1.3, §1.4, §7): default thresholds, when automatic
// collection runs (synchronously inside the allocation ≤3.11, at the eval breaker 3.12+),
// its conditions (enabled, threshold0 ≠ 0, not collecting, no pending error), and which
// generation it picks (the oldest over threshold; gen2 only if long_lived_pending is large).
import { describe, expect, it } from 'vitest';
import { getProfile, newList, PROFILE_NAMES, runSimulation } from '../../src/simulator/index.js';
import { findPythons, runPython, sim } from './helpers.js';

const THRESHOLDS: Record<string, [number, number, number]> = {
  '3.7': [700, 10, 10],
  '3.8': [700, 10, 10],
  '3.9': [700, 10, 10],
  '3.10': [700, 10, 10],
  '3.11': [700, 10, 10],
  '3.12': [700, 10, 10],
  '3.13': [2000, 10, 10],
  '3.14.0': [2000, 10, 0],
  '3.14.5': [2000, 10, 10],
};

describe('profiles', () => {
  it('every profile is listed, and 3.14 means the generational 3.14.5+', () => {
    expect(PROFILE_NAMES.sort()).toEqual(Object.keys(THRESHOLDS).sort());
    expect(getProfile('3.14')?.name).toBe('3.14.5');
    expect(getProfile('3.6')).toBeUndefined();
  });

  for (const [python, t] of Object.entries(THRESHOLDS)) {
    it(`${python}: default thresholds ${t.join('/')}`, () => {
      expect(sim(python).gc.getThreshold()).toEqual(t);
    });
  }

  const pythons = findPythons();
  for (const python of ['3.7', '3.8', '3.9', '3.10', '3.11', '3.12', '3.13']) {
    it.runIf(pythons.has(python))(`${python}: thresholds equal the installed CPython's gc.get_threshold()`, () => {
      const real = runPython<number[]>(pythons.get(python)!, 'import gc, json; print(json.dumps(gc.get_threshold()))');
      expect(sim(python).gc.getThreshold()).toEqual(real);
    });
  }
});

describe('automatic collection', () => {
  for (const python of ['3.7', '3.8', '3.9', '3.10', '3.11']) {
    it(`${python}: runs synchronously inside the allocation that makes count0 exceed threshold0`, () => {
      const s = sim(python);
      const r = runSimulation(s, () => {
        const frames: string[][] = [];
        s.gc.callbacks.push((phase) => phase === 'start' && frames.push(s.process.stack.snapshot()));
        s.gc.enable();
        s.gc.setThreshold(5);
        const collections: number[] = [];
        for (let i = 1; i <= 6; i++) {
          newList(s.process, s.builtins);
          collections.push(s.process.gc.stats[0].collections);
        }
        return { collections, count: s.gc.getCount(), frames };
      });
      expect(r.value!.collections).toEqual([0, 0, 0, 0, 0, 1]);
      expect(r.value!.count).toEqual([0, 1, 0]);
      expect(r.value!.frames[0]).toContain('collect_generations');
    });
  }

  for (const python of ['3.12', '3.13', '3.14.5']) {
    it(`${python}: the allocation only schedules it; it runs at the next eval-breaker check`, () => {
      const s = sim(python);
      const r = runSimulation(s, () => {
        s.gc.enable();
        s.gc.setThreshold(5);
        for (let i = 1; i <= 7; i++) newList(s.process, s.builtins);
        const before = s.process.gc.stats[0].collections;
        s.gc.evalBreaker();
        const after = s.process.gc.stats[0].collections;
        s.gc.evalBreaker(); // nothing scheduled any more
        return { before, after, again: s.process.gc.stats[0].collections, count: s.gc.getCount() };
      });
      expect(r.value).toEqual({ before: 0, after: 1, again: 1, count: [0, 1, 0] });
    });
  }

  for (const python of ['3.11', '3.13']) {
    it(`${python}: no automatic collection when disabled, with threshold0 = 0, or with an error pending`, () => {
      const s = sim(python);
      const r = runSimulation(s, () => {
        const alloc = (n: number) => {
          for (let i = 0; i < n; i++) newList(s.process, s.builtins);
          s.gc.evalBreaker();
          return s.process.gc.stats[0].collections;
        };
        s.gc.setThreshold(2);
        const disabled = alloc(5);
        s.gc.enable();
        s.gc.setThreshold(0);
        const zero = alloc(5);
        s.gc.setThreshold(2);
        s.process.pendingError = 'KeyError';
        const pending = alloc(5);
        s.process.pendingError = null;
        const normal = alloc(1);
        return [disabled, zero, pending, normal];
      });
      expect(r.value).toEqual([0, 0, 0, 1]);
    });
  }

  /** `longLived` objects in gen2, thresholds 1/1/1, then 14 allocations of kept lists. */
  function autoGenerations(python: string, longLived: number): number[] {
    const s = sim(python);
    const r = runSimulation(s, () => {
      const gens: number[] = [];
      s.gc.callbacks.push((phase, info) => phase === 'start' && gens.push(info.generation));
      for (let i = 0; i < longLived; i++) newList(s.process, s.builtins);
      s.gc.collect(); // long_lived_total = longLived, long_lived_pending = 0
      gens.length = 0;
      s.gc.enable();
      s.gc.setThreshold(1, 1, 1);
      for (let i = 0; i < 14; i++) newList(s.process, s.builtins);
      return gens;
    });
    return r.value!;
  }

  for (const python of ['3.8', '3.11']) {
    it(`${python}: picks the oldest generation over threshold; gen2 only if long_lived_pending ≥ long_lived_total / 4 (integer division)`, () => {
      // Allocation 2k triggers (count0 2 > 1); every 3rd trigger finds count1 2 > 1 (gen1,
      // adding 5 then 6 survivors to long_lived_pending = 11); the 7th finds count2 2 > 1.
      expect(autoGenerations(python, 40)).toEqual([0, 0, 1, 0, 0, 1, 2]); // 11 ≥ 10
      expect(autoGenerations(python, 60)).toEqual([0, 0, 1, 0, 0, 1, 0]); // 11 < 15: gen2 skipped
      expect(autoGenerations(python, 45)).toEqual([0, 0, 1, 0, 0, 1, 2]); // 11 ≥ 45/4 = 11 in C
    });
  }
});
