// Issue 12 item 3 against real CPython: a C extension type (contract.c) whose traverse or
// clear breaks one clause of the contract at a time is compiled for every CPython 3.7–3.13
// found here and run plainly (contract-run.py); the simulator runs the same program (the same
// Node through the binding API's raw-C runtime) on the matching profile. Compared: what each
// gc.collect() returns, and whether a live object was cleared. The simulator's verdicts are
// checked too (reference §9): incomplete → leak; a clear that releases nothing → leak, the
// cycle "collected" every time; a double visit on a garbage cycle → collected on 3.7, kept on
// 3.8+ (gc_refs wraps); a double visit of a young object held by an old one → cleared while
// in use in collect(0), on every version (corrupt).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Interpreter, Py, Python, field, gc, pyclass, type RunResult } from '../../src/api/index.js';
import { findPythons } from './cpython-discovery.js';

const SOURCE = fileURLToPath(new URL('./contract.c', import.meta.url));
const SCRIPT = fileURLToPath(new URL('./contract-run.py', import.meta.url));

/** contract.c's Node: mode 0 correct, 1 b never visited, 2 b visited twice, 3 clear keeps all. */
let mode = 0;
const Node = pyclass('Node', {
  fields: { a: field.optionalRef(), b: field.optionalRef() },
  traverse(self, visit) {
    visit.call(self.a);
    if (mode !== 1) visit.call(self.b);
    if (mode === 2) visit.call(self.b);
  },
  clear(self) {
    if (mode === 3) return;
    self.a = null;
    self.b = null;
  },
});

type Scenario = 'incomplete' | 'clear-none' | 'double-garbage' | 'double-held';
interface Outcome {
  counts: number[];
  heldCleared?: boolean;
}

function set(py: Python, n: Py<typeof Node>, a: Py<typeof Node> | null, b: Py<typeof Node> | null): void {
  const m = n.borrowMut(py);
  m.a = a;
  m.b = b;
  m.release();
}

/** contract-run.py, on the simulator. */
function simulated(python: string, scenario: Scenario): RunResult<Outcome> {
  return new Interpreter({ runtime: 'c', python }).run(() => {
    gc.disable();
    const holder = Python.withGil((py) => Py.new(py, Node, {}));
    gc.collect(); // the holder is old, like the script's module-level list
    mode = { incomplete: 1, 'clear-none': 3, 'double-garbage': 2, 'double-held': 2 }[scenario];
    let t: Py<typeof Node> | null = null;
    Python.withGil((py) => {
      const x = Py.new(py, Node, {});
      if (scenario === 'incomplete' || scenario === 'double-garbage') set(py, x, null, x.cloneRef(py));
      if (scenario === 'clear-none') set(py, x, x.cloneRef(py), null);
      if (scenario === 'double-held') {
        t = Py.new(py, Node, {});
        set(py, t, Py.new(py, Node, {}), null);
        set(py, holder, t.cloneRef(py), null);
        set(py, x, x.cloneRef(py), t);
        t = null;
      }
      x.drop();
    });
    const first = scenario === 'double-held' ? gc.collect(0) : gc.collect();
    const counts = [first, gc.collect(), gc.collect()];
    if (scenario !== 'double-held') return { counts };
    const held = Python.withGil((py) => holder.borrow(py).a);
    const heldCleared = Python.withGil((py) => (held ? held.borrow(py).a === null && held.borrow(py).b === null : true));
    mode = 0;
    return { counts, heldCleared };
  });
}

describe('simulator: the contract clauses (reference §9)', () => {
  for (const python of ['3.7', '3.8', '3.11', '3.13']) {
    it(`${python}: verdicts and counts`, () => {
      const inc = simulated(python, 'incomplete');
      expect([inc.value, inc.verdict]).toEqual([{ counts: [0, 0, 0] }, 'leak']);
      const keep = simulated(python, 'clear-none');
      expect([keep.value, keep.verdict]).toEqual([{ counts: [1, 1, 1] }, 'leak']);
      const dbl = simulated(python, 'double-garbage');
      if (python === '3.7') expect([dbl.value, dbl.verdict]).toEqual([{ counts: [1, 0, 0] }, 'ok']);
      // 3.8+: gc_refs wraps and the cycle is kept (the model reports the underflow as damage).
      else expect([dbl.value, dbl.verdict]).toEqual([{ counts: [0, 0, 0] }, 'corrupt']);
      const held = simulated(python, 'double-held');
      expect(held.value).toEqual({ counts: [3, 0, 0], heldCleared: true });
      expect(held.verdict).toBe('corrupt');
      expect(held.audit[0].kind).toBe('live-object-cleared');
      expect(held.audit[0].message).toMatch(/by Node .+ \.a → Node .*visited Node .+ 2 times but owns 1 reference to it \(a double visit\)/);
    });
  }
});

const pythons = findPythons().filter((f) => /^3\.(7|8|9|10|11|12|13)$/.test(f.profile));
const cc = spawnSync('cc', ['--version']).status === 0;

describe.each(cc ? pythons : [])('CPython $version vs simulator $profile: the contract clauses', ({ bin, version, profile }) => {
  const dir = mkdtempSync(join(tmpdir(), 'tg-contract-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const config = `${bin}-config`;
  const includes = existsSync(config) ? spawnSync(config, ['--includes'], { encoding: 'utf8' }).stdout.trim().split(/\s+/) : [];
  const suffix = spawnSync(bin, ['-c', "import sysconfig; print(sysconfig.get_config_var('EXT_SUFFIX'))"], { encoding: 'utf8' }).stdout.trim();
  const build = includes.length ? spawnSync('cc', ['-shared', '-fPIC', '-O2', ...includes, SOURCE, '-o', join(dir, `contract${suffix}`)], { encoding: 'utf8' }) : null;

  it(`builds the extension for ${version}`, () => {
    expect(build?.status, build?.stderr ?? `no ${config}`).toBe(0);
  });

  for (const scenario of ['incomplete', 'clear-none', 'double-garbage', 'double-held'] as const) {
    it(`${scenario}: the same collect() counts${scenario === 'double-held' ? ' and the live object cleared' : ''}`, () => {
      if (build?.status !== 0) throw new Error('extension not built');
      const r = spawnSync(bin, [SCRIPT, scenario], { cwd: dir, encoding: 'utf8', env: { ...process.env, PYTHONPATH: dir }, timeout: 60_000 });
      expect(r.status, r.stderr).toBe(0);
      const real = JSON.parse(r.stdout.trim().split('\n').pop()!) as Outcome;
      expect(simulated(profile, scenario).value).toEqual(real);
    });
  }
});
