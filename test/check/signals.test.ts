// SIGINT and SIGTERM during a check (issue 10 item 6): the built bin, checking a file that
// loops forever, is signalled once its worker runs; it exits 130/143, and neither a worker
// process nor a temporary directory is left behind.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, LOOPS } from './helpers.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Every descendant of `pid` (from /proc). */
function descendants(pid: number): number[] {
  const out: number[] = [];
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop()!;
    let kids: number[] = [];
    try {
      for (const t of readdirSync(`/proc/${p}/task`)) kids.push(...readFileSync(`/proc/${p}/task/${t}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
    } catch {
      kids = [];
    }
    out.push(...kids);
    stack.push(...kids);
  }
  return out;
}

const cmdline = (pid: number): string => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
};

const alive = (pid: number): boolean => {
  try {
    // A zombie has no cmdline; a live process (even in another PID namespace) has one.
    return readFileSync(`/proc/${pid}/cmdline`).length > 0;
  } catch {
    return false;
  }
};

async function interrupt(signal: 'SIGINT' | 'SIGTERM'): Promise<{ code: number | null; workers: number[]; tmp: string }> {
  const tmp = mkdtempSync(join(tmpdir(), 'tg-signal-tmp-'));
  const project = mkdtempSync(join(tmpdir(), 'tg-signal-'));
  dirs.push(tmp, project);
  writeFileSync(join(project, 'loops.ts'), LOOPS);
  const child = spawn(process.execPath, [BIN, 'check', join(project, 'loops.ts'), '--timeout', '120'], { env: { ...process.env, TMPDIR: tmp }, stdio: 'ignore' });
  let workers: number[] = [];
  // Wait until the worker (the sandbox's process and the node it forks) is running.
  for (let waited = 0; waited < 60_000; waited += 100) {
    await new Promise((r) => setTimeout(r, 100));
    workers = descendants(child.pid!);
    if (workers.some((p) => cmdline(p).includes('worker-main.js'))) break;
  }
  await new Promise((r) => setTimeout(r, 300));
  workers = descendants(child.pid!);
  child.kill(signal);
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  await new Promise((r) => setTimeout(r, 300));
  return { code, workers, tmp };
}

describe('check: signals', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s stops the workers, leaves no temporary directory and exits %i', async (signal, status) => {
    const r = await interrupt(signal);
    expect(r.workers.length).toBeGreaterThan(0);
    expect(r.code).toBe(status);
    expect(r.workers.filter(alive)).toEqual([]);
    expect(readdirSync(r.tmp)).toEqual([]);
  }, 120_000);
});
