// A simulated CPython process: the heap, the type table, the gc state, the C-API surface
// that extension code calls, and the fault machinery. One Process = one interpreter; after a
// fatal fault it is dead, like a real process.

import { AddressSet } from './addrset.js';
import { CallStack, userSourceLines } from './frames.js';
import { SimulatedCrash, type FaultInfo, type Signal } from './faults.js';
import { GcHeads, GC37_REACHABLE, GC37_TENTATIVELY_UNREACHABLE, GC37_UNTRACKED, PREV_MASK_COLLECTING, low2 } from './gchead.js';
import { MAX_REFCNT, MAX_TYPES, realValue } from './addresses.js';
import { AccessFault, FIRST_OBJECT_SLOT, MALLOC_KINDS, Memory, SlotState, type MallocKind } from './memory.js';
import { generalProtectionSignal } from './gp-signal.js';
import { getProfile, type Profile, type ProfileName } from './profiles.js';
import type { PyType, TypeSpec } from './types.js';
import { GcState } from './gcstate.js';
import { ItemStore } from './items.js';
import type { ContractFinding } from './collector/contract.js';
import { TraverseWatch, type GraphChange, type WatchedObject } from './traverse-watch.js';

export interface ProcessOptions {
  /** CPython profile (default 3.11). */
  readonly python?: ProfileName | string;
  /** A `--with-pydebug` build: CPython's assertions are on. */
  readonly debug?: boolean;
  /** Initial heap capacity in objects (grows as needed). */
  readonly capacity?: number;
  /** The allocator: pymalloc, or its debug hooks (PYTHONMALLOC=debug, `-X dev`). Default: the
   *  hooks in a debug build (a --with-pydebug CPython installs them unless PYTHONMALLOC says
   *  otherwise), pymalloc in a release build. */
  readonly malloc?: MallocKind;
}

/** Something memory-safe but surprising that happened during a run. */
export interface Anomaly {
  readonly kind:
    | 'refcount-changed-during-collection'
    | 'object-allocated-during-collection'
    | 'traverse-returned-error'
    | 'resurrected'
    | 'kept-alive-by-overstated-gc-refs'
    | 'gc-refs-underflow'
    | 'reentrant-traverse'
    | 'graph-changed-during-traverse'
    | 'field-changed-during-traverse';
  readonly message: string;
  /** 'graph-changed-during-traverse' / 'field-changed-during-traverse': what, where and how. */
  readonly change?: GraphChange;
}

