// `npm run bench:check`: runs `traverse-guard check` (the built dist/, as `npx traverse-guard
// check` does) over fixtures/ several times and prints the wall time, the adversarial states
// explored per second (summary.runs / seconds), how busy the cores were, the ESLint pass, and
// the per-file worker time split into the worker's own time (loading the file, exploring its
// classes) and the rest (compiling it in the parent, handing it over, a worker's start-up).
// A benchmark: it prints numbers, it asserts nothing.
// Options: --runs <n> (default 3), --jobs <n> (default: the cores), --python <list>,
// --runtimes <list>, --generate <N> (check a generated project of N pyclasses instead, target
// 60 s; see generate-project.ts), and paths (default fixtures/).
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import type { FileTiming, runCheck as RunCheck, findFiles as FindFiles } from '../../src/check/run-check.js';
import type { lintFiles as LintFiles } from '../../src/check/lint.js';
import type { ProfileChoice } from '../../src/check/explore.js';
import type { RuntimeKind } from '../../src/api/index.js';

import { generateProject } from './generate-project.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = (p: string) => pathToFileURL(path.join(repoRoot, 'dist', 'src', p)).href;

const TARGET_SECONDS = 10;
const GENERATED_TARGET_SECONDS = 60;

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? undefined : process.argv[i + 1];
}

function positional(): string[] {
  const out: string[] = [];
  for (let i = 2; i < process.argv.length; i++) {
    if (process.argv[i].startsWith('--')) i++;
    else out.push(process.argv[i]);
  }
  return out.length ? out : ['fixtures/'];
}

/** CPU seconds of this process and of its reaped children (the workers), from /proc. */
function cpuSeconds(): number {
  const self = process.cpuUsage();
  let children = 0;
  try {
    // Fields after the command name: state is field 3; cutime and cstime are 16 and 17.
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    children = (Number(rest[13]) + Number(rest[14])) / 100;
  } catch {
    // not Linux: children unknown
  }
  return (self.user + self.system) / 1e6 + children;
}

/** Waits (up to 5 s) until every child process has exited and been reaped, so that its CPU
 *  time shows in cutime: long-lived workers are closed at the end of a check, not awaited. */
async function childrenReaped(): Promise<void> {
  const live = (): boolean => {
    try {
      return readdirSync('/proc/self/task').some((t) => readFileSync(`/proc/self/task/${t}/children`, 'utf8').trim() !== '');
    } catch {
      return false;
    }
  };
  for (let waited = 0; live() && waited < 5000; waited += 20) await new Promise((r) => setTimeout(r, 20));
}

const fmt = (n: number, d = 1) => n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

