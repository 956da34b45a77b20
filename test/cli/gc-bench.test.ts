// `traverse-guard gc-bench`: one JSON line with the simulator's count for a heap graph, and
// bad input (malformed graph, unreadable file, unknown --python, bad --runs) → a message and
// exit code 2, never a stack trace.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { EXIT_OK, EXIT_USAGE, main } from '../../src/cli/main.js';

const dir = mkdtempSync(join(tmpdir(), 'tg-gc-bench-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
}

/** Runs the CLI and captures what it writes. */
async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    const code = await main(argv);
    const text = (s: typeof out) => s.mock.calls.map((c) => String(c[0])).join('');
    return { code, out: text(out), err: text(err) };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

// The example of docs/heapgraph.md: nodes 2, 3 (a cycle) and 4 (hanging off it).
const EXAMPLE = 'heapgraph 1 5 4\n1 1 1\n0 0\n0 2 3 4\n0 1 2\n0 0\n';

describe('traverse-guard gc-bench', () => {
  it('prints one JSON line with the collected count of the format example', async () => {
    const r = await run(['gc-bench', file('example.hg', EXAMPLE), '--runs', '2']);
    expect(r.err).toBe('');
    expect(r.code).toBe(EXIT_OK);
    const lines = r.out.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    const j = JSON.parse(lines[0]) as Record<string, unknown>;
    expect(Object.keys(j)).toEqual(['python', 'nodes', 'edges', 'collected', 'seconds']);
    expect(j).toMatchObject({ python: '3.11', nodes: 5, edges: 4, collected: 3 });
    expect(typeof j.seconds).toBe('number');
    expect(j.seconds as number).toBeGreaterThanOrEqual(0);
  });

  it('uses the profile named by --python', async () => {
    const r = await run(['gc-bench', file('example37.hg', EXAMPLE), '--python', '3.7', '--runs', '1']);
    expect(r.code).toBe(EXIT_OK);
    expect(JSON.parse(r.out)).toMatchObject({ python: '3.7', collected: 3 });
  });

  const malformed: [string, string, RegExp][] = [
    ['bad header', 'heapgraf 1 1 0\n0 0\n', /line 1: bad header/],
    ['wrong node count', 'heapgraph 1 3 0\n0 0\n0 0\n', /expected 3 node lines, found 2/],
    ['k mismatch', 'heapgraph 1 2 1\n0 2 1\n0 0\n', /line 2: k is 2 but 1 targets follow/],
    ['target out of range', 'heapgraph 1 2 1\n0 0\n0 1 7\n', /line 3: target 7 is out of range 0 … 1/],
    ['negative field', 'heapgraph 1 1 0\n-1 0\n', /line 2: external_refs must be a non-negative integer, got '-1'/],
    ['non-integer field', 'heapgraph 1 1 1\n0 1 0.5\n', /line 2: target must be a non-negative integer, got '0.5'/],
    ['edges total', 'heapgraph 1 2 5\n0 1 1\n0 0\n', /line 1: header says 5 edges, the node lines have 1/],
    ['huge edges total', 'heapgraph 1 1 4294967295\n0 0\n', /line 1: header says 4294967295 edges, more than the node lines can hold/],
    ['missing targets', 'heapgraph 1 1 1\n0 1\n', /line 2: k is 1 but 0 targets follow/],
  ];
  for (const [what, text, message] of malformed) {
    it(`rejects a heap graph with a ${what}: line and problem, exit 2`, async () => {
      const f = file(`${what.replace(/ /g, '-')}.hg`, text);
      const r = await run(['gc-bench', f]);
      expect(r.code).toBe(EXIT_USAGE);
      expect(r.out).toBe('');
      expect(r.err).toMatch(message);
      expect(r.err).toContain(f);
      expect(r.err).not.toMatch(/\n\s+at /);
    });
  }

  it('rejects an unreadable file with exit 2', async () => {
    const r = await run(['gc-bench', join(dir, 'no-such-file.hg')]);
    expect(r.code).toBe(EXIT_USAGE);
    expect(r.err).toMatch(/cannot read heap graph .*no-such-file\.hg.*ENOENT/);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it('rejects a directory with exit 2', async () => {
    const r = await run(['gc-bench', dir]);
    expect(r.code).toBe(EXIT_USAGE);
    expect(r.err).toMatch(/cannot read heap graph/);
  });

  it('lists the known profiles for an unknown --python, exit 2', async () => {
    const r = await run(['gc-bench', file('ok.hg', EXAMPLE), '--python', '2.7']);
    expect(r.code).toBe(EXIT_USAGE);
    expect(r.err).toContain("unknown --python '2.7'");
    expect(r.err).toContain('3.7, 3.8, 3.9, 3.10, 3.11, 3.12, 3.13, 3.14.0, 3.14.5');
  });

  it('rejects a --runs that is not a positive integer, exit 2', async () => {
    for (const runs of ['0', '-3', 'many']) {
      const r = await run(['gc-bench', file('ok2.hg', EXAMPLE), '--runs', runs]);
      expect(r.code).toBe(EXIT_USAGE);
      expect(r.err).toContain('--runs must be a positive integer');
    }
  });

  it('requires the heap graph argument, exit 2', async () => {
    const r = await run(['gc-bench']);
    expect(r.code).toBe(EXIT_USAGE);
    expect(r.err).toContain("missing required argument 'heapgraph-file'");
  });
});