export class Process {
  readonly profile: Profile;
  readonly debug: boolean;
  readonly mem: Memory;
  readonly heads: GcHeads;
  readonly stack = new CallStack();
  readonly types: PyType[] = [];
  readonly payload: unknown[] = [];
  /** The item arrays of the built-in containers (list `ob_item`, `__slots__`). */
  readonly items = new ItemStore();
  readonly gc: GcState;
  readonly anomalies: Anomaly[] = [];
  /** Damage found while running that is not (yet) fatal: shown by the audit. */
  readonly damage: string[] = [];
  /** What the first subtract_refs of the running collection visited: (visitor, target) pairs of
   *  objects in the collected set (collector/contract.ts names a leak's or a miscount's cause). */
  visitLog: number[] = [];
  /** Set while that subtract_refs runs. */
  logVisits = false;
  /** Whether the contract audit runs (collector/contract.ts): once a type with a hand-written
   *  tp_traverse exists. Built-in containers visit exactly their items (traverseItems) and
   *  clear them, so a heap of them alone cannot break the contract and is not audited. */
  contractAudit = false;
  /** Breaches of the traverse/clear contract the collections found (leaks, live objects cleared). */
  readonly contractFindings: ContractFinding[] = [];
  /** Live objects a collection already reported as cleared while referenced (not reported twice). */
  readonly reportedCleared = new Set<number>();
  /** Unreachable objects that survived full collections, and how many in a row. */
  garbageSurvivals = new Map<number, number>();
  /** Objects whose tp_clear the collector called (for the audit's "live object cleared"). */
  readonly clearedByGc: AddressSet;
  /** Set by a fatal fault; every later call rethrows it. */
  crash: SimulatedCrash | null = null;
  /** The Python-level error indicator (PyErr_Occurred), as a message. */
  pendingError: string | null = null;
  /** Unraisable exceptions (sys.unraisablehook), as messages. */
  readonly unraisable: string[] = [];
  /** Collecting objects Py_DECREF'd inside a traverse during this collection (their gc_refs
   *  snapshot is now too high); checked after move_unreachable for wrongly kept objects. */
  readonly decrefsInCollection = new Set<number>();
  /** Nesting depth of tp_traverse calls, to notice re-entrant traversals. */
  traverseDepth = 0;
  /** What traverse calls during a collection changed (refcounts, frees, fields). */
  readonly watch = new TraverseWatch();
  /** Graph changes that traverse calls left behind: damage for the audit (verdict `corrupt`). */
  readonly graphChanges: GraphChange[] = [];
  /** The outermost running traverse call: its object and the C frame that called it. */
  private outerTraverse = 0;
  private outerCaller = '';
  /** Observer of traverse calls, collector passes, refcount changes, deallocs and the fatal
   *  fault (used by `explain` to tell the story). Null: each hook costs one null check. */
  tracer: ((event: TraceEvent) => void) | null = null;
  /** Per type id: the frame names of its slots (no string building on hot paths). */
  private readonly frameNames: Record<'traverse' | 'dealloc' | 'clear' | 'finalize', string>[] = [];

  constructor(opts: ProcessOptions = {}) {
    const name = opts.python ?? '3.11';
    const profile = getProfile(name);
    if (!profile) throw new Error(`unknown Python profile '${name}'`);
    this.profile = profile;
    this.debug = opts.debug ?? false;
    const malloc = opts.malloc ?? (opts.debug ? 'debug' : 'pymalloc');
    if (!MALLOC_KINDS.includes(malloc)) throw new Error(`unknown allocator '${String(malloc)}' (known: pymalloc, debug)`);
    this.mem = new Memory(profile.headSize, opts.capacity ?? 1024, malloc);
    this.mem.onFault = (f) => this.accessFault(f);
    this.clearedByGc = new AddressSet(this.mem);
    this.heads = new GcHeads(this.mem, profile);
    this.gc = new GcState(this);
  }

  // ---- types -----------------------------------------------------------------------------

  defineType(spec: TypeSpec): PyType {
    if (this.types.length + 1 >= MAX_TYPES) throw new RangeError(`more than ${MAX_TYPES - 1} types in one simulated process`);
    // Every type object has the same shape (no spread of optional keys), so the collector's
    // loads of `t.gc`, `t.traverse`, `t.dealloc` stay monomorphic.
    const t: PyType = {
      name: spec.name,
      gc: spec.gc,
      traverse: spec.traverse,
      traverseItems: spec.traverseItems,
      clear: spec.clear,
      dealloc: spec.dealloc,
      finalize: spec.finalize,
      legacyDel: spec.legacyDel,
      referents: spec.referents,
      edgeName: spec.edgeName,
      id: this.types.length + 1,
    };
    this.types.push(t);
    if (spec.traverse && !spec.traverseItems) this.contractAudit = true;
    this.frameNames[t.id] = {
      traverse: `${t.name}_traverse`,
      dealloc: `${t.name}_dealloc`,
      clear: `${t.name}_clear`,
      finalize: `${t.name}_finalize`,
    };
    return t;
  }

  /** The C frame name of a type slot, e.g. `list_traverse` (built once per type). */
  typeFrame(t: PyType, slot: 'traverse' | 'dealloc' | 'clear' | 'finalize'): string {
    return this.frameNames[t.id][slot];
  }

