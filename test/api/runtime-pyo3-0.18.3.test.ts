// The PyO3 0.18.3 runtime (pyo3-traverse.md §1.1, §2.1) and the seed's local patch: the
// traverse trampoline creates a GILPool (GIL count + 1) whose `update_counts` applies the
// deferred increfs, then decrefs, mid-collection; drops inside traverse decref at once; there is
// no catch_unwind, so a panic aborts ("uncaught panic inside __traverse__ handler"). The patched
// runtime keeps the pool but skips update_counts.
import { afterEach, describe, expect, it } from 'vitest';
import { Py, Python, gc, spawnThread, type RefCell } from 'traverse-guard';
import * as crash1 from '../../fixtures/seed/crash1.js';
import { Node, callTraverse, hook, resetHook, runOn, selfCycle, dropNextInTraverse, parentAndChild, type NodeRef } from './helpers.js';

afterEach(resetHook);

/** `b`, a self-cycle (refcnt 3: main's, its own, and a clone dropped on a thread without the GIL → pending). */
function pendingDecrefOn(): { b: NodeRef } {
  const b = Python.withGil((py) => selfCycle(py));
  spawnThread(() => {
    const c = Python.withGil((py) => b.cloneRef(py));
    c.drop(); // no GIL: deferred
  });
  return { b };
}

describe('pyo3-0.18.3: the traverse trampoline is a GILPool', () => {
  it.each([
    ['Python code', 0],
    ['inside Python.withGil', 1],
  ] as const)('raises the GIL count by one while traverse runs (called from %s) and restores it', (where, base) => {
    const r = runOn('pyo3-0.18.3', (interp) => {
      const a = Python.withGil((py) => selfCycle(py));
      const inside: number[] = [];
      hook.fn = () => void inside.push(interp.thread.gilCount);
      const probe = () => ({ code: callTraverse(interp, a).code, after: interp.thread.gilCount });
      return { ...(where === 'Python code' ? probe() : Python.withGil(probe)), inside };
    });
    expect(r.value).toEqual({ code: 0, after: base, inside: [base + 1] });
  });

  it('applies a pending decref inside traverse (update_counts mid-collection)', () => {
    const r = runOn('pyo3-0.18.3', (interp) => {
      const { b } = pendingDecrefOn();
      const before = { pending: interp.pool.decrefs.length, refcnt: interp.process.refcnt(b.address) };
      const inside: Array<{ pending: number; refcnt: number }> = [];
      hook.fn = () => void inside.push({ pending: interp.pool.decrefs.length, refcnt: interp.process.refcnt(b.address) });
      gc.collect();
      return { before, first: inside[0] };
    });
    expect(r.value).toEqual({ before: { pending: 1, refcnt: 3 }, first: { pending: 0, refcnt: 2 } });
    // b survives: the decref did not reach 0 … but gc_refs is stale, and the count the collector
    // snapshotted changed under it and was not restored when the traverse returned: corrupt.
    expect(r.verdict).toBe('corrupt');
    expect(r.anomalies.map((a) => a.kind)).toContain('refcount-changed-during-collection');
    const change = r.anomalies.find((a) => a.kind === 'graph-changed-during-traverse')?.change;
    expect(change).toMatchObject({ kind: 'refcount', what: 'ob_refcnt 3 → 2', operation: 'Py_DECREF ← pyo3::gil::ReferencePool::update_counts ← pyo3::gil::GILPool::new', damage: true });
  });

  it('the patched runtime keeps the pool but applies nothing: the decref waits for the next GIL acquisition', () => {
    const r = runOn('pyo3-0.18.3-patched', (interp) => {
      const { b } = pendingDecrefOn();
      const inside: Array<{ count: number; pending: number; refcnt: number }> = [];
      hook.fn = () => void inside.push({ count: interp.thread.gilCount, pending: interp.pool.decrefs.length, refcnt: interp.process.refcnt(b.address) });
      gc.collect();
      const afterCollect = interp.pool.decrefs.length;
      const afterGil = Python.withGil((py) => b.refcnt(py));
      return { first: inside[0], afterCollect, afterGil };
    });
    expect(r.value).toEqual({ first: { count: 1, pending: 1, refcnt: 3 }, afterCollect: 1, afterGil: 2 });
    expect(r.anomalies.map((a) => a.kind)).not.toContain('refcount-changed-during-collection');
  });

  it('update_counts applies all increfs before all decrefs (an incref/decref pair never frees)', () => {
    // PyO3 0.18 had deferred increfs (Py::clone without the GIL); the API offers no way to queue
    // one (cloneRef needs the token), so the pair is queued on the ReferencePool directly.
    const r = runOn('pyo3-0.18.3', (interp) => {
      const b = Python.withGil((py) => selfCycle(py));
      const rc0 = interp.process.refcnt(b.address); // 2: main's + the self-reference
      const x = Python.withGil((py) => Py.new(py, Node, {}));
      const rcx = interp.process.refcnt(x.address); // 1
      interp.pool.increfs.push(x.address, b.address);
      interp.pool.decrefs.push(x.address, b.address);
      callTraverse(interp, b);
      return { rc0, rcx, x: interp.process.refcnt(x.address), b: interp.process.refcnt(b.address), live: interp.process.isLive(x.address), pool: interp.pool.increfs.length + interp.pool.decrefs.length };
    });
    expect(r.value).toEqual({ rc0: 2, rcx: 1, x: 1, b: 2, live: true, pool: 0 });
    expect(r.verdict).toBe('ok');
  });

  it('creates the pool (and applies the counts) even when the object is mutably borrowed and skipped', () => {
    const r = runOn('pyo3-0.18.3', (interp) => {
      const { b } = pendingDecrefOn();
      return Python.withGil((py) => {
        // withGil from count 0 already drained the pool: queue another decref.
        const c = b.cloneRef(py);
        spawnThread(() => c.drop());
        const pending = interp.pool.decrefs.length;
        const m = b.borrowMut(py);
        hook.calls = 0;
        const res = callTraverse(interp, b);
        m.release();
        return { pending, res: res.code, visited: res.visited.length, calls: hook.calls, after: interp.pool.decrefs.length };
      });
    });
    expect(r.value).toEqual({ pending: 1, res: 0, visited: 0, calls: 0, after: 0 });
  });
});

