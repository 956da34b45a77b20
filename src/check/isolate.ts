// Runs checked files in isolated worker processes (the sandbox: sandbox.ts; each file in a
// realm of its own inside the worker: realm.ts). A worker is long-lived and takes one file at a
// time; its answers come on the result channel (fd 3) with its secret and are validated
// (result-channel.ts). A file's result counts only once the worker says `done` (its realm is
// gone); anything else after the result, a death, a timeout, memory over the cap or a bad
// message is a per-file error for that file, the worker is replaced and the run goes on. The
// worker's stdout and stderr are drained and capped, never buffered without bound.

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { RuntimeKind } from '../api/index.js';
import { PACKAGE_ROOT } from './compile.js';
import type { ProfileChoice } from './explore.js';
import type { CheckedRoots } from './find-files.js';
import { treeRssMb } from './memory.js';
import { compileGraph, helpersScript, needsLoading } from './module-graph.js';
import { ChannelReader } from './result-channel.js';
import { OUTPUT_CAP_BYTES, probeSandbox, type Sandbox } from './sandbox.js';
import type { WorkerHello, WorkerJob, WorkerResult } from './worker-protocol.js';

let helperCache: WorkerHello['helpers'] | undefined;
const helpers = () => (helperCache ??= helpersScript());

export interface IsolateOptions {
  readonly runtimes: readonly RuntimeKind[];
  readonly profiles: readonly ProfileChoice[];
  readonly timeoutMs: number;
  readonly maxStates?: number;
  /** Files one worker process checks before it is replaced (default: no limit). */
  readonly filesPerWorker?: number;
  /** Resident memory (MB) a worker may use, polled from outside. */
  readonly memoryCapMb?: number;
}

/** `unrelated`: the file defines nothing to check (module-graph.ts needsLoading), so it was not loaded. */
export type IsolatedOutcome = { readonly ok: true; readonly result: WorkerResult; readonly unrelated?: true } | { readonly ok: false; readonly error: string };

export const WORKER = join(PACKAGE_ROOT, 'dist', 'src', 'check', 'worker-main.js');

interface Pending {
  readonly id: number;
  readonly resolve: (o: IsolatedOutcome) => void;
  readonly onProgress?: (runs: number) => void;
  readonly timer: NodeJS.Timeout;
  /** The validated result, held until the worker says `done`. */
  result?: IsolatedOutcome;
}

/** Every worker process alive in this check (stopped on SIGINT/SIGTERM: signals.ts). */
const LIVE = new Set<IsolatedWorker>();

/** Kills every live worker (their whole process groups) at once, synchronously. */
export function stopAllWorkers(): void {
  for (const w of LIVE) w.kill();
}

/** One worker process at a time, replaced after a failure or `filesPerWorker` files. */
export class IsolatedWorker {
  private child: ChildProcess | null = null;
  private secret = '';
  private reader: ChannelReader | null = null;
  private pending: Pending | null = null;
  private err = '';
  private filesDone = 0;
  private nextId = 1;
  private poll: NodeJS.Timeout | null = null;
  private readonly sandbox: Sandbox;

  constructor(private readonly opts: IsolateOptions) {
    this.sandbox = probeSandbox(WORKER);
  }

  /** Checks one file (its real path, already accepted by find-files.ts); never rejects for the
   *  file's own faults. */
  run(file: string, roots: CheckedRoots, onProgress?: (runs: number) => void, extra?: Partial<WorkerJob>): Promise<IsolatedOutcome> {
    let graph;
    try {
      graph = compileGraph(file, roots);
    } catch (e) {
      return Promise.resolve({ ok: false, error: e instanceof Error ? e.message : String(e) });
    }
    if (!needsLoading(graph)) return Promise.resolve({ ok: true, result: { classes: [], runs: 0, seconds: 0 }, unrelated: true });
    const job: WorkerJob = {
      ...extra,
      id: this.nextId++,
      entry: file,
      graph,
      runtimes: this.opts.runtimes,
      profiles: this.opts.profiles,
      maxStates: this.opts.maxStates,
    };
    const child = this.ensureChild();
    return new Promise<IsolatedOutcome>((resolve) => {
      const timer = setTimeout(() => {
        this.fail(`did not finish within ${this.opts.timeoutMs / 1000}s (an endless loop at load or in a traverse?)`);
      }, this.opts.timeoutMs);
      this.pending = { id: job.id, resolve, onProgress, timer };
      (child.stdin as Writable).write(`${JSON.stringify(job)}\n`);
    }).finally(() => {
      this.filesDone++;
      if (this.opts.filesPerWorker && this.filesDone >= this.opts.filesPerWorker) this.stop();
    });
  }

