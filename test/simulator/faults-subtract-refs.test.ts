// Reference §3.2 case A: a GC object in the collected generation dies while subtract_refs
// runs (gc_refs R in `_gc_prev`), so UNTRACK writes through 4·R: SIGSEGV at 0x4 (not yet
// visited) or 0x0 (already visited), in every 3.8+ generational profile and in the
// resurrection pass's subtract_refs too; 3.7 (a separate gc_refs word) untracks cleanly.
import { describe, expect, it } from 'vitest';
import { runSimulation } from '../../src/simulator/index.js';
import { GEN_PROFILES, PendingPool, graphChanges, nodeKit, sim } from './helpers.js';

describe('case A: dealloc during subtract_refs', () => {
  for (const python of [...GEN_PROFILES, '3.14.0']) {
    it(`${python}: victim not yet visited → SIGSEGV writing 0x4 in PyObject_GC_UnTrack`, () => {
      const s = sim(python);
      const r = runSimulation(s, () => {
        const k = nodeKit(s);
        // d holds the only reference to v; d's traverse drops it before visiting (crash2).
        const d = k.make(1, { hook: (self, i) => i.call === 1 && i.phase === 'before' && k.drop(self, 0) });
        const v = k.make(0);
        k.set(d, 0, v);
        s.process.Py_DECREF(v);
        s.gc.collect();
      });
      expect(r.verdict).toBe('crash');
      // 3.14.0's _PyGCHead_SET_NEXT keeps the target's low bits: it loads 0x4 before storing.
      const access = python === '3.14.0' ? 'read' : 'write';
      expect(r.fault).toMatchObject({ signal: 'SIGSEGV', code: 'SEGV_MAPERR', address: 0x4, access, where: 'PyObject_GC_UnTrack', exitStatus: 139 });
      const bt = r.fault!.backtrace;
      expect(bt.slice(0, 5)).toEqual(['PyObject_GC_UnTrack', 'Node_dealloc', 'Py_DECREF', 'Node_traverse', 'subtract_refs']);
      expect(bt.slice(5, -1)).toEqual(python === '3.8' ? ['collect', 'gc.collect'] : ['deduce_unreachable', 'gc_collect_main', 'gc.collect']);
      expect(bt.at(-1)).toMatch(/^main at test\/simulator\/[\w.-]+\.ts:\d+$/);
    });

    it(`${python}: victim already visited (gc_refs 0) → SIGSEGV writing 0x0`, () => {
      const s = sim(python);
      const r = runSimulation(s, () => {
        const k = nodeKit(s);
        const d = k.make(1, { hook: (self, i) => i.call === 1 && i.phase === 'after' && k.drop(self, 0) });
        const v = k.make(0);
        k.set(d, 0, v);
        s.process.Py_DECREF(v);
        s.gc.collect();
      });
      const access = python === '3.14.0' ? 'read' : 'write';
      expect(r.fault).toMatchObject({ signal: 'SIGSEGV', code: 'SEGV_MAPERR', address: 0x0, access, where: 'PyObject_GC_UnTrack' });
      expect(r.fault!.backtrace.slice(3, 5)).toEqual(['Node_traverse', 'subtract_refs']);
    });
  }

  it('3.11: crash1 of the seed (pool flush: a self-cycle decref’d to 1, b to 0) → 0x4', () => {
    const s = sim('3.11');
    const r = runSimulation(s, () => {
      const k = nodeKit(s);
      const pool = new PendingPool(s);
      const a = k.make(1, { hook: (_x, i) => i.call === 1 && i.phase === 'before' && pool.flush() });
      k.set(a, 0, a); // a: refcnt 2 (self edge + the pending reference)
      const b = k.make(0); // b: refcnt 1 (pending only)
      pool.add(a);
      pool.add(b);
      return { a: s.process.refcnt(a), b: s.process.refcnt(b), n: s.gc.collect() };
    });
    expect(r.fault).toMatchObject({ signal: 'SIGSEGV', address: 0x4, access: 'write' });
    expect(r.fault!.backtrace.slice(0, 5)).toEqual(['PyObject_GC_UnTrack', 'Node_dealloc', 'Py_DECREF', 'Node_traverse', 'subtract_refs']);
  });

  it('3.11: a dealloc that skips untracking faults the same way in PyObject_GC_Del (gc_list_remove)', () => {
    const s = sim('3.11');
    const r = runSimulation(s, () => {
      const p = s.process;
      const lazy = p.defineType({
        name: 'Lazy',
        gc: true,
        traverse: () => 0,
        dealloc: (op) => p.PyObject_GC_Del(op),
        referents: () => [],
      });
      const k = nodeKit(s);
      const d = k.make(1, { hook: (self, i) => i.call === 1 && i.phase === 'before' && k.drop(self, 0) });
      const v = p.gcNew(lazy, null);
      p.PyObject_GC_Track(v);
      k.set(d, 0, v);
      p.Py_DECREF(v);
      s.gc.collect();
    });
    expect(r.fault).toMatchObject({ signal: 'SIGSEGV', address: 0x4, access: 'write', where: 'PyObject_GC_Del' });
    expect(r.fault!.backtrace.slice(0, 5)).toEqual(['PyObject_GC_Del', 'Lazy_dealloc', 'Py_DECREF', 'Node_traverse', 'subtract_refs']);
  });

  for (const python of ['3.8', '3.11', '3.13']) {
    it(`${python}: a victim dying in the resurrection pass's subtract_refs → 0x4 there`, () => {
      const s = sim(python);
      const r = runSimulation(s, () => {
        const k = nodeKit(s);
        // Garbage: d <-> e, and d also owns v (garbage too). d's 3rd traverse call is the
        // resurrection check (after subtract_refs and … d is unreachable, so no
        // move_unreachable call): drop v before visiting it.
        const d = k.make(2);
        const e = k.make(1);
        const v = k.make(0);
        k.set(d, 0, e);
        k.set(e, 0, d);
        k.set(d, 1, v);
        for (const x of [d, e, v]) s.process.Py_DECREF(x);
        k.setHook(d, (self, i) => i.call === 2 && i.phase === 'before' && k.drop(self, 1));
        s.gc.collect();
      });
      expect(r.fault).toMatchObject({ signal: 'SIGSEGV', address: 0x4, access: 'write', where: 'PyObject_GC_UnTrack' });
      const bt = r.fault!.backtrace;
      expect(bt.slice(0, 5)).toEqual(['PyObject_GC_UnTrack', 'Node_dealloc', 'Py_DECREF', 'Node_traverse', 'subtract_refs']);
      expect(bt[5]).toBe(python === '3.8' ? 'check_garbage' : 'deduce_unreachable');
      expect(bt).toContain(python === '3.8' ? 'check_garbage' : 'handle_resurrected_objects');
    });
  }
});

