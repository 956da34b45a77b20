// One simulated interpreter with a PyO3-like runtime on top: per-thread GIL counts, the
// global reference pool of deferred increfs/decrefs, callback scopes, and `run(main)`,
// which judges the outcome. While `run` executes, `Python`, `Py`, `gc` and `spawnThread`
// act on this interpreter.

import {
  USER,
  createSimulation,
  isSimulatedCrash,
  judge,
  type AuditFinding,
  type Anomaly,
  type FaultInfo,
  type GenStats,
  type ProfileName,
  type Simulation,
  getProfile,
  PROFILE_NAMES,
  MALLOC_KINDS,
  type MallocKind,
} from '../simulator/index.js';
import { TraverseGilError } from './errors.js';
import { RUNTIMES, isRuntimeKind, type RuntimeBehaviour, type RuntimeKind } from './runtime-kind.js';
import { Scope } from './scope.js';

export interface InterpreterOptions {
  /** Default `guarded`. */
  readonly runtime?: RuntimeKind;
  /** A simulator profile (default `3.11`). */
  readonly python?: ProfileName | string;
  /** CPython debug build (assertions on). */
  readonly debug?: boolean;
  /** The allocator: `pymalloc` or `debug`, CPython's debug hooks (PYTHONMALLOC=debug, `-X dev`):
   *  freed memory reads 0xDD…, so a load of a pointer from a freed object faults. Default:
   *  `debug` in a debug build (as CPython's), else `pymalloc`. */
  readonly malloc?: MallocKind;
}

/**
 * ok: nothing went wrong; error: the guarded runtime refused a misuse cleanly (heap intact);
 * leak: objects no root reaches survived two full collections (no damage); corrupt: the heap
 * audit found damage; crash: the simulated process faulted.
 */
export type Verdict = 'ok' | 'error' | 'leak' | 'corrupt' | 'crash';

export interface RunResult<R = unknown> {
  readonly verdict: Verdict;
  readonly runtime: RuntimeKind;
  readonly python: ProfileName;
  readonly debug: boolean;
  /** The allocator the run used. */
  readonly malloc: MallocKind;
  readonly value?: R;
  readonly fault?: FaultInfo;
  readonly audit: readonly AuditFinding[];
  readonly anomalies: readonly Anomaly[];
  /** Misuse the guarded runtime stopped (each a TraverseGilError message). */
  readonly stopped: readonly string[];
  /** Exceptions in user traverse code that the trampoline turned into -1. */
  readonly traverseErrors: readonly string[];
  readonly stats: readonly GenStats[];
  readonly unraisable: readonly string[];
  /** An exception that escaped `main` (a Python-level exception of the scenario). */
  readonly exception?: { readonly name: string; readonly message: string };
}

export interface ThreadState {
  readonly id: number;
  readonly name: string;
  /** PyO3's GIL_COUNT (isize): > 0 acquired via PyO3, -1 locked during traverse. */
  gilCount: number;
  /** Nesting of PyO3 callbacks (trampolines, withGil closures); 0 = Python code. */
  callbackDepth: number;
}

let active: Interpreter | null = null;

/** The interpreter `run` is executing, or a clear error. */
export function currentInterpreter(op: string): Interpreter {
  if (!active) throw new Error(`${op}: no interpreter is running (call it inside Interpreter#run)`);
  return active;
}

export class Interpreter {
  readonly runtime: RuntimeKind;
  readonly behaviour: RuntimeBehaviour;
  readonly python: ProfileName;
  readonly debug: boolean;
  readonly malloc: MallocKind;
  readonly sim: Simulation;
  /** ReferencePool: pointer ops queued by threads that did not hold the GIL. */
  readonly pool = { increfs: [] as number[], decrefs: [] as number[] };
  readonly stopped: string[] = [];
  readonly traverseErrors: string[] = [];
  /** Threads spawned inside a traverse, waiting for the GIL (run at the next checkpoint). */
  readonly deferredThreads: Array<() => void> = [];
  thread: ThreadState;
  private nextThreadId = 1;
  readonly scopes: Scope[] = [];
  /** Per-class type objects (created on first use). */
  readonly typeCache = new Map<object, unknown>();
  private ran = false;

