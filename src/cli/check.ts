// `traverse-guard check [paths…]`: the main job. Prints the agreement table (or JSON, or
// SARIF), with a progress bar on a terminal, and maps the outcome to the exit code.

import type { Command } from 'commander';
import { RUNTIME_KINDS, isRuntimeKind, type RuntimeKind } from '../api/index.js';
import { parseMalloc } from './malloc-flag.js';
import { PROFILE_NAMES, getProfile } from '../simulator/index.js';
import { DEFAULT_PROFILES, type ProfileChoice } from '../check/explore.js';
import { formatTable } from '../check/format-table.js';
import { formatSarif } from '../check/format-sarif.js';
import { exitCodeOf } from '../check/report.js';
import { CheckInputError, runCheck } from '../check/run-check.js';
import { writeReproducers } from '../check/reproducers.js';
import { UsageError } from './gc-bench.js';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../check/compile.js';
import { installSignalCleanup } from '../check/signals.js';

interface CheckFlags {
  format: string;
  runtimes?: string;
  python?: string;
  timeout: string;
  jobs?: string;
  maxStates?: string;
  isolateFiles?: boolean;
  color?: boolean;
  fixtures?: boolean;
  config?: string;
  configLookup?: boolean;
  lintTimeout: string;
  reproducers?: string;
  malloc?: string;
}

function parseRuntimes(s: string | undefined): RuntimeKind[] | undefined {
  if (!s) return undefined;
  const list = s.split(',').map((x) => x.trim()).filter(Boolean);
  for (const r of list) if (!isRuntimeKind(r)) throw new UsageError(`unknown runtime '${r}' (known: ${RUNTIME_KINDS.join(', ')})`);
  return list as RuntimeKind[];
}

/** "3.7,3.11,3.11d" (d = debug build). */
function parseProfiles(s: string | undefined): ProfileChoice[] | undefined {
  if (!s) return undefined;
  return s.split(',').map((x) => {
    const t = x.trim();
    const debug = t.endsWith('d');
    const name = debug ? t.slice(0, -1) : t;
    if (!getProfile(name)) throw new UsageError(`unknown Python profile '${t}' (known: ${PROFILE_NAMES.join(', ')}; add d for a debug build)`);
    return { python: name, debug };
  });
}

function positiveInt(s: string | undefined, what: string): number | undefined {
  if (s === undefined) return undefined;
  const n = Number(s);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${what} must be a positive integer, got '${s}'`);
  return n;
}

function progressBar(done: number, total: number, runs: number): void {
  const width = 30;
  const filled = Math.round((done / total) * width);
  process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} files, ${runs.toLocaleString('en-US')} collections`);
}

export function registerCheck(program: Command, setCode: (code: number) => void): void {
  program
    .command('check')
    .description("lint, then run every pyclass against adversarial heaps in the simulator (default: the files tsconfig.json includes, else src/, else .)")
    .argument('[paths...]', 'files or directories of TypeScript or JavaScript sources')
    .option('--fixtures', "check the package's bundled fixtures")
    .option('--format <format>', 'table, json or sarif', 'table')
    .option('--runtimes <list>', 'comma-separated runtimes (default: all five)')
    .option('--python <list>', `comma-separated profiles, d for debug (default: ${DEFAULT_PROFILES.map((p) => p.python + (p.debug ? 'd' : '')).join(',')})`)
    .option('--malloc <kind>', "the allocator of every run: pymalloc or debug (PYTHONMALLOC=debug, -X dev: freed memory reads 0xDD…); default: debug for a debug build (d), else pymalloc")
    .option('--timeout <seconds>', 'time limit per file', '60')
    .option('--jobs <N>', 'files checked in parallel (default: the number of cores)')
    .option('--max-states <N>', 'bound the adversarial states per class')
    .option('--config <file>', 'lint with this ESLint flat config (default: the eslint.config.* ESLint finds for each file)')
    .option('--no-config-lookup', "ignore eslint.config.*: lint with the plugin's recommended config (typed when a tsconfig.json covers the files)")
    .option('--lint-timeout <seconds>', 'time limit of the lint', '300')
    .option('--reproducers <dir>', 'write a reproducer JSON file for each class that broke or disagrees (for explain --reproducer FILE)')
    .option('--isolate-files', 'a fresh worker process for every file (slower; every file already has a realm of its own)')
    .option('--no-color', 'no ANSI colour in the table')
    .action(async (paths: string[], flags: CheckFlags) => {
      if (!['table', 'json', 'sarif'].includes(flags.format)) throw new UsageError(`unknown format '${flags.format}' (table, json, sarif)`);
      const runtimes = parseRuntimes(flags.runtimes);
      const malloc = parseMalloc(flags.malloc);
      const profiles = malloc ? (parseProfiles(flags.python) ?? DEFAULT_PROFILES).map((p) => ({ ...p, malloc })) : parseProfiles(flags.python);
      const timeout = positiveInt(flags.timeout, '--timeout')!;
      const jobs = positiveInt(flags.jobs, '--jobs');
      const maxStates = positiveInt(flags.maxStates, '--max-states');
      const lintTimeout = positiveInt(flags.lintTimeout, '--lint-timeout')!;
      if (flags.config && flags.configLookup === false) throw new UsageError('give either --config or --no-config-lookup, not both');
      const tty = process.stderr.isTTY && flags.format === 'table';
      if (flags.fixtures && paths.length) throw new UsageError('--fixtures takes no paths');
      let report;
      const cleanup = installSignalCleanup();
      try {
        report = await runCheck({
          paths: flags.fixtures ? [join(PACKAGE_ROOT, 'fixtures')] : paths,
          cwd: process.cwd(),
          runtimes,
          profiles,
          timeoutMs: timeout * 1000,
          jobs,
          maxStates,
          configFile: flags.config,
          configLookup: flags.configLookup,
          lintTimeoutMs: lintTimeout * 1000,
          filesPerWorker: flags.isolateFiles ? 1 : undefined,
          onProgress: tty ? progressBar : undefined,
        });
      } catch (e) {
        if (e instanceof CheckInputError) throw new UsageError(e.message);
        throw e;
      } finally {
        cleanup();
        if (tty) process.stderr.write('\r\u001b[K');
      }
      if (flags.reproducers) {
        let written: string[];
        try {
          written = writeReproducers(report, flags.reproducers, process.cwd());
        } catch (e) {
          throw new UsageError(`--reproducers: cannot write to ${flags.reproducers}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
        }
        process.stderr.write(`${written.length} reproducer${written.length === 1 ? '' : 's'} written to ${flags.reproducers}\n`);
      }
      if (flags.format === 'json') process.stdout.write(JSON.stringify(report, null, 2) + '\n');
      else if (flags.format === 'sarif') process.stdout.write(JSON.stringify(formatSarif(report), null, 2) + '\n');
      else process.stdout.write(formatTable(report, flags.color !== false && !!process.stdout.isTTY && !process.env.NO_COLOR));
      setCode(exitCodeOf(report.summary));
    });
}
