// Differential test against real CPython (issue 2, item 3): 240 seeded random heap graphs of
// varied shape are built as lists in every CPython found on this machine and in the simulator
// on the matching profile; a full gc.collect() must return the same count, and get_stats()
// must change the same way. Independently of any CPython, the simulator's count must equal a
// graph-theoretic oracle (garbage that is part of, or reachable from, an unreachable cycle).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { formatHeapGraph, type GraphSpec } from '../../bench/gc/heapgraph-text.js';
import { randomHeapGraph, SHAPES, type RandomGraph } from '../../bench/gc/random-heapgraph.js';
import { buildHeapGraph, createSimulation, parseHeapGraph, PROFILE_NAMES, type GenStats } from '../../src/simulator/index.js';
import { findPythons } from './cpython-discovery.js';

const GRAPHS: RandomGraph[] = Array.from({ length: 240 }, (_, seed) => randomHeapGraph(seed));
const TEXTS = GRAPHS.map(formatHeapGraph);
const SCRIPT = fileURLToPath(new URL('./cpython-collect.py', import.meta.url));

interface Outcome {
  readonly collected: number;
  readonly delta: GenStats[];
}

function delta(before: readonly GenStats[], after: readonly GenStats[]): GenStats[] {
  return after.map((a, i) => ({
    collections: a.collections - before[i].collections,
    collected: a.collected - before[i].collected,
    uncollectable: a.uncollectable - before[i].uncollectable,
  }));
}

/** Builds the graph (from its text) on a fresh simulated interpreter and collects once. */
function simulate(python: string, text: string): Outcome {
  const sim = createSimulation({ python });
  sim.gc.disable();
  buildHeapGraph(sim, parseHeapGraph(text));
  const before = sim.gc.getStats();
  const collected = sim.gc.collect();
  return { collected, delta: delta(before, sim.gc.getStats()) };
}

/**
 * What a full collection must find: nodes not reachable from a root that are on a cycle or
 * reachable from one (acyclic garbage was already freed by reference counting).
 */
function oracle(g: GraphSpec): number {
  const n = g.adj.length;
  const reach = (starts: number[]): Uint8Array => {
    const seen = new Uint8Array(n);
    const stack = [...starts];
    for (const s of starts) seen[s] = 1;
    while (stack.length) {
      for (const t of g.adj[stack.pop()!]) {
        if (!seen[t]) {
          seen[t] = 1;
          stack.push(t);
        }
      }
    }
    return seen;
  };
  const live = reach(g.external.flatMap((e, i) => (e > 0 ? [i] : [])));
  // A node is on a cycle iff it can reach itself.
  const onCycle: number[] = [];
  for (let i = 0; i < n; i++) {
    const fromI = reach(g.adj[i]);
    if (fromI[i]) onCycle.push(i);
  }
  const cyclic = reach(onCycle);
  let count = 0;
  for (let i = 0; i < n; i++) if (!live[i] && cyclic[i]) count++;
  return count;
}

describe('random heap graphs', () => {
  it('cover every shape, with cycles, garbage and live objects', () => {
    for (const shape of SHAPES) expect(GRAPHS.filter((g) => g.shape === shape).length).toBeGreaterThanOrEqual(25);
    const expected = GRAPHS.map(oracle);
    expect(expected.filter((c) => c > 0).length).toBeGreaterThan(100);
    expect(GRAPHS.filter((g, i) => expected[i] === 0 && g.adj.length > 5).length).toBeGreaterThan(20);
    expect(GRAPHS.some((g) => g.adj.some((a, i) => a.includes(i)))).toBe(true);
    expect(GRAPHS.some((g) => g.external.some((e) => e > 1))).toBe(true);
  });

  for (const python of PROFILE_NAMES) {
    it(`simulator ${python}: gc.collect() equals the reachability oracle on all ${GRAPHS.length} graphs`, () => {
      const got = TEXTS.map((t) => simulate(python, t).collected);
      expect(got).toEqual(GRAPHS.map(oracle));
    });
  }
});

const pythons = findPythons();

describe.each(pythons)('CPython $version ($bin) vs simulator profile $profile', ({ bin, profile }) => {
  const dir = mkdtempSync(join(tmpdir(), 'tg-differential-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(`gc.collect() returns the same count and get_stats() changes alike on ${GRAPHS.length} graphs`, () => {
    const file = join(dir, 'graphs.heapgraph');
    writeFileSync(file, TEXTS.join(''));
    const r = spawnSync(bin, [SCRIPT, file], { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 << 20 });
    expect(r.status, r.stderr).toBe(0);
    const real = JSON.parse(r.stdout) as { collected: number; before: GenStats[]; after: GenStats[] }[];
    expect(real).toHaveLength(GRAPHS.length);
    for (let i = 0; i < GRAPHS.length; i++) {
      const sim = simulate(profile, TEXTS[i]);
      const want = { collected: real[i].collected, delta: delta(real[i].before, real[i].after) };
      expect(sim, `graph seed ${GRAPHS[i].seed} (${GRAPHS[i].shape}):\n${TEXTS[i]}`).toEqual(want);
    }
  });
});