  typeOf(op: number): PyType {
    return this.typeAt(op, this.mem.objSlot(op));
  }

  /** typeOf(op) for the slot `s = mem.objSlot(op)` the caller already has. */
  private typeAt(op: number, s: number): PyType {
    const id = s >= 0 ? this.mem.typeId[s] : 0;
    if (id === 0 || this.deadBlock(s)) return this.readNullType(op);
    return this.types[id - 1];
  }

  /** Whether slot `s` is a freed block the debug allocator filled with 0xDD (its ob_type too). */
  private deadBlock(s: number): boolean {
    return this.mem.debugFill && s >= FIRST_OBJECT_SLOT && this.mem.state[s] === SlotState.Freed;
  }

  /** `Py_TYPE(op)->tp_traverse` on a block whose ob_type is not a type: NULL (never
   *  allocated), or 0xDD… (freed under the debug allocator: a non-canonical load). */
  private readNullType(op: number): never {
    const type = this.mem.load(op + 8);
    if (type !== 0) this.mem.load(type + 0xb8);
    return this.segv(0xb8, 'read', 'Py_TYPE(op) is NULL: reading tp_traverse');
  }

  /** The heap slot of `op` if it is a GC object (PyObject_IS_GC), else -1; reads and
   *  faults exactly like isGc. A GC object's slot is always an object slot, so its header
   *  words are `mem.gcNext[s]`/`mem.gcPrev[s]` (what AS_GC(op) would read). */
  gcSlot(op: number): number {
    const s = this.mem.objSlot(op);
    if (s < 0) {
      this.mem.load(op + 8);
      return -1;
    }
    const id = this.mem.typeId[s];
    if (this.deadBlock(s)) this.readNullType(op);
    return id !== 0 && this.types[id - 1].gc ? s : -1;
  }

  isGc(op: number): boolean {
    const s = this.mem.objSlot(op);
    if (s < 0) {
      this.mem.load(op + 8);
      return false;
    }
    const id = this.mem.typeId[s];
    if (this.deadBlock(s)) this.readNullType(op);
    return id !== 0 && this.types[id - 1].gc;
  }

  slot(op: number): number {
    return this.mem.objSlot(op);
  }

  isFreed(op: number): boolean {
    const s = this.mem.objSlot(op);
    return s >= 0 && this.mem.state[s] === SlotState.Freed;
  }

  isLive(op: number): boolean {
    return this.liveSlot(op) >= 0;
  }

  /** The slot of `op` if it is a live (allocated, not freed) object, else -1. Its words are then
   *  plain array elements: a load or store of them cannot fault or write into freed memory. */
  private liveSlot(op: number): number {
    const s = this.mem.objSlot(op);
    return s >= 0 && this.mem.state[s] === SlotState.Live ? s : -1;
  }

  refcnt(op: number): number {
    return this.mem.load(op);
  }

  /** The PyGC_Head address of a GC object (AS_GC). */
  asGc(op: number): number {
    return op - this.profile.headSize;
  }

  /** The object of a PyGC_Head (FROM_GC). */
  fromGc(g: number): number {
    return g + this.profile.headSize;
  }

  // ---- faults ----------------------------------------------------------------------------

  private accessFault(f: AccessFault): never {
    const where = this.stack.top();
    return this.die({
      signal: f.code === 'SI_KERNEL' ? generalProtectionSignal(this.profile.name, where) : 'SIGSEGV',
      code: f.code,
      address: f.address,
      access: f.access,
      where,
      message:
        f.code === 'SI_KERNEL'
          ? `${generalProtectionSignal(this.profile.name, where) === 'SIGBUS' ? 'stack-segment' : 'general protection'} fault: ${f.access} through a non-canonical pointer`
          : `${f.access} of unmapped address`,
    });
  }

  segv(address: number, access: 'read' | 'write', message: string): never {
    return this.die({ signal: 'SIGSEGV', code: 'SEGV_MAPERR', address, access, where: this.stack.top(), message });
  }

