// Reference §3.2 cases B1 and B2: a dealloc during move_unreachable. B1: the victim is the
// cursor or right of it (gc_refs still in `_gc_prev`) → SIGSEGV at 0x0 / 0x4. B2: the
// victim is left of the cursor (already scanned, pointers restored): the unlink "works",
// the cursor's back link ends up pointing at the freed victim, the collection returns, and
// the heap corruption fails later (abort or SIGSEGV by version); debug builds stop in
// validate_list with 'trueprev == prev'.
import { describe, expect, it } from 'vitest';
import { newList, runSimulation, type Simulation } from '../../src/simulator/index.js';
import { GEN_PROFILES, nodeKit, PendingPool, sim } from './helpers.js';

const MOVE = (i: { pass: string; phase: string }, phase: 'before' | 'after') => i.pass === 'move_unreachable' && i.phase === phase;

describe('case B1: victim at or right of the cursor', () => {
  for (const python of GEN_PROFILES) {
    it(`${python}: victim right of the cursor, not yet scanned (gc_refs 0) → SIGSEGV writing 0x0`, () => {
      const s = sim(python);
      const r = runSimulation(s, () => {
        const k = nodeKit(s);
        const d = k.make(1, { hook: (self, i) => MOVE(i, 'before') && k.drop(self, 0) }); // d: the test's reference keeps it reachable
        const v = k.make(0);
        k.set(d, 0, v);
        s.process.Py_DECREF(v);
        s.gc.collect();
      });
      expect(r.fault).toMatchObject({ signal: 'SIGSEGV', code: 'SEGV_MAPERR', address: 0x0, access: 'write', where: 'PyObject_GC_UnTrack' });
      expect(r.fault!.backtrace.slice(0, 5)).toEqual(['PyObject_GC_UnTrack', 'Node_dealloc', 'Py_DECREF', 'Node_traverse', 'move_unreachable']);
    });

    it(`${python}: victim first moved to unreachable, visited back (gc_refs 1), then dropped → SIGSEGV writing 0x4`, () => {
      const s = sim(python);
      const r = runSimulation(s, () => {
        const k = nodeKit(s);
        const v = k.make(0); // tracked before d: moved to the unreachable list first
        const d = k.make(1, { hook: (self, i) => MOVE(i, 'after') && k.drop(self, 0) });
        k.set(d, 0, v);
        s.process.Py_DECREF(v);
        s.gc.collect();
      });
      expect(r.fault).toMatchObject({ signal: 'SIGSEGV', address: 0x4, access: 'write', where: 'PyObject_GC_UnTrack' });
      expect(r.fault!.backtrace[4]).toBe('move_unreachable');
    });
  }

  it('3.11: the cursor itself dies (its pending decref is flushed by its own traverse) → 0x4', () => {
    const s = sim('3.11');
    const r = runSimulation(s, () => {
      const k = nodeKit(s);
      const pool = new PendingPool(s);
      const d = k.make(0, { hook: (_x, i) => MOVE(i, 'before') && pool.flush() });
      pool.add(d); // d's only reference: gc_refs 1 → reachable → traversed by move_unreachable
      s.gc.collect();
    });
    expect(r.fault).toMatchObject({ signal: 'SIGSEGV', address: 0x4, access: 'write', where: 'PyObject_GC_UnTrack' });
    expect(r.fault!.backtrace.slice(1, 5)).toEqual(['Node_dealloc', 'Py_DECREF', 'Node_traverse', 'move_unreachable']);
  });
});

/** B2: v (left of cursor c, kept reachable by a pending decref) is dropped by c's traverse. */
function b2(s: Simulation) {
  const k = nodeKit(s);
  const pool = new PendingPool(s);
  const v = k.make(0);
  const c = k.make(1, {
    hook: (self, i) => {
      if (!MOVE(i, 'before')) return;
      pool.flush(); // v: 2 → 1
      k.drop(self, 0); // v: 1 → 0, freed while its neighbour c is the cursor
    },
  });
  k.set(c, 0, v);
  pool.add(v); // v: refcnt 2 = c's slot + the pending decref
  return { k, v, c };
}

