// The story of a run's collections, told from the simulator's tracer events: each pass, each
// tp_traverse call (which object, in which pass), each refcount change during the collection
// and what triggered it (the reference pool, the user's line), each dealloc with the header
// words an unlink is about to use, and the fault — at which moment the heap is snapshotted,
// before the crash unwinds anything.

import { codeOf, hexCode } from '../../simulator/addresses.js';
import { describeFault, hex, type FaultInfo } from '../../simulator/faults.js';
import { userSourceLines } from '../../simulator/frames.js';
import type { Process, TraceEvent } from '../../simulator/process.js';
import { FIRST_OBJECT_SLOT } from '../../simulator/memory.js';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { AddressBook, decodePrev, headerLine, inCollection, snapshotHeap, type HeapSnapshot } from './snapshot.js';

/** What the recorder may read of the PyO3-like runtime (the deferred reference pool). */
export interface RuntimeView {
  readonly pool: { readonly increfs: readonly number[]; readonly decrefs: readonly number[] };
  readonly stopped: readonly string[];
  readonly traverseErrors: readonly string[];
}

const PASS_DOC: Readonly<Record<string, string>> = {
  deduce_unreachable: 'update_refs, subtract_refs, move_unreachable',
  update_refs: 'gc_refs := ob_refcnt for every object in the collection',
  subtract_refs: 'tp_traverse(visit_decref) on each object: every visited object of the set loses one gc_ref',
  move_unreachable: 'gc_refs 0 ⇒ tentatively unreachable; reachable objects are traversed (visit_reachable) and get their prev pointer back',
  move_legacy_finalizers: 'objects with tp_del leave the unreachable set',
  move_legacy_finalizer_reachable: 'and so does everything they reach',
  finalize_garbage: 'tp_finalize on each unreachable object (lists are doubly linked again: objects may die safely)',
  handle_resurrected_objects: 'deduce_unreachable again on the unreachable set: finalizers may have resurrected objects',
  check_garbage: 'all-or-nothing resurrection check (subtract_refs on the unreachable set)',
  delete_garbage: 'tp_clear on each unreachable object',
};

const TRAVERSE_LINES_PER_COLLECTION = 60;
const OTHER_REFCOUNT_LINES_PER_COLLECTION = 40;
const TABLE_ROWS = 30;

interface Collection {
  readonly index: number;
  readonly name: string;
  readonly lines: string[];
  eventful: boolean;
  traverses: number;
  hiddenTraverses: number;
  hiddenRefcounts: number;
  refcountLines: number;
  members: number[];
  done: boolean;
}

export interface FaultMoment {
  readonly fault: FaultInfo;
  readonly snapshot: HeapSnapshot;
  /** The object whose death led to the fault (freed, or being freed), if one is known. */
  readonly victim?: number;
  /** The pass running when it happened. */
  readonly pass?: string;
  /** Objects whose tp_dealloc was still running (the victim among them). */
  readonly dying: ReadonlySet<number>;
  /** One sentence on how the victim led to the fault. */
  readonly why?: string;
}

export class StoryRecorder {
  readonly book: AddressBook;
  private readonly collections: Collection[] = [];
  private cur: Collection | null = null;
  private readonly passes: string[] = [];
  /** tp_traverse calls in progress, by depth. */
  private readonly traversing: { op: number; type: string; pass: string }[] = [];
  /** Deallocs during collections: the op and the stack depth its frame occupies. */
  private readonly deallocs: { op: number; type: string; depth: number; pass?: string; traversed: boolean; refsInPrev?: number }[] = [];
  private readonly sourceCache = new Map<string, string[] | null>();
  /** Objects freed while a collection ran (the picture keeps them). */
  readonly freedDuringCollection = new Set<number>();
  private pendingTraverse: string | null = null;
  private poolSeen = 0;
  private stoppedSeen = 0;
  private traverseErrorsSeen = 0;
  moment: FaultMoment | null = null;

  constructor(
    private readonly p: Process,
    private readonly runtime?: RuntimeView,
  ) {
    this.book = new AddressBook(p);
  }

  /** Told of each event after the recorder has (explain --html takes its steps here). */
  observer: ((e: TraceEvent) => void) | null = null;

