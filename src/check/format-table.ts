// The terminal table: one line per class with its worst verdict per runtime and its
// findings, then the evidence line, then the summary. Colour only on a TTY without NO_COLOR.

import type { RuntimeKind, Verdict } from '../api/index.js';
import { printable } from './printable.js';
import { worstFor, type CheckReport, type ClassReport, type FileReport } from './report.js';
import type { Protections } from './sandbox.js';

/** The footer's one line on the sandbox (docs/security.md says what each part means). */
export function protectionsLine(p: Protections): string {
  const parts = [
    'results on a secret channel',
    'a realm per file',
    p.network === 'namespace' ? 'no network (namespace)' : 'network: realm only (no namespace)',
    p.pidNamespace ? 'own PID namespace' : 'no PID namespace',
    p.workerUid !== null ? `uid ${p.workerUid}` : 'same uid',
    p.memory === 'rss' ? `RSS cap ${p.memoryCapMb} MB` : 'heap cap only',
  ];
  return `sandbox: ${parts.join(', ')}`;
}
import { explainCommandFor, wantsReplay } from './reproducers.js';

const SHORT: Readonly<Record<RuntimeKind, string>> = {
  guarded: 'guarded',
  'pyo3-0.18.3': '0.18.3',
  'pyo3-0.18.3-patched': 'patched',
  'pyo3-0.19-nolock': 'nolock',
  c: 'c',
};

type Style = (codes: string, s: string) => string;

export function makeStyle(color: boolean): Style {
  const map: Record<string, [number, number]> = { red: [31, 39], green: [32, 39], yellow: [33, 39], dim: [2, 22], bold: [1, 22], cyan: [36, 39] };
  return (codes, s) => {
    if (!color) return s;
    return codes.split(',').reduce((acc, c) => (map[c] ? `\u001b[${map[c][0]}m${acc}\u001b[${map[c][1]}m` : acc), s);
  };
}

/** The context runtime: even a correct traverse crashes under it (the seed's crash1). */
const CONTEXT: RuntimeKind = 'pyo3-0.18.3';

function verdictCell(v: Verdict, runtime: RuntimeKind, style: Style): string {
  // Under guarded an error is the design working: the misuse stopped, the heap intact.
  const text = v === 'ok' ? 'ok' : v === 'error' ? (runtime === 'guarded' ? 'stopped' : 'error') : v.toUpperCase();
  const padded = text.padEnd(7);
  if (runtime === CONTEXT) return style('dim', padded);
  if (v === 'error' && runtime === 'guarded') return style('green', padded);
  return v === 'crash' || v === 'corrupt' ? style('red,bold', padded) : v === 'leak' ? style('red', padded) : v === 'error' ? style('yellow', padded) : style('green', padded);
}

function cellsOf(verdicts: ClassReport['verdicts'], runtimes: readonly RuntimeKind[], style: Style): string {
  return runtimes.map((r) => `${style('dim', SHORT[r])} ${verdictCell(worstFor(verdicts, r), r, style)}`).join(' ');
}

const STATUS: Record<ClassReport['status'], [string, string]> = {
  'broke-when-flagged': ['✓ flagged, and it breaks', 'green'],
  clean: ['✓ clean', 'green'],
  'flagged-never-broke': ['✗ flagged, never broke', 'red,bold'],
  'missed-by-lint': ['✗ missed by lint', 'red,bold'],
};

function classLines(c: ClassReport, path: string, runtimes: readonly RuntimeKind[], style: Style): string[] {
  const rules = [...new Set(c.findings.map((f) => f.ruleId))];
  const head = `  ${style('bold', printable(c.name))}${style('dim', `:${c.line}`)}`;
  const cells = cellsOf(c.verdicts, runtimes, style);
  const [label, color] = STATUS[c.status];
  const lines = [`${head.padEnd(34 + (head.length - stripAnsi(head).length))} ${cells} ${style(color, label)}${c.guardedFailure ? ` ${style('red,bold', '✗ guarded failure')}` : ''}`];
  if (rules.length) lines.push(`      ${style('cyan', rules.join(', '))}`);
  if (c.status !== 'clean') lines.push(`      ${style('dim', printable(c.explanation))}`);
  if (wantsReplay(c)) lines.push(`      ${style('dim', 'replay:')} ${printable(explainCommandFor(path, c))}`);
  return lines;
}

