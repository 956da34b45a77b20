// `traverse-guard gen-heapgraph`: the shipped generator writes valid heapgraph text
// (docs/heapgraph.md) of the documented size, the same for the same seed, that `gc-bench`
// collects as the variant promises; bad options are one-line messages with exit code 2.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT_OK, EXIT_USAGE } from '../../src/cli/main.js';
import { runCli } from '../check/helpers.js';
import { parseHeapGraph } from '../../src/simulator/index.js';

const dir = mkdtempSync(join(tmpdir(), 'tg-gen-heapgraph-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const BIN = join(import.meta.dirname, '..', '..', 'bin', 'traverse-guard.js');

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const r = await runCli(argv);
  return { code: r.code, out: r.stdout, err: r.stderr };
}

async function generate(variant: string, nodes: number, seed: number): Promise<string> {
  const file = join(dir, `${variant}-${nodes}-${seed}.hg`);
  const r = await run(['gen-heapgraph', '--variant', variant, '--nodes', String(nodes), '--seed', String(seed), '--out', file]);
  expect(r.code).toBe(EXIT_OK);
  expect(r.err).toBe(`wrote ${file}: ${nodes} nodes, ${2 * nodes - 1} edges (${variant}, seed ${seed})\n`);
  return file;
}

async function collected(file: string): Promise<number> {
  const r = await run(['gc-bench', file, '--runs', '1']);
  expect(r.code, r.err).toBe(EXIT_OK);
  return (JSON.parse(r.out) as { collected: number }).collected;
}

describe('traverse-guard gen-heapgraph', () => {
  it.each(['garbage', 'live'])('writes a valid %s graph of N nodes and 2N-1 edges', async (variant) => {
    const text = readFileSync(await generate(variant, 2000, 7), 'utf8');
    const g = parseHeapGraph(text);
    expect(g.nodes).toBe(2000);
    expect(g.edges).toBe(3999);
    expect(text.split('\n')[0]).toBe('heapgraph 1 2000 3999');
  });

  it('is deterministic per seed and differs between seeds', async () => {
    const a = readFileSync(await generate('garbage', 500, 1), 'utf8');
    const b = readFileSync(await generate('garbage', 500, 1), 'utf8');
    const c = readFileSync(await generate('garbage', 500, 2), 'utf8');
    expect(b).toBe(a);
    expect(c).not.toBe(a);
  });

  it('live graphs collect nothing; garbage graphs collect part of the 90% that is not live', async () => {
    expect(await collected(await generate('live', 3000, 3))).toBe(0);
    const n = await collected(await generate('garbage', 3000, 3));
    expect(n).toBeGreaterThan(0);
    expect(n).toBeLessThanOrEqual(2700);
  });

  it('writes to standard output through the installed command (bin/traverse-guard.js)', async () => {
    const file = await generate('live', 300, 5);
    const r = spawnSync(process.execPath, [BIN, 'gen-heapgraph', '--variant', 'live', '--nodes', '300', '--seed', '5'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(readFileSync(file, 'utf8'));
    expect(r.stderr).toBe('300 nodes, 599 edges (live, seed 5)\n');
  });

  it.each([
    [['--variant', 'dense'], "traverse-guard: --variant must be garbage or live, got 'dense'\n"],
    [['--nodes', '-3'], "traverse-guard: --nodes must be an integer from 0 to 25000000, got '-3'\n"],
    [['--nodes', '1e3'], "traverse-guard: --nodes must be an integer from 0 to 25000000, got '1e3'\n"],
    [['--seed', 'x'], "traverse-guard: --seed must be an integer, got 'x'\n"],
    [['--nodes', '10', '--out', '/nonexistent-dir/g.hg'], "traverse-guard: cannot write '/nonexistent-dir/g.hg' (ENOENT)\n"],
  ])('rejects %j with one line and exit 2', async (args, message) => {
    const r = await run(['gen-heapgraph', ...args]);
    expect(r.code).toBe(EXIT_USAGE);
    expect(r.err).toBe(message);
    expect(r.out).toBe('');
  });
});
