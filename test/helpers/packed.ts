// Shared by the tests that use the package as a downstream project does: `npm pack` this
// repository once (dist/ is built by test/global-setup.ts), then make fresh npm projects in a
// temporary directory, install the tarball and other packages into them, and run commands there.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The repository's package.json. */
export const REPO_PACKAGE = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
  version: string;
  peerDependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** The version of `name` installed in the repository's own node_modules (its devDependency). */
export function repoInstalledVersion(name: string): string {
  return (JSON.parse(readFileSync(path.join(REPO_ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

/** A new temporary directory for one test file's projects. */
export function makeWorkDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `tg-${prefix}-`));
}

/** Packs the repository into `dest` without lifecycle scripts and returns the tarball's path.
 *  dist/ must exist (global setup builds it); it is built here if it does not. */
export function packTarball(dest: string): string {
  if (!existsSync(path.join(REPO_ROOT, 'dist', 'rules', 'index.js'))) {
    // Build, tolerating type errors elsewhere in the tree (tsc still emits).
    spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: REPO_ROOT, encoding: 'utf8' });
  }
  mkdirSync(dest, { recursive: true });
  const before = new Set(readdirSync(dest));
  execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', dest], { cwd: REPO_ROOT, stdio: 'pipe' });
  const tarball = readdirSync(dest).find((name) => name.endsWith('.tgz') && !before.has(name));
  if (!tarball) throw new Error(`npm pack wrote no new tarball into ${dest}`);
  return path.join(dest, tarball);
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command in `cwd`; never throws on a non-zero exit (the caller asserts the status). */
export function run(cwd: string, command: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): RunResult {
  const r = spawnSync(command, [...args], { cwd, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** Runs a shell command line in `cwd` (for commands copied from documentation). */
export function sh(cwd: string, line: string, env: NodeJS.ProcessEnv = {}): RunResult {
  return run(cwd, 'sh', ['-c', line], env);
}

/** Flags for every `npm install` in a test project: quiet, and the local cache first. */
export const NPM_INSTALL_FLAGS = ['--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'];

/** `npm install …args` in `cwd`; throws with npm's output if it fails. */
export function npmInstall(cwd: string, args: readonly string[]): void {
  const r = run(cwd, 'npm', ['install', ...NPM_INSTALL_FLAGS, ...args]);
  if (r.status !== 0) throw new Error(`npm install ${args.join(' ')} failed in ${cwd}:\n${r.stdout}\n${r.stderr}`);
}

/** A fresh project directory made by `npm init -y` (npm's own defaults: "type": "commonjs"),
 *  with `extra` fields merged into its package.json. */
export function initProject(dir: string, extra: Record<string, unknown> = {}): string {
  mkdirSync(dir, { recursive: true });
  execFileSync('npm', ['init', '-y'], { cwd: dir, stdio: 'pipe' });
  if (Object.keys(extra).length > 0) {
    const file = path.join(dir, 'package.json');
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), ...extra }, null, 2));
  }
  return dir;
}

/** Writes `files` (path relative to `dir` → content), creating folders. */
export function writeFiles(dir: string, files: Readonly<Record<string, string>>): void {
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), content);
  }
}

export interface EslintResult {
  filePath: string;
  messages: Array<{ ruleId: string | null; line: number; message: string; fatal?: boolean }>;
}

/** Parses `eslint -f json` output; throws with ESLint's output if it crashed (exit 2). */
export function eslintJson(r: RunResult): EslintResult[] {
  if (r.status !== 0 && r.status !== 1) throw new Error(`eslint exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(r.stdout) as EslintResult[];
}

/** The messages ESLint reported for the file named `base` (basename). */
export const messagesOf = (results: readonly EslintResult[], base: string) =>
  results.find((result) => path.basename(result.filePath) === base)?.messages ?? [];
