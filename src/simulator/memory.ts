// The flat address space: every PyGC_Head, list head and object lives at an address, and
// every header word is read and written through an address, so a "pointer" that is really
// `gc_refs << 2` faults where CPython's would (reference §3.2, §8).
//
// Regions: list heads in the interpreter state (gcstate) and on the C stack, then the
// object heap (64-byte blocks; a block starts with its PyGC_Head). Addresses and words are
// codes (addresses.ts): small integers while they are pointers, counts or flags, held in
// Int32Arrays. The first word that does not fit (a misaligned store's garbage) widens the
// arrays to Float64Array for good; garbage wider than a double keeps its exact value beside.

import { HEAP_BASE, MAX_HEAP_BYTES, STACK_BASE, STATE_BASE, TYPES_BASE, TYPE_STRIDE, isExactCode, realBits, realValue, toCode } from './addresses.js';
import { hex } from './faults.js';

export const BLOCK = 64;
/** Blocks of one pymalloc pool: a 4 KiB pool less its 48-byte header, in 64-byte blocks. */
export const POOL_BLOCKS = 63;
/** log2(BLOCK). */
const BLOCK_SHIFT = 6;
export const HEAD_STRIDE = 32;
const HEAD_SHIFT = 5;
export const STATE_HEADS = 16;
export const STACK_HEADS = 48;
export const FIRST_OBJECT_SLOT = STATE_HEADS + STACK_HEADS;
/** Highest canonical user-space address + 1 (x86-64, 47 bits). */
const CANONICAL_LIMIT = 2 ** 47;
/** CPython's debug allocator (Objects/obmalloc.c): PYMEM_DEADBYTE fills a freed block
 *  (_PyMem_DebugRawFree), PYMEM_CLEANBYTE a fresh one (_PyMem_DebugRawAlloc). */
export const DEAD_WORD = 0xddddddddddddddddn;
export const CLEAN_WORD = 0xcdcdcdcdcdcdcdcdn;
/** The allocator a process runs: pymalloc, or pymalloc under the debug hooks (PYTHONMALLOC=debug, -X dev). */
export type MallocKind = 'pymalloc' | 'debug';
export const MALLOC_KINDS: readonly MallocKind[] = ['pymalloc', 'debug'];
/** offsetof(PyTypeObject, tp_traverse) on 64-bit: where `Py_TYPE(op)->tp_traverse` reads. */
export const TP_TRAVERSE_OFFSET = 0xb8;

export const enum SlotState {
  Virgin = 0,
  Live = 1,
  Freed = 2,
  Head = 3,
}

/** A faulting access, raised by Memory and turned into a crash report by the process. */
export class AccessFault {
  constructor(
    readonly address: number,
    readonly access: 'read' | 'write',
    readonly code: 'SEGV_MAPERR' | 'SI_KERNEL',
  ) {}
}

/** A write into freed memory: harmless now, fatal to the allocator later. */
export interface FreedWrite {
  readonly address: number;
  readonly slot: number;
}

/** Storage of the modelled words: Int32Array while every word's code fits, then Float64Array. */
export type Words = Int32Array | Float64Array;

export class Memory {
  capacity: number;
  /** Bytes of the object heap region: (capacity - FIRST_OBJECT_SLOT) * BLOCK. */
  heapBytes: number;
  /** Next never-used object slot (bump allocation: freed blocks are never reused, so every
   *  use-after-free lands on a tombstone and stays auditable). */
  top = FIRST_OBJECT_SLOT;
  gcNext: Words;
  gcPrev: Words;
  /** 3.7 only: the third header word, `gc_refs << 1 | FINALIZED`. */
  gcRefs: Words;
  refcnt: Words;
  /** The word arrays are Float64Arrays (some word's code did not fit an int32). */
  wide = false;
  typeId: Int32Array;
  state: Uint8Array;
  /** Bytes outside the modelled words that a misaligned store touched. */
  private readonly extra = new Map<number, bigint>();
  /** Words a misaligned store made wider than a double's 53 bits: the exact value beside the
   *  stand-in the arrays hold (see toCode), valid while the array still holds that stand-in. */
  private readonly exactWords = new Map<number, { approx: number; exact: bigint }>();
  readonly freedWrites: FreedWrite[] = [];
  /** Addresses of misaligned 8-byte stores (a tagged `_gc_next` used as a pointer, §3.2 C). */
  readonly misalignedWrites: number[] = [];
  /** The block freed last (the head of its pool's free list). */
  freeListHead = 0;
  /** Per pool (POOL_BLOCKS blocks): the head of its free list (pymalloc's `pool->freeblock`). */
  private readonly poolFree = new Map<number, number>();
  readonly headNames: string[] = [];
  private stackTop = 0;

