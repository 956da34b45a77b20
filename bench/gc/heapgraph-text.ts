// A heap graph under construction (adjacency lists + external refs) and its serialisation to
// the heapgraph text format (docs/heapgraph.md). Used by the generators.

export interface GraphSpec {
  /** external[i]: strong references to node i held from outside the graph. */
  readonly external: number[];
  /** adj[i]: node i's targets, in order (repeats and self-loops allowed). */
  readonly adj: number[][];
}

/** The heapgraph text of `g` (header, then one line per node, `\n` line ends). */
export function formatHeapGraph(g: GraphSpec): string {
  const edges = g.adj.reduce((s, a) => s + a.length, 0);
  const out = [`heapgraph 1 ${g.adj.length} ${edges}`];
  for (let i = 0; i < g.adj.length; i++) {
    const a = g.adj[i];
    out.push(a.length ? `${g.external[i]} ${a.length} ${a.join(' ')}` : `${g.external[i]} 0`);
  }
  return out.join('\n') + '\n';
}

/** The seeded PRNG of `traverse-guard gen-heapgraph`, shared by the generators here. */
export { rng } from '../../src/cli/gen-heapgraph.js';