  /** A CPython assertion (debug builds) or fatal error: abort(). */
  abort(where: string, message: string): never {
    // The failing function is the innermost frame of the backtrace (abort ← __assert_fail ← where).
    const f = { signal: 'SIGABRT', code: 'abort', address: 0, access: 'none', where, message } as const;
    if (this.stack.top() !== where) return this.frame(where, () => this.die(f));
    return this.die(f);
  }

  /** `_PyObject_ASSERT` failure text, as a debug build prints it. */
  assertFailed(fn: string, expr: string, message?: string): never {
    const text = `${this.profile.sourceFile}: ${fn}: Assertion "${expr}" failed${message ? `: ${message}` : ''}`;
    return this.abort(fn, text);
  }

  /** The allocator trips over metadata that an earlier write into freed memory damaged. */
  private heapCorruptionFault(): never {
    const w = this.mem.freedWrites[0];
    const signal: Signal = this.profile.heapCorruptionSignal;
    const message = `heap corruption: an earlier write into freed memory at ${this.mem.describe(w.address)}` +
      (signal === 'SIGABRT' ? ' — "double free or corruption (out)"' : '');
    if (signal === 'SIGABRT') return this.abort(this.stack.top(), message);
    return this.die({ signal: 'SIGSEGV', code: 'SEGV_MAPERR', address: realValue(w.address), access: 'read', where: this.stack.top(), message });
  }

  private die(f: Omit<FaultInfo, 'backtrace' | 'exitStatus'>): never {
    if (this.crash) throw this.crash;
    const fault: FaultInfo = {
      ...f,
      backtrace: this.stack.snapshot(userSourceLines()),
      exitStatus: f.signal === 'SIGABRT' ? 134 : f.signal === 'SIGSEGV' ? 139 : 135, // 128 + SIGBUS (7)
    };
    this.crash = new SimulatedCrash(fault);
    this.tracer?.({ kind: 'fault', fault });
    throw this.crash;
  }

  /** Throws the fatal fault again if the process is already dead. */
  alive(): void {
    if (this.crash) throw this.crash;
  }

  /** Runs `fn` inside simulated C frame `name`. */
  frame<R>(name: string, fn: () => R): R {
    if (this.tracer !== null && TRACED_PASSES.has(name)) return this.passFrame(name, fn);
    const depth = this.stack.depth;
    this.stack.push(name);
    try {
      return fn();
    } finally {
      this.stack.unwindTo(depth);
    }
  }

  /** `frame` for a collector pass while a tracer listens: reports its start and (normal) end. */
  private passFrame<R>(name: string, fn: () => R): R {
    const depth = this.stack.depth;
    this.tracer?.({ kind: 'pass', pass: name, phase: 'start' });
    this.stack.push(name);
    try {
      const r = fn();
      this.tracer?.({ kind: 'pass', pass: name, phase: 'end' });
      return r;
    } finally {
      this.stack.unwindTo(depth);
    }
  }

  // ---- allocation and refcounts (Objects/object.c, Modules/gcmodule.c) ------------------

  private checkAllocator(): void {
    if (this.mem.freedWrites.length) this.heapCorruptionFault();
  }

  /** PyObject_New for a non-GC type: refcnt 1. */
  newObject(type: PyType, payload: unknown): number {
    this.alive();
    this.checkAllocator();
    const s = this.mem.allocSlot();
    this.mem.typeId[s] = type.id;
    this.mem.refcnt[s] = 1;
    this.payload[s] = payload;
    const op = this.mem.objAddr(s);
    if (this.traverseDepth > 0 && this.gc.collecting) this.watch.allocated(op);
    return op;
  }

