// The collection passes of CPython 3.8+ (Modules/gcmodule.c, Python/gc.c), one function each,
// in the order gc_collect_main calls them. Each states the invariant it establishes. While
// update_refs … move_unreachable run, `_gc_prev` holds `gc_refs << 2 | flags`: the lists are
// singly linked, and anything that unlinks an object faults (reference §2, §3.2).

import { GC37_REACHABLE, PREV_MASK_COLLECTING, low2, refsOf } from '../gchead.js';
import type { Process } from '../process.js';
import { DEBUG_SAVEALL } from '../gcstate.js';

type Visit = (op: number, arg: unknown) => number;

/**
 * update_refs: for every object in `containers`, `gc_refs := ob_refcnt` and COLLECTING is set.
 * After: each object's gc_refs is its refcount; `_gc_prev` no longer holds a pointer.
 */
export function updateRefs(p: Process, containers: number): void {
  p.frame('update_refs', () => {
    const h = p.heads;
    for (let g = h.next(containers); g !== containers; g = h.next(g)) {
      const op = p.fromGc(g);
      h.resetRefs(g, p.mem.load(op));
      if (p.debug && h.getRefs(g) === 0) p.assertFailed('update_refs', 'gc_get_refs(gc) != 0', 'tracked object with refcount 0');
    }
  });
}

/** visit_decref: a visited object in the collected set loses one gc_ref. */
function makeVisitDecref(p: Process): Visit {
  const mem = p.mem;
  return (op, arg) => {
    if (p.debug && p.isFreed(op)) p.assertFailed('visit_decref', '!_PyObject_IsFreed(op)', 'object already freed');
    const s = p.gcSlot(op); // PyObject_IS_GC(op); s is the slot of AS_GC(op)
    if (s < 0) return 0;
    // One read of `_gc_prev` serves gc_is_collecting, gc_get_refs and gc_decref: nothing
    // writes it in between (same accesses and faults as h.isCollecting/getRefs/decref).
    const word = mem.gcPrev[s];
    if (!(low2(word) & PREV_MASK_COLLECTING)) return 0;
    // Not CPython: the model logs (visitor, target) for collector/contract.ts.
    if (p.logVisits) p.visitLog.push(arg as number, op);
    if (refsOf(word) <= 0) {
      if (p.debug) p.assertFailed('gc_decref', 'gc_get_refs(g) > 0', 'refcount is too small');
      noteUnderflow(p, op);
    }
    mem.storePrevSlot(s, word - 4);
    return 0;
  };
}

function noteUnderflow(p: Process, op: number): void {
  const msg = `gc_refs underflow of ${p.typeOf(op).name} ${p.mem.describe(op)}: 0 - 1 wrapped to 2^62 - 1 (release build)`;
  p.damage.push(msg);
  p.anomalies.push({ kind: 'gc-refs-underflow', message: msg });
}

/**
 * subtract_refs: tp_traverse(visit_decref) on every object of `containers`. The loop reads
 * `gc->_gc_next` after each traverse returns.
 * After: gc_refs = references from outside the set (> 0 ⇒ directly reachable from outside).
 */
export function subtractRefs(p: Process, containers: number): void {
  p.frame('subtract_refs', () => {
    const h = p.heads;
    const visit = makeVisitDecref(p);
    for (let g = h.next(containers); g !== containers; g = h.next(g)) {
      const op = p.fromGc(g);
      p.callTraverse(op, visit, op);
    }
  });
}