  /** The debug allocator's hooks are on: freed blocks read 0xDD…, fresh unwritten words 0xCD…. */
  readonly debugFill: boolean;

  constructor(readonly headSize: number, initialCapacity = 1024, readonly malloc: MallocKind = 'pymalloc') {
    this.debugFill = malloc === 'debug';
    this.capacity = Math.min(Math.max(initialCapacity, FIRST_OBJECT_SLOT + 16), MAX_HEAP_BYTES / BLOCK + FIRST_OBJECT_SLOT);
    this.heapBytes = (this.capacity - FIRST_OBJECT_SLOT) * BLOCK;
    this.gcNext = new Int32Array(this.capacity);
    this.gcPrev = new Int32Array(this.capacity);
    this.gcRefs = new Int32Array(this.capacity);
    this.refcnt = new Int32Array(this.capacity);
    this.typeId = new Int32Array(this.capacity);
    this.state = new Uint8Array(this.capacity);
  }

  // ---- addresses -------------------------------------------------------------------------

  blockAddr(slot: number): number {
    if (slot >= FIRST_OBJECT_SLOT) return HEAP_BASE + (slot - FIRST_OBJECT_SLOT) * BLOCK;
    if (slot < STATE_HEADS) return STATE_BASE + slot * HEAD_STRIDE;
    return STACK_BASE + (slot - STATE_HEADS) * HEAD_STRIDE;
  }

  /** The PyObject* of a heap slot (just past its PyGC_Head). */
  objAddr(slot: number): number {
    return HEAP_BASE + (slot - FIRST_OBJECT_SLOT) * BLOCK + this.headSize;
  }

  /** Slot of an aligned PyGC_Head address, or -1. Fast path for the collector's loops. */
  headSlot(addr: number): number {
    const d = addr - HEAP_BASE;
    if (d >= 0 && d < this.heapBytes) {
      const di = d | 0; // d < heapBytes ≤ 2^31 (grow keeps it there): int32 is exact if d is integral
      return di === d && (di & (BLOCK - 1)) === 0 ? (di >> BLOCK_SHIFT) + FIRST_OBJECT_SLOT : -1;
    }
    return this.listHeadSlot(addr);
  }

  /** Slot of an aligned list head in the gcstate or C-stack region, or -1. */
  private listHeadSlot(addr: number): number {
    const st = addr - STATE_BASE;
    if (st >= 0 && st < STATE_HEADS * HEAD_STRIDE && aligned(st, HEAD_STRIDE)) return st >> HEAD_SHIFT;
    const sk = addr - STACK_BASE;
    if (sk >= 0 && sk < STACK_HEADS * HEAD_STRIDE && aligned(sk, HEAD_STRIDE)) return STATE_HEADS + (sk >> HEAD_SHIFT);
    return -1;
  }

  /** Slot of a PyObject* (object address), or -1. */
  objSlot(op: number): number {
    return this.headSlot(op - this.headSize);
  }

  /** Which slot and byte offset an address falls in, or null if unmapped. */
  locate(addr: number): { slot: number; off: number } | null {
    if (addr >= HEAP_BASE && addr < HEAP_BASE + this.heapBytes) {
      const d = addr - HEAP_BASE;
      const s = Math.floor(d / BLOCK);
      return { slot: s + FIRST_OBJECT_SLOT, off: d - s * BLOCK };
    }
    if (addr >= STACK_BASE && addr < STACK_BASE + STACK_HEADS * HEAD_STRIDE) {
      const d = addr - STACK_BASE;
      const s = Math.floor(d / HEAD_STRIDE);
      return { slot: STATE_HEADS + s, off: d - s * HEAD_STRIDE };
    }
    if (addr >= STATE_BASE && addr < STATE_BASE + STATE_HEADS * HEAD_STRIDE) {
      const d = addr - STATE_BASE;
      const s = Math.floor(d / HEAD_STRIDE);
      return { slot: s, off: d - s * HEAD_STRIDE };
    }
    return null;
  }

