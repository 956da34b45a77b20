// RefCell: a mutable reference field (Rust's `RefCell<Option<Py<T>>>`). `set` and `clear`
// drop the old reference; `replace` and `take` hand it to the caller, and it is dropped when
// the caller lets it go (at the end of the enclosing callback, like a Rust temporary).

import type { Interpreter } from './interpreter.js';
import { handOut, moveIn, type Py } from './py.js';

export class RefCell<T = unknown> {
  #value: Py<unknown> | null;
  readonly #interp: Interpreter;

  /** @internal Created by the runtime for `field.cell()`. */
  constructor(interp: Interpreter, initial: Py<unknown> | null) {
    this.#interp = interp;
    this.#value = initial;
  }

  /** The current reference, borrowed (do not drop it). */
  get(): Py<T> | null {
    return this.#value as Py<T> | null;
  }

  isEmpty(): boolean {
    return this.#value === null;
  }

  /** Stores `value` (moved in) and drops the previous reference. */
  set(value: Py<T> | null): void {
    const old = this.#value;
    this.#value = moveIn(value, 'RefCell#set');
    if (old && !old.isDropped()) old.drop();
  }

  /** Stores `value` (moved in) and hands the previous reference to the caller. */
  replace(value: Py<T> | null): Py<T> | null {
    const old = this.#value;
    this.#value = moveIn(value, 'RefCell#replace');
    return handOut(this.#interp, old) as Py<T> | null;
  }

  /** Empties the cell and hands the previous reference to the caller. */
  take(): Py<T> | null {
    return this.replace(null);
  }

  /** Empties the cell and drops the previous reference. */
  clear(): void {
    this.set(null);
  }

  /** @internal What the instance owns (for dealloc and the audit). */
  owned(): Py<unknown> | null {
    return this.#value;
  }
}
