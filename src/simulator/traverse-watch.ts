// What a tp_traverse changed while the collector ran. CPython's collector copies ob_refcnt
// into gc_refs (update_refs) and then believes the visits; a traverse that changes a count
// it does not restore before it returns, or frees an object, makes the collection decide on
// a graph that no longer exists (reference §4: "must not modify the reference counts … nor
// create or destroy any Python objects"). The watch keeps, per outermost traverse call of a
// collection, the net refcount change of every object that existed when the call began and
// the objects it freed; when the call returns, what is left over is a graph change: the run
// is `corrupt`. Incref-then-decref pairs net to zero and leave nothing behind, as on CPython.
// A reference field changed without any refcount change (the old value's decref deferred to
// PyO3's reference pool, or handed to a handle the program keeps) moves the reference to a
// root: CPython sees an outside reference it cannot visit, as for an incomplete traverse, and
// its resurrection check keeps the target; that is an anomaly, not damage.

import { userSourceLines } from './frames.js';

/** One graph change a traverse call left behind. */
export interface GraphChange {
  readonly kind: 'refcount' | 'freed' | 'field';
  /** The object's PyObject* (a code: realValue gives the address), for a field its owner's. */
  readonly op: number;
  /** The object changed ("Node 0x7f3a5c000060"); for a field, its owner. */
  readonly object: string;
  /** 'refcount': "ob_refcnt 2 → 1"; 'freed': "freed (not a GC object)"; 'field': "Node.inner". */
  readonly what: string;
  /** The operation and what called it, innermost first ("Py_DECREF ← RefCell#clear of …"). */
  readonly operation: string;
  /** The user's source line ("fixtures/drop/cell-clear.ts:12"), if user code did it. */
  readonly source?: string;
  /** The traverse call it happened in ("Node_traverse(Node 0x7f…) in subtract_refs"). */
  readonly during: string;
  /** Counts as damage (false: a field change that moved a reference to a root). */
  readonly damage: boolean;
  readonly message: string;
}

interface RefEntry {
  net: number;
  before: number;
  operation: string;
  source?: string;
}

/** What the process tells the watch about the object it names. */
export interface WatchedObject {
  readonly label: string;
  readonly refcnt: number;
}

export class TraverseWatch {
  /** A change was recorded in the current outermost traverse call. */
  dirty = false;
  private readonly refs = new Map<number, RefEntry>();
  private readonly freed: { op: number; label: string; operation: string; source?: string }[] = [];
  private readonly fields: { ownerOp: number; owner: string; field: string; operation: string; source?: string; counted: boolean }[] = [];
  /** Objects allocated in the current call: their counts and deaths are the call's own business. */
  private readonly born = new Set<number>();
  /** The field operation running now (set by the binding around a field write). */
  private fieldOp: { owner: string; field: string; operation: string; counted: boolean } | null = null;

  /** An object was allocated inside the traverse call. */
  allocated(op: number): void {
    this.born.add(op);
    this.dirty = true;
  }

  /** Py_INCREF/Py_DECREF of `op` (before the store); `stack` is the C stack, innermost first. */
  refChange(op: number, delta: number, refcnt: number, stack: () => string[]): void {
    if (this.born.has(op)) return;
    this.dirty = true;
    if (this.fieldOp) this.fieldOp.counted = true;
    const e = this.refs.get(op);
    if (e === undefined || e.net === 0) {
      const where = describeStack(stack(), this.fieldOp, delta > 0 ? 'Py_INCREF' : 'Py_DECREF');
      if (e === undefined) this.refs.set(op, { net: delta, before: refcnt, ...where });
      else Object.assign(e, { net: delta, ...where });
      return;
    }
    e.net += delta;
  }

  /** `op` (not allocated in this call) is being freed. */
  free(op: number, label: string, stack: () => string[]): void {
    if (this.born.has(op)) {
      this.born.delete(op);
      return;
    }
    this.dirty = true;
    this.freed.push({ op, label, ...describeStack(stack(), this.fieldOp) });
  }

  /** Runs `fn`, a write of reference field `field` of `owner`, naming it in what it changes. */
  fieldWrite<R>(ownerOp: number, owner: string, field: string, operation: string, fn: () => R): R {
    const saved = this.fieldOp;
    const f = { owner, field, operation, counted: false };
    this.fieldOp = f;
    try {
      return fn();
    } finally {
      this.fieldOp = saved;
      this.dirty = true;
      const src = userSourceLines()[0];
      this.fields.push({ ownerOp, owner, field, operation, source: src, counted: f.counted });
    }
  }

  /**
   * The outermost traverse call returned: the changes it left behind, then a clean slate.
   * `describe(op)` names an object that still exists, with its count now.
   */
  settle(during: string, describe: (op: number) => WatchedObject | null): GraphChange[] {
    const out: GraphChange[] = [];
    const freed = new Set(this.freed.map((f) => f.op));
    for (const f of this.freed) {
      out.push(change('freed', f.op, f.label, 'freed', f.operation, f.source, during, true));
    }
    for (const [op, e] of this.refs) {
      if (e.net === 0 || freed.has(op)) continue;
      const o = describe(op);
      if (!o) continue;
      out.push(change('refcount', op, o.label, `ob_refcnt ${e.before} → ${o.refcnt}`, e.operation, e.source, during, true));
    }
    for (const f of this.fields) {
      if (f.counted) continue; // already reported as the refcount change it caused
      out.push(change('field', f.ownerOp, f.owner, f.field, f.operation, f.source, during, false));
    }
    this.refs.clear();
    this.freed.length = 0;
    this.fields.length = 0;
    this.born.clear();
    this.dirty = false;
    return out;
  }
}

function change(kind: GraphChange['kind'], op: number, object: string, what: string, operation: string, source: string | undefined, during: string, damage: boolean): GraphChange {
  const at = source ? ` at ${source}` : '';
  const text =
    kind === 'freed'
      ? `${object} was freed inside ${during} (${operation}${at})`
      : kind === 'refcount'
        ? `${object}: ${what} inside ${during}, not restored when it returned (${operation}${at})`
        : `${object}: reference field ${what} changed inside ${during} without a refcount change (${operation}${at}): the reference moved to a root (PyO3's reference pool or a handle the program keeps)`;
  return { kind, op, object, what, operation, source, during, damage, message: text };
}

/** The C frames of the operation up to the traverse that ran it, and the user's line. */
function describeStack(frames: string[], fieldOp: { owner: string; field: string; operation: string } | null, innermost?: string): { operation: string; source?: string } {
  const ops: string[] = innermost ? [innermost] : [];
  let source: string | undefined;
  for (const f of frames) {
    const m = / at ([^ ]+:\d+)$/.exec(f);
    if (m) {
      source ??= m[1];
      break;
    }
    if (/_traverse$/.test(f)) break;
    ops.push(f);
  }
  source ??= userSourceLines()[0];
  if (fieldOp) ops.push(`${fieldOp.operation} of ${fieldOp.owner}.${fieldOp.field}`);
  return { operation: ops.slice(0, 6).join(' ← ') || 'tp_traverse', source };
}
