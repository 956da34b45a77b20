// Python: the interpreter token (PyO3's `Python<'py>`) and the ways to get one — withGil /
// attach, acquireGil, assumeGilAcquired, pools — plus allowThreads / detach. Each follows the
// selected runtime: PyO3 0.18.3/0.19 (GIL count, GILPool, update_counts) or raw C.

import { PyUsageError } from './errors.js';
import { currentInterpreter, type Interpreter } from './interpreter.js';

const TOKEN_KEY = Symbol('Python token');

/** The interpreter token: proof that the GIL is held. Not constructible by users. */
export class Python {
  readonly #interp: Interpreter;

  /** @internal */
  private constructor(interp: Interpreter, key: symbol) {
    if (key !== TOKEN_KEY) throw new TypeError('Python tokens come from Python.withGil and friends');
    this.#interp = interp;
  }

  /** @internal */
  static mint(interp: Interpreter): Python {
    return new Python(interp, TOKEN_KEY);
  }

  /** @internal */
  interpreterOf(): Interpreter {
    return this.#interp;
  }

  /** Python::with_gil: run `f` with the GIL; a GILPool (and its update_counts) if not yet held. */
  static withGil<R>(f: (py: Python) => R): R {
    const interp = currentInterpreter('Python.withGil');
    return acquire(interp, 'Python.withGil', f);
  }

  /** Python::attach (PyO3 0.26+ name of withGil). */
  static attach<R>(f: (py: Python) => R): R {
    const interp = currentInterpreter('Python.attach');
    return acquire(interp, 'Python.attach', f);
  }

  /** GILGuard::acquire: a guard to release (or `using`) later. */
  static acquireGil(): GILGuard {
    const interp = currentInterpreter('Python.acquireGil');
    return new GILGuard(interp);
  }

  /** Python::assume_gil_acquired (unsafe): a token without acquiring anything. */
  static assumeGilAcquired(): Python {
    const interp = currentInterpreter('Python.assumeGilAcquired');
    interp.requireInterpreter('Python.assumeGilAcquired');
    return Python.mint(interp);
  }

  /** Python::with_pool: a new GILPool around `f`. */
  static withPool<R>(f: (py: Python) => R): R {
    const interp = currentInterpreter('Python.withPool');
    const pool = new GILPool(interp, 'Python.withPool');
    try {
      return interp.asCallback(() => interp.inScope(() => f(pool.python())));
    } finally {
      pool.drop();
    }
  }

