// The collector's state (struct _gc_runtime_state): generations with thresholds and counts,
// the permanent generation, stats, flags, gc.garbage and gc.callbacks, and the automatic
// collection trigger (reference §1.3, §1.4).

import type { Process } from './process.js';

export const DEBUG_STATS = 1;
export const DEBUG_COLLECTABLE = 2;
export const DEBUG_UNCOLLECTABLE = 4;
export const DEBUG_SAVEALL = 32;
export const DEBUG_LEAK = DEBUG_COLLECTABLE | DEBUG_UNCOLLECTABLE | DEBUG_SAVEALL;

export interface GenStats {
  collections: number;
  collected: number;
  uncollectable: number;
}

export interface Generation {
  /** Address of the generation's list head (in the gcstate region). */
  readonly head: number;
  threshold: number;
  count: number;
}

export type GcCallback = (phase: 'start' | 'stop', info: { generation: number; collected: number; uncollectable: number }) => void;

export class GcState {
  readonly generations: Generation[];
  readonly permanent: number;
  readonly stats: GenStats[] = [0, 1, 2].map(() => ({ collections: 0, collected: 0, uncollectable: 0 }));
  collecting = false;
  enabled = true;
  debugFlags = 0;
  /** gc.garbage: strong references (PyObject*). */
  readonly garbage: number[] = [];
  readonly callbacks: GcCallback[] = [];
  longLivedTotal = 0;
  longLivedPending = 0;
  /** 3.12+: a collection is scheduled for the next eval-breaker check. */
  scheduled = false;
  /** Incremental profile: which old space is "visited" (0/1). */
  visitedSpace = 0;
  /** The current unreachable list head (for debug assertions in visit_reachable). */
  unreachableHead = 0;

  constructor(private readonly p: Process) {
    const mem = p.mem;
    const [t0, t1, t2] = p.profile.thresholds;
    const names = p.profile.incremental ? ['young', 'old[0]', 'old[1]'] : ['generations[0]', 'generations[1]', 'generations[2]'];
    this.generations = [t0, t1, t2].map((threshold, i) => ({
      head: mem.stateHead(i, `gcstate->${names[i]}.head`),
      threshold,
      count: 0,
    }));
    this.permanent = mem.stateHead(3, 'gcstate->permanent_generation.head');
  }

  /** The list new objects are tracked into (generation0 / young). */
  trackHead(): number {
    return this.generations[0].head;
  }

  /** Incremental: GEN_HEAD(1) is old[visited], GEN_HEAD(2) is old[pending]. */
  genHead(i: number): number {
    if (!this.p.profile.incremental || i === 0) return this.generations[i].head;
    return this.generations[1 + (i === 1 ? this.visitedSpace : this.visitedSpace ^ 1)].head;
  }

  onAllocate(): void {
    const g0 = this.generations[0];
    g0.count++;
    if (g0.count > g0.threshold && this.enabled && g0.threshold !== 0 && !this.collecting && this.p.pendingError === null) {
      if (this.p.profile.autoTrigger === 'allocation') {
        this.p.frame('_PyObject_GC_Alloc', () => this.p.frame('collect_generations', () => collectAutomatic(this.p)));
      } else {
        this.scheduled = true;
      }
    }
  }

  onGcDel(): void {
    if (this.generations[0].count > 0) this.generations[0].count--;
  }
}

/** Set by collect.ts (avoids an import cycle). */
export let collectAutomatic: (p: Process) => void = () => {};
export function setAutomaticCollector(fn: (p: Process) => void): void {
  collectAutomatic = fn;
}
