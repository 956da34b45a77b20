// `traverse-guard explain`: the verdict line first and the exit code for the seed's crashes
// under each runtime (the real bin, so dist/ — test/global-setup.ts builds it), the story
// (subtract_refs, the refcount changes and their triggers, the 0x4 write), a well-formed SVG
// that marks the victim, check reproducers, and bad input (exit 2, a message, no stack trace).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Interpreter, type RuntimeKind } from 'traverse-guard';
import * as crash1 from '../../fixtures/seed/crash1.js';
import * as crash2 from '../../fixtures/seed/crash2.js';
import { explainRun } from '../../src/check/explain/explain.js';
import { renderSvg } from '../../src/check/explain/picture.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(REPO, 'bin', 'traverse-guard.js');
const out = mkdtempSync(join(tmpdir(), 'traverse-guard-explain-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function explainCli(args: readonly string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, 'explain', ...args], { cwd: REPO, maxBuffer: 1 << 24 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout, stderr });
    });
  });
}

/** Every tag closed in order, one root <svg>, nothing after it: well-formed enough to render. */
function checkWellFormed(svg: string): void {
  expect(svg.startsWith('<?xml')).toBe(true);
  const body = svg.replace(/<\?xml[^>]*\?>/, '').replace(/<!DOCTYPE[^>]*>/, '').replace(/<!--[\s\S]*?-->/g, '');
  const stack: string[] = [];
  let roots = 0;
  for (const m of body.matchAll(/<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/g)) {
    const [, close, name, , self] = m;
    if (close) expect(stack.pop(), `</${name}>`).toBe(name);
    else if (!self) {
      if (stack.length === 0) roots++;
      stack.push(name);
    } else if (stack.length === 0) roots++;
  }
  expect(stack).toEqual([]);
  expect(roots).toBe(1);
  // No stray markup characters outside tags (every & is an entity).
  expect(body.replace(/<[^>]*>/g, '')).not.toMatch(/[<>]|&(?!(?:[a-z]+|#\d+|#x[0-9a-f]+);)/i);
}

const CRASH = 'verdict: crash — SIGSEGV writing 0x4 in PyObject_GC_UnTrack';

/** The seed matrix as the issue states it (CPython 3.11). */
const EXPECTED: Record<'crash1' | 'crash2', Record<RuntimeKind, string>> = {
  crash1: { 'pyo3-0.18.3': CRASH, 'pyo3-0.18.3-patched': 'verdict: ok', guarded: 'verdict: ok', 'pyo3-0.19-nolock': 'verdict: ok', c: 'verdict: ok' },
  crash2: { 'pyo3-0.18.3': CRASH, 'pyo3-0.18.3-patched': CRASH, guarded: 'verdict: ok', 'pyo3-0.19-nolock': 'verdict: ok', c: CRASH },
};

describe('explain: verdict line and exit code (the bin, from dist/)', () => {
  for (const file of ['crash1', 'crash2'] as const) {
    for (const [runtime, line] of Object.entries(EXPECTED[file])) {
      it(`${file} under ${runtime}: "${line}"`, async () => {
        const svg = join(out, `${file}-${runtime}.svg`);
        const r = await explainCli([`fixtures/seed/${file}.ts`, '--runtime', runtime, '--svg', svg]);
        expect(r.stdout.split('\n')[0]).toBe(line);
        expect(r.code).toBe(line === CRASH ? 1 : 0);
        expect(r.stderr).not.toMatch(/\n\s+at /);
        expect(r.stdout).toContain(`picture of the heap ${line === CRASH ? 'at the fault' : 'at the end of the run'}: ${svg}`);
        checkWellFormed(readFileSync(svg, 'utf8'));
      });
    }
  }

  it('crash2 under the patched runtime: backtrace, then the story up to the 0x4 write; the SVG marks the victim', async () => {
    const svg = join(out, 'story.svg');
    const r = await explainCli(['fixtures/seed/crash2.ts', '--runtime', 'pyo3-0.18.3-patched', '--svg', svg]);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(CRASH);
    const bt = lines.indexOf('backtrace (innermost first):');
    const story = lines.indexOf('story of the collection:');
    expect(bt).toBeGreaterThan(0);
    expect(story).toBeGreaterThan(bt);
    expect(lines[bt + 1]).toMatch(/#0\s+PyObject_GC_UnTrack$/);
    // The launcher is not user code: the outermost frame is the scenario's own line.
    expect(r.stdout).toMatch(/main at fixtures\/seed\/crash2\.ts:\d+\n/);
    const text = lines.slice(story).join('\n');
    expect(text).toMatch(/update_refs[\s\S]*subtract_refs[\s\S]*Ref_traverse\(Ref#\d+\)/);
    expect(text).toContain('_gc_prev 0x6 = gc_refs 1 << 2 | COLLECTING');
    // Pointers are shown as a 64-bit process holds them (heap, gcstate), never as the simulator's codes.
    expect(text).toMatch(/_gc_next 0x7f3a5c[0-9a-f]{6} → Ref#\d+/);
    expect(text).toMatch(/_gc_next 0x55f3c2a0[0-9a-f]{4} → gcstate->generations\[\d\]\.head/);
    const takeLine = readFileSync(join(REPO, 'fixtures/seed/ref.ts'), 'utf8').split('\n').findIndex((l) => l.includes('.take();')) + 1;
    expect(text).toContain(`from Ref.traverse at fixtures/seed/ref.ts:${takeLine} — the traverse body itself`);
    expect(text).toMatch(/from pyo3::gil::ReferencePool::update_counts ← pyo3::gil::GILPool::new ← Ref_dealloc/);
    expect(text).toContain('GC_PREV(g) = _gc_prev & ~3 = 0x4');
    expect(text).toMatch(/✖ SIGSEGV writing 0x4 in PyObject_GC_UnTrack \(victim: Ref#\d+\)/);
    const picture = readFileSync(svg, 'utf8');
    checkWellFormed(picture);
    expect(picture).toMatch(/<g id="victim" class="node object victim">/);
    expect(picture).toContain('VICTIM');
    expect(picture).toMatch(/<g id="fault" class="node fault">/);
    expect(picture).toContain('gc_refs 1 &lt;&lt; 2 | COLLECTING');
  });

  it('names the SVG after the file, runtime and profile by default', async () => {
    const dir = mkdtempSync(join(out, 'cwd-'));
    const r = await new Promise<Run>((resolve) =>
      execFile(process.execPath, [BIN, 'explain', join(REPO, 'fixtures/seed/crash1.ts'), '--runtime', 'pyo3-0.18.3', '--python', '3.13'], { cwd: dir }, (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout, stderr }),
      ),
    );
    expect(r.code).toBe(1);
    checkWellFormed(readFileSync(join(dir, 'explain-crash1-pyo3-0.18.3-3.13.svg'), 'utf8'));
  });
});

describe('explain: check reproducers', () => {
  const state = { refs: { inner: 'peer' }, values: { clearOnTraverse: true }, held: 'root', pool: 'empty', collection: 'full' };

  it('replays a class in a heap state (--class/--state)', async () => {
    const r = await explainCli(['fixtures/seed/ref.ts', '--class', 'Ref', '--state', JSON.stringify(state), '--runtime', 'c', '--svg', join(out, 'cls.svg')]);
    expect(r.stdout.split('\n')[0]).toBe(CRASH);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('class Ref of fixtures/seed/ref.ts in the heap state [inner→peer, clearOnTraverse=true');
    expect(r.stdout).toContain('subtract_refs');
  });

  it('replays a reproducer given inline or as a file; flags override its runtime', async () => {
    const repro = { file: 'fixtures/seed/ref.ts', class: 'Ref', runtime: 'c', python: '3.11', debug: false, state };
    const inline = await explainCli(['fixtures/seed/ref.ts', '--reproducer', JSON.stringify(repro), '--svg', join(out, 'r1.svg')]);
    expect(inline.stdout.split('\n')[0]).toBe(CRASH);
    const path = join(out, 'repro.json');
    writeFileSync(path, JSON.stringify(repro));
    const fromFile = await explainCli(['fixtures/seed/ref.ts', '--reproducer', path, '--runtime', 'guarded', '--svg', join(out, 'r2.svg')]);
    expect(fromFile.stdout.split('\n')[0]).toBe('verdict: ok');
    expect(fromFile.code).toBe(0);
    expect(fromFile.stdout).toContain("deferred to PyO3's ReferencePool");
  });
});

describe('explain: bad input exits 2 with a message and no stack trace', () => {
  const cases: [string, string[], RegExp][] = [
    ['a missing file', ['fixtures/seed/nope.ts'], /no such file/],
    ['a file with no main and no --class', ['fixtures/seed/ref.ts'], /exports no main scenario/],
    ['an unknown runtime', ['fixtures/seed/crash2.ts', '--runtime', 'pyo3-0.17'], /unknown runtime 'pyo3-0.17'/],
    ['an unknown profile', ['fixtures/seed/crash2.ts', '--python', '2.7'], /unknown Python profile '2.7'/],
    ['an unknown class', ['fixtures/seed/ref.ts', '--class', 'Nope'], /no class 'Nope'.*defined: Ref/],
    ['bad state JSON', ['fixtures/seed/ref.ts', '--class', 'Ref', '--state', '{refs:'], /--state: bad JSON/],
    ['a state naming no field of the class', ['fixtures/seed/ref.ts', '--class', 'Ref', '--state', '{"refs":{"outer":"self"}}'], /no reference field 'outer'/],
    ['bad reproducer JSON', ['fixtures/seed/ref.ts', '--reproducer', '{"class":'], /--reproducer: bad JSON/],
  ];
  for (const [what, args, message] of cases) {
    it(what, async () => {
      const r = await explainCli([...args, '--svg', join(out, 'bad.svg')]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });
  }
});

describe('explain in-process (the story and picture on the source API)', () => {
  it('crash1 under pyo3-0.18.3: the deferred decrefs, applied inside the traverse trampoline', async () => {
    const ex = explainRun({ interpreter: new Interpreter({ runtime: 'pyo3-0.18.3', python: '3.11' }), scenario: crash1.main, what: 'crash1', runtime: 'pyo3-0.18.3', python: '3.11', debug: false });
    expect(ex.verdictLine).toBe(CRASH);
    expect(ex.exitCode).toBe(1);
    const text = ex.lines.join('\n');
    expect(text).toMatch(/ReferencePool holds 2 deferred decref\(s\)/);
    expect(text).toMatch(/applied when the Ref_traverse trampoline created a GILPool/);
    expect(ex.victim).toMatch(/^Ref#\d+$/);
    const svg = await renderSvg(ex.dot);
    checkWellFormed(svg);
    expect(svg).toContain(`${ex.victim}`);
  });

  it('crash2 on 3.7: the object being traversed is freed under the collector', () => {
    const ex = explainRun({ interpreter: new Interpreter({ runtime: 'pyo3-0.18.3', python: '3.7' }), scenario: crash2.main, what: 'crash2', runtime: 'pyo3-0.18.3', python: '3.7', debug: false });
    expect(ex.result.verdict).toBe('crash');
    const text = ex.lines.join('\n');
    expect(text).toContain('gc_refs := ob_refcnt, in the third header word');
    expect(text).toContain("is the object being traversed: it is freed under the collector's feet");
  });

  it('a collection with no tracer costs nothing extra: the tracer is removed after the run', () => {
    const interp = new Interpreter({ runtime: 'guarded', python: '3.11' });
    explainRun({ interpreter: interp, scenario: crash2.main, what: 'crash2', runtime: 'guarded', python: '3.11', debug: false });
    expect(interp.process.tracer).toBeNull();
  });
});
