// gc_collect_main (collect() in 3.7/3.8): one collection of generation `g`, the passes in
// CPython's order, counters, stats and callbacks; plus the automatic trigger
// (collect_generations / gc_select_generation) and the `collecting` guard (reference §2).

import { setAutomaticCollector } from '../gcstate.js';
import type { Process } from '../process.js';
import {
  checkGarbage,
  deduceUnreachable,
  deleteGarbage,
  finalizeGarbage,
  handleLegacyFinalizers,
  handleResurrectedObjects,
  moveLegacyFinalizerReachable,
  moveLegacyFinalizers,
  validateList,
} from './passes.js';
import { noteLeaks, noteWronglyUnreachable } from './contract.js';
import { checkGarbage37, moveLegacyFinalizers37, moveUnreachable37, subtractRefs37, updateRefs37 } from './v37.js';

export type CollectReason = 'manual' | 'automatic';

/**
 * Runs one collection of generation `generation` with callbacks and the `collecting` guard.
 * Returns collected + uncollectable, or 0 at once if a collection is already running.
 */
export function collectWithCallback(p: Process, generation: number, reason: CollectReason = 'manual', unguarded = false): number {
  p.alive();
  const gc = p.gc;
  // 3.12's _Py_RunGC sets `collecting = 1` without testing it (Modules/gcmodule.c 3.12), so
  // an eval-breaker GC can nest inside a running collection; it clears the flag when done.
  if (gc.collecting && !unguarded) return 0;
  gc.collecting = true;
  try {
    invokeCallbacks(p, 'start', generation, 0, 0);
    const [m, n] = p.frame(p.profile.collectFrame, () => collectMain(p, generation, reason));
    invokeCallbacks(p, 'stop', generation, m, n);
    return m + n;
  } finally {
    gc.collecting = false;
  }
}