  /** The story of the collection being told, so far (a step-by-step view reads what is new). */
  get currentLines(): readonly string[] {
    return this.cur?.lines ?? [];
  }

  /** Installs the recorder as the process's tracer. */
  attach(): void {
    this.p.tracer = (e) => {
      try {
        this.on(e);
      } catch (err) {
        this.cur?.lines.push(`    (explain could not describe a ${e.kind} event: ${err instanceof Error ? err.message : String(err)})`);
      }
      this.observer?.(e);
    };
  }

  detach(): void {
    this.p.tracer = null;
  }

  private get indent(): string {
    return '  '.repeat(1 + this.passes.length) + '  '.repeat(this.traversing.length);
  }

  private line(text: string): void {
    this.cur?.lines.push(this.indent + text);
  }

  private flushPendingTraverse(): void {
    if (this.pendingTraverse !== null && this.cur) {
      this.cur.lines.push(this.pendingTraverse);
      this.cur.hiddenTraverses--;
      this.pendingTraverse = null;
    }
  }

  /** Something that must be told happened: show its traverse header too. */
  private eventful(): void {
    if (this.cur) this.cur.eventful = true;
    this.flushPendingTraverse();
  }

  /** Frames (innermost first) from the event up to the traverse trampoline or the pass. */
  private trigger(): string {
    const frames = this.p.stack.snapshot(userSourceLines());
    const out: string[] = [];
    for (const f of frames) {
      if (/_traverse$/.test(f) || this.passes.includes(f)) break;
      out.push(f);
    }
    return out.join(' ← ');
  }

  private watchRuntime(): void {
    const rt = this.runtime;
    if (!rt || !this.cur) return;
    const n = rt.pool.decrefs.length + rt.pool.increfs.length;
    if (n > this.poolSeen) {
      this.eventful();
      this.line(`↳ a reference was dropped without changing any refcount: deferred to PyO3's ReferencePool (${n} pending), applied at the next GIL acquisition`);
    }
    this.poolSeen = n;
    for (; this.stoppedSeen < rt.stopped.length; this.stoppedSeen++) {
      this.eventful();
      this.line(`✋ the guarded runtime refused: ${rt.stopped[this.stoppedSeen]}`);
    }
    for (; this.traverseErrorsSeen < rt.traverseErrors.length; this.traverseErrorsSeen++) {
      this.eventful();
      this.line(`↳ ${rt.traverseErrors[this.traverseErrorsSeen]} (the trampoline returned -1)`);
    }
  }

  private on(e: TraceEvent): void {
    const p = this.p;
    if (this.runtime && !this.cur) {
      const rt = this.runtime;
      this.poolSeen = rt.pool.decrefs.length + rt.pool.increfs.length;
      this.stoppedSeen = rt.stopped.length;
      this.traverseErrorsSeen = rt.traverseErrors.length;
    }
    this.watchRuntime();
    switch (e.kind) {
      case 'pass':
        return e.phase === 'start' ? this.passStart(e.pass!) : this.passEnd(e.pass!);
      case 'traverse': {
        // Only the collector's traversals belong to the story (not gc.get_referents, Track's validation).
        if (!this.cur || !p.gc.collecting) return;
        const pass = this.passes[this.passes.length - 1] ?? '?';
        const depth = p.traverseDepth;
        this.traversing.length = depth - 1;
        const freed = p.isFreed(e.op!);
        const text = `${this.indent}${e.type}_traverse(${this.book.label(e.op!)})${freed ? ' — on a FREED object (the collector followed a dangling link)' : ''}${depth > 1 ? ' — re-entered from another traverse' : ''}`;
        if (freed) this.eventful();
        this.traversing[depth - 1] = { op: e.op!, type: e.type!, pass };
        this.cur.traverses++;
        this.pendingTraverse = null;
        if (this.cur.traverses - this.cur.hiddenTraverses <= TRAVERSE_LINES_PER_COLLECTION) this.cur.lines.push(text);
        else {
          this.cur.hiddenTraverses++;
          this.pendingTraverse = text;
        }
        return;
      }
      case 'refcount':
        return this.refcount(e.op!, e.delta!);
      case 'dealloc':
        return this.dealloc(e.op!, e.type!);
      case 'fault':
        return this.fault(e.fault!);
      case 'graph-change': {
        // What a traverse call left changed when it returned (src/simulator/traverse-watch.ts).
        const c = e.change!;
        this.eventful();
        const what = c.kind === 'freed' ? 'was freed' : c.kind === 'refcount' ? `${c.what}, not restored` : `field ${c.what} changed without a refcount change (the reference moved to a root)`;
        this.line(`${c.damage ? '⚠ graph changed under the collector' : '↳ field changed'}: ${this.book.label(c.op)} ${what} when ${e.type}_traverse(${this.book.label(e.op!)}) returned (${c.operation}${c.source ? ` at ${c.source}` : ''})`);
        return;
      }
    }
  }

