// Runs user files in isolated worker processes. Node's permission model lets a worker read
// only the check's private directory of compiled files and this package (no writes, no
// network, no child processes); each file has a time limit and the worker a memory cap. A
// worker is long-lived and takes one file at a time (start-up dominated the check when every
// file had its own process); after a file times out or crashes it, the worker is replaced, so
// the file gets a clear per-file error and the check goes on. `filesPerWorker: 1` gives every
// file a process of its own (files in one worker share globals a file might have patched).

import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { CompileError, PACKAGE_ROOT, compileForWorker } from './compile.js';
import { PROGRESS_MARKER, RESULT_MARKER, type WorkerJob, type WorkerReply, type WorkerResult } from './worker-protocol.js';
import type { ProfileChoice } from './explore.js';
import type { RuntimeKind } from '../api/index.js';

export interface IsolateOptions {
  readonly runtimes: readonly RuntimeKind[];
  readonly profiles: readonly ProfileChoice[];
  readonly timeoutMs: number;
  readonly maxStates?: number;
  /** Files one worker process checks before it is replaced (default: no limit). */
  readonly filesPerWorker?: number;
}

export type IsolatedOutcome = { readonly ok: true; readonly result: WorkerResult } | { readonly ok: false; readonly error: string };

const WORKER = join(PACKAGE_ROOT, 'dist', 'src', 'check', 'worker-main.js');

type Child = ChildProcessByStdio<Writable, Readable, Readable>;

interface Pending {
  readonly id: number;
  readonly resolve: (o: IsolatedOutcome) => void;
  readonly onProgress?: (runs: number) => void;
  readonly timer: NodeJS.Timeout;
}

/** One worker process at a time, replaced after a failure or `filesPerWorker` files. */
export class IsolatedWorker {
  private child: Child | null = null;
  private pending: Pending | null = null;
  private out = '';
  private err = '';
  private filesDone = 0;
  private nextId = 1;
  /** Where this worker's compiled files live (it may read nothing else of the user's). */
  private readonly dir = mkdtempSync(join(tmpdir(), 'traverse-guard-'));

  constructor(private readonly opts: IsolateOptions) {}

  /** Checks one file; never rejects for the file's own faults. */
  run(file: string, onProgress?: (runs: number) => void, valueHints?: WorkerJob['valueHints']): Promise<IsolatedOutcome> {
    let compiled;
    try {
      compiled = compileForWorker(file, this.dir);
    } catch (e) {
      if (e instanceof CompileError) return Promise.resolve({ ok: false, error: e.message });
      throw e;
    }
    const job: WorkerJob = {
      id: this.nextId++,
      entry: compiled.entry,
      sources: Object.fromEntries(compiled.sources),
      runtimes: this.opts.runtimes,
      profiles: this.opts.profiles,
      maxStates: this.opts.maxStates,
      valueHints,
    };
    const child = this.ensureChild();
    return new Promise<IsolatedOutcome>((resolve) => {
      const timer = setTimeout(() => {
        this.fail(`did not finish within ${this.opts.timeoutMs / 1000}s (an endless loop at load or in a traverse?)`);
      }, this.opts.timeoutMs);
      this.pending = { id: job.id, resolve, onProgress, timer };
      child.stdin.write(`${JSON.stringify(job)}\n`);
    }).finally(() => {
      rmSync(compiled.dir, { recursive: true, force: true });
      this.filesDone++;
      if (this.opts.filesPerWorker && this.filesDone >= this.opts.filesPerWorker) this.stop();
    });
  }

  /** Ends the worker process and removes the private directory. */
  close(): void {
    this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private ensureChild(): Child {
    if (this.child) return this.child;
    const args = [
      '--experimental-permission',
      `--allow-fs-read=${this.dir}/*`,
      `--allow-fs-read=${PACKAGE_ROOT}/*`,
      '--enable-source-maps',
      '--max-old-space-size=1024',
      '--stack-size=4000',
      '--no-warnings',
      WORKER,
    ];
    const child = spawn(process.execPath, args, { env: { PATH: process.env.PATH ?? '' }, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    this.out = '';
    this.err = '';
    this.filesDone = 0;
    child.stdout.setEncoding('utf8').on('data', (d: string) => this.onStdout(d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      if (this.err.length < 8192) this.err += d;
    });
    child.stdin.on('error', () => {});
    child.on('close', (code, signal) => {
      if (this.child !== child) return;
      this.child = null;
      const why = this.err.trim().split('\n').filter((l) => l && !l.startsWith('    at ')).slice(0, 3).join(' | ');
      this.settle({ ok: false, error: `the worker died (${signal ?? `exit ${code}`})${why ? `: ${why}` : ''}` });
    });
    return child;
  }

  private onStdout(d: string): void {
    this.out += d;
    let i: number;
    while ((i = this.out.indexOf('\n')) >= 0) {
      const line = this.out.slice(0, i);
      this.out = this.out.slice(i + 1);
      if (line.startsWith(PROGRESS_MARKER)) this.pending?.onProgress?.(Number(line.slice(PROGRESS_MARKER.length)));
      else if (line.startsWith(RESULT_MARKER)) {
        let reply: WorkerReply;
        try {
          reply = JSON.parse(line.slice(RESULT_MARKER.length)) as WorkerReply;
        } catch (e) {
          this.fail(`the worker's result could not be read (${e instanceof Error ? e.message : String(e)})`);
          continue;
        }
        if (!this.pending || reply.id !== this.pending.id) continue;
        this.settle(reply.ok ? { ok: true, result: reply.result } : { ok: false, error: reply.error });
      }
    }
  }

  private settle(o: IsolatedOutcome): void {
    const p = this.pending;
    if (!p) return;
    this.pending = null;
    clearTimeout(p.timer);
    p.resolve(o);
  }

  /** The current file failed in a way that leaves the worker unusable: replace it. */
  private fail(error: string): void {
    this.settle({ ok: false, error });
    this.stop();
  }

  private stop(): void {
    const c = this.child;
    this.child = null;
    if (c) {
      c.stdin.end();
      c.kill('SIGKILL');
    }
  }
}

/** Checks one file in a worker of its own. */
export async function runIsolated(file: string, opts: IsolateOptions & { onProgress?: (runs: number) => void }): Promise<IsolatedOutcome> {
  const w = new IsolatedWorker({ ...opts, filesPerWorker: 1 });
  try {
    return await w.run(file, opts.onProgress);
  } finally {
    w.close();
  }
}
