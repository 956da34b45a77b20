// Shared by the yardsticks in bench/gc (access-floor, ideal-collect, ideal-collect-int32): their
// command line `<heapgraph-file> [--runs N]`, and a fresh 3.11 simulation with the graph built
// and automatic collection off, as gc-bench builds it.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { buildHeapGraph, createSimulation, HeapGraphError, parseHeapGraph, type HeapGraph, type Simulation } from '../../src/simulator/index.js';

/** The parsed graph and run count; a usage or graph error exits with status 2. */
export function graphArgs(script: string): { graph: HeapGraph; runs: number } {
  const fail = (message: string): never => {
    console.error(`${message}\nusage: ${script} <heapgraph-file> [--runs N]`);
    process.exit(2);
  };
  let parsed;
  try {
    parsed = parseArgs({ allowPositionals: true, options: { runs: { type: 'string', default: '3' } } });
  } catch (e) {
    return fail((e as Error).message);
  }
  const file = parsed.positionals[0] ?? fail('missing <heapgraph-file>');
  const runs = Number(parsed.values.runs);
  if (!Number.isSafeInteger(runs) || runs < 1) fail(`--runs must be a positive integer, got '${parsed.values.runs}'`);
  try {
    return { graph: parseHeapGraph(readFileSync(file, 'utf8')), runs };
  } catch (e) {
    return fail(e instanceof HeapGraphError || (e as NodeJS.ErrnoException).code ? `${file}: ${(e as Error).message}` : String(e));
  }
}

export function buildOnFreshSimulation(graph: HeapGraph): Simulation {
  const sim = createSimulation({ python: '3.11', capacity: graph.nodes + 128 });
  sim.gc.disable();
  buildHeapGraph(sim, graph);
  return sim;
}