describe('pyo3-0.18.3: drops inside traverse', () => {
  it.each(['pyo3-0.18.3', 'pyo3-0.18.3-patched'] as const)('%s: a take() inside traverse decrefs at once', (runtime) => {
    const r = runOn(runtime, (interp) => {
      const [a, b] = Python.withGil(parentAndChild);
      const inside = dropNextInTraverse(interp, b);
      callTraverse(interp, a);
      return { inside, pending: interp.pool.decrefs.length };
    });
    expect(r.value).toEqual({ inside: [1], pending: 0 });
  });

  it.each(['pyo3-0.18.3', 'pyo3-0.18.3-patched'] as const)(
    '%s: a take() that drops the last reference to a cycle member mid-collection crashes (crash2 shape)',
    (runtime) => {
      const r = runOn(runtime, () => {
        Python.withGil((py) => {
          const a = Py.new(py, Node, { n: 1 });
          const b = Py.new(py, Node, {});
          const ma = a.borrowMut(py);
          ma.next.set(b.cloneRef(py));
          ma.release();
          const mb = b.borrowMut(py);
          mb.next.set(a.cloneRef(py));
          mb.release();
          a.drop(); // with the GIL: immediate; the a <-> b cycle is garbage
          b.drop();
        });
        hook.fn = (self) => {
          if (self.n === 1) (self.next as unknown as RefCell).take();
        };
        gc.collect();
      });
      expect(r.verdict).toBe('crash');
      // The write goes through _gc_prev, which holds gc_refs (0 here: b was visited first) and flags.
      expect(r.fault).toMatchObject({ signal: 'SIGSEGV', access: 'write', where: 'PyObject_GC_UnTrack' });
      expect(r.fault!.address).toBeLessThan(0x10);
      const bt = r.fault!.backtrace;
      expect(bt.slice(0, 3)).toEqual(['PyObject_GC_UnTrack', 'Node_dealloc', 'Py_DECREF']);
      expect(bt).toContain('Node_traverse');
      expect(bt).not.toContain('pyo3::gil::ReferencePool::update_counts');
    },
  );
});

describe('pyo3-0.18.3: no catch_unwind', () => {
  it('an exception in traverse aborts the process: "uncaught panic inside __traverse__ handler"', () => {
    const r = runOn('pyo3-0.18.3', () => {
      Python.withGil((py) => selfCycle(py));
      hook.fn = () => {
        throw new Error('boom');
      };
      gc.collect();
      return 'unreachable';
    });
    expect(r.verdict).toBe('crash');
    expect(r.fault).toMatchObject({ signal: 'SIGABRT', where: 'Node_traverse', message: 'uncaught panic inside __traverse__ handler', exitStatus: 134 });
    expect(r.value).toBeUndefined();
    expect(r.exception).toBeUndefined(); // a crash, not a Python exception
  });

  it('the patched runtime aborts too', () => {
    const r = runOn('pyo3-0.18.3-patched', (interp) => {
      const a = Python.withGil((py) => selfCycle(py));
      hook.fn = () => {
        throw new Error('boom');
      };
      callTraverse(interp, a);
    });
    expect(r.verdict).toBe('crash');
    expect(r.fault?.message).toBe('uncaught panic inside __traverse__ handler');
  });

  it("a visitor's non-zero result still propagates (unwrap_traverse_result)", () => {
    const r = runOn('pyo3-0.18.3', (interp) => {
      const a = Python.withGil((py) => selfCycle(py));
      return callTraverse(interp, a, 9).code;
    });
    expect(r.value).toBe(9);
    expect(r.verdict).toBe('ok');
  });
});

describe('pyo3-0.18.3: no lock', () => {
  it('withGil inside traverse runs (the GIL is already held: no new pool) and nothing is stopped', () => {
    const r = runOn('pyo3-0.18.3', (interp) => {
      const a = Python.withGil((py) => selfCycle(py));
      const inside: number[] = [];
      hook.fn = () => Python.withGil(() => void inside.push(interp.thread.gilCount));
      const code = callTraverse(interp, a).code;
      return { code, inside, after: interp.thread.gilCount };
    });
    expect(r.value).toMatchObject({ code: 0, after: 0 });
    expect(r.value!.inside).toHaveLength(1);
    expect(r.value!.inside[0]).toBeGreaterThanOrEqual(1); // the trampoline's pool already raised it
    expect(r.verdict).toBe('ok');
    expect(r.stopped).toEqual([]);
  });

  it('crash1 drains the pool in the first traverse: b is freed with gc_refs in _gc_prev', () => {
    const r = runOn('pyo3-0.18.3', () => crash1.main());
    expect(r.verdict).toBe('crash');
    expect(r.fault?.backtrace).toContain('pyo3::gil::ReferencePool::update_counts');
  });
});
