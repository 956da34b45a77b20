// The check's judgement, in isolation: judgeClass (lint findings against verdicts, judged on
// the witness runtimes only), summarize, exitCodeOf and worstFor.
import { describe, expect, it } from 'vitest';
import type { LintFinding } from '../../src/check/lint.js';
import { exitCodeOf, judgeClass, summarize, worstFor, WITNESS_RUNTIMES, type CheckSummary, type FileReport, type VerdictEntry } from '../../src/check/report.js';

const finding = (ruleId: string, line = 5): LintFinding => ({ ruleId, line, column: 3, endLine: line, message: `${ruleId} here` });
const v = (verdict: VerdictEntry['verdict'], extra: Partial<VerdictEntry> = {}): VerdictEntry => ({ verdict, states: 4, ...extra });

/** All five runtimes on one profile, ok unless overridden. */
function verdicts(over: Record<string, VerdictEntry> = {}): Record<string, VerdictEntry> {
  const base: Record<string, VerdictEntry> = {};
  for (const r of ['guarded', 'pyo3-0.18.3', ...WITNESS_RUNTIMES]) base[`${r}@3.11`] = v('ok');
  return { ...base, ...over };
}

describe('judgeClass', () => {
  it('flagged and broken under a witness runtime: broke-when-flagged, naming the pair and the operation', () => {
    const c = judgeClass('A', 3, [finding('no-drop-in-traverse')], verdicts({ 'c@3.11': v('crash', { detail: 'SIGSEGV', operation: 'Py_DECREF in A.traverse at a.ts:5' }) }));
    expect(c.status).toBe('broke-when-flagged');
    expect(c.flagged).toBe(true);
    expect(c.explanation).toBe('crash under c@3.11: SIGSEGV (Py_DECREF in A.traverse at a.ts:5)');
    expect(c.guardedFailure).toBe(false);
  });

  it('prefers a crash to a corruption, and c to the other witnesses, as evidence', () => {
    const c = judgeClass('A', 3, [finding('no-gil-in-traverse')], {
      'pyo3-0.19-nolock@3.11': v('corrupt', { detail: 'audit' }),
      'pyo3-0.18.3-patched@3.11': v('crash', { detail: 'patched crash' }),
      'c@3.11': v('crash', { detail: 'c crash' }),
    });
    expect(c.explanation).toMatch(/^crash under c@3\.11: c crash/);
  });

  it('a break under pyo3-0.18.3 alone is no evidence: flagged, never broke', () => {
    const c = judgeClass('A', 3, [finding('no-pool-in-traverse')], verdicts({ 'pyo3-0.18.3@3.11': v('crash') }));
    expect(c.status).toBe('flagged-never-broke');
    expect(c.explanation).toContain('flagged, never broke');
  });

  it('a clean error under a witness is not a break', () => {
    const c = judgeClass('A', 3, [finding('no-interpreter-in-traverse')], verdicts({ 'c@3.11': v('error', { detail: 'stopped' }) }));
    expect(c.status).toBe('flagged-never-broke');
  });

  it('not flagged but broken: missed by lint', () => {
    const c = judgeClass('B', 7, [], verdicts({ 'pyo3-0.19-nolock@3.11': v('corrupt', { detail: 'list Py_list#2 has refcount 1 but 2 references' }) }));
    expect(c.status).toBe('missed-by-lint');
    // Says in words what happened, then the pair and the audit's message.
    expect(c.explanation).toBe(
      'missed by lint: a reference was released once too often: an object has fewer references counted than exist — corrupt under pyo3-0.19-nolock@3.11: list Py_list#2 has refcount 1 but 2 references',
    );
    expect(c.evidence).toBe('pyo3-0.19-nolock@3.11');
  });

  it('traverse-signature alone does not flag: a class with only it and no break is clean', () => {
    const c = judgeClass('C', 1, [finding('traverse-signature')], verdicts());
    expect(c.flagged).toBe(false);
    expect(c.status).toBe('clean');
    expect(c.findings).toHaveLength(1);
  });

  it('a crash or corruption under guarded is a runtime bug, whatever the status', () => {
    const c = judgeClass('D', 1, [], verdicts({ 'guarded@3.11': v('corrupt', { detail: 'bad' }) }));
    expect(c.status).toBe('clean');
    expect(c.guardedFailure).toBe(true);
    expect(c.explanation).toContain('RUNTIME BUG: the guarded runtime let it through: the heap audit found damage after the collection — corrupt under guarded@3.11: bad');
    expect(c.evidence).toBe('guarded@3.11');
    expect(judgeClass('D', 1, [], verdicts({ 'guarded@3.11': v('error') })).guardedFailure).toBe(false);
  });

  it('prefers, as evidence, a break whose operation names a source line', () => {
    const c = judgeClass('A', 3, [finding('no-drop-in-traverse')], {
      'c@3.11': v('crash', { detail: 'c crash', operation: 'subtract_refs ← collect ← gc.collect' }),
      'pyo3-0.19-nolock@3.7': v('crash', { detail: 'nolock crash', operation: 'Py_DECREF in A.traverse at a.ts:5' }),
    });
    expect(c.explanation).toBe('crash under pyo3-0.19-nolock@3.7: nolock crash (Py_DECREF in A.traverse at a.ts:5)');
    expect(c.evidence).toBe('pyo3-0.19-nolock@3.7');
  });

  it('flagged, never broke: says which values and how many states were tried, and names a guard it could not steer', () => {
    const c = judgeClass('A', 3, [finding('no-drop-in-traverse', 9)], verdicts(), {
      exploration: { states: 42, values: { size: [0, 1, 1023, 1024, 1025] } },
      guards: [
        { line: 8, text: 'Date.now() > 5', fields: [] },
        { line: 7, text: 'self.size > 1024', fields: ['size'] },
      ],
    });
    expect(c.status).toBe('flagged-never-broke');
    expect(c.explanation).toContain('tried 42 heap states, with size ∈ {0, 1, 1023, 1024, 1025}');
    expect(c.explanation).toContain('the guard at line 8 (`Date.now() > 5`) reads no field the exploration sets, so it could not be satisfied');
    expect(c.explanation).not.toContain('line 7');
    expect(c.exploration).toEqual({ states: 42, values: { size: [0, 1, 1023, 1024, 1025] } });
  });

  it('a clean class has no evidence to replay', () => {
    expect(judgeClass('C', 1, [], verdicts({ 'pyo3-0.18.3@3.11': v('crash', { reproducer: { class: 'C', runtime: 'pyo3-0.18.3', python: '3.11', debug: false, state: { refs: {}, values: {}, held: 'root', pool: 'pending', collection: 'full' } } }) })).evidence).toBeUndefined();
  });
});