  /** _PyObject_GC_New (gc_alloc): zeroed untracked head, refcnt 1, gen0.count += 1, and the
   *  automatic collection check (synchronous ≤3.11, scheduled 3.12+). */
  gcNew(type: PyType, payload: unknown): number {
    this.alive();
    this.checkAllocator();
    const s = this.mem.allocSlot();
    this.mem.typeId[s] = type.id;
    this.mem.refcnt[s] = 1;
    this.mem.gcNext[s] = 0;
    this.mem.gcPrev[s] = 0;
    if (!this.profile.gcRefsInPrev) this.mem.gcRefs[s] = GC37_UNTRACKED * 2;
    this.payload[s] = payload;
    if (this.gc.collecting && this.traverseDepth > 0) {
      this.anomalies.push({
        kind: 'object-allocated-during-collection',
        message: `a ${type.name} was allocated while the collector was running`,
      });
    }
    const op = this.mem.objAddr(s);
    if (this.traverseDepth > 0 && this.gc.collecting) this.watch.allocated(op);
    this.gc.onAllocate();
    return op;
  }

  Py_INCREF(op: number): void {
    this.alive();
    this.noteRefChange(op, +1);
    const mem = this.mem;
    const s = this.liveSlot(op);
    if (s >= 0) {
      // ob_refcnt of a live block: what mem.load/mem.store of `op` read and write.
      const n = mem.refcnt[s] + 1;
      if (n >= MAX_REFCNT) throw new RangeError(`reference count past ${MAX_REFCNT - 1}: the simulator's limit (gc_refs << 2 must stay a small code)`);
      mem.refcnt[s] = n;
    } else {
      // Not a live object: whatever word is there is incremented, as the C macro would.
      mem.store(op, mem.load(op) + 1);
    }
    if (this.tracer !== null) this.tracer({ kind: 'refcount', op, delta: +1 });
  }

  Py_DECREF(op: number): void {
    this.alive();
    this.noteRefChange(op, -1);
    const mem = this.mem;
    const s = this.liveSlot(op);
    let n: number;
    if (s >= 0) {
      // ob_refcnt of a live block: what mem.load/mem.store of `op` read and write.
      n = mem.refcnt[s] - 1;
      mem.refcnt[s] = n;
    } else {
      n = mem.load(op) - 1;
      mem.store(op, n);
    }
    if (this.tracer !== null) this.tracer({ kind: 'refcount', op, delta: -1 });
    if (n === 0) {
      const depth = this.stack.depth;
      this.stack.push('Py_DECREF');
      try {
        this.dealloc(op);
      } finally {
        this.stack.unwindTo(depth);
      }
    }
  }

  Py_XDECREF(op: number | 0 | null | undefined): void {
    if (op) this.Py_DECREF(op);
  }

  /** _Py_Dealloc: calls tp_dealloc in a frame named after the type. */
  dealloc(op: number): void {
    const t = this.typeOf(op);
    if (this.tracer !== null) this.tracer({ kind: 'dealloc', op, type: t.name });
    const depth = this.stack.depth;
    this.stack.push(this.frameNames[t.id].dealloc);
    try {
      t.dealloc(op);
    } finally {
      this.stack.unwindTo(depth);
    }
  }

  private noteRefChange(op: number, delta: number): void {
    if (this.traverseDepth === 0 || !this.gc.collecting) return;
    const s = this.mem.objSlot(op);
    if (s < 0 || this.mem.state[s] !== SlotState.Live) return;
    const t = this.types[this.mem.typeId[s] - 1];
    this.watch.refChange(op, delta, this.mem.refcnt[s], () => this.stack.snapshot(userSourceLines()));
    if (!t?.gc || this.mem.gcNext[s] === 0) return;
    const refs37 = Math.floor(this.mem.gcRefs[s] / 2);
    const collecting = this.profile.gcRefsInPrev
      ? (low2(this.mem.gcPrev[s]) & PREV_MASK_COLLECTING) !== 0
      : refs37 >= 0 || refs37 === GC37_TENTATIVELY_UNREACHABLE;
    if (collecting) {
      if (delta < 0) this.decrefsInCollection.add(op);
      this.anomalies.push({
        kind: 'refcount-changed-during-collection',
        message: `${delta > 0 ? 'Py_INCREF' : 'Py_DECREF'} of ${t.name} ${this.mem.describe(op)} while it was being collected (gc_refs was snapshotted before)`,
      });
    }
  }

