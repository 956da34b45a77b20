// The fixture set against `traverse-guard check` (runCheck on fixtures/, the compiled dist/
// that test/global-setup.ts builds): full agreement — nothing missed by lint, nothing flagged
// that never broke, no guarded failure — and per folder: every class under gil/, drop/, pool/
// and interpreter/ (and, since issue 12, missing-visit/, conditional-visit/, double-visit/,
// foreign-visit/, nondeterministic/ and clear-keeps/) is flagged by that folder's rule and
// breaks under a witness runtime (a leak counts for those); every
// class under good/ has no finding at all and never breaks; every class under signature/ has
// a traverse-signature finding only (not a runtime hazard) and never breaks. The seed's
// scenarios keep their PyO3 #3165 verdicts.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCheck } from '../../src/check/run-check.js';
import type { CheckReport, ClassReport, FileReport, VerdictEntry } from '../../src/check/report.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURES = join(REPO, 'fixtures');

/** Folder → the rule every class in it must be flagged by. */
const HAZARD_FOLDERS: Readonly<Record<string, string>> = {
  gil: 'no-gil-in-traverse',
  drop: 'no-drop-in-traverse',
  pool: 'no-pool-in-traverse',
  interpreter: 'no-interpreter-in-traverse',
  // Issue 12, the rest of the traverse/clear contract (leak proves these rules' findings).
  'missing-visit': 'traverse-visits-all-fields',
  'conditional-visit': 'traverse-visits-all-fields',
  'double-visit': 'no-double-visit',
  'foreign-visit': 'no-foreign-visit',
  nondeterministic: 'traverse-deterministic',
  'clear-keeps': 'clear-releases-visited',
};

let report: CheckReport;

beforeAll(async () => {
  // A generous per-file limit: the suite runs other heavy tests beside this one.
  report = await runCheck({ paths: ['fixtures'], cwd: REPO, timeoutMs: 300_000 });
}, 600_000);

function folderOf(f: FileReport): string {
  return f.path.split(/[\\/]/)[1];
}

function filesIn(folder: string): FileReport[] {
  return report.files.filter((f) => folderOf(f) === folder);
}

function describeClass(f: FileReport, c: ClassReport): string {
  return `${f.path} ${c.name}: ${c.status} [${c.findings.map((x) => x.ruleId).join(', ')}] ${c.explanation}`;
}

function verdictsOf(main: Readonly<Record<string, VerdictEntry>> | undefined, runtime: string): string[] {
  return Object.entries(main ?? {})
    .filter(([k]) => k.startsWith(`${runtime}@`))
    .map(([, v]) => v.verdict);
}

