// Py<T>: an owned strong reference (PyO3's `Py<T>`). Dropping it with the GIL decrefs now;
// without the GIL (another thread, or inside a guarded traverse) the decref is deferred to
// the reference pool, applied at the next GIL acquisition.

import { PyUsageError } from './errors.js';
import { captureStack, userSourceLines } from '../simulator/index.js';
import type { Interpreter } from './interpreter.js';
import type { Temporary } from './scope.js';
import type { Fields, InitOf, PyRef, PyRefMut } from './types.js';
import type { PyClass } from './pyclass-handle.js';
import type { Python } from './python.js';
import { tokenInterpreter } from './python.js';
import { newInstance, pyRefView } from './pyclass.js';

type State = 'live' | 'dropped' | 'moved';

/** An owned reference to a Python object of class `C` (or `unknown`). */
export class Py<C = unknown> implements Temporary {
  /** @internal */ readonly interp: Interpreter;
  /** @internal The PyObject* address. */ readonly op: number;
  /** @internal */ state: State = 'live';
  /** @internal Owned by a callback scope until claimed. */ temporary = false;
  /** @internal Where a temporary was handed out (the stack, formatted only for a report). */ origin: Error | undefined;

  /** @internal What the object's payload slot held when this handle was made (isAlive). */ readonly payloadAtBirth: unknown;

  /** @internal */
  constructor(interp: Interpreter, op: number) {
    this.interp = interp;
    this.op = op;
    this.payloadAtBirth = interp.process.payload[interp.process.slot(op)];
  }

  /** Py::new: allocate and initialise an instance of `cls` (reference fields are moved in). */
  static new<F extends Fields>(py: Python, cls: PyClass<F>, init: InitOf<F>): Py<PyClass<F>> {
    const interp = tokenInterpreter(py, 'Py.new');
    interp.requireInterpreter('Py.new');
    return new Py<PyClass<F>>(interp, newInstance(interp, cls as unknown as PyClass, init as Record<string, unknown>));
  }

  /** The object's PyObject* as the simulator's C-API takes it (`interp.process.refcnt(address)`):
   *  a small-integer code; `realValue(address)` from `traverse-guard/simulator` is the 64-bit
   *  address a process would show (src/simulator/addresses.ts). */
  get address(): number {
    return this.op;
  }

  /** Py::clone_ref: Py_INCREF (needs the interpreter). */
  cloneRef(py: Python): Py<C> {
    const interp = this.use('cloneRef', py);
    interp.requireInterpreter('Py#cloneRef');
    interp.process.Py_INCREF(this.op);
    return new Py<C>(interp, this.op);
  }

  /** Drop this reference: Py_DECREF with the GIL, else deferred to the reference pool. */
  drop(): void {
    this.checkLive('drop');
    this.state = 'dropped';
    this.temporary = false;
    this.interp.registerDecref(this.op);
  }

  /** `using ref = …` drops it at the end of the block (no-op if already dropped or moved). */
  [Symbol.dispose](): void {
    if (this.state === 'live') this.drop();
  }

  isDropped(): boolean {
    return this.state !== 'live';
  }

  /**
   * The object this handle refers to is still allocated (not freed), whether or not this
   * handle was dropped or moved; false once it was deallocated, even if its memory now holds
   * another object. Needs no token: it reads the simulated heap, like a debugger would.
   */
  isAlive(): boolean {
    const p = this.interp.process;
    const s = p.slot(this.op);
    return p.isLive(this.op) && p.payload[s] === this.payloadAtBirth;
  }

  /** Py::bind: a view tied to the GIL token (no refcount change). */
  bind(py: Python): Bound<C> {
    const interp = this.use('bind', py);
    interp.requireInterpreter('Py#bind');
    return new Bound<C>(this, py);
  }

  /** Py::borrow: a shared borrow of the instance (PyRef), released at the end of the callback. */
  borrow(py: Python): C extends PyClass<infer F> ? PyRef<F> : never {
    const interp = this.use('borrow', py);
    interp.requireInterpreter('Py#borrow');
    return pyRefView(interp, this.op, false) as never;
  }