  /** _PyObject_GC_IS_TRACKED. */
  isTracked(op: number): boolean {
    if (!this.profile.gcRefsInPrev) return Math.floor(this.mem.load(this.asGc(op) + 16) / 2) !== GC37_UNTRACKED;
    const s = this.mem.objSlot(op);
    // `_gc_next` of an object block is gcNext[s] (freed or not: a load never faults there).
    return (s >= FIRST_OBJECT_SLOT ? this.mem.gcNext[s] : this.mem.load(this.asGc(op))) !== 0;
  }

  /** PyObject_GC_Track: aborts if already tracked; debug 3.11+ validates with tp_traverse. */
  PyObject_GC_Track(op: number): void {
    this.alive();
    this.frame('PyObject_GC_Track', () => {
      if (this.isTracked(op)) {
        // 3.7: _PyObject_GC_TRACK's Py_FatalError; 3.8+: _PyObject_ASSERT_FAILED_MSG in every build
        // (texts as printed by 3.7.16, 3.8.18 and 3.13.0).
        if (!this.profile.gcRefsInPrev) this.abort('PyObject_GC_Track', 'Fatal Python error: GC object already tracked');
        this.abort('PyObject_GC_Track', `${this.profile.sourceFile}: PyObject_GC_Track: Assertion failed: object already tracked by the garbage collector`);
      }
      this.track(op);
      if (this.debug && this.profile.debugTrackValidate) {
        const t = this.typeOf(op);
        if (t.traverse) {
          this.callTraverse(op, (x) => {
            if (this.isFreed(x)) this.abort('visit_validate', 'PyObject_GC_Track() object is not valid');
            return 0;
          }, null);
        }
      }
    });
  }

  /** _PyObject_GC_TRACK: append at the tail of generation 0 (young). */
  track(op: number): void {
    const g = this.asGc(op);
    const h = this.heads;
    if (this.debug && this.profile.gcRefsInPrev && low2(this.mem.loadPrev(g)) & PREV_MASK_COLLECTING) {
      this.assertFailed('_PyObject_GC_TRACK', '(gc->_gc_prev & _PyGC_PREV_MASK_COLLECTING) == 0', 'object is in generation which is garbage collected');
    }
    const gen0 = this.gc.trackHead();
    if (!this.profile.gcRefsInPrev) {
      h.setRefs37(g, GC37_REACHABLE);
      const last = this.mem.loadPrev(gen0);
      this.mem.storePrev(g, last);
      this.mem.store(last, g);
      this.mem.store(g, gen0);
      this.mem.storePrev(gen0, g);
      return;
    }
    const last = this.mem.loadPrev(gen0);
    h.setNext(last, g);
    h.setPrev(g, last);
    h.setNext(g, gen0);
    this.mem.storePrev(gen0, g);
  }

  /** PyObject_GC_UnTrack: untrack only if tracked (safe to call twice). */
  PyObject_GC_UnTrack(op: number): void {
    this.alive();
    const depth = this.stack.depth;
    this.stack.push('PyObject_GC_UnTrack');
    try {
      if (this.isTracked(op)) this.untrack(op);
    } finally {
      this.stack.unwindTo(depth);
    }
  }

