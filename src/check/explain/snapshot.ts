// A plain-data picture of the simulated heap (objects, their references and PyGC_Head words,
// the gc list heads), taken without a single faulting access: the words are read from the
// memory arrays, never through Memory#load. Plus the decoders that say what a header word
// means right now: a pointer, `gc_refs << 2 | flags`, a tagged unreachable link, or garbage.

import { hexCode } from '../../simulator/addresses.js';
import { GC37_REACHABLE, GC37_TENTATIVELY_UNREACHABLE, GC37_UNTRACKED, PREV_MASK_COLLECTING, PREV_MASK_FINALIZED, low2, refsOf } from '../../simulator/gchead.js';
import { FIRST_OBJECT_SLOT, STATE_HEADS, SlotState } from '../../simulator/memory.js';
import type { Process } from '../../simulator/process.js';

export interface ObjectShot {
  readonly slot: number;
  /** PyObject* */
  readonly op: number;
  /** AS_GC(op): the PyGC_Head address. */
  readonly gcAddr: number;
  /** Short name, e.g. `Ref#3` (the number is the heap block). */
  readonly label: string;
  readonly type: string;
  readonly gc: boolean;
  readonly state: 'live' | 'freed';
  readonly refcnt: number;
  readonly next: number;
  readonly prev: number;
  /** 3.7: the third header word (`gc_refs << 1 | FINALIZED`). */
  readonly word3?: number;
  /** Objects it holds strong references to (PyObject*). */
  readonly referents: readonly number[];
}

export interface HeadShot {
  readonly addr: number;
  readonly name: string;
  readonly next: number;
  readonly prev: number;
}

export interface HeapSnapshot {
  readonly python: string;
  readonly gcRefsInPrev: boolean;
  readonly unreachableBit: number;
  readonly objects: readonly ObjectShot[];
  readonly heads: readonly HeadShot[];
}

/** Names of objects and heads by address, for decoding pointers. */
export class AddressBook {
  private readonly byGc = new Map<number, string>();
  private readonly byOp = new Map<number, string>();

  constructor(private readonly p: Process) {}

  /** `Ref#3` for the object `op` (heap block number: stable for the whole run). */
  label(op: number): string {
    const known = this.byOp.get(op);
    if (known) return known;
    const mem = this.p.mem;
    const s = mem.objSlot(op);
    if (s < FIRST_OBJECT_SLOT) return hexCode(op);
    const id = mem.typeId[s];
    const t = id ? this.p.types[id - 1]?.name ?? '?' : '?';
    const l = `${t}#${s - FIRST_OBJECT_SLOT}`;
    this.byOp.set(op, l);
    return l;
  }

  /** What a pointer-sized value points at: an object's PyGC_Head, a list head, or nothing known. */
  target(addr: number): string | undefined {
    const cached = this.byGc.get(addr);
    if (cached) return cached;
    const mem = this.p.mem;
    const s = mem.headSlot(addr);
    if (s < 0) return undefined;
    let name: string;
    if (s < FIRST_OBJECT_SLOT) {
      if (mem.state[s] !== SlotState.Head) return undefined;
      name = mem.headNames[s] ?? 'list head';
    } else {
      if (mem.state[s] === SlotState.Virgin) return undefined;
      name = this.label(this.p.fromGc(addr)) + (mem.state[s] === SlotState.Freed ? ' (freed)' : '');
    }
    this.byGc.set(addr, name);
    return name;
  }
}

/** `_gc_next` in words: "0x… → Ref#4", "0x…|1 → unreachable (NEXT_MASK_UNREACHABLE)", "0 (untracked)". */
export function decodeNext(p: Process, book: AddressBook, word: number, freed = false): string {
  if (word === 0) return '0 (not tracked)';
  if (freed) return `${hexCode(word)} (pymalloc free-list link: the block was freed)`;
  const bit = p.profile.unreachableBit;
  const tag = low2(word) & bit;
  const ptr = word - tag;
  const t = book.target(ptr);
  if (tag) return `${hexCode(word)} = ${t ?? hexCode(ptr)} | NEXT_MASK_UNREACHABLE`;
  return t ? `${hexCode(word)} → ${t}` : `${hexCode(word)} (points at no PyGC_Head)`;
}

export interface PrevMeaning {
  readonly text: string;
  /** GC_PREV(g) = `_gc_prev & ~3`: where an unlink would write `prev->_gc_next`. */
  readonly pointer: number;
  /** The word holds gc_refs (not a pointer) — from update_refs until move_unreachable. */
  readonly isRefs: boolean;
  readonly refs?: number;
}

function flagNames(low: number): string {
  const f: string[] = [];
  if (low & PREV_MASK_COLLECTING) f.push('COLLECTING');
  if (low & PREV_MASK_FINALIZED) f.push('FINALIZED');
  return f.join(' | ');
}

