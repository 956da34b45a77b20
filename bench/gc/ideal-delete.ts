// The least delete_garbage can cost on the simulator's memory, beside what it costs now.
// delete_garbage is where a mostly-garbage collection spends most of its time: tp_clear on
// each object (list_clear), then the chain of deallocations that follows (Py_DECREF →
// list_dealloc → untrack → release the items → free). This script runs it on every object of
// the built heap in two ways, each on a fresh simulation:
//   - "simulator": the real `deleteGarbage` pass (frames, checks, C-API functions);
//   - "floor": the same reads and writes as bare loops over Memory's arrays and the item
//     store, with no frames, no fault checks, no hooks.
// It prints one JSON line per run and variant. A yardstick, not a collector: it clears the
// whole heap (live part included), so its counts are not a collection's.
//
//   npx tsx bench/gc/ideal-delete.ts tmp/bench/garbage-1m.heapgraph [--runs 3]

import { HEAP_BASE } from '../../src/simulator/addresses.js';
import { deleteGarbage } from '../../src/simulator/collector/passes.js';
import { SlotState } from '../../src/simulator/memory.js';
import type { Simulation } from '../../src/simulator/index.js';
import { buildOnFreshSimulation, graphArgs } from './built-graph.js';

const { graph, runs } = graphArgs('ideal-delete.ts');

/** A fresh simulation whose objects are all in one list (gc_collect_main's merge). */
function prepared(): { sim: Simulation; young: number; old: number } {
  const sim = buildOnFreshSimulation(graph);
  const young = sim.process.gc.genHead(2);
  sim.process.heads.merge(sim.process.gc.genHead(0), young);
  return { sim, young, old: sim.process.gc.permanent };
}

function simulator(): void {
  const { sim, young, old } = prepared();
  const t0 = performance.now();
  deleteGarbage(sim.process, young, old);
  const ms = performance.now() - t0;
  console.log(JSON.stringify({ variant: 'simulator', ms: Number(ms.toFixed(1)), survivors: sim.process.heads.size(old) }));
}

function floor(): void {
  const { sim, young, old } = prepared();
  const p = sim.process;
  const mem = p.mem;
  const { gcNext: N, gcPrev: P, refcnt: R, state: ST } = mem;
  const { index: IX, pool: PL } = p.items;
  const headSize = p.profile.headSize;
  /** The slot of an aligned header: heap blocks inline, list heads through Memory. */
  const slotOf = (g: number) => (g >= HEAP_BASE ? ((g - HEAP_BASE) >> 6) + 64 : mem.headSlot(g));
  let freeList = 0;
  const unlink = (s: number) => {
    const prev = P[s] & ~3;
    const next = N[s];
    N[slotOf(prev)] = next;
    const sn = slotOf(next);
    P[sn] = (P[sn] & 3) | prev;
  };
  const decref = (op: number) => {
    const s = slotOf(op - headSize);
    if (--R[s] === 0) dealloc(s);
  };
  // list_dealloc: untrack, release the items from the end, free (pymalloc's free-list link).
  const dealloc = (s: number) => {
    if (N[s] !== 0) {
      unlink(s);
      N[s] = 0;
      P[s] &= 1;
    }
    const start = IX[s * 4];
    for (let i = IX[s * 4 + 1] - 1; i >= 0; i--) if (PL[start + i]) decref(PL[start + i]);
    IX[s * 4] = IX[s * 4 + 1] = IX[s * 4 + 2] = 0;
    ST[s] = SlotState.Freed;
    N[s] = freeList;
    freeList = mem.blockAddr(s);
  };
  const sy = slotOf(young);
  const so = slotOf(old);
  const t0 = performance.now();
  while (N[sy] !== young) {
    const g = N[sy];
    const s = slotOf(g);
    R[s]++; // Py_INCREF, then list_clear: detach the items and drop them from the end
    const start = IX[s * 4];
    const n = IX[s * 4 + 1];
    IX[s * 4] = IX[s * 4 + 1] = IX[s * 4 + 2] = 0;
    for (let i = n - 1; i >= 0; i--) if (PL[start + i]) decref(PL[start + i]);
    decref(g + headSize);
    if (N[sy] === g) {
      // Still first: it survived, move it to `old`.
      unlink(s);
      const last = P[so] & ~3;
      P[s] = (P[s] & 3) | last;
      N[slotOf(last)] = g;
      N[s] = old;
      P[so] = g;
    }
  }
  const ms = performance.now() - t0;
  console.log(JSON.stringify({ variant: 'floor', ms: Number(ms.toFixed(1)), survivors: p.heads.size(old) }));
}

for (let run = 0; run < runs; run++) {
  simulator();
  floor();
}
