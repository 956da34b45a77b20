// The least a full collection of a heap of lists can cost on the simulator's memory: CPython's
// update_refs, subtract_refs, move_unreachable and gc_list_size written as tight loops over
// Memory's arrays and the ItemStore, with the same reads and writes of the same words but no
// frames, no callbacks, no fault checks and nothing after move_unreachable. It is a yardstick,
// not a collector: for a healthy heap it must find what the real one finds (it prints the
// reachable count, which equals the number of objects on an all-live graph), and the gap to
// `traverse-guard gc-bench` is what the fault machinery costs.
//
//   npx tsx bench/gc/ideal-collect.ts tmp/bench/live-1m.heapgraph [--runs 3]

import { buildOnFreshSimulation, graphArgs } from './built-graph.js';

const { graph, runs } = graphArgs('ideal-collect.ts');

const PREV_MASK_FINALIZED = 1;
const PREV_MASK_COLLECTING = 2;
const NEXT_MASK_UNREACHABLE = 1;
/** The low two bits of a word (flags): a healthy heap's words are int32 codes (addresses.ts). */
const low2 = (v: number) => v & 3;

for (let run = 0; run < runs; run++) {
  const sim = buildOnFreshSimulation(graph);
  const p = sim.process;
  const mem = p.mem;
  const store = p.items;
  const { gcNext: N, gcPrev: P, refcnt: R, typeId: T } = mem;
  const isGc = p.types.map((t) => t.gc);
  const headSize = p.profile.headSize;
  const young = p.gc.genHead(2);
  p.heads.merge(p.gc.genHead(0), young); // gc_collect_main merges the younger generations
  const unreachable = mem.pushStackHead('unreachable');
  const sy = mem.headSlot(young);
  const su = mem.headSlot(unreachable);
  /** The slot of a GC object's header, or -1 if `op` is not a GC object. */
  const gcSlot = (op: number) => {
    const s = mem.objSlot(op);
    return s >= 0 && T[s] !== 0 && isGc[T[s] - 1] ? s : -1;
  };

  const t0 = performance.now();
  // update_refs: gc_refs := ob_refcnt, COLLECTING set, FINALIZED kept.
  for (let g = N[sy]; g !== young; ) {
    const s = mem.headSlot(g);
    P[s] = (low2(P[s]) & PREV_MASK_FINALIZED) + PREV_MASK_COLLECTING + R[s] * 4;
    g = N[s];
  }
  const t1 = performance.now();
  // subtract_refs: list_traverse(visit_decref) on every object.
  for (let g = N[sy]; g !== young; ) {
    const s = mem.headSlot(g);
    for (let i = store.length(s) - 1; i >= 0; i--) {
      const x = store.get(s, i);
      const t = x ? gcSlot(x) : -1;
      if (t >= 0 && low2(P[t]) & PREV_MASK_COLLECTING) P[t] -= 4;
    }
    g = N[s];
  }
  const t2 = performance.now();
  // move_unreachable, with visit_reachable's pull-back inline.
  let prev = young;
  for (let g = N[sy]; g !== young; g = N[mem.headSlot(prev)]) {
    const s = mem.headSlot(g);
    if ((P[s] >> 2) !== 0) {
      for (let i = store.length(s) - 1; i >= 0; i--) {
        const x = store.get(s, i);
        const t = x ? gcSlot(x) : -1;
        if (t < 0 || !(low2(P[t]) & PREV_MASK_COLLECTING)) continue;
        const gx = x - headSize;
        const nx = N[t];
        if (low2(nx) & NEXT_MASK_UNREACHABLE) {
          const pr = P[t] - low2(P[t]);
          const next = nx - NEXT_MASK_UNREACHABLE;
          N[mem.headSlot(pr)] = nx;
          const sn = mem.headSlot(next);
          P[sn] = low2(P[sn]) + pr;
          const last = P[sy]; // gc_list_append(gx, young)
          P[t] = low2(P[t]) + last;
          N[mem.headSlot(last)] = gx;
          N[t] = young;
          P[sy] = gx;
          P[t] = low2(P[t]) + 4; // gc_set_refs(gx, 1)
        } else if ((P[t] >> 2) === 0) {
          P[t] += 4;
        }
      }
      const w = low2(P[s]) + prev; // SET_PREV, then gc_clear_collecting
      P[s] = low2(w) & PREV_MASK_COLLECTING ? w - PREV_MASK_COLLECTING : w;
      prev = g;
    } else {
      N[mem.headSlot(prev)] = N[s];
      const last = P[su];
      N[mem.headSlot(last)] = g + NEXT_MASK_UNREACHABLE;
      P[s] = low2(P[s]) + last;
      N[s] = unreachable + NEXT_MASK_UNREACHABLE;
      P[su] = g;
    }
  }
  P[sy] = prev;
  const t3 = performance.now();
  let reachable = 0; // gc_list_size(young)
  for (let g = N[sy]; g !== young; g = N[mem.headSlot(g)]) reachable++;
  const t4 = performance.now();
  const ms = (a: number, b: number) => Number((b - a).toFixed(1));
  console.log(
    JSON.stringify({
      objects: mem.top - 64,
      reachable,
      update_refs: ms(t0, t1),
      subtract_refs: ms(t1, t2),
      move_unreachable: ms(t2, t3),
      gc_list_size: ms(t3, t4),
      seconds: Number(((t4 - t0) / 1000).toFixed(3)),
    }),
  );
}