  describe(addr: number): string {
    const loc = this.locate(addr);
    if (!loc) return hex(realValue(addr));
    const name = loc.slot < FIRST_OBJECT_SLOT ? this.headNames[loc.slot] ?? 'list head' : `block ${loc.slot}`;
    return loc.off ? `${name}+${loc.off}` : name;
  }

  // ---- words -----------------------------------------------------------------------------

  /** Called on a faulting access; the process turns it into a crash (it never returns). */
  onFault: (fault: AccessFault) => never = (f) => {
    throw f;
  };

  private check(addr: number, access: 'read' | 'write'): { slot: number; off: number } {
    const real = realValue(addr);
    if (!(real >= 0 && real < CANONICAL_LIMIT)) this.onFault(new AccessFault(0, access, 'SI_KERNEL'));
    const loc = this.locate(addr);
    if (!loc) this.onFault(new AccessFault(real, access, 'SEGV_MAPERR'));
    return loc;
  }

  /** The exact unsigned 64-bit word at an 8-aligned `addr`, as a debugger reads it: never
   *  faults, 0n if unmapped (a garbage word's exact bits, not its stand-in code). */
  peek(addr: number): bigint {
    const loc = this.locate(addr);
    if (!loc || !aligned(loc.off, 8)) return 0n;
    return this.exactWordAt(loc.slot, loc.off);
  }

  /** Called before storing `value` into a word: one whose code is not an int32 widens the
   *  arrays first. */
  private fit(value: number): void {
    if ((value | 0) !== value && !this.wide) this.widen();
  }

  /** The word arrays become Float64Arrays, for good. */
  private widen(): void {
    const f = (a: Words) => Float64Array.from(a);
    this.gcNext = f(this.gcNext);
    this.gcPrev = f(this.gcPrev);
    this.gcRefs = f(this.gcRefs);
    this.refcnt = f(this.refcnt);
    this.wide = true;
  }

  // The four accessors below are the collector's hot path. Each has a small fast path (the
  // _gc_next, _gc_prev or ob_refcnt of an object block or list head that is not freed) for
  // V8 to inline, and hands everything else to a *Slow twin that decodes the address in full
  // (other words, misaligned or unmapped addresses, freed blocks) exactly as before.

  /** Loads the 8-byte word at `addr` (any alignment). */
  load(addr: number): number {
    const d = addr - HEAP_BASE;
    if (d >= 0 && d < this.heapBytes && (d | 0) === d) {
      const off = d & (BLOCK - 1);
      if (off === 0) return this.gcNext[(d >> BLOCK_SHIFT) + FIRST_OBJECT_SLOT];
      if (off === this.headSize) return this.refcnt[(d >> BLOCK_SHIFT) + FIRST_OBJECT_SLOT];
      return this.loadSlow(addr);
    }
    const s = this.listHeadSlot(addr);
    return s >= 0 ? this.gcNext[s] : this.loadSlow(addr);
  }

  private loadSlow(addr: number): number {
    const d = addr - HEAP_BASE;
    if (d >= 0 && d < this.heapBytes) {
      const b = Math.floor(d / BLOCK);
      const off = d - b * BLOCK;
      const slot = b + FIRST_OBJECT_SLOT;
      if (off === 0) return this.gcNext[slot];
      if (off === this.headSize) return this.refcnt[slot];
      if (aligned(off, 8)) return this.wordAt(slot, off);
      return toCode(this.loadBytes(slot, off));
    }
    const s = this.headSlot(addr);
    if (s >= 0) return this.gcNext[s];
    const { slot, off } = this.check(addr, 'read');
    if (aligned(off, 8)) return this.wordAt(slot, off);
    return toCode(this.loadBytes(slot, off));
  }

