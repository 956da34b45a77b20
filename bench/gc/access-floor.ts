// What one collector pass costs at the least on the simulator's memory, with none of the
// collector's machinery (no frames, no callbacks, no fault checks): a tight loop over the
// built heap that reads what subtract_refs / move_unreachable read. It bounds what any
// rewrite of the passes could reach, and shows where the time goes (memory latency, not
// arithmetic). Reads only; prints one JSON line per measurement.
//
//   npx tsx bench/gc/access-floor.ts tmp/bench/live-1m.heapgraph [--runs 3]

import { buildOnFreshSimulation, graphArgs } from './built-graph.js';

const { graph, runs } = graphArgs('access-floor.ts');
const sim = buildOnFreshSimulation(graph);
const p = sim.process;
const mem = p.mem;
const young = p.gc.genHead(0);

/** The tracked objects' slots in list order (allocation order after building). */
const listOrder: number[] = [];
for (let g = p.heads.next(young); g !== young; g = p.heads.next(g)) listOrder.push(mem.objSlot(p.fromGc(g)));

/** The same objects breadth-first from the root list (last tracked): the scattered order
 *  move_unreachable scans an all-live graph in. Unreached objects follow in list order. */
const bfsOrder: number[] = [];
{
  const seen = new Uint8Array(mem.top);
  const visit = (s: number) => {
    if (s >= 0 && !seen[s]) {
      seen[s] = 1;
      bfsOrder.push(s);
    }
  };
  visit(listOrder[listOrder.length - 1]);
  for (let k = 0; k < bfsOrder.length; k++) for (const x of p.items.toArray(bfsOrder[k])) visit(mem.objSlot(x));
  for (const s of listOrder) visit(s);
}

/** The items of every list copied into a JavaScript array per object (the representation
 *  before the flat ItemStore), indexed by slot. */
const jsArrays: number[][] = [];
for (const s of listOrder) jsArrays[s] = p.items.toArray(s);
const store = p.items;

const types = p.types;

/** Per object: its items; per item: decode, PyObject_IS_GC, read `_gc_prev` (COLLECTING test). */
function passJsArrays(order: readonly number[]): number {
  let n = 0;
  for (let k = 0; k < order.length; k++) {
    const items = jsArrays[order[k]];
    for (let i = items.length - 1; i >= 0; i--) {
      const t = mem.objSlot(items[i]);
      if (t >= 0 && types[mem.typeId[t] - 1].gc && mem.gcPrev[t] >= 0) n++;
    }
  }
  return n;
}

function passFlatItems(order: readonly number[]): number {
  let n = 0;
  for (let k = 0; k < order.length; k++) {
    const s = order[k];
    for (let i = store.length(s) - 1; i >= 0; i--) {
      const t = mem.objSlot(store.get(s, i));
      if (t >= 0 && types[mem.typeId[t] - 1].gc && mem.gcPrev[t] >= 0) n++;
    }
  }
  return n;
}

/** gc_list_size: follow `_gc_next` from the head. */
function walkList(): number {
  let n = 0;
  for (let g = p.heads.next(young); g !== young; g = p.heads.next(g)) n++;
  return n;
}

const cases: [string, () => number][] = [
  ['walk the young list (gc_list_size)', walkList],
  ['traverse pass, list order, JS array items', () => passJsArrays(listOrder)],
  ['traverse pass, breadth-first order, JS array items', () => passJsArrays(bfsOrder)],
  ['traverse pass, list order, ItemStore items', () => passFlatItems(listOrder)],
  ['traverse pass, breadth-first order, ItemStore items', () => passFlatItems(bfsOrder)],
];
for (const [name, fn] of cases) {
  let best = Infinity;
  let result = 0;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    result = fn();
    best = Math.min(best, performance.now() - t0);
  }
  console.log(JSON.stringify({ pass: name, objects: listOrder.length, visited: result, ms: Number(best.toFixed(1)) }));
}
