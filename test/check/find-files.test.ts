// Which files `check` takes (find-files.ts): with no path, the project's tsconfig.json files,
// else src/, else the directory; node_modules, build output and git-ignored paths skipped;
// .js/.mjs/.cjs/.jsx beside .ts; files over the size limit refused; `--fixtures`.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_FILE_BYTES, findFiles } from '../../src/check/find-files.js';
import type { CheckReport } from '../../src/check/report.js';
import { GOOD, runCli, tempProject } from './helpers.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function project(files: Record<string, string>): string {
  const p = tempProject(files);
  cleanups.push(p.cleanup);
  return p.dir;
}

const names = (dir: string, paths: string[] = []) => findFiles(paths, dir).files.map((f) => f.path.slice(dir.length + 1)).sort();

describe('check: default paths', () => {
  it("with a tsconfig.json: the files it includes (TypeScript's own parser; excludes honoured)", () => {
    const dir = project({
      'tsconfig.json': '{ // comments are fine\n "include": ["lib", "extra/*.ts"], "exclude": ["lib/skip"] }\n',
      'lib/a.ts': GOOD,
      'lib/skip/b.ts': GOOD,
      'extra/c.ts': GOOD,
      'other/d.ts': GOOD,
    });
    expect(names(dir)).toEqual(['extra/c.ts', 'lib/a.ts']);
  });

  it('a broken tsconfig.json is a clear input error', () => {
    const dir = project({ 'tsconfig.json': '{ "include": [1, }', 'src/a.ts': GOOD });
    expect(() => findFiles([], dir)).toThrow(/tsconfig\.json/);
  });

  it('without one: src/, else the directory; node_modules, dist, build and out are skipped', () => {
    expect(names(project({ 'src/a.ts': GOOD, 'b.ts': GOOD }))).toEqual(['src/a.ts']);
    const flat = project({ 'a.ts': GOOD, 'node_modules/x/b.ts': GOOD, 'dist/c.ts': GOOD, 'build/d.ts': GOOD, 'out/e.ts': GOOD, 'types.d.ts': '' });
    expect(names(flat)).toEqual(['a.ts']);
  });

  it('git-ignored paths are skipped (when git and a repository are there)', () => {
    const dir = project({ 'a.ts': GOOD, 'gen/b.ts': GOOD, 'c.generated.ts': GOOD, '.gitignore': 'gen/\n*.generated.ts\n' });
    const git = spawnSync('git', ['init', '-q'], { cwd: dir });
    if (git.error) return; // no git on this machine: nothing to ask
    expect(names(dir)).toEqual(['a.ts']);
  });

  it('.js, .mjs, .cjs and .jsx are checked like .ts', () => {
    const dir = project({ 'src/a.js': '', 'src/b.mjs': '', 'src/c.cjs': '', 'src/d.jsx': '', 'src/e.tsx': '', 'src/f.mts': '', 'src/g.md': '' });
    expect(names(dir)).toEqual(['src/a.js', 'src/b.mjs', 'src/c.cjs', 'src/d.jsx', 'src/e.tsx', 'src/f.mts']);
  });

  it('a file over the size limit is refused before it is read', () => {
    const dir = project({ 'a.ts': GOOD });
    writeFileSync(join(dir, 'big.ts'), `// big\n${' '.repeat(MAX_FILE_BYTES)}\n`);
    const found = findFiles([dir], dir);
    expect(found.files.map((f) => f.path)).toEqual([join(dir, 'a.ts')]);
    expect(found.rejected).toEqual([{ path: 'big.ts', error: expect.stringMatching(/over the 2097152-byte limit/) }]);
  });

  it('check with no argument in a project checks its files', async () => {
    const dir = project({ 'src/good.ts': GOOD, 'node_modules/dep/bad.ts': 'throw new Error("not mine")' });
    const cwd = process.cwd();
    process.chdir(dir);
    let r;
    try {
      r = await runCli(['check', '--format', 'json', '--runtimes', 'c', '--python', '3.11']);
    } finally {
      process.chdir(cwd);
    }
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as CheckReport).files.map((f) => f.path)).toEqual(['src/good.ts']);
  });

  it('--fixtures checks the bundled fixtures, and takes no paths', async () => {
    const r = await runCli(['check', '--fixtures', 'x.ts']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--fixtures takes no paths');
  });
});
