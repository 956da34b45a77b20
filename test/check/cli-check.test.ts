// `traverse-guard check` end to end: exit codes (0 agreement, 1 disagreement, 2 usage or input
// errors), per-file errors that let the run go on, the three output formats, and the
// messages for unknown runtimes and profiles. Needs dist/ (test/global-setup.ts builds it).
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUNTIME_KINDS } from '../../src/api/index.js';
import type { CheckReport } from '../../src/check/report.js';
import { PROFILE_NAMES } from '../../src/simulator/index.js';
import { DEAD, GOOD, HIDDEN, LOOPS, READS, THROWS, runBin, runCli, tempProject } from './helpers.js';

/** One witness runtime, the guarded one, one profile: enough to judge, and quick. */
const FAST = ['--runtimes', 'guarded,c', '--python', '3.11'];

let project: ReturnType<typeof tempProject>;

beforeAll(() => {
  project = tempProject({
    'good.ts': GOOD,
    'hidden.ts': HIDDEN,
    'dead.ts': DEAD,
    'errors/good.ts': GOOD,
    'errors/throws.ts': THROWS,
    'errors/loops.ts': LOOPS,
    'errors/reads.ts': READS,
    'nots/readme.md': '# not TypeScript\n',
    'nots/types.d.ts': 'export declare const x: number;\n',
    // A project's own tests and tool configs beside its pyclasses.
    'project/src/good.ts': GOOD,
    'project/src/good.test.ts': "import { describe, it, expect } from 'vitest';\nimport { gc } from 'traverse-guard';\nimport { Good } from './good.js';\ndescribe('Good', () => it('is a pyclass', () => expect(Good.name).toBe('Good')));\nexport const collected = () => gc.collect();\n",
    'project/eslint.config.js': "import traverseGuard from 'traverse-guard/eslint-plugin';\nexport default [traverseGuard.configs.recommended];\n",
    'project/src/lodash-user.ts': "import { field, pyclass } from 'traverse-guard';\nimport { noop } from 'lodash';\nexport const UsesLodash = pyclass('UsesLodash', { fields: { n: field.int() }, traverse() { noop(); } });\n",
    'js/plain.js': "import { field, pyclass } from 'traverse-guard';\nexport const Plain = pyclass('Plain', {\n  fields: { child: field.ref() },\n  traverse(self, visit) {\n    visit.call(self.child);\n  },\n  derive: 'clear',\n});\n",
  });
});
afterAll(() => project.cleanup());

const p = (rel: string) => join(project.dir, rel);

