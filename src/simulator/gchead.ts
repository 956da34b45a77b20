// PyGC_Head accessors and the gc list primitives, in CPython's order of reads and writes
// (Include/internal/pycore_gc.h, Modules/gcmodule.c: gc_list_*). Every access goes through
// Memory, so a list operation on a header whose `_gc_prev` holds gc_refs faults like CPython.

import { SlotState, type Memory } from './memory.js';
import type { Profile } from './profiles.js';

export const PREV_MASK_FINALIZED = 1;
export const PREV_MASK_COLLECTING = 2;
export const PREV_SHIFT = 2;
/** 3.7's gc_refs states (third header word, shifted by 1 with FINALIZED in bit 0). */
export const GC37_UNTRACKED = -2;
export const GC37_REACHABLE = -3;
export const GC37_TENTATIVELY_UNREACHABLE = -4;

/** The low two bits of a word (works for negative words: two's complement). */
export function low2(v: number): number {
  // An int32 code (almost every word, addresses.ts): two's complement `& 3`. Otherwise v mod 4
  // with floor semantics, like ((v % 4) + 4) % 4 but without Float64Mod (a C call in V8).
  return (v | 0) === v ? v & 3 : v - Math.floor(v / 4) * 4;
}

/** `word >> 2` as CPython's signed gc_get_refs reads it (floor division for any word). */
export function refsOf(word: number): number {
  return (word | 0) === word ? word >> 2 : Math.floor(word / 4);
}

export class GcHeads {
  readonly unreachableBit: number;
  readonly masked: boolean;
  readonly v37: boolean;
  /** SET_PREV keeps the flags and SET_NEXT is a plain store (3.8–3.13, 3.14.5+): the
   *  profiles whose list operations have fused fast paths below. */
  private readonly fused: boolean;

  constructor(
    readonly mem: Memory,
    profile: Profile,
  ) {
    this.unreachableBit = profile.unreachableBit;
    this.masked = profile.maskedNext;
    this.v37 = !profile.gcRefsInPrev;
    this.fused = !this.v37 && !this.masked;
  }

  /** The slot of `g` if it is an aligned header (object block or list head) that is not
   *  freed: then a loadPrev + storePrev pair on it is exactly `mem.gcPrev[s]` read and
   *  written (no fault, no write-after-free), so the read-modify-writes below decode g once. */
  private liveSlot(g: number): number {
    const s = this.mem.headSlot(g);
    return s >= 0 && this.mem.state[s] !== SlotState.Freed ? s : -1;
  }

  // ---- raw words -------------------------------------------------------------------------
  rawNext(g: number): number {
    return this.mem.load(g);
  }
  setRawNext(g: number, v: number): void {
    this.mem.store(g, v);
  }
  rawPrev(g: number): number {
    return this.mem.loadPrev(g);
  }
  setRawPrev(g: number, v: number): void {
    this.mem.storePrev(g, v);
  }

  // ---- _PyGCHead_NEXT / _PyGCHead_PREV / SET_* ---------------------------------------------
  /** GC_NEXT: raw in 3.8–3.13 and 3.14.5+ (a tagged next is misaligned); masked in 3.14.0. */
  next(g: number): number {
    const v = this.mem.load(g);
    return this.masked ? v - low2(v) : v;
  }
  /** GC_PREV: `_gc_prev & ~3` (3.7: the plain prev word). */
  prev(g: number): number {
    const v = this.mem.loadPrev(g);
    return this.v37 ? v : v - low2(v);
  }
  /** SET_PREV: keeps g's flag bits (3.7: plain store). */
  setPrev(g: number, p: number): void {
    if (this.v37) {
      this.mem.storePrev(g, p);
      return;
    }
    const s = this.liveSlot(g);
    if (s >= 0) {
      this.mem.gcPrev[s] = low2(this.mem.gcPrev[s]) + p;
      return;
    }
    const old = this.mem.loadPrev(g);
    this.mem.storePrev(g, low2(old) + p);
  }
  /** SET_NEXT: plain store, or keeps the low bits of g's next in 3.14.0. */
  setNext(g: number, p: number): void {
    if (this.masked) {
      const old = this.mem.load(g);
      this.mem.store(g, low2(old) + p);
      return;
    }
    this.mem.store(g, p);
  }

