// The Python-level gc module of reference §1.3–§1.4 and §5: get_count semantics, the
// `collecting` guard, freeze/unfreeze, get_referrers/get_referents, is_tracked, argument
// checking and disable/enable.
import { describe, expect, it } from 'vitest';
import { newList, runSimulation } from '../../src/simulator/index.js';
import { findPythons, nodeKit, runPython, sim } from './helpers.js';

describe('gc.get_count()', () => {
  for (const python of ['3.7', '3.8', '3.11', '3.13', '3.14.5']) {
    it(`${python}: gen0 = GC allocations − GC_Del since the last gen0 collection; gen1/gen2 = collections of the generation below`, () => {
      const s = sim(python);
      const r = runSimulation(s, () => {
        const p = s.process;
        const seen: [number, number, number][] = [];
        s.gc.collect();
        seen.push(s.gc.getCount());
        const ls = [newList(p, s.builtins), newList(p, s.builtins), newList(p, s.builtins)];
        seen.push(s.gc.getCount());
        p.Py_DECREF(ls[0]); // PyObject_GC_Del: count0 − 1
        seen.push(s.gc.getCount());
        p.newObject(s.builtins.str, 'not a GC object'); // no change
        p.gcNew(s.builtins.list, []); // allocated, never tracked: still counted
        seen.push(s.gc.getCount());
        s.gc.collect(0);
        seen.push(s.gc.getCount());
        s.gc.collect(0);
        seen.push(s.gc.getCount());
        s.gc.collect(1);
        seen.push(s.gc.getCount());
        s.gc.collect(2);
        seen.push(s.gc.getCount());
        return seen;
      });
      expect(r.value).toEqual([
        [0, 0, 0],
        [3, 0, 0],
        [2, 0, 0],
        [3, 0, 0],
        [0, 1, 0],
        [0, 2, 0],
        [0, 0, 1],
        [0, 0, 0],
      ]);
    });
  }

  it('3.11: GC_Del never takes count0 below 0', () => {
    const s = sim('3.11');
    const r = runSimulation(s, () => {
      const l = newList(s.process, s.builtins);
      s.gc.collect();
      s.process.Py_DECREF(l);
      return s.gc.getCount();
    });
    expect(r.value).toEqual([0, 0, 0]);
  });
});

describe('the `collecting` guard', () => {
  for (const python of ['3.8', '3.12', '3.13']) {
    it(`${python}: gc.collect() from a callback or a finalizer returns 0 without collecting`, () => {
      const s = sim(python);
      const inner: number[] = [];
      const r = runSimulation(s, () => {
        s.gc.callbacks.push((phase) => {
          if (phase === 'start') inner.push(s.gc.collect());
        });
        const k = nodeKit(s, 'Fin', { finalize: () => void inner.push(s.gc.collect(0)) });
        const a = k.make(1);
        k.set(a, 0, a);
        s.process.Py_DECREF(a);
        return s.gc.collect();
      });
      expect(r.value).toBe(1);
      expect(inner).toEqual([0, 0]);
      expect(r.stats.map((x) => x.collections)).toEqual([0, 0, 1]);
    });
  }

  it('gc.collect(generation) rejects generations outside 0..2 (ValueError) and works while disabled', () => {
    const s = sim('3.11');
    const r = runSimulation(s, () => {
      expect(() => s.gc.collect(3)).toThrow(/ValueError/);
      expect(() => s.gc.collect(-1)).toThrow(/ValueError/);
      expect(s.gc.isenabled()).toBe(false);
      const k = nodeKit(s);
      const a = k.make(1);
      k.set(a, 0, a);
      s.process.Py_DECREF(a);
      return s.gc.collect();
    });
    expect(r.value).toBe(1);
  });
});

describe('gc.freeze() / gc.unfreeze()', () => {
  for (const python of ['3.8', '3.11', '3.13']) {
    it(`${python}: frozen objects are never collected; unfreeze puts them in the oldest generation`, () => {
      const s = sim(python);
      const r = runSimulation(s, () => {
        const k = nodeKit(s);
        const a = k.make(1);
        const b = k.make(1);
        k.set(a, 0, b);
        k.set(b, 0, a);
        s.gc.collect(0);
        s.gc.collect(0); // count1 = 2
        s.gc.freeze();
        const afterFreeze = { count: s.gc.getCount(), frozen: s.gc.getFreezeCount() };
        s.process.Py_DECREF(a);
        s.process.Py_DECREF(b);
        const whileFrozen = [s.gc.collect(0), s.gc.collect(1), s.gc.collect(2)];
        const referrers = s.gc.getReferrers(a).length; // the permanent generation is not walked
        s.gc.unfreeze();
        return { afterFreeze, whileFrozen, referrers, frozenAfter: s.gc.getFreezeCount(), young: s.gc.collect(1), full: s.gc.collect(2) };
      });
      expect(r.verdict).toBe('ok');
      // Measured on 3.7–3.13: freeze zeroes every generation's count.
      expect(r.value).toEqual({
        afterFreeze: { count: [0, 0, 0], frozen: 2 },
        whileFrozen: [0, 0, 0],
        referrers: 0,
        frozenAfter: 0,
        young: 0,
        full: 2,
      });
    });
  }
});