/** visit_reachable: a visited collecting object is reachable after all. */
function makeVisitReachable(p: Process): Visit {
  const h = p.heads;
  const bit = h.unreachableBit;
  return (op, young) => {
    const s = p.gcSlot(op); // PyObject_IS_GC(op); s is the slot of gc = AS_GC(op)
    if (s < 0) return 0;
    const g = p.asGc(op);
    const word = p.mem.gcPrev[s]; // gc_get_refs and gc_is_collecting read the same word
    const refs = refsOf(word);
    if (!(low2(word) & PREV_MASK_COLLECTING)) return 0;
    if (p.debug && p.profile.debugTrackValidate && p.mem.gcNext[s] === 0) {
      p.assertFailed('visit_reachable', 'gc->_gc_next != 0');
    }
    const rawNext = p.mem.gcNext[s];
    if (low2(rawNext) & bit) {
      // The rare path gets its own frame, so a fault here reads `visit_reachable ← <type>_traverse`.
      const depth = p.stack.depth;
      p.stack.push('visit_reachable');
      try {
        unlinkReachable(p, g, rawNext, young as number);
      } finally {
        p.stack.unwindTo(depth);
      }
    } else if (refs === 0) {
      h.setRefs(g, 1);
    } else if (p.debug && refs < 0) {
      p.assertFailed('visit_reachable', 'gc_get_refs(gc) > 0', 'refcount is too small');
    }
    return 0;
  };
}

/** visit_reachable's rare path: gc is on the unreachable list, so it goes back to `young`. */
function unlinkReachable(p: Process, g: number, rawNext: number, young: number): void {
  const h = p.heads;
  if (p.debug && p.profile.debugTrackValidate) {
    const prev = h.prev(g);
    if (!(low2(p.mem.load(prev)) & h.unreachableBit) && prev !== p.gc.unreachableHead) {
      p.assertFailed('visit_reachable', 'prev->_gc_next & NEXT_MASK_UNREACHABLE');
    }
  }
  h.pullBackToYoung(g, rawNext, young);
}

/**
 * move_unreachable: objects with gc_refs 0 move to `unreachable` (tagged with
 * NEXT_MASK_UNREACHABLE); reachable ones are traversed with visit_reachable and get their
 * prev pointer back. The cursor is re-read from `prev->_gc_next` after each traverse.
 * After: `young` is a proper doubly linked list with COLLECTING clear; `unreachable` has valid
 * prev pointers, COLLECTING set and tagged next pointers.
 */
export function moveUnreachable(p: Process, young: number, unreachable: number): void {
  p.frame('move_unreachable', () => {
    const h = p.heads;
    const mem = p.mem;
    const visit = makeVisitReachable(p);
    let prev = young;
    let g = h.next(young);
    while (g !== young) {
      if (h.getRefs(g) !== 0) {
        const op = p.fromGc(g);
        if (p.debug && h.getRefs(g) < 0) p.assertFailed('move_unreachable', 'gc_get_refs(gc) > 0', 'refcount is too small');
        p.callTraverse(op, visit, young);
        h.restoreScanned(g, prev);
        prev = g;
      } else {
        h.moveToUnreachable(prev, g, unreachable);
      }
      g = h.masked ? h.next(prev) : mem.load(prev);
    }
    mem.storePrev(young, prev);
    h.clearUnreachableTag(unreachable);
  });
}

export type ListState = 'collecting_clear_unreachable_clear' | 'collecting_set_unreachable_clear' | 'collecting_set_unreachable_set';

/**
 * validate_list (debug builds, 3.9+): every prev pointer matches the walk, and each object's
 * COLLECTING and UNREACHABLE bits are as `state` says.
 */
export function validateList(p: Process, head: number, state: ListState): void {
  if (!p.debug || !p.profile.debugValidateList) return;
  const h = p.heads;
  const mem = p.mem;
  const bit = h.unreachableBit;
  const prevValue = state === 'collecting_clear_unreachable_clear' ? 0 : PREV_MASK_COLLECTING;
  const nextValue = state === 'collecting_set_unreachable_set' ? bit : 0;
  const fail = (expr: string): never => p.abort('validate_list', `validate_list: Assertion '${expr}' failed`);
  let prev = head;
  let g = h.next(head);
  let steps = 0;
  while (g !== head) {
    const raw = mem.load(g);
    const trueprev = h.prev(g);
    const truenext = raw - (low2(raw) & bit);
    if (truenext === 0) fail('truenext != NULL');
    if (trueprev !== prev) fail('trueprev == prev');
    if ((low2(mem.loadPrev(g)) & PREV_MASK_COLLECTING) !== prevValue) fail('(gc->_gc_prev & PREV_MASK_COLLECTING) == prev_value');
    if ((low2(raw) & bit) !== nextValue) fail('(gc->_gc_next & NEXT_MASK_UNREACHABLE) == next_value');
    prev = g;
    g = truenext;
    if (++steps > mem.top + 8) fail('list is a cycle that does not return to its head');
  }
  if (prev !== h.prev(head)) fail('prev == GC_PREV(head)');
}

