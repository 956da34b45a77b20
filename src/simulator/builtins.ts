// Built-in types, so graphs need no custom type: `list` (a resizable container, like
// PyListObject), `object` with fixed slots (a `__slots__` instance, subtype_dealloc order),
// and `str` (a non-GC object).

import type { Process } from './process.js';
import type { PyType } from './types.js';

export interface Builtins {
  readonly list: PyType;
  readonly slots: PyType;
  readonly str: PyType;
}

/** Items of a list object (PyObject*; 0 is NULL). */
export function listItems(p: Process, op: number): number[] {
  return p.payload[p.slot(op)] as number[];
}

export function installBuiltins(p: Process): Builtins {
  const items = (op: number) => p.payload[p.slot(op)] as number[];
  /** Py_CLEAR of every slot, in order (the slot is NULL before its referent can die). */
  const clearSlots = (op: number) => {
    const a = items(op);
    for (let i = 0; i < a.length; i++) {
      const x = a[i];
      if (x) {
        a[i] = 0;
        p.Py_DECREF(x);
      }
    }
  };
  const list = p.defineType({
    name: 'list',
    gc: true,
    // list_traverse: Py_VISIT each item, stop at the first non-zero.
    traverse: (op, visit, arg) => {
      const a = items(op);
      for (let i = a.length - 1; i >= 0; i--) {
        const x = a[i];
        if (x) {
          const r = visit(x, arg);
          if (r) return r;
        }
      }
      return 0;
    },
    // list_clear (_list_clear): detach the items, then Py_XDECREF them from the end.
    clear: (op) => {
      const s = p.slot(op);
      const a = p.payload[s] as number[];
      p.payload[s] = [];
      for (let i = a.length - 1; i >= 0; i--) p.Py_XDECREF(a[i]);
      return 0;
    },
    // list_dealloc: untrack first, then release the items from the end, then free.
    dealloc: (op) => {
      p.PyObject_GC_UnTrack(op);
      const s = p.slot(op);
      const a = p.payload[s] as number[];
      for (let i = a.length - 1; i >= 0; i--) p.Py_XDECREF(a[i]);
      p.payload[s] = [];
      p.PyObject_GC_Del(op);
    },
    referents: (op) => items(op).filter((x) => x !== 0),
  });

  const slots = p.defineType({
    name: 'object',
    gc: true,
    traverse: (op, visit, arg) => {
      for (const x of items(op)) {
        if (x) {
          const r = visit(x, arg);
          if (r) return r;
        }
      }
      return 0;
    },
    // subtype_clear: Py_CLEAR each slot.
    clear: (op) => {
      clearSlots(op);
      return 0;
    },
    // subtype_dealloc (no finalizer): untrack, clear slots, free.
    dealloc: (op) => {
      p.PyObject_GC_UnTrack(op);
      clearSlots(op);
      p.PyObject_GC_Del(op);
    },
    referents: (op) => items(op).filter((x) => x !== 0),
  });

  const str = p.defineType({
    name: 'str',
    gc: false,
    dealloc: (op) => p.PyObject_Free(op),
    referents: () => [],
  });

  return { list, slots, str };
}

/** PyList_New + fill (steals the given references) + track. */
export function newList(p: Process, b: Builtins, itemsIn: readonly number[] = []): number {
  const op = p.gcNew(b.list, [...itemsIn]);
  p.PyObject_GC_Track(op);
  return op;
}

/** An instance with `n` slots (all NULL), tracked. */
export function newSlotsObject(p: Process, b: Builtins, n: number): number {
  const op = p.gcNew(b.slots, new Array<number>(n).fill(0));
  p.PyObject_GC_Track(op);
  return op;
}

/** list.append: Py_INCREF(item) and store. */
export function listAppend(p: Process, list: number, item: number): void {
  p.Py_INCREF(item);
  (p.payload[p.slot(list)] as number[]).push(item);
}

export function newStr(p: Process, b: Builtins, value: string): number {
  return p.newObject(b.str, value);
}
