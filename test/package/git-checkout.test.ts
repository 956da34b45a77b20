// Installing from a git checkout: `npm install <checkout>` in a fresh project must not fail
// when the checkout has no node_modules (npm links the directory and runs its `prepare`
// without installing anything there): prepare skips the build and says what to do, and the
// command says the same instead of a stack trace. Once the checkout has its dependencies (the
// repository's own node_modules stand in for `npm ci` here), prepare builds dist/ and the
// linked command runs.
import { cpSync, existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { initProject, makeWorkDir, NPM_INSTALL_FLAGS, REPO_PACKAGE, REPO_ROOT, run } from '../helpers/packed.js';

const work = makeWorkDir('checkout');
const checkout = path.join(work, 'traverse-guard');
const project = path.join(work, 'project');

beforeAll(() => {
  // The checkout as git would give it: tracked and new files, nothing git ignores (no dist/, no node_modules).
  const files = run(REPO_ROOT, 'git', ['ls-files', '-co', '--exclude-standard', '-z']).stdout.split('\0').filter(Boolean);
  for (const file of files) {
    if (!existsSync(path.join(REPO_ROOT, file))) continue; // deleted in the working tree
    mkdirSync(path.dirname(path.join(checkout, file)), { recursive: true });
    cpSync(path.join(REPO_ROOT, file), path.join(checkout, file));
  }
  initProject(project);
}, 120_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('npm install <git checkout>', () => {
  it('succeeds without the checkout having run npm ci: prepare skips the build with a clear message', () => {
    expect(existsSync(path.join(checkout, 'node_modules'))).toBe(false);
    const r = run(project, 'npm', ['install', ...NPM_INSTALL_FLAGS, '--foreground-scripts', checkout]);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toContain('traverse-guard: prepare: skipped building dist/ — TypeScript is not installed in');
    expect(r.stdout + r.stderr).toContain('run `npm ci` in that checkout');
  });

  it('the linked command then says how to build, in one line, exit 2', () => {
    const r = run(project, 'npx', ['--no-install', 'traverse-guard', '--version']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^traverse-guard: dist\/ is not built in .*; run `npm ci` there \(or `npm run build` once its dependencies are installed\)\n$/);
  });

  it('once the checkout has its dependencies, prepare builds dist/ and the command runs', () => {
    symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(checkout, 'node_modules'), 'dir');
    const prepare = run(checkout, 'npm', ['run', 'prepare', '--silent']);
    expect(prepare.status, prepare.stdout + prepare.stderr).toBe(0);
    expect(existsSync(path.join(checkout, 'dist', 'src', 'cli', 'main.js'))).toBe(true);
    const r = run(project, 'npx', ['--no-install', 'traverse-guard', '--version']);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe(REPO_PACKAGE.version);
  });
});
