// `traverse-guard check`: finds the TypeScript files, lints them, runs each in an isolated
// worker (both cores), and joins lint findings with the simulator's verdicts per class.

import { readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { RUNTIME_KINDS, type RuntimeKind } from '../api/index.js';
import { classAt, classSpans, plainTraverses } from './associate.js';
import { DEFAULT_PROFILES, type ComboOutcome, type ProfileChoice } from './explore.js';
import { CheckInputError, findFiles as findCheckFiles, readChecked, type CheckedRoots } from './find-files.js';
import { IsolatedWorker, WORKER, type IsolatedOutcome } from './isolate.js';
import { LintError, lintFiles, type LintFinding, type LintResult } from './lint.js';
import { judgeClass, summarize, type CheckReport, type FileReport, type VerdictEntry } from './report.js';
import { probeSandbox } from './sandbox.js';
import { PACKAGE_ROOT } from './compile.js';
import { valueHints, type FileHints } from './value-hints.js';

export { CheckInputError };

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
  /** Resident memory (MB) a worker may use before it is killed (default: sandbox.ts). */
  readonly memoryCapMb?: number;
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

/** The files `check` would take for `paths` (none: the project's defaults), by path. */
export function findFiles(paths: readonly string[], cwd: string): string[] {
  return findCheckFiles(paths, cwd).files.map((f) => f.path);
}

function toEntries(o: Readonly<Record<string, ComboOutcome>>): Record<string, VerdictEntry> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, { verdict: v.verdict, detail: v.detail, operation: v.operation, fault: v.fault, reproducer: v.reproducer, states: v.states }]));
}

export async function runCheck(opts: CheckOptions): Promise<CheckReport> {
  const t0 = performance.now();
  const found = findCheckFiles(opts.paths, opts.cwd);
  const files = found.files.map((f) => f.path);
  const sandboxed = probeSandbox(WORKER).protections;
  const protections = { ...sandboxed, memoryCapMb: opts.memoryCapMb ?? sandboxed.memoryCapMb };
  // The constants each class's traverse compares its primitive fields with (from the syntax).
  const hints: FileHints[] = found.files.map((f) => {
    try {
      return valueHints(f.path, readChecked(f.real, found.roots));
    } catch {
      return {};
    }
  });
  const runtimes = opts.runtimes ?? RUNTIME_KINDS;
  const profiles = opts.profiles ?? DEFAULT_PROFILES;
  // Lint (in a worker thread) while the workers explore (the workers need no lint results).
  let lintFailure: unknown;
  const lintDone = (files.length ? lintFiles(files, opts.cwd, { configFile: opts.configFile, configLookup: opts.configLookup, timeoutMs: opts.lintTimeoutMs }) : Promise.resolve<LintResult>(new Map())).catch((e: unknown) => {
    // No point exploring further: the check cannot judge without the lint.
    lintFailure = e;
    next = files.length;
    return undefined;
  });
  const outcomes: IsolatedOutcome[] = new Array(files.length);
  // Largest files first, so that the last file to finish is a short one.
  const order = found.files.map((f, i) => ({ i, size: statSync(f.real).size })).sort((a, b) => b.size - a.size).map((x) => x.i);
  let next = 0;
  let done = 0;
  let runs = 0;
  const live = new Map<number, number>();
  const progress = () => opts.onProgress?.(done, files.length, runs + [...live.values()].reduce((a, b) => a + b, 0));
  const jobs = Math.max(1, Math.min(opts.jobs ?? availableParallelism(), Math.max(1, files.length)));
  const worker = async () => {
    const isolated = new IsolatedWorker({ runtimes, profiles, timeoutMs: opts.timeoutMs ?? 60_000, maxStates: opts.maxStates, filesPerWorker: opts.filesPerWorker, memoryCapMb: opts.memoryCapMb });
    try {
      while (next < files.length) {
        const i = order[next++];
        const file = files[i];
        const started = performance.now();
        const fileHints = Object.fromEntries(Object.entries(hints[i]).map(([c, h]) => [c, h.values]));
        const res = await isolated.run(
          found.files[i].real,
          found.roots,
          (n) => {
            live.set(i, n);
            progress();
          },
          { valueHints: fileHints },
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
  const reports: FileReport[] = files.flatMap((file, i) => {
    const rel = relative(opts.cwd, file);
    const l = lint.get(file) ?? { findings: [] };
    const res = outcomes[i];
    if (!res.ok) return [{ path: rel, error: res.error, classes: [], otherFindings: l.findings }];
    const report = buildFileReport(rel, found.files[i].real, found.roots, l.findings, res.result, hints[i], l.fatal);
    // A file that imports nothing from traverse-guard (a tool's config, a plain module) is not
    // part of the report unless the lint had something to say about it.
    const silent = res.unrelated && !report.otherFindings.length && !report.plainClasses?.length && !report.error;
    return silent ? [] : [report];
  });
  // Paths refused before reading (symlinks out of the roots, FIFOs, devices, huge files).
  for (const r of found.rejected) reports.push({ path: r.path, error: r.error, classes: [], otherFindings: [] });
  reports.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const seconds = (performance.now() - t0) / 1000;
  const version = (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  return {
    tool: { name: 'traverse-guard', version },
    ...(lint.config ? { lint: lint.config } : {}),
    runtimes,
    profiles: profiles.map((p) => `${p.python}${p.debug ? 'd' : ''}`),
    ...(profiles[0]?.malloc ? { malloc: profiles[0].malloc } : {}),
    files: reports,
    summary: summarize(reports, runs, seconds),
    protections,
  };
}

function buildFileReport(
  rel: string,
  abs: string,
  roots: CheckedRoots,
  findings: readonly LintFinding[],
  result: import('./worker-protocol.js').WorkerResult,
  hints: FileHints,
  fatal?: string,
): FileReport {
  let text = '';
  try {
    text = readChecked(abs, roots);
  } catch {
    // Changed since the worker read it: no spans, so findings stay outside any class.
  }
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
    // Line 0: the class came from a pyclass passed around as a value; take its name's first span.
    // A name made at run time (a factory) has no span of its name: take the call's own line.
    const named = spans.filter((s) => s.name === c.name);
    const span = (named.length ? named : spans.filter((s) => s.line === c.line)).sort((a, b) => (c.line ? Math.abs(a.line - c.line) - Math.abs(b.line - c.line) : a.line - b.line))[0];
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
