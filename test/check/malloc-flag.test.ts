// `--malloc debug` on check and explain (issue 13 item 5): the seed's crash2 on 3.7 walks into
// a freed block in subtract_refs, as does the seed's Ref class under raw C. Under pymalloc it reads 0x28 (the NULL free-list link);
// under the debug allocator the block reads 0xDD… and the load through rbp is a SIGBUS, as on
// CPython 3.7.16 with PYTHONMALLOC=debug (test/simulator/devmode-faults.test.ts). The output
// names the allocator; a reproducer carries it to explain; a bad value is a usage error.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO, runCli, tempProject } from './helpers.js';

const CRASH2 = join(REPO, 'fixtures', 'seed', 'crash2.ts');
const REF = join(REPO, 'fixtures', 'seed', 'ref.ts');

interface Verdict {
  readonly verdict: string;
  readonly fault?: { readonly signal: string };
  readonly reproducer?: { readonly malloc?: string };
}
interface Report {
  readonly malloc?: string;
  readonly files: readonly { readonly classes: readonly { readonly verdicts: Record<string, Verdict> }[] }[];
}
const tmp = tempProject({});
afterAll(() => tmp.cleanup());

describe('explain --malloc', () => {
  it('debug: SIGBUS on 3.7 and the heading names the debug allocator', async () => {
    const r = await runCli(['explain', CRASH2, '--runtime', 'pyo3-0.18.3', '--python', '3.7', '--malloc', 'debug', '--svg', join(tmp.dir, 'a.svg')]);
    expect(r.code).toBe(1);
    const [verdict, heading] = r.stdout.split('\n');
    expect(verdict).toBe('verdict: crash — SIGBUS (stack-segment fault, SI_KERNEL) reading through a non-canonical pointer in subtract_refs');
    expect(heading).toMatch(/CPython 3\.7 release build, debug allocator \(PYTHONMALLOC=debug/);
  });

  it('default pymalloc: the 0x28 read, and the heading says pymalloc', async () => {
    const r = await runCli(['explain', CRASH2, '--runtime', 'pyo3-0.18.3', '--python', '3.7', '--svg', join(tmp.dir, 'b.svg')]);
    const [verdict, heading] = r.stdout.split('\n');
    expect(verdict).toBe('verdict: crash — SIGSEGV reading 0x28 in subtract_refs');
    expect(heading).toMatch(/CPython 3\.7 release build, pymalloc$/);
  });

  it('a debug build (3.7d) defaults to the debug hooks; --malloc pymalloc overrides', async () => {
    const args = ['explain', CRASH2, '--runtime', 'pyo3-0.18.3', '--python', '3.7d', '--svg', join(tmp.dir, 'd.svg')];
    expect((await runCli(args)).stdout.split('\n')[1]).toMatch(/CPython 3\.7 debug build, debug allocator/);
    expect((await runCli([...args, '--malloc', 'pymalloc'])).stdout.split('\n')[1]).toMatch(/CPython 3\.7 debug build, pymalloc$/);
  });

  it('an unknown allocator is a usage error (exit 2)', async () => {
    const r = await runCli(['explain', CRASH2, '--malloc', 'jemalloc']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown allocator 'jemalloc' \(known: pymalloc, debug\)/);
  });
});

describe('check --malloc', () => {
  it('debug: the report says so, the worst state is the SIGBUS, and its reproducer replays it in explain', async () => {
    const dir = join(tmp.dir, 'repro');
    const args = ['check', REF, '--runtimes', 'c', '--python', '3.7', '--reproducers', dir];
    const r = await runCli([...args, '--format', 'json', '--malloc', 'debug']);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.malloc).toBe('debug');
    const v = report.files[0].classes[0].verdicts['c@3.7'];
    expect(v.verdict).toBe('crash');
    expect(v.fault?.signal).toBe('SIGBUS');
    expect(v.reproducer?.malloc).toBe('debug');
    const files = readdirSync(dir);
    expect(files).toHaveLength(1);
    const replay = await runCli(['explain', '--reproducer', join(dir, files[0]), '--svg', join(tmp.dir, 'c.svg')]);
    expect(replay.stdout.split('\n')[0]).toMatch(/^verdict: crash — SIGBUS /);
    expect(replay.stdout.split('\n')[1]).toMatch(/debug allocator/);

    const plain = JSON.parse((await runCli([...args, '--format', 'json'])).stdout) as Report;
    expect(plain.malloc).toBeUndefined();
    const pv = plain.files[0].classes[0].verdicts['c@3.7'];
    expect(pv.fault?.signal).toBe('SIGSEGV');
    expect(pv.reproducer?.malloc).toBeUndefined();
  });

  it('the table heading and the replay command name the debug allocator; a bad value exits 2', async () => {
    const t = await runCli(['check', REF, '--runtimes', 'c', '--python', '3.7', '--malloc', 'debug']);
    expect(t.stdout).toMatch(/debug allocator \(PYTHONMALLOC=debug\)/);
    expect(t.stdout).toMatch(/replay: .*--python 3\.7 --malloc debug --state/);
    const p = await runCli(['check', REF, '--runtimes', 'c', '--python', '3.7d', '--malloc', 'pymalloc', '--format', 'json']);
    const pr = JSON.parse(p.stdout) as Report;
    expect(pr.malloc).toBe('pymalloc');
    expect(pr.files[0].classes[0].verdicts['c@3.7d'].reproducer?.malloc).toBe('pymalloc');
    const bad = await runCli(['check', REF, '--malloc', 'debug2']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown allocator 'debug2'/);
  });
});