  constructor(opts: InterpreterOptions = {}) {
    const runtime = opts.runtime ?? 'guarded';
    if (!isRuntimeKind(runtime)) throw new Error(`unknown runtime '${String(runtime)}'`);
    const python = opts.python ?? '3.11';
    const profile = getProfile(python);
    if (!profile) throw new Error(`unknown Python profile '${python}' (known: ${PROFILE_NAMES.join(', ')})`);
    this.runtime = runtime;
    this.behaviour = RUNTIMES[runtime];
    this.python = profile.name;
    this.debug = opts.debug ?? false;
    // A --with-pydebug build installs the debug hooks by default (PYTHONMALLOC's default there).
    const malloc = opts.malloc ?? (this.debug ? 'debug' : 'pymalloc');
    if (!MALLOC_KINDS.includes(malloc)) throw new Error(`unknown allocator '${String(malloc)}' (known: ${MALLOC_KINDS.join(', ')})`);
    this.malloc = malloc;
    this.sim = createSimulation({ python: profile.name, debug: this.debug, malloc });
    this.thread = this.newThread('MainThread');
  }

  get process() {
    return this.sim.process;
  }

  newThread(name: string): ThreadState {
    return { id: this.nextThreadId++, name, gilCount: 0, callbackDepth: 0 };
  }

  /**
   * Runs `main` as the interpreter's main thread (Python code: it holds the GIL, PyO3's count
   * is 0), then audits the heap. A simulated crash never escapes; the interpreter is dead after it.
   */
  run<R>(main: () => R): RunResult<R> {
    if (active) throw new Error('Interpreter#run: another interpreter is already running');
    if (this.ran) throw new Error('Interpreter#run: an interpreter runs once (create a new one)');
    this.ran = true;
    active = this;
    let value: R | undefined;
    let exception: RunResult['exception'];
    try {
      value = this.process.frame(`main${USER}`, () => {
        const r = this.inScope(main);
        this.pythonCheckpoint();
        return r;
      });
    } catch (e) {
      if (!isSimulatedCrash(e)) {
        exception = { name: e instanceof Error ? e.name : 'Error', message: e instanceof Error ? e.message : String(e) };
      }
    } finally {
      active = null;
    }
    const r = judge(this.process, value);
    let verdict: Verdict = r.verdict;
    if (verdict === 'ok' && this.stopped.length) verdict = 'error';
    return {
      verdict,
      runtime: this.runtime,
      python: this.python,
      debug: this.debug,
      malloc: this.malloc,
      value: r.value,
      fault: r.fault,
      audit: r.audit,
      anomalies: r.anomalies,
      stopped: [...this.stopped],
      traverseErrors: [...this.traverseErrors],
      stats: r.stats,
      unraisable: r.unraisable,
      exception,
    };
  }

  // ---- scopes (Rust temporaries) --------------------------------------------------------

  /** Runs `fn` as a callback scope: temporaries it leaves unclaimed are dropped at its end. */
  inScope<R>(fn: () => R): R {
    const scope = new Scope(this);
    this.scopes.push(scope);
    let result: R;
    try {
      result = fn();
    } catch (e) {
      this.scopes.pop();
      if (!this.process.crash) scope.close(undefined);
      throw e;
    }
    this.scopes.pop();
    scope.close(result);
    return result;
  }

  currentScope(): Scope | undefined {
    return this.scopes[this.scopes.length - 1];
  }

  // ---- pyo3::gil --------------------------------------------------------------------------

  /** gil_is_acquired(): GIL_COUNT > 0 (false while locked during traverse). */
  gilIsAcquired(): boolean {
    return this.thread.gilCount > 0;
  }

  /** The guarded runtime refuses `op` while a traverse holds the lock (LockGIL::bail). */
  bailIfLocked(op: string): void {
    if (this.thread.gilCount < 0) {
      const err = new TraverseGilError(op);
      this.stopped.push(err.message);
      throw err;
    }
  }