function invokeCallbacks(p: Process, phase: 'start' | 'stop', generation: number, collected: number, uncollectable: number): void {
  for (const cb of [...p.gc.callbacks]) {
    try {
      cb(phase, { generation, collected, uncollectable });
    } catch (e) {
      if (p.crash) throw p.crash;
      p.unraisable.push(`Exception ignored in gc callback: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}

/** The body of gc_collect_main; returns [m, n] = [collected, uncollectable]. */
function collectMain(p: Process, generation: number, _reason: CollectReason): [number, number] {
  const gc = p.gc;
  const h = p.heads;
  const mem = p.mem;
  const mark = mem.stackMark();
  try {
    p.decrefsInCollection.clear();
    // Counters: this collection counts towards the next generation; the younger ones reset.
    if (generation + 1 < 3) gc.generations[generation + 1].count += 1;
    for (let i = 0; i <= generation; i++) gc.generations[i].count = 0;

    // Merge younger generations into the one being collected.
    for (let i = 0; i < generation; i++) h.merge(gc.genHead(i), gc.genHead(generation));
    const young = gc.genHead(generation);
    const old = generation < 2 ? gc.genHead(generation + 1) : young;
    validateList(p, old, 'collecting_clear_unreachable_clear');

    const unreachable = mem.pushStackHead('unreachable (C stack)');
    const finalizers = mem.pushStackHead('finalizers (C stack)');
    // The model logs the visits of this collection's first subtract_refs (contract.ts).
    p.visitLog.length = 0;
    p.logVisits = p.contractAudit;
    if (h.v37) {
      updateRefs37(p, young);
      subtractRefs37(p, young);
      h.init(unreachable);
      moveUnreachable37(p, young, unreachable);
    } else {
      deduceUnreachable(p, young, unreachable);
    }
    p.logVisits = false;

    noteOverstatedSurvivors(p, young);

    // Survivors move up (untrack_tuples: no tuples are modelled).
    if (young !== old) {
      if (generation === 1) gc.longLivedPending += h.size(young);
      h.merge(young, old);
    } else {
      gc.longLivedPending = 0;
      gc.longLivedTotal = h.size(young);
    }

    h.init(finalizers);
    if (h.v37) moveLegacyFinalizers37(p, unreachable, finalizers);
    else moveLegacyFinalizers(p, unreachable, finalizers);
    moveLegacyFinalizerReachable(p, finalizers);
    validateList(p, finalizers, 'collecting_clear_unreachable_clear');
    validateList(p, unreachable, 'collecting_set_unreachable_clear');

    // handle_weakrefs: no weak references are modelled, so there is nothing to clear.
    validateList(p, old, 'collecting_clear_unreachable_clear');
    validateList(p, unreachable, 'collecting_set_unreachable_clear');

    finalizeGarbage(p, unreachable);

    let m = 0;
    if (p.profile.resurrection === 'check_garbage') {
      const resurrected = h.v37 ? checkGarbage37(p, unreachable) : checkGarbage(p, unreachable);
      if (resurrected) {
        p.anomalies.push({ kind: 'resurrected', message: 'an unreachable object was resurrected: nothing collected (check_garbage)' });
        h.merge(unreachable, old);
      } else {
        m += h.size(unreachable);
        if (p.contractAudit) noteWronglyUnreachable(p, unreachable);
        deleteGarbage(p, unreachable, old);
      }
    } else {
      const finalUnreachable = mem.pushStackHead('final_unreachable (C stack)');
      handleResurrectedObjects(p, unreachable, finalUnreachable, old);
      m += h.size(finalUnreachable);
      if (p.contractAudit) noteWronglyUnreachable(p, finalUnreachable);
      deleteGarbage(p, finalUnreachable, old);
    }

    const n = h.size(finalizers);
    handleLegacyFinalizers(p, finalizers, old);
    validateList(p, old, 'collecting_clear_unreachable_clear');

    if (p.pendingError !== null) {
      p.unraisable.push(`Exception ignored in garbage collection: ${p.pendingError}`);
      p.pendingError = null;
      // 3.7/3.8 collect(): PyErr_WriteUnraisable, then
      // Py_FatalError("unexpected exception during garbage collection"); 3.9+ only report it.
      if (p.profile.gcErrorIsFatal) {
        p.abort('Py_FatalError', 'Fatal Python error: unexpected exception during garbage collection');
      }
    }
    // A full collection (generation == NUM_GENERATIONS - 1): what no root reaches and survived.
    if (generation === 2 && p.contractAudit) noteLeaks(p, old);
    const st = gc.stats[generation];
    st.collections++;
    st.collected += m;
    st.uncollectable += n;
    return [m, n];
  } finally {
    p.logVisits = false;
    mem.popStackHeads(mark);
  }
}

/**
 * Not a CPython step: the model's bookkeeping for reference §3.2 "more side effects". A
 * Py_DECREF inside tp_traverse after update_refs leaves gc_refs too high, so move_unreachable
 * keeps objects that nothing outside the set references. Runs only when such a decref
 * happened: recomputes reachability of `young` from the true refcounts and the types'
 * `referents`, and reports the objects kept one collection too long.
 */
function noteOverstatedSurvivors(p: Process, young: number): void {
  const noted = p.decrefsInCollection;
  if (noted.size === 0) return;
  noted.clear();
  const h = p.heads;
  const members: number[] = [];
  const index = new Map<number, number>();
  for (let g = h.next(young); g !== young; g = h.next(g)) {
    const op = p.fromGc(g);
    index.set(op, members.length);
    members.push(op);
  }
  const internal = new Float64Array(members.length);
  for (const op of members) {
    for (const x of p.typeOf(op).referents(op)) {
      const i = index.get(x);
      if (i !== undefined) internal[i]++;
    }
  }
  const reached = new Uint8Array(members.length);
  const work: number[] = [];
  members.forEach((op, i) => {
    if (p.refcnt(op) > internal[i]) {
      reached[i] = 1;
      work.push(op);
    }
  });
  while (work.length) {
    const op = work.pop()!;
    for (const x of p.typeOf(op).referents(op)) {
      const i = index.get(x);
      if (i !== undefined && !reached[i]) {
        reached[i] = 1;
        work.push(x);
      }
    }
  }
  const kept = members.filter((_op, i) => !reached[i]);
  if (kept.length) {
    p.anomalies.push({
      kind: 'kept-alive-by-overstated-gc-refs',
      message:
        `${kept.length} unreachable object(s) (${kept.slice(0, 3).map((op) => `${p.typeOf(op).name} ${p.mem.describe(op)}`).join(', ')}${kept.length > 3 ? ', …' : ''}) ` +
        'survive this collection: a Py_DECREF inside tp_traverse after update_refs left gc_refs too high; a later collection frees them',
    });
  }
}

/**
 * collect_generations / gc_select_generation: the oldest generation whose count exceeds
 * its threshold; a full collection only if long_lived_pending > long_lived_total / 4.
 */
export function selectGeneration(p: Process): number {
  const gens = p.gc.generations;
  for (let i = 2; i >= 0; i--) {
    if (gens[i].count > gens[i].threshold) {
      // C integer division: `long_lived_pending < long_lived_total / 4` (collect_generations).
      if (i === 2 && p.gc.longLivedPending < Math.floor(p.gc.longLivedTotal / 4)) continue;
      return i;
    }
  }
  return -1;
}

/** The automatic collection (from an allocation ≤3.11, or the eval breaker 3.12+). */
export function collectAutomatic(p: Process, unguarded = false): void {
  const g = selectGeneration(p);
  if (g < 0) return;
  collectWithCallback(p, g, 'automatic', unguarded);
}

setAutomaticCollector(collectAutomatic);
