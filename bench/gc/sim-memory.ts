// Node heap used by the simulator's heap for one heap graph, after building it:
//   node --expose-gc --import tsx bench/gc/sim-memory.ts FILE [--python X.Y]
// Prints one JSON line {"python","nodes","heapUsedMB","typedArraysMB","blocks"}: heapUsedMB is
// the growth of V8's JavaScript heap; typedArraysMB the typed arrays holding header words,
// reference counts, type ids, block states and the lists' items (their backing stores live
// outside the V8 heap, so heapUsed does not include them).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { buildHeapGraph, createSimulation, parseHeapGraph } from '../../src/simulator/index.js';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { python: { type: 'string', default: '3.11' } } });
const hostGc = (globalThis as { gc?: () => void }).gc;
if (!hostGc) throw new Error('run node with --expose-gc');
hostGc();
const before = process.memoryUsage();
let graph: ReturnType<typeof parseHeapGraph> | null = parseHeapGraph(readFileSync(positionals[0], 'utf8'));
const nodes = graph.nodes;
const sim = createSimulation({ python: values.python, capacity: nodes + 128 });
sim.gc.disable();
buildHeapGraph(sim, graph);
graph = null; // the parsed file is loading, not the heap: not counted
hostGc();
const after = process.memoryUsage();
/** Bytes of the typed arrays: Memory's (gcNext, gcPrev, gcRefs, refcnt: 8 bytes; typeId 4;
 *  state 1) and the item store's (items 8 bytes, a 16-byte record per slot). */
function typedArrayBytes(p: typeof sim.process): number {
  const mem = p.mem;
  return mem.gcNext.byteLength + mem.gcPrev.byteLength + mem.gcRefs.byteLength + mem.refcnt.byteLength + mem.typeId.byteLength + mem.state.byteLength +
    p.items.pool.byteLength + p.items.index.byteLength;
}
const mb = (n: number) => Math.round((n / 1e6) * 10) / 10;
process.stdout.write(
  JSON.stringify({
    python: values.python,
    nodes,
    heapUsedMB: mb(after.heapUsed - before.heapUsed),
    typedArraysMB: mb(typedArrayBytes(sim.process)),
    blocks: sim.process.mem.top,
  }) + '\n',
);
