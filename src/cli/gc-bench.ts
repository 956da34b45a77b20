// `traverse-guard gc-bench <heapgraph-file> [--python X.Y] [--runs N]`: loads a heap graph,
// builds it on a fresh simulated interpreter for every run, and times one full gc.collect().
// Prints one JSON line {"python","nodes","edges","collected","seconds"}; seconds is the best
// run. Loading and building are not timed. Bad input becomes a UsageError (exit 2).

import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { buildHeapGraph, createSimulation, getProfile, HeapGraphError, parseHeapGraph, PROFILE_NAMES, type HeapGraph } from '../simulator/index.js';

/** Bad input or options: printed as a message, exit code 2, never a stack trace. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface GcBenchResult {
  readonly python: string;
  readonly nodes: number;
  readonly edges: number;
  readonly collected: number;
  readonly seconds: number;
}

export interface GcBenchOptions {
  readonly python: string;
  readonly runs: string | number;
}

function parseRuns(v: string | number): number {
  const n = typeof v === 'number' ? v : /^[1-9][0-9]*$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`--runs must be a positive integer, got '${v}'`);
  return n;
}

function loadGraph(file: string): HeapGraph {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read heap graph '${file}'${code ? ` (${code})` : ''}`);
  }
  try {
    return parseHeapGraph(text);
  } catch (e) {
    if (e instanceof HeapGraphError) throw new UsageError(`${file}: ${e.message}`);
    throw e;
  }
}

/** Requests a V8 collection if node runs with --expose-gc (keeps V8's GC out of the timing). */
function hostGc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) g();
}

export function runGcBench(file: string, opts: GcBenchOptions): GcBenchResult {
  const profile = getProfile(opts.python);
  if (!profile) {
    throw new UsageError(`unknown --python '${opts.python}'; known profiles: ${PROFILE_NAMES.join(', ')}`);
  }
  const runs = parseRuns(opts.runs);
  const graph = loadGraph(file);
  let best = Infinity;
  let collected = -1;
  for (let r = 0; r < runs; r++) {
    const sim = createSimulation({ python: profile.name, capacity: graph.nodes + 128 });
    sim.gc.disable();
    buildHeapGraph(sim, graph);
    hostGc();
    const t0 = performance.now();
    collected = sim.gc.collect();
    const dt = (performance.now() - t0) / 1000;
    if (dt < best) best = dt;
  }
  return { python: opts.python, nodes: graph.nodes, edges: graph.edges, collected, seconds: Number(best.toFixed(6)) };
}
