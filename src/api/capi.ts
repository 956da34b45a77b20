// Raw C-level reference counting for the `c` runtime: `Py_INCREF(obj)` / `Py_DECREF(obj)` on
// the object a handle, a field's reference or an instance's `self` refers to, exactly as a C
// extension would write them (no ownership bookkeeping: the handle stays as it was). PyO3 code
// counts through `Py#cloneRef` and `Py#drop` instead, so the other runtimes refuse them.
//
// Types: they take a `Py` or a mutable borrow (`PyRefMut`); a traverse's readonly `self` and
// its borrowed fields are neither, so calling them from a traverse needs a cast, like every
// other hazard the API lets through.

import { PyUsageError } from './errors.js';
import { currentInterpreter, type Interpreter } from './interpreter.js';
import { Py } from './py.js';
import type { FieldOwner } from './field-owner.js';
import type { Fields, PyRefMut } from './types.js';

/** What the raw C functions take: a reference, or an instance seen through a mutable borrow. */
export type CObject = Py<unknown> | PyRefMut<Fields>;

/** Instance views (`self` in callbacks, borrows) → their object. */
const views = new WeakMap<object, { interp: Interpreter; owner: FieldOwner }>();

/** @internal The binding registers every `self` proxy and borrow view it creates. */
export function registerSelf(view: object, interp: Interpreter, owner: FieldOwner): void {
  views.set(view, { interp, owner });
}

function resolve(obj: unknown, op: string): { interp: Interpreter; address: number } {
  const interp = currentInterpreter(op);
  if (interp.runtime !== 'c') {
    throw new PyUsageError(`${op}: raw C reference counting belongs to the c runtime; under ${interp.runtime} use Py#cloneRef and Py#drop`);
  }
  interp.process.alive();
  if (obj instanceof Py) {
    if (obj.interp !== interp) throw new PyUsageError(`${op}: the reference belongs to another interpreter`);
    return { interp, address: obj.op };
  }
  const v = obj !== null && typeof obj === 'object' ? views.get(obj) : undefined;
  if (!v) throw new PyUsageError(`${op}: expected a Py reference or an instance's self`);
  if (v.interp !== interp) throw new PyUsageError(`${op}: the object belongs to another interpreter`);
  return { interp, address: v.owner.op };
}

/** Py_INCREF(obj): one more reference, owned by nobody the simulator knows (the caller's C code). */
export function Py_INCREF(obj: CObject): void {
  const { interp, address } = resolve(obj, 'Py_INCREF');
  interp.process.Py_INCREF(address);
}

/** Py_DECREF(obj): one reference less; at zero the object is deallocated now. */
export function Py_DECREF(obj: CObject): void {
  const { interp, address } = resolve(obj, 'Py_DECREF');
  interp.process.Py_DECREF(address);
}
