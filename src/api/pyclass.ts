// The runtime of a pyclass on one interpreter: its type object, instances (the Rust struct,
// behind a proxy that drops a reference field's old value on assignment or delete, as Rust
// assignment would), borrows, and the tp_traverse / tp_clear / tp_dealloc trampolines of
// each runtime (PyO3 0.18.3 impl_traverse_slot, 0.19 call_traverse_impl, raw C).

import { USER, isSimulatedCrash, type PyType } from '../simulator/index.js';
import { PyUsageError, TraverseError } from './errors.js';
import type { Interpreter } from './interpreter.js';
import { Py, moveIn } from './py.js';
import type { PyClass } from './pyclass-handle.js';
import { RefCell } from './ref-cell.js';
import { RefList } from './ref-list.js';
import type { Temporary } from './scope.js';
import type { Fields } from './types.js';
import { newVisit, type Visit, type VisitGuard } from './visit.js';
import { fieldWrite, type FieldOwner } from './field-owner.js';
import { registerSelf } from './capi.js';

/** What an instance's payload slot holds. */
export interface InstanceData {
  readonly cls: PyClass;
  readonly values: Record<string, unknown>;
  /** The object every callback sees (assignments and deletes drop old references). */
  readonly self: Record<string, unknown>;
  /** 0 free, > 0 shared borrows, -1 mutably borrowed (PyCell's borrow flag). */
  borrow: number;
}

function dataOf(interp: Interpreter, op: number): InstanceData {
  return interp.process.payload[interp.process.slot(op)] as InstanceData;
}

/** @internal The instance behind a reference (for tests and the check). */
export function instanceOf(interp: Interpreter, op: number): InstanceData {
  return dataOf(interp, op);
}

/** The type object of `cls` on `interp`, created on first use. */
export function typeFor(interp: Interpreter, cls: PyClass): PyType {
  const cached = interp.typeCache.get(cls) as PyType | undefined;
  if (cached) return cached;
  const p = interp.process;
  const t = p.defineType({
    name: cls.name,
    gc: cls.spec.traverse !== undefined,
    traverse: cls.spec.traverse ? traverseTrampoline(interp, cls) : undefined,
    clear: cls.spec.clear ? clearTrampoline(interp, cls) : undefined,
    dealloc: deallocTrampoline(interp, cls),
    referents: (op) => ownedRefs(dataOf(interp, op)).map((r) => r.op),
    edgeName: (op, target) => fieldHolding(dataOf(interp, op), target),
  });
  interp.typeCache.set(cls, t);
  return t;
}

/** The reference field of an instance that holds `target` ("items[2]" for a list item). */
function fieldHolding(d: InstanceData, target: number): string | undefined {
  for (const k of d.cls.referenceFields) {
    const v = d.values[k];
    if (v instanceof RefCell) {
      if (v.owned()?.op === target) return k;
    } else if (v instanceof RefList) {
      const i = v.owned().findIndex((x) => !x.isDropped() && x.op === target);
      if (i >= 0) return `${k}[${i}]`;
    } else if (v && (v as Py<unknown>).op === target && !(v as Py<unknown>).isDropped()) return k;
  }
  return undefined;
}

/** Every live reference an instance owns, in field declaration order. */
function ownedRefs(d: InstanceData): Py<unknown>[] {
  const out: Py<unknown>[] = [];
  for (const k of d.cls.referenceFields) {
    const v = d.values[k];
    if (v instanceof RefCell) {
      const x = v.owned();
      if (x) out.push(x);
    } else if (v instanceof RefList) out.push(...v.owned());
    else if (v) out.push(v as Py<unknown>);
  }
  return out.filter((r) => !r.isDropped());
}

