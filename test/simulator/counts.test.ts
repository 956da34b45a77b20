// Reference §5 / §5.1: the observable numbers of gc.collect() for the recipes the model can
// express (slots cycles, lists, PEP 442 finalizers, resurrection, promotion, DEBUG_SAVEALL),
// and get_stats() deltas. Each is checked against the measured table and, where a CPython
// of that version is installed on this machine, against the real interpreter.
import { beforeAll, describe, expect, it } from 'vitest';
import { DEBUG_SAVEALL, listAppend, newList, runSimulation, type Simulation } from '../../src/simulator/index.js';
import { findPythons, GEN_PROFILES, nodeKit, runPython, sim } from './helpers.js';

interface Counts {
  slots_cycle: number;
  self_list: number;
  list_list: number;
  del_cycle: number;
  del_breaks: number;
  resurrect: [number, number];
  promoted: [number, number];
  saveall: [number, number];
  stats_delta0: { collections: number; collected: number; uncollectable: number };
}

/** §5.1, identical on 3.8–3.14.7. */
const TABLE: Counts = {
  slots_cycle: 2,
  self_list: 1,
  list_list: 2,
  del_cycle: 2,
  del_breaks: 0,
  resurrect: [0, 2],
  promoted: [0, 2],
  saveall: [2, 2],
  stats_delta0: { collections: 1, collected: 2, uncollectable: 0 },
};

const SCRIPT = String.raw`
import gc, json
gc.disable(); gc.collect()
class S:
    __slots__ = ('x',)
class D:
    __slots__ = ('x',)
    def __del__(self): pass
class Breaker:
    __slots__ = ('x',)
    def __del__(self): self.x = None
saved = []
class Res:
    __slots__ = ('x',)
    def __del__(self): saved.append(self)
keep = []
def cycle(A=S, B=S, hold=False):
    a = A(); b = B(); a.x = b; b.x = a
    if hold: keep.append(a)
def self_list():
    l = []; l.append(l)
def list_list():
    a = []; b = [a]; a.append(b)
res = {}
cycle(); res['slots_cycle'] = gc.collect()
self_list(); res['self_list'] = gc.collect()
list_list(); res['list_list'] = gc.collect()
cycle(D, D); res['del_cycle'] = gc.collect()
cycle(Breaker); res['del_breaks'] = gc.collect()
cycle(Res); r1 = gc.collect(); saved.clear(); r2 = gc.collect(); res['resurrect'] = [r1, r2]
cycle(hold=True); gc.collect(0); keep.clear(); p0 = gc.collect(0); p1 = gc.collect(1); res['promoted'] = [p0, p1]
gc.set_debug(gc.DEBUG_SAVEALL); cycle(); n = gc.collect(); g = len(gc.garbage); gc.set_debug(0); del gc.garbage[:]
res['saveall'] = [n, g]
gc.collect()
before = dict(gc.get_stats()[0]); cycle(); gc.collect(0); after = gc.get_stats()[0]
res['stats_delta0'] = {k: after[k] - before[k] for k in before}
print(json.dumps(res))
`;

/** The same recipes in the simulator (Node = a `__slots__` class with one slot). */
function simCounts(s: Simulation): Counts {
  const p = s.process;
  const saved: number[] = [];
  const S = nodeKit(s, 'S');
  const D = nodeKit(s, 'D', { finalize: () => {} });
  const B = nodeKit(s, 'Breaker', { finalize: (self) => B.drop(self, 0) });
  const R = nodeKit(s, 'Res', {
    finalize: (self) => {
      p.Py_INCREF(self);
      saved.push(self);
    },
  });
  const keep: number[] = [];
  const cycle = (A = S, Bk = S, hold = false) => {
    const a = A.make(1);
    const b = Bk.make(1);
    A.set(a, 0, b);
    Bk.set(b, 0, a);
    if (hold) keep.push(a);
    else p.Py_DECREF(a);
    p.Py_DECREF(b);
  };
  const res: Partial<Counts> = {};
  cycle();
  res.slots_cycle = s.gc.collect();
  {
    const l = newList(p, s.builtins);
    listAppend(p, l, l);
    p.Py_DECREF(l);
  }
  res.self_list = s.gc.collect();
  {
    const a = newList(p, s.builtins);
    const b = newList(p, s.builtins, [a]); // steals the reference to a
    listAppend(p, a, b);
    p.Py_DECREF(b);
  }
  res.list_list = s.gc.collect();
  cycle(D, D);
  res.del_cycle = s.gc.collect();
  cycle(B);
  res.del_breaks = s.gc.collect();
  cycle(R);
  const r1 = s.gc.collect();
  for (const x of saved.splice(0)) p.Py_DECREF(x);
  res.resurrect = [r1, s.gc.collect()];
  cycle(S, S, true);
  s.gc.collect(0);
  for (const x of keep.splice(0)) p.Py_DECREF(x);
  const p0 = s.gc.collect(0);
  res.promoted = [p0, s.gc.collect(1)];
  s.gc.setDebug(DEBUG_SAVEALL);
  cycle();
  const n = s.gc.collect();
  const g = s.gc.garbage.length;
  s.gc.setDebug(0);
  for (const x of s.gc.garbage.splice(0)) p.Py_DECREF(x);
  res.saveall = [n, g];
  s.gc.collect();
  const before = s.gc.getStats()[0];
  cycle();
  s.gc.collect(0);
  const after = s.gc.getStats()[0];
  res.stats_delta0 = { collections: after.collections - before.collections, collected: after.collected - before.collected, uncollectable: after.uncollectable - before.uncollectable };
  return res as Counts;
}