/** `_gc_prev` in words (3.8+): a pointer (plus flags) or `gc_refs << 2 | flags`. */
export function decodePrev(p: Process, book: AddressBook, word: number): PrevMeaning {
  if (!p.profile.gcRefsInPrev) {
    const t = book.target(word);
    return { text: t ? `${hexCode(word)} → ${t}` : word === 0 ? '0' : `${hexCode(word)} (points at no PyGC_Head)`, pointer: word, isRefs: false };
  }
  const low = low2(word);
  const ptr = word - low;
  const t = book.target(ptr);
  const flags = flagNames(low);
  if (t) return { text: `${hexCode(word)} → ${t}${flags ? ` | ${flags}` : ''}`, pointer: ptr, isRefs: false };
  if (low & PREV_MASK_COLLECTING) {
    const refs = refsOf(word);
    const shown = refs >= 2 ** 51 || refs < 0 ? `${refs} (underflowed)` : String(refs);
    return { text: `${hexCode(word)} = gc_refs ${shown} << 2 | ${flags}`, pointer: ptr, isRefs: true, refs };
  }
  if (word === 0) return { text: '0 (not tracked)', pointer: 0, isRefs: false };
  return { text: `${hexCode(word)}${flags ? ` (${flags})` : ''} (points at no PyGC_Head)`, pointer: ptr, isRefs: false };
}

/** 3.7's third word: `gc_refs << 1 | FINALIZED`, or one of the negative states. */
export function decodeWord3(word: number): string {
  const r = Math.floor(word / 2);
  const name = r === GC37_UNTRACKED ? 'GC_UNTRACKED' : r === GC37_REACHABLE ? 'GC_REACHABLE' : r === GC37_TENTATIVELY_UNREACHABLE ? 'GC_TENTATIVELY_UNREACHABLE' : `gc_refs ${r}`;
  return `${word} = ${name}${Math.abs(word % 2) === 1 ? ' | FINALIZED' : ''}`;
}

/** One line with an object's refcount and header words. */
export function headerLine(p: Process, book: AddressBook, op: number): string {
  const mem = p.mem;
  const s = mem.objSlot(op);
  if (s < FIRST_OBJECT_SLOT) return `${hexCode(op)} (not a heap object)`;
  const freed = mem.state[s] === SlotState.Freed;
  const parts = [`ob_refcnt ${mem.refcnt[s]}`, `_gc_next ${decodeNext(p, book, mem.gcNext[s], freed)}`, `_gc_prev ${decodePrev(p, book, mem.gcPrev[s]).text}`];
  if (!p.profile.gcRefsInPrev) parts.push(`gc_refs word ${decodeWord3(mem.gcRefs[s])}`);
  return `${book.label(op)}${freed ? ' (freed)' : ''}: ${parts.join(', ')}`;
}

/** Is `op` a tracked GC object taking part in the running collection? */
export function inCollection(p: Process, s: number): boolean {
  const mem = p.mem;
  if (mem.state[s] !== SlotState.Live || mem.gcNext[s] === 0) return false;
  const t = p.types[mem.typeId[s] - 1];
  if (!t?.gc) return false;
  if (p.profile.gcRefsInPrev) return (low2(mem.gcPrev[s]) & PREV_MASK_COLLECTING) !== 0;
  const r = Math.floor(mem.gcRefs[s] / 2);
  return r >= 0 || r === GC37_TENTATIVELY_UNREACHABLE;
}

/**
 * The heap now: every live object, plus the freed ones in `alsoFreed` (freed during the
 * collection: the victims), and every list head something points at.
 */
export function snapshotHeap(p: Process, book: AddressBook, alsoFreed: ReadonlySet<number> = new Set()): HeapSnapshot {
  const mem = p.mem;
  const objects: ObjectShot[] = [];
  for (let s = FIRST_OBJECT_SLOT; s < mem.top; s++) {
    const st = mem.state[s];
    const op = mem.objAddr(s);
    if (st !== SlotState.Live && !(st === SlotState.Freed && alsoFreed.has(op))) continue;
    const id = mem.typeId[s];
    const t = id ? p.types[id - 1] : undefined;
    let referents: readonly number[] = [];
    try {
      referents = t ? t.referents(op).filter((x) => x !== 0) : [];
    } catch {
      referents = [];
    }
    objects.push({
      slot: s,
      op,
      gcAddr: op - p.profile.headSize,
      label: book.label(op),
      type: t?.name ?? '?',
      gc: t?.gc ?? false,
      state: st === SlotState.Live ? 'live' : 'freed',
      refcnt: mem.refcnt[s],
      next: mem.gcNext[s],
      prev: mem.gcPrev[s],
      ...(p.profile.gcRefsInPrev ? {} : { word3: mem.gcRefs[s] }),
      referents,
    });
  }
  const pointed = new Set<number>();
  for (const o of objects) {
    if (!o.gc) continue;
    pointed.add(o.next - (low2(o.next) & p.profile.unreachableBit));
    pointed.add(o.prev - (p.profile.gcRefsInPrev ? low2(o.prev) : 0));
  }
  const heads: HeadShot[] = [];
  for (let s = 0; s < FIRST_OBJECT_SLOT; s++) {
    if (mem.state[s] !== SlotState.Head) continue;
    const addr = mem.blockAddr(s);
    // A generation unless it is empty; a C-stack head only while something is linked to it.
    if (s >= STATE_HEADS && !pointed.has(addr)) continue;
    if (s < STATE_HEADS && (s > 2 || mem.gcNext[s] === addr) && !pointed.has(addr)) continue;
    heads.push({ addr, name: mem.headNames[s] ?? 'list head', next: mem.gcNext[s], prev: mem.gcPrev[s] });
  }
  return { python: p.profile.name, gcRefsInPrev: p.profile.gcRefsInPrev, unreachableBit: p.profile.unreachableBit, objects, heads };
}
