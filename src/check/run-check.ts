// `traverse-guard check`: finds the TypeScript files, lints them, runs each in an isolated
// worker (both cores), and joins lint findings with the simulator's verdicts per class.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { RUNTIME_KINDS, type RuntimeKind } from '../api/index.js';
import { classAt, classSpans, plainTraverses } from './associate.js';
import { DEFAULT_PROFILES, type ComboOutcome, type ProfileChoice } from './explore.js';
import { IsolatedWorker, type IsolatedOutcome } from './isolate.js';
import { LintError, lintFiles, type LintFinding } from './lint.js';
import { judgeClass, summarize, type CheckReport, type FileReport, type VerdictEntry } from './report.js';
import { PACKAGE_ROOT } from './compile.js';
import { valueHints, type FileHints } from './value-hints.js';

export class CheckInputError extends Error {}

export interface CheckOptions {
  readonly paths: readonly string[];
  readonly cwd: string;
  readonly runtimes?: readonly RuntimeKind[];
  readonly profiles?: readonly ProfileChoice[];
  readonly timeoutMs?: number;
  readonly jobs?: number;
  /** Files a worker process checks before it is replaced (1 = a process per file). */
  readonly filesPerWorker?: number;
  readonly maxStates?: number;
  /** `--config FILE`: lint every file with this ESLint config. */
  readonly configFile?: string;
  /** false (`--no-config-lookup`): lint with the plugin's recommended config, ignoring eslint.config.*. */
  readonly configLookup?: boolean;
  /** Time limit of the lint (it runs in a worker thread); default 300 s. */
  readonly lintTimeoutMs?: number;
  readonly onProgress?: (done: number, total: number, runs: number) => void;
  /** After each file's worker: its wall time (spawn to exit) and the worker's own time after
   *  start-up (load and exploration), for `npm run bench:check`. */
  readonly onFileDone?: (file: string, timing: FileTiming) => void;
}

export interface FileTiming {
  readonly wallSeconds: number;
  /** Undefined when the worker failed. */
  readonly workerSeconds?: number;
  readonly runs: number;
}

const TS_FILE = /\.(m?ts|tsx)$/;
const SKIP_DIR = new Set(['node_modules', '.git', 'dist']);

