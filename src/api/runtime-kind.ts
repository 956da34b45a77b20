// The runtimes a pyclass can run under: PyO3's before and after the #3165 fix, two
// instructive variants, and raw C. Each is a small table of behaviours the binding consults.

export type RuntimeKind = 'guarded' | 'pyo3-0.18.3' | 'pyo3-0.18.3-patched' | 'pyo3-0.19-nolock' | 'c';

export const RUNTIME_KINDS: readonly RuntimeKind[] = ['guarded', 'pyo3-0.18.3', 'pyo3-0.18.3-patched', 'pyo3-0.19-nolock', 'c'];

export interface RuntimeBehaviour {
  /** PyO3-style GIL count and reference pool exist (false for raw C). */
  readonly pyo3: boolean;
  /** The traverse trampoline creates a GILPool (GIL count + 1). */
  readonly traversePool: boolean;
  /** …and that GILPool applies the deferred reference counts (the #3165 bug). */
  readonly traverseUpdateCounts: boolean;
  /** The trampoline sets GIL_COUNT to -1 while user traverse code runs (LockGIL). */
  readonly traverseLock: boolean;
  /** A panic (exception) in user traverse code is caught and becomes -1 (else: abort). */
  readonly catchUnwind: boolean;
  /** Sentence for reports. */
  readonly description: string;
}

export const RUNTIMES: Readonly<Record<RuntimeKind, RuntimeBehaviour>> = {
  guarded: {
    pyo3: true,
    traversePool: false,
    traverseUpdateCounts: false,
    traverseLock: true,
    catchUnwind: true,
    description: 'PyO3 >= 0.19: no pool in traverse, GIL access locked, drops deferred',
  },
  'pyo3-0.18.3': {
    pyo3: true,
    traversePool: true,
    traverseUpdateCounts: true,
    traverseLock: false,
    catchUnwind: false,
    description: 'PyO3 0.18.3: every traverse creates a GILPool that applies deferred refcounts',
  },
  'pyo3-0.18.3-patched': {
    pyo3: true,
    traversePool: true,
    traverseUpdateCounts: false,
    traverseLock: false,
    catchUnwind: false,
    description: 'PyO3 0.18.3 with the seed\'s local patch: the traverse pool does not apply deferred refcounts',
  },
  'pyo3-0.19-nolock': {
    pyo3: true,
    traversePool: false,
    traverseUpdateCounts: false,
    traverseLock: false,
    catchUnwind: true,
    description: 'PyO3 0.19 without LockGIL: no pool in traverse, but GIL acquisition inside it is allowed',
  },
  c: {
    pyo3: false,
    traversePool: false,
    traverseUpdateCounts: false,
    traverseLock: false,
    catchUnwind: true,
    description: 'raw C: a drop is Py_DECREF now, withGil is PyGILState_Ensure, no pools',
  },
};

export function isRuntimeKind(s: string): s is RuntimeKind {
  return (RUNTIME_KINDS as readonly string[]).includes(s);
}
