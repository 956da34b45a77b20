// Issue 13 item 5: the fault a freed object leaves for the collector, compared with real
// CPython. A C extension type (selffree.c) whose traverse frees its own object — its only
// reference is dropped on its first traverse — is compiled for every CPython 3.7–3.13 found
// here (cc + python3-config) and run plainly; its signal handler prints si_addr. The simulator
// runs the same program on the matching profile. 3.7: UNTRACK is clean (gc_refs has its own
// word), subtract_refs reads the freed block's first word — pymalloc's free-list link, NULL in
// a full pool — and faults reading 0x28 (Py_TYPE(FROM_GC(NULL))); 3.8+: UNTRACK faults at 0x4.
// Kept before/after counts vary the pool's fill: the real address does not change.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runSimulation } from '../../src/simulator/index.js';
import { findPythons } from './cpython-discovery.js';
import { nodeKit, PendingPool, sim } from './helpers.js';

const SOURCE = fileURLToPath(new URL('./selffree.c', import.meta.url));
const SCRIPT = fileURLToPath(new URL('./selffree-run.py', import.meta.url));

/** The simulator's fault for the self-free program (kept objects before and after the target). */
function simulated(python: string, before: number, after: number) {
  const s = sim(python);
  const r = runSimulation(s, () => {
    const k = nodeKit(s);
    const kept = Array.from({ length: before }, () => k.make(0));
    const pool = new PendingPool(s);
    const d = k.make(0, { hook: (_x, i) => i.call === 1 && i.phase === 'before' && pool.flush() });
    kept.push(...Array.from({ length: after }, () => k.make(0)));
    pool.add(d); // the only reference to d
    s.gc.collect();
    return kept.length;
  });
  return r.fault ? `${r.fault.signal} addr=0x${r.fault.address.toString(16)}` : r.verdict;
}

describe('simulator: the self-free program', () => {
  it('3.7 reads 0x28 (the NULL free-list link of a full pool); 3.8+ write 0x4 in UNTRACK', () => {
    for (const [before, after] of [[0, 0], [5, 0], [0, 200], [60, 3]]) {
      expect(simulated('3.7', before, after)).toBe('SIGSEGV addr=0x28');
      for (const p of ['3.8', '3.11', '3.13']) expect(simulated(p, before, after)).toBe('SIGSEGV addr=0x4');
    }
  });
});

const pythons = findPythons().filter((f) => /^3\.(7|8|9|10|11|12|13)$/.test(f.profile));
const cc = spawnSync('cc', ['--version']).status === 0;

describe.each(cc ? pythons : [])('CPython $version vs simulator $profile: the self-free program', ({ bin, version, profile }) => {
  const dir = mkdtempSync(join(tmpdir(), 'tg-selffree-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const config = `${bin}-config`;
  const includes = existsSync(config) ? spawnSync(config, ['--includes'], { encoding: 'utf8' }).stdout.trim().split(/\s+/) : [];
  const suffix = spawnSync(bin, ['-c', "import sysconfig; print(sysconfig.get_config_var('EXT_SUFFIX'))"], { encoding: 'utf8' }).stdout.trim();
  const build = includes.length ? spawnSync('cc', ['-shared', '-fPIC', '-O2', ...includes, SOURCE, '-o', join(dir, `selffree${suffix}`)], { encoding: 'utf8' }) : null;

  it(`builds the extension for ${version}`, () => {
    expect(build?.status, build?.stderr ?? `no ${config}`).toBe(0);
  });

  for (const [before, after] of [[0, 0], [5, 0], [0, 200]]) {
    it(`kept before/after ${before}/${after}: same signal and address`, () => {
      if (build?.status !== 0) throw new Error('extension not built');
      const r = spawnSync(bin, [SCRIPT, String(before), String(after)], { cwd: dir, encoding: 'utf8', env: { ...process.env, PYTHONPATH: dir }, timeout: 60_000 });
      const real = /SIGNAL (\w+) code=\d+ addr=(0x[0-9a-f]+|\(nil\))/.exec(r.stderr);
      expect(real, r.stderr + r.stdout).not.toBeNull();
      const addr = real![2] === '(nil)' ? '0x0' : real![2];
      expect(simulated(profile, before, after)).toBe(`${real![1]} addr=${addr}`);
    });
  }
});