  private syncTraversing(): void {
    this.traversing.length = Math.min(this.traversing.length, this.p.traverseDepth);
  }

  private passStart(name: string): void {
    const p = this.p;
    if (name === p.profile.collectFrame) {
      const c: Collection = {
        index: this.collections.length + 1,
        name,
        lines: [],
        eventful: false,
        traverses: 0,
        hiddenTraverses: 0,
        hiddenRefcounts: 0,
        refcountLines: 0,
        members: [],
        done: false,
      };
      this.collections.push(c);
      this.cur = c;
      this.passes.length = 0;
      this.traversing.length = 0;
      const from = p.stack.snapshot(userSourceLines());
      c.lines.push(`collection ${c.index} — ${name}, started by ${from.join(' ← ') || '?'}`);
      const pending = this.runtime?.pool.decrefs ?? [];
      if (pending.length) {
        c.lines.push(`  PyO3's ReferencePool holds ${pending.length} deferred decref(s), dropped without the GIL: ${pending.slice(0, 8).map((op) => this.book.label(op)).join(', ')}${pending.length > 8 ? ', …' : ''}`);
      }
      return;
    }
    if (!this.cur) return;
    this.syncTraversing();
    const doc = name === 'update_refs' && !p.profile.gcRefsInPrev
      ? 'gc_refs := ob_refcnt, in the third header word (3.7: _gc_prev stays a pointer)'
      : PASS_DOC[name];
    this.line(`${name}${doc ? ` — ${doc}` : ''}`);
    this.passes.push(name);
  }

  private passEnd(name: string): void {
    const p = this.p;
    const c = this.cur;
    if (!c) return;
    if (name === p.profile.collectFrame) {
      const pending = this.runtime?.pool.decrefs.length ?? 0;
      if (pending) c.lines.push(`  after the collection, ${pending} decref(s) still wait in the ReferencePool (applied at the next GIL acquisition, outside any collection)`);
      c.done = true;
      this.closeCollection(c);
      this.cur = null;
      this.passes.length = 0;
      return;
    }
    this.passes.pop();
    this.syncTraversing();
    if (name === 'update_refs') {
      c.members = [];
      for (let s = FIRST_OBJECT_SLOT; s < p.mem.top; s++) if (inCollection(p, s)) c.members.push(p.mem.objAddr(s));
      if (!c.members.length) {
        this.line('  the set is empty');
        return;
      }
      this.line(`  ${c.members.length} object(s) in the collection${p.profile.gcRefsInPrev ? '; their _gc_prev now holds gc_refs << 2 | COLLECTING, not a pointer: the list is singly linked until move_unreachable' : ''}:`);
      for (const op of c.members.slice(0, TABLE_ROWS)) this.line(`    ${headerLine(p, this.book, op)}`);
      if (c.members.length > TABLE_ROWS) this.line(`    … ${c.members.length - TABLE_ROWS} more`);
    } else if (name === 'subtract_refs' && c.members.length) {
      const refs = c.members.filter((op) => p.isLive(op)).map((op) => `${this.book.label(op)} ${this.refsOf(op)}`);
      this.line(`  gc_refs now = references from outside the set: ${refs.slice(0, TABLE_ROWS).join(', ')}${refs.length > TABLE_ROWS ? ', …' : ''}`);
    } else if (name === 'move_unreachable' && c.members.length) {
      const live = c.members.filter((op) => p.isLive(op));
      const unreachable = live.filter((op) => inCollection(p, p.mem.objSlot(op)));
      const reachable = live.filter((op) => !unreachable.includes(op));
      const names = (l: number[]) => (l.length ? l.slice(0, TABLE_ROWS).map((op) => this.book.label(op)).join(', ') + (l.length > TABLE_ROWS ? ', …' : '') : 'none');
      this.line(`  reachable: ${names(reachable)}; unreachable: ${names(unreachable)}`);
    }
  }

