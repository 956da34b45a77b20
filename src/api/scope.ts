// A callback scope: Rust drops temporaries at the end of their statement; here values that
// `take`/`replace`/`pop` hand out, and borrows, live until the enclosing callback (a traverse,
// a withGil closure, a thread body) returns, unless the caller claims them first.

import type { Interpreter } from './interpreter.js';

export interface Temporary {
  /** Still owned by the scope (not moved, dropped or returned). */
  isUnclaimed(): boolean;
  /** End of life at scope end (drop a reference, release a borrow). */
  expire(): void;
  /** Moves ownership to the enclosing scope (a value returned from the callback). */
  matches(value: unknown): boolean;
}

export class Scope {
  private readonly temps: Temporary[] = [];

  constructor(private readonly interp: Interpreter) {}

  add(t: Temporary): void {
    this.temps.push(t);
  }

  /** Ends the scope: temporaries returned in `result` move to the parent, the rest expire. */
  close(result: unknown): void {
    const parent = this.interp.currentScope();
    const returned = collectReturned(result);
    for (const t of this.temps) {
      if (!t.isUnclaimed()) continue;
      if (returned.some((v) => t.matches(v))) {
        parent?.add(t);
        continue;
      }
      t.expire();
    }
    this.temps.length = 0;
  }
}

/** The value and, one level down, the items of an array or the values of a plain object. */
function collectReturned(v: unknown): unknown[] {
  if (v === null || typeof v !== 'object') return [];
  const out: unknown[] = [v];
  if (Array.isArray(v)) out.push(...v);
  else if (Object.getPrototypeOf(v) === Object.prototype) out.push(...Object.values(v as object));
  return out;
}
