// The rest of the tp_traverse / tp_clear contract (reference §9), judged against the TRUE object
// graph: what each object holds by its type's `referents` (its field contents), never what its
// traverse reported. Not CPython steps: the model's bookkeeping around gc_collect_main.
// - `noteWronglyUnreachable` runs just before delete_garbage: an object in the final unreachable
//   set that something outside the set still references (a root, a live object, a C reference)
//   was judged garbage by a miscount — a double or foreign visit, or a traverse whose visits
//   changed between passes — and tp_clear is about to run on a live object.
// - `noteLeaks` runs after a full collection: objects no root reaches that survived it. A single
//   survival is not yet a leak (§9: 3.7 keeps the seed's crash1 object once and is fine); an
//   object that survived two full collections that had it as garbage is leaked.
// Both name the cause from the visits the collection's first subtract_refs logged.

import type { Process } from '../process.js';
import { FIRST_OBJECT_SLOT, SlotState } from '../memory.js';

/** One breach of the contract found by a collection (the audit reports them). */
export interface ContractFinding {
  readonly kind: 'live-object-cleared' | 'leak';
  readonly message: string;
  /** The objects concerned (addresses). */
  readonly objects: readonly number[];
  /** `holder --field--> target` edges the traverse never reported (leaks). */
  readonly unvisited?: readonly { readonly from: number; readonly to: number; readonly field?: string }[];
  /** Objects whose gc_refs a visit over-counted: visited more often than owned. */
  readonly overCounted?: readonly { readonly by: number; readonly target: number; readonly visits: number; readonly owned: number }[];
}

/** Full collections an unreachable object must survive to count as leaked (§9). */
export const LEAK_SURVIVALS = 2;

function name(p: Process, op: number): string {
  return `${p.typeOf(op).name} ${p.mem.describe(op)}`;
}

function edgeName(p: Process, from: number, to: number): string {
  const f = p.typeOf(from).edgeName?.(from, to);
  return f ? `${name(p, from)} .${f} → ${name(p, to)}` : `${name(p, from)} → ${name(p, to)}`;
}

/** How many references `from` really holds to `to`. */
function owned(p: Process, from: number, to: number): number {
  let n = 0;
  for (const x of p.typeOf(from).referents(from)) if (x === to) n++;
  return n;
}