  /** Py::borrow_mut: an exclusive borrow (PyRefMut); fails if already borrowed. */
  borrowMut(py: Python): C extends PyClass<infer F> ? PyRefMut<F> : never {
    const interp = this.use('borrowMut', py);
    interp.requireInterpreter('Py#borrowMut');
    return pyRefView(interp, this.op, true) as never;
  }

  /** Py::get_refcnt. */
  refcnt(py: Python): number {
    const interp = this.use('refcnt', py);
    interp.requireInterpreter('Py#refcnt');
    return interp.process.refcnt(this.op);
  }

  /** Py::is: the same object. */
  is(other: Py<unknown>): boolean {
    return this.op === other.op;
  }

  // ---- Temporary (scope) -----------------------------------------------------------------
  /** @internal */
  isUnclaimed(): boolean {
    return this.temporary && this.state === 'live';
  }
  /** @internal */
  expire(): void {
    if (this.state === 'live') this.interp.process.stack.withUserLocation(this.origin && (() => userSourceLines(this.origin)[0]), () => this.drop());
  }
  /** @internal */
  matches(v: unknown): boolean {
    return v === this;
  }

  // ---- internals --------------------------------------------------------------------------
  /** @internal */
  checkLive(op: string): void {
    this.interp.process.alive();
    if (this.state === 'dropped') throw new PyUsageError(`Py#${op}: the reference was already dropped`);
    if (this.state === 'moved') throw new PyUsageError(`Py#${op}: the reference was moved (into a field or another object)`);
  }

  private use(op: string, py: Python): Interpreter {
    this.checkLive(op);
    const interp = tokenInterpreter(py, `Py#${op}`);
    if (interp !== this.interp) throw new PyUsageError(`Py#${op}: the token belongs to another interpreter`);
    return interp;
  }
}

/** A GIL-bound view of a `Py` (PyO3's `Bound<'py, T>`); every method needs the interpreter. */
export class Bound<C = unknown> {
  constructor(
    private readonly ref: Py<C>,
    readonly py: Python,
  ) {}
  borrow(): C extends PyClass<infer F> ? PyRef<F> : never {
    return this.ref.borrow(this.py);
  }
  borrowMut(): C extends PyClass<infer F> ? PyRefMut<F> : never {
    return this.ref.borrowMut(this.py);
  }
  refcnt(): number {
    return this.ref.refcnt(this.py);
  }
  isTracked(): boolean {
    const interp = tokenInterpreter(this.py, 'Bound#isTracked');
    interp.requireInterpreter('Bound#isTracked');
    return interp.process.isTracked(this.ref.op);
  }
  unbind(): Py<C> {
    return this.ref;
  }
}

/** @internal A new owning handle for `op` (the reference count is already accounted for). */
export function adoptRef<C>(interp: Interpreter, op: number): Py<C> {
  return new Py<C>(interp, op);
}

/**
 * @internal Moves `value` into a container: the caller's handle becomes unusable and a fresh
 * handle owned by the container is returned.
 */
export function moveIn(value: unknown, what: string): Py<unknown> | null {
  if (value === null || value === undefined) return null;
  if (!(value instanceof Py)) throw new PyUsageError(`${what}: expected a Py reference or null`);
  value.checkLive(what);
  value.state = 'moved';
  value.temporary = false;
  return new Py<unknown>(value.interp, value.op);
}

/** @internal Hands a reference out of a container as a scope temporary. */
export function handOut(interp: Interpreter, ref: Py<unknown> | null): Py<unknown> | null {
  if (!ref) return null;
  ref.temporary = true;
  ref.origin = captureStack();
  const scope = interp.currentScope();
  if (scope) scope.add(ref);
  return ref;
}

/** @internal The live interpreter and object of a reference (for Visit). */
export function refAddress(ref: Py<unknown>, what: string): number {
  ref.checkLive(what);
  return ref.op;
}

