// The check's report: per file and class, the lint findings, the verdict of every
// (runtime, profile) pair, and the agreement between them. This is also the `--format json`
// schema (documented in README).

import type { ComboOutcome, Reproducer } from './explore.js';
import type { LintConfigInfo, LintFinding } from './lint.js';
import type { Protections } from './sandbox.js';
import type { RuntimeKind, Verdict } from '../api/index.js';
import { inWords } from './in-words.js';

/** Runtimes whose trampoline is sound by itself: a break there is the traverse body's doing. */
export const WITNESS_RUNTIMES: readonly RuntimeKind[] = ['pyo3-0.18.3-patched', 'pyo3-0.19-nolock', 'c'];

export type ClassStatus =
  /** Flagged, and it breaks under a witness runtime: the warning is proven. */
  | 'broke-when-flagged'
  /** Not flagged, and nothing breaks: agreement. */
  | 'clean'
  /** Flagged (a hazard rule), but no state broke it under a witness runtime. */
  | 'flagged-never-broke'
  /** Not flagged, but it broke: a lint bug. */
  | 'missed-by-lint';

export interface VerdictEntry {
  readonly verdict: Verdict;
  readonly detail?: string;
  readonly operation?: string;
  readonly fault?: ComboOutcome['fault'];
  readonly reproducer?: Reproducer;
  /** States explored for this pair. */
  readonly states: number;
}

/** What the exploration tried for a class. */
export interface Exploration {
  /** Adversarial heap states explored per (runtime, profile) pair. */
  readonly states: number;
  /** Primitive field → every value it took (its defaults, plus the constants its traverse compares it with). */
  readonly values: Readonly<Record<string, readonly unknown[]>>;
}

/** A condition on the way to a finding (from value-hints.ts), for the "never broke" explanation. */
export interface GuardNote {
  readonly line: number;
  readonly text: string;
  readonly fields: readonly string[];
}

export interface ClassReport {
  readonly name: string;
  readonly line: number;
  /** Has a runtime-hazard finding (any rule but traverse-signature). */
  readonly flagged: boolean;
  readonly findings: readonly LintFinding[];
  readonly status: ClassStatus;
  /** Some `guarded@…` pair reached crash or corrupt: a runtime bug. */
  readonly guardedFailure: boolean;
  /** Why it broke (witness runtime pair, operation), or why it is a disagreement. */
  readonly explanation: string;
  readonly verdicts: Readonly<Record<string, VerdictEntry>>;
  readonly exploration?: Exploration;
  /** The pair whose reproducer replays this class's worst state (the evidence of a break, or
   *  the worst outcome of a disagreement), when one went wrong at all. */
  readonly evidence?: string;
}

export interface FileReport {
  readonly path: string;
  /** The file could not be checked (unreadable, syntax error, threw at load, timed out…). */
  readonly error?: string;
  readonly classes: readonly ClassReport[];
  /** Findings outside any pyclass (helpers not reached from a class in this file). */
  readonly otherFindings: readonly LintFinding[];
  /** Findings on the `__traverse__` of plain classes (no field schema: linted, not run). */
  readonly plainClasses?: readonly { readonly name: string; readonly line: number; readonly findings: readonly LintFinding[] }[];
  /** The exported `main` scenario's verdicts, if the file has one. */
  readonly main?: Readonly<Record<string, VerdictEntry>>;
  /** `guarded@…` crashed or corrupted in the main scenario. */
  readonly mainGuardedFailure?: boolean;
}

export interface CheckSummary {
  readonly files: number;
  readonly fileErrors: number;
  readonly classes: number;
  readonly flagged: number;
  readonly brokeWhenFlagged: number;
  readonly missedByLint: number;
  readonly flaggedNeverBroke: number;
  readonly guardedFailures: number;
  readonly runs: number;
  readonly seconds: number;
  readonly statesPerSecond: number;
}

export interface CheckReport {
  readonly tool: { readonly name: 'traverse-guard'; readonly version: string };
  /** Which ESLint config linted the files, and whether typed. */
  readonly lint?: LintConfigInfo;
  readonly runtimes: readonly RuntimeKind[];
  readonly profiles: readonly string[];
  /** The allocator `--malloc` chose for every run; absent: each build's default (the debug
   *  hooks in a debug build, pymalloc in a release build). */
  readonly malloc?: 'pymalloc' | 'debug';
  readonly files: readonly FileReport[];
  readonly summary: CheckSummary;
  /** Which sandbox protections held on this run (sandbox.ts). */
  readonly protections?: Protections;
}