  /** _PyObject_GC_UNTRACK: read prev, read next, write prev.next, write next.prev. */
  untrack(op: number): void {
    const g = this.asGc(op);
    const h = this.heads;
    if (!this.profile.gcRefsInPrev) {
      h.setRefs37(g, GC37_UNTRACKED);
      const prev = this.mem.loadPrev(g);
      const next = this.mem.load(g);
      this.mem.store(prev, next);
      this.mem.storePrev(next, prev);
      this.mem.store(g, 0);
      return;
    }
    // prev = GC_PREV(g), next = GC_NEXT(g), SET_NEXT(prev, next), SET_PREV(next, prev),
    // g->_gc_next = 0: exactly gc_list_remove's reads and writes (and its fused fast path).
    h.remove(g);
    const s = this.liveSlot(op);
    if (s >= 0) this.mem.gcPrev[s] = low2(this.mem.gcPrev[s]) & 1;
    else this.mem.storePrev(g, low2(this.mem.loadPrev(g)) & 1);
  }

  /** PyObject_GC_Del: unlink if still tracked, gen0.count -= 1, free the block. */
  PyObject_GC_Del(op: number): void {
    this.alive();
    const depth = this.stack.depth;
    this.stack.push('PyObject_GC_Del');
    try {
      const g = this.asGc(op);
      if (this.isTracked(op)) {
        if (this.debug && this.profile.debugTrackValidate) {
          this.unraisable.push(`ResourceWarning: Object of type ${this.typeOf(op).name} is not untracked before destruction`);
        }
        if (!this.profile.gcRefsInPrev) {
          this.heads.setRefs37(g, GC37_UNTRACKED);
          const prev = this.mem.loadPrev(g);
          const next = this.mem.load(g);
          this.mem.store(prev, next);
          this.mem.storePrev(next, prev);
          this.mem.store(g, 0);
        } else {
          this.heads.remove(g);
        }
      }
      this.gc.onGcDel();
      this.free(op);
    } finally {
      this.stack.unwindTo(depth);
    }
  }

  /** PyObject_Free for a non-GC object. */
  PyObject_Free(op: number): void {
    this.alive();
    this.free(op);
  }

  private free(op: number): void {
    this.checkAllocator();
    const s = this.mem.objSlot(op);
    if (s < FIRST_OBJECT_SLOT || this.mem.state[s] !== SlotState.Live) {
      this.abort('PyObject_Free', `free(): invalid pointer ${this.mem.describe(op)} (double free)`);
    }
    if (this.traverseDepth > 0 && this.gc.collecting) {
      const t = this.types[this.mem.typeId[s] - 1];
      this.watch.free(op, `${t.name} ${this.mem.describe(op)}${t.gc ? '' : ' (not a GC object)'}`, () => this.stack.snapshot(userSourceLines()));
    }
    this.mem.freeSlot(s);
  }

  // ---- tp_traverse calls -----------------------------------------------------------------

  /** Calls `Py_TYPE(op)->tp_traverse(op, visit, arg)` in a frame named `<type>_traverse`. */
  callTraverse(op: number, visit: (op: number, arg: unknown) => number, arg: unknown): number {
    const s = this.mem.objSlot(op);
    const t = this.typeAt(op, s); // Py_TYPE(op), keeping the slot for traverseItems
    const traverse = t.traverse;
    if (traverse === undefined) return 0;
    if (this.traverseDepth > 0) {
      if (this.gc.collecting) this.anomalies.push({ kind: 'reentrant-traverse', message: `tp_traverse of ${t.name} re-entered while another traverse was running` });
    } else {
      this.outerTraverse = op;
      this.outerCaller = this.stack.top();
    }
    this.traverseDepth++;
    const stack = this.stack;
    const depth = stack.depth;
    stack.push(this.frameNames[t.id].traverse);
    try {
      if (this.tracer !== null) this.tracer({ kind: 'traverse', op, type: t.name });
      const order = t.traverseItems;
      const r = order === undefined ? traverse(op, visit, arg) : this.visitItems(s, order === 'reverse', visit, arg);
      if (r !== 0) {
        this.anomalies.push({ kind: 'traverse-returned-error', message: `${t.name}_traverse returned ${r}` });
      }
      return r;
    } finally {
      stack.unwindTo(depth);
      this.traverseDepth--;
      if (this.watch.dirty && this.traverseDepth === 0 && this.crash === null) this.settleTraverse(t);
    }
  }

