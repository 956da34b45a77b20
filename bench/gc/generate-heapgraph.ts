// Generates the benchmark heap graph as heapgraph text: the generator now ships with the
// package as `traverse-guard gen-heapgraph` (src/cli/gen-heapgraph.ts); this script keeps the
// benchmark's own entry point.
//   tsx bench/gc/generate-heapgraph.ts --variant garbage|live [--nodes 1000000] [--seed 1] --out FILE
import { parseArgs } from 'node:util';
import { runGenHeapGraph } from '../../src/cli/gen-heapgraph.js';

export { formatBigGraph, generateBigGraph, type BigGraph, type Variant } from '../../src/cli/gen-heapgraph.js';

async function cli(): Promise<void> {
  const { values } = parseArgs({
    options: {
      variant: { type: 'string', default: 'garbage' },
      nodes: { type: 'string', default: '1000000' },
      seed: { type: 'string', default: '1' },
      out: { type: 'string' },
    },
  });
  if (!values.out) throw new Error('--out FILE is required');
  process.stderr.write((await runGenHeapGraph({ variant: values.variant, nodes: values.nodes, seed: values.seed, out: values.out })) + '\n');
}

if (import.meta.url === `file://${process.argv[1]}`) await cli();