  /** Stores the 8-byte word at `addr` (any alignment). */
  store(addr: number, value: number): void {
    this.fit(value);
    const d = addr - HEAP_BASE;
    if (d >= 0 && d < this.heapBytes && (d | 0) === d) {
      const off = d & (BLOCK - 1);
      const slot = (d >> BLOCK_SHIFT) + FIRST_OBJECT_SLOT;
      if (this.state[slot] !== SlotState.Freed) {
        if (off === 0) {
          this.gcNext[slot] = value;
          return;
        }
        if (off === this.headSize) {
          this.refcnt[slot] = value;
          return;
        }
      }
      return this.storeSlow(addr, value);
    }
    const s = this.listHeadSlot(addr);
    // A list head is never a freed block, so this is storeSlow's head case without its check.
    if (s >= 0) this.gcNext[s] = value;
    else this.storeSlow(addr, value);
  }

  private storeSlow(addr: number, value: number): void {
    const d = addr - HEAP_BASE;
    if (d >= 0 && d < this.heapBytes) {
      const b = Math.floor(d / BLOCK);
      const off = d - b * BLOCK;
      const slot = b + FIRST_OBJECT_SLOT;
      if (this.state[slot] === SlotState.Freed) this.freedWrites.push({ address: addr, slot });
      if (off === 0) this.gcNext[slot] = value;
      else if (off === this.headSize) this.refcnt[slot] = value;
      else if (aligned(off, 8)) this.setWordAt(slot, off, value);
      else this.storeBytes(slot, off, realBits(value));
      return;
    }
    const s = this.headSlot(addr);
    if (s >= 0) {
      if (this.state[s] === SlotState.Freed) this.freedWrites.push({ address: addr, slot: s });
      this.gcNext[s] = value;
      return;
    }
    const { slot, off } = this.check(addr, 'write');
    if (this.state[slot] === SlotState.Freed) this.freedWrites.push({ address: addr, slot });
    if (aligned(off, 8)) this.setWordAt(slot, off, value);
    else this.storeBytes(slot, off, realBits(value));
  }

  /** storePrev for the head of object slot `slot` (the caller already decoded it). */
  storePrevSlot(slot: number, value: number): void {
    this.fit(value);
    if (this.state[slot] === SlotState.Freed) this.freedWrites.push({ address: this.blockAddr(slot) + 8, slot });
    this.gcPrev[slot] = value;
  }

  /** The `_gc_prev` word of the head at `g` (fast path for aligned heads). */
  loadPrev(g: number): number {
    const s = this.headSlot(g);
    return s >= 0 ? this.gcPrev[s] : this.loadPrevSlow(g);
  }

  private loadPrevSlow(g: number): number {
    const d = g - HEAP_BASE;
    if (d >= 0 && d < this.heapBytes) {
      const b = Math.floor(d / BLOCK);
      if (b * BLOCK === d) return this.gcPrev[b + FIRST_OBJECT_SLOT];
      return this.load(g + 8);
    }
    const s = this.headSlot(g);
    if (s >= 0) return this.gcPrev[s];
    return this.load(g + 8);
  }

  storePrev(g: number, value: number): void {
    this.fit(value);
    const s = this.headSlot(g);
    if (s >= 0 && this.state[s] !== SlotState.Freed) this.gcPrev[s] = value;
    else this.storePrevSlow(g, value);
  }

  private storePrevSlow(g: number, value: number): void {
    const d = g - HEAP_BASE;
    if (d >= 0 && d < this.heapBytes) {
      const b = Math.floor(d / BLOCK);
      if (b * BLOCK !== d) return this.store(g + 8, value);
      const slot = b + FIRST_OBJECT_SLOT;
      if (this.state[slot] === SlotState.Freed) this.freedWrites.push({ address: g + 8, slot });
      this.gcPrev[slot] = value;
      return;
    }
    const s = this.headSlot(g);
    if (s >= 0) {
      if (this.state[s] === SlotState.Freed) this.freedWrites.push({ address: g + 8, slot: s });
      this.gcPrev[s] = value;
      return;
    }
    this.store(g + 8, value);
  }

  private wordAt(slot: number, off: number): number {
    if (off === 0) return this.gcNext[slot];
    if (off === 8) return this.gcPrev[slot];
    if (slot >= FIRST_OBJECT_SLOT) {
      if (off === 16 && this.headSize === 32) return this.gcRefs[slot];
      if (off === this.headSize) return this.refcnt[slot];
      if (off === this.headSize + 8) {
        if (this.debugFill && this.state[slot] === SlotState.Freed) return toCode(DEAD_WORD);
        return this.typeId[slot] === 0 ? 0 : typeAddress(this.typeId[slot]);
      }
    }
    const key = this.extraKey(slot, off);
    return toCode(this.extra.get(key) ?? this.unwritten(slot));
  }

