// Issue 13 item 5: the debug allocator (`malloc: 'debug'`, PYTHONMALLOC=debug / `-X dev`),
// compared with real CPython. Two C extensions, compiled for every CPython 3.7–3.13 found here
// (cc + python3-config) and run plainly, with `-X dev` and with PYTHONMALLOC=debug; their signal
// handlers print the signal, si_code and si_addr. The simulator runs the same programs with
// `malloc: 'pymalloc'` (plain) or `malloc: 'debug'` (both dev-mode runs).
// - selffree.c, a traverse that frees its own object: 3.7 reads the freed block's `gc_next`,
//   0xDD… under the debug hooks, and its next load goes through rbp = 0xDD… → SIGBUS
//   (SI_KERNEL, address 0); plain 3.7 reads 0x28. 3.8+ fault writing 0x4 in UNTRACK before
//   any freed memory is read, so dev mode changes nothing there.
// - freevisit.c, a traverse that frees a non-GC object it holds and then visits it: plain runs
//   survive (the freed block keeps its ob_type); under the debug hooks ob_type is 0xDD… and
//   visit_decref's PyObject_IS_GC faults: SIGSEGV (SI_KERNEL, address 0) on every version.
// A missing interpreter or compiler skips the comparison (the pure simulator cases always run).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Interpreter } from '../../src/api/index.js';
import { createSimulation, runSimulation, type MallocKind, type ProfileName, type Simulation } from '../../src/simulator/index.js';
import { findPythons } from './cpython-discovery.js';
import { nodeKit, PendingPool, sim } from './helpers.js';

const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));

/** The self-free program (pymalloc-free.test.ts): the target's only reference is dropped on its first traverse. */
function selfFree(s: Simulation): void {
  const k = nodeKit(s);
  const pool = new PendingPool(s);
  const d = k.make(0, { hook: (_x, i) => i.call === 1 && i.phase === 'before' && pool.flush() });
  pool.add(d);
  s.gc.collect();
}

/** The free-then-visit program: a Node's first traverse drops its only reference to a non-GC leaf, then visits the field. */
function freeVisit(s: Simulation): void {
  const p = s.process;
  const leafType = p.defineType({ name: 'Leaf', gc: false, dealloc: (op) => p.PyObject_Free(op), referents: () => [] });
  const k = nodeKit(s, 'Holder');
  const leaf = p.newObject(leafType, null);
  const h = k.make(1, { hook: (_x, i) => i.call === 1 && i.phase === 'before' && p.Py_DECREF(leaf) });
  k.set(h, 0, leaf); // the holder's reference, kept in the field after the DECREF
  p.Py_DECREF(leaf); // the creator's
  s.gc.collect();
}

const PROGRAMS = { selffree: selfFree, freevisit: freeVisit } as const;
type Program = keyof typeof PROGRAMS;

/** "SIGBUS code=128 addr=0x0" (si_code 128 = SI_KERNEL, 1 = SEGV_MAPERR) or "no crash". */
function simulated(program: Program, python: string, malloc: MallocKind): string {
  const r = runSimulation(sim(python, false, malloc), PROGRAMS[program]);
  if (!r.fault) return 'no crash';
  return `${r.fault.signal} code=${r.fault.code === 'SI_KERNEL' ? 128 : 1} addr=0x${r.fault.address.toString(16)}`;
}

