// RefList: a field holding a list of owned references (Rust's `Vec<Py<T>>`). Reading and
// iterating borrow; `push` moves in; `pop`/`splice` hand references out; `set`/`clear` drop.

import type { Interpreter } from './interpreter.js';
import { handOut, moveIn, type Py } from './py.js';
import { fieldWrite, type FieldOwner } from './field-owner.js';

export class RefList<T = unknown> {
  #items: Py<unknown>[];
  readonly #interp: Interpreter;
  readonly #owner: FieldOwner | undefined;

  /** @internal `owner` names the field it is. */
  constructor(interp: Interpreter, initial: Py<unknown>[], owner?: FieldOwner) {
    this.#interp = interp;
    this.#items = initial;
    this.#owner = owner;
  }

  get length(): number {
    return this.#items.length;
  }
  at(index: number): Py<T> | undefined {
    return this.#items.at(index) as Py<T> | undefined;
  }
  [Symbol.iterator](): Iterator<Py<T>> {
    return (this.#items as Py<T>[])[Symbol.iterator]();
  }
  forEach(fn: (item: Py<T>, index: number) => void): void {
    (this.#items as Py<T>[]).forEach((x, i) => fn(x, i));
  }
  map<U>(fn: (item: Py<T>, index: number) => U): U[] {
    return (this.#items as Py<T>[]).map((x, i) => fn(x, i));
  }
  some(fn: (item: Py<T>, index: number) => boolean): boolean {
    return (this.#items as Py<T>[]).some((x, i) => fn(x, i));
  }
  every(fn: (item: Py<T>, index: number) => boolean): boolean {
    return (this.#items as Py<T>[]).every((x, i) => fn(x, i));
  }

  /** Appends `value` (moved in). */
  push(value: Py<T>): void {
    fieldWrite(this.#interp, this.#owner, 'RefList#push', () => {
      const v = moveIn(value, 'RefList#push');
      if (v) this.#items.push(v);
    });
  }
  /** Removes the last reference and hands it to the caller. */
  pop(): Py<T> | undefined {
    if (!this.#items.length) return undefined;
    return fieldWrite(this.#interp, this.#owner, 'RefList#pop', () => {
      const v = this.#items.pop();
      return (v ? handOut(this.#interp, v) : undefined) as Py<T> | undefined;
    });
  }
  /** Replaces item `index` (moved in) and drops the old one. */
  set(index: number, value: Py<T>): void {
    fieldWrite(this.#interp, this.#owner, 'RefList#set', () => {
      const v = moveIn(value, 'RefList#set');
      const old = this.#items[index];
      if (!v) return;
      this.#items[index] = v;
      if (old && !old.isDropped()) old.drop();
    });
  }
  /** Removes `count` items at `start` and hands them to the caller. */
  splice(start: number, count: number): Py<T>[] {
    if (count <= 0 || start >= this.#items.length) return this.#items.splice(start, count) as Py<T>[];
    return fieldWrite(this.#interp, this.#owner, 'RefList#splice', () => this.#items.splice(start, count).map((v) => handOut(this.#interp, v) as Py<T>));
  }
  /** Drops every reference. */
  clear(): void {
    if (!this.#items.length) return;
    fieldWrite(this.#interp, this.#owner, 'RefList#clear', () => {
      const old = this.#items;
      this.#items = [];
      for (const v of old) if (!v.isDropped()) v.drop();
    });
  }

  /** @internal */
  owned(): readonly Py<unknown>[] {
    return this.#items;
  }
}