  private setWordAt(slot: number, off: number, value: number): void {
    this.fit(value);
    if (off === 0) this.gcNext[slot] = value;
    else if (off === 8) this.gcPrev[slot] = value;
    else if (slot >= FIRST_OBJECT_SLOT && off === 16 && this.headSize === 32) this.gcRefs[slot] = value;
    else if (slot >= FIRST_OBJECT_SLOT && off === this.headSize) this.refcnt[slot] = value;
    else this.extra.set(this.extraKey(slot, off), realBits(value));
  }

  /** A word nothing wrote: zero, or under the debug allocator 0xCD… in an allocated block
   *  (_PyMem_DebugRawAlloc: `memset(p, PYMEM_CLEANBYTE, nbytes)`) and 0xDD… in a freed one. */
  private unwritten(slot: number): bigint {
    if (!this.debugFill || slot < FIRST_OBJECT_SLOT) return 0n;
    return this.state[slot] === SlotState.Freed ? DEAD_WORD : CLEAN_WORD;
  }

  private extraKey(slot: number, off: number): number {
    return slot * 128 + off;
  }

  /** The exact unsigned 64-bit value of an aligned word (misaligned-access slow path). */
  private exactWordAt(slot: number, off: number): bigint {
    const v = this.wordAt(slot, off);
    const key = this.extraKey(slot, off);
    const inArrays = off === 0 || off === 8 ||
      (slot >= FIRST_OBJECT_SLOT && ((off === 16 && this.headSize === 32) || off === this.headSize || off === this.headSize + 8));
    if (!inArrays) return this.extra.get(key) ?? this.unwritten(slot);
    if (off === this.headSize + 8 && this.debugFill && this.state[slot] === SlotState.Freed) return DEAD_WORD;
    const e = this.exactWords.get(key);
    return e && e.approx === v ? e.exact : realBits(v);
  }

  /** Stores an exact 64-bit word; one without an exact code is kept beside its stand-in. */
  private setExactWordAt(slot: number, off: number, u: bigint): void {
    const w = toCode(u);
    this.setWordAt(slot, off, w);
    const key = this.extraKey(slot, off);
    if (!isExactCode(w, u)) this.exactWords.set(key, { approx: w, exact: u });
    else this.exactWords.delete(key);
  }

  private loadBytes(slot: number, off: number): bigint {
    const lo = off - (off % 8);
    const a = this.exactWordAt(slot, lo);
    const b = this.exactWordAt(slot, lo + 8);
    const shift = BigInt((off - lo) * 8);
    return BigInt.asUintN(64, (a >> shift) | (b << (64n - shift)));
  }

  /** Little-endian 8-byte store at a misaligned offset: splices into two adjacent words. */
  private storeBytes(slot: number, off: number, v: bigint): void {
    // CPython never stores a pointer-sized word misaligned: this is always a wild write.
    this.misalignedWrites.push(this.blockAddr(slot) + off);
    const lo = off - (off % 8);
    const shift = BigInt((off - lo) * 8);
    const a = this.exactWordAt(slot, lo);
    const b = this.exactWordAt(slot, lo + 8);
    const lowMask = (1n << shift) - 1n;
    const na = BigInt.asUintN(64, (a & lowMask) | (v << shift));
    const nb = BigInt.asUintN(64, (b & ~((1n << (64n - shift)) - 1n)) | (v >> (64n - shift)));
    this.setExactWordAt(slot, lo, na);
    this.setExactWordAt(slot, lo + 8, nb);
  }

  // ---- slots -----------------------------------------------------------------------------

  /** A fresh, zeroed object block (PyObject_Malloc of a new block). */
  allocSlot(): number {
    if (this.top >= this.capacity) this.grow();
    const s = this.top++;
    this.state[s] = SlotState.Live;
    return s;
  }