const PYTHONS = findPythons();

describe('§5.1 measured counts', () => {
  for (const python of ['3.7', ...GEN_PROFILES, '3.14.0']) {
    it(`${python}: the simulator reproduces the table`, () => {
      const s = sim(python);
      const r = runSimulation(s, () => simCounts(s));
      expect(r.verdict).toBe('ok');
      expect(r.value).toEqual(TABLE);
    });
  }

  describe('against the CPython interpreters installed here', () => {
    const real = new Map<string, Counts>();
    beforeAll(() => {
      for (const [v, bin] of PYTHONS) real.set(v, runPython<Counts>(bin, SCRIPT));
    });
    for (const python of ['3.7', '3.8', '3.9', '3.10', '3.11', '3.12', '3.13']) {
      it.runIf(PYTHONS.has(python))(`${python}: same numbers as ${PYTHONS.get(python) ?? 'CPython (absent)'}`, () => {
        const s = sim(python);
        const r = runSimulation(s, () => simCounts(s));
        expect(r.value).toEqual(real.get(python));
      });
    }
  });
});

describe('§5 get_stats and callbacks', () => {
  for (const python of ['3.8', '3.12', '3.13', '3.14.5']) {
    it(`${python}: only the collected generation's entry changes (+1, +m, +n); callbacks get start/stop info`, () => {
      const s = sim(python);
      const calls: unknown[] = [];
      s.gc.callbacks.push((phase, info) => calls.push([phase, { ...info }]));
      const r = runSimulation(s, () => {
        const k = nodeKit(s);
        const mk = () => {
          const a = k.make(1);
          k.set(a, 0, a);
          s.process.Py_DECREF(a);
        };
        mk();
        mk();
        const n1 = s.gc.collect(1);
        mk();
        const n2 = s.gc.collect(2);
        return [n1, n2];
      });
      expect(r.value).toEqual([2, 1]);
      expect(r.stats).toEqual([
        { collections: 0, collected: 0, uncollectable: 0 },
        { collections: 1, collected: 2, uncollectable: 0 },
        { collections: 1, collected: 1, uncollectable: 0 },
      ]);
      expect(calls).toEqual([
        ['start', { generation: 1, collected: 0, uncollectable: 0 }],
        ['stop', { generation: 1, collected: 2, uncollectable: 0 }],
        ['start', { generation: 2, collected: 0, uncollectable: 0 }],
        ['stop', { generation: 2, collected: 1, uncollectable: 0 }],
      ]);
    });
  }

  it('3.11: legacy finalizers (tp_del) are uncollectable: n counts them and they go to gc.garbage', () => {
    const s = sim('3.11');
    const r = runSimulation(s, () => {
      const p = s.process;
      const L = nodeKit(s);
      const legacy = p.defineType({ ...L.type, name: 'Legacy', legacyDel: () => {} });
      const a = p.gcNew(legacy, { slots: [0], calls: 0, visits: 1 });
      p.PyObject_GC_Track(a);
      const b = L.make(1);
      L.set(a, 0, b);
      L.set(b, 0, a);
      p.Py_DECREF(a);
      p.Py_DECREF(b);
      return { n: s.gc.collect(), garbage: s.gc.garbage.length, stats: s.gc.getStats()[2] };
    });
    expect(r.value).toEqual({ n: 2, garbage: 1, stats: { collections: 1, collected: 0, uncollectable: 2 } });
  });
});

const MIXED = String.raw`
import gc, json
gc.disable(); gc.collect()
class S:
    __slots__ = ('x',)
saved = []
class Res:
    __slots__ = ('x',)
    def __del__(self): saved.append(self)
def cycle(A=S):
    a = A(); b = S(); a.x = b; b.x = a
cycle(Res); cycle(); r1 = gc.collect(); saved.clear(); r2 = gc.collect()
print(json.dumps([r1, r2]))
`;

describe('resurrection: all-or-nothing check_garbage (3.7/3.8) vs per-object (3.9+)', () => {
  /** A cycle whose __del__ resurrects it, beside an ordinary garbage cycle. */
  function mixed(python: string): [number, number] {
    const s = sim(python);
    const r = runSimulation(s, () => {
      const p = s.process;
      const saved: number[] = [];
      const S = nodeKit(s, 'S');
      const R = nodeKit(s, 'Res', { finalize: (self) => (p.Py_INCREF(self), void saved.push(self)) });
      for (const A of [R, S]) {
        const a = A.make(1);
        const b = S.make(1);
        A.set(a, 0, b);
        S.set(b, 0, a);
        p.Py_DECREF(a);
        p.Py_DECREF(b);
      }
      const r1 = s.gc.collect();
      for (const x of saved.splice(0)) p.Py_DECREF(x);
      return [r1, s.gc.collect()] as [number, number];
    });
    expect(r.verdict).toBe('ok');
    return r.value!;
  }
  for (const python of ['3.7', '3.8']) {
    it(`${python}: one resurrected object keeps the whole unreachable set (0, then 4)`, () => {
      expect(mixed(python)).toEqual([0, 4]);
    });
  }
  for (const python of ['3.9', '3.11', '3.13', '3.14.5']) {
    it(`${python}: only the resurrected cycle survives (2, then 2)`, () => {
      expect(mixed(python)).toEqual([2, 2]);
    });
  }
  for (const python of ['3.7', '3.8', '3.9', '3.12']) {
    it.runIf(PYTHONS.has(python))(`${python}: same as the installed CPython`, () => {
      expect(mixed(python)).toEqual(runPython<number[]>(PYTHONS.get(python)!, MIXED));
    });
  }
});
