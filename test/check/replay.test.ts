// One step from the check to explain: the table's ready-to-paste command replays the class's
// worst state (pasted into a shell, from a directory whose name needs quoting), --reproducers
// DIR writes files that `explain --reproducer FILE` replays, `explain --class X` without a
// state explores and replays the worst it finds; value-gated hazards are reached by value
// hints; bad states and unwritable pictures are exit 2.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CheckReport } from '../../src/check/report.js';
import { BIN, runBin, tempProject } from './helpers.js';

const GATED = `// Value-gated hazards: reached only when size exceeds 1024 or mode is 'trim'.
import { field, pyclass, type RefCell } from 'traverse-guard';

const LIMIT = 1024;

export const Gated = pyclass('Gated', {
  fields: { inner: field.cell(), size: field.int(), mode: field.str('keep') },
  traverse(self, visit) {
    visit.call(self.inner.get());
    if (self.size > LIMIT) (self.inner as unknown as RefCell).take();
  },
});

export const Moded = pyclass('Moded', {
  fields: { inner: field.cell(), mode: field.str('keep') },
  traverse(self, visit) {
    visit.call(self.inner.get());
    switch (self.mode) {
      case 'trim':
        (self.inner as unknown as RefCell).take();
        break;
      default:
        break;
    }
  },
});
`;

const FAST = ['--runtimes', 'guarded,pyo3-0.18.3,c', '--python', '3.11'];
// A directory name a shell would split or unquote.
const project = tempProject({ "it's a dir/gated.ts": GATED });
afterAll(() => project.cleanup());
const dir = join(project.dir, "it's a dir");

describe('value-gated hazards and the replay command', () => {
  const run = runBin(['check', 'gated.ts', ...FAST, '--reproducers', 'repro'], { cwd: dir });
  const json = runBin(['check', 'gated.ts', ...FAST, '--format', 'json'], { cwd: dir });
  const report = JSON.parse(json.stdout) as CheckReport;

  it('reaches the hazards behind `size > LIMIT` and `mode === trim`: flagged, and it breaks (exit 0)', () => {
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const classes = report.files[0].classes;
    expect(classes.map((c) => [c.name, c.status])).toEqual([
      ['Gated', 'broke-when-flagged'],
      ['Moded', 'broke-when-flagged'],
    ]);
    expect(classes[0].exploration?.values.size).toEqual(expect.arrayContaining([1023, 1024, 1025]));
    expect(classes[1].exploration?.values.mode).toContain('trim');
    expect(classes[0].verdicts[classes[0].evidence!].reproducer?.state.values.size).toBeGreaterThan(1024);
  });

  it('prints under each class a command that, pasted into a shell, replays the crash', () => {
    const commands = run.stdout.split('\n').filter((l) => l.trim().startsWith('replay: ')).map((l) => l.trim().slice('replay: '.length));
    expect(commands).toHaveLength(2);
    for (const cmd of commands) {
      expect(cmd.startsWith('npx traverse-guard explain gated.ts --class ')).toBe(true);
      const svg = join(project.dir, `replay-${commands.indexOf(cmd)}.svg`);
      const shell = spawnSync('sh', ['-c', `${cmd.replace(/^npx traverse-guard/, `"${process.execPath}" "${BIN}"`)} --svg "${svg}"`], { cwd: dir, encoding: 'utf8' });
      expect(shell.stdout.split('\n')[0], shell.stderr).toMatch(/^verdict: crash/);
      expect(shell.status).toBe(1);
    }
  });

  it('--reproducers DIR writes one JSON per class that explain --reproducer FILE replays (from anywhere)', () => {
    expect(run.stderr).toContain('2 reproducers written to repro');
    const files = readdirSync(join(dir, 'repro')).sort();
    expect(files).toEqual(['gated-Gated.json', 'gated-Moded.json']);
    const r = runBin(['explain', '--reproducer', join(dir, 'repro', files[0]), '--svg', join(project.dir, 'repro.svg')], { cwd: project.dir });
    expect(r.stdout.split('\n')[0], r.stderr).toMatch(/^verdict: crash/);
    expect(r.code).toBe(1);
    expect(JSON.parse(readFileSync(join(dir, 'repro', files[0]), 'utf8'))).toMatchObject({ class: 'Gated', runtime: 'c', file: join(dir, 'gated.ts') });
  });
});

describe('explain', () => {
  it('--class without --state explores and replays the worst state, saying so', () => {
    const r = runBin(['explain', 'gated.ts', '--class', 'Gated', '--svg', join(project.dir, 'worst.svg')], { cwd: dir });
    const lines = r.stdout.split('\n');
    expect(lines[0], r.stderr).toMatch(/^verdict: crash/);
    expect(lines[2]).toMatch(/^no --state: explored \d+ heap states of Gated under \d+ runtime\/profile pairs; replaying the worst, crash under /);
    expect(r.code).toBe(1);
  });

  it('--state with a primitive value replays it (size 2000 crashes; no crash on the default)', () => {
    const big = runBin(['explain', 'gated.ts', '--class', 'Gated', '--runtime', 'c', '--state', '{"values":{"size":2000},"refs":{"inner":"young-rc1"}}', '--svg', join(project.dir, 'a.svg')], { cwd: dir });
    expect(big.stdout.split('\n')[0], big.stderr).toMatch(/^verdict: crash/);
    const small = runBin(['explain', 'gated.ts', '--class', 'Gated', '--runtime', 'c', '--state', '{"values":{"size":2000}}', '--svg', join(project.dir, 'b.svg')], { cwd: dir });
    expect(small.stdout.split('\n')[0], small.stderr).toBe('verdict: ok');
    expect(small.code).toBe(0);
  });

  it('a value of the wrong type, or an unwritable --svg, is one line and exit 2', () => {
    const bad = runBin(['explain', 'gated.ts', '--class', 'Gated', '--state', '{"values":{"size":"big"}}'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/values\.size must be a number/);
    const svg = runBin(['explain', 'gated.ts', '--class', 'Gated', '--state', '{}', '--svg', '/nonexistent-dir/x.svg'], { cwd: dir });
    expect(svg.code).toBe(2);
    expect(svg.stderr.trim().split('\n')).toHaveLength(1);
    expect(svg.stderr).toMatch(/--svg: cannot write \/nonexistent-dir\/x\.svg/);
    expect(existsSync('/nonexistent-dir')).toBe(false);
  });
});
