// Reference §2.1: which passes call tp_traverse and what the header holds meanwhile. In one
// full gc.collect() without finalizers a reachable object is traversed twice (subtract_refs,
// move_unreachable), an unreachable one twice (subtract_refs, the resurrection check's
// subtract_refs), a resurrected one once more (3.9+: the resurrection move_unreachable);
// `_gc_prev >> 2` seen inside a traverse is refcnt minus the visits made so far, ≥ 1 later.
import { describe, expect, it } from 'vitest';
import { runSimulation } from '../../src/simulator/index.js';
import { GEN_PROFILES, nodeKit, sim } from './helpers.js';

describe('tp_traverse calls per object in one gc.collect()', () => {
  for (const python of ['3.7', ...GEN_PROFILES]) {
    it(`${python}: reachable 2, unreachable 2${python === '3.7' || python === '3.8' ? '' : ', resurrected 3'}`, () => {
      const s = sim(python);
      const r = runSimulation(s, () => {
        const p = s.process;
        const k = nodeKit(s);
        const passes = new Map<number, string[]>();
        const log = (self: number, i: { pass: string; phase: string }) => {
          if (i.phase === 'before') passes.set(self, [...(passes.get(self) ?? []), i.pass]);
        };
        const live = k.make(0, { hook: log });
        const g1 = k.make(1, { hook: log });
        k.set(g1, 0, g1);
        p.Py_DECREF(g1);
        let saved = 0;
        const fin = nodeKit(s, 'Fin', { finalize: (self) => void (p.Py_INCREF(self), (saved = self)) });
        const res = fin.make(1, { hook: log });
        fin.set(res, 0, res);
        p.Py_DECREF(res);
        const n = s.gc.collect();
        void live;
        return { n, live: passes.get(live), garbage: passes.get(g1), resurrected: passes.get(res), saved: saved === res };
      });
      expect(r.verdict).toBe('ok');
      const v = r.value!;
      expect(v.live).toEqual(['subtract_refs', 'move_unreachable']);
      if (python === '3.7' || python === '3.8') {
        // check_garbage: everything survives when one object is resurrected.
        expect(v.n).toBe(0);
        expect(v.garbage).toEqual(['subtract_refs', 'subtract_refs']);
        expect(v.resurrected).toEqual(['subtract_refs', 'subtract_refs']);
      } else {
        expect(v.n).toBe(1);
        expect(v.garbage).toEqual(['subtract_refs', 'subtract_refs']);
        expect(v.resurrected).toEqual(['subtract_refs', 'subtract_refs', 'move_unreachable']);
      }
      expect(v.saved).toBe(true);
    });
  }
});

describe('gc_refs seen from inside a traverse', () => {
  for (const python of GEN_PROFILES) {
    it(`${python}: refcnt minus the visits so far in subtract_refs, ≥ 1 (and COLLECTING set) in move_unreachable`, () => {
      const s = sim(python);
      const r = runSimulation(s, () => {
        const p = s.process;
        const k = nodeKit(s);
        const seen: [string, number, number][] = [];
        const log = (self: number, i: { pass: string; phase: string }) => {
          if (i.phase !== 'before') return;
          const prev = p.mem.loadPrev(p.asGc(self));
          seen.push([i.pass, Math.floor(prev / 4), prev & 3]);
        };
        // x is held by the test (1), by a and by b: refcnt 3; a and b visit it before x runs.
        const a = k.make(1);
        const b = k.make(1);
        const x = k.make(0, { hook: log });
        k.set(a, 0, x);
        k.set(b, 0, x);
        return { seen, n: s.gc.collect() };
      });
      expect(r.value).toEqual({
        seen: [
          ['subtract_refs', 1, 2],
          ['move_unreachable', 1, 2],
        ],
        n: 0,
      });
    });
  }
});