describe('simulator: the debug allocator', () => {
  it('self-free: 3.7 SIGBUS (SI_KERNEL) under the debug hooks, 0x28 without; 3.8+ 0x4 in UNTRACK either way', () => {
    expect(simulated('selffree', '3.7', 'pymalloc')).toBe('SIGSEGV code=1 addr=0x28');
    expect(simulated('selffree', '3.7', 'debug')).toBe('SIGBUS code=128 addr=0x0');
    for (const p of ['3.8', '3.9', '3.10', '3.11', '3.12', '3.13']) {
      for (const m of ['pymalloc', 'debug'] as const) expect(simulated('selffree', p, m)).toBe('SIGSEGV code=1 addr=0x4');
    }
  });

  it('free then visit: survives under pymalloc, SIGSEGV (SI_KERNEL) in the traverse under the debug hooks', () => {
    for (const p of ['3.7', '3.8', '3.11', '3.13']) {
      expect(simulated('freevisit', p, 'pymalloc')).toBe('no crash');
      const r = runSimulation(sim(p, false, 'debug'), freeVisit);
      expect(r.fault).toMatchObject({ signal: 'SIGSEGV', code: 'SI_KERNEL', address: 0, access: 'read', exitStatus: 139 });
    }
  });

  it('the 3.7 SIGBUS exits 135 and says stack-segment fault', () => {
    const r = runSimulation(sim('3.7', false, 'debug'), selfFree);
    expect(r.fault).toMatchObject({ signal: 'SIGBUS', exitStatus: 135, where: 'subtract_refs' });
    expect(r.fault?.message).toMatch(/stack-segment fault/);
  });

  it('freed words read 0xDD…, unwritten words of a live block 0xCD…, without the hooks 0 and the free-list link', () => {
    for (const malloc of ['pymalloc', 'debug'] as const) {
      const s = sim('3.11', false, malloc);
      const p = s.process;
      const t = p.defineType({ name: 'Leaf', gc: false, dealloc: (op) => p.PyObject_Free(op), referents: () => [] });
      const a = p.newObject(t, null);
      const b = p.newObject(t, null);
      const word = (addr: number) => p.mem.peek(addr);
      const unwritten = word(a + 24);
      p.Py_DECREF(a);
      const freed = [word(a - 16), word(a - 8), word(a), word(a + 8), word(a + 24)];
      if (malloc === 'debug') {
        expect(unwritten).toBe(0xcdcdcdcdcdcdcdcdn);
        expect(freed.every((w) => w === 0xddddddddddddddddn)).toBe(true);
      } else {
        expect(unwritten).toBe(0n);
        expect(freed[0]).toBe(0n); // pymalloc's link: NULL, the pool was full
        expect(word(a + 8)).not.toBe(0xddddddddddddddddn); // ob_type survives the free
      }
      expect(p.isLive(b)).toBe(true);
    }
  });

  it('a debug build runs the debug hooks unless told otherwise, as a --with-pydebug CPython does', () => {
    const freedType = (opts: { debug: boolean; malloc?: MallocKind }) => {
      const s = createSimulation({ python: '3.11', ...opts });
      const p = s.process;
      const t = p.defineType({ name: 'Leaf', gc: false, dealloc: (op) => p.PyObject_Free(op), referents: () => [] });
      const a = p.newObject(t, null);
      p.Py_DECREF(a);
      return p.mem.peek(a + 8) === 0xddddddddddddddddn ? 'debug' : 'pymalloc';
    };
    expect(freedType({ debug: true })).toBe('debug');
    expect(freedType({ debug: false })).toBe('pymalloc');
    expect(freedType({ debug: true, malloc: 'pymalloc' })).toBe('pymalloc');
    expect(freedType({ debug: false, malloc: 'debug' })).toBe('debug');
    expect(new Interpreter({ debug: true }).malloc).toBe('debug');
    expect(new Interpreter({}).malloc).toBe('pymalloc');
    expect(new Interpreter({ debug: true, malloc: 'pymalloc' }).malloc).toBe('pymalloc');
    expect(new Interpreter({ malloc: 'debug' }).run(() => 0).malloc).toBe('debug');
  });

  it('refuses an unknown allocator', () => {
    expect(() => sim('3.11', false, 'malloc' as MallocKind)).toThrow(/unknown allocator 'malloc'/);
    expect(() => new Interpreter({ malloc: 'jemalloc' as MallocKind })).toThrow(/unknown allocator 'jemalloc' \(known: pymalloc, debug\)/);
  });
});

const pythons = findPythons().filter((f) => /^3\.(7|8|9|10|11|12|13)$/.test(f.profile));
const cc = spawnSync('cc', ['--version']).status === 0;
if (!cc) console.log('devmode-faults: no C compiler (cc): the comparison with real CPython is skipped');
else if (!pythons.length) console.log('devmode-faults: no CPython 3.7–3.13 found: the comparison with real CPython is skipped');

/** The three ways a program is run: argv prefix, extra environment, the simulator's allocator. */
const MODES = [
  { mode: 'plain', args: [] as string[], env: {}, malloc: 'pymalloc' },
  { mode: '-X dev', args: ['-X', 'dev'], env: {}, malloc: 'debug' },
  { mode: 'PYTHONMALLOC=debug', args: [] as string[], env: { PYTHONMALLOC: 'debug' }, malloc: 'debug' },
] as const;

describe.each(cc ? pythons : [])('CPython $version vs simulator $profile: dev-mode faults', ({ bin, version, profile }) => {
  const dir = mkdtempSync(join(tmpdir(), 'tg-devmode-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const config = `${bin}-config`;
  const includes = existsSync(config) ? spawnSync(config, ['--includes'], { encoding: 'utf8' }).stdout.trim().split(/\s+/) : [];
  const suffix = spawnSync(bin, ['-c', "import sysconfig; print(sysconfig.get_config_var('EXT_SUFFIX'))"], { encoding: 'utf8' }).stdout.trim();

  for (const program of Object.keys(PROGRAMS) as Program[]) {
    const build = includes.length
      ? spawnSync('cc', ['-shared', '-fPIC', '-O2', ...includes, here(`./${program}.c`), '-o', join(dir, `${program}${suffix}`)], { encoding: 'utf8' })
      : null;
    it(`${program}: builds for ${version}`, () => {
      expect(build?.status, build?.stderr ?? `no ${config}`).toBe(0);
    });
    for (const m of MODES) {
      it(`${program}, ${m.mode}: same signal, si_code and address (malloc: '${m.malloc}')`, () => {
        if (build?.status !== 0) throw new Error('extension not built');
        const args = [...m.args, here(`./${program}-run.py`), ...(program === 'selffree' ? ['0', '0'] : [])];
        const env = { ...process.env, PYTHONPATH: dir, PYTHONMALLOC: undefined, PYTHONDEVMODE: undefined, ...m.env };
        const r = spawnSync(bin, args, { cwd: dir, encoding: 'utf8', env, timeout: 60_000 });
        const sig = /SIGNAL (\w+) code=(\d+) addr=(0x[0-9a-f]+|\(nil\))/.exec(r.stderr);
        const real = sig ? `${sig[1]} code=${sig[2]} addr=${sig[3] === '(nil)' ? '0x0' : sig[3]}` : /collect -> \d+/.test(r.stdout) && r.status === 0 ? 'no crash' : null;
        expect(real, r.stderr + r.stdout).not.toBeNull();
        expect(simulated(program, profile as ProfileName, m.malloc)).toBe(real);
      });
    }
  }
});
