// Lints the checked files as the project lints itself (lint-engine.ts), in a worker thread
// with its own time limit: the check's per-file timers keep firing while ESLint works, and a
// lint that hangs becomes a clear error instead of a stalled check.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { PACKAGE_ROOT } from './compile.js';
import type { LintJob, LintReply } from './lint-worker.js';
import type { FileLint, LintConfigInfo, LintSetup } from './lint-engine.js';

export { commonDir, type FileLint, type LintConfigInfo, type LintFinding, type LintSetup } from './lint-engine.js';

/** The lint could not run: a broken config, a crash, or its time limit. One line, exit 2. */
export class LintError extends Error {}

const LINT_WORKER = join(PACKAGE_ROOT, 'dist', 'src', 'check', 'lint-worker.js');

export interface LintOptions extends Partial<LintSetup> {
  /** Time limit for the whole lint (default 300 s). */
  readonly timeoutMs?: number;
}

export interface LintResult extends Map<string, FileLint> {
  /** Which config and mode linted the files. */
  config?: LintConfigInfo;
}

/** Lints `files` (absolute paths) off this thread; rejects with LintError. */
export function lintFiles(files: readonly string[], cwd: string, opts: LintOptions = {}): Promise<LintResult> {
  if (!existsSync(LINT_WORKER)) return Promise.reject(new LintError(`the compiled lint worker is missing (${LINT_WORKER}): run \`npm run build\``));
  const job: LintJob = { files, setup: { cwd, configFile: opts.configFile, configLookup: opts.configLookup } };
  const limit = opts.timeoutMs ?? 300_000;
  return new Promise<LintResult>((resolveP, rejectP) => {
    const worker = new Worker(LINT_WORKER, { workerData: job, stdout: true, stderr: true });
    let settled = false;
    const finish = (f: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      f();
    };
    const timer = setTimeout(() => finish(() => rejectP(new LintError(`the lint did not finish within ${limit / 1000}s (--lint-timeout)`))), limit);
    worker.on('message', (r: LintReply) =>
      finish(() => {
        if (!r.ok) return rejectP(new LintError(r.setup ? r.error : `the lint failed: ${r.error}`));
        const out: LintResult = new Map(r.output.results);
        out.config = r.output.config;
        resolveP(out);
      }),
    );
    worker.on('error', (e) => finish(() => rejectP(new LintError(`the lint failed: ${e.message.split('\n')[0]}`))));
    worker.on('exit', (code) => finish(() => rejectP(new LintError(`the lint stopped unexpectedly (exit ${code})`))));
  });
}
