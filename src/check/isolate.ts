// Runs one user file in an isolated worker process: Node's permission model lets it read only
// its private compiled copy and this package (no writes, no network, no child processes), with
// a time limit and a memory cap. A file that throws at load, loops, or crashes its worker
// becomes a clear per-file error; the check goes on with the next file.

import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { CompileError, PACKAGE_ROOT, compileForWorker } from './compile.js';
import { PROGRESS_MARKER, RESULT_MARKER, type WorkerJob, type WorkerResult } from './worker-protocol.js';
import type { ProfileChoice } from './explore.js';
import type { RuntimeKind } from '../api/index.js';

export interface IsolateOptions {
  readonly runtimes: readonly RuntimeKind[];
  readonly profiles: readonly ProfileChoice[];
  readonly timeoutMs: number;
  readonly maxStates?: number;
  readonly onProgress?: (runs: number) => void;
}

export type IsolatedOutcome = { readonly ok: true; readonly result: WorkerResult } | { readonly ok: false; readonly error: string };

const WORKER = join(PACKAGE_ROOT, 'dist', 'src', 'check', 'worker-main.js');

export function runIsolated(file: string, opts: IsolateOptions): Promise<IsolatedOutcome> {
  let compiled;
  try {
    compiled = compileForWorker(file);
  } catch (e) {
    if (e instanceof CompileError) return Promise.resolve({ ok: false, error: e.message });
    throw e;
  }
  const job: WorkerJob = {
    entry: compiled.entry,
    sources: Object.fromEntries(compiled.sources),
    runtimes: opts.runtimes,
    profiles: opts.profiles,
    maxStates: opts.maxStates,
  };
  const args = [
    '--experimental-permission',
    `--allow-fs-read=${compiled.dir}/*`,
    `--allow-fs-read=${PACKAGE_ROOT}/*`,
    '--enable-source-maps',
    '--max-old-space-size=1024',
    '--stack-size=4000',
    '--no-warnings',
    WORKER,
  ];
  return new Promise((resolveP) => {
    const child = spawn(process.execPath, args, {
      env: { TRAVERSE_GUARD_JOB: JSON.stringify(job), PATH: process.env.PATH ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      let i: number;
      while ((i = out.indexOf('\n')) >= 0 && !out.startsWith(RESULT_MARKER)) {
        const line = out.slice(0, i);
        out = out.slice(i + 1);
        if (line.startsWith(PROGRESS_MARKER)) opts.onProgress?.(Number(line.slice(PROGRESS_MARKER.length)));
      }
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      if (err.length < 8192) err += d;
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      rmSync(compiled.dir, { recursive: true, force: true });
      const line = out.split('\n').find((l) => l.startsWith(RESULT_MARKER));
      if (timedOut) return resolveP({ ok: false, error: `did not finish within ${opts.timeoutMs / 1000}s (an endless loop at load or in a traverse?)` });
      if (code === 0 && line) {
        try {
          return resolveP({ ok: true, result: JSON.parse(line.slice(RESULT_MARKER.length)) as WorkerResult });
        } catch (e) {
          return resolveP({ ok: false, error: `the worker's result could not be read (${e instanceof Error ? e.message : String(e)})` });
        }
      }
      const why = err.trim().split('\n').filter((l) => l && !l.startsWith('    at ')).slice(0, 3).join(' | ');
      resolveP({ ok: false, error: code === 3 ? `failed to load: ${why}` : `the worker died (${signal ?? `exit ${code}`})${why ? `: ${why}` : ''}` });
    });
  });
}