async function main(): Promise<void> {
  const { runCheck, findFiles } = (await import(dist('check/run-check.js'))) as { runCheck: typeof RunCheck; findFiles: typeof FindFiles };
  const { lintFiles } = (await import(dist('check/lint.js'))) as { lintFiles: typeof LintFiles };
  const runsWanted = Number(option('runs') ?? 3);
  const jobs = option('jobs') ? Number(option('jobs')) : undefined;
  const profiles: ProfileChoice[] | undefined = option('python')
    ?.split(',')
    .map((p) => ({ python: p.replace(/d$/, ''), debug: p.endsWith('d') }));
  const runtimes = option('runtimes')?.split(',') as RuntimeKind[] | undefined;
  const generate = option('generate') ? Number(option('generate')) : undefined;
  const generatedDir = generate ? generateProject(generate) : undefined;
  const paths = generatedDir ? [path.join(generatedDir, 'src')] : positional();
  const target = generatedDir ? GENERATED_TARGET_SECONDS : TARGET_SECONDS;
  const cores = availableParallelism();
  const files = findFiles(paths, repoRoot);

  console.log(`traverse-guard check benchmark — ${paths.join(' ')}: ${files.length} files, jobs ${jobs ?? cores} on ${cores} cores, load average ${loadavg().map((x) => fmt(x, 2)).join(' ')}`);

  // The ESLint pass alone (the parent does it once, before the workers start).
  const lt0 = performance.now();
  await lintFiles(files, repoRoot);
  const lintSeconds = (performance.now() - lt0) / 1000;

  interface Sample {
    seconds: number;
    runs: number;
    classes: number;
    cpu: number;
    timings: Map<string, FileTiming>;
    verdictLine: string;
  }
  const samples: Sample[] = [];
  for (let k = 0; k < runsWanted; k++) {
    const timings = new Map<string, FileTiming>();
    const cpu0 = cpuSeconds();
    const t0 = performance.now();
    const report = await runCheck({ paths, cwd: repoRoot, jobs, profiles, runtimes, onFileDone: (f, t) => timings.set(f, t) });
    const seconds = (performance.now() - t0) / 1000;
    await childrenReaped();
    const cpu = cpuSeconds() - cpu0;
    const s = report.summary;
    samples.push({
      seconds,
      runs: s.runs,
      classes: s.classes,
      cpu,
      timings,
      verdictLine: `${s.classes} classes (${report.runtimes.length} runtimes × ${report.profiles.length} profiles), ${s.missedByLint} missed by lint, ${s.flaggedNeverBroke} flagged never broke, ${s.guardedFailures} guarded failures, ${s.fileErrors} file errors`,
    });
    console.log(
      `run ${k + 1}: ${fmt(seconds, 2)} s wall, ${s.runs.toLocaleString('en-US')} states at ${Math.round(s.runs / seconds).toLocaleString('en-US')} states/s, ` +
        `CPU ${fmt(cpu)} s = ${fmt((100 * cpu) / seconds / cores, 0)}% of ${cores} cores`,
    );
  }
  const best = samples.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  const med = median(samples.map((x) => x.seconds));
  console.log(samples[0].verdictLine);
  console.log(`wall: best ${fmt(best.seconds, 2)} s, median ${fmt(med, 2)} s; states/s (best run) ${Math.round(best.runs / best.seconds).toLocaleString('en-US')}`);
  console.log(`lint alone (ESLint, in the parent, alongside the workers): ${fmt(lintSeconds, 2)} s`);

  // Per-file worker time, from the best run.
  const rows = [...best.timings.entries()].map(([f, t]) => ({ file: path.relative(repoRoot, f), ...t, startup: t.wallSeconds - (t.workerSeconds ?? 0) }));
  const sumWall = rows.reduce((a, r) => a + r.wallSeconds, 0);
  const sumWork = rows.reduce((a, r) => a + (r.workerSeconds ?? 0), 0);
  const startups = rows.map((r) => r.startup);
  console.log(
    `per-file worker time (best run, ${rows.length} files): total ${fmt(sumWall)} s = compile, hand-over and start-up ${fmt(sumWall - sumWork)} s ` +
      `(median ${fmt(median(startups), 2)} s/file) + the worker's load and exploration ${fmt(sumWork)} s (median ${fmt(median(rows.map((r) => r.workerSeconds ?? 0)), 2)} s/file)`,
  );
  console.log('slowest files (wall = compile, hand-over and start-up + load and exploration, states):');
  for (const r of [...rows].sort((a, b) => b.wallSeconds - a.wallSeconds).slice(0, 8)) {
    console.log(`  ${r.file.padEnd(44)} ${fmt(r.wallSeconds, 2).padStart(6)} s = ${fmt(r.startup, 2)} + ${r.workerSeconds === undefined ? 'failed' : fmt(r.workerSeconds, 2)}  ${r.runs.toLocaleString('en-US')}`);
  }
  const met = best.seconds < target;
  const what = generatedDir ? `the generated project of ${generate} pyclasses` : 'the fixture set';
  console.log(`target: ${what} in under ${target} s on ${cores} cores — ${met ? 'met' : 'missed'} (best ${fmt(best.seconds, 2)} s)`);
  if (generatedDir) rmSync(generatedDir, { recursive: true, force: true });
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exit(1);
});
