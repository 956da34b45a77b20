// Seeded random heap graphs of varied shape for the differential test against CPython:
// garbage cycles, self-loops, garbage hanging off cycles and off live objects, all garbage,
// all live, roots with several references, repeated edges. Same seed → same graph.

import { rng, type GraphSpec } from './heapgraph-text.js';

export const SHAPES = [
  'random',
  'rings',
  'self-loops',
  'garbage-off-live',
  'all-garbage',
  'all-live',
  'multi-root',
  'repeated-edges',
] as const;
export type Shape = (typeof SHAPES)[number];

export interface RandomGraph extends GraphSpec {
  readonly seed: number;
  readonly shape: Shape;
}

/** The graph for `seed`; the shape cycles through SHAPES so every shape gets many seeds. */
export function randomHeapGraph(seed: number): RandomGraph {
  const r = rng(seed * 2654435761);
  const int = (n: number) => Math.floor(r() * n);
  const shape = SHAPES[seed % SHAPES.length];
  const n = seed % 37 === 0 ? int(3) : 1 + int(60);
  const external = new Array<number>(n).fill(0);
  const adj: number[][] = Array.from({ length: n }, () => []);
  const edge = (from: number, to: number) => adj[from].push(to);
  const someRoots = (p: number, max: number) => {
    for (let i = 0; i < n; i++) if (r() < p) external[i] = 1 + int(max);
  };
  switch (shape) {
    case 'random': {
      const m = int(3 * n + 1);
      for (let e = 0; e < m; e++) edge(int(n), int(n));
      someRoots(0.15, 2);
      break;
    }
    case 'rings': {
      // Disjoint rings of random length, some rooted; stray chords between them.
      let i = 0;
      while (i < n) {
        const len = Math.min(n - i, 1 + int(8));
        for (let j = 0; j < len; j++) edge(i + j, i + ((j + 1) % len));
        if (r() < 0.4) external[i + int(len)] = 1;
        i += len;
      }
      for (let c = int(3); c > 0 && n; c--) edge(int(n), int(n));
      break;
    }
    case 'self-loops': {
      for (let i = 0; i < n; i++) {
        if (r() < 0.6) edge(i, i);
        if (r() < 0.3) edge(i, int(n));
      }
      someRoots(0.2, 3);
      break;
    }
    case 'garbage-off-live': {
      // A live part [0, live) reachable from node 0, and garbage that hangs off it or off cycles.
      const live = Math.max(1, Math.floor(n / 3));
      if (n) external[0] = 1;
      for (let i = 1; i < Math.min(live, n); i++) edge(int(i), i);
      for (let i = live; i < n; i++) {
        edge(i, int(n)); // garbage points anywhere: at live objects, other garbage, itself
        if (r() < 0.5) edge(i, live + int(n - live));
        if (r() < 0.3) edge(int(live), i); // a live object holding garbage makes it live
      }
      break;
    }
    case 'all-garbage': {
      const m = int(2 * n + 1);
      for (let e = 0; e < m; e++) edge(int(n), int(n));
      break;
    }
    case 'all-live': {
      for (let i = 0; i < n; i++) external[i] = r() < 0.5 ? 1 : 0;
      if (n) external[0] = 1;
      for (let i = 1; i < n; i++) if (!external[i]) edge(int(i), i);
      for (let e = int(n); e > 0; e--) edge(int(n), int(n));
      break;
    }
    case 'multi-root': {
      const m = int(2 * n + 1);
      for (let e = 0; e < m; e++) edge(int(n), int(n));
      for (let i = 0; i < n; i++) if (r() < 0.1) external[i] = 2 + int(4);
      break;
    }
    case 'repeated-edges': {
      for (let i = 0; i < n; i++) {
        const t = int(n);
        for (let k = 1 + int(4); k > 0; k--) edge(i, t);
        if (r() < 0.3) edge(i, i);
      }
      someRoots(0.1, 3);
      break;
    }
  }
  // Edges are shuffled per node so target order is not always ascending.
  for (const a of adj) {
    for (let i = a.length - 1; i > 0; i--) {
      const j = int(i + 1);
      [a[i], a[j]] = [a[j], a[i]];
    }
  }
  return { seed, shape, external, adj };
}
