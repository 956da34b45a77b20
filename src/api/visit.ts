// Visit: the traverse capability (PyO3's `PyVisit`). `call(ref)` reports one owned reference
// to the collector; an empty field is a no-op; a non-zero visitor result comes back as a
// TraverseError, which propagates out of traverse. It expires when traverse returns.

import { PyUsageError, newTraverseError } from './errors.js';
import { Py, refAddress } from './py.js';
import type { Borrowed } from './types.js';

type VisitProc = (op: number, arg: unknown) => number;
/** Called when one traverse visits the same reference twice; returns a message to refuse it. */
type OnDuplicate = () => string | undefined;
const VISIT_KEY = Symbol('Visit');
let makeVisit: (visit: VisitProc, arg: unknown, onDuplicate?: OnDuplicate) => Visit;

export class Visit {
  #visit: VisitProc | null;
  readonly #arg: unknown;
  readonly #onDuplicate: OnDuplicate | undefined;
  /** References visited by this traverse call (only tracked when duplicates are refused). */
  readonly #seen: Set<Py<unknown>> | undefined;

  /** Only the traverse trampoline creates a Visit (PyO3's `PyVisit::from_raw` is crate-private). */
  private constructor(visit: VisitProc, arg: unknown, key: symbol, onDuplicate?: OnDuplicate) {
    if (key !== VISIT_KEY) throw new TypeError('Visit cannot be constructed by user code');
    this.#visit = visit;
    this.#arg = arg;
    this.#onDuplicate = onDuplicate;
    this.#seen = onDuplicate ? new Set() : undefined;
  }

  static {
    makeVisit = (visit, arg, onDuplicate) => new Visit(visit, arg, VISIT_KEY, onDuplicate);
  }

  /**
   * Visit one reference (a field's value); `null`/`undefined` is a no-op. Returns `undefined`
   * (not `void`) so that `traverse: (self, visit) => visit.call(self.x)` type-checks.
   */
  call(ref: Borrowed<unknown> | Py<unknown> | null | undefined): undefined {
    const visit = this.#visit;
    if (!visit) throw new PyUsageError('Visit#call: the traverse this Visit belongs to has returned');
    if (ref === null || ref === undefined) return undefined;
    if (!(ref instanceof Py)) throw new PyUsageError('Visit#call: expected a reference field');
    if (this.#seen) {
      // A second visit of one owned reference subtracts a gc_ref the object never had:
      // gc_refs underflow (debug: "refcount is too small"). The guarded runtime refuses it.
      if (this.#seen.has(ref)) {
        const refused = this.#onDuplicate!();
        if (refused) throw new PyUsageError(refused);
      }
      this.#seen.add(ref);
    }
    const r = visit(refAddress(ref, 'visit'), this.#arg);
    if (r !== 0) throw newTraverseError(r);
    return undefined;
  }

  /** @internal */
  expire(): void {
    this.#visit = null;
  }
}

/** @internal The trampoline's factory (not exported from the package). */
export function newVisit(visit: VisitProc, arg: unknown, onDuplicate?: OnDuplicate): Visit {
  return makeVisit(visit, arg, onDuplicate);
}