describe('traverse-guard check over fixtures/', () => {
  it('agrees: no file error, nothing missed by lint, nothing flagged that never broke, no guarded failure', () => {
    const s = report.summary;
    const disagreements = report.files.flatMap((f) => f.classes.filter((c) => c.status === 'missed-by-lint' || c.status === 'flagged-never-broke' || c.guardedFailure).map((c) => describeClass(f, c)));
    expect(report.files.filter((f) => f.error).map((f) => `${f.path}: ${f.error}`)).toEqual([]);
    expect(disagreements).toEqual([]);
    expect(s.missedByLint).toBe(0);
    expect(s.flaggedNeverBroke).toBe(0);
    expect(s.guardedFailures).toBe(0);
    expect(s.fileErrors).toBe(0);
  });

  it('holds at least 40 pyclasses besides the seed, in the rule folders, one idea (one class) per file', () => {
    // Fixture classes live in folders (fixtures/eslint.config.js is the folder's lint config).
    const own = report.files.filter((f) => folderOf(f) !== 'seed' && f.path.split(/[\\/]/).length > 2);
    expect(own.flatMap((f) => f.classes).length).toBeGreaterThanOrEqual(40);
    for (const f of own) {
      expect([...Object.keys(HAZARD_FOLDERS), 'good', 'signature'], f.path).toContain(folderOf(f));
      expect(f.classes.length, f.path).toBe(1);
    }
    for (const folder of [...Object.keys(HAZARD_FOLDERS), 'good', 'signature']) expect(filesIn(folder).length, folder).toBeGreaterThan(0);
  });

  it('every fixture file starts with a header comment saying what it shows', () => {
    for (const dir of readdirSync(FIXTURES, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name)) {
      for (const name of readdirSync(join(FIXTURES, dir))) {
        const text = readFileSync(join(FIXTURES, dir, name), 'utf8');
        expect(text.startsWith('// '), `${dir}/${name}`).toBe(true);
        expect(text.split('\n')[0].length, `${dir}/${name}`).toBeGreaterThan(20);
      }
    }
  });

  for (const [folder, rule] of Object.entries(HAZARD_FOLDERS)) {
    it(`${folder}/: every class is flagged by ${rule} and broke under a witness runtime`, () => {
      for (const f of filesIn(folder)) {
        for (const c of f.classes) {
          expect(c.status, describeClass(f, c)).toBe('broke-when-flagged');
          expect(c.flagged, describeClass(f, c)).toBe(true);
          expect(c.findings.map((x) => x.ruleId), describeClass(f, c)).toContain(rule);
          expect(c.guardedFailure, describeClass(f, c)).toBe(false);
        }
      }
    });
  }

  it('good/: every class has no finding and is clean under every runtime and profile', () => {
    for (const f of filesIn('good')) {
      expect(f.otherFindings, f.path).toEqual([]);
      for (const c of f.classes) {
        expect(c.findings, describeClass(f, c)).toEqual([]);
        expect(c.status, describeClass(f, c)).toBe('clean');
        // Not even the guarded runtime had to stop anything.
        for (const [k, v] of Object.entries(c.verdicts)) {
          if (!k.startsWith('pyo3-0.18.3@')) expect(v.verdict, `${describeClass(f, c)} ${k}`).toBe('ok');
        }
      }
    }
  });

  it('signature/: a traverse-signature finding only (no runtime hazard), and nothing breaks', () => {
    for (const f of filesIn('signature')) {
      for (const c of f.classes) {
        expect(c.findings.length, describeClass(f, c)).toBeGreaterThan(0);
        expect(c.findings.every((x) => x.ruleId === 'traverse-signature'), describeClass(f, c)).toBe(true);
        expect(c.flagged, describeClass(f, c)).toBe(false);
        expect(c.status, describeClass(f, c)).toBe('clean');
      }
    }
  });

  it("the seed's Ref is flagged by no-drop-in-traverse and breaks, and the guarded runtime contains it", () => {
    const ref = report.files.find((f) => f.path.endsWith(join('seed', 'ref.ts')))!;
    const [c] = ref.classes;
    expect(c.name).toBe('Ref');
    expect(c.status).toBe('broke-when-flagged');
    // The drop, and (issue 12) the visit the drop replaces when clearOnTraverse is set.
    expect(c.findings.map((x) => x.ruleId).sort()).toEqual(['no-drop-in-traverse', 'traverse-visits-all-fields']);
    expect(verdictsOf(c.verdicts, 'guarded').every((v) => v === 'ok' || v === 'error')).toBe(true);
  });

  it('seed crash1 main: crashes under pyo3-0.18.3 (3.8+: gc_refs live in _gc_prev), ok under guarded and every witness runtime', () => {
    const main = report.files.find((f) => f.path.endsWith(join('seed', 'crash1.ts')))!.main!;
    expect(main['pyo3-0.18.3@3.11'].verdict).toBe('crash');
    expect(main['pyo3-0.18.3@3.13'].verdict).toBe('crash');
    expect(main['pyo3-0.18.3@3.11'].detail).toMatch(/0x4/);
    // 3.7 keeps gc_refs in a word of its own: the mid-collection free unlinks cleanly, but an
    // object was freed inside a traverse: the graph changed under the collector (issue 13).
    expect(main['pyo3-0.18.3@3.7'].verdict).toBe('corrupt');
    expect(main['pyo3-0.18.3@3.7'].detail).toMatch(/^Ref .+ was freed inside Ref_traverse\(/);
    // The traverse is correct: only the 0.18.3 trampoline's pool breaks it.
    for (const rt of ['guarded', 'pyo3-0.18.3-patched', 'pyo3-0.19-nolock', 'c']) expect(verdictsOf(main, rt), rt).toEqual(['ok', 'ok', 'ok', 'ok']);
  });

  it('seed crash2 main: crashes under pyo3-0.18.3 and the patched variant, ok under guarded', () => {
    const main = report.files.find((f) => f.path.endsWith(join('seed', 'crash2.ts')))!.main!;
    expect(verdictsOf(main, 'pyo3-0.18.3')).toContain('crash');
    expect(verdictsOf(main, 'pyo3-0.18.3-patched')).toContain('crash');
    expect(main['pyo3-0.18.3-patched@3.11'].detail).toMatch(/0x4/);
    expect(verdictsOf(main, 'guarded')).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(verdictsOf(main, 'pyo3-0.19-nolock')).toEqual(['ok', 'ok', 'ok', 'ok']);
  });
});
