// What the check's parent process and its isolated workers say to each other.

import type { ComboOutcome, ProfileChoice } from './explore.js';
import type { RuntimeKind } from '../api/index.js';

export interface WorkerJob {
  /** Matches the reply to the job. */
  readonly id: number;
  /** Compiled entry module (in the worker's private directory). */
  readonly entry: string;
  /** Compiled path → source path. */
  readonly sources: Readonly<Record<string, string>>;
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

export const RESULT_MARKER = '@@traverse-guard-result ';
export const PROGRESS_MARKER = '@@traverse-guard-progress ';
