// CPython 3.7's passes (Modules/gcmodule.c, 3.7): gc_refs live in a separate third header
// word (`gc_refs << 1 | FINALIZED`, with the states UNTRACKED −2, REACHABLE −3,
// TENTATIVELY_UNREACHABLE −4), so the lists stay doubly linked during a collection and an
// untrack mid-collection is structurally safe. What can still go wrong is the object being
// traversed dying under the collector's feet.

import { GC37_REACHABLE, GC37_TENTATIVELY_UNREACHABLE } from '../gchead.js';
import type { Process } from '../process.js';

type Visit = (op: number, arg: unknown) => number;

/** update_refs (3.7): gc_refs := refcnt for every object. */
export function updateRefs37(p: Process, containers: number): void {
  p.frame('update_refs', () => {
    const h = p.heads;
    for (let g = p.mem.load(containers); g !== containers; g = p.mem.load(g)) {
      if (p.debug && h.refs37(g) !== GC37_REACHABLE) p.assertFailed('update_refs', '_PyGCHead_REFS(gc) == GC_REACHABLE');
      h.setRefs37(g, p.mem.load(p.fromGc(g)));
      if (p.debug && h.refs37(g) === 0) p.assertFailed('update_refs', '_PyGCHead_REFS(gc) != 0');
    }
  });
}

/** subtract_refs (3.7): visit_decref only decrements positive gc_refs (no underflow). */
export function subtractRefs37(p: Process, containers: number): void {
  p.frame('subtract_refs', () => {
    const h = p.heads;
    const visit: Visit = (op, visitor) => {
      if (!p.isGc(op)) return 0;
      const g = p.asGc(op);
      const r = h.refs37(g);
      // Not CPython: the model logs (visitor, target) of the collected set for collector/contract.ts.
      if (p.logVisits && r >= 0) p.visitLog.push(visitor as number, op);
      // 3.7 visit_decref: `assert(_PyGCHead_REFS(gc) != 0); /* else refcount was too small */`
      if (p.debug && r === 0) p.assertFailed('visit_decref', '_PyGCHead_REFS(gc) != 0', 'refcount was too small');
      if (r > 0) h.setRefs37(g, r - 1);
      return 0;
    };
    for (let g = p.mem.load(containers); g !== containers; g = p.mem.load(g)) {
      const op = p.fromGc(g);
      p.callTraverse(op, visit, op);
    }
  });
}

/** move_unreachable (3.7): gc_list_move to `unreachable`; next is read after the traverse. */
export function moveUnreachable37(p: Process, young: number, unreachable: number): void {
  p.frame('move_unreachable', () => {
    const h = p.heads;
    const visit: Visit = (op, reachable) => {
      if (!p.isGc(op)) return 0;
      const g = p.asGc(op);
      const r = h.refs37(g);
      if (r === 0) h.setRefs37(g, 1);
      else if (r === GC37_TENTATIVELY_UNREACHABLE) {
        h.move(g, reachable as number);
        h.setRefs37(g, 1);
      }
      return 0;
    };
    let g = p.mem.load(young);
    while (g !== young) {
      let next: number;
      if (h.refs37(g) !== 0) {
        h.setRefs37(g, GC37_REACHABLE);
        p.callTraverse(p.fromGc(g), visit, young);
        next = p.mem.load(g);
      } else {
        next = p.mem.load(g);
        h.move(g, unreachable);
        h.setRefs37(g, GC37_TENTATIVELY_UNREACHABLE);
      }
      g = next;
    }
  });
}

/** move_legacy_finalizers (3.7). */
export function moveLegacyFinalizers37(p: Process, unreachable: number, finalizers: number): void {
  const h = p.heads;
  let next: number;
  for (let g = p.mem.load(unreachable); g !== unreachable; g = next) {
    next = p.mem.load(g);
    if (p.typeOf(p.fromGc(g)).legacyDel) {
      h.move(g, finalizers);
      h.setRefs37(g, GC37_REACHABLE);
    }
  }
}

/** check_garbage (3.7): true if any object was resurrected; then revive_garbage. */
export function checkGarbage37(p: Process, collectable: number): boolean {
  return p.frame('check_garbage', () => {
    const h = p.heads;
    for (let g = p.mem.load(collectable); g !== collectable; g = p.mem.load(g)) {
      h.setRefs37(g, p.mem.load(p.fromGc(g)));
    }
    subtractRefs37(p, collectable);
    let resurrected = false;
    for (let g = p.mem.load(collectable); g !== collectable; g = p.mem.load(g)) {
      if (h.refs37(g) !== 0) resurrected = true;
    }
    if (resurrected) {
      for (let g = p.mem.load(collectable); g !== collectable; g = p.mem.load(g)) h.setRefs37(g, GC37_REACHABLE);
    }
    return resurrected;
  });
}
