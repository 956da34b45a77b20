// The simulated `gc` module as the binding exposes it. Called from Python code (a scenario's
// top level) it runs directly; called from PyO3 code (a callback, a traverse) it needs the
// interpreter, like `py.import("gc")` would: refused under the guarded lock, and a GILPool
// (with its deferred counts) where the runtime would create one.

import type { GcCallback, GenStats } from '../simulator/index.js';
import { currentInterpreter } from './interpreter.js';
import type { Py } from './py.js';

function call<R>(op: string, fn: (g: ReturnType<typeof currentInterpreter>['sim']['gc']) => R): R {
  const interp = currentInterpreter(op);
  return interp.callIntoPython(op, () => fn(interp.sim.gc));
}

export const gc = {
  /** gc.collect(generation = 2): the number of unreachable objects found. */
  collect(generation = 2): number {
    const r = call('gc.collect', (g) => g.collect(generation));
    currentInterpreter('gc.collect').pythonCheckpoint();
    return r;
  },
  enable(): void {
    call('gc.enable', (g) => g.enable());
  },
  disable(): void {
    call('gc.disable', (g) => g.disable());
  },
  isenabled(): boolean {
    return call('gc.isenabled', (g) => g.isenabled());
  },
  freeze(): void {
    call('gc.freeze', (g) => g.freeze());
  },
  unfreeze(): void {
    call('gc.unfreeze', (g) => g.unfreeze());
  },
  getCount(): [number, number, number] {
    return call('gc.getCount', (g) => g.getCount());
  },
  getStats(): GenStats[] {
    return call('gc.getStats', (g) => g.getStats());
  },
  getThreshold(): [number, number, number] {
    return call('gc.getThreshold', (g) => g.getThreshold());
  },
  setThreshold(t0: number, t1?: number, t2?: number): void {
    call('gc.setThreshold', (g) => g.setThreshold(t0, t1, t2));
  },
  setDebug(flags: number): void {
    call('gc.setDebug', (g) => g.setDebug(flags));
  },
  isTracked(ref: Py<unknown>): boolean {
    return call('gc.isTracked', (g) => g.isTracked(ref.address));
  },
  /** gc.get_referents(obj): re-enters the object's traverse (not guarded by `collecting`). */
  getReferents(ref: Py<unknown>): number {
    return call('gc.getReferents', (g) => g.getReferents(ref.address).length);
  },
  /** gc.get_referrers(obj): traverses every tracked object (not guarded by `collecting`). */
  getReferrers(ref: Py<unknown>): number {
    return call('gc.getReferrers', (g) => g.getReferrers(ref.address).length);
  },
  // Attribute reads are calls into Python too (`py.import("gc")?.getattr(…)`): locked in traverse.
  get callbacks(): GcCallback[] {
    return call('gc.callbacks', (g) => g.callbacks);
  },
  get garbage(): readonly number[] {
    return call('gc.garbage', (g) => g.garbage);
  },
  DEBUG_SAVEALL: 32,
} as const;
