// The check lints as the project does: the eslint.config.* ESLint finds for each file (rule
// levels, typed parserOptions, eslint-disable comments), or --config FILE, or the plugin's
// recommended config (typed when a tsconfig.json includes the files); a broken config or a
// hung lint is a one-line error and exit 2. The temporary projects see this package as
// node_modules/traverse-guard (a symlink), as an install would.
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CheckReport } from '../../src/check/report.js';
import { REPO, runCli, tempProject } from './helpers.js';

const DROPS = `import { field, pyclass, type RefCell } from 'traverse-guard';

export const Drops = pyclass('Drops', {
  fields: { inner: field.cell() },
  traverse(self, visit) {
    visit.call(self.inner.get());
    (self.inner as unknown as RefCell).take();
  },
  clear(self) {
    self.inner.take();
  },
});
`;

/** \`.drop()\` on the user's own class: name-based (untyped) lint flags it, typed lint does not. */
const RING = `import { field, pyclass } from 'traverse-guard';

class Ring {
  items: number[] = [];
  drop(): void {
    this.items.length = 0;
  }
}
const ring = new Ring();

export const UsesRing = pyclass('UsesRing', {
  fields: { inner: field.cell() },
  traverse(self, visit) {
    visit.call(self.inner.get());
    ring.drop();
  },
  clear(self) {
    self.inner.clear();
  },
});
`;

const TSCONFIG = JSON.stringify({
  compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', strict: true, noEmit: true, skipLibCheck: true, lib: ['ES2023', 'ESNext.Disposable'] },
  include: ['src'],
});

const TYPED_CONFIG = `import traverseGuard from 'traverse-guard/eslint-plugin';
export default [
  traverseGuard.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: { allowDefaultProject: ['*.config.js'] }, tsconfigRootDir: import.meta.dirname } },
    settings: { 'traverse-guard': { typeAware: 'auto' } },
  },
];
`;

const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

function project(files: Record<string, string>): string {
  const p = tempProject({ 'package.json': '{ "name": "user", "private": true, "type": "module" }\n', ...files });
  mkdirSync(join(p.dir, 'node_modules'));
  symlinkSync(REPO, join(p.dir, 'node_modules', 'traverse-guard'), 'dir');
  cleanups.push(p.cleanup);
  return p.dir;
}

async function check(args: string[]): Promise<{ code: number; report?: CheckReport; stderr: string }> {
  const r = await runCli(['check', ...args, '--format', 'json', '--python', '3.11']);
  return { code: r.code, report: r.stdout ? (JSON.parse(r.stdout) as CheckReport) : undefined, stderr: r.stderr };
}

const statusOf = (r: CheckReport | undefined, name: string) => r?.files.flatMap((f) => f.classes).find((c) => c.name === name)?.status;

