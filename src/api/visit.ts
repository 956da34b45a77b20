// Visit: the traverse capability (PyO3's `PyVisit`). `call(ref)` reports one owned reference
// to the collector; an empty field is a no-op; a non-zero visitor result comes back as a
// TraverseError, which propagates out of traverse. It expires when traverse returns.

import { PyUsageError, TraverseError } from './errors.js';
import { Py, refAddress } from './py.js';
import type { Borrowed } from './types.js';

export class Visit {
  #visit: ((op: number, arg: unknown) => number) | null;
  readonly #arg: unknown;

  /** @internal Only the traverse trampoline creates a Visit. */
  constructor(visit: (op: number, arg: unknown) => number, arg: unknown) {
    this.#visit = visit;
    this.#arg = arg;
  }

  /** Visit one reference (a field's value); `null`/`undefined` is a no-op. */
  call(ref: Borrowed<unknown> | Py<unknown> | null | undefined): void {
    const visit = this.#visit;
    if (!visit) throw new PyUsageError('Visit#call: the traverse this Visit belongs to has returned');
    if (ref === null || ref === undefined) return;
    if (!(ref instanceof Py)) throw new PyUsageError('Visit#call: expected a reference field');
    const r = visit(refAddress(ref, 'visit'), this.#arg);
    if (r !== 0) throw TraverseError.create(r);
  }

  /** @internal */
  expire(): void {
    this.#visit = null;
  }
}
