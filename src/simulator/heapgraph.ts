// The heapgraph format (docs/heapgraph.md): a parser with line-numbered errors,
// and a builder that lays the graph out as CPython lists held by a root list.

import type { Simulation } from './run.js';

export interface HeapGraph {
  readonly nodes: number;
  readonly edges: number;
  /** Strong references to node i from outside the graph. */
  readonly external: Uint32Array;
  /** CSR adjacency: node i's targets are targets[offsets[i] .. offsets[i+1]). */
  readonly offsets: Uint32Array;
  readonly targets: Uint32Array;
}

export class HeapGraphError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'HeapGraphError';
  }
}

const UINT = /^(0|[1-9][0-9]*)$/;

function uint(tok: string | undefined, line: number, what: string): number {
  if (tok === undefined) throw new HeapGraphError(line, `missing ${what}`);
  if (!UINT.test(tok)) throw new HeapGraphError(line, `${what} must be a non-negative integer, got '${tok}'`);
  const n = Number(tok);
  if (!Number.isSafeInteger(n) || n > 0xffffffff) throw new HeapGraphError(line, `${what} is too large: ${tok}`);
  return n;
}

export function parseHeapGraph(text: string): HeapGraph {
  const lines = text.split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  const head = (lines[0] ?? '').split(' ');
  if (head[0] !== 'heapgraph' || head[1] !== '1' || head.length !== 4) {
    throw new HeapGraphError(1, "bad header: expected 'heapgraph 1 <nodes> <edges>'");
  }
  const nodes = uint(head[2], 1, 'nodes');
  const edges = uint(head[3], 1, 'edges');
  if (lines.length - 1 !== nodes) {
    throw new HeapGraphError(Math.min(lines.length, nodes + 1) + (lines.length - 1 < nodes ? 1 : 1), `expected ${nodes} node lines, found ${lines.length - 1}`);
  }
  // Every target takes at least two characters (" 7"): a larger edges total cannot match, and
  // must not size an allocation (a typo like 4294967295 would ask for 16 GiB).
  if (edges > text.length / 2) throw new HeapGraphError(1, `header says ${edges} edges, more than the node lines can hold`);
  const external = new Uint32Array(nodes);
  const offsets = new Uint32Array(nodes + 1);
  const targets = new Uint32Array(edges);
  let e = 0;
  for (let i = 0; i < nodes; i++) {
    const ln = i + 2;
    const tok = lines[i + 1].split(' ');
    external[i] = uint(tok[0], ln, 'external_refs');
    const k = uint(tok[1], ln, 'k');
    if (tok.length - 2 !== k) throw new HeapGraphError(ln, `k is ${k} but ${tok.length - 2} targets follow`);
    offsets[i] = e;
    for (let j = 0; j < k; j++) {
      const t = uint(tok[2 + j], ln, 'target');
      if (t >= nodes) throw new HeapGraphError(ln, `target ${t} is out of range 0 … ${nodes - 1}`);
      if (e >= edges) throw new HeapGraphError(ln, `more targets than the header's edges (${edges})`);
      targets[e++] = t;
    }
  }
  offsets[nodes] = e;
  if (e !== edges) throw new HeapGraphError(1, `header says ${edges} edges, the node lines have ${e}`);
  return { nodes, edges, external, offsets, targets };
}

/**
 * Builds the graph as lists (node i = a list of its targets), with `external[i]` references
 * to node i held by one root list, and every temporary reference released. Acyclic garbage is
 * freed by refcounting right here, as in CPython. Returns the root list.
 */
export function buildHeapGraph(sim: Simulation, g: HeapGraph): number {
  const p = sim.process;
  const { list } = sim.builtins;
  p.mem.reserve(g.nodes + 1);
  const ops = new Array<number>(g.nodes);
  for (let i = 0; i < g.nodes; i++) ops[i] = p.gcNew(list, undefined);
  for (let i = 0; i < g.nodes; i++) p.PyObject_GC_Track(ops[i]);
  for (let i = 0; i < g.nodes; i++) {
    // The item array is allocated at its final size (as list.extend would size ob_item), so
    // a 1M-node heap carries no push-growth slack.
    const a = g.offsets[i];
    const items = new Array<number>(g.offsets[i + 1] - a);
    for (let e = a; e < g.offsets[i + 1]; e++) {
      const t = ops[g.targets[e]];
      p.Py_INCREF(t);
      items[e - a] = t;
    }
    p.items.assign(p.slot(ops[i]), items);
  }
  const rootItems: number[] = [];
  for (let i = 0; i < g.nodes; i++) {
    for (let r = 0; r < g.external[i]; r++) {
      p.Py_INCREF(ops[i]);
      rootItems.push(ops[i]);
    }
  }
  const root = p.gcNew(list, undefined);
  p.items.assign(p.slot(root), rootItems);
  p.PyObject_GC_Track(root);
  for (let i = 0; i < g.nodes; i++) p.Py_DECREF(ops[i]);
  return root;
}