  // ---- gc_refs ---------------------------------------------------------------------------
  /** gc_get_refs: `_gc_prev >> 2` (3.7: third word >> 1). Negative means underflowed. */
  getRefs(g: number): number {
    if (this.v37) return Math.floor(this.mem.load(g + 16) / 2);
    return refsOf(this.mem.loadPrev(g));
  }
  /** gc_set_refs: keeps both flag bits. */
  setRefs(g: number, r: number): void {
    if (this.v37) {
      const old = this.mem.load(g + 16);
      this.mem.store(g + 16, (old % 2 === 0 ? 0 : 1) + r * 2);
      return;
    }
    const s = this.liveSlot(g);
    if (s >= 0) {
      this.mem.gcPrev[s] = low2(this.mem.gcPrev[s]) + r * 4;
      return;
    }
    const old = this.mem.loadPrev(g);
    this.mem.storePrev(g, low2(old) + r * 4);
  }
  /** gc_reset_refs: `(_gc_prev & FINALIZED) | COLLECTING | refs << 2`. */
  resetRefs(g: number, r: number): void {
    const s = this.liveSlot(g);
    if (s >= 0) {
      this.mem.gcPrev[s] = (low2(this.mem.gcPrev[s]) & PREV_MASK_FINALIZED) + PREV_MASK_COLLECTING + r * 4;
      return;
    }
    const old = this.mem.loadPrev(g);
    this.mem.storePrev(g, (low2(old) & PREV_MASK_FINALIZED) + PREV_MASK_COLLECTING + r * 4);
  }
  /** gc_decref: subtracts `1 << 2`; a borrow from 0 leaves the flags and gives 2^62 − 1. */
  decref(g: number): void {
    this.mem.storePrev(g, this.mem.loadPrev(g) - 4);
  }
  isCollecting(g: number): boolean {
    return (low2(this.mem.loadPrev(g)) & PREV_MASK_COLLECTING) !== 0;
  }
  clearCollecting(g: number): void {
    const s = this.liveSlot(g);
    if (s >= 0) {
      const w = this.mem.gcPrev[s];
      if (low2(w) & PREV_MASK_COLLECTING) this.mem.gcPrev[s] = w - PREV_MASK_COLLECTING;
      return;
    }
    const v = this.mem.loadPrev(g);
    if (low2(v) & PREV_MASK_COLLECTING) this.mem.storePrev(g, v - PREV_MASK_COLLECTING);
  }
  isFinalized(g: number): boolean {
    if (this.v37) return Math.abs(this.mem.load(g + 16) % 2) === 1;
    return (low2(this.mem.loadPrev(g)) & PREV_MASK_FINALIZED) !== 0;
  }
  setFinalized(g: number): void {
    if (this.v37) {
      const v = this.mem.load(g + 16);
      if (Math.abs(v % 2) !== 1) this.mem.store(g + 16, v + 1);
      return;
    }
    const v = this.mem.loadPrev(g);
    if (!(low2(v) & PREV_MASK_FINALIZED)) this.mem.storePrev(g, v + PREV_MASK_FINALIZED);
  }
  /** 3.7's gc_refs state (_PyGCHead_REFS). */
  refs37(g: number): number {
    return Math.floor(this.mem.load(g + 16) / 2);
  }
  setRefs37(g: number, r: number): void {
    this.setRefs(g, r);
  }
  hasUnreachableTag(g: number): boolean {
    return (low2(this.mem.load(g)) & this.unreachableBit) !== 0;
  }
  clearUnreachableTag(g: number): void {
    const v = this.mem.load(g);
    if (low2(v) & this.unreachableBit) this.mem.store(g, v - this.unreachableBit);
  }

  // ---- lists (gc_list_*) -----------------------------------------------------------------
  init(list: number): void {
    this.mem.store(list, list);
    this.mem.storePrev(list, list);
  }
  isEmpty(list: number): boolean {
    return this.mem.load(list) === list;
  }
  // The fused paths below do what the step-by-step code after them does, in the same order,
  // on the same words, when every header they touch is a live header (liveSlot): then no
  // step can fault or write into freed memory, and each address is decoded once. Anything
  // else (3.7, 3.14.0's masking, a tagged or wild pointer, a freed block) takes the steps.

