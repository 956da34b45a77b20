// Collects a pyclass in every adversarial heap state under every (runtime, profile) pair and
// keeps, per pair, the worst verdict and the smallest state that reached it.

import { Interpreter, RUNTIME_KINDS, type MallocKind, type PyClass, type RunResult, type RuntimeKind, type Verdict } from '../api/index.js';
import { buildAndCollect } from './heap-builder.js';
import { describeState, enumerateStates, stateSize, type HeapState, type ValueHints } from './states.js';

export interface ProfileChoice {
  readonly python: string;
  readonly debug: boolean;
  /** The allocator (check/explain --malloc); unset: the build's default, `debug` in a debug build. */
  readonly malloc?: MallocKind;
}

export const DEFAULT_PROFILES: readonly ProfileChoice[] = [
  { python: '3.7', debug: false },
  { python: '3.11', debug: false },
  { python: '3.13', debug: false },
  { python: '3.11', debug: true },
];

/** "pyo3-0.19-nolock@3.11" or "c@3.11d" (d = debug build). */
export function comboKey(runtime: RuntimeKind, p: ProfileChoice): string {
  return `${runtime}@${p.python}${p.debug ? 'd' : ''}`;
}

/** Everything `traverse-guard explain` needs to replay one collection. */
export interface Reproducer {
  readonly file?: string;
  readonly class: string;
  readonly runtime: RuntimeKind;
  readonly python: string;
  readonly debug: boolean;
  /** The allocator `--malloc` chose; absent: the build's default (debug hooks in a debug build). */
  readonly malloc?: MallocKind;
  readonly state: HeapState;
}

export interface ComboOutcome {
  readonly verdict: Verdict;
  /** One line: the fault, the audit finding, or the guarded runtime's error. */
  readonly detail?: string;
  /** The operation that did it, from the backtrace (e.g. "Py_DECREF in Ref.traverse at x.ts:12"). */
  readonly operation?: string;
  readonly fault?: RunResult['fault'];
  readonly reproducer?: Reproducer;
  readonly states: number;
}

const RANK: Record<Verdict, number> = { ok: 0, error: 1, leak: 2, corrupt: 3, crash: 4 };

export function worse(a: Verdict, b: Verdict): Verdict {
  return RANK[a] >= RANK[b] ? a : b;
}

/** Runs one state of `cls` once; `setup` (if any) runs first, as Python code on the fresh interpreter. */
export function runState(cls: PyClass, state: HeapState, runtime: RuntimeKind, p: ProfileChoice, setup?: () => void): RunResult {
  return new Interpreter({ runtime, python: p.python, debug: p.debug, malloc: p.malloc }).run(() => {
    setup?.();
    buildAndCollect(cls, state);
  });
}

/** Frames kept in a reported backtrace (a runaway recursion would otherwise make a result
 *  of megabytes); the reproducer replays the full one. */
const MAX_FRAMES = 48;

/** The fault as reported: its backtrace cut to the innermost MAX_FRAMES frames. */
export function compactFault(f: RunResult['fault']): RunResult['fault'] {
  if (!f || f.backtrace.length <= MAX_FRAMES) return f;
  return { ...f, backtrace: [...f.backtrace.slice(0, MAX_FRAMES), `… ${f.backtrace.length - MAX_FRAMES} more frames`] };
}

export function summarize(r: RunResult): { detail?: string; operation?: string } {
  if (r.verdict === 'crash' && r.fault) {
    const bt = r.fault.backtrace;
    const user = bt.findIndex((f) => / at .+:\d+$/.test(f) && !f.startsWith('main at'));
    const operation = user > 0 ? `${bt[user - 1]} in ${bt[user]}` : user === 0 ? bt[0] : bt.slice(0, 3).join(' ← ');
    const where = r.fault.signal === 'SIGABRT' ? r.fault.message : `${r.fault.signal} ${r.fault.access === 'read' ? 'reading' : 'writing'} 0x${r.fault.address.toString(16)} in ${r.fault.where}`;
    return { detail: where, operation };
  }
  if (r.verdict === 'corrupt') return { detail: r.audit[0]?.message };
  if (r.verdict === 'leak') return { detail: r.audit.find((a) => a.kind === 'leak')?.message };
  if (r.verdict === 'error') return { detail: r.stopped[0] };
  return {};
}

/** The states `exploreClass` explores: the class's adversarial states, bounded by `maxStates`. */
export function explorationStates(cls: PyClass, opts: { maxStates?: number; valueHints?: ValueHints } = {}): HeapState[] {
  return enumerateStates(cls.fields, opts.valueHints).slice(0, opts.maxStates ?? Infinity);
}

/**
 * Explores `cls`: for each (runtime, profile) the worst verdict over all states, with the
 * smallest state reaching it as the reproducer. Pairs that already crashed stop early.
 */
export function exploreClass(
  cls: PyClass,
  opts: {
    runtimes?: readonly RuntimeKind[];
    profiles?: readonly ProfileChoice[];
    file?: string;
    maxStates?: number;
    onState?: () => void;
    /** Runs on each fresh interpreter before the state is built (e.g. a module-level token's setup). */
    setup?: () => void;
    /** Extra primitive values to try (the constants the traverse compares fields with). */
    valueHints?: ValueHints;
    /** The states to explore, when the caller enumerated them already. */
    states?: readonly HeapState[];
  } = {},
): Record<string, ComboOutcome> {
  const runtimes = opts.runtimes ?? RUNTIME_KINDS;
  const profiles = opts.profiles ?? DEFAULT_PROFILES;
  const states = opts.states ?? explorationStates(cls, opts);
  const poolless = withoutPool(states, cls.fields);
  const out: Record<string, ComboOutcome> = {};
  for (const runtime of runtimes) {
    for (const prof of profiles) {
      let best: ComboOutcome = { verdict: 'ok', states: 0 };
      let n = 0;
      for (const state of runtime === 'c' ? poolless : states) {
        n++;
        opts.onState?.();
        const r = runState(cls, state, runtime, prof, opts.setup);
        if (RANK[r.verdict] > RANK[best.verdict]) {
          best = {
            verdict: r.verdict,
            ...summarize(r),
            fault: compactFault(r.fault),
            reproducer: { file: opts.file, class: cls.name, runtime, python: prof.python, debug: prof.debug, ...(prof.malloc ? { malloc: prof.malloc } : {}), state },
            states: n,
          };
          if (r.verdict === 'crash') break;
        }
      }
      out[comboKey(runtime, prof)] = { ...best, states: n };
    }
  }
  return out;
}

/**
 * The states as raw C runs them. C has no reference pool: the other thread's drop is an
 * immediate Py_DECREF, so a "pending" state is its "empty" twin plus an object freed before
 * the heap is built — it runs as that twin, once, and in size order.
 */
function withoutPool(states: readonly HeapState[], fields: PyClass['fields']): HeapState[] {
  const seen = new Set<string>();
  const out: HeapState[] = [];
  for (const s of states) {
    const t: HeapState = s.pool === 'pending' ? { ...s, pool: 'empty' } : s;
    const key = JSON.stringify(t);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(t);
  }
  return out
    .map((s, i) => ({ s, i, size: stateSize(s, fields) }))
    .sort((a, b) => a.size - b.size || a.i - b.i)
    .map((x) => x.s);
}

export { describeState };
