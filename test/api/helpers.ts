// Shared fixtures for the runtime-semantics tests of the binding API: a `Node` pyclass whose
// traverse visits its cell and then runs a per-test hook (the misuse under test), and small
// helpers to build cycles and to call a traverse directly and read the trampoline's return.
import { Interpreter, Py, Python, field, pyclass, type RefCell, type RunResult, type RuntimeKind, type TraverseSelf, type Visit } from 'traverse-guard';

export const nodeFields = { next: field.cell(), n: field.int() };
export type NodeSelf = TraverseSelf<typeof nodeFields>;

/** What Node's traverse runs after visiting `next` (null: nothing). */
export const hook: { fn: ((self: NodeSelf, visit: Visit) => void) | null; calls: number } = { fn: null, calls: 0 };

export const Node = pyclass('Node', {
  fields: nodeFields,
  traverse(self, visit) {
    hook.calls++;
    visit.call(self.next.get());
    hook.fn?.(self, visit);
  },
  clear(self) {
    self.next.take();
  },
});
export type NodeRef = Py<typeof Node>;

/** A class without references (not GC-tracked). */
export const Leaf = pyclass('Leaf', { fields: { n: field.int() } });

export function resetHook(): void {
  hook.fn = null;
  hook.calls = 0;
}

/** A self-cycle `a -> a`; the caller owns the one external reference. */
export function selfCycle(py: Python): NodeRef {
  const a = Py.new(py, Node, {});
  const m = a.borrowMut(py);
  m.next.set(a.cloneRef(py));
  m.release(); // else the borrow lasts until the enclosing callback returns
  return a;
}

/** Two nodes, `a -> b`; the caller owns one external reference to each (b's refcount is 2). */
export function parentAndChild(py: Python): [NodeRef, NodeRef] {
  const a = Py.new(py, Node, {});
  const b = Py.new(py, Node, {});
  const m = a.borrowMut(py);
  m.next.set(b.cloneRef(py));
  m.release();
  return [a, b];
}

/**
 * Sets the hook to take and drop `next` inside traverse, recording `child`'s refcount right
 * after the drop; returns the array the refcounts go into.
 */
export function dropNextInTraverse(interp: Interpreter, child: Py<unknown>): number[] {
  const inside: number[] = [];
  hook.fn = (self) => {
    (self.next as unknown as RefCell).take()?.drop();
    inside.push(interp.process.refcnt(child.address));
  };
  return inside;
}

/** Runs `main` on a fresh interpreter of `runtime` with the hook reset before and after. */
export function runOn<R>(runtime: RuntimeKind, main: (interp: Interpreter) => R, python = '3.11'): RunResult<R> & { interp: Interpreter } {
  resetHook();
  const interp = new Interpreter({ runtime, python });
  try {
    return { ...interp.run(() => main(interp)), interp };
  } finally {
    resetHook();
  }
}

/**
 * Calls `ref`'s tp_traverse directly (as gc.get_referents would) with a visitproc that records
 * the addresses and returns `visitResult`; gives the trampoline's return code.
 */
export function callTraverse(interp: Interpreter, ref: Py<unknown>, visitResult = 0): { code: number; visited: number[] } {
  const visited: number[] = [];
  const code = interp.process.callTraverse(
    ref.address,
    (op) => {
      visited.push(op);
      return visitResult;
    },
    null,
  );
  return { code, visited };
}

/** Records what a misuse throws, then lets it propagate to the trampoline. */
export function recording(errors: unknown[], fn: () => unknown): () => void {
  return () => {
    try {
      fn();
    } catch (e) {
      errors.push(e);
      throw e;
    }
  };
}