/** Py::new: builds the instance from `init` (reference fields moved in), allocates, tracks. */
export function newInstance(interp: Interpreter, cls: PyClass, init: Record<string, unknown>): number {
  if (!init || typeof init !== 'object') throw new PyUsageError(`Py.new(${cls.name}): init must be an object`);
  for (const k of Object.keys(init)) {
    if (!Object.hasOwn(cls.fields, k)) throw new PyUsageError(`Py.new(${cls.name}): no field '${k}'`);
  }
  const values: Record<string, unknown> = {};
  const owners: FieldOwner[] = [];
  const owner = (field: string) => {
    const o: FieldOwner = { op: 0, field };
    owners.push(o);
    return o;
  };
  for (const [k, f] of Object.entries(cls.fields)) {
    const v = init[k];
    switch (f.kind) {
      case 'ref':
        if (v === undefined || v === null) throw new PyUsageError(`Py.new(${cls.name}): field '${k}' needs a reference`);
        values[k] = moveIn(v, `Py.new(${cls.name}).${k}`);
        break;
      case 'optionalRef':
        values[k] = moveIn(v, `Py.new(${cls.name}).${k}`);
        break;
      case 'cell':
        values[k] = new RefCell(interp, moveIn(v, `Py.new(${cls.name}).${k}`), owner(k));
        break;
      case 'list': {
        const arr = (v ?? []) as unknown[];
        if (!Array.isArray(arr)) throw new PyUsageError(`Py.new(${cls.name}): field '${k}' takes an array of references`);
        values[k] = new RefList(interp, arr.map((x) => moveIn(x, `Py.new(${cls.name}).${k}`)!).filter(Boolean), owner(k));
        break;
      }
      default:
        // A reference in a plain field would be invisible to traverse, clear and dealloc: the
        // schema must declare it (PyO3 knows a field is a `Py<T>` from its Rust type).
        if (v instanceof Py) {
          throw new PyUsageError(`Py.new(${cls.name}): field '${k}' is a plain value; declare references with field.ref(), field.optionalRef(), field.cell() or field.list()`);
        }
        values[k] = v === undefined ? structuredCloneSafe(f.default) : v;
    }
  }
  const self: FieldOwner = { op: 0, field: '' };
  const data: InstanceData = { cls, values, self: selfProxy(interp, cls, values, self), borrow: 0 };
  registerSelf(data.self, interp, self);
  const t = typeFor(interp, cls);
  const p = interp.process;
  const op = t.gc ? p.gcNew(t, data) : p.newObject(t, data);
  self.op = op;
  for (const o of owners) o.op = op;
  if (t.gc) p.PyObject_GC_Track(op);
  return op;
}

function structuredCloneSafe<T>(v: T): T {
  return v !== null && typeof v === 'object' ? structuredClone(v) : v;
}

/** The instance as callbacks see it: reference fields drop their old value when overwritten. */
function selfProxy(interp: Interpreter, cls: PyClass, values: Record<string, unknown>, self: FieldOwner): Record<string, unknown> {
  const at = (k: string): FieldOwner => ({ op: self.op, field: k });
  const kind = (k: string | symbol) => (typeof k === 'string' && Object.hasOwn(cls.fields, k) ? cls.fields[k].kind : undefined);
  return new Proxy(values, {
    set(target, k, v) {
      const kd = kind(k);
      if (kd === undefined) throw new PyUsageError(`${cls.name}: no field '${String(k)}'`);
      if (kd === 'cell' || kd === 'list') throw new PyUsageError(`${cls.name}.${String(k)}: assign through its set()/clear()`);
      if (kd === 'ref' || kd === 'optionalRef') {
        if ((v === null || v === undefined) && !target[k as string]) return ((target[k as string] = moveIn(v, `${cls.name}.${String(k)} =`)), true);
        return fieldWrite(interp, at(k as string), 'assignment', () => {
          const old = target[k as string] as Py<unknown> | null;
          target[k as string] = moveIn(v, `${cls.name}.${String(k)} =`);
          if (old && !old.isDropped()) old.drop();
          return true;
        });
      }
      target[k as string] = v;
      return true;
    },
    deleteProperty(target, k) {
      const kd = kind(k);
      if (kd === 'ref' || kd === 'optionalRef') {
        if (!target[k as string]) return ((target[k as string] = null), true);
        return fieldWrite(interp, at(k as string), 'delete', () => {
          const old = target[k as string] as Py<unknown> | null;
          target[k as string] = null;
          if (old && !old.isDropped()) old.drop();
          return true;
        });
      }
      throw new PyUsageError(`${cls.name}: cannot delete field '${String(k)}'`);
    },
    defineProperty() {
      throw new PyUsageError(`${cls.name}: instances have a fixed set of fields`);
    },
  });
}

