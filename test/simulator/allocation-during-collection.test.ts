// Reference §4: allocation, recursion and re-entry inside tp_traverse. A GC object tracked
// during a gen0 collection lands in `young` and is traversed by the rest of subtract_refs
// (undercount: debug "refcount is too small", release underflow); during a full collection
// it lands in the emptied gen0 and is never traversed (resurrection check: 0, then 2).
// gc.collect() inside traverse returns 0; get_referents/get_referrers re-enter traverse;
// 3.12's eval-breaker GC can nest inside a running collection.
import { describe, expect, it } from 'vitest';
import { newList, runSimulation, type Simulation } from '../../src/simulator/index.js';
import { GEN_PROFILES, graphChanges, nodeKit, sim } from './helpers.js';

/** d (reachable) holds x; d's first traverse builds a tracked list [x] that stays alive. */
function allocDuringSubtract(s: Simulation) {
  const k = nodeKit(s);
  const p = s.process;
  const held: number[] = [];
  const d = k.make(1, {
    hook: (self, i) => {
      // By pass, not call number: debug 3.11+ PyObject_GC_Track already traversed d once.
      if (i.pass !== 'subtract_refs' || i.phase !== 'before' || held.length) return;
      const x = k.slots(self)[0];
      p.Py_INCREF(x);
      held.push(newList(p, s.builtins, [x]));
    },
  });
  const x = newList(p, s.builtins);
  k.set(d, 0, x);
  p.Py_DECREF(x);
  return { k, d, x, held };
}

describe('allocation + track during a gen0 collection', () => {
  for (const python of GEN_PROFILES) {
    it(`${python} debug: the new list is traversed by subtract_refs → "refcount is too small" abort`, () => {
      const s = sim(python, true);
      const r = runSimulation(s, () => {
        allocDuringSubtract(s);
        s.gc.collect(0);
      });
      expect(r.fault).toMatchObject({ signal: 'SIGABRT', where: 'gc_decref' });
      expect(r.fault!.message).toMatch(/refcount is too small$/);
      expect(r.fault!.backtrace.slice(0, 3)).toEqual(['gc_decref', 'list_traverse', 'subtract_refs']);
    });

    it(`${python} release: underflow → everything looks reachable, returns 0, verdict corrupt`, () => {
      const s = sim(python);
      const r = runSimulation(s, () => {
        const { held } = allocDuringSubtract(s);
        return { n: s.gc.collect(0), held: held.length, count0: s.gc.getCount()[0] };
      });
      expect(r.value).toEqual({ n: 0, held: 1, count0: 1 });
      expect(r.verdict).toBe('corrupt');
      expect(r.audit.map((f) => f.kind)).toContain('gc-refs-underflow');
      expect(r.anomalies.map((a) => a.kind)).toContain('object-allocated-during-collection');
    });
  }

  it('3.11: allocated and dropped at once during gen0 subtract_refs → clean untrack, result unchanged (2)', () => {
    const s = sim('3.11');
    const r = runSimulation(s, () => {
      const k = nodeKit(s);
      const p = s.process;
      const a = k.make(1, { hook: (_x, i) => i.call === 1 && i.phase === 'before' && p.Py_DECREF(newList(p, s.builtins)) });
      const b = k.make(1);
      k.set(a, 0, b);
      k.set(b, 0, a);
      p.Py_DECREF(a);
      p.Py_DECREF(b);
      return s.gc.collect(0);
    });
    expect(r.verdict).toBe('ok');
    expect(r.value).toBe(2);
  });
});

describe('allocation + track during a full collection', () => {
  for (const python of ['3.7', ...GEN_PROFILES]) {
    it(`${python}: the new object is never traversed; the cycle survives (0), then is collected (2)`, () => {
      const s = sim(python);
      const r = runSimulation(s, () => {
        const k = nodeKit(s);
        const p = s.process;
        let l = 0;
        // Garbage a <-> b; a's first traverse makes a tracked Node l = [b] that stays alive.
        const a = k.make(1, {
          hook: (self, i) => {
            if (i.call !== 1 || i.phase !== 'before') return;
            l = k.make(1);
            k.set(l, 0, k.slots(self)[0]);
          },
        });
        const b = k.make(1);
        k.set(a, 0, b);
        k.set(b, 0, a);
        p.Py_DECREF(a);
        p.Py_DECREF(b);
        const first = s.gc.collect();
        const lCalls = k.calls(l);
        const count0 = s.gc.getCount()[0];
        p.Py_DECREF(l);
        const second = s.gc.collect();
        return { first, lCalls, count0, second };
      });
      expect(r.value).toEqual({ first: 0, lCalls: 0, count0: 1, second: 2 });
      // b gained a reference (from l) inside a's traverse and kept it: the graph the collector
      // snapshotted changed under it (issue 13), though nothing crashed.
      expect(r.verdict).toBe('corrupt');
      expect(r.audit.map((f) => f.kind)).toEqual(['graph-changed-during-traverse']);
      expect(graphChanges(r).map((c) => [c.kind, c.what])).toEqual([['refcount', 'ob_refcnt 1 → 2']]);
    });
  }
});

