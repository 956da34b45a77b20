// The heap audit after a run: finds memory damage that did not (yet) crash — a corrupted
// list or header, a write into freed memory, a freed object still referenced, a refcount
// lower than the references to it, a live object cleared by the collector, gc_refs underflow,
// and a graph change a tp_traverse left behind during a collection (traverse-watch.ts); plus
// the contract findings of the collections (collector/contract.ts): a live object cleared
// through a miscount, and leaks.

import { PREV_MASK_COLLECTING, low2 } from './gchead.js';
import { FIRST_OBJECT_SLOT, SlotState } from './memory.js';
import type { Process } from './process.js';
import type { ContractFinding } from './collector/contract.js';

export interface AuditFinding {
  readonly kind:
    | 'write-after-free'
    | 'corrupt-list'
    | 'freed-object-reachable'
    | 'refcount-too-low'
    | 'live-object-cleared'
    | 'gc-refs-underflow'
    | 'graph-changed-during-traverse'
    /** Not damage: objects no root reaches survived full collections (verdict `leak`). */
    | 'leak';
  readonly message: string;
  /** Contract findings (collector/contract.ts): the objects, unvisited edges, over-counted visits. */
  readonly detail?: ContractFinding;
}

/** Findings that damage the heap (everything but a leak). */
export function isDamage(f: AuditFinding): boolean {
  return f.kind !== 'leak';
}

export function auditHeap(p: Process): AuditFinding[] {
  const out: AuditFinding[] = [];
  const mem = p.mem;
  const h = p.heads;
  // First: a traverse that changed the graph under the collector is the cause of what follows.
  for (const c of p.graphChanges) out.push({ kind: 'graph-changed-during-traverse', message: c.message });
  for (const d of p.damage) out.push({ kind: 'gc-refs-underflow', message: d });
  // A live object the collector cleared, named when it happened (who held it, which visit).
  for (const c of p.contractFindings) if (c.kind === 'live-object-cleared') out.push({ kind: c.kind, message: c.message, detail: c });
  for (const a of mem.misalignedWrites) {
    out.push({
      kind: 'corrupt-list',
      message: `misaligned 8-byte store at ${mem.describe(a)}: a tagged _gc_next was used as a pointer, damaging that header and the bytes after it`,
    });
  }
  for (const w of mem.freedWrites) {
    out.push({ kind: 'write-after-free', message: `write into freed memory at ${mem.describe(w.address)}` });
  }

  // Lists: each generation must be a proper doubly linked list of live, tracked objects.
  const inLists = new Set<number>();
  const heads = [0, 1, 2].map((i) => p.gc.genHead(i)).concat([p.gc.permanent]);
  for (const head of heads) {
    const name = mem.describe(head);
    let prev = head;
    let steps = 0;
    try {
      for (let g = mem.load(head); g !== head; ) {
        if (low2(g) !== 0 || mem.headSlot(g) < 0) {
          out.push({ kind: 'corrupt-list', message: `${name}: a next pointer ${mem.describe(g)} is not a PyGC_Head` });
          break;
        }
        const s = mem.headSlot(g);
        if (mem.state[s] === SlotState.Freed) {
          out.push({ kind: 'corrupt-list', message: `${name}: links to freed ${mem.describe(g)}` });
          break;
        }
        if (h.prev(g) !== prev) {
          out.push({ kind: 'corrupt-list', message: `${name}: ${mem.describe(g)}'s prev does not point back to its predecessor` });
          break;
        }
        if (p.profile.gcRefsInPrev && low2(mem.loadPrev(g)) & PREV_MASK_COLLECTING) {
          out.push({ kind: 'corrupt-list', message: `${name}: ${mem.describe(g)} still has PREV_MASK_COLLECTING set` });
        }
        inLists.add(s);
        prev = g;
        g = mem.load(g);
        if (++steps > mem.top) {
          out.push({ kind: 'corrupt-list', message: `${name}: the list does not return to its head` });
          break;
        }
      }
      if (h.prev(head) !== prev && out.every((f) => !f.message.startsWith(name))) {
        out.push({ kind: 'corrupt-list', message: `${name}: the head's prev is not the last element` });
      }
    } catch (e) {
      if (p.crash) throw e;
      out.push({ kind: 'corrupt-list', message: `${name}: walking the list faults` });
    }
  }

  // References and refcounts among live objects.
  const incoming = new Map<number, number>();
  for (let s = FIRST_OBJECT_SLOT; s < mem.top; s++) {
    if (mem.state[s] !== SlotState.Live) continue;
    const op = mem.objAddr(s);
    const t = p.types[mem.typeId[s] - 1];
    if (t.gc && p.isTracked(op) && !inLists.has(s) && p.profile.gcRefsInPrev) {
      out.push({ kind: 'corrupt-list', message: `${t.name} ${mem.describe(op)} is tracked but in no generation` });
    }
    for (const x of t.referents(op)) {
      const xs = mem.objSlot(x);
      if (xs >= 0 && mem.state[xs] === SlotState.Freed) {
        out.push({ kind: 'freed-object-reachable', message: `${t.name} ${mem.describe(op)} still refers to freed ${mem.describe(x)}` });
      }
      incoming.set(x, (incoming.get(x) ?? 0) + 1);
    }
  }
  for (const x of p.gc.garbage) incoming.set(x, (incoming.get(x) ?? 0) + 1);
  for (const [x, n] of incoming) {
    if (!p.isLive(x)) continue;
    if (mem.load(x) < n) {
      out.push({ kind: 'refcount-too-low', message: `${p.typeOf(x).name} ${mem.describe(x)} has refcount ${mem.load(x)} but ${n} references` });
    }
  }
  for (const op of p.clearedByGc) {
    if (!p.isLive(op) || p.reportedCleared.has(op)) continue;
    const external = mem.load(op) - (incoming.get(op) ?? 0);
    if (external > 0) {
      out.push({ kind: 'live-object-cleared', message: `the collector cleared ${p.typeOf(op).name} ${mem.describe(op)}, which is still referenced from outside` });
    }
  }
  // Last: leaks are not damage; the verdict is `leak` only when nothing else was found.
  for (const c of p.contractFindings) if (c.kind === 'leak') out.push({ kind: 'leak', message: c.message, detail: c });
  return out;
}