const BREAKS = new Set<Verdict>(['crash', 'corrupt']);

/**
 * The rules of the rest of the traverse/clear contract (issue 12): their consequence can be a
 * leak (an incomplete traverse, a clear that releases nothing, a nondeterministic traverse, a
 * double visit whose gc_refs wraps on 3.8+), so `leak` proves their findings. Rule ids are
 * names only here: the check never imports rules/.
 */
export const LEAK_PROVES: ReadonlySet<string> = new Set([
  'traverse-visits-all-fields',
  'clear-releases-visited',
  'traverse-deterministic',
  'no-double-visit',
  'no-foreign-visit',
]);

/**
 * Whether `v` is a break for a class with these findings: a crash or corruption always; a leak
 * when the class has no finding at all (a lint miss) or a finding of a LEAK_PROVES rule.
 */
export function breaksFor(v: Verdict, findings: readonly LintFinding[]): boolean {
  if (BREAKS.has(v)) return true;
  if (v !== 'leak') return false;
  // No finding at all: a lint miss. A traverse-signature finding explains a leak (a generator
  // traverse never runs its body) without being a runtime hazard.
  return findings.length === 0 || findings.some((f) => f.ruleId !== null && LEAK_PROVES.has(f.ruleId));
}

export function runtimeOf(key: string): RuntimeKind {
  return key.slice(0, key.indexOf('@')) as RuntimeKind;
}

/** Which broken pair makes the clearest evidence: a crash, on a current profile, under raw C. */
export function evidenceRank([k, v]: [string, VerdictEntry]): number {
  const runtime = runtimeOf(k);
  // An operation with a user source line ("… at x.ts:12") points at the code to change.
  const sourced = v.operation && / at [^ ]+:\d+/.test(v.operation) ? 20 : 0;
  return (v.verdict === 'crash' ? 100 : 0) + sourced + (k.endsWith('@3.11') ? 10 : k.includes('@3.1') ? 5 : 0) + (runtime === 'c' ? 3 : runtime === 'pyo3-0.18.3-patched' ? 2 : 1);
}

/** Judges one class: lint findings against the verdicts. */
function valueList(vs: readonly unknown[]): string {
  const shown = vs.slice(0, 8).map((v) => JSON.stringify(v));
  return `{${shown.join(', ')}${vs.length > 8 ? `, … ${vs.length - 8} more` : ''}}`;
}