describe('summarize', () => {
  it('counts statuses, flagged classes, file errors and guarded failures (main scenarios too)', () => {
    const broke = judgeClass('A', 1, [finding('no-drop-in-traverse')], verdicts({ 'c@3.11': v('crash') }));
    const missed = judgeClass('B', 1, [], verdicts({ 'c@3.11': v('corrupt') }));
    const never = judgeClass('C', 1, [finding('no-drop-in-traverse')], verdicts());
    const runtimeBug = judgeClass('D', 1, [], verdicts({ 'guarded@3.11': v('crash') }));
    const files: FileReport[] = [
      { path: 'a.ts', classes: [broke, missed], otherFindings: [] },
      { path: 'b.ts', classes: [never, runtimeBug], otherFindings: [], mainGuardedFailure: true },
      { path: 'c.ts', classes: [], otherFindings: [], error: 'failed to load' },
    ];
    expect(summarize(files, 1000, 4)).toEqual({
      files: 3,
      fileErrors: 1,
      classes: 4,
      flagged: 2,
      brokeWhenFlagged: 1,
      missedByLint: 1,
      flaggedNeverBroke: 1,
      guardedFailures: 2,
      runs: 1000,
      seconds: 4,
      statesPerSecond: 250,
    });
    expect(summarize([], 0, 0).statesPerSecond).toBe(0);
  });
});

describe('exitCodeOf', () => {
  const zero: CheckSummary = summarize([], 10, 1);
  it('0 on agreement', () => expect(exitCodeOf(zero)).toBe(0));
  it('1 on each kind of disagreement', () => {
    expect(exitCodeOf({ ...zero, missedByLint: 1 })).toBe(1);
    expect(exitCodeOf({ ...zero, flaggedNeverBroke: 2 })).toBe(1);
    expect(exitCodeOf({ ...zero, guardedFailures: 1 })).toBe(1);
  });
  it('2 when a file could not be checked, even with a disagreement (the results are incomplete)', () => {
    expect(exitCodeOf({ ...zero, fileErrors: 1 })).toBe(2);
    expect(exitCodeOf({ ...zero, fileErrors: 1, missedByLint: 3 })).toBe(2);
  });
});

describe('worstFor', () => {
  it('the worst verdict of one runtime over its profiles, ignoring other runtimes', () => {
    const vs = { 'c@3.7': v('ok'), 'c@3.11': v('corrupt'), 'c@3.11d': v('error'), 'guarded@3.11': v('crash') };
    expect(worstFor(vs, 'c')).toBe('corrupt');
    expect(worstFor(vs, 'guarded')).toBe('crash');
    expect(worstFor(vs, 'pyo3-0.19-nolock')).toBe('ok');
  });
});