function stripAnsi(s: string): string {
  return s.replace(/\u001b\[[0-9;]*m/g, '');
}

function fileLines(f: FileReport, runtimes: readonly RuntimeKind[], style: Style): string[] {
  const out = [style('bold', printable(f.path))];
  if (f.error) out.push(`  ${style('red,bold', 'error:')} ${printable(f.error)}`);
  for (const c of f.classes) out.push(...classLines(c, f.path, runtimes, style));
  if (f.main) {
    const cells = cellsOf(f.main, runtimes, style);
    out.push(`  ${'main scenario'.padEnd(32)} ${cells}${f.mainGuardedFailure ? ` ${style('red,bold', '✗ guarded failure')}` : ''}`);
  }
  for (const p of f.plainClasses ?? []) {
    out.push(`  ${style('bold', `${printable(p.name)}.__traverse__`)}${style('dim', `:${p.line}`)}  ${style('dim', 'plain class: linted only (no field schema to build heaps from)')}`);
    for (const x of p.findings) out.push(`      ${style('dim', `${x.line}:${x.column}`)} ${style('cyan', x.ruleId)} ${printable(x.message)}`);
  }
  if (f.otherFindings.length) out.push(`  ${style('dim', 'outside any class:')}`);
  for (const x of f.otherFindings) out.push(`      ${style('dim', `${x.line}:${x.column}`)} ${style('cyan', x.ruleId)} ${printable(x.message)}`);
  return out;
}

/** Said once, above the table: what the dimmed column and "stopped" mean. */
function legend(r: CheckReport, style: Style): string[] {
  const out: string[] = [];
  const entries = r.files.flatMap((f) => [...f.classes.map((c) => c.verdicts), ...(f.main ? [f.main] : [])]);
  if (r.runtimes.includes(CONTEXT)) {
    out.push(style('dim', `${SHORT[CONTEXT]} (pyo3-0.18.3, dimmed) is context, not evidence: its trampoline crashes even a correct traverse, applying a deferred decref another thread left (the seed's crash1).`));
  }
  if (r.runtimes.includes('guarded') && entries.some((v) => worstFor(v, 'guarded') === 'error')) {
    out.push(style('dim', 'guarded "stopped": the guarded runtime refused the misuse with a clean error and the heap stayed intact: the expected, contained outcome.'));
  }
  return out;
}

/** "eslint.config.js (found by ESLint), typed" or "built-in recommended config, untyped". */
export function lintText(l: NonNullable<CheckReport['lint']>): string {
  const where =
    l.source === 'built-in'
      ? "the plugin's recommended config"
      : l.source === 'option'
        ? `${l.files.join(', ')} (--config)`
        : l.source === 'project'
          ? `${l.files.join(', ')} (the project's own)`
          : `${l.files.join(', ')}, and the plugin's recommended config for files no config covers`;
  return `${where}, ${l.mode}${l.tsconfig ? ` (types from ${l.tsconfig})` : ''}`;
}

export function formatTable(r: CheckReport, color: boolean): string {
  const style = makeStyle(color);
  const out = [style('bold', `traverse-guard check — ${r.runtimes.length} runtimes × ${r.profiles.length} profiles (${r.profiles.join(', ')})${r.malloc === 'debug' ? ', debug allocator (PYTHONMALLOC=debug)' : r.malloc === 'pymalloc' ? ', pymalloc (no debug hooks)' : ''}`)];
  if (r.lint) out.push(style('dim', `lint: ${lintText(r.lint)}`));
  out.push(...legend(r, style));
  out.push('');
  // A file with nothing to show (a helper module: no class, scenario, finding or error) is not
  // listed; the JSON report keeps it.
  const shown = r.files.filter((f) => f.error || f.classes.length || f.main || f.plainClasses?.length || f.otherFindings.length);
  for (const f of shown) out.push(...fileLines(f, r.runtimes, style));
  const s = r.summary;
  const bad = s.missedByLint + s.flaggedNeverBroke + s.guardedFailures;
  out.push('');
  out.push(
    `${s.classes} classes in ${s.files} files, ${s.flagged} flagged: ${s.brokeWhenFlagged} broke when flagged, ` +
      `${style(s.missedByLint ? 'red,bold' : 'green', `${s.missedByLint} missed by lint`)}, ` +
      `${style(s.flaggedNeverBroke ? 'red,bold' : 'green', `${s.flaggedNeverBroke} flagged never broke`)}, ` +
      `${style(s.guardedFailures ? 'red,bold' : 'green', `${s.guardedFailures} guarded failures`)}` +
      (s.fileErrors ? `, ${style('red,bold', `${s.fileErrors} files could not be checked`)}` : ''),
  );
  out.push(style('dim', `${s.runs.toLocaleString('en-US')} collections in ${s.seconds.toFixed(1)} s (${s.statesPerSecond.toLocaleString('en-US')} states/s)`));
  if (r.protections) out.push(style('dim', protectionsLine(r.protections)));
  out.push(bad ? style('red,bold', 'disagreement') : s.fileErrors ? style('red,bold', 'incomplete') : style('green,bold', 'agreement'));
  return out.join('\n') + '\n';
}