  /** The outermost traverse call returned: what it changed and did not restore is recorded. */
  private settleTraverse(t: PyType): void {
    const op = this.outerTraverse;
    const during = `${t.name}_traverse(${t.name} ${this.mem.describe(op)}) in ${this.outerCaller}`;
    for (const c of this.watch.settle(during, (x) => this.watched(x))) {
      if (c.damage) this.graphChanges.push(c);
      this.anomalies.push({ kind: c.damage ? 'graph-changed-during-traverse' : 'field-changed-during-traverse', message: c.message, change: c });
      this.tracer?.({ kind: 'graph-change', op, type: t.name, change: c });
    }
  }

  /** A live object's name and count, for the watch. */
  private watched(op: number): WatchedObject | null {
    const s = this.liveSlot(op);
    if (s < 0) return null;
    return { label: `${this.types[this.mem.typeId[s] - 1].name} ${this.mem.describe(op)}`, refcnt: this.mem.refcnt[s] };
  }

  /**
   * Runs `fn`, a write of reference field `field` of `owner` by the binding (a RefCell set, an
   * assignment over a field…): inside a traverse during a collection the watch names the field
   * in what the write changes.
   */
  fieldWrite<R>(owner: number, field: string, operation: string, fn: () => R): R {
    if (this.traverseDepth === 0 || !this.gc.collecting) return fn();
    const o = this.watched(owner);
    const name = o ? o.label : this.mem.describe(owner);
    return this.watch.fieldWrite(owner, name, field, operation, fn);
  }

  /** Py_VISIT of the items of heap slot `s` (a built-in container), from the end if `reverse`,
   *  stopping at the first non-zero result. The count is read once and each item when it is
   *  visited, as list_traverse reads `Py_SIZE(o)` and `o->ob_item[i]`. */
  visitItems(s: number, reverse: boolean, visit: (op: number, arg: unknown) => number, arg: unknown): number {
    const store = this.items;
    const n = store.length(s);
    for (let k = 0; k < n; k++) {
      const x = store.get(s, reverse ? n - 1 - k : k);
      if (x) {
        const r = visit(x, arg);
        if (r) return r;
      }
    }
    return 0;
  }

  /** Objects currently allocated and not freed. */
  *liveObjects(): Generator<number> {
    for (let s = FIRST_OBJECT_SLOT; s < this.mem.top; s++) {
      if (this.mem.state[s] === SlotState.Live) yield this.mem.objAddr(s);
    }
  }
}

/** The frames reported as collector passes ('pass' events), in CPython's names. */
const TRACED_PASSES: ReadonlySet<string> = new Set([
  'gc_collect_main',
  'collect',
  'deduce_unreachable',
  'update_refs',
  'subtract_refs',
  'move_unreachable',
  'move_legacy_finalizers',
  'move_legacy_finalizer_reachable',
  'finalize_garbage',
  'handle_resurrected_objects',
  'check_garbage',
  'delete_garbage',
]);

/** What `Process#tracer` is told. Reported before the effect for 'traverse' and 'dealloc',
 *  after the store for 'refcount', and before the crash unwinds for 'fault'. */
export interface TraceEvent {
  readonly kind: 'traverse' | 'pass' | 'refcount' | 'dealloc' | 'fault' | 'graph-change';
  readonly op?: number;
  readonly type?: string;
  readonly pass?: string;
  /** 'pass': its start, or its normal end (a pass a fault interrupts has no end). */
  readonly phase?: 'start' | 'end';
  /** 'refcount': +1 (Py_INCREF) or -1 (Py_DECREF). */
  readonly delta?: number;
  /** 'fault': the fatal fault. */
  readonly fault?: FaultInfo;
  /** 'graph-change': what a traverse call left changed when it returned (op: the traversed object). */
  readonly change?: GraphChange;
}
