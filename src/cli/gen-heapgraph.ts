// `traverse-guard gen-heapgraph`: generates the benchmark heap graphs (docs/heapgraph.md) that
// `gc-bench` and bench/gc/cpython-gc-bench.py time. N nodes, about 2N edges, deterministic for a
// seed. `live`: a random recursive tree over all nodes (node 0 is the only root) plus N random
// extra edges, so every node is reachable. `garbage`: the same over the first 10% of the nodes
// (the live part); the other 90% each hold 2 references, mostly to other garbage (so it is
// cyclic) and sometimes to live nodes. Garbage with no referrer is freed by reference counting
// while the graph is built, as in CPython.
import { createWriteStream, type WriteStream } from 'node:fs';
import { UsageError } from './gc-bench.js';

export type Variant = 'garbage' | 'live';
export const VARIANTS: readonly Variant[] = ['garbage', 'live'];

/** A heap graph in compressed sparse rows: node i's targets are targets[offsets[i] … offsets[i+1]). */
export interface BigGraph {
  readonly nodes: number;
  readonly external: Uint32Array;
  readonly offsets: Uint32Array;
  readonly targets: Uint32Array;
}

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function generateBigGraph(variant: Variant, nodes: number, seed: number): BigGraph {
  const r = rng(seed);
  const int = (n: number) => Math.floor(r() * n);
  const live = variant === 'live' ? nodes : Math.max(1, Math.floor(nodes / 10));
  // Edge list (from, to), then bucketed by `from` into CSR.
  const maxEdges = 2 * nodes;
  const from = new Uint32Array(maxEdges);
  const to = new Uint32Array(maxEdges);
  let m = 0;
  for (let i = 1; i < live; i++) {
    from[m] = int(i);
    to[m++] = i;
  }
  for (let e = 0; e < live; e++) {
    from[m] = int(live);
    to[m++] = int(live);
  }
  for (let i = live; i < nodes; i++) {
    for (let k = 0; k < 2; k++) {
      from[m] = i;
      to[m++] = r() < 0.05 ? int(live) : live + int(nodes - live);
    }
  }
  const offsets = new Uint32Array(nodes + 1);
  for (let e = 0; e < m; e++) offsets[from[e] + 1]++;
  for (let i = 0; i < nodes; i++) offsets[i + 1] += offsets[i];
  const fill = offsets.slice(0, nodes);
  const targets = new Uint32Array(m);
  for (let e = 0; e < m; e++) targets[fill[from[e]]++] = to[e];
  const external = new Uint32Array(nodes);
  if (nodes) external[0] = 1;
  return { nodes, external, offsets, targets };
}

/** The heapgraph text of `g`, in chunks of about `chunkLines` node lines (header first). */
export function* heapGraphChunks(g: BigGraph, chunkLines = 65_536): Generator<string> {
  yield `heapgraph 1 ${g.nodes} ${g.targets.length}\n`;
  let parts: string[] = [];
  for (let i = 0; i < g.nodes; i++) {
    const a = g.offsets[i];
    const b = g.offsets[i + 1];
    let line = `${g.external[i]} ${b - a}`;
    for (let e = a; e < b; e++) line += ` ${g.targets[e]}`;
    parts.push(line + '\n');
    if (parts.length === chunkLines) {
      yield parts.join('');
      parts = [];
    }
  }
  if (parts.length) yield parts.join('');
}

/** The whole heapgraph text of `g` as one string. */
export function formatBigGraph(g: BigGraph): string {
  return [...heapGraphChunks(g)].join('');
}

export interface GenOptions {
  readonly variant: string;
  readonly nodes: string;
  readonly seed: string;
  readonly out?: string;
}

/** Node counts above this would overflow the simulator's object limit anyway. */
const MAX_NODES = 25_000_000;

function parseOptions(o: GenOptions): { variant: Variant; nodes: number; seed: number } {
  if (!(VARIANTS as readonly string[]).includes(o.variant)) throw new UsageError(`--variant must be ${VARIANTS.join(' or ')}, got '${o.variant}'`);
  const nodes = /^[0-9]+$/.test(o.nodes) ? Number(o.nodes) : NaN;
  if (!Number.isSafeInteger(nodes) || nodes > MAX_NODES) throw new UsageError(`--nodes must be an integer from 0 to ${MAX_NODES}, got '${o.nodes}'`);
  const seed = /^-?[0-9]+$/.test(o.seed) ? Number(o.seed) : NaN;
  if (!Number.isSafeInteger(seed)) throw new UsageError(`--seed must be an integer, got '${o.seed}'`);
  return { variant: o.variant as Variant, nodes, seed };
}

function write(stream: WriteStream | NodeJS.WriteStream, chunk: string): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(chunk, (err) => (err ? reject(err) : resolve()));
  });
}

/** Generates the graph and writes it to `--out` (or stdout); returns a one-line summary. */
export async function runGenHeapGraph(o: GenOptions): Promise<string> {
  const { variant, nodes, seed } = parseOptions(o);
  const g = generateBigGraph(variant, nodes, seed);
  if (!o.out) {
    for (const chunk of heapGraphChunks(g)) await write(process.stdout, chunk);
    return `${g.nodes} nodes, ${g.targets.length} edges (${variant}, seed ${seed})`;
  }
  const file = createWriteStream(o.out);
  const opened = new Promise<void>((resolve, reject) => {
    file.once('open', () => resolve());
    file.once('error', (e: NodeJS.ErrnoException) => reject(new UsageError(`cannot write '${o.out}'${e.code ? ` (${e.code})` : ''}`)));
  });
  await opened;
  for (const chunk of heapGraphChunks(g)) await write(file, chunk);
  await new Promise<void>((resolve) => file.end(resolve));
  return `wrote ${o.out}: ${g.nodes} nodes, ${g.targets.length} edges (${variant}, seed ${seed})`;
}
