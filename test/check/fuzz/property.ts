// The fuzz property for one generated program: lint its source in-process with the plugin's
// recommended config (lint verdict: a runtime-hazard finding), evaluate the same source
// (transpiled, run with the API objects in place of the import) and explore its pyclass
// under guarded and the witness runtimes (simulator verdict: some witness crash/corrupt),
// then judge: lint verdict ⇔ simulator verdict, and guarded never crash/corrupt.

import { Linter } from 'eslint';
import ts from 'typescript';
import plugin from '../../../rules/index.js';
import * as api from '../../../src/api/index.js';
import { definedClasses } from '../../../src/api/pyclass-handle.js';
import { comboKey, exploreClass, type ComboOutcome, type ProfileChoice } from '../../../src/check/explore.js';
import { breaksFor, WITNESS_RUNTIMES } from '../../../src/check/report.js';
import type { RuntimeKind } from '../../../src/api/index.js';

export const FUZZ_PROFILES: readonly ProfileChoice[] = [
  { python: '3.11', debug: false },
  { python: '3.7', debug: false },
  { python: '3.11', debug: true },
];

export interface LintOutcome {
  readonly flagged: boolean;
  readonly findings: readonly string[];
  /** The rule of each finding (breaksFor decides with them whether a leak proves a finding). */
  readonly rules: readonly string[];
}

const linter = new Linter({ configType: 'flat' });

export function lintSource(source: string): LintOutcome {
  const messages = linter.verify(source, [plugin.configs.recommended as never], 'fuzz.ts');
  const fatal = messages.find((m) => m.fatal || !m.ruleId);
  if (fatal) throw new Error(`generated program does not parse/lint: ${fatal.line}:${fatal.column} ${fatal.message}`);
  const findings = messages.filter((m) => m.ruleId?.startsWith('traverse-guard/'));
  return {
    flagged: findings.some((m) => m.ruleId !== 'traverse-guard/traverse-signature'),
    findings: findings.map((m) => `${m.line}:${m.column} ${m.ruleId!.slice('traverse-guard/'.length)}: ${m.message}`),
    rules: findings.map((m) => m.ruleId!.slice('traverse-guard/'.length)),
  };
}

export interface Loaded {
  readonly cls: api.PyClass;
  readonly setup: () => void;
}

/** Evaluates the program (CommonJS transpilation, `require('traverse-guard')` → the API). */
export function loadSource(source: string): Loaded {
  const out = ts.transpileModule(source, {
    fileName: 'fuzz.ts',
    reportDiagnostics: true,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  });
  const err = out.diagnostics?.find((d) => d.category === ts.DiagnosticCategory.Error);
  if (err) throw new Error(`generated program does not transpile: ${ts.flattenDiagnosticMessageText(err.messageText, '\n')}`);
  const exports: Record<string, unknown> = {};
  const require = (spec: string) => {
    if (spec === 'traverse-guard') return api;
    throw new Error(`unexpected import '${spec}'`);
  };
  const before = definedClasses.length;
  // The program's `Math.random` draws from a fixed-seed generator: a traverse that reads it
  // (the grammar's nondeterministic form) gets the same verdict on every replay of a seed.
  new Function('require', 'exports', 'Math', out.outputText)(require, exports, seededMath(0x9e3779b9));
  definedClasses.length = before; // the realm-wide registry is for the check's worker
  return { cls: exports.Fuzz as api.PyClass, setup: exports.setup as () => void };
}

/** `Math` with `random` replaced by a seeded generator (mulberry32). */
function seededMath(seed: number): Math {
  let a = seed >>> 0;
  const random = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Object.assign(Object.create(Math) as Math, { random });
}

export interface SimOutcome {
  /** Some witness runtime reached a break for these findings (report.ts breaksFor: crash or
   *  corrupt; a leak with no finding or a contract rule's). */
  readonly broke: boolean;
  readonly guardedFailure: boolean;
  readonly verdicts: Readonly<Record<string, ComboOutcome>>;
}

const BREAKS = new Set(['crash', 'corrupt']);

/**
 * Explores the class: guarded on every profile (all states), the witnesses until one breaks
 * (the verdict only needs one; unflagged classes explore every state everywhere).
 */
export function simulate(
  loaded: Loaded,
  profiles: readonly ProfileChoice[] = FUZZ_PROFILES,
  witnesses: readonly RuntimeKind[] = WITNESS_RUNTIMES,
  rules: readonly string[] = [],
): SimOutcome {
  const findings = rules.map((ruleId) => ({ ruleId, line: 0, column: 0, endLine: 0, message: '' }));
  const verdicts: Record<string, ComboOutcome> = {};
  const explore = (runtime: RuntimeKind, p: ProfileChoice) => {
    const r = exploreClass(loaded.cls, { runtimes: [runtime], profiles: [p], setup: loaded.setup });
    verdicts[comboKey(runtime, p)] = r[comboKey(runtime, p)];
    return r[comboKey(runtime, p)];
  };
  let broke = false;
  // Raw C first: its drops are immediate, so it breaks soonest when anything does.
  for (const runtime of [...witnesses].sort((a, b) => Number(b === 'c') - Number(a === 'c'))) {
    for (const p of profiles) {
      if (breaksFor(explore(runtime, p).verdict, findings)) {
        broke = true;
        break;
      }
    }
    if (broke) break;
  }
  let guardedFailure = false;
  for (const p of profiles) if (BREAKS.has(explore('guarded', p).verdict)) guardedFailure = true;
  return { broke, guardedFailure, verdicts };
}

export interface Judgement {
  readonly ok: boolean;
  readonly lint: LintOutcome;
  readonly sim: SimOutcome;
  /** Why the property fails ('' when it holds). */
  readonly problem: string;
}

export function judgeSource(source: string, profiles?: readonly ProfileChoice[]): Judgement {
  const lint = lintSource(source);
  const sim = simulate(loadSource(source), profiles, WITNESS_RUNTIMES, lint.rules);
  const problems: string[] = [];
  if (lint.flagged && !sim.broke) problems.push('flagged, never broke: no witness runtime crashed, corrupted or (for a contract finding) leaked');
  if (!lint.flagged && sim.broke) problems.push('missed by lint: a witness runtime broke');
  if (sim.guardedFailure) problems.push('RUNTIME BUG: guarded crashed or corrupted');
  return { ok: problems.length === 0, lint, sim, problem: problems.join('; ') };
}

/** A readable account of a judgement: findings, then each explored pair's verdict. */
export function describeJudgement(j: Judgement): string {
  const lines = [j.problem || 'agreement', `lint: ${j.lint.flagged ? 'flagged' : 'clean'}`, ...j.lint.findings.map((f) => `  ${f}`), 'simulator:'];
  for (const [k, v] of Object.entries(j.sim.verdicts)) {
    const state = v.reproducer ? ` [state ${JSON.stringify(v.reproducer.state)}]` : '';
    lines.push(`  ${k}: ${v.verdict} after ${v.states} states${v.detail ? ` — ${v.detail}` : ''}${v.operation ? ` (${v.operation})` : ''}${state}`);
  }
  return lines.join('\n');
}