  /** Ends the worker: an idle one exits by itself once its stdin closes (so that the sandbox's
   *  unshare reaps it); one still running after a grace period is killed. */
  close(): void {
    const c = this.child;
    if (c && !this.pending) {
      this.child = null;
      this.reader = null;
      this.stopPolling();
      c.stdin?.end();
      const t = setTimeout(() => killGroup(c), 5_000);
      t.unref();
      c.once('exit', () => clearTimeout(t));
    } else this.stop();
    LIVE.delete(this);
  }

  /** Ends the worker process now. */
  kill(): void {
    this.stop();
    LIVE.delete(this);
  }

  private ensureChild(): ChildProcess {
    if (this.child) return this.child;
    const args = [
      '--experimental-permission',
      `--allow-fs-read=${PACKAGE_ROOT}/*`,
      '--frozen-intrinsics',
      '--disallow-code-generation-from-strings',
      '--stack-trace-limit=200',
      '--max-old-space-size=1024',
      '--stack-size=4000',
      '--no-warnings',
      WORKER,
    ];
    const cmd = this.sandbox.command(args);
    const child = spawn(cmd.file, cmd.args, {
      env: { PATH: process.env.PATH ?? '' },
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
      detached: true,
      ...(cmd.uid !== undefined ? { uid: cmd.uid, gid: cmd.gid } : {}),
    });
    this.child = child;
    LIVE.add(this);
    this.err = '';
    this.filesDone = 0;
    this.secret = randomBytes(32).toString('hex');
    this.reader = new ChannelReader(this.secret);
    (child.stdout as Readable).on('data', () => {
      // Drained and dropped: user output never piles up in the parent.
    });
    (child.stderr as Readable).setEncoding('utf8').on('data', (d: string) => {
      if (this.err.length < OUTPUT_CAP_BYTES) this.err += d.slice(0, OUTPUT_CAP_BYTES - this.err.length);
    });
    (child.stdio[3] as Readable).on('data', (d: Buffer) => this.onChannel(child, d));
    child.stdin!.on('error', () => {});
    child.on('error', (e) => {
      if (this.child !== child) return;
      this.fail(`the worker could not start: ${e.message}`);
    });
    child.on('close', (code, signal) => {
      if (this.child !== child) return;
      this.child = null;
      this.stopPolling();
      const why = this.err.trim().split('\n').filter((l) => l && !l.startsWith('    at ')).slice(0, 3).join(' | ');
      const after = this.pending?.result ? ' after its result' : '';
      this.settle({ ok: false, error: `the worker died${after} (${signal ?? `exit ${code}`})${why ? `: ${why}` : ''}` });
    });
    const hello: WorkerHello = { secret: this.secret, helpers: helpers() };
    (child.stdin as Writable).write(`${JSON.stringify(hello)}\n`);
    const cap = this.opts.memoryCapMb ?? this.sandbox.protections.memoryCapMb;
    if (this.sandbox.protections.memory === 'rss' && child.pid) {
      const pid = child.pid;
      this.poll = setInterval(() => {
        const mb = treeRssMb(pid);
        if (mb > cap) this.fail(`used ${Math.round(mb)} MB of memory, over the ${cap} MB cap (the worker was killed)`);
      }, 200);
      this.poll.unref();
    }
    return child;
  }

  private onChannel(child: ChildProcess, d: Buffer): void {
    if (this.child !== child || !this.reader) return;
    const messages = this.reader.push(d, this.pending?.id);
    for (const m of messages) {
      const p = this.pending;
      if (m.type === 'bad') {
        this.fail(`the worker's answer was refused: ${m.why}`);
        return;
      }
      if (!p || m.id !== p.id) {
        this.fail(`the worker sent a message for no file it was checking`);
        return;
      }
      if (m.type === 'progress') {
        if (p.result) return this.fail('the worker sent more after the file’s result');
        p.onProgress?.(m.runs);
      } else if (m.type === 'result') {
        if (p.result) return this.fail('the worker sent more after the file’s result');
        p.result = m.reply.ok ? { ok: true, result: m.reply.result } : { ok: false, error: m.reply.error };
      } else if (m.type === 'done') {
        if (!p.result) return this.fail('the worker said done without a result');
        this.settle(p.result);
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

  private stopPolling(): void {
    if (this.poll) clearInterval(this.poll);
    this.poll = null;
  }

  private stop(): void {
    const c = this.child;
    this.child = null;
    this.reader = null;
    this.stopPolling();
    if (c) {
      c.stdin?.end();
      killGroup(c);
    }
  }
}

/** The worker leads its own process group (detached): kill the group, the sandbox's unshare
 *  and the node it forked alike. */
function killGroup(c: ChildProcess): void {
  try {
    if (c.pid) process.kill(-c.pid, 'SIGKILL');
  } catch {
    c.kill('SIGKILL');
  }
}
