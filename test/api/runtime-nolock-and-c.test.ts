// Two witness runtimes (issue 3, "Runtimes"). `pyo3-0.19-nolock`: 0.19's trampoline without
// LockGIL — no pool, GIL count unchanged — so a drop inside traverse is deferred, but a GIL
// acquisition or pool creation inside traverse from a thread whose count is 0 creates a GILPool
// that drains the reference pool mid-collection: a pending decref of a young object crashes.
// `c`: raw C — a drop is Py_DECREF now, withGil is PyGILState_Ensure, no pools.
import { afterEach, describe, expect, it } from 'vitest';
import { GILPool, Py, Python, gc, spawnThread } from 'traverse-guard';
import * as crash1 from '../../fixtures/seed/crash1.js';
import * as crash2 from '../../fixtures/seed/crash2.js';
import { Node, callTraverse, hook, resetHook, runOn, selfCycle, dropNextInTraverse, parentAndChild, type NodeRef } from './helpers.js';

afterEach(resetHook);

/** crash1's heap: a kept self-cycle `a` (so a traverse runs) and a young `b` with a pending decref. */
function pendingYoungDecref(interp: { pool: { decrefs: number[] } }): { a: NodeRef; b: NodeRef; pending: number } {
  let a!: NodeRef;
  let b!: NodeRef;
  spawnThread(() => {
    [a, b] = Python.withGil((py) => [selfCycle(py), Py.new(py, Node, {})]);
    b.drop(); // no GIL on this thread: deferred, b's only reference
  });
  return { a, b, pending: interp.pool.decrefs.length };
}

const draining: ReadonlyArray<readonly [string, (py: Python) => unknown]> = [
  ['Python.withGil', () => Python.withGil(() => 1)],
  ['Python.attach', () => Python.attach(() => 1)],
  ['Python.acquireGil', () => Python.acquireGil().release()],
  ['new GILPool', () => new GILPool().drop()],
  ['Python#newPool', (py) => py.newPool().drop()],
  ['Python.withPool', () => Python.withPool(() => 1)],
  ['Python#allowThreads (SuspendGIL::drop)', (py) => py.allowThreads(() => 1)],
  ['gc.getCount (a call into Python)', () => gc.getCount()],
];