  /** Python::allow_threads: release the GIL around `f`; PyO3 applies deferred counts after. */
  allowThreads<R>(f: () => R): R {
    return suspend(this.#interp, 'Python#allowThreads', f);
  }

  /** Python::detach (PyO3 0.26+ name of allowThreads). */
  detach<R>(f: () => R): R {
    return suspend(this.#interp, 'Python#detach', f);
  }

  /** Python::new_pool (unsafe): a GILPool; drop it to end its scope. */
  newPool(): GILPool {
    return new GILPool(this.#interp, 'Python#newPool');
  }
}

/** @internal The interpreter a token belongs to (checks it is the running one). */
export function tokenInterpreter(py: Python, op: string): Interpreter {
  if (!(py instanceof Python)) throw new PyUsageError(`${op}: expected a Python token`);
  const interp = py.interpreterOf();
  const running = currentInterpreter(op);
  if (interp !== running) throw new PyUsageError(`${op}: the token belongs to an interpreter that is not running`);
  return interp;
}

function acquire<R>(interp: Interpreter, op: string, f: (py: Python) => R): R {
  interp.process.alive();
  const run = () => interp.asCallback(() => interp.inScope(() => f(Python.mint(interp))));
  let result: R;
  if (!interp.behaviour.pyo3) {
    // Raw C: PyGILState_Ensure / Release, no counts or pools.
    interp.process.frame('PyGILState_Ensure', () => {});
    result = run();
  } else if (interp.runtime === 'guarded' && interp.thread.gilCount < 0) {
    // 0.19: PyGILState_Ensure has run, then increment_gil_count bails.
    interp.process.frame('PyGILState_Ensure', () => {});
    interp.bailIfLocked(op);
    result = run();
  } else if (interp.gilIsAcquired()) {
    // GILGuard::Assumed: count + 1, no pool.
    interp.incrementGilCount(op);
    try {
      result = run();
    } finally {
      interp.decrementGilCount();
    }
  } else {
    result = interp.withGilPool(op, run);
  }
  interp.pythonCheckpoint();
  return result;
}

function suspend<R>(interp: Interpreter, op: string, f: () => R): R {
  interp.process.alive();
  if (!interp.behaviour.pyo3) return f();
  if (interp.runtime === 'guarded') interp.bailIfLocked(op);
  // SuspendGIL: save the count, release, run, restore, then update_counts (#2952). PyO3's
  // `impl Drop for SuspendGIL` does both, so they happen on unwind (an exception in `f`) too.
  const saved = interp.thread.gilCount;
  interp.thread.gilCount = 0;
  try {
    return interp.process.frame('PyEval_SaveThread', () => f());
  } finally {
    interp.thread.gilCount = saved;
    if (!interp.process.crash) interp.process.frame('pyo3::gil::SuspendGIL::drop', () => interp.updateCounts());
  }
}

/** GILGuard: holds the GIL until `release()` (or the end of a `using` block). */
export class GILGuard {
  #interp: Interpreter | null;
  readonly #pooled: boolean;
  readonly #token: Python;

  /** @internal */
  constructor(interp: Interpreter) {
    interp.process.alive();
    this.#interp = interp;
    this.#token = Python.mint(interp);
    if (!interp.behaviour.pyo3) {
      this.#pooled = false;
      interp.process.frame('PyGILState_Ensure', () => {});
    } else if (interp.runtime === 'guarded' && interp.thread.gilCount < 0) {
      interp.bailIfLocked('Python.acquireGil');
      this.#pooled = false;
    } else if (interp.gilIsAcquired()) {
      interp.incrementGilCount('Python.acquireGil');
      this.#pooled = false;
    } else {
      interp.process.frame('PyGILState_Ensure', () => {});
      interp.newGilPool('Python.acquireGil');
      this.#pooled = true;
    }
  }

  python(): Python {
    if (!this.#interp) throw new PyUsageError('GILGuard#python: the guard was released');
    return this.#token;
  }

  release(): void {
    const interp = this.#interp;
    if (!interp) return;
    this.#interp = null;
    if (interp.behaviour.pyo3) interp.decrementGilCount();
    if (this.#pooled || !interp.behaviour.pyo3) interp.process.frame('PyGILState_Release', () => {});
    interp.pythonCheckpoint();
  }

  [Symbol.dispose](): void {
    this.release();
  }
}

/** GILPool: a scope of owned objects; creating one applies the deferred reference counts. */
export class GILPool {
  #interp: Interpreter | null;
  readonly #counted: boolean;

  constructor(interp?: Interpreter, op = 'new GILPool') {
    const it = interp ?? currentInterpreter(op);
    it.process.alive();
    this.#interp = it;
    this.#counted = it.behaviour.pyo3;
    if (this.#counted) it.newGilPool(op);
  }

  python(): Python {
    if (!this.#interp) throw new PyUsageError('GILPool#python: the pool was dropped');
    return Python.mint(this.#interp);
  }

  drop(): void {
    const interp = this.#interp;
    if (!interp) return;
    this.#interp = null;
    if (this.#counted) interp.decrementGilCount();
  }

  [Symbol.dispose](): void {
    this.drop();
  }
}

/**
 * #[pyfunction]: wraps `f` so that calling it from Python code goes through a PyO3
 * trampoline — a GILPool (GIL count + 1, deferred counts applied) around the call.
 */
export function pyfunction<A extends unknown[], R>(f: (py: Python, ...args: A) => R): (...args: A) => R {
  return (...args: A) => {
    const interp = currentInterpreter('pyfunction');
    interp.process.alive();
    if (!interp.behaviour.pyo3) return interp.asCallback(() => interp.inScope(() => f(Python.mint(interp), ...args)));
    interp.newGilPool('pyfunction trampoline');
    try {
      return interp.asCallback(() => interp.inScope(() => f(Python.mint(interp), ...args)));
    } finally {
      interp.decrementGilCount();
    }
  };
}