/**
 * deduce_unreachable (3.9+): update_refs, subtract_refs, move_unreachable.
 * After: `base` holds what is reachable from outside, `unreachable` the rest.
 */
export function deduceUnreachable(p: Process, base: number, unreachable: number): void {
  // 3.8 has no deduce_unreachable: collect() runs these passes itself (Modules/gcmodule.c 3.8).
  const frame = p.profile.deduceUnreachableFrame ? (fn: () => void) => p.frame('deduce_unreachable', fn) : (fn: () => void) => fn();
  frame(() => {
    validateList(p, base, 'collecting_clear_unreachable_clear');
    updateRefs(p, base);
    subtractRefs(p, base);
    p.heads.init(unreachable);
    p.gc.unreachableHead = unreachable;
    moveUnreachable(p, base, unreachable);
    validateList(p, base, 'collecting_clear_unreachable_clear');
    validateList(p, unreachable, 'collecting_set_unreachable_set');
  });
}

/**
 * move_legacy_finalizers: clears the UNREACHABLE tags (a normal list from here on) and moves
 * objects with tp_del to `finalizers` (COLLECTING cleared).
 */
export function moveLegacyFinalizers(p: Process, unreachable: number, finalizers: number): void {
  p.frame('move_legacy_finalizers', () => {
    const h = p.heads;
    h.clearUnreachableTag(unreachable);
    let next: number;
    for (let g = h.next(unreachable); g !== unreachable; g = next) {
      h.clearUnreachableTag(g);
      next = p.mem.load(g);
      const op = p.fromGc(g);
      if (p.typeOf(op).legacyDel) {
        h.clearCollecting(g);
        h.move(g, finalizers);
      }
    }
  });
}

/** move_legacy_finalizer_reachable: everything reachable from a legacy finalizer is moved too. */
export function moveLegacyFinalizerReachable(p: Process, finalizers: number): void {
  p.frame('move_legacy_finalizer_reachable', () => {
    const h = p.heads;
    const visitMove: Visit = (op, tolist) => {
      if (!p.isGc(op)) return 0;
      const g = p.asGc(op);
      if (h.isCollecting(g)) {
        h.move(g, tolist as number);
        h.clearCollecting(g);
      }
      return 0;
    };
    for (let g = h.next(finalizers); g !== finalizers; g = h.next(g)) {
      p.callTraverse(p.fromGc(g), visitMove, finalizers);
    }
  });
}

/**
 * finalize_garbage: tp_finalize once per object (FINALIZED bit), on a normal list, so objects
 * may die here safely. Arbitrary code runs.
 */
export function finalizeGarbage(p: Process, collectable: number): void {
  p.frame('finalize_garbage', () => {
    const h = p.heads;
    const mark = p.mem.stackMark();
    const seen = p.mem.pushStackHead('seen (finalize_garbage)');
    try {
      while (!h.isEmpty(collectable)) {
        const g = h.next(collectable);
        const op = p.fromGc(g);
        h.move(g, seen);
        const t = p.typeOf(op);
        if (!h.isFinalized(g) && t.finalize) {
          h.setFinalized(g);
          p.Py_INCREF(op);
          p.frame(p.typeFrame(t, 'finalize'), () => t.finalize!(op));
          p.Py_DECREF(op);
        }
      }
      h.merge(seen, collectable);
    } finally {
      p.mem.popStackHeads(mark);
    }
  });
}

/** gc_list_clear_collecting. */
export function clearCollecting(p: Process, list: number): void {
  const h = p.heads;
  for (let g = h.next(list); g !== list; g = h.next(g)) h.clearCollecting(g);
}

/** clear_unreachable_mask: strips the UNREACHABLE tags of a list. */
export function clearUnreachableMask(p: Process, unreachable: number): void {
  const h = p.heads;
  let next: number;
  for (let g = h.next(unreachable); g !== unreachable; g = next) {
    h.clearUnreachableTag(g);
    next = p.mem.load(g);
  }
  validateList(p, unreachable, 'collecting_set_unreachable_clear');
}