  /** The user's source line named in a trigger ("Ref.traverse at fixtures/x.ts:12"). */
  private sourceOf(trig: string): { at: string; text: string } | undefined {
    const m = / at ((?:[^ ]+)):(\d+)/.exec(trig);
    if (!m) return undefined;
    let lines = this.sourceCache.get(m[1]);
    if (lines === undefined) {
      try {
        lines = readFileSync(resolve(m[1]), 'utf8').split('\n');
      } catch {
        lines = null;
      }
      this.sourceCache.set(m[1], lines);
    }
    const text = lines?.[Number(m[2]) - 1]?.trim();
    return text ? { at: `${m[1]}:${m[2]}`, text } : undefined;
  }

  private refsOf(op: number): string {
    const p = this.p;
    const s = p.mem.objSlot(op);
    if (!p.profile.gcRefsInPrev) return String(Math.floor(p.mem.gcRefs[s] / 2));
    const m = decodePrev(p, this.book, p.mem.gcPrev[s]);
    return m.isRefs ? String(m.refs) : '(pointer)';
  }

  private refcount(op: number, delta: number): void {
    const p = this.p;
    const c = this.cur;
    if (!c || !p.gc.collecting) return;
    this.syncTraversing();
    const s = p.mem.objSlot(op);
    if (s < FIRST_OBJECT_SLOT) return;
    const inTraverse = this.traversing.length > 0;
    if (!inTraverse && c.refcountLines >= OTHER_REFCOUNT_LINES_PER_COLLECTION) {
      c.hiddenRefcounts++;
      return;
    }
    if (inTraverse) this.eventful();
    else c.refcountLines++;
    const after = p.mem.refcnt[s];
    const what = delta > 0 ? 'Py_INCREF' : 'Py_DECREF';
    const trig = this.trigger();
    const pool = /GILPool::new ← ([^ ]+)/.exec(trig);
    const why = /ReferencePool::update_counts/.test(trig)
      ? ` — a decref deferred earlier (dropped without the GIL), applied when ${pool ? pool[1] : `the ${this.traversing.at(-1)?.type ?? ''}_traverse trampoline`} created a GILPool`
      : / at [^ ]+:\d+/.test(trig) && inTraverse
        ? ' — the traverse body itself'
        : '';
    this.line(`${what} ${this.book.label(op)}: ob_refcnt ${after - delta} → ${after}${trig ? `, from ${trig}` : ''}${why}`);
    // The user's line, when user code did this directly (not through a dealloc it caused).
    const parts = trig.split(' ← ');
    const u = parts.findIndex((f) => / at [^ ]+:\d+$/.test(f));
    const src = inTraverse && u >= 0 && !parts.slice(0, u).some((f) => f.endsWith('_dealloc')) ? this.sourceOf(parts[u]) : undefined;
    if (src) this.line(`  ${src.at}: ${src.text}`);
    if (inTraverse && inCollection(p, s)) {
      const refs = this.refsOf(op);
      this.line(`  ${this.book.label(op)} is in the collection: its gc_refs (${refs}) was copied from ob_refcnt by update_refs and is now stale`);
    }
  }

