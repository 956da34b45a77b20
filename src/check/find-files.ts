// Which files `traverse-guard check` reads, and the guard every read goes through. The paths
// given (or, with none, the files the project's tsconfig.json includes, else src/, else .) are
// walked; only regular files whose real path lies inside a checked root are accepted, each
// once however many links reach it. A symlink out of the roots, a FIFO, a device or a file over
// MAX_FILE_BYTES becomes a per-file error (the run goes on); walks skip node_modules, .git and
// build output, and default paths also skip what git ignores.

import { spawnSync } from 'node:child_process';
import { closeSync, constants, existsSync, fstatSync, openSync, readSync, readdirSync, realpathSync, statSync, type Stats } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

export class CheckInputError extends Error {}

/** Larger files are refused (a symlink to /dev/zero or a huge generated file must not be read). */
export const MAX_FILE_BYTES = 2 * 1024 * 1024;

export const CHECKED_FILE = /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$/;
const DECLARATION = /\.d\.[cm]?ts$/;
const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', 'build', 'out']);

/** The directories whose files the check may read (real paths). */
export interface CheckedRoots {
  readonly dirs: readonly string[];
  /** The real path of `p` when it lies inside a root, else undefined. */
  inside(p: string): string | undefined;
}

export function checkedRoots(dirs: readonly string[]): CheckedRoots {
  const real = [...new Set(dirs.map((d) => realpathSync(d)))];
  return {
    dirs: real,
    inside(p) {
      let r: string;
      try {
        r = realpathSync(p);
      } catch {
        return undefined;
      }
      return real.some((d) => r === d || r.startsWith(d.endsWith(sep) ? d : d + sep)) ? r : undefined;
    },
  };
}

function kindOf(st: Stats): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  if (st.isDirectory()) return 'a directory';
  return 'not a regular file';
}

/** Why `real` may not be read as a checked file, or undefined when it may. */
function refusal(st: Stats): string | undefined {
  if (!st.isFile()) return `is ${kindOf(st)}, not a regular file`;
  if (st.size > MAX_FILE_BYTES) return `is ${st.size} bytes, over the ${MAX_FILE_BYTES}-byte limit`;
  return undefined;
}

/** Reads a file the check accepted (or a local import of one): inside the roots, regular, not
 *  too big; opened without blocking (a FIFO swapped in meanwhile cannot hang the read) and
 *  checked again on the open descriptor. Throws an Error whose message is the per-file error. */
