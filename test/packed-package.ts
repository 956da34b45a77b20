// Shared by the tests that meet the package as a user does (test/rules/packed-install.test.ts,
// test/check/downstream.test.ts): build dist/, `npm pack` it (no lifecycle scripts), and
// install the tarball into a fresh project.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Builds dist/ (tolerating type errors elsewhere in the tree) and packs it into `dest`; returns the tarball. */
export function packPackage(dest: string): string {
  spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: repoRoot, encoding: 'utf8' });
  if (!existsSync(path.join(repoRoot, 'dist', 'rules', 'index.js'))) throw new Error('the build produced no dist/');
  execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', dest], { cwd: repoRoot, stdio: 'pipe' });
  return path.join(dest, readdirSync(dest).find((name) => name.endsWith('.tgz'))!);
}

/** A fresh `"type": "module"` project in `dir` with the tarball (and `extra` packages) installed. */
export function installProject(dir: string, tarball: string, extra: readonly string[] = []): void {
  mkdirSync(path.join(dir, 'src'), { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'user-project', private: true, type: 'module' }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', tarball, ...extra], { cwd: dir, stdio: 'pipe' });
}