/** The TypeScript files under `paths` (declaration files excluded), sorted. */
export function findFiles(paths: readonly string[], cwd: string): string[] {
  const out: string[] = [];
  for (const p of paths) {
    const abs = resolve(cwd, p);
    if (!existsSync(abs)) throw new CheckInputError(`no such file or directory: ${p}`);
    const walk = (f: string) => {
      let st;
      try {
        st = statSync(f);
      } catch (e) {
        // A dangling or looping symlink, or a directory entry that vanished.
        throw new CheckInputError(`cannot read ${relative(cwd, f) || f}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
      }
      if (st.isDirectory()) {
        for (const e of readdirSync(f).sort()) if (!SKIP_DIR.has(e)) walk(join(f, e));
      } else if (TS_FILE.test(f) && !f.endsWith('.d.ts')) out.push(f);
    };
    walk(abs);
  }
  if (!out.length) throw new CheckInputError(`no TypeScript files in ${paths.join(', ')}`);
  return [...new Set(out)];
}

function toEntries(o: Readonly<Record<string, ComboOutcome>>): Record<string, VerdictEntry> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, { verdict: v.verdict, detail: v.detail, operation: v.operation, fault: v.fault, reproducer: v.reproducer, states: v.states }]));
}

export async function runCheck(opts: CheckOptions): Promise<CheckReport> {
  const t0 = performance.now();
  const files = findFiles(opts.paths, opts.cwd);
  for (const f of files) {
    try {
      readFileSync(f);
    } catch (e) {
      throw new CheckInputError(`cannot read ${relative(opts.cwd, f)}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
  }
  // The constants each class's traverse compares its primitive fields with (from the syntax).
  const hints: FileHints[] = files.map((f) => {
    try {
      return valueHints(f, readFileSync(f, 'utf8'));
    } catch {
      return {};
    }
  });
  const runtimes = opts.runtimes ?? RUNTIME_KINDS;
  const profiles = opts.profiles ?? DEFAULT_PROFILES;
  // Lint (in a worker thread) while the workers explore (the workers need no lint results).
  let lintFailure: unknown;
  const lintDone = lintFiles(files, opts.cwd, { configFile: opts.configFile, configLookup: opts.configLookup, timeoutMs: opts.lintTimeoutMs }).catch((e: unknown) => {
    // No point exploring further: the check cannot judge without the lint.
    lintFailure = e;
    next = files.length;
    return undefined;
  });
  const outcomes: IsolatedOutcome[] = new Array(files.length);
  // Largest files first, so that the last file to finish is a short one.
  const order = files.map((f, i) => ({ i, size: statSync(f).size })).sort((a, b) => b.size - a.size).map((x) => x.i);
  let next = 0;
  let done = 0;
  let runs = 0;
  const live = new Map<number, number>();
  const progress = () => opts.onProgress?.(done, files.length, runs + [...live.values()].reduce((a, b) => a + b, 0));
  const jobs = Math.max(1, Math.min(opts.jobs ?? availableParallelism(), files.length));
  const worker = async () => {
    const isolated = new IsolatedWorker({ runtimes, profiles, timeoutMs: opts.timeoutMs ?? 60_000, maxStates: opts.maxStates, filesPerWorker: opts.filesPerWorker });
    try {
      while (next < files.length) {
        const i = order[next++];
        const file = files[i];
        const started = performance.now();
        const fileHints = Object.fromEntries(Object.entries(hints[i]).map(([c, h]) => [c, h.values]));
        const res = await isolated.run(
          file,
          (n) => {
            live.set(i, n);
            progress();
          },
          fileHints,
        );
        live.delete(i);
        opts.onFileDone?.(file, {
          wallSeconds: (performance.now() - started) / 1000,
          workerSeconds: res.ok ? res.result.seconds : undefined,
          runs: res.ok ? res.result.runs : 0,
        });
        if (res.ok) runs += res.result.runs;
        outcomes[i] = res;
        done++;
        progress();
      }
    } finally {
      isolated.close();
    }
  };
  const [lint] = await Promise.all([lintDone, ...Array.from({ length: jobs }, worker)]);
  if (!lint) throw new CheckInputError(lintFailure instanceof LintError ? lintFailure.message : `the lint failed: ${String(lintFailure)}`);
  const reports: FileReport[] = files.map((file, i) => {
    const rel = relative(opts.cwd, file);
    const l = lint.get(file) ?? { findings: [] };
    const res = outcomes[i];
    return res.ok ? buildFileReport(rel, file, l.findings, res.result, hints[i], l.fatal) : { path: rel, error: res.error, classes: [], otherFindings: l.findings };
  });
  const seconds = (performance.now() - t0) / 1000;
  const version = (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  return {
    tool: { name: 'traverse-guard', version },
    ...(lint.config ? { lint: lint.config } : {}),
    runtimes,
    profiles: profiles.map((p) => `${p.python}${p.debug ? 'd' : ''}`),
    files: reports,
    summary: summarize(reports, runs, seconds),
  };
}

function buildFileReport(rel: string, abs: string, findings: readonly LintFinding[], result: import('./worker-protocol.js').WorkerResult, hints: FileHints, fatal?: string): FileReport {
  const text = readFileSync(abs, 'utf8');
  const spans = classSpans(abs, text);
  const plain = plainTraverses(abs, text).map((p) => ({ ...p, findings: [] as LintFinding[] }));
  const byClass = new Map<string, LintFinding[]>();
  const other: LintFinding[] = [];
  for (const f of findings) {
    const c = classAt(spans, f.line);
    const p = c ? undefined : plain.find((x) => f.line >= x.span[0] && f.line <= x.span[1]);
    if (p) p.findings.push(f);
    else if (!c) other.push(f);
    else byClass.set(`${c.name}:${c.line}`, [...(byClass.get(`${c.name}:${c.line}`) ?? []), f]);
  }
  const classes = result.classes.map((c) => {
    // The runtime's definition line and the syntax's agree up to a line or two (multi-line calls).
    const span = spans.filter((s) => s.name === c.name).sort((a, b) => Math.abs(a.line - c.line) - Math.abs(b.line - c.line))[0];
    const fs = span ? byClass.get(`${span.name}:${span.line}`) ?? [] : [];
    // The conditions on the way to each finding (for "flagged, never broke").
    const guards = (hints[c.name]?.guards ?? []).filter((g) => fs.some((f) => f.line >= g.span[0] && f.line <= g.span[1]));
    return judgeClass(c.name, span?.line ?? c.line, fs, toEntries(c.outcomes), { exploration: { states: c.states, values: c.values ?? {} }, guards });
  });
  const main = result.main ? toEntries(result.main) : undefined;
  const mainGuardedFailure = main ? Object.entries(main).some(([k, v]) => k.startsWith('guarded@') && (v.verdict === 'crash' || v.verdict === 'corrupt')) : undefined;
  const plainClasses = plain.filter((p) => p.findings.length).map(({ name, line, findings: fs }) => ({ name, line, findings: fs }));
  return { path: rel, classes, otherFindings: other, ...(plainClasses.length ? { plainClasses } : {}), main, mainGuardedFailure, ...(fatal ? { error: `parse error: ${fatal}` } : {}) };
}
