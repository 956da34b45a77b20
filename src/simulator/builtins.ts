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

/** The items of a list or slots object (PyObject*; 0 is NULL), as a copy. */
export function listItems(p: Process, op: number): number[] {
  return p.items.toArray(p.slot(op));
}

export function installBuiltins(p: Process): Builtins {
  const store = p.items;
  /** Py_CLEAR of every slot, in order (the slot is NULL before its referent can die). */
  const clearSlots = (op: number) => {
    const s = p.slot(op);
    for (let i = 0; i < store.length(s); i++) {
      const x = store.get(s, i);
      if (x) {
        store.set(s, i, 0);
        p.Py_DECREF(x);
      }
    }
  };
  const referents = (op: number) => store.toArray(p.slot(op)).filter((x) => x !== 0);
  const list = p.defineType({
    name: 'list',
    gc: true,
    // list_traverse: Py_VISIT each item from the end, stop at the first non-zero.
    traverse: (op, visit, arg) => p.visitItems(p.slot(op), true, visit, arg),
    traverseItems: 'reverse',
    // list_clear (_list_clear): detach the items, then Py_XDECREF them from the end.
    clear: (op) => {
      const d = store.detach(p.slot(op));
      for (let i = d.length - 1; i >= 0; i--) p.Py_XDECREF(store.detachedItem(d, i));
      return 0;
    },
    // list_dealloc: untrack first, then release the items from the end, then free.
    dealloc: (op) => {
      p.PyObject_GC_UnTrack(op);
      const s = p.slot(op);
      for (let i = store.length(s) - 1; i >= 0; i--) p.Py_XDECREF(store.get(s, i));
      store.release(s);
      p.PyObject_GC_Del(op);
    },
    referents,
  });

  const slots = p.defineType({
    name: 'object',
    gc: true,
    traverse: (op, visit, arg) => p.visitItems(p.slot(op), false, visit, arg),
    traverseItems: 'forward',
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
    referents,
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
  const op = p.gcNew(b.list, undefined);
  p.items.assign(p.slot(op), itemsIn);
  p.PyObject_GC_Track(op);
  return op;
}

/** An instance with `n` slots (all NULL), tracked. */
export function newSlotsObject(p: Process, b: Builtins, n: number): number {
  const op = p.gcNew(b.slots, undefined);
  p.items.assign(p.slot(op), new Array<number>(n).fill(0));
  p.PyObject_GC_Track(op);
  return op;
}

/** list.append: Py_INCREF(item) and store. */
export function listAppend(p: Process, list: number, item: number): void {
  p.Py_INCREF(item);
  p.items.push(p.slot(list), item);
}

/** `self.slots[i]` / `list[i] = item` without reference counting (the caller owns the swap). */
export function setItem(p: Process, op: number, i: number, item: number): void {
  p.items.set(p.slot(op), i, item);
}

export function newStr(p: Process, b: Builtins, value: string): number {
  return p.newObject(b.str, value);
}