/**
 * handle_resurrected_objects (3.9+): runs deduce_unreachable again on the unreachable set;
 * resurrected objects (and what they reach) go to `old`, the rest to `stillUnreachable`.
 */
export function handleResurrectedObjects(p: Process, unreachable: number, stillUnreachable: number, old: number): void {
  p.frame('handle_resurrected_objects', () => {
    clearCollecting(p, unreachable);
    deduceUnreachable(p, unreachable, stillUnreachable);
    clearUnreachableMask(p, stillUnreachable);
    if (!p.heads.isEmpty(unreachable)) {
      p.anomalies.push({ kind: 'resurrected', message: `${p.heads.size(unreachable)} object(s) resurrected by finalizers` });
    }
    p.heads.merge(unreachable, old);
  });
}

/**
 * check_garbage (3.8): gc_refs := refcnt, subtract_refs, then restore prev pointers.
 * Returns true if anything was resurrected (then nothing is collected).
 */
export function checkGarbage(p: Process, collectable: number): boolean {
  return p.frame('check_garbage', () => {
    const h = p.heads;
    for (let g = h.next(collectable); g !== collectable; g = h.next(g)) {
      h.setRefs(g, p.mem.load(p.fromGc(g)));
      if (p.debug && h.getRefs(g) === 0) p.assertFailed('check_garbage', 'gc_get_refs(gc) != 0');
    }
    subtractRefs(p, collectable);
    let ret = false;
    let prev = collectable;
    for (let g = h.next(collectable); g !== collectable; g = h.next(g)) {
      if (p.debug && h.getRefs(g) < 0) p.assertFailed('check_garbage', 'gc_get_refs(gc) >= 0', 'refcount is too small');
      if (h.getRefs(g) !== 0) ret = true;
      h.setPrev(g, prev);
      h.clearCollecting(g);
      prev = g;
    }
    return ret;
  });
}

/**
 * delete_garbage: tp_clear on each object (or save it to gc.garbage under DEBUG_SAVEALL);
 * an object still first in the list afterwards is alive and moves to `old`.
 */
export function deleteGarbage(p: Process, collectable: number, old: number): void {
  p.frame('delete_garbage', () => {
    const h = p.heads;
    while (!h.isEmpty(collectable)) {
      const g = h.next(collectable);
      const op = p.fromGc(g);
      if (p.debug && p.mem.load(op) <= 0) p.assertFailed('delete_garbage', 'Py_REFCNT(op) > 0', 'refcount is too small');
      if (p.gc.debugFlags & DEBUG_SAVEALL) {
        p.Py_INCREF(op);
        p.gc.garbage.push(op);
      } else {
        const t = p.typeOf(op);
        if (t.clear) {
          p.clearedByGc.add(op);
          p.Py_INCREF(op);
          const r = p.frame(p.typeFrame(t, 'clear'), () => t.clear!(op));
          if (r !== 0 && p.pendingError) {
            p.unraisable.push(`Exception ignored in tp_clear of ${t.name}: ${p.pendingError}`);
            p.pendingError = null;
          }
          p.Py_DECREF(op);
        }
      }
      if (h.next(collectable) === g) {
        if (h.v37) {
          h.move(g, old);
          h.setRefs37(g, GC37_REACHABLE);
        } else {
          if (p.profile.survivorClearsCollecting) h.clearCollecting(g);
          h.move(g, old);
        }
      }
    }
  });
}

/** handle_legacy_finalizers: tp_del objects (everything, under DEBUG_SAVEALL) to gc.garbage. */
export function handleLegacyFinalizers(p: Process, finalizers: number, old: number): void {
  const h = p.heads;
  for (let g = h.next(finalizers); g !== finalizers; g = h.next(g)) {
    const op = p.fromGc(g);
    if (p.gc.debugFlags & DEBUG_SAVEALL || p.typeOf(op).legacyDel) {
      p.Py_INCREF(op);
      p.gc.garbage.push(op);
    }
  }
  h.merge(finalizers, old);
}