  /**
   * PyObject_Free (pymalloc_free): the block becomes a tombstone and is pushed on its pool's
   * free list through its first word (`_gc_next`): `*(block **)p = pool->freeblock;
   * pool->freeblock = p`. A pool is POOL_BLOCKS consecutive blocks. Blocks are never handed
   * out again (allocation only takes fresh ones), so a pool's free list holds exactly the blocks
   * freed in it, and the first free in a pool links to NULL — the pool was full: every block in
   * it had been handed out, as in the real runs measured (test/simulator/pymalloc-free.test.ts:
   * a 3.7 traverse that frees its own object faults reading 0x28 = Py_TYPE(FROM_GC(NULL)) on
   * CPython 3.7.16, whatever the pool's fill).
   */
  freeSlot(slot: number): void {
    this.state[slot] = SlotState.Freed;
    if (this.debugFill) return this.deadFill(slot);
    const pool = ((slot - FIRST_OBJECT_SLOT) / POOL_BLOCKS) | 0;
    this.gcNext[slot] = this.poolFree.get(pool) ?? 0;
    const a = this.blockAddr(slot);
    this.poolFree.set(pool, a);
    this.freeListHead = a;
  }

  /**
   * PyObject_Free under the debug hooks (_PyMem_DebugRawFree): `memset(q, PYMEM_DEADBYTE,
   * nbytes)` over the whole block, its two-word prefix (size, API id, 0xFD pad) and trailing pad
   * included, then pymalloc frees the raw block: its free-list link lands in the prefix's size
   * word, before the object. Every word of the object, its PyGC_Head first, reads 0xDD….
   */
  private deadFill(slot: number): void {
    this.freeListHead = this.blockAddr(slot);
    const offs = [0, 8, this.headSize];
    if (this.headSize === 32) offs.push(16);
    for (const off of offs) this.setExactWordAt(slot, off, DEAD_WORD);
    for (let off = this.headSize + 16; off < BLOCK; off += 8) this.extra.delete(this.extraKey(slot, off));
  }

  /** A list head in the gcstate (persistent) region. */
  stateHead(index: number, name: string): number {
    this.state[index] = SlotState.Head;
    this.headNames[index] = name;
    const a = this.blockAddr(index);
    this.gcNext[index] = a;
    this.gcPrev[index] = a;
    return a;
  }

  /** A list head on the simulated C stack (a local `PyGC_Head` of a collector function). */
  pushStackHead(name: string): number {
    if (this.stackTop >= STACK_HEADS) throw new Error('simulated C stack exhausted');
    const slot = STATE_HEADS + this.stackTop++;
    this.state[slot] = SlotState.Head;
    this.headNames[slot] = name;
    const a = this.blockAddr(slot);
    this.gcNext[slot] = a;
    this.gcPrev[slot] = a;
    return a;
  }

  /** Releases stack heads down to `mark` (what `stackMark()` returned). */
  popStackHeads(mark: number): void {
    this.stackTop = mark;
  }

  stackMark(): number {
    return this.stackTop;
  }

  reserve(n: number): void {
    while (this.capacity < this.top + n) this.grow();
  }

  private grow(): void {
    const cap = Math.min(this.capacity * 2, MAX_HEAP_BYTES / BLOCK + FIRST_OBJECT_SLOT);
    if (cap <= this.capacity) throw new RangeError(`simulated heap exhausted: more than ${this.capacity - FIRST_OBJECT_SLOT} objects`);
    const f = (a: Words) => {
      const b = this.wide ? new Float64Array(cap) : new Int32Array(cap);
      b.set(a);
      return b;
    };
    this.gcNext = f(this.gcNext);
    this.gcPrev = f(this.gcPrev);
    this.gcRefs = f(this.gcRefs);
    this.refcnt = f(this.refcnt);
    const t = new Int32Array(cap);
    t.set(this.typeId);
    this.typeId = t;
    const st = new Uint8Array(cap);
    st.set(this.state);
    this.state = st;
    this.capacity = cap;
    this.heapBytes = (cap - FIRST_OBJECT_SLOT) * BLOCK;
  }
}

/** `x % n === 0` for 0 ≤ x < 2^31 (an offset inside a region) and a power of two n. */
function aligned(x: number, n: number): boolean {
  return (x | 0) === x && (x & (n - 1)) === 0;
}

/** A stable fake address for type object `id` (what `ob_type` holds), in the gcstate region
 *  (ids stay below MAX_TYPES: Process.defineType refuses more). */
export function typeAddress(id: number): number {
  return TYPES_BASE + id * TYPE_STRIDE;
}