// ---- trampolines ----------------------------------------------------------------------------

function traverseTrampoline(interp: Interpreter, cls: PyClass<Fields>) {
  const b = interp.behaviour;
  const user = cls.spec.traverse!;
  const userFrame = `${cls.name}.traverse${USER}`;
  return (op: number, visitproc: (op: number, arg: unknown) => number, arg: unknown): number => {
    const p = interp.process;
    const d = dataOf(interp, op);
    return interp.asCallback(() => {
      // PyO3 0.18.3: `let pool = GILPool::new();` — the patched variant skips update_counts.
      if (b.traversePool) interp.newGilPool('tp_traverse', b.traverseUpdateCounts);
      try {
        // try_borrow: an object that is mutably borrowed up the stack is skipped (#854).
        if (d.borrow < 0) return 0;
        const thread = interp.thread;
        const saved = thread.gilCount;
        if (b.traverseLock) thread.gilCount = -1; // LockGIL::during_traverse
        // Beyond PyO3 0.19: the guarded runtime knows the instance's own references and holds
        // the traverse to them: a foreign or second visit is refused (skipped, recorded), and
        // an owned reference left unvisited is visited for it after the body returns.
        const guard = b.traverseLock ? traverseGuard(interp, cls, d) : undefined;
        const visit = newVisit(visitproc, arg, guard);
        let completed = false;
        try {
          p.frame(userFrame, () =>
            interp.inScope(() => {
              const r = (user as (s: unknown, v: Visit) => unknown)(d.self, visit);
              if (r !== undefined) {
                p.anomalies.push({ kind: 'traverse-returned-error', message: `${cls.name}.traverse returned a value (${Object.prototype.toString.call(r)}): it must be synchronous and return nothing` });
                // An async traverse (plain JavaScript) rejects after the trampoline returned:
                // keep that rejection inside the simulated interpreter, never the host's
                // unhandled rejections (call_traverse_impl catches every panic of user code).
                if (typeof (r as PromiseLike<unknown> | null)?.then === 'function') {
                  (r as PromiseLike<unknown>).then(undefined, (e: unknown) => {
                    interp.traverseErrors.push(`${cls.name}.traverse (async) rejected with ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
                  });
                }
              }
            }),
          );
          completed = true;
          if (guard) completeTraverse(interp, cls, d, visit, guard);
          return 0;
        } catch (e) {
          if (isSimulatedCrash(e) || p.crash) throw e;
          if (e instanceof TraverseError) return e.code;
          if (guard && !completed) completeTraverse(interp, cls, d, visit, guard);
          if (!b.catchUnwind) p.abort(`${cls.name}_traverse`, 'uncaught panic inside __traverse__ handler');
          interp.traverseErrors.push(`${cls.name}.traverse threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
          return -1;
        } finally {
          visit.expire();
          if (b.traverseLock) thread.gilCount = saved;
        }
      } finally {
        if (b.traversePool) interp.decrementGilCount();
      }
    });
  };
}

/** The guarded runtime's view of an instance for one traverse call (see Visit). */
function traverseGuard(interp: Interpreter, cls: PyClass<Fields>, d: InstanceData): VisitGuard {
  const owned = new Map<Py<unknown>, string>();
  for (const [r, k] of ownedRefsByField(d)) owned.set(r, k);
  return {
    owned,
    refuse(what, field) {
      interp.stopped.push(
        what === 'duplicate'
          ? `${cls.name}.traverse visited the same reference twice (${field}): each owned reference must be visited exactly once; the second visit was refused`
          : `${cls.name}.traverse visited a reference that is not one of its own fields (a foreign visit): refused, the collector would have miscounted it`,
      );
    },
  };
}

/** After a guarded traverse: the owned references it did not visit are visited for it. */
function completeTraverse(interp: Interpreter, cls: PyClass<Fields>, d: InstanceData, visit: Visit, guard: VisitGuard): void {
  // What the instance owned when traverse began and still owns (a reference moved out is no
  // longer its own; one moved in from another field may have been visited as that field).
  const missed = ownedRefsByField(d).filter(([r]) => guard.owned.has(r) && !visit.visited(r));
  if (!missed.length) return;
  interp.stopped.push(
    `${cls.name}.traverse did not visit ${missed.map(([, k]) => `'${k}'`).join(', ')}, which ${missed.length > 1 ? 'hold references' : 'holds a reference'}: every owned reference must be visited on every call (a cycle through it would leak); the guarded runtime visited it`,
  );
  for (const [r] of missed) visit.visitOwned(r);
}

/** Every live reference an instance owns, with the field holding it ("items[1]" for a list item). */
function ownedRefsByField(d: InstanceData): [Py<unknown>, string][] {
  const out: [Py<unknown>, string][] = [];
  for (const k of d.cls.referenceFields) {
    const v = d.values[k];
    if (v instanceof RefCell) {
      const x = v.owned();
      if (x && !x.isDropped()) out.push([x, k]);
    } else if (v instanceof RefList) v.owned().forEach((x, i) => !x.isDropped() && out.push([x, `${k}[${i}]`]));
    else if (v && !(v as Py<unknown>).isDropped()) out.push([v as Py<unknown>, k]);
  }
  return out;
}

/**
 * After a guarded clear: a reference field still holding a reference keeps the cycle alive
 * (delete_garbage would clear it every collection and free nothing). The guarded runtime
 * records it and releases the references, as a derived clear would.
 */
function completeClear(interp: Interpreter, cls: PyClass<Fields>, d: InstanceData): void {
  const left = ownedRefsByField(d);
  if (!left.length) return;
  interp.stopped.push(
    `${cls.name}.clear left ${[...new Set(left.map(([, k]) => `'${k.replace(/\[\d+\]$/, '')}'`))].join(', ')} holding a reference: clear must release every reference traverse visits (else the cycle survives); the guarded runtime released it`,
  );
  releaseAll(d);
}

/** Releases every reference field (the derived clear, and the guarded runtime's repair). */
export function releaseAll(d: InstanceData): void {
  for (const k of d.cls.referenceFields) {
    const v = d.values[k];
    if (v instanceof RefCell) v.clear();
    else if (v instanceof RefList) v.clear();
    else if (v) delete d.self[k];
  }
}

function clearTrampoline(interp: Interpreter, cls: PyClass<Fields>) {
  const b = interp.behaviour;
  const user = cls.spec.clear!;
  const userFrame = `${cls.name}.clear${USER}`;
  return (op: number): number => {
    const p = interp.process;
    const d = dataOf(interp, op);
    return interp.asCallback(() => {
      if (b.pyo3) interp.newGilPool('tp_clear');
      try {
        if (d.borrow !== 0) {
          p.pendingError = `RuntimeError: ${cls.name} is already borrowed`;
          return -1;
        }
        d.borrow = -1;
        try {
          p.frame(userFrame, () => interp.inScope(() => (user as (s: unknown) => void)(d.self)));
          if (b.traverseLock) p.frame(userFrame, () => interp.inScope(() => completeClear(interp, cls, d)));
          return 0;
        } catch (e) {
          if (isSimulatedCrash(e) || p.crash) throw e;
          p.pendingError = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
          return -1;
        } finally {
          d.borrow = 0;
        }
      } finally {
        if (b.pyo3) interp.decrementGilCount();
      }
    });
  };
}

function deallocTrampoline(interp: Interpreter, cls: PyClass<Fields>) {
  const b = interp.behaviour;
  const dropHook = cls.spec.drop as ((s: unknown) => void) | undefined;
  const dropFrame = `${cls.name}.drop${USER}`;
  return (op: number): void => {
    const p = interp.process;
    interp.asCallback(() => {
      // Every PyO3 trampoline (tp_dealloc too) starts with a GILPool.
      if (b.pyo3) interp.newGilPool('tp_dealloc');
      try {
        const d = dataOf(interp, op);
        const gc = cls.spec.traverse !== undefined;
        if (gc) p.PyObject_GC_UnTrack(op);
        // Drop the Rust value: `Drop::drop(&mut self)` first, then the fields in declaration order.
        if (dropHook) runDropHook(interp, cls, d, dropHook, dropFrame);
        for (const r of ownedRefs(d)) r.drop();
        if (gc) p.PyObject_GC_Del(op);
        else p.PyObject_Free(op);
      } finally {
        if (b.pyo3) interp.decrementGilCount();
      }
    });
  };
}

/**
 * The user's `drop(self)` inside tp_dealloc, with `self` mutably borrowed. PyO3 runs it inside
 * the dealloc trampoline's GILPool (its deferred counts already applied; drops in it are
 * immediate), and `trampoline_unraisable` turns a panic into an unraisable exception. Raw C has
 * no pool; a C dealloc can only report an error with PyErr_WriteUnraisable.
 */
function runDropHook(interp: Interpreter, cls: PyClass<Fields>, d: InstanceData, hook: (s: unknown) => void, frame: string): void {
  const p = interp.process;
  const saved = d.borrow;
  d.borrow = -1;
  try {
    p.frame(frame, () => interp.inScope(() => hook(d.self)));
  } catch (e) {
    if (isSimulatedCrash(e) || p.crash) throw e;
    const what = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    p.unraisable.push(
      interp.behaviour.pyo3 ? `Exception ignored in: <${cls.name} dealloc>: PanicException: ${what}` : `Exception ignored in: <${cls.name} dealloc>: ${what}`,
    );
  } finally {
    d.borrow = saved;
  }
}

// ---- borrows --------------------------------------------------------------------------------

/** PyRef / PyRefMut: a view of the instance holding the borrow flag until released. */
export function pyRefView(interp: Interpreter, op: number, mutable: boolean): unknown {
  const d = dataOf(interp, op);
  if (mutable) {
    if (d.borrow !== 0) throw new PyUsageError(`${d.cls.name}: already borrowed (borrowMut)`);
    d.borrow = -1;
  } else {
    if (d.borrow < 0) throw new PyUsageError(`${d.cls.name}: already mutably borrowed (borrow)`);
    d.borrow++;
  }
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    if (mutable) d.borrow = 0;
    else d.borrow--;
  };
  const temp: Temporary = { isUnclaimed: () => held, expire: release, matches: (v) => v === view };
  interp.currentScope()?.add(temp);
  const view: object = new Proxy(d.self, {
    get(target, k, recv) {
      if (k === 'release' || k === Symbol.dispose) return release;
      if (!held) throw new PyUsageError(`${d.cls.name}: the borrow was released`);
      return Reflect.get(target, k, recv);
    },
    set(target, k, v) {
      if (!mutable) throw new PyUsageError(`${d.cls.name}.${String(k)}: a shared borrow is read-only`);
      if (!held) throw new PyUsageError(`${d.cls.name}: the borrow was released`);
      return Reflect.set(target, k, v);
    },
    deleteProperty(target, k) {
      if (!mutable) throw new PyUsageError(`${d.cls.name}.${String(k)}: a shared borrow is read-only`);
      return Reflect.deleteProperty(target, k);
    },
  });
  registerSelf(view, interp, { op, field: '' });
  return view;
}
