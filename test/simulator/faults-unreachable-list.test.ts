// Reference §3.2 cases C1, C2 and C': the victim dies while it sits on move_unreachable's
// temporary unreachable list, whose `_gc_next` words carry NEXT_MASK_UNREACHABLE. The raw
// GC_NEXT is misaligned by +1, so UNTRACK's SET_PREV is an 8-byte store at next+9:
// C1 (victim last): the stack head's `_gc_prev` is garbled, the list reads as empty, the
// victim is silently lost (debug: 'prev == GC_PREV(head)'); C2 (not last, next is W):
// W's `_gc_prev` becomes non-canonical and W's refcount low byte 0, the next GC_PREV(W)
// faults with SI_KERNEL; C' (incremental 3.14.0): masked next, clean removal.
import { describe, expect, it } from 'vitest';
import { runSimulation, type Simulation } from '../../src/simulator/index.js';
import { GEN_PROFILES, nodeKit, sim } from './helpers.js';

const inMove = (i: { pass: string; phase: string }) => i.pass === 'move_unreachable' && i.phase === 'before';

/** C1: v tracked before the reachable dropper d, so v is the last unreachable object. */
function c1(s: Simulation) {
  const k = nodeKit(s);
  const v = k.make(0);
  const d = k.make(1, { hook: (self, i) => inMove(i) && k.drop(self, 0) });
  k.set(d, 0, v);
  s.process.Py_DECREF(v);
  return { k, v, d };
}

/** C2, W visited afterwards: v, w (both held only by d), then d drops v and visits w. */
function c2Visited(s: Simulation) {
  const k = nodeKit(s);
  const v = k.make(0);
  const w = k.make(0);
  const d = k.make(2, { hook: (self, i) => inMove(i) && k.drop(self, 0) });
  k.set(d, 0, v);
  k.set(d, 1, w);
  s.process.Py_DECREF(v);
  s.process.Py_DECREF(w);
  return { k, v, w, d };
}

/** C2, W a garbage self-cycle right after v on the unreachable list. */
function c2SelfCycle(s: Simulation) {
  const k = nodeKit(s);
  const v = k.make(0);
  const w = k.make(1);
  k.set(w, 0, w);
  s.process.Py_DECREF(w);
  const d = k.make(1, { hook: (self, i) => inMove(i) && k.drop(self, 0) });
  k.set(d, 0, v);
  s.process.Py_DECREF(v);
  return { k, v, w, d };
}