  /** increment_gil_count (0.19 checks for the traverse lock first). */
  incrementGilCount(op: string): void {
    if (this.runtime === 'guarded') this.bailIfLocked(op);
    this.thread.gilCount++;
  }

  decrementGilCount(): void {
    this.thread.gilCount--;
  }

  /** GILPool::new: GIL count + 1, then ReferencePool::update_counts. */
  newGilPool(op: string, applyCounts = true): void {
    this.process.frame('pyo3::gil::GILPool::new', () => {
      this.incrementGilCount(op);
      if (applyCounts) this.updateCounts();
    });
  }

  /** ReferencePool::update_counts: all pending increfs first, then all decrefs. */
  updateCounts(): void {
    if (!this.pool.increfs.length && !this.pool.decrefs.length) return;
    const increfs = this.pool.increfs.splice(0);
    const decrefs = this.pool.decrefs.splice(0);
    this.process.frame('pyo3::gil::ReferencePool::update_counts', () => {
      for (const op of increfs) this.process.Py_INCREF(op);
      for (const op of decrefs) this.process.Py_DECREF(op);
    });
  }

  /** register_decref: Py_DECREF now with the GIL, else defer to the pool. C: always now. */
  registerDecref(op: number): void {
    if (!this.behaviour.pyo3 || this.gilIsAcquired()) this.process.Py_DECREF(op);
    else this.pool.decrefs.push(op);
  }

  /** register_incref (0.18/0.19 had deferred increfs too). */
  registerIncref(op: number): void {
    if (!this.behaviour.pyo3 || this.gilIsAcquired()) this.process.Py_INCREF(op);
    else this.pool.increfs.push(op);
  }

  /** API calls that need the interpreter: refused while the guarded lock is held. */
  requireInterpreter(op: string): void {
    this.process.alive();
    if (this.runtime === 'guarded') this.bailIfLocked(op);
  }

  /**
   * A call into Python (the `gc` module, …). From Python code it runs directly; from PyO3
   * code it needs the GIL: Python::with_gil semantics (a pool, and its update_counts, when
   * the thread's count is 0).
   */
  callIntoPython<R>(op: string, fn: () => R): R {
    this.process.alive();
    if (this.thread.callbackDepth === 0 || !this.behaviour.pyo3) return fn();
    if (this.runtime === 'guarded') this.bailIfLocked(op);
    if (this.gilIsAcquired()) return fn();
    return this.withGilPool(op, fn);
  }

  /** PyGILState_Ensure + GILPool around `fn` (GILGuard::acquire when not yet acquired). */
  withGilPool<R>(op: string, fn: () => R): R {
    const p = this.process;
    p.frame('PyGILState_Ensure', () => {});
    this.newGilPool(op);
    try {
      return fn();
    } finally {
      this.decrementGilCount();
      p.frame('PyGILState_Release', () => {});
    }
  }

  /** Back in Python code: the eval breaker may run a scheduled collection (3.12+). */
  pythonCheckpoint(): void {
    if (this.thread.callbackDepth !== 0 || this.process.crash) return;
    this.sim.gc.evalBreaker();
    // The GIL can change hands here: threads that were waiting for it (spawned inside a traverse) run.
    while (this.deferredThreads.length && this.process.traverseDepth === 0 && !this.process.crash) this.deferredThreads.shift()!();
  }

  /** Runs `fn` as PyO3 (Rust) code: one callback level deeper. */
  asCallback<R>(fn: () => R): R {
    this.thread.callbackDepth++;
    try {
      return fn();
    } finally {
      this.thread.callbackDepth--;
    }
  }

  /** Runs `fn` on another thread state (spawnThread). */
  onThread<R>(t: ThreadState, fn: () => R): R {
    const saved = this.thread;
    this.thread = t;
    try {
      return fn();
    } finally {
      this.thread = saved;
    }
  }
}

export function runtimeDescription(kind: RuntimeKind): string {
  return RUNTIMES[kind].description;
}