/** Visits the first subtract_refs of this collection logged, as `visitor:target` → count. */
function visitCounts(p: Process): Map<string, number> {
  const log = p.visitLog;
  const m = new Map<string, number>();
  for (let i = 0; i < log.length; i += 2) {
    const k = `${log[i]}:${log[i + 1]}`;
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  return m;
}

/** Visits of `target` that exceed what the visitor owns (double or foreign visits). */
function overCounts(p: Process, counts: Map<string, number>, target: number): { by: number; target: number; visits: number; owned: number }[] {
  const out: { by: number; target: number; visits: number; owned: number }[] = [];
  for (const [k, visits] of counts) {
    const [by, t] = k.split(':').map(Number);
    if (t !== target || !p.isLive(by)) continue;
    const n = owned(p, by, target);
    if (visits > n) out.push({ by, target, visits, owned: n });
  }
  return out;
}

function overText(p: Process, o: { by: number; target: number; visits: number; owned: number }): string {
  return o.owned === 0
    ? `${p.typeOf(o.by).name}_traverse of ${p.mem.describe(o.by)} visited ${name(p, o.target)}, which it does not own (a foreign visit)`
    : `${p.typeOf(o.by).name}_traverse of ${p.mem.describe(o.by)} visited ${name(p, o.target)} ${o.visits} times but owns ${o.owned} reference${o.owned > 1 ? 's' : ''} to it (a double visit)`;
}

/** Who references `op` from outside `set`: live objects (by the true graph), else the outside. */
function holdersOutside(p: Process, op: number, set: ReadonlySet<number>): string {
  const mem = p.mem;
  const out: string[] = [];
  for (let s = FIRST_OBJECT_SLOT; s < mem.top && out.length < 3; s++) {
    if (mem.state[s] !== SlotState.Live) continue;
    const x = mem.objAddr(s);
    if (set.has(x)) continue;
    if (p.types[mem.typeId[s] - 1].referents(x).includes(op)) out.push(edgeName(p, x, op));
  }
  return out.length ? out.join(', ') : 'a reference from outside the heap (a root)';
}

/**
 * Before delete_garbage (gc_collect_main's `delete_garbage(tstate, gcstate, &final_unreachable, old)`):
 * members of `collectable` still referenced from outside it, and what they reach, are live.
 */
export function noteWronglyUnreachable(p: Process, collectable: number): void {
  const h = p.heads;
  const members: number[] = [];
  for (let g = h.next(collectable); g !== collectable; g = h.next(g)) members.push(p.fromGc(g));
  if (!members.length) return;
  const set = new Set(members);
  const internal = new Map<number, number>();
  for (const op of members) for (const x of p.typeOf(op).referents(op)) if (set.has(x)) internal.set(x, (internal.get(x) ?? 0) + 1);
  const seeds = members.filter((op) => p.refcnt(op) > (internal.get(op) ?? 0));
  if (!seeds.length) return;
  const live = new Set<number>(seeds);
  const work = [...seeds];
  while (work.length) {
    const op = work.pop()!;
    for (const x of p.typeOf(op).referents(op)) if (set.has(x) && !live.has(x)) (live.add(x), work.push(x));
  }
  const counts = visitCounts(p);
  for (const s of seeds) {
    const over = overCounts(p, counts, s);
    const cause = over.length
      ? over.map((o) => overText(p, o)).join('; ')
      : p.profile.gcRefsInPrev
        ? "its gc_refs was counted down by a traverse whose visits differ from what it owns or changed between the collector's passes (a nondeterministic traverse)"
        : 'its gc_refs was counted down by a visit it does not own (3.7 clamps gc_refs at 0)';
    const reached = [...live].filter((x) => x !== s && !seeds.includes(x));
    p.contractFindings.push({
      kind: 'live-object-cleared',
      message:
        `the collector judged ${name(p, s)} unreachable and cleared it while it was still referenced from outside the collected set (by ${holdersOutside(p, s, set)}): ${cause}` +
        (reached.length ? `; ${reached.length} object(s) it reaches were cleared with it` : ''),
      objects: [s, ...reached],
      overCounted: over,
    });
    p.reportedCleared.add(s);
  }
}

/**
 * After a full collection (gc_collect_main with generation == NUM_GENERATIONS - 1): tracked
 * objects of the oldest generation that no root reaches by the true graph survived it.
 */
export function noteLeaks(p: Process, oldest: number): void {
  const mem = p.mem;
  const h = p.heads;
  const top = mem.top;
  // Incoming references per slot from live objects (and gc.garbage), by field contents.
  const incoming = new Int32Array(top);
  for (let s = FIRST_OBJECT_SLOT; s < top; s++) {
    if (mem.state[s] !== SlotState.Live) continue;
    for (const x of p.types[mem.typeId[s] - 1].referents(mem.objAddr(s))) {
      const xs = mem.objSlot(x);
      if (xs >= 0) incoming[xs]++;
    }
  }
  for (const x of p.gc.garbage) {
    const xs = mem.objSlot(x);
    if (xs >= 0) incoming[xs]++;
  }
  // Roots: a refcount the heap's own references do not explain (a C or Python-level reference),
  // gc.garbage, and frozen objects (gc.freeze: never collected by design).
  const reached = new Uint8Array(top);
  const work: number[] = [];
  const root = (s: number) => {
    if (!reached[s]) (reached[s] = 1), work.push(s);
  };
  for (let s = FIRST_OBJECT_SLOT; s < top; s++) {
    if (mem.state[s] === SlotState.Live && mem.load(mem.objAddr(s)) > incoming[s]) root(s);
  }
  for (const x of p.gc.garbage) if (mem.objSlot(x) >= 0) root(mem.objSlot(x));
  const perm = p.gc.permanent;
  for (let g = h.next(perm); g !== perm; g = h.next(g)) root(mem.objSlot(p.fromGc(g)));
  while (work.length) {
    const s = work.pop()!;
    for (const x of p.types[mem.typeId[s] - 1].referents(mem.objAddr(s))) {
      const xs = mem.objSlot(x);
      if (xs >= 0 && mem.state[xs] === SlotState.Live) root(xs);
    }
  }
  const survivors: number[] = [];
  for (let g = h.next(oldest); g !== oldest; g = h.next(g)) {
    const op = p.fromGc(g);
    if (!reached[mem.objSlot(op)]) survivors.push(op);
  }
  const before = p.garbageSurvivals;
  const after = new Map<number, number>();
  const leaked: number[] = [];
  for (const op of survivors) {
    const n = (before.get(op) ?? 0) + 1;
    after.set(op, n);
    if (n === LEAK_SURVIVALS) leaked.push(op);
  }
  p.garbageSurvivals = after;
  if (leaked.length) p.contractFindings.push(explainLeak(p, leaked, new Set(survivors)));
}

function explainLeak(p: Process, leaked: readonly number[], garbage: ReadonlySet<number>): ContractFinding {
  const counts = visitCounts(p);
  const unvisited: { from: number; to: number; field?: string }[] = [];
  const over: { by: number; target: number; visits: number; owned: number }[] = [];
  for (const a of garbage) {
    const refs = p.typeOf(a).referents(a);
    const seen = new Set<number>();
    for (const x of refs) {
      if (seen.has(x) || !garbage.has(x) || !p.isGc(x)) continue;
      seen.add(x);
      const n = refs.filter((y) => y === x).length;
      const v = counts.get(`${a}:${x}`) ?? 0;
      if (v < n) unvisited.push({ from: a, to: x, field: p.typeOf(a).edgeName?.(a, x) });
    }
  }
  for (const x of garbage) over.push(...overCounts(p, counts, x));
  // Blame a clear only if the object still holds garbage after it ran; a type without tp_clear first.
  const noClear = leaked.filter((op) => p.typeOf(op).gc && !p.typeOf(op).clear && p.typeOf(op).referents(op).some((x) => garbage.has(x)));
  const cleared = leaked.filter((op) => p.clearedByGc.has(op) && p.typeOf(op).referents(op).some((x) => garbage.has(x)));
  const names = leaked.slice(0, 4).map((op) => name(p, op)).join(', ') + (leaked.length > 4 ? `, … ${leaked.length - 4} more` : '');
  let cause: string;
  if (unvisited.length) {
    cause = `the edge${unvisited.length > 1 ? 's' : ''} ${unvisited.slice(0, 3).map((e) => edgeName(p, e.from, e.to)).join(', ')} ${unvisited.length > 1 ? 'were' : 'was'} never visited by ${unvisited.length > 1 ? 'their' : 'its'} traverse, so the target looked referenced from outside (an incomplete traverse)`;
  } else if (over.length) {
    cause = `${over.slice(0, 2).map((o) => overText(p, o)).join('; ')}: gc_refs wrapped below zero and read as a reference from outside`;
  } else if (noClear.length) {
    cause = `${[...new Set(noClear.map((op) => p.typeOf(op).name))].join(', ')} ${noClear.length > 1 ? 'have' : 'has'} a traverse but no clear (tp_clear is NULL): delete_garbage cannot break the cycle`;
  } else if (cleared.length) {
    cause = `tp_clear of ${cleared.slice(0, 3).map((op) => name(p, op)).join(', ')} ran but released none of the references its traverse visits, so the cycle survived delete_garbage`;
  } else {
    cause = "every edge was visited in subtract_refs, yet a later pass kept the objects: the traverse visits differently from one call to the next (a nondeterministic traverse)";
  }
  return {
    kind: 'leak',
    message: `leak: ${leaked.length} object(s) no root reaches (${names}) survived ${LEAK_SURVIVALS} full collections: ${cause}`,
    objects: leaked,
    unvisited,
    overCounted: over,
  };
}

