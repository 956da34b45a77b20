// From the check to explain in one step: the ready-to-paste `traverse-guard explain …`
// command that replays a class's worst state, and `--reproducers DIR`, which writes each such
// reproducer as a JSON file for `traverse-guard explain --reproducer FILE`.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Reproducer } from './explore.js';
import type { CheckReport, ClassReport } from './report.js';

/** A POSIX-shell word: bare when it is plainly safe, else single-quoted. */
export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The reproducer of a class's worst state (its evidence pair), if it has one. */
export function reproducerOf(c: ClassReport): Reproducer | undefined {
  return c.evidence ? c.verdicts[c.evidence]?.reproducer : undefined;
}

/** `npx traverse-guard explain FILE --class X --runtime R --python P --state '…'`, or, when no
 *  state went wrong, `… --class X` (which explores and replays the worst it finds). */
export function explainCommandFor(path: string, c: ClassReport): string {
  const r = reproducerOf(c);
  const words = ['npx', 'traverse-guard', 'explain', path, '--class', c.name];
  if (r) words.push('--runtime', r.runtime, '--python', `${r.python}${r.debug ? 'd' : ''}`, ...(r.malloc ? ['--malloc', r.malloc] : []), '--state', JSON.stringify(r.state));
  return words.map(shellQuote).join(' ');
}

/** Whether the table shows a replay command for this class: it broke, or it disagrees. */
export function wantsReplay(c: ClassReport): boolean {
  return c.status !== 'clean' || c.guardedFailure;
}

/** Writes one JSON file per class that broke or disagrees (and has a reproducer); returns the paths. */
export function writeReproducers(report: CheckReport, dir: string, cwd: string): string[] {
  const abs = resolve(cwd, dir);
  mkdirSync(abs, { recursive: true });
  const written: string[] = [];
  const used = new Set<string>();
  for (const f of report.files) {
    for (const c of f.classes) {
      const r = reproducerOf(c);
      if (!r || !wantsReplay(c)) continue;
      const stem = `${f.path.replace(/\.[cm]?[jt]sx?$/, '').replace(/[^\w.-]+/g, '_').replace(/^[._]+/, '')}-${c.name}`;
      let name = `${stem}.json`;
      for (let i = 2; used.has(name); i++) name = `${stem}-${i}.json`;
      used.add(name);
      const target = join(abs, name);
      writeFileSync(target, JSON.stringify({ ...r, file: resolve(cwd, f.path) }, null, 2) + '\n');
      written.push(target);
    }
  }
  return written;
}
