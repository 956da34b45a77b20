// ideal-collect.ts again, on another representation of the same heap: links and items hold slot
// numbers in Int32Arrays (`_gc_next` = next slot << 1 | NEXT_MASK_UNREACHABLE, `_gc_prev` =
// prev slot or gc_refs << 2 | flags), so no access decodes a double address. It copies the
// built heap into that form first (not timed) and prints the same JSON as ideal-collect.ts.
// It measures what a redesign of Memory could gain; it models no faults at all.
//
//   npx tsx bench/gc/ideal-collect-int32.ts tmp/bench/live-1m.heapgraph [--runs 3]

import { buildOnFreshSimulation, graphArgs } from './built-graph.js';

const { graph, runs } = graphArgs('ideal-collect-int32.ts');

const FINALIZED = 1;
const COLLECTING = 2;
const UNREACHABLE = 1;

for (let run = 0; run < runs; run++) {
  const sim = buildOnFreshSimulation(graph);
  const p = sim.process;
  const mem = p.mem;
  const young = p.gc.genHead(2);
  p.heads.merge(p.gc.genHead(0), young);

  // The same heap with slot-valued words; slot `top` is the unreachable list's head.
  const top = mem.top;
  const N = new Int32Array(top + 1);
  const P = new Int32Array(top + 1);
  const R = new Int32Array(top);
  const T = new Int32Array(top);
  for (let s = 0; s < top; s++) {
    const next = mem.gcNext[s];
    const prev = mem.gcPrev[s];
    N[s] = next ? mem.headSlot(next) << 1 : 0;
    P[s] = prev ? mem.headSlot(prev - (prev % 4)) << 2 : 0;
    R[s] = mem.refcnt[s];
    T[s] = mem.typeId[s];
  }
  const start = new Int32Array(top);
  const length = new Int32Array(top);
  const pool = new Int32Array(graph.edges + graph.nodes);
  for (let s = 64, o = 0; s < top; s++) {
    const items = p.items.toArray(s);
    start[s] = o;
    length[s] = items.length;
    for (const x of items) pool[o++] = x ? mem.objSlot(x) : -1;
  }
  const isGc = new Uint8Array(p.types.length + 1);
  p.types.forEach((t, i) => (isGc[i + 1] = t.gc ? 1 : 0));
  const sy = mem.headSlot(young);
  const su = top;
  N[su] = su << 1;
  P[su] = su << 2;

  const t0 = performance.now();
  for (let s = N[sy] >> 1; s !== sy; s = N[s] >> 1) P[s] = (P[s] & FINALIZED) | COLLECTING | (R[s] << 2); // update_refs
  const t1 = performance.now();
  for (let s = N[sy] >> 1; s !== sy; s = N[s] >> 1) {
    // subtract_refs
    for (let i = start[s] + length[s] - 1; i >= start[s]; i--) {
      const t = pool[i];
      if (t >= 0 && isGc[T[t]] && P[t] & COLLECTING) P[t] -= 4;
    }
  }
  const t2 = performance.now();
  let prev = sy; // move_unreachable
  for (let s = N[sy] >> 1; s !== sy; s = N[prev] >> 1) {
    if (P[s] >> 2 !== 0) {
      for (let i = start[s] + length[s] - 1; i >= start[s]; i--) {
        const t = pool[i];
        if (t < 0 || !isGc[T[t]] || !(P[t] & COLLECTING)) continue;
        if (N[t] & UNREACHABLE) {
          const pr = P[t] >> 2;
          const next = N[t] >> 1;
          N[pr] = N[t];
          P[next] = (P[next] & 3) | (pr << 2);
          const last = P[sy] >> 2;
          N[last] = t << 1;
          N[t] = sy << 1;
          P[sy] = t << 2;
          P[t] = (P[t] & 3) | 4;
        } else if (P[t] >> 2 === 0) {
          P[t] += 4;
        }
      }
      P[s] = ((P[s] & 3) | (prev << 2)) & ~COLLECTING;
      prev = s;
    } else {
      N[prev] = N[s];
      const last = P[su] >> 2;
      N[last] = (s << 1) | UNREACHABLE;
      P[s] = (P[s] & 3) | (last << 2);
      N[s] = (su << 1) | UNREACHABLE;
      P[su] = s << 2;
    }
  }
  P[sy] = prev << 2;
  const t3 = performance.now();
  let reachable = 0;
  for (let s = N[sy] >> 1; s !== sy; s = N[s] >> 1) reachable++;
  const t4 = performance.now();
  const ms = (a: number, b: number) => Number((b - a).toFixed(1));
  console.log(
    JSON.stringify({
      objects: top - 64,
      reachable,
      update_refs: ms(t0, t1),
      subtract_refs: ms(t1, t2),
      move_unreachable: ms(t2, t3),
      gc_list_size: ms(t3, t4),
      seconds: Number(((t4 - t0) / 1000).toFixed(3)),
    }),
  );
}