export function readChecked(file: string, roots: CheckedRoots): string {
  const real = roots.inside(file);
  if (!real) throw new Error(`${file} is outside the checked paths`);
  const fd = openSync(real, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const why = refusal(fstatSync(fd));
    if (why) throw new Error(`${file} ${why}`);
    const buf = Buffer.alloc(MAX_FILE_BYTES + 1);
    let n = 0;
    for (let k; n < buf.length && (k = readSync(fd, buf, n, buf.length - n, null)) > 0; ) n += k;
    if (n > MAX_FILE_BYTES) throw new Error(`${file} grew over the ${MAX_FILE_BYTES}-byte limit`);
    return buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

export interface FoundFile {
  /** As found (for the report and the lint). */
  readonly path: string;
  /** Its real path (what is compiled; the identity for deduplication). */
  readonly real: string;
}

export interface FoundFiles {
  readonly files: readonly FoundFile[];
  /** Paths refused before reading: the run reports each as a per-file error. */
  readonly rejected: readonly { readonly path: string; readonly error: string }[];
  readonly roots: CheckedRoots;
}

/** Files `git check-ignore` says are ignored (none when git or a repository is missing). */
function gitIgnored(paths: readonly string[], cwd: string): Set<string> {
  if (!paths.length) return new Set();
  const r = spawnSync('git', ['check-ignore', '--stdin', '-z'], { cwd, input: paths.join('\0') + '\0', encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error || (r.status !== 0 && r.status !== 1)) return new Set();
  return new Set(r.stdout.split('\0').filter(Boolean).map((p) => resolve(cwd, p)));
}

/** With no path argument: the project's tsconfig.json files, else src/, else the directory. */
export function defaultPaths(cwd: string): { paths: string[]; fromTsconfig: boolean } {
  const config = join(cwd, 'tsconfig.json');
  if (existsSync(config)) {
    const read = ts.readConfigFile(config, ts.sys.readFile);
    if (read.error) throw new CheckInputError(`${config}: ${ts.flattenDiagnosticMessageText(read.error.messageText, '\n')}`);
    const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, cwd, { allowJs: true }, config);
    const fatal = parsed.errors.find((e) => e.category === ts.DiagnosticCategory.Error && e.code !== 18003);
    if (fatal) throw new CheckInputError(`${config}: ${ts.flattenDiagnosticMessageText(fatal.messageText, '\n')}`);
    return { paths: parsed.fileNames.map((f) => resolve(cwd, f)), fromTsconfig: true };
  }
  const src = join(cwd, 'src');
  if (existsSync(src) && statSync(src).isDirectory()) return { paths: [src], fromTsconfig: false };
  return { paths: [cwd], fromTsconfig: false };
}

/**
 * The files to check under `paths` (resolved against `cwd`), sorted by path, each real file
 * once. With `paths` empty, the defaults (defaultPaths) minus what git ignores.
 */
export function findFiles(paths: readonly string[], cwd: string): FoundFiles {
  const defaults = paths.length === 0;
  const given = defaults ? defaultPaths(cwd).paths : paths.map((p) => resolve(cwd, p));
  const rootDirs: string[] = [];
  for (const [i, abs] of given.entries()) {
    if (!existsSync(abs)) {
      if (defaults) continue;
      throw new CheckInputError(`no such file or directory: ${paths[i]}`);
    }
    rootDirs.push(statSync(abs).isDirectory() ? abs : dirname(abs));
  }
  if (defaults) rootDirs.push(cwd);
  const roots = checkedRoots(rootDirs);
  const show = (f: string) => relative(cwd, f) || f;
  const files: FoundFile[] = [];
  const rejected: { path: string; error: string }[] = [];
  const seenFiles = new Set<string>();
  const seenDirs = new Set<string>();
  const candidate = (f: string, st: Stats) => {
    const real = roots.inside(f);
    if (!real) {
      rejected.push({ path: show(f), error: `refused: it resolves to ${realOrSelf(f)}, outside the checked paths` });
      return;
    }
    if (seenFiles.has(real)) return;
    seenFiles.add(real);
    const why = refusal(st);
    if (why) {
      rejected.push({ path: show(f), error: `refused: ${show(f)} ${why}` });
      return;
    }
    // Open (without blocking) to learn early that the user may not read it: that is bad input.
    try {
      closeSync(openSync(real, constants.O_RDONLY | constants.O_NONBLOCK));
    } catch (e) {
      throw new CheckInputError(`cannot read ${show(f)}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    files.push({ path: f, real });
  };
  const walk = (f: string) => {
    let st: Stats;
    try {
      st = statSync(f);
    } catch (e) {
      // A dangling or looping symlink, or an entry that vanished.
      throw new CheckInputError(`cannot read ${show(f)}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    if (st.isDirectory()) {
      const real = roots.inside(f);
      if (!real) {
        rejected.push({ path: show(f), error: `refused: the directory resolves to ${realOrSelf(f)}, outside the checked paths` });
        return;
      }
      if (seenDirs.has(real)) return;
      seenDirs.add(real);
      for (const e of readdirSync(f).sort()) if (!SKIP_DIRS.has(e)) walk(join(f, e));
      return;
    }
    const name = f.slice(f.lastIndexOf(sep) + 1);
    if (!CHECKED_FILE.test(name) || DECLARATION.test(name)) return;
    candidate(f, st);
  };
  let starts = given.filter((g) => existsSync(g));
  if (defaults) {
    const ignored = gitIgnored(starts, cwd);
    starts = starts.filter((s) => !ignored.has(s) && !relative(cwd, s).split(sep).some((part) => SKIP_DIRS.has(part)));
  }
  for (const abs of starts) walk(abs);
  let out = files;
  if (defaults) {
    const ignored = gitIgnored(files.map((f) => f.path), cwd);
    out = files.filter((f) => !ignored.has(f.path));
  }
  if (!out.length && !rejected.length) throw new CheckInputError(`no TypeScript or JavaScript files in ${defaults ? show(cwd) || '.' : paths.join(', ')}`);
  return { files: [...out].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)), rejected, roots };
}

function realOrSelf(f: string): string {
  try {
    return realpathSync(f);
  } catch {
    return f;
  }
}
