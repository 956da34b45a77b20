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
