// Reference §3.2 cases D and E: deaths that do not touch a header holding gc_refs. D: the
// victim is in another generation, untracked, or not a GC object; E: it dies on a normal
// list (tp_finalize, tp_clear, a weakref-like callback) or outside any collection. No fault,
// and the collection's count is what CPython returns; a death inside a traverse (D) still
// makes the run `corrupt` (the graph changed under the collector), one outside it (E) does not.
import { describe, expect, it } from 'vitest';
import { newList, newStr, runSimulation } from '../../src/simulator/index.js';
import { GEN_PROFILES, graphChanges, nodeKit, PendingPool, sim } from './helpers.js';

describe('case D: the victim is not in the collected set', () => {
  for (const python of GEN_PROFILES) {
    it(`${python}: a gen2 object dropped during gc.collect(0) → no fault, returns 0`, () => {
      const s = sim(python);
      const r = runSimulation(s, () => {
        const k = nodeKit(s);
        const pool = new PendingPool(s);
        const v = k.make(0);
        pool.add(v); // v's only reference: a pending decref
        s.gc.collect(); // v survives into the oldest generation
        const d = k.make(0, { hook: (_x, i) => i.call === 1 && i.phase === 'before' && pool.flush() });
        const n = s.gc.collect(0);
        return { n, vFreed: s.process.isFreed(v), dLive: s.process.isLive(d) };
      });
      // Structurally clean, but an object was freed inside a traverse: corrupt (issue 13).
      expect(r.verdict).toBe('corrupt');
      expect(r.audit.map((f) => f.kind)).toEqual(['graph-changed-during-traverse']);
      expect(graphChanges(r).map((c) => c.kind)).toEqual(['freed']);
      expect(r.value).toEqual({ n: 0, vFreed: true, dLive: true });
    });

    it(`${python}: a non-GC str freed by a pool flush during a full collection of a 2-cycle → returns 2`, () => {
      const s = sim(python);
      const r = runSimulation(s, () => {
        const k = nodeKit(s);
        const pool = new PendingPool(s);
        const str = newStr(s.process, s.builtins, 'pending');
        pool.add(str);
        const a = k.make(1, { hook: (_x, i) => i.call === 1 && i.phase === 'before' && pool.flush() });
        const b = k.make(1);
        k.set(a, 0, b);
        k.set(b, 0, a);
        s.process.Py_DECREF(a);
        s.process.Py_DECREF(b);
        return { n: s.gc.collect(), strFreed: s.process.isFreed(str) };
      });
      // Structurally clean, but an object was freed inside a traverse: corrupt (issue 13).
      expect(r.verdict).toBe('corrupt');
      expect(r.audit.map((f) => f.kind)).toEqual(['graph-changed-during-traverse']);
      expect(graphChanges(r).map((c) => c.kind)).toEqual(['freed']);
      expect(r.value).toEqual({ n: 2, strFreed: true });
    });
  }

  it('3.11: an untracked GC object freed inside traverse → no fault', () => {
    const s = sim('3.11');
    const r = runSimulation(s, () => {
      const k = nodeKit(s);
      const v = k.make(0, { track: false });
      const d = k.make(2, { hook: (self, i) => i.call === 1 && i.phase === 'before' && k.drop(self, 0) });
      k.set(d, 0, v);
      k.set(d, 1, d);
      s.process.Py_DECREF(v);
      s.process.Py_DECREF(d);
      return { n: s.gc.collect(), vFreed: s.process.isFreed(v) };
    });
    // Structurally clean, but an object was freed inside a traverse: corrupt (issue 13).
    expect(r.verdict).toBe('corrupt');
    expect(r.audit.map((f) => f.kind)).toEqual(['graph-changed-during-traverse']);
    expect(graphChanges(r).map((c) => c.kind)).toEqual(['freed']);
    expect(r.value).toEqual({ n: 1, vFreed: true });
  });

  it('3.11: an object in gen1 dropped during collect(0) (merged later) → no fault', () => {
    const s = sim('3.11');
    const r = runSimulation(s, () => {
      const k = nodeKit(s);
      const pool = new PendingPool(s);
      const v = k.make(0);
      pool.add(v);
      s.gc.collect(0); // v → generation 1
      k.make(0, { hook: (_x, i) => i.call === 1 && i.phase === 'before' && pool.flush() });
      return { n: s.gc.collect(0), vFreed: s.process.isFreed(v) };
    });
    // Structurally clean, but an object was freed inside a traverse: corrupt (issue 13).
    expect(r.verdict).toBe('corrupt');
    expect(r.audit.map((f) => f.kind)).toEqual(['graph-changed-during-traverse']);
    expect(graphChanges(r).map((c) => c.kind)).toEqual(['freed']);
    expect(r.value).toEqual({ n: 0, vFreed: true });
  });
});

describe('case E: deaths on normal lists', () => {
  for (const python of ['3.7', ...GEN_PROFILES, '3.14.0']) {
    it(`${python}: tp_finalize drops a young object (finalize_garbage) → safe, returns 2`, () => {
      const s = sim(python);
      const pool = new PendingPool(s);
      const r = runSimulation(s, () => {
        const k = nodeKit(s, 'Fin', { finalize: () => pool.flush() });
        const v = newList(s.process, s.builtins);
        pool.add(v);
        const a = k.make(1);
        const b = k.make(1);
        k.set(a, 0, b);
        k.set(b, 0, a);
        s.process.Py_DECREF(a);
        s.process.Py_DECREF(b);
        return { n: s.gc.collect(), vFreed: s.process.isFreed(v) };
      });
      expect(r.verdict).toBe('ok');
      expect(r.value).toEqual({ n: 2, vFreed: true });
    });
  }

  it('3.11: tp_clear frees the rest of the cycle (delete_garbage) → safe, returns 3', () => {
    const s = sim('3.11');
    const r = runSimulation(s, () => {
      const k = nodeKit(s);
      const a = k.make(1);
      const b = k.make(1);
      const c = k.make(1);
      k.set(a, 0, b);
      k.set(b, 0, c);
      k.set(c, 0, a);
      for (const x of [a, b, c]) s.process.Py_DECREF(x);
      const n = s.gc.collect();
      return { n, freed: [a, b, c].every((x) => s.process.isFreed(x)) };
    });
    expect(r.verdict).toBe('ok');
    expect(r.value).toEqual({ n: 3, freed: true });
  });

  it('3.11: a dropping traverse called outside any collection (gc.get_referents) → safe', () => {
    const s = sim('3.11');
    const r = runSimulation(s, () => {
      const k = nodeKit(s);
      const d = k.make(1, { hook: (self, i) => i.phase === 'before' && k.drop(self, 0) });
      const v = k.make(0);
      k.set(d, 0, v);
      s.process.Py_DECREF(v);
      const refs = s.gc.getReferents(d);
      return { refs: refs.length, vFreed: s.process.isFreed(v), n: s.gc.collect() };
    });
    expect(r.verdict).toBe('ok');
    expect(r.value).toEqual({ refs: 0, vFreed: true, n: 0 });
  });
});