  /** gc_list_append: link `node` at the tail of `list`. */
  append(node: number, list: number): void {
    if (this.fused) {
      const sl = this.liveSlot(list);
      const sn = this.liveSlot(node);
      if (sl >= 0 && sn >= 0) {
        const P = this.mem.gcPrev;
        const N = this.mem.gcNext;
        const last = P[sl];
        const st = this.liveSlot(last);
        if (st >= 0) {
          P[sn] = low2(P[sn]) + last; // SET_PREV(node, last)
          N[st] = node; // SET_NEXT(last, node)
          N[sn] = list; // SET_NEXT(node, list)
          P[sl] = node; // list->_gc_prev = node
          return;
        }
      }
    }
    const last = this.mem.loadPrev(list);
    this.setPrev(node, last);
    this.setNext(last, node);
    this.setNext(node, list);
    this.mem.storePrev(list, node);
  }
  /**
   * The unlink shared by gc_list_remove and gc_list_move, fused: `SET_NEXT(prev, next);
   * SET_PREV(next, prev)` for a live node with live neighbours. Returns the node's slot, or -1
   * (nothing written) when the step-by-step path must run instead.
   */
  private unlinkLive(node: number): number {
    const sn = this.liveSlot(node);
    if (sn < 0) return -1;
    const P = this.mem.gcPrev;
    const N = this.mem.gcNext;
    const pv = P[sn];
    const prev = pv - low2(pv);
    const next = N[sn];
    const sp = this.liveSlot(prev);
    const sx = this.liveSlot(next);
    if (sp < 0 || sx < 0) return -1;
    N[sp] = next; // SET_NEXT(prev, next)
    P[sx] = low2(P[sx]) + prev; // SET_PREV(next, prev)
    return sn;
  }
  /** The same unlink, step by step through addresses (faults where CPython's would). */
  private unlink(node: number): void {
    const prev = this.prev(node);
    const next = this.next(node);
    this.setNext(prev, next);
    this.setPrev(next, prev);
  }
  /** gc_list_remove: unlink via GC_PREV/GC_NEXT, then `_gc_next = 0`. */
  remove(node: number): void {
    const sn = this.fused ? this.unlinkLive(node) : -1;
    if (sn >= 0) {
      this.mem.gcNext[sn] = 0; // node->_gc_next = 0
      return;
    }
    this.unlink(node);
    this.mem.store(node, 0);
  }
  /** gc_list_move: unlink exactly like remove, then link at the tail of `list`. */
  move(node: number, list: number): void {
    const sn = this.fused ? this.unlinkLive(node) : -1;
    if (sn < 0) {
      this.unlink(node);
      this.linkAtTail(node, list);
      return;
    }
    const P = this.mem.gcPrev;
    const N = this.mem.gcNext;
    const sl = this.liveSlot(list);
    const toPrev = sl >= 0 ? P[sl] : 0;
    const stp = sl >= 0 ? this.liveSlot(toPrev) : -1;
    if (stp < 0) {
      this.linkAtTail(node, list);
      return;
    }
    P[sn] = low2(P[sn]) + toPrev; // SET_PREV(node, to_prev)
    N[stp] = node; // SET_NEXT(to_prev, node)
    P[sl] = node; // list->_gc_prev = node
    N[sn] = list; // SET_NEXT(node, list)
  }
  /** The second half of gc_list_move, step by step. */
  private linkAtTail(node: number, list: number): void {
    const toPrev = this.mem.loadPrev(list);
    this.setPrev(node, toPrev);
    this.setNext(toPrev, node);
    this.mem.storePrev(list, node);
    this.setNext(node, list);
  }
  // ---- move_unreachable's list surgery (the hottest loop of a collection) -----------------

  /** `SET_PREV(gc, prev); gc_clear_collecting(gc)`: a scanned reachable object gets its
   *  back pointer restored (move_unreachable). */
  restoreScanned(g: number, prev: number): void {
    const s = this.fused ? this.liveSlot(g) : -1;
    if (s < 0) {
      this.setPrev(g, prev);
      this.clearCollecting(g);
      return;
    }
    const P = this.mem.gcPrev;
    const w = low2(P[s]) + prev; // SET_PREV
    P[s] = low2(w) & PREV_MASK_COLLECTING ? w - PREV_MASK_COLLECTING : w; // gc_clear_collecting
  }

