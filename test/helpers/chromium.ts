// Headless Chromium for page tests, driven over the Chrome DevTools Protocol through
// `--remote-debugging-pipe` (file descriptors 3 and 4, NUL-separated JSON): no WebSocket, no
// npm dependency, no browser download. Chromium is Debian's package: `ensureChromium` installs
// it with apt-get when it is absent and we run as root, and otherwise gives the reason to skip.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';

const NAMES = ['chromium', 'chromium-browser'];

function which(name: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() || undefined : undefined;
}

/** The Chromium binary, installing Debian's package if needed and allowed; or why there is none. */
export function ensureChromium(): { bin: string } | { skip: string } {
  for (const n of NAMES) {
    const bin = which(n);
    if (bin) return { bin };
  }
  if (process.platform !== 'linux' || !which('apt-get')) return { skip: 'chromium is not installed and this is not a Debian-like system with apt-get' };
  if (process.getuid?.() !== 0) return { skip: 'chromium is not installed and installing it (apt-get install chromium) needs root' };
  const r = spawnSync('sh', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium'], { encoding: 'utf8', timeout: 900_000 });
  const bin = NAMES.map(which).find(Boolean);
  return bin ? { bin } : { skip: `apt-get install chromium failed (exit ${r.status}): ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' / ')}` };
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
}

/** A browser and one page, attached with a flat session. */
export class Browser {
  private readonly child: ChildProcess;
  private readonly out: Writable;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners: Array<(method: string, params: Record<string, unknown>) => void> = [];
  private buffer = '';
  private readonly profile: string;
  session = '';

  private constructor(bin: string) {
    this.profile = mkdtempSync(path.join(os.tmpdir(), 'tg-chromium-'));
    this.child = spawn(
      bin,
      ['--headless', '--remote-debugging-pipe', '--no-sandbox', '--disable-gpu', '--no-first-run', '--no-default-browser-check', `--user-data-dir=${this.profile}`, 'about:blank'],
      { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] },
    );
    this.out = this.child.stdio[3] as Writable;
    const input = this.child.stdio[4] as Readable;
    input.setEncoding('utf8');
    input.on('data', (chunk: string) => {
      this.buffer += chunk;
      let end: number;
      while ((end = this.buffer.indexOf('\0')) >= 0) {
        const msg = JSON.parse(this.buffer.slice(0, end)) as { id?: number; result?: unknown; error?: { message: string }; method?: string; params?: Record<string, unknown> };
        this.buffer = this.buffer.slice(end + 1);
        if (msg.id !== undefined) {
          const p = this.pending.get(msg.id);
          this.pending.delete(msg.id);
          if (msg.error) p?.reject(new Error(msg.error.message));
          else p?.resolve(msg.result);
        } else if (msg.method) {
          for (const l of this.listeners) l(msg.method, msg.params ?? {});
        }
      }
    });
  }

  /** Starts Chromium and opens a blank page. */
  static async launch(bin: string): Promise<Browser> {
    const b = new Browser(bin);
    const { targetId } = (await b.send('Target.createTarget', { url: 'about:blank' }, '')) as { targetId: string };
    const { sessionId } = (await b.send('Target.attachToTarget', { targetId, flatten: true }, '')) as { sessionId: string };
    b.session = sessionId;
    return b;
  }

  /** Sends a command to the page (or, with session '', to the browser). */
  send(method: string, params: Record<string, unknown> = {}, session = this.session): Promise<unknown> {
    const id = this.nextId++;
    const msg = JSON.stringify({ id, method, params, ...(session ? { sessionId: session } : {}) });
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.out.write(msg + '\0');
    });
  }

  on(listener: (method: string, params: Record<string, unknown>) => void): void {
    this.listeners.push(listener);
  }

  /** Resolves at the first event `method`. */
  once(method: string): Promise<Record<string, unknown>> {
    return new Promise((resolve) => {
      let done = false;
      this.on((m, p) => {
        if (!done && m === method) {
          done = true;
          resolve(p);
        }
      });
    });
  }

  /** Evaluates `expression` in the page and returns its value. */
  async evaluate<T>(expression: string): Promise<T> {
    const r = (await this.send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true })) as {
      result: { value?: T };
      exceptionDetails?: { text: string; exception?: { description?: string } };
    };
    if (r.exceptionDetails) throw new Error(`page threw: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
    return r.result.value as T;
  }

  async close(): Promise<void> {
    try {
      await Promise.race([this.send('Browser.close', {}, ''), new Promise((r) => setTimeout(r, 2000))]);
    } catch {
      // already gone
    }
    if (this.child.exitCode === null) {
      const exited = new Promise((r) => this.child.once('exit', r));
      this.child.kill();
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    }
    rmSync(this.profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  }
}