describe("the project's own lint", () => {
  it('a typed eslint.config.js: the own-class .drop() is clean, the hazard is flagged; the report names config and mode', async () => {
    const dir = project({ 'eslint.config.js': TYPED_CONFIG, 'tsconfig.json': TSCONFIG, 'src/ring.ts': RING, 'src/drops.ts': DROPS });
    const { code, report } = await check([join(dir, 'src')]);
    expect(report?.lint).toMatchObject({ source: 'project', mode: 'typed' });
    expect(report?.lint?.files[0]).toMatch(/eslint\.config\.js$/);
    expect(statusOf(report, 'UsesRing')).toBe('clean');
    expect(statusOf(report, 'Drops')).toBe('broke-when-flagged');
    expect(code).toBe(0);
  }, 180_000);

  it('--config picks another config: untyped, the own-class .drop() is a false positive', async () => {
    const dir = project({
      'eslint.config.js': TYPED_CONFIG,
      'untyped.config.js': "import tg from 'traverse-guard/eslint-plugin';\nexport default [tg.configs.recommended];\n",
      'src/ring.ts': RING,
    });
    const { code, report } = await check([join(dir, 'src'), '--config', join(dir, 'untyped.config.js')]);
    expect(report?.lint).toMatchObject({ source: 'option', mode: 'untyped' });
    expect(statusOf(report, 'UsesRing')).toBe('flagged-never-broke');
    expect(code).toBe(1);
  }, 180_000);

  it("the user's rule levels count: a rule set to off flags nothing, a warning flags (severity 1)", async () => {
    const off = project({
      'eslint.config.js': "import tg from 'traverse-guard/eslint-plugin';\nexport default [tg.configs.recommended, { rules: { 'traverse-guard/no-drop-in-traverse': 'off' } }];\n",
      'src/drops.ts': DROPS,
    });
    const a = await check([join(off, 'src')]);
    expect(statusOf(a.report, 'Drops')).toBe('missed-by-lint');
    const warn = project({
      'eslint.config.js': "import tg from 'traverse-guard/eslint-plugin';\nexport default [tg.configs.recommended, { rules: { 'traverse-guard/no-drop-in-traverse': 'warn' } }];\n",
      'src/drops.ts': DROPS,
    });
    const b = await check([join(warn, 'src')]);
    const cls = b.report?.files[0].classes[0];
    expect(cls?.status).toBe('broke-when-flagged');
    expect(cls?.findings.map((f) => [f.ruleId, f.severity])).toEqual([['no-drop-in-traverse', 1]]);
  }, 180_000);

  it('an eslint-disable comment keeps working', async () => {
    const dir = project({
      'eslint.config.js': "import tg from 'traverse-guard/eslint-plugin';\nexport default [tg.configs.recommended];\n",
      'src/drops.ts': DROPS.replace('    (self.inner', '    // eslint-disable-next-line traverse-guard/no-drop-in-traverse\n    (self.inner'),
    });
    const { report } = await check([join(dir, 'src')]);
    expect(report?.files[0].classes[0].findings).toEqual([]);
    expect(statusOf(report, 'Drops')).toBe('missed-by-lint');
  }, 180_000);

  it('no config, or --no-config-lookup: the recommended config, typed when a tsconfig.json includes the files', async () => {
    const typed = project({ 'tsconfig.json': TSCONFIG, 'src/ring.ts': RING });
    const a = await check([join(typed, 'src')]);
    expect(a.report?.lint).toMatchObject({ source: 'built-in', mode: 'typed' });
    expect(a.report?.lint?.tsconfig).toMatch(/tsconfig\.json$/);
    expect(statusOf(a.report, 'UsesRing')).toBe('clean');
    const untyped = project({ 'eslint.config.js': TYPED_CONFIG, 'src/ring.ts': RING });
    const b = await check([join(untyped, 'src'), '--no-config-lookup']);
    expect(b.report?.lint).toMatchObject({ source: 'built-in', mode: 'untyped' });
    expect(statusOf(b.report, 'UsesRing')).toBe('flagged-never-broke');
  }, 180_000);

  it('a broken config is one line naming the file, exit 2', async () => {
    const dir = project({ 'eslint.config.js': "import nope from './missing-module.js';\nexport default [nope];\n", 'src/drops.ts': DROPS });
    const r = await runCli(['check', join(dir, 'src'), '--python', '3.11']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/traverse-guard: ESLint could not use .*eslint\.config\.js: .*missing-module/);
    const missing = await runCli(['check', join(dir, 'src'), '--config', join(dir, 'nope.config.js')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--config: no such file/);
  }, 180_000);

  it('a lint that hangs hits its own time limit (it runs off the main thread): one line, exit 2', async () => {
    const dir = project({
      'eslint.config.js': "const t = Date.now();\nwhile (Date.now() - t < 120000);\nexport default [];\n",
      'src/drops.ts': DROPS,
    });
    const t0 = Date.now();
    const r = await runCli(['check', join(dir, 'src'), '--python', '3.11', '--lint-timeout', '3']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/the lint did not finish within 3s/);
    expect(Date.now() - t0).toBeLessThan(60_000);
  }, 180_000);
});