  /**
   * move_unreachable's else branch: gc (gc_refs 0) leaves young (`prev->_gc_next =
   * gc->_gc_next`) for the tail of `unreachable`, with NEXT_MASK_UNREACHABLE on the forward
   * links; its `_gc_prev` keeps its flags.
   */
  moveToUnreachable(prev: number, g: number, unreachable: number): void {
    const bit = this.unreachableBit;
    if (this.fused) {
      const sp = this.liveSlot(prev);
      const sg = this.liveSlot(g);
      const su = this.liveSlot(unreachable);
      if (sp >= 0 && sg >= 0 && su >= 0) {
        const P = this.mem.gcPrev;
        const N = this.mem.gcNext;
        const lastWord = P[su];
        const last = lastWord - low2(lastWord); // GC_PREV(unreachable)
        const sl = this.liveSlot(last);
        if (sl >= 0) {
          // The step-by-step path's reads and writes, in its order.
          N[sp] = N[sg]; // prev->_gc_next = gc->_gc_next
          N[sl] = g + bit; // last->_gc_next = gc | NEXT_MASK_UNREACHABLE
          P[sg] = low2(P[sg]) + last; // _PyGCHead_SET_PREV(gc, last)
          N[sg] = unreachable + bit; // gc->_gc_next = unreachable | NEXT_MASK_UNREACHABLE
          P[su] = g; // unreachable->_gc_prev = gc
          return;
        }
      }
    }
    const mem = this.mem;
    mem.store(prev, mem.load(g));
    const last = this.prev(unreachable);
    mem.store(last, g + bit);
    this.setPrev(g, last);
    mem.store(g, unreachable + bit);
    mem.storePrev(unreachable, g);
  }

  /**
   * visit_reachable's rare path, after its checks: gc (tagged next `rawNext`) is unlinked
   * from the unreachable list by hand (the predecessor's next copies the tag), appended to
   * `young`, and gets gc_refs 1.
   */
  pullBackToYoung(g: number, rawNext: number, young: number): void {
    const next = rawNext - (low2(rawNext) & this.unreachableBit);
    if (this.fused) {
      const sg = this.liveSlot(g);
      if (sg >= 0) {
        const P = this.mem.gcPrev;
        const N = this.mem.gcNext;
        const pw = P[sg];
        const prev = pw - low2(pw); // GC_PREV(gc)
        const sp = this.liveSlot(prev);
        const sx = this.liveSlot(next);
        if (sp >= 0 && sx >= 0) {
          N[sp] = rawNext; // prev->_gc_next = gc->_gc_next (copies NEXT_MASK_UNREACHABLE)
          P[sx] = low2(P[sx]) + prev; // _PyGCHead_SET_PREV(next, prev)
          this.append(g, young); // gc_list_append(gc, reachable)
          P[sg] = low2(P[sg]) + 4; // gc_set_refs(gc, 1)
          return;
        }
      }
    }
    const prev = this.prev(g);
    this.mem.store(prev, rawNext);
    // 3.14.0–3.14.4 (Python/gc.c): `gc->_gc_next &= ~NEXT_MASK_UNREACHABLE`, since the
    // masked SET_NEXT in gc_list_append would otherwise keep the tag.
    if (this.masked) this.mem.store(g, next);
    this.setPrev(next, prev);
    this.append(g, young);
    this.setRefs(g, 1);
  }

  /** gc_list_merge: append all of `from` to `to`; `from` becomes empty. */
  merge(from: number, to: number): void {
    if (this.isEmpty(from)) return;
    const toTail = this.prev(to);
    const fromHead = this.next(from);
    const fromTail = this.prev(from);
    this.setNext(toTail, fromHead);
    this.setPrev(fromHead, toTail);
    this.setNext(fromTail, to);
    this.setPrev(to, fromTail);
    this.init(from);
  }
  /** gc_list_size: follows `_gc_next` (GC_NEXT) from the head. */
  size(list: number): number {
    let n = 0;
    for (let g = this.next(list); g !== list; n++) {
      // A live aligned header's next is gcNext[s] (what load(g) reads, without the decode).
      const s = this.masked ? -1 : this.liveSlot(g);
      g = s >= 0 ? this.mem.gcNext[s] : this.next(g);
    }
    return n;
  }
}
