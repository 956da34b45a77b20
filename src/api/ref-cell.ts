// RefCell: a mutable reference field (Rust's `RefCell<Option<Py<T>>>`). `set` and `clear`
// drop the old reference; `replace` and `take` hand it to the caller, and it is dropped when
// the caller lets it go (at the end of the enclosing callback, like a Rust temporary).

import type { Interpreter } from './interpreter.js';
import { handOut, moveIn, type Py } from './py.js';
import { fieldWrite, type FieldOwner } from './field-owner.js';

export class RefCell<T = unknown> {
  #value: Py<unknown> | null;
  readonly #interp: Interpreter;
  readonly #owner: FieldOwner | undefined;

  /** @internal Created by the runtime for `field.cell()`; `owner` names the field it is. */
  constructor(interp: Interpreter, initial: Py<unknown> | null, owner?: FieldOwner) {
    this.#interp = interp;
    this.#value = initial;
    this.#owner = owner;
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
    this.#store('RefCell#set', value);
  }

  /** Stores `value` (moved in) and hands the previous reference to the caller. */
  replace(value: Py<T> | null): Py<T> | null {
    return this.#swap('RefCell#replace', value);
  }

  /** Empties the cell and hands the previous reference to the caller. */
  take(): Py<T> | null {
    return this.#swap('RefCell#take', null);
  }

  /** Empties the cell and drops the previous reference. */
  clear(): void {
    this.#store('RefCell#clear', null);
  }

  #store(op: string, value: Py<T> | null): void {
    if (this.#value === null && (value === null || value === undefined)) return; // nothing changes
    fieldWrite(this.#interp, this.#owner, op, () => {
      const old = this.#value;
      this.#value = moveIn(value, op);
      if (old && !old.isDropped()) old.drop();
    });
  }

  #swap(op: string, value: Py<T> | null): Py<T> | null {
    if (this.#value === null && (value === null || value === undefined)) return null; // nothing changes
    return fieldWrite(this.#interp, this.#owner, op, () => {
      const old = this.#value;
      this.#value = moveIn(value, op);
      return handOut(this.#interp, old) as Py<T> | null;
    });
  }

  /** @internal What the instance owns (for dealloc and the audit). */
  owned(): Py<unknown> | null {
    return this.#value;
  }
}