  private dealloc(op: number, type: string): void {
    const p = this.p;
    if (!this.cur || !p.gc.collecting) return;
    this.syncTraversing();
    const pass = this.passes[this.passes.length - 1];
    this.freedDuringCollection.add(op);
    const s = p.mem.objSlot(op);
    const m0 = p.profile.gcRefsInPrev && p.mem.gcNext[s] !== 0 ? decodePrev(p, this.book, p.mem.gcPrev[s]) : undefined;
    this.deallocs.push({ op, type, depth: p.stack.depth, pass, traversed: this.traversing.some((t) => t.op === op), refsInPrev: m0?.isRefs ? m0.refs : undefined });
    const inTraverse = this.traversing.length > 0;
    if (inTraverse) this.eventful();
    else if (this.cur.refcountLines >= OTHER_REFCOUNT_LINES_PER_COLLECTION) return;
    this.line(`${type}_dealloc(${this.book.label(op)}) — its refcount reached 0 during ${pass ?? 'the collection'}`);
    this.line(`  ${headerLine(p, this.book, op)}`);
    if (this.traversing.some((t) => t.op === op)) {
      this.line(`  ${this.book.label(op)} is the object being traversed: it is freed under the collector's feet`);
    }
    if (p.profile.gcRefsInPrev && p.mem.gcNext[s] !== 0) {
      const m = decodePrev(p, this.book, p.mem.gcPrev[s]);
      if (m.isRefs) {
        this.line(`  it is still tracked: when its dealloc reaches PyObject_GC_UnTrack, GC_PREV(g) = _gc_prev & ~3 = ${hexCode(m.pointer)}`);
        this.line(`  — gc_refs ${m.refs} << 2, not an address — and the unlink \`prev->_gc_next = next\` writes to ${hexCode(m.pointer)}`);
      }
    }
  }

  private fault(f: FaultInfo): void {
    const p = this.p;
    const victim = this.findVictim(f);
    const snapshot = snapshotHeap(p, this.book, this.freedDuringCollection);
    const outer = [...p.stack.snapshot()].reverse();
    const dying = new Set(this.deallocs.filter((d) => outer[d.depth]?.startsWith(`${d.type}_dealloc`)).map((d) => d.op));
    const d = this.deallocs.findLast((x) => x.op === victim);
    const v = victim !== undefined ? this.book.label(victim) : '';
    let why: string | undefined;
    if (d && d.refsInPrev !== undefined && f.where === 'PyObject_GC_UnTrack') {
      why = `${v} died during ${d.pass ?? 'the collection'} while its _gc_prev held gc_refs ${d.refsInPrev} << 2 instead of a pointer; unlinking it wrote to ${hex(f.address)}`;
    } else if (d?.traversed) {
      why = `${v} was freed inside its own tp_traverse, under the collector's feet; the collector then followed its freed header`;
    } else if (d) {
      why = `${v} was freed during ${d.pass ?? 'the collection'}, while the collector still held it in a list`;
    }
    this.moment = { fault: f, snapshot, victim, pass: this.passes[this.passes.length - 1], dying, why };
    if (this.cur) {
      this.eventful();
      this.syncTraversing();
      this.line(`✖ ${f.signal} ${describeFault(f)}${victim !== undefined ? ` (victim: ${this.book.label(victim)})` : ''}`);
    }
  }

  private findVictim(f: FaultInfo): number | undefined {
    const outer = [...this.p.stack.snapshot()].reverse();
    for (let i = this.deallocs.length - 1; i >= 0; i--) {
      const d = this.deallocs[i];
      if (outer[d.depth]?.startsWith(`${d.type}_dealloc`)) return d.op;
    }
    const loc = this.p.mem.locate(codeOf(f.address));
    if (loc && loc.slot >= FIRST_OBJECT_SLOT && f.address !== 0) return this.p.mem.objAddr(loc.slot);
    return this.deallocs.at(-1)?.op;
  }

  private closeCollection(c: Collection): void {
    if (c.hiddenTraverses > 0) c.lines.push(`    … ${c.hiddenTraverses} more tp_traverse call(s) in which nothing happened`);
    if (c.hiddenRefcounts > 0) c.lines.push(`    … ${c.hiddenRefcounts} more refcount change(s) outside tp_traverse`);
    this.pendingTraverse = null;
  }

  /** The story, one line per entry: uneventful early collections in one line each. */
  finish(): string[] {
    this.watchRuntime();
    if (this.cur && !this.cur.done) this.closeCollection(this.cur);
    const out: string[] = [];
    if (!this.collections.length) {
      out.push('  no collection ran');
      return out;
    }
    this.collections.forEach((c, i) => {
      const last = i === this.collections.length - 1;
      if (c.eventful || last) out.push(...c.lines.map((l) => (l.startsWith(' ') ? l : `  ${l}`)));
      else out.push(`  ${c.lines[0]}: ${c.traverses} tp_traverse call(s), nothing happened inside them`);
    });
    return out;
  }
}