describe('case C1: victim last on the unreachable list', () => {
  for (const python of GEN_PROFILES) {
    it(`${python} release: silent; the victim is freed and not counted`, () => {
      const s = sim(python);
      const r = runSimulation(s, () => {
        const { v } = c1(s);
        const n = s.gc.collect();
        return { n, vFreed: s.process.isFreed(v), again: s.gc.collect() };
      });
      expect(r.fault).toBeUndefined();
      expect(r.value).toEqual({ n: 0, vFreed: true, again: 0 });
      expect(r.stats[2]).toEqual({ collections: 2, collected: 0, uncollectable: 0 });
      // Silent in CPython, but memory was damaged: the audit reports the wild store.
      expect(r.verdict).toBe('corrupt');
      expect(r.audit).toEqual([
        { kind: 'graph-changed-during-traverse', message: expect.stringMatching(/^Node .+ was freed inside Node_traverse\(/) },
        { kind: 'corrupt-list', message: expect.stringMatching(/^misaligned 8-byte store at unreachable \(C stack\)\+9: /) },
      ]);
    });
  }

  for (const python of ['3.9', '3.11', '3.13', '3.14.5']) {
    it(`${python} debug: validate_list: Assertion 'prev == GC_PREV(head)' failed`, () => {
      const s = sim(python, true);
      const r = runSimulation(s, () => {
        c1(s);
        s.gc.collect();
      });
      expect(r.fault).toMatchObject({ signal: 'SIGABRT', message: "validate_list: Assertion 'prev == GC_PREV(head)' failed" });
      expect(r.fault!.backtrace.slice(0, 2)).toEqual(['validate_list', 'deduce_unreachable']);
    });
  }
});

describe('case C2: victim followed by W on the unreachable list', () => {
  for (const python of GEN_PROFILES) {
    it(`${python}: W visited afterwards → SIGSEGV (SI_KERNEL, address 0) in visit_reachable`, () => {
      const s = sim(python);
      const r = runSimulation(s, () => {
        c2Visited(s);
        s.gc.collect();
      });
      expect(r.fault).toMatchObject({ signal: 'SIGSEGV', code: 'SI_KERNEL', address: 0, access: 'write' });
      expect(r.fault!.backtrace.slice(0, 3)).toEqual(['visit_reachable', 'Node_traverse', 'move_unreachable']);
    });

    it(`${python}: W a garbage self-cycle → SIGSEGV (SI_KERNEL) in finalize_garbage's gc_list_move`, () => {
      const s = sim(python);
      const r = runSimulation(s, () => {
        c2SelfCycle(s);
        s.gc.collect();
      });
      expect(r.fault).toMatchObject({ signal: 'SIGSEGV', code: 'SI_KERNEL', address: 0, access: 'write' });
      expect(r.fault!.backtrace.slice(0, 2)).toEqual(['finalize_garbage', python === '3.8' ? 'collect' : 'gc_collect_main']);
    });
  }

  it('3.11 debug, W visited: the assertion itself dereferences the garbage prev → SIGSEGV', () => {
    const s = sim('3.11', true);
    const r = runSimulation(s, () => {
      c2Visited(s);
      s.gc.collect();
    });
    expect(r.fault).toMatchObject({ signal: 'SIGSEGV', code: 'SI_KERNEL', access: 'read' });
  });

  it("3.11 debug, W a garbage self-cycle: validate_list: Assertion 'trueprev == prev' failed", () => {
    const s = sim('3.11', true);
    const r = runSimulation(s, () => {
      c2SelfCycle(s);
      s.gc.collect();
    });
    expect(r.fault).toMatchObject({ signal: 'SIGABRT', message: "validate_list: Assertion 'trueprev == prev' failed" });
  });

  it('3.11: W\u2019s header after the misaligned store (garbled prev, refcount low byte 0)', () => {
    const s = sim('3.11');
    let after: { prev: number; refcnt: number } | undefined;
    runSimulation(s, () => {
      const k = nodeKit(s);
      const v = k.make(0);
      const w = k.make(0);
      const d = k.make(2, {
        hook: (self, i) => {
          if (!inMove(i)) return;
          k.drop(self, 0);
          after = { prev: s.process.mem.loadPrev(s.process.asGc(w)), refcnt: s.process.refcnt(w) };
        },
      });
      k.set(d, 0, v);
      k.set(d, 1, w);
      s.process.Py_DECREF(v);
      s.process.Py_DECREF(w);
      s.gc.collect();
    });
    expect(after).toBeDefined();
    expect(Math.abs(after!.prev)).toBeGreaterThanOrEqual(2 ** 47);
    expect(after!.refcnt).toBe(0);
  });
});

describe("case C': the incremental 3.14.0 masks GC_NEXT", () => {
  it('C1 shape: clean removal, no corruption, nothing counted', () => {
    for (const debug of [false, true]) {
      const s = sim('3.14.0', debug);
      const r = runSimulation(s, () => {
        const { v } = c1(s);
        return { n: s.gc.collect(), vFreed: s.process.isFreed(v) };
      });
      expect(r.value).toEqual({ n: 0, vFreed: true });
      // No list damage; the only finding is the free inside a traverse (issue 13).
      expect(r.verdict).toBe('corrupt');
      expect(r.audit.map((f) => f.kind)).toEqual(['graph-changed-during-traverse']);
    }
  });

  it('C2 shapes: clean; the self-cycle W is still collected', () => {
    const s = sim('3.14.0');
    const r = runSimulation(s, () => {
      const { w } = c2SelfCycle(s);
      return { n: s.gc.collect(), wFreed: s.process.isFreed(w) };
    });
    expect(r.value).toEqual({ n: 1, wFreed: true });
    expect(r.verdict).toBe('corrupt'); // clean lists; the free inside a traverse is the only finding
    expect(r.audit.map((f) => f.kind)).toEqual(['graph-changed-during-traverse']);

    const s2 = sim('3.14.0', true);
    const r2 = runSimulation(s2, () => {
      const { w } = c2Visited(s2);
      return { n: s2.gc.collect(), wLive: s2.process.isLive(w) };
    });
    expect(r2.value).toEqual({ n: 0, wLive: true });
    expect(r2.verdict).toBe('corrupt');
    expect(r2.audit.map((f) => f.kind)).toEqual(['graph-changed-during-traverse']);
  });
});

describe('3.7: the unreachable list is a normal doubly linked list', () => {
  it('C1 and C2 shapes untrack cleanly; counts as without the drop', () => {
    const results = [c1, c2Visited, c2SelfCycle].map((shape) => {
      const s = sim('3.7');
      const r = runSimulation(s, () => {
        const { v } = shape(s);
        return { n: s.gc.collect(), vFreed: s.process.isFreed(v) };
      });
      return { verdict: r.verdict, audit: r.audit.map((f) => f.kind), ...r.value };
    });
    // Clean lists; the free inside a traverse is the only finding (issue 13).
    const audit = ['graph-changed-during-traverse'];
    expect(results).toEqual([
      { verdict: 'corrupt', audit, n: 0, vFreed: true },
      { verdict: 'corrupt', audit, n: 0, vFreed: true },
      { verdict: 'corrupt', audit, n: 1, vFreed: true },
    ]);
  });
});
