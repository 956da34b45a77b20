// What the check's parent process and its isolated workers say to each other. Jobs go to the
// worker's stdin, one JSON line each, after a first line holding the worker's secret. Replies
// come back on a channel of their own (file descriptor 3, which checked code cannot reach), one
// JSON line per message, each carrying the secret: progress, the result, then `done` once the
// file's realm is gone. The parent validates every message (validate-reply.ts).

import type { ComboOutcome, ProfileChoice } from './explore.js';
import type { ModuleGraph } from './module-graph.js';
import type { RuntimeKind } from '../api/index.js';

export interface WorkerJob {
  /** Matches the reply to the job. */
  readonly id: number;
  /** The checked file's real path (the graph's entry). */
  readonly entry: string;
  /** The file and its local imports, compiled (module-graph.ts). */
  readonly graph: ModuleGraph;
  readonly runtimes: readonly RuntimeKind[];
  readonly profiles: readonly ProfileChoice[];
  readonly maxStates?: number;
  /** Class name → primitive field → extra values to try (found in the parent from the syntax). */
  readonly valueHints?: Readonly<Record<string, Readonly<Record<string, readonly unknown[]>>>>;
}

export interface ClassResult {
  readonly name: string;
  /** Source file and line of the `pyclass(…)` call. */
  readonly file: string;
  readonly line: number;
  readonly referenceFields: readonly string[];
  readonly states: number;
  /** Primitive field → every value it took in the explored states. */
  readonly values?: Readonly<Record<string, readonly unknown[]>>;
  readonly outcomes: Readonly<Record<string, ComboOutcome>>;
}

export interface WorkerResult {
  readonly classes: readonly ClassResult[];
  /** The file's exported `main` scenario, per (runtime, profile), if it has one. */
  readonly main?: Readonly<Record<string, ComboOutcome>>;
  /** Runs performed (adversarial states × pairs, plus the scenario). */
  readonly runs: number;
  readonly seconds: number;
}

/** One line per job: the result, or why the file could not be checked. */
export type WorkerReply =
  | { readonly id: number; readonly ok: true; readonly result: WorkerResult }
  | { readonly id: number; readonly ok: false; readonly error: string };

/** The first stdin line: the secret every message on the result channel must carry. */
export interface WorkerHello {
  readonly secret: string;
  /** tslib (module-graph.ts helpersScript), run in every realm before the file. */
  readonly helpers: { readonly file: string; readonly text: string };
}

/** A message on the result channel (fd 3). */
export type ChannelMessage =
  | { readonly k: string; readonly type: 'progress'; readonly id: number; readonly runs: number }
  | { readonly k: string; readonly type: 'result'; readonly id: number; readonly reply: WorkerReply }
  | { readonly k: string; readonly type: 'done'; readonly id: number };

/** The worker's end of the result channel. */
export const RESULT_FD = 3;
