// The check's judgement of the `leak` verdict (issue 12): a leak under a witness runtime proves
// a finding of the contract rules (traverse-visits-all-fields, clear-releases-visited,
// traverse-deterministic, no-double-visit, no-foreign-visit), is a lint miss when the class has
// no finding at all, proves nothing for the older hazard rules, is explained by a
// traverse-signature finding, and under guarded is not a runtime failure.
import { describe, expect, it } from 'vitest';
import type { LintFinding } from '../../src/check/lint.js';
import { LEAK_PROVES, breaksFor, judgeClass, worstFor, WITNESS_RUNTIMES, type VerdictEntry } from '../../src/check/report.js';
import { inWords } from '../../src/check/in-words.js';

const finding = (ruleId: string): LintFinding => ({ ruleId, line: 5, column: 3, endLine: 5, message: `${ruleId} here` });
const v = (verdict: VerdictEntry['verdict'], extra: Partial<VerdictEntry> = {}): VerdictEntry => ({ verdict, states: 4, ...extra });
const LEAK = 'leak: 1 object(s) no root reaches (A 0x1) survived 2 full collections: the edge A 0x1 .b → A 0x1 was never visited by its traverse';

function verdicts(over: Record<string, VerdictEntry> = {}): Record<string, VerdictEntry> {
  const base: Record<string, VerdictEntry> = {};
  for (const r of ['guarded', 'pyo3-0.18.3', ...WITNESS_RUNTIMES]) base[`${r}@3.11`] = v('ok');
  return { ...base, ...over };
}

describe('leak in the check', () => {
  for (const rule of LEAK_PROVES) {
    it(`proves a ${rule} finding`, () => {
      const c = judgeClass('A', 3, [finding(rule)], verdicts({ 'c@3.11': v('leak', { detail: LEAK }) }));
      expect(c.status).toBe('broke-when-flagged');
      expect(c.explanation).toMatch(/^leak under c@3\.11: leak: 1 object/);
    });
  }

  it('is a lint miss for a class with no finding', () => {
    const c = judgeClass('A', 3, [], verdicts({ 'pyo3-0.19-nolock@3.11': v('leak', { detail: LEAK }) }));
    expect(c.status).toBe('missed-by-lint');
    expect(c.explanation).toMatch(/^missed by lint: a garbage cycle was never collected: the traverse does not visit a reference the object holds — leak under/);
  });

  it('proves nothing for an older hazard rule (it flags refcount changes, not leaks)', () => {
    const c = judgeClass('A', 3, [finding('no-drop-in-traverse')], verdicts({ 'c@3.11': v('leak', { detail: LEAK }) }));
    expect(c.status).toBe('flagged-never-broke');
  });

  it('is explained by a traverse-signature finding (a generator traverse never runs its body)', () => {
    const c = judgeClass('A', 3, [finding('traverse-signature')], verdicts({ 'c@3.11': v('leak', { detail: LEAK }) }));
    expect(c.status).toBe('clean');
  });

  it('only under pyo3-0.18.3 is no evidence', () => {
    const c = judgeClass('A', 3, [finding('no-double-visit')], verdicts({ 'pyo3-0.18.3@3.11': v('leak') }));
    expect(c.status).toBe('flagged-never-broke');
    expect(c.explanation).toContain('crashed, corrupted the heap or leaked');
  });

  it('under guarded is not a runtime failure; crash and corrupt still are', () => {
    expect(judgeClass('A', 3, [], verdicts({ 'guarded@3.11': v('leak') })).guardedFailure).toBe(false);
    expect(judgeClass('A', 3, [], verdicts({ 'guarded@3.11': v('corrupt') })).guardedFailure).toBe(true);
  });

  it('ranks between error and corrupt', () => {
    expect(worstFor({ 'c@3.7': v('error'), 'c@3.11': v('leak') }, 'c')).toBe('leak');
    expect(worstFor({ 'c@3.7': v('corrupt'), 'c@3.11': v('leak') }, 'c')).toBe('corrupt');
    expect(breaksFor('leak', [])).toBe(true);
    expect(breaksFor('error', [])).toBe(false);
    expect(breaksFor('corrupt', [finding('no-gil-in-traverse')])).toBe(true);
  });

  it('says in words what each leak means', () => {
    expect(inWords(v('leak', { detail: LEAK }))).toMatch(/does not visit a reference/);
    expect(inWords(v('leak', { detail: 'tp_clear of A ran but released none of the references' }))).toMatch(/clear releases none/);
    expect(inWords(v('corrupt', { detail: '… visited B 0x2 2 times but owns 1 reference to it (a double visit)' }))).toMatch(/visited the same reference twice/);
    expect(inWords(v('corrupt', { detail: '… visited B 0x2, which it does not own (a foreign visit)' }))).toMatch(/does not own/);
  });
});