/** "12 states, with size ∈ {0, 1, 1023, 1024, 1025}; the guard at line 9 (`…`) reads no field…". */
function triedText(exploration: Exploration | undefined, guards: readonly GuardNote[]): string {
  if (!exploration) return '';
  const vals = Object.entries(exploration.values).map(([k, vs]) => `${k} ∈ ${valueList(vs)}`);
  let out = `; tried ${exploration.states} heap states${vals.length ? `, with ${vals.join(', ')}` : ''}`;
  const blind = guards.filter((g) => !g.fields.length);
  if (blind.length) {
    out += `; ${blind.map((g) => `the guard at line ${g.line} (\`${g.text}\`)`).join(', ')} ${blind.length > 1 ? 'read' : 'reads'} no field the exploration sets, so it could not be satisfied`;
  }
  return out;
}

export function judgeClass(
  name: string,
  line: number,
  findings: readonly LintFinding[],
  verdicts: Record<string, VerdictEntry>,
  more: { exploration?: Exploration; guards?: readonly GuardNote[] } = {},
): ClassReport {
  const flagged = findings.some((f) => f.ruleId !== 'traverse-signature');
  const broke = Object.entries(verdicts).filter(([k, v]) => WITNESS_RUNTIMES.includes(runtimeOf(k)) && breaksFor(v.verdict, findings));
  const guardedFailure = Object.entries(verdicts).some(([k, v]) => runtimeOf(k) === 'guarded' && BREAKS.has(v.verdict));
  let status: ClassStatus;
  let explanation: string;
  const RANKED: Record<Verdict, number> = { ok: 0, error: 1, leak: 2, corrupt: 3, crash: 4 };
  const best = (xs: [string, VerdictEntry][]) => [...xs].sort((a, b) => evidenceRank(b) - evidenceRank(a))[0];
  // Worst verdict first; never the context runtime (it crashes even a correct traverse).
  const worst = Object.entries(verdicts)
    .filter(([k, v]) => v.reproducer && v.verdict !== 'ok' && runtimeOf(k) !== 'pyo3-0.18.3')
    .sort((a, b) => RANKED[b[1].verdict] - RANKED[a[1].verdict] || evidenceRank(b) - evidenceRank(a))[0];
  let evidence: string | undefined = broke.length ? best(broke)[0] : worst?.[0];
  if (flagged && broke.length) {
    const [k, v] = best(broke);
    status = 'broke-when-flagged';
    explanation = `${v.verdict} under ${k}: ${v.detail ?? ''}${v.operation ? ` (${v.operation})` : ''}`;
  } else if (flagged) {
    status = 'flagged-never-broke';
    explanation = `flagged, never broke: no explored state crashed, corrupted the heap${findings.some((f) => f.ruleId !== null && LEAK_PROVES.has(f.ruleId)) ? ' or leaked' : ''} under ${WITNESS_RUNTIMES.join(', ')}${triedText(more.exploration, more.guards ?? [])}`;
  } else if (broke.length) {
    const [k, v] = best(broke);
    status = 'missed-by-lint';
    explanation = `missed by lint: ${inWords(v)} — ${v.verdict} under ${k}: ${v.detail ?? ''}${v.operation ? ` (${v.operation})` : ''}`;
  } else {
    status = 'clean';
    explanation = 'no finding, and no explored state broke it';
  }
  if (guardedFailure) {
    const [k, v] = Object.entries(verdicts).find(([k, v]) => runtimeOf(k) === 'guarded' && BREAKS.has(v.verdict))!;
    explanation += `; RUNTIME BUG: the guarded runtime let it through: ${inWords(v)} — ${v.verdict} under ${k}: ${v.detail ?? ''}`;
    if (status === 'clean' || status === 'flagged-never-broke') evidence = k;
  }
  if (status === 'clean' && !guardedFailure) evidence = undefined;
  return { name, line, flagged, findings, status, guardedFailure, explanation, verdicts, ...(more.exploration ? { exploration: more.exploration } : {}), ...(evidence ? { evidence } : {}) };
}

export function summarize(files: readonly FileReport[], runs: number, seconds: number): CheckSummary {
  const classes = files.flatMap((f) => f.classes);
  return {
    files: files.length,
    fileErrors: files.filter((f) => f.error).length,
    classes: classes.length,
    flagged: classes.filter((c) => c.flagged).length,
    brokeWhenFlagged: classes.filter((c) => c.status === 'broke-when-flagged').length,
    missedByLint: classes.filter((c) => c.status === 'missed-by-lint').length,
    flaggedNeverBroke: classes.filter((c) => c.status === 'flagged-never-broke').length,
    guardedFailures: classes.filter((c) => c.guardedFailure).length + files.filter((f) => f.mainGuardedFailure).length,
    runs,
    seconds,
    statesPerSecond: seconds > 0 ? Math.round(runs / seconds) : 0,
  };
}

/** Exit code: 2 when a file could not be checked (the results are incomplete), else 1 on
 *  disagreement, else 0. */
export function exitCodeOf(s: CheckSummary): 0 | 1 | 2 {
  if (s.fileErrors) return 2;
  if (s.missedByLint || s.flaggedNeverBroke || s.guardedFailures) return 1;
  return 0;
}

/** The worst verdict of a runtime over all its profiles. */
export function worstFor(verdicts: Readonly<Record<string, VerdictEntry>>, runtime: RuntimeKind): Verdict {
  const order: Verdict[] = ['ok', 'error', 'leak', 'corrupt', 'crash'];
  let w = 0;
  for (const [k, v] of Object.entries(verdicts)) if (runtimeOf(k) === runtime) w = Math.max(w, order.indexOf(v.verdict));
  return order[w];
}
