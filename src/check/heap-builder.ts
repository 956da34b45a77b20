// Builds one adversarial heap state for a pyclass through the binding API (no hand-written
// driver): the instance, its reference fields' targets, a cycle back to it, a deferred decref
// left by another thread, then starts the collection the state names, and collects in full
// twice more (leaks and nondeterministic traverses show over repeated collections).

import { Py, Python, gc, spawnThread, type PyClass } from '../api/index.js';
import { currentInterpreter } from '../api/interpreter.js';
import { adoptRef } from '../api/py.js';
import { newList } from '../simulator/index.js';
import type { HeapState } from './states.js';

/** A fresh young builtin list, owned by the returned reference (refcount 1). */
function youngList(): Py<unknown> {
  const interp = currentInterpreter('heap-builder');
  return adoptRef(interp, newList(interp.process, interp.sim.builtins));
}

/** Stores `value` into field `k` of `obj` through a mutable borrow (drops what was there). */
function setField(py: Python, cls: PyClass, obj: Py<unknown>, k: string, value: Py<unknown>): void {
  const view = (obj as Py<PyClass>).borrowMut(py) as unknown as Record<string, unknown> & { release(): void };
  const kind = cls.fields[k].kind;
  if (kind === 'cell') (view[k] as { set(v: unknown): void }).set(value);
  else if (kind === 'list') (view[k] as { push(v: unknown): void }).push(value);
  else view[k] = value;
  view.release();
}

/** Runs inside `Interpreter#run`: builds `state` for `cls` and collects. */
export function buildAndCollect(cls: PyClass, state: HeapState): void {
  gc.disable();
  const olds: Record<string, Py<unknown>> = {};
  for (const [k, t] of Object.entries(state.refs)) if (t === 'old-rc1') olds[k] = youngList();
  if (Object.keys(olds).length) {
    // Promote everything that exists now to the oldest generation.
    gc.collect(0);
    gc.collect(1);
  }
  const keep: Py<unknown>[] = [];
  const x = Python.withGil((py) => {
    const init: Record<string, unknown> = { ...state.values };
    const later: [string, 'self' | 'peer'][] = [];
    for (const [k, t] of Object.entries(state.refs)) {
      const kind = cls.fields[k].kind;
      const wrap = (v: Py<unknown>) => (kind === 'list' ? [v] : v);
      if (t === 'young-rc1') init[k] = wrap(youngList());
      else if (t === 'young-rc2') {
        const l = youngList();
        keep.push(l.cloneRef(py));
        init[k] = wrap(l);
      } else if (t === 'old-rc1') init[k] = wrap(olds[k]);
      else if (t === 'self' || t === 'peer') {
        later.push([k, t]);
        if (kind === 'ref') init[k] = youngList(); // replaced below
      }
    }
    const obj = Py.new(py, cls, init as never) as Py<unknown>;
    for (const [k, t] of later) {
      if (t === 'self') setField(py, cls, obj, k, obj.cloneRef(py));
      else {
        const peerInit: Record<string, unknown> = {};
        for (const f of cls.referenceFields) if (cls.fields[f].kind === 'ref') peerInit[f] = youngList();
        const peer = Py.new(py, cls, peerInit as never) as Py<unknown>;
        setField(py, cls, peer, k, obj.cloneRef(py));
        setField(py, cls, obj, k, peer);
      }
    }
    return obj;
  });
  if (state.held === 'garbage') Python.withGil(() => x.drop());
  else keep.push(x);
  // Last before the collection: any GIL acquisition on this thread (the building above, the
  // drop of a garbage instance) would apply the pending decref and empty the pool again.
  if (state.pool === 'pending') {
    spawnThread(() => {
      const victim = Python.withGil(() => youngList());
      victim.drop(); // no GIL on this thread: the decref waits in the reference pool
    }, 'pool-filler');
  }
  switch (state.collection) {
    case 'full':
      gc.collect();
      break;
    case 'gen0':
      gc.collect(0);
      break;
    case 'auto': {
      gc.enable();
      gc.setThreshold(1);
      // Python code allocates: the collection starts inside the allocation (≤3.11) or at the
      // next eval-breaker check (3.12+).
      const interp = currentInterpreter('heap-builder');
      const p = interp.process;
      for (let i = 0; i < 3 && !p.crash; i++) p.Py_DECREF(newList(p, interp.sim.builtins));
      interp.pythonCheckpoint();
      break;
    }
  }
  // Then two full collections: a leak shows only once an unreachable object has survived two
  // full collections (reference §9), and a nondeterministic traverse only when successive
  // collections see different graphs.
  const p = currentInterpreter('heap-builder').process;
  for (let i = 0; i < 2 && !p.crash; i++) gc.collect();
}