describe('check: exit codes', () => {
  it('exits 0 on agreement: a correct class is clean under every runtime and profile', async () => {
    const r = await runCli(['check', p('good.ts'), '--format', 'json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as CheckReport;
    expect(report.runtimes).toEqual(RUNTIME_KINDS);
    const [cls] = report.files[0].classes;
    expect(cls).toMatchObject({ name: 'Good', flagged: false, status: 'clean', guardedFailure: false });
    // Every (runtime, profile) pair was run, none broke.
    expect(Object.keys(cls.verdicts)).toHaveLength(RUNTIME_KINDS.length * report.profiles.length);
    for (const [k, v] of Object.entries(cls.verdicts)) if (!k.startsWith('pyo3-0.18.3@')) expect([k, v.verdict]).toEqual([k, 'ok']);
  });

  it('exits 1 when a class breaks the heap but the lint cannot see it (missed by lint)', async () => {
    const r = await runCli(['check', p('hidden.ts'), '--format', 'json', ...FAST]);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as CheckReport;
    const [cls] = report.files[0].classes;
    expect(cls.findings).toEqual([]);
    expect(cls.status).toBe('missed-by-lint');
    expect(report.summary).toMatchObject({ missedByLint: 1, flaggedNeverBroke: 0, guardedFailures: 0 });
    const c = cls.verdicts['c@3.11'];
    expect(['crash', 'corrupt']).toContain(c.verdict);
    expect(c.reproducer).toMatchObject({ class: 'Hidden', runtime: 'c', python: '3.11' });
    // The guarded runtime contains it.
    expect(['ok', 'error']).toContain(cls.verdicts['guarded@3.11'].verdict);
  });

  it('exits 1 when a flagged class never breaks (and lints files outside the working directory)', async () => {
    const r = await runCli(['check', p('dead.ts'), '--format', 'json', ...FAST]);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as CheckReport;
    const [cls] = report.files[0].classes;
    // The temp project is outside the repository (the CLI's cwd): ESLint must still lint it.
    expect(cls.findings.map((f) => f.ruleId)).toEqual(['no-drop-in-traverse']);
    expect(cls).toMatchObject({ flagged: true, status: 'flagged-never-broke' });
    expect(cls.explanation).toContain('flagged, never broke');
  });

  it('exits 0 for the seed fixture Ref: flagged, and it crashes under a witness runtime', async () => {
    const r = await runCli(['check', 'fixtures/seed/ref.ts', '--format', 'json']);
    expect(r.code).toBe(0);
    const [cls] = (JSON.parse(r.stdout) as CheckReport).files[0].classes;
    expect(cls.status).toBe('broke-when-flagged');
    expect(cls.explanation).toMatch(/^crash under (c|pyo3-0\.18\.3-patched|pyo3-0\.19-nolock)@/);
    expect(cls.explanation).toContain('ref.ts:12');
  });
});

describe('check: input errors exit 2', () => {
  it('a missing path', async () => {
    const r = await runCli(['check', p('no-such-dir')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no such file or directory');
    expect(r.stdout).toBe('');
  });

  it('a directory without TypeScript or JavaScript files (.d.ts and .md do not count)', async () => {
    const r = await runCli(['check', p('nots')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no TypeScript or JavaScript files');
  });

  it("a project's tests and configs that define nothing to check are not loaded; a pyclass module importing a package is a per-file error", async () => {
    const r = await runCli(['check', p('project'), '--format', 'json', '--no-config-lookup', ...FAST]);
    const report = JSON.parse(r.stdout) as CheckReport;
    expect(report.files.map((f) => [f.path.split('/').slice(-2).join('/'), f.error?.replace(/:.*$/s, ''), f.classes.map((c) => c.name)])).toEqual([
      ['src/good.ts', undefined, ['Good']],
      ['src/lodash-user.ts', 'failed to load', []],
    ]);
    expect(report.files[1]!.error).toMatch(/imports lodash: a checked file may import only traverse-guard and its own relative files/);
    expect(r.code).toBe(2);
  });

  it('.js files are checked like .ts', async () => {
    const r = await runCli(['check', p('js'), '--format', 'json', ...FAST]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as CheckReport;
    expect(report.files.map((f) => [f.path.split('/').pop(), f.error, f.classes.map((c) => [c.name, c.status])])).toEqual([['plain.js', undefined, [['Plain', 'clean']]]]);
  });

  it('a dangling symlink in a directory', async () => {
    const dir = p('dangling');
    mkdirSync(dir);
    writeFileSync(join(dir, 'ok.ts'), GOOD);
    symlinkSync(join(dir, 'nowhere.ts'), join(dir, 'gone.ts'));
    const r = await runCli(['check', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot read .*gone\.ts: ENOENT/);
  });

  it('a file the user may not read (EACCES)', async () => {
    const dir = p('locked');
    mkdirSync(dir);
    chmodSync(project.dir, 0o755);
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, 'secret.ts'), GOOD);
    chmodSync(join(dir, 'secret.ts'), 0o000);
    // Root reads any file: as root, run the check with the effective uid of `nobody` (given
    // back right after), so the permission bits count. It fails before any worker starts.
    const asRoot = process.getuid?.() === 0;
    if (asRoot) process.seteuid!(65534);
    let r;
    try {
      r = await runCli(['check', dir]);
    } finally {
      if (asRoot) process.seteuid!(0);
    }
    expect(r.stderr).toMatch(/cannot read .*secret\.ts: EACCES/);
    expect(r.code).toBe(2);
  });

  it('a file that throws at load, loops forever, or reads outside its sandbox: per-file errors, the run goes on', async () => {
    const r = await runCli(['check', p('errors'), '--format', 'json', '--timeout', '2', ...FAST]);
    expect(r.code).toBe(2);
    const report = JSON.parse(r.stdout) as CheckReport;
    const byName: Record<string, CheckReport['files'][number]> = Object.fromEntries(report.files.map((f) => [f.path.split('/').pop() ?? f.path, f]));
    expect(Object.keys(byName).sort()).toEqual(['good.ts', 'loops.ts', 'reads.ts', 'throws.ts']);
    expect(byName['throws.ts'].error).toMatch(/failed to load: .*boom at load/);
    expect(byName['loops.ts'].error).toMatch(/did not finish within 2s/);
    // A checked file's realm has no Node built-ins at all (and its worker's permission model
    // would refuse the read besides).
    expect(byName['reads.ts'].error).toMatch(/failed to load: .*imports node:fs: a checked file may import only traverse-guard/);
    // The good file in the same run was still checked.
    expect(byName['good.ts'].error).toBeUndefined();
    expect(byName['good.ts'].classes.map((c) => [c.name, c.status])).toEqual([['Good', 'clean']]);
    expect(report.summary).toMatchObject({ files: 4, fileErrors: 3, classes: 1 });
  });
});

describe('check: options', () => {
  it('rejects an unknown runtime with exit 2, listing the valid ones', async () => {
    const r = await runCli(['check', p('good.ts'), '--runtimes', 'c,pyo3-9']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown runtime 'pyo3-9'");
    for (const k of RUNTIME_KINDS) expect(r.stderr).toContain(k);
    expect(r.stdout).toBe('');
  });

  it('rejects an unknown Python profile with exit 2, listing the valid ones', async () => {
    const r = await runCli(['check', p('good.ts'), '--python', '3.11,2.7']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown Python profile '2.7'");
    for (const k of PROFILE_NAMES) expect(r.stderr).toContain(k);
  });

  it('rejects an unknown format and a non-numeric timeout with exit 2', async () => {
    expect((await runCli(['check', p('good.ts'), '--format', 'xml'])).stderr).toContain("unknown format 'xml'");
    const t = await runCli(['check', p('good.ts'), '--timeout', 'soon']);
    expect(t.code).toBe(2);
    expect(t.stderr).toContain('--timeout must be a positive integer');
  });

  it('--runtimes and --python choose the pairs that are run', async () => {
    const r = await runCli(['check', p('good.ts'), '--format', 'json', '--runtimes', 'c', '--python', '3.7,3.13d']);
    const report = JSON.parse(r.stdout) as CheckReport;
    expect(report.runtimes).toEqual(['c']);
    expect(report.profiles).toEqual(['3.7', '3.13d']);
    expect(Object.keys(report.files[0].classes[0].verdicts).sort()).toEqual(['c@3.13d', 'c@3.7']);
  });
});

describe('check: formats', () => {
  it('table (the default): one line per class with its worst verdict per runtime, then the summary', async () => {
    const r = await runCli(['check', p('good.ts'), p('hidden.ts'), '--no-color', ...FAST]);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toMatch(/\u001b\[/);
    const lines = r.stdout.split('\n');
    expect(lines.find((l) => l.includes('Good:'))).toMatch(/guarded ok .*c ok .*✓ clean/);
    expect(lines.find((l) => l.includes('Hidden:'))).toMatch(/c (CRASH|CORRUPT).*✗ missed by lint/);
    expect(r.stdout).toContain('2 classes in 2 files, 0 flagged');
    expect(lines.filter(Boolean).at(-1)).toBe('disagreement');
  });

  it('json: the report object, nothing else on stdout', async () => {
    const r = await runCli(['check', p('good.ts'), '--format', 'json', ...FAST]);
    const report = JSON.parse(r.stdout) as CheckReport;
    expect(report.tool.name).toBe('traverse-guard');
    expect(report.summary).toMatchObject({ files: 1, classes: 1, flagged: 0 });
    expect(report.summary.runs).toBeGreaterThan(0);
  });

  it('sarif: a 2.1.0 log whose results point at the findings and the disagreements', async () => {
    const r = await runCli(['check', p('hidden.ts'), p('dead.ts'), '--format', 'sarif', ...FAST]);
    expect(r.code).toBe(1);
    const log = JSON.parse(r.stdout) as import('sarif').Log;
    expect(log.version).toBe('2.1.0');
    const results = log.runs[0].results ?? [];
    const ids = results.map((x) => `${x.ruleId}@${x.locations?.[0].physicalLocation?.artifactLocation?.uri?.split('/').pop()}`).sort();
    expect(ids).toEqual(['check/flagged-never-broke@dead.ts', 'check/missed-by-lint@hidden.ts', 'no-drop-in-traverse@dead.ts']);
  });

  it('the built bin gives the same exit code and output as the in-process CLI', () => {
    const r = runBin(['check', project.dir + '/hidden.ts', '--format', 'json', ...FAST]);
    expect(r.code).toBe(1);
    expect((JSON.parse(r.stdout) as CheckReport).files[0].classes[0].status).toBe('missed-by-lint');
  });
});
