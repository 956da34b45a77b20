// Errors of the binding API. `TraverseError` can only come out of `visit.call`;
// `TraverseGilError` is the guarded runtime refusing interpreter access inside __traverse__.

/** PyO3 0.19's panic message (with its original typo, kept until 0.25). */
export const GIL_LOCKED_DURING_TRAVERSE_MESSAGE =
  'Access to the GIL is prohibited while a __traverse__ implmentation is running.';

const TRAVERSE_ERROR_KEY = Symbol('TraverseError');
let makeTraverseError: (code: number) => TraverseError;

/**
 * A visitor returned non-zero: propagate it out of traverse (PyTraverseError). Like PyO3's
 * `PyTraverseError(pub(crate) c_int)`, users cannot make one: the constructor is private and
 * the factory, `newTraverseError`, is not exported from the package.
 */
export class TraverseError extends Error {
  readonly #code: number;
  private constructor(code: number, key: symbol) {
    super(`visit returned ${code}`);
    if (key !== TRAVERSE_ERROR_KEY) throw new TypeError('TraverseError cannot be constructed by user code');
    this.name = 'TraverseError';
    this.#code = code;
  }
  get code(): number {
    return this.#code;
  }
  static {
    makeTraverseError = (code) => new TraverseError(code, TRAVERSE_ERROR_KEY);
  }
}

/** @internal Only `Visit#call` creates TraverseErrors (not exported from the package). */
export function newTraverseError(code: number): TraverseError {
  return makeTraverseError(code);
}

/** GIL acquisition, pool creation or interpreter use inside __traverse__ (guarded runtime). */
export class TraverseGilError extends Error {
  constructor(readonly operation: string) {
    super(`${GIL_LOCKED_DURING_TRAVERSE_MESSAGE} (${operation})`);
    this.name = 'TraverseGilError';
  }
}

/** Misuse of the API that Rust's type system would have rejected (use after drop, …). */
export class PyUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PyUsageError';
  }
}

/** A pyclass spec PyO3 would reject at compile time. */
export class PyClassDefinitionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PyClassDefinitionError';
  }
}
