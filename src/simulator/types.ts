// Type objects: the slots the collector calls (tp_traverse, tp_clear, tp_dealloc,
// tp_finalize, tp_del) written in TypeScript, plus the GC flag. `referents` is the ground
// truth of what an object holds, used by the heap audit and never by the collector.

/** visitproc: called with a PyObject* and the collector's `arg`; non-zero stops the traversal. */
export type VisitProc = (op: number, arg: unknown) => number;

export interface TypeSpec {
  readonly name: string;
  /** Py_TPFLAGS_HAVE_GC: instances carry a PyGC_Head and can be tracked. */
  readonly gc: boolean;
  /** tp_traverse(self, visit, arg) → 0 or the first non-zero visit result. */
  readonly traverse?: (self: number, visit: VisitProc, arg: unknown) => number;
  /** Built-in containers: tp_traverse is exactly `Process.visitItems` over the object's items
   *  in this order, so callTraverse runs that loop without calling `traverse` (same frame,
   *  same visits, one call less per object in every collector pass). */
  readonly traverseItems?: 'forward' | 'reverse';
  /** tp_clear(self) → 0 (or -1 with an error set). */
  readonly clear?: (self: number) => number;
  /** tp_dealloc(self): must untrack, release what it owns and free the memory. */
  readonly dealloc: (self: number) => void;
  /** tp_finalize (PEP 442), called at most once per object by the collector. */
  readonly finalize?: (self: number) => void;
  /** tp_del: a legacy finalizer; such garbage is uncollectable and goes to gc.garbage. */
  readonly legacyDel?: (self: number) => void;
  /** What the object really holds (strong references), for the audit. */
  readonly referents: (self: number) => readonly number[];
  /** The field of `self` that holds `target`, for the audit's words (optional). */
  readonly edgeName?: (self: number, target: number) => string | undefined;
}

export interface PyType extends TypeSpec {
  readonly id: number;
}
