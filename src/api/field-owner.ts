// Which instance and field a reference container (RefCell, RefList) or an assignment writes:
// the simulator's traverse watch names it in a graph change a traverse makes during a
// collection (src/simulator/traverse-watch.ts).

import type { Interpreter } from './interpreter.js';

/** The instance (its PyObject*, 0 until allocated) and the field name. */
export interface FieldOwner {
  op: number;
  readonly field: string;
}

/** Runs `fn`, a write of the field `owner` names, under the process's field-write watch. */
export function fieldWrite<R>(interp: Interpreter, owner: FieldOwner | undefined, operation: string, fn: () => R): R {
  if (!owner || owner.op === 0) return fn();
  return interp.process.fieldWrite(owner.op, owner.field, operation, fn);
}