describe('re-entering the collector from tp_traverse', () => {
  for (const python of ['3.7', ...GEN_PROFILES]) {
    it(`${python}: gc.collect() and PyGC_Collect() inside traverse return 0 (no callbacks, no stats)`, () => {
      const s = sim(python);
      const inner: number[] = [];
      const phases: string[] = [];
      s.gc.callbacks.push((phase) => phases.push(phase));
      const r = runSimulation(s, () => {
        const k = nodeKit(s);
        s.gc.enable(); // PyGC_Collect returns 0 when disabled anyway; make the guard the reason
        s.gc.setThreshold(0);
        const a = k.make(1, { hook: (_x, i) => i.call === 1 && i.phase === 'before' && inner.push(s.gc.collect(), s.gc.collect(0), s.gc.PyGC_Collect()) });
        k.set(a, 0, a);
        s.process.Py_DECREF(a);
        return s.gc.collect();
      });
      expect(r.verdict).toBe('ok');
      expect(inner).toEqual([0, 0, 0]);
      expect(r.value).toBe(1);
      expect(phases).toEqual(['start', 'stop']);
      expect(r.stats.map((st) => st.collections)).toEqual([0, 0, 1]);
    });
  }

  it('3.11: PyGC_Collect() returns 0 at once when the collector is disabled', () => {
    const s = sim('3.11');
    const r = runSimulation(s, () => {
      const k = nodeKit(s);
      const a = k.make(1);
      k.set(a, 0, a);
      s.process.Py_DECREF(a);
      const disabled = s.gc.PyGC_Collect();
      s.gc.enable();
      return [disabled, s.gc.PyGC_Collect()];
    });
    expect(r.value).toEqual([0, 1]);
  });

  it('3.11: gc.get_referents inside a traverse re-enters that traverse (side effects fire again)', () => {
    const s = sim('3.11');
    const r = runSimulation(s, () => {
      const k = nodeKit(s);
      let reentered = 0;
      const d = k.make(1, {
        hook: (self, i) => {
          if (i.phase !== 'before') return;
          if (i.pass === 'gc_get_referents') reentered++;
          else if (i.call === 1) s.gc.getReferents(self);
        },
      });
      const v = newList(s.process, s.builtins);
      k.set(d, 0, v);
      s.process.Py_DECREF(v);
      const n = s.gc.collect();
      return { n, reentered, calls: k.calls(d) };
    });
    expect(r.value).toEqual({ n: 0, reentered: 1, calls: 3 }); // subtract_refs, its re-entry, move_unreachable
    expect(r.anomalies.map((a) => a.kind)).toContain('reentrant-traverse');
  });

  it('3.11: gc.get_referrers inside a traverse walks the collected generation and traverses everything again', () => {
    const s = sim('3.11');
    const r = runSimulation(s, () => {
      const k = nodeKit(s);
      let found: number[] = [];
      const d = k.make(1, { hook: (_x, i) => i.call === 1 && i.phase === 'before' && (found = s.gc.getReferrers(v)) });
      const e = k.make(1);
      const v = newList(s.process, s.builtins);
      k.set(d, 0, v);
      k.set(e, 0, v);
      s.process.Py_DECREF(v);
      s.gc.collect();
      return { found: found.map((x) => (x === d ? 'd' : x === e ? 'e' : '?')), eCalls: k.calls(e) };
    });
    expect(r.verdict).toBe('ok');
    expect(r.value).toEqual({ found: ['d', 'e'], eCalls: 3 }); // get_referrers, subtract_refs, move_unreachable
  });
});

describe('the eval-breaker GC inside a running collection', () => {
  /** Schedules an automatic GC, then runs a manual collection whose finalizer reaches the eval breaker. */
  function scenario(s: Simulation) {
    const inner: { collectingAfter: boolean; gen0Collections: number }[] = [];
    const k = nodeKit(s, 'Fin', {
      finalize: () => {
        // Python code in __del__ allocates (count0 > threshold again; collecting blocks the
        // scheduling) and reaches the eval breaker, where the earlier scheduled GC is pending.
        for (let i = 0; i < 4; i++) newList(s.process, s.builtins);
        s.gc.evalBreaker();
        inner.push({ collectingAfter: s.process.gc.collecting, gen0Collections: s.process.gc.stats[0].collections });
      },
    });
    const a = k.make(1);
    k.set(a, 0, a);
    s.process.Py_DECREF(a);
    s.gc.enable();
    s.gc.setThreshold(3);
    for (let i = 0; i < 4; i++) s.process.Py_DECREF(newList(s.process, s.builtins)); // 4 allocs, 4 frees
    for (let i = 0; i < 4; i++) newList(s.process, s.builtins); // count 4 > 3: scheduled, not run
    const before = s.process.gc.stats.map((x) => x.collections);
    const n = s.gc.collect();
    return { before, n, inner };
  }

  it('3.12: _Py_RunGC does not test `collecting` → a nested GC runs, and clears the flag', () => {
    const s = sim('3.12');
    const r = runSimulation(s, () => scenario(s));
    expect(r.verdict).toBe('ok');
    expect(r.value!.before).toEqual([0, 0, 0]);
    expect(r.value!.n).toBe(1);
    expect(r.value!.inner).toEqual([{ collectingAfter: false, gen0Collections: 1 }]);
  });

  for (const python of ['3.13', '3.14.5']) {
    it(`${python}: the CAS on \`collecting\` refuses the nested GC`, () => {
      const s = sim(python);
      const r = runSimulation(s, () => scenario(s));
      expect(r.value!.n).toBe(1);
      expect(r.value!.inner).toEqual([{ collectingAfter: true, gen0Collections: 0 }]);
    });
  }
});
