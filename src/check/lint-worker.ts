// The lint's worker thread: runs lint-engine.ts on the files it is given and posts the result
// (or the one-line reason it could not), so ESLint's long synchronous stretches (a typed
// program's creation, a slow rule) never stall the check's own event loop and timers.

import { parentPort, workerData } from 'node:worker_threads';
import { LintSetupError, runLint, type LintSetup } from './lint-engine.js';

export interface LintJob {
  readonly files: readonly string[];
  readonly setup: LintSetup;
}

export type LintReply =
  | { readonly ok: true; readonly output: Awaited<ReturnType<typeof runLint>> }
  | { readonly ok: false; readonly error: string; readonly setup: boolean };

const job = workerData as LintJob;
runLint(job.files, job.setup).then(
  (output) => parentPort!.postMessage({ ok: true, output } satisfies LintReply),
  (e: unknown) =>
    parentPort!.postMessage({
      ok: false,
      setup: e instanceof LintSetupError,
      error: e instanceof Error ? e.message.split('\n')[0] : String(e),
    } satisfies LintReply),
);
