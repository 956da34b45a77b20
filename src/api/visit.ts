// Visit: the traverse capability (PyO3's `PyVisit`). `call(ref)` reports one owned reference
// to the collector; an empty field is a no-op; a non-zero visitor result comes back as a
// TraverseError, which propagates out of traverse. It expires when traverse returns.
// Under the guarded runtime a Visit also knows the instance's own references (a VisitGuard):
// it refuses a reference that is not one of them (a foreign visit) and a second visit of one
// (a double visit) — each a clean, recorded refusal, the visit skipped — and tells the
// trampoline which references were never visited.

import { PyUsageError, newTraverseError } from './errors.js';
import { Py, refAddress } from './py.js';
import type { Borrowed } from './types.js';

type VisitProc = (op: number, arg: unknown) => number;
/** The guarded runtime's knowledge of the instance: its owned references, by field. */
export interface VisitGuard {
  /** Each reference the instance owns → the field holding it ("items[1]" for a list item). */
  readonly owned: ReadonlyMap<Py<unknown>, string>;
  /** Records a refusal (the interpreter's `stopped`) and returns its message. */
  readonly refuse: (what: 'foreign' | 'duplicate', field?: string) => void;
}
const VISIT_KEY = Symbol('Visit');
let makeVisit: (visit: VisitProc, arg: unknown, guard?: VisitGuard) => Visit;

export class Visit {
  #visit: VisitProc | null;
  readonly #arg: unknown;
  readonly #guard: VisitGuard | undefined;
  /** References visited by this traverse call (only tracked under a guard). */
  readonly #seen: Set<Py<unknown>> | undefined;

  /** Only the traverse trampoline creates a Visit (PyO3's `PyVisit::from_raw` is crate-private). */
  private constructor(visit: VisitProc, arg: unknown, key: symbol, guard?: VisitGuard) {
    if (key !== VISIT_KEY) throw new TypeError('Visit cannot be constructed by user code');
    this.#visit = visit;
    this.#arg = arg;
    this.#guard = guard;
    this.#seen = guard ? new Set() : undefined;
  }

  static {
    makeVisit = (visit, arg, guard) => new Visit(visit, arg, VISIT_KEY, guard);
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
    const guard = this.#guard;
    if (guard) {
      // A reference the instance does not own (a module-level handle, a borrowed or fresh
      // object) would be subtracted from a gc_refs it never added to: refused, not visited.
      const field = guard.owned.get(ref);
      if (field === undefined) {
        guard.refuse('foreign');
        return undefined;
      }
      // A second visit of one owned reference subtracts a gc_ref the object never had:
      // gc_refs underflow (debug: "refcount is too small"). Refused, not visited.
      if (this.#seen!.has(ref)) {
        guard.refuse('duplicate', field);
        return undefined;
      }
      this.#seen!.add(ref);
    }
    const r = visit(refAddress(ref, 'visit'), this.#arg);
    if (r !== 0) throw newTraverseError(r);
    return undefined;
  }

  /** @internal Whether this call visited `ref` (under a guard). */
  visited(ref: Py<unknown>): boolean {
    return this.#seen?.has(ref) ?? false;
  }

  /** @internal Visits `ref` on the trampoline's behalf (the guarded runtime completing a traverse). */
  visitOwned(ref: Py<unknown>): void {
    const visit = this.#visit;
    if (!visit) return;
    this.#seen?.add(ref);
    const r = visit(refAddress(ref, 'visit'), this.#arg);
    if (r !== 0) throw newTraverseError(r);
  }

  /** @internal */
  expire(): void {
    this.#visit = null;
  }
}

/** @internal The trampoline's factory (not exported from the package). */
export function newVisit(visit: VisitProc, arg: unknown, guard?: VisitGuard): Visit {
  return makeVisit(visit, arg, guard);
}
