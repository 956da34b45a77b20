// The simulated `gc` module (Modules/gcmodule.c's Python-level functions), bound to one
// process. get_referents/get_referrers are not guarded by `collecting`: they re-enter
// tp_traverse, as in CPython.

import { collectAutomatic, collectWithCallback } from './collector/collect.js';
import type { GcCallback, GenStats } from './gcstate.js';
import type { Process } from './process.js';

export class GcModule {
  constructor(private readonly p: Process) {}

  /** gc.collect(generation=2): collected + uncollectable; 0 if a collection is running. */
  collect(generation = 2): number {
    this.p.alive();
    if (!Number.isInteger(generation) || generation < 0 || generation > 2) {
      throw new RangeError('ValueError: invalid generation');
    }
    return this.p.frame('gc.collect', () => collectWithCallback(this.p, generation, 'manual'));
  }

  /** PyGC_Collect(): a full collection, 0 at once when the collector is disabled. */
  PyGC_Collect(): number {
    // The `enabled` test came with 3.8 (checked: 3.7.16 collects while disabled); the
    // incremental-era _PyGC_Collect path of 3.14.0–3.14.4 has none either (reference §1.4).
    if (this.p.profile.pyGcCollectChecksEnabled && !this.p.gc.enabled) return 0;
    return this.p.frame('PyGC_Collect', () => collectWithCallback(this.p, 2, 'manual'));
  }

  /** The eval-breaker check (3.12+): runs a scheduled automatic collection. */
  evalBreaker(): void {
    const gc = this.p.gc;
    if (!gc.scheduled) return;
    gc.scheduled = false;
    // 3.12's _Py_RunGC does not test `collecting` (a nested "double GC"); 3.13+ CAS it.
    const nested = this.p.profile.evalBreakerGcNests;
    if (nested || !gc.collecting) {
      this.p.frame('_Py_HandlePending', () => this.p.frame('_Py_RunGC', () => collectAutomatic(this.p, nested)));
    }
  }

  enable(): void {
    this.p.gc.enabled = true;
  }
  disable(): void {
    this.p.gc.enabled = false;
  }
  isenabled(): boolean {
    return this.p.gc.enabled;
  }
  setDebug(flags: number): void {
    this.p.gc.debugFlags = flags;
  }
  getDebug(): number {
    return this.p.gc.debugFlags;
  }
  getCount(): [number, number, number] {
    const g = this.p.gc.generations;
    return [g[0].count, g[1].count, g[2].count];
  }
  getThreshold(): [number, number, number] {
    const g = this.p.gc.generations;
    return [g[0].threshold, g[1].threshold, g[2].threshold];
  }
  setThreshold(t0: number, t1?: number, t2?: number): void {
    const g = this.p.gc.generations;
    g[0].threshold = t0;
    if (t1 !== undefined) g[1].threshold = t1;
    if (t2 !== undefined) g[2].threshold = t2;
  }
  getStats(): GenStats[] {
    return this.p.gc.stats.map((s) => ({ ...s }));
  }
  get garbage(): number[] {
    return this.p.gc.garbage;
  }
  get callbacks(): GcCallback[] {
    return this.p.gc.callbacks;
  }
  isTracked(op: number): boolean {
    return this.p.isGc(op) && this.p.isTracked(op);
  }

  /** gc.freeze(): every generation moves to the permanent generation. */
  freeze(): void {
    const gc = this.p.gc;
    for (let i = 0; i < 3; i++) {
      this.p.heads.merge(gc.genHead(i), gc.permanent);
      gc.generations[i].count = 0;
    }
  }
  unfreeze(): void {
    const gc = this.p.gc;
    this.p.heads.merge(gc.permanent, gc.genHead(2));
  }
  getFreezeCount(): number {
    return this.p.heads.size(this.p.gc.permanent);
  }

  /** gc.get_referents(*objs): tp_traverse of each argument with a GC type (tracked or not). */
  getReferents(...objs: number[]): number[] {
    const out: number[] = [];
    this.p.frame('gc_get_referents', () => {
      for (const op of objs) {
        if (!this.p.isGc(op)) continue;
        this.p.callTraverse(op, (x) => (out.push(x), 0), null);
      }
    });
    return out;
  }

  /** gc.get_referrers(*objs): walks generations 0..2 and traverses every object. */
  getReferrers(...objs: number[]): number[] {
    const targets = new Set(objs);
    const out: number[] = [];
    const h = this.p.heads;
    this.p.frame('gc_get_referrers', () => {
      for (let i = 0; i < 3; i++) {
        const head = this.p.gc.genHead(i);
        for (let g = h.next(head); g !== head; g = h.next(g)) {
          const op = this.p.fromGc(g);
          this.p.callTraverse(op, (x) => (targets.has(x) ? (out.push(op), 1) : 0), null);
        }
      }
    });
    return out;
  }
}