describe('pyo3-0.19-nolock', () => {
  it('the trampoline leaves the GIL count alone and creates no pool', () => {
    const r = runOn('pyo3-0.19-nolock', (interp) => {
      const { a, pending } = pendingYoungDecref(interp);
      const inside: Array<[number, number]> = [];
      hook.fn = () => void inside.push([interp.thread.gilCount, interp.pool.decrefs.length]);
      callTraverse(interp, a);
      gc.collect();
      return { pending, inside, after: interp.pool.decrefs.length };
    });
    const v = r.value!;
    expect(v.pending).toBe(1);
    expect(v.inside.length).toBeGreaterThanOrEqual(3);
    expect(v.inside.every(([count, pending]) => count === 0 && pending === 1)).toBe(true);
    expect(v.after).toBe(1);
    expect(r.verdict).toBe('ok');
  });

  it.each(draining)('%s inside traverse (count 0) drains the pool mid-collection: crash', (name, op) => {
    const r = runOn('pyo3-0.19-nolock', (interp) => {
      const { pending } = pendingYoungDecref(interp);
      const py = Python.withGil((p) => p); // (this acquisition drains the first pending decref…)
      const again = pendingYoungDecref(interp); // … so queue a fresh one
      hook.fn = () => void op(py);
      gc.collect();
      return { pending, again: again.pending };
    });
    expect(r.verdict).toBe('crash');
    expect(r.fault).toMatchObject({ signal: 'SIGSEGV', access: 'write', where: 'PyObject_GC_UnTrack' });
    const bt = r.fault!.backtrace;
    const i = bt.indexOf('pyo3::gil::ReferencePool::update_counts');
    expect(i).toBeGreaterThan(0);
    expect(bt.slice(0, i)).toEqual(['PyObject_GC_UnTrack', 'Node_dealloc', 'Py_DECREF']);
    expect(bt.slice(i).some((f) => f.startsWith('Node.traverse at test/api/'))).toBe(true);
    expect(bt).toContain('Node_traverse');
    expect(r.stopped).toEqual([]); // nothing stopped it
    void name;
  });

  it('the same acquisition is harmless when no decref is pending', () => {
    const r = runOn('pyo3-0.19-nolock', (interp) => {
      const a = Python.withGil((py) => selfCycle(py));
      const inside: number[] = [];
      hook.fn = () => Python.withGil(() => void inside.push(interp.thread.gilCount));
      callTraverse(interp, a);
      Python.withGil(() => a.drop());
      return { inside, collected: gc.collect() };
    });
    expect(r.value!.inside[0]).toBe(1); // a pool was created (count 0 → 1)
    expect(r.value!.collected).toBe(1);
    expect(r.verdict).toBe('ok');
  });

  it('a collection started inside withGil (count 1) makes the inner acquisition GILGuard::Assumed: no pool, no crash', () => {
    const r = runOn('pyo3-0.19-nolock', (interp) => {
      const { pending } = pendingYoungDecref(interp);
      void pending;
      return Python.withGil(() => {
        // The outer acquisition drained the pool; queue a fresh pending decref from a thread.
        const fresh = pendingYoungDecref(interp);
        hook.fn = () => Python.withGil(() => 1);
        gc.collect();
        return { fresh: fresh.pending, after: interp.pool.decrefs.length };
      });
    });
    expect(r.value).toEqual({ fresh: 1, after: 1 });
    expect(r.verdict).toBe('ok');
  });

  it('a drop inside traverse is deferred (the count is 0, not acquired)', () => {
    const r = runOn('pyo3-0.19-nolock', (interp) => {
      const [a, b] = Python.withGil(parentAndChild);
      const inside = dropNextInTraverse(interp, b);
      callTraverse(interp, a);
      const pending = [...interp.pool.decrefs];
      return { inside, pending, b: b.address, later: Python.withGil((py) => b.refcnt(py)) };
    });
    const v = r.value!;
    expect(v.inside).toEqual([2]);
    expect(v.pending).toEqual([v.b]);
    expect(v.later).toBe(1);
    expect(r.verdict).toBe('ok');
  });

  it('a user exception is caught (catch_unwind) and becomes -1', () => {
    const r = runOn('pyo3-0.19-nolock', (interp) => {
      const a = Python.withGil((py) => selfCycle(py));
      hook.fn = () => {
        throw new Error('boom');
      };
      return callTraverse(interp, a).code;
    });
    expect(r.value).toBe(-1);
    expect(r.verdict).toBe('ok');
    expect(r.traverseErrors).toEqual(['Node.traverse threw Error: boom']);
  });

  it('the seed: crash1 and crash2 both survive (no pool in the trampoline, drops deferred)', () => {
    for (const main of [crash1.main, crash2.main]) {
      const r = runOn('pyo3-0.19-nolock', () => main());
      expect(r.verdict).toBe('ok');
      expect(r.audit).toEqual([]);
    }
  });
});

describe('c (raw C semantics)', () => {
  it('a drop is Py_DECREF now, on any thread and inside traverse', () => {
    const r = runOn('c', (interp) => {
      const [a, b] = Python.withGil(parentAndChild);
      const inside = dropNextInTraverse(interp, b);
      callTraverse(interp, a);
      hook.fn = null;
      const c = Python.withGil((py) => b.cloneRef(py));
      const beforeThread = interp.process.refcnt(b.address);
      spawnThread(() => c.drop());
      return { inside, beforeThread, afterThread: interp.process.refcnt(b.address), pool: interp.pool.decrefs.length + interp.pool.increfs.length };
    });
    expect(r.value).toEqual({ inside: [1], beforeThread: 2, afterThread: 1, pool: 0 });
  });

  it('withGil inside traverse is PyGILState_Ensure: no pool, no count, nothing stopped', () => {
    const r = runOn('c', (interp) => {
      const a = Python.withGil((py) => selfCycle(py));
      const inside: number[] = [];
      hook.fn = () => Python.withGil(() => void inside.push(interp.thread.gilCount));
      const code = callTraverse(interp, a).code;
      hook.fn = null;
      Python.withGil(() => a.drop());
      return { code, inside, collected: gc.collect() };
    });
    expect(r.value).toEqual({ code: 0, inside: [0], collected: 1 });
    expect(r.verdict).toBe('ok');
    expect(r.stopped).toEqual([]);
  });

  it('crash2 (a take in traverse) crashes; crash1 (drops on a thread) survives', () => {
    const r2 = runOn('c', () => crash2.main());
    expect(r2.verdict).toBe('crash');
    expect(r2.fault).toMatchObject({ signal: 'SIGSEGV', access: 'write', where: 'PyObject_GC_UnTrack' });
    expect(r2.fault!.backtrace).toContain('Ref_traverse');
    const r1 = runOn('c', () => crash1.main());
    expect(r1.verdict).toBe('ok');
  });
});