describe('3.7: gc_refs in its own word', () => {
  it('the seed crash1 shape untracks cleanly; the overstated self-cycle survives one collection', () => {
    const s = sim('3.7');
    const r = runSimulation(s, () => {
      const k = nodeKit(s);
      const pool = new PendingPool(s);
      const a = k.make(1, { hook: (_x, i) => i.call === 1 && i.phase === 'before' && pool.flush() });
      k.set(a, 0, a);
      const b = k.make(0);
      pool.add(a);
      pool.add(b);
      const first = s.gc.collect();
      const bFreed = s.process.isFreed(b);
      const second = s.gc.collect();
      return { first, bFreed, second, aFreed: s.process.isFreed(a) };
    });
    expect(r.value).toEqual({ first: 0, bFreed: true, second: 1, aFreed: true });
    // No fault, but b was freed and a's count dropped inside a's traverse: corrupt (issue 13).
    expect(r.verdict).toBe('corrupt');
    expect(graphChanges(r).map((c) => [c.kind, c.kind === 'refcount' ? c.what : ''])).toEqual([['freed', ''], ['refcount', 'ob_refcnt 2 → 1']]);
  });

  it('the same crash2 drop that faults at 0x4 on 3.8+ is clean on 3.7 and the victim is not counted', () => {
    const s = sim('3.7');
    const r = runSimulation(s, () => {
      const k = nodeKit(s);
      const d = k.make(2, { hook: (self, i) => i.call === 1 && i.phase === 'before' && k.drop(self, 0) });
      const v = k.make(0);
      k.set(d, 0, v);
      k.set(d, 1, d);
      s.process.Py_DECREF(v);
      s.process.Py_DECREF(d); // d is a garbage self-cycle
      return { n: s.gc.collect(), v: s.process.isFreed(v), d: s.process.isFreed(d) };
    });
    expect(r.value).toEqual({ n: 1, v: true, d: true });
    expect(r.verdict).toBe('corrupt'); // v freed inside d's traverse (issue 13), though structurally clean
    expect(r.audit.map((f) => f.kind)).toEqual(['graph-changed-during-traverse']);
    expect(graphChanges(r).map((c) => c.kind)).toEqual(['freed']);
  });

  it('a traverse whose own object dies under it → the list walk follows the freed block into the free list → SIGSEGV', () => {
    const s = sim('3.7');
    const r = runSimulation(s, () => {
      const k = nodeKit(s);
      const pool = new PendingPool(s);
      const d = k.make(0, { hook: (_x, i) => i.call === 1 && i.phase === 'before' && pool.flush() });
      pool.add(d); // the only reference to d is a pending decref
      s.gc.collect();
    });
    expect(r.verdict).toBe('crash');
    // subtract_refs reads d->gc.gc_next after the traverse: pymalloc put its free-list link
    // there, NULL in a full pool; FROM_GC(NULL) = 0x20 and Py_TYPE reads 0x28, as CPython 3.7.16
    // does (test/simulator/pymalloc-free.test.ts runs the same program on it).
    expect(r.fault).toMatchObject({ signal: 'SIGSEGV', code: 'SEGV_MAPERR', access: 'read', address: 0x28 });
    expect(r.fault!.backtrace[0]).toBe('subtract_refs');
  });

  for (const earlierFrees of [1, 2, 5]) {
    it(`the same walk after ${earlierFrees} earlier free(s) follows the pool's free list to its NULL end, not into live objects (no endless walk)`, () => {
      const s = sim('3.7');
      const p = s.process;
      let traverses = 0;
      // A regression guard: the walk used to run from the free list into blocks allocated after
      // the first free and round the heap for ever.
      p.tracer = (e) => {
        if (e.kind === 'traverse' && ++traverses > 10_000) throw new Error('endless list walk');
      };
      const r = runSimulation(s, () => {
        const k = nodeKit(s);
        for (let i = 0; i < earlierFrees; i++) p.Py_DECREF(k.make(0)); // freed blocks: the free list
        const live = [k.make(0), k.make(0)]; // allocated after them
        const pool = new PendingPool(s);
        const d = k.make(0, { hook: (_x, i) => i.call === 1 && i.phase === 'before' && pool.flush() });
        pool.add(d);
        s.gc.collect();
        return live;
      });
      expect(r.error).toBeUndefined();
      // d's link is the block freed before it, and so on back to the pool's first free (NULL).
      expect(r.fault).toMatchObject({ signal: 'SIGSEGV', code: 'SEGV_MAPERR', access: 'read', address: 0x28 });
      expect(traverses).toBeLessThan(20);
      expect(r.fault!.backtrace[0]).toBe('subtract_refs');
    });
  }

  it('3.11: the same self-drop faults at once at 0x4 (UNTRACK of the traversed object)', () => {
    const s = sim('3.11');
    const r = runSimulation(s, () => {
      const k = nodeKit(s);
      const pool = new PendingPool(s);
      const d = k.make(0, { hook: (_x, i) => i.call === 1 && i.phase === 'before' && pool.flush() });
      pool.add(d);
      s.gc.collect();
    });
    expect(r.fault).toMatchObject({ signal: 'SIGSEGV', address: 0x4, access: 'write', where: 'PyObject_GC_UnTrack' });
  });
});
