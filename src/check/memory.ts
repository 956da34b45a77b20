// Resident memory of a worker process and its descendants (the sandbox's `unshare` and the
// node it forks), read from /proc: RSS counts ArrayBuffers and every other allocation, which
// V8's heap limit does not.

import { readFileSync } from 'node:fs';

function rssKb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)\s*kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

function children(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Resident megabytes of `pid` and its descendants (0 when /proc cannot tell). */
export function treeRssMb(pid: number): number {
  let kb = 0;
  const stack = [pid];
  for (let n = 0; stack.length && n < 64; n++) {
    const p = stack.pop()!;
    kb += rssKb(p);
    stack.push(...children(p));
  }
  return kb / 1024;
}
