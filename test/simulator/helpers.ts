// Shared fixtures for the simulator fidelity tests: a small extension type `Node` with N
// slots whose tp_traverse can run a hook (before or after visiting its slots), a PyO3-like
// pending-decref pool, and a helper that finds the CPython installs on this machine.
import { spawnSync } from 'node:child_process';
import { createSimulation, type MallocKind, type Simulation } from '../../src/simulator/index.js';
import type { Anomaly, GraphChange, PyType } from '../../src/simulator/index.js';
import { findPythons as discoverPythons } from './cpython-discovery.js';

export interface TraverseInfo {
  /** 1-based count of this object's tp_traverse calls. */
  readonly call: number;
  /** The C frame that called tp_traverse (subtract_refs, move_unreachable, …). */
  readonly pass: string;
  readonly phase: 'before' | 'after';
}

export type Hook = (self: number, info: TraverseInfo) => void;

interface NodeData {
  slots: number[];
  calls: number;
  hook?: Hook;
  /** Visit every slot this many times (2 = the "visits twice" bug). */
  visits: number;
}

export interface NodeKit {
  readonly sim: Simulation;
  readonly type: PyType;
  /** A new tracked Node with `n` empty slots (refcnt 1: the caller's reference). */
  make(n?: number, opts?: { hook?: Hook; track?: boolean; visits?: number }): number;
  /** self.slots[i] = target (a new reference: INCREF target). */
  set(self: number, i: number, target: number): void;
  /** Py_CLEAR(self.slots[i]). */
  drop(self: number, i: number): void;
  setHook(self: number, hook: Hook | undefined): void;
  calls(self: number): number;
  slots(self: number): number[];
}

export function nodeKit(sim: Simulation, name = 'Node', extra: { finalize?: (self: number) => void } = {}): NodeKit {
  const p = sim.process;
  const data = (op: number) => p.payload[p.slot(op)] as NodeData;
  const clearSlots = (op: number) => {
    const a = data(op).slots;
    for (let i = 0; i < a.length; i++) {
      const x = a[i];
      if (x) {
        a[i] = 0;
        p.Py_DECREF(x);
      }
    }
  };
  const type = p.defineType({
    name,
    gc: true,
    traverse: (op, visit, arg) => {
      const d = data(op);
      d.calls++;
      const info = { call: d.calls, pass: p.stack.snapshot()[1] ?? '?' };
      d.hook?.(op, { ...info, phase: 'before' });
      for (let k = 0; k < d.visits; k++) {
        for (const x of d.slots) {
          if (x) {
            const r = visit(x, arg);
            if (r) return r;
          }
        }
      }
      d.hook?.(op, { ...info, phase: 'after' });
      return 0;
    },
    clear: (op) => {
      clearSlots(op);
      return 0;
    },
    // Like a PyO3 pyclass dealloc: untrack, drop the fields, free.
    dealloc: (op) => {
      p.PyObject_GC_UnTrack(op);
      clearSlots(op);
      p.PyObject_GC_Del(op);
    },
    finalize: extra.finalize,
    referents: (op) => data(op).slots.filter((x) => x !== 0),
  });
  return {
    sim,
    type,
    make(n = 1, opts = {}) {
      const op = p.gcNew(type, { slots: new Array<number>(n).fill(0), calls: 0, hook: opts.hook, visits: opts.visits ?? 1 } satisfies NodeData);
      if (opts.track !== false) p.PyObject_GC_Track(op);
      return op;
    },
    set(self, i, target) {
      p.Py_INCREF(target);
      const a = data(self).slots;
      const old = a[i];
      a[i] = target;
      if (old) p.Py_DECREF(old);
    },
    drop(self, i) {
      const a = data(self).slots;
      const x = a[i];
      if (x) {
        a[i] = 0;
        p.Py_DECREF(x);
      }
    },
    setHook(self, hook) {
      data(self).hook = hook;
    },
    calls: (self) => data(self).calls,
    slots: (self) => [...data(self).slots],
  };
}

/** PyO3's ReferencePool: DECREFs queued without the GIL, applied by `flush`. */
export class PendingPool {
  private pending: number[] = [];
  constructor(private readonly sim: Simulation) {}
  /** Queue a decref that takes over one reference the caller owns. */
  add(op: number): void {
    this.pending.push(op);
  }
  flush(): void {
    const ops = this.pending;
    this.pending = [];
    for (const op of ops) this.sim.process.Py_DECREF(op);
  }
}

export function sim(python: string, debug = false, malloc: MallocKind = 'pymalloc'): Simulation {
  const s = createSimulation({ python, debug, malloc });
  s.gc.disable();
  return s;
}

/** The generational 3.8+ profiles (PyGC_Head with gc_refs in `_gc_prev`). */
export const GEN_PROFILES = ['3.8', '3.9', '3.10', '3.11', '3.12', '3.13', '3.14.5'] as const;

/** Real CPython interpreters (see cpython-discovery.ts: TRAVERSE_GUARD_PYTHONS, pyenv, PATH),
 *  by minor version ("3.11" → interpreter), 3.7 and later, the first found of each. */
export function findPythons(): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of discoverPythons()) {
    const minor = p.version.split('.').slice(0, 2).join('.');
    if (!out.has(minor)) out.set(minor, p.bin);
  }
  return out;
}

/** Runs a Python script and parses the JSON it prints on its last line. */
export function runPython<T>(bin: string, script: string): T {
  const r = spawnSync(bin, ['-c', script], { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`${bin} failed: ${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as T;
}

/** The graph changes traverse calls left behind during collections (issue 13 item 1), in order. */
export function graphChanges(r: { readonly anomalies: readonly Anomaly[] }): GraphChange[] {
  return r.anomalies.filter((a) => a.kind === 'graph-changed-during-traverse').map((a) => a.change!);
}