describe('gc.get_referrers / gc.get_referents / gc.is_tracked', () => {
  it('3.11: get_referrers walks generations 0..2 in list order and traverses every object', () => {
    const s = sim('3.11');
    const r = runSimulation(s, () => {
      const k = nodeKit(s);
      const target = newList(s.process, s.builtins);
      const old = k.make(1);
      k.set(old, 0, target);
      s.gc.collect(); // old (and target) → generation 2
      const young1 = k.make(1);
      const young2 = k.make(1);
      const unrelated = k.make(0);
      k.set(young2, 0, target);
      k.set(young1, 0, target);
      const found = s.gc.getReferrers(target);
      return {
        found: found.map((x) => (x === old ? 'old' : x === young1 ? 'young1' : x === young2 ? 'young2' : '?')),
        calls: [old, young1, young2, unrelated].map((x) => k.calls(x)),
      };
    });
    expect(r.value).toEqual({ found: ['young1', 'young2', 'old'], calls: [3, 1, 1, 1] });
  });

  it('3.11: get_referents calls tp_traverse of GC-typed arguments, tracked or not; non-GC args are skipped', () => {
    const s = sim('3.11');
    const r = runSimulation(s, () => {
      const p = s.process;
      const k = nodeKit(s);
      const x = newList(p, s.builtins);
      const untracked = k.make(1, { track: false });
      k.set(untracked, 0, x);
      const str = p.newObject(s.builtins.str, 's');
      const refs = s.gc.getReferents(untracked, str);
      return { refs: refs.map((o) => (o === x ? 'x' : '?')), calls: k.calls(untracked), tracked: [s.gc.isTracked(untracked), s.gc.isTracked(x), s.gc.isTracked(str)] };
    });
    expect(r.value).toEqual({ refs: ['x'], calls: 1, tracked: [false, true, false] });
  });
});

describe('PyGC_Collect() while the collector is disabled', () => {
  const expected: Record<string, number> = { '3.7': 1, '3.8': 0, '3.11': 0, '3.13': 0, '3.14.0': 1, '3.14.5': 0 };
  const run = (python: string) => {
    const s = sim(python);
    return runSimulation(s, () => {
      const k = nodeKit(s);
      const a = k.make(1);
      k.set(a, 0, a);
      s.process.Py_DECREF(a);
      return [s.gc.PyGC_Collect(), s.gc.collect()];
    }).value;
  };
  for (const [python, n] of Object.entries(expected)) {
    it(`${python}: returns ${n}${n ? ' (no enabled test)' : ' at once'}`, () => {
      expect(run(python)).toEqual([n, 1 - n]);
    });
  }
  const pythons = findPythons();
  for (const python of ['3.7', '3.8', '3.13']) {
    it.runIf(pythons.has(python))(`${python}: same as the installed CPython (ctypes)`, () => {
      const real = runPython<number[]>(
        pythons.get(python)!,
        [
          'import gc, ctypes, json',
          'gc.disable(); gc.collect()',
          'def f():',
          '    l = []; l.append(l)',
          'f()',
          'ctypes.pythonapi.PyGC_Collect.restype = ctypes.c_ssize_t',
          'n = ctypes.pythonapi.PyGC_Collect()',
          'print(json.dumps([n, gc.collect()]))',
        ].join('\n'),
      );
      expect(run(python)).toEqual(real);
    });
  }
});

describe('errors around a collection', () => {
  it('3.11: an exception in a gc callback is unraisable; the collection goes on', () => {
    const s = sim('3.11');
    const r = runSimulation(s, () => {
      s.gc.callbacks.push(() => {
        throw new Error('boom');
      });
      const k = nodeKit(s);
      const a = k.make(1);
      k.set(a, 0, a);
      s.process.Py_DECREF(a);
      return s.gc.collect();
    });
    expect(r.value).toBe(1);
    expect(r.unraisable).toEqual(['Exception ignored in gc callback: boom', 'Exception ignored in gc callback: boom']);
  });

  /** A traverse that sets an exception without returning -1 (PyErr_SetString and carry on). */
  const leaveError = (python: string) => {
    const s = sim(python);
    return runSimulation(s, () => {
      const k = nodeKit(s);
      const a = k.make(1, { hook: (_x, i) => i.pass === 'subtract_refs' && i.phase === 'before' && (s.process.pendingError = 'RuntimeError: from traverse') });
      k.set(a, 0, a);
      s.process.Py_DECREF(a);
      return s.gc.collect();
    });
  };
  for (const python of ['3.7', '3.8']) {
    it(`${python}: an exception still pending at the end → Py_FatalError("unexpected exception during garbage collection")`, () => {
      const r = leaveError(python);
      expect(r.fault).toMatchObject({ signal: 'SIGABRT', message: 'Fatal Python error: unexpected exception during garbage collection' });
      expect(r.unraisable).toEqual(['Exception ignored in garbage collection: RuntimeError: from traverse']);
    });
  }
  for (const python of ['3.9', '3.13']) {
    it(`${python}: an exception still pending at the end is only reported as unraisable`, () => {
      const r = leaveError(python);
      expect(r.verdict).toBe('ok');
      expect(r.value).toBe(1);
      expect(r.unraisable).toEqual(['Exception ignored in garbage collection: RuntimeError: from traverse']);
    });
  }
});
