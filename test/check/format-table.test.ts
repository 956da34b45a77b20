// The table a person reads: the context runtime dimmed and explained once (not per class), a
// guarded error shown as the contained outcome, a plain class's __traverse__ findings under
// their own label, the lint config in the header, replay commands under disagreements.
import { describe, expect, it } from 'vitest';
import { formatTable } from '../../src/check/format-table.js';
import { judgeClass, summarize, type CheckReport, type VerdictEntry } from '../../src/check/report.js';
import type { HeapState } from '../../src/check/states.js';

const STATE: HeapState = { refs: { inner: 'young-rc1' }, values: { size: 1025 }, held: 'root', pool: 'empty', collection: 'full' };
const v = (verdict: VerdictEntry['verdict'], runtime = 'c', extra: Partial<VerdictEntry> = {}): VerdictEntry => ({
  verdict,
  states: 3,
  ...(verdict === 'ok' ? {} : { reproducer: { class: 'X', runtime: runtime as never, python: '3.11', debug: false, state: STATE } }),
  ...extra,
});
const finding = { ruleId: 'no-drop-in-traverse', line: 5, column: 3, endLine: 5, message: 'drop' };

function report(): CheckReport {
  const clean = judgeClass('Clean', 3, [], { 'guarded@3.11': v('ok'), 'pyo3-0.18.3@3.11': v('crash', 'pyo3-0.18.3'), 'c@3.11': v('ok') });
  const stopped = judgeClass('Stopped', 9, [finding], { 'guarded@3.11': v('error', 'guarded', { detail: 'drop deferred' }), 'pyo3-0.18.3@3.11': v('crash', 'pyo3-0.18.3'), 'c@3.11': v('crash') });
  const missed = judgeClass('Missed', 20, [], { 'guarded@3.11': v('ok'), 'pyo3-0.18.3@3.11': v('ok'), 'c@3.11': v('corrupt', 'c', { detail: 'the collector cleared list 0x10, which is still referenced from outside' }) });
  const files = [
    { path: 'src/helpers.ts', classes: [], otherFindings: [] },
    {
      path: "src/it's.ts",
      classes: [clean, stopped, missed],
      otherFindings: [{ ...finding, line: 40 }],
      plainClasses: [{ name: 'Plain', line: 30, findings: [{ ...finding, line: 31 }] }],
    },
  ];
  return {
    tool: { name: 'traverse-guard', version: '0' },
    lint: { source: 'project', files: ['eslint.config.js'], mode: 'typed' },
    runtimes: ['guarded', 'pyo3-0.18.3', 'c'],
    profiles: ['3.11'],
    files,
    summary: summarize(files, 10, 1),
  };
}

describe('formatTable', () => {
  const text = formatTable(report(), false);
  const lines = text.split('\n');

  it('does not list a file with nothing to show (a helper module)', () => {
    expect(text).not.toContain('src/helpers.ts');
    expect(text).toContain("src/it's.ts");
  });

  it('names the lint config and mode in the header', () => {
    expect(lines[1]).toBe("lint: eslint.config.js (the project's own), typed");
  });

  it('explains the context runtime once, in a legend, and no longer per class', () => {
    expect(text.match(/crashes even a correct traverse/g)).toHaveLength(1);
    expect(lines.findIndex((l) => l.includes('crashes even a correct traverse'))).toBeLessThan(lines.findIndex((l) => l.includes('Clean:3')));
  });

  it('dims the context runtime: no colour of its own, even when it crashes', () => {
    const coloured = formatTable(report(), true);
    const cleanLine = coloured.split('\n').find((l) => l.includes('Clean'))!;
    expect(cleanLine).toContain('\u001b[2mCRASH  \u001b[22m');
    expect(cleanLine).not.toContain('\u001b[31m\u001b[1mCRASH');
  });

  it('shows a guarded error as "stopped", the expected outcome, with a legend line', () => {
    expect(lines.find((l) => l.includes('Stopped:9'))).toContain('guarded stopped');
    expect(text).toContain('guarded "stopped": the guarded runtime refused the misuse with a clean error');
  });

  it('puts a plain class __traverse__ finding under its own label, apart from findings outside any class', () => {
    const i = lines.findIndex((l) => l.includes('Plain.__traverse__:30'));
    expect(lines[i]).toContain('plain class: linted only');
    expect(lines[i + 1]).toContain('31:3 no-drop-in-traverse drop');
    expect(lines[i + 2]).toContain('outside any class:');
    expect(lines[i + 3]).toContain('40:3 no-drop-in-traverse drop');
  });

  it('says in words what a disagreement did, and prints a quoted replay command', () => {
    const i = lines.findIndex((l) => l.includes('Missed:20'));
    expect(lines[i + 1]).toContain('missed by lint: the collector freed an object still in use');
    expect(lines[i + 2]).toBe(
      `      replay: npx traverse-guard explain 'src/it'\\''s.ts' --class Missed --runtime c --python 3.11 --state '${JSON.stringify(STATE)}'`,
    );
    expect(lines.some((l) => l.includes('--class Clean'))).toBe(false);
  });
});