describe('case B2: victim left of the cursor', () => {
  const expected: Record<string, 'SIGABRT' | 'SIGSEGV'> = { '3.8': 'SIGABRT', '3.9': 'SIGSEGV', '3.10': 'SIGSEGV', '3.11': 'SIGABRT', '3.12': 'SIGABRT', '3.13': 'SIGSEGV' };
  for (const [python, signal] of Object.entries(expected)) {
    it(`${python}: the collection returns; the heap corruption fails later (${signal})`, () => {
      const s = sim(python);
      const steps: string[] = [];
      const r = runSimulation(s, () => {
        const { v, c } = b2(s);
        steps.push(`collect=${s.gc.collect()}`);
        steps.push(`v freed=${s.process.isFreed(v)}`);
        s.process.Py_DECREF(c); // c's untrack writes into freed v; the allocator notices
        steps.push('survived');
      });
      expect(steps).toEqual(['collect=0', 'v freed=true']);
      expect(r.verdict).toBe('crash');
      expect(r.fault!.signal).toBe(signal);
      expect(r.fault!.exitStatus).toBe(signal === 'SIGABRT' ? 134 : 139);
      if (signal === 'SIGABRT') expect(r.fault!.message).toContain('double free or corruption (out)');
      expect(r.fault!.backtrace).toContain('Node_dealloc');
      expect(r.fault!.backtrace).not.toContain('move_unreachable');
    });
  }

  it('3.11 release: without a later free, the audit finds the dangling back link (verdict corrupt)', () => {
    const s = sim('3.11');
    const r = runSimulation(s, () => {
      b2(s);
      return s.gc.collect();
    });
    expect(r.value).toBe(0);
    expect(r.verdict).toBe('corrupt');
    expect(r.audit.map((f) => f.kind)).toContain('corrupt-list');
  });

  for (const python of ['3.9', '3.11', '3.12', '3.13', '3.14.5']) {
    it(`${python} debug: validate_list: Assertion 'trueprev == prev' failed`, () => {
      const s = sim(python, true);
      const r = runSimulation(s, () => {
        b2(s);
        s.gc.collect();
      });
      expect(r.fault).toMatchObject({ signal: 'SIGABRT', code: 'abort', exitStatus: 134 });
      expect(r.fault!.message).toBe("validate_list: Assertion 'trueprev == prev' failed");
      expect(r.fault!.backtrace.slice(0, 3)).toEqual(['validate_list', 'deduce_unreachable', 'gc_collect_main']);
    });
  }

  it('3.8 debug: no validate_list (GC_DEBUG hard-wired off): returns like release', () => {
    const s = sim('3.8', true);
    const r = runSimulation(s, () => {
      b2(s);
      return s.gc.collect();
    });
    expect(r.fault).toBeUndefined();
    expect(r.value).toBe(0);
  });
});

describe('3.7: move_unreachable with gc_refs in their own word', () => {
  it('B1 and B2 shapes are structurally safe: the collection and the later frees run clean (the free inside a traverse is the only damage)', () => {
    const out: unknown[] = [];
    for (const phase of ['before', 'after'] as const) {
      const s = sim('3.7');
      const r = runSimulation(s, () => {
        const k = nodeKit(s);
        const first = k.make(0);
        const d = k.make(1, { hook: (self, i) => MOVE(i, phase) && k.drop(self, 0) });
        const v = phase === 'before' ? k.make(0) : first; // right of the cursor / moved back from unreachable
        k.set(d, 0, v);
        s.process.Py_DECREF(v);
        const n = s.gc.collect();
        s.process.Py_DECREF(d);
        return { n, vFreed: s.process.isFreed(v) };
      });
      out.push({ verdict: r.verdict, audit: r.audit.map((f) => f.kind), ...r.value });
    }
    const s = sim('3.7');
    const r = runSimulation(s, () => {
      const { v, c } = b2(s);
      const n = s.gc.collect();
      s.process.Py_DECREF(c);
      newList(s.process, s.builtins);
      return { n, vFreed: s.process.isFreed(v) };
    });
    out.push({ verdict: r.verdict, audit: r.audit.map((f) => f.kind), ...r.value });
    const freedInTraverse = { verdict: 'corrupt', audit: ['graph-changed-during-traverse'], n: 0, vFreed: true };
    expect(out).toEqual([freedInTraverse, freedInTraverse, freedInTraverse]);
  });
});
