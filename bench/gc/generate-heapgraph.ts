// Generates the benchmark heap graph: N nodes, ~2N edges, as heapgraph text.
//   tsx bench/gc/generate-heapgraph.ts --variant garbage|live [--nodes 1000000] [--seed 1] --out FILE
// `live`: a random recursive tree over all nodes (node 0 is the only root) plus N random
// extra edges, so every node is reachable. `garbage`: the same over the first 10% of the
// nodes (the live part); the other 90% each hold 2 references, mostly to other garbage
// (so it is cyclic) and sometimes to live nodes. Garbage with no referrer is freed by
// reference counting while the graph is built, as in CPython.

import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { rng } from './heapgraph-text.js';

export type Variant = 'garbage' | 'live';

export interface BigGraph {
  readonly nodes: number;
  readonly external: Uint32Array;
  readonly offsets: Uint32Array;
  readonly targets: Uint32Array;
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

export function formatBigGraph(g: BigGraph): string {
  const parts: string[] = [`heapgraph 1 ${g.nodes} ${g.targets.length}\n`];
  for (let i = 0; i < g.nodes; i++) {
    const a = g.offsets[i];
    const b = g.offsets[i + 1];
    let line = `${g.external[i]} ${b - a}`;
    for (let e = a; e < b; e++) line += ` ${g.targets[e]}`;
    parts.push(line + '\n');
  }
  return parts.join('');
}

function cli(): void {
  const { values } = parseArgs({
    options: {
      variant: { type: 'string', default: 'garbage' },
      nodes: { type: 'string', default: '1000000' },
      seed: { type: 'string', default: '1' },
      out: { type: 'string' },
    },
  });
  const variant = values.variant as Variant;
  if (variant !== 'garbage' && variant !== 'live') throw new Error(`--variant must be garbage or live, got ${variant}`);
  if (!values.out) throw new Error('--out FILE is required');
  const g = generateBigGraph(variant, Number(values.nodes), Number(values.seed));
  writeFileSync(values.out, formatBigGraph(g));
  process.stderr.write(`wrote ${values.out}: ${g.nodes} nodes, ${g.targets.length} edges (${variant})\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) cli();
