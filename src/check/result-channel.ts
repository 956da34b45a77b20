// The parent's end of a worker's result channel: splits the byte stream into lines (each at
// most MAX_MESSAGE_BYTES), and accepts a line only if it is JSON no deeper than the limit,
// carries the worker's secret, and fits the protocol (validate-reply.ts for results). Anything
// else becomes a `bad` message, which costs the file being checked its result.

import { timingSafeEqual } from 'node:crypto';
import { LIMITS, jsonDepth, validateReply } from './validate-reply.js';
import type { WorkerReply } from './worker-protocol.js';

export const MAX_MESSAGE_BYTES = 32 * 1024 * 1024;

export type ChannelEvent =
  | { readonly type: 'progress'; readonly id: number; readonly runs: number }
  | { readonly type: 'result'; readonly id: number; readonly reply: WorkerReply }
  | { readonly type: 'done'; readonly id: number }
  | { readonly type: 'bad'; readonly why: string };

function sameSecret(a: unknown, secret: Buffer): boolean {
  if (typeof a !== 'string') return false;
  const b = Buffer.from(a);
  return b.length === secret.length && timingSafeEqual(b, secret);
}

/** Parses one line; `id` is the job the parent is waiting for (for the reply's validation). */
export function parseMessage(line: string, secret: Buffer, id: number | undefined): ChannelEvent {
  const depth = jsonDepth(line);
  if (depth > LIMITS.depth) return { type: 'bad', why: `a message nested ${depth} deep (limit ${LIMITS.depth})` };
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return { type: 'bad', why: 'a message that is not JSON' };
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { type: 'bad', why: 'a message that is not an object' };
  const m = v as Record<string, unknown>;
  if (!sameSecret(m.k, secret)) return { type: 'bad', why: 'a message without the worker’s secret' };
  const mid = m.id;
  if (typeof mid !== 'number' || !Number.isSafeInteger(mid)) return { type: 'bad', why: 'a message without a job id' };
  if (m.type === 'progress') {
    return typeof m.runs === 'number' && Number.isSafeInteger(m.runs) && m.runs >= 0 ? { type: 'progress', id: mid, runs: m.runs } : { type: 'bad', why: 'a progress message without a count' };
  }
  if (m.type === 'done') return { type: 'done', id: mid };
  if (m.type === 'result') {
    if (id === undefined || mid !== id) return { type: 'result', id: mid, reply: { id: mid, ok: false, error: 'unexpected' } };
    const why = validateReply(m.reply, id);
    if (why) return { type: 'bad', why: `a malformed result: ${why}` };
    return { type: 'result', id: mid, reply: m.reply as WorkerReply };
  }
  return { type: 'bad', why: 'a message of an unknown type' };
}

/** Accumulates a channel's bytes and yields its messages. */
export class ChannelReader {
  private readonly secret: Buffer;
  private chunks: Buffer[] = [];
  private size = 0;
  private broken = false;

  constructor(secret: string) {
    this.secret = Buffer.from(secret);
  }

  push(d: Buffer, id: number | undefined): ChannelEvent[] {
    if (this.broken) return [];
    const out: ChannelEvent[] = [];
    let start = 0;
    for (let nl = d.indexOf(10); nl >= 0; nl = d.indexOf(10, start)) {
      const line = Buffer.concat([...this.chunks, d.subarray(start, nl)]);
      this.chunks = [];
      this.size = 0;
      start = nl + 1;
      const ev = line.length > MAX_MESSAGE_BYTES ? ({ type: 'bad', why: `a message over ${MAX_MESSAGE_BYTES} bytes` } as const) : parseMessage(line.toString('utf8'), this.secret, id);
      out.push(ev);
      if (ev.type === 'bad') {
        this.broken = true;
        return out;
      }
    }
    const rest = d.subarray(start);
    if (rest.length) {
      this.chunks.push(rest);
      this.size += rest.length;
      if (this.size > MAX_MESSAGE_BYTES) {
        this.broken = true;
        this.chunks = [];
        out.push({ type: 'bad', why: `a message over ${MAX_MESSAGE_BYTES} bytes` });
      }
    }
    return out;
  }
}
