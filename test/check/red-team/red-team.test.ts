// The red team: hostile and unusual files checked in one run beside innocent ones. Each attack
// ends as a per-file error or with its class's true verdict; the innocent files keep theirs;
// the run's exit status is 2 (some files could not be checked), and the parent survives.
// Attacks that only the operating system can stop are tested against what the report says
// was in force (sandbox.ts probes it).
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatTable } from '../../../src/check/format-table.js';
import { exitCodeOf, type CheckReport, type FileReport } from '../../../src/check/report.js';
import { runCheck } from '../../../src/check/run-check.js';
import { probeSandbox } from '../../../src/check/sandbox.js';
import { WORKER } from '../../../src/check/isolate.js';
import { GOOD, HIDDEN } from '../helpers.js';
import { ATTACKS, ODD_NAMES, takes } from './attacks.js';

const FAST = { runtimes: ['guarded', 'c'] as const, profiles: [{ python: '3.11', debug: false }] };

let base: string;
let root: string;
let report: CheckReport;
let rssGrowthMb: number;

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'tg-red-team-'));
  root = join(base, 'checked');
  mkdirSync(join(base, 'outside'), { recursive: true });
  writeFileSync(join(base, 'outside', 'secret.ts'), `export const secret = 'TOPSECRET';\n`);
  writeFileSync(join(base, 'outside', 'npmrc'), `//registry.npmjs.org/:_authToken=TOPSECRET\n`);
  mkdirSync(root);
  for (const [name, text] of Object.entries(ATTACKS)) writeFileSync(join(root, name), text);
  // The innocent: checked in the same run, first and last by name.
  writeFileSync(join(root, 'aaa-good.ts'), GOOD);
  writeFileSync(join(root, 'zzz-hidden.ts'), HIDDEN);
  writeFileSync(join(root, 'zzz-takes.ts'), `import { field, pyclass, type RefCell } from 'traverse-guard';\nexport const Takes = ${takes('Takes')};\n`);
  // Odd names.
  mkdirSync(join(root, 'odd'));
  ODD_NAMES.forEach((n, i) => writeFileSync(join(root, 'odd', n), `import { field, pyclass, type RefCell } from 'traverse-guard';\nexport const C = ${takes(`Odd${i}`)};\n`));
  // A .ts symlink to a secret, a FIFO named x.ts, a symlink to /dev/zero.
  symlinkSync(join(base, 'outside', 'npmrc'), join(root, 'secret-link.ts'));
  spawnSync('mkfifo', [join(root, 'fifo.ts')]);
  symlinkSync('/dev/zero', join(root, 'zero.ts'));
  // A symlink tree: 12 levels of two links each to the next level reach one file 4,096 ways.
  const tree = join(root, 'tree');
  for (let d = 0; d <= 12; d++) mkdirSync(join(tree, `l${d}`), { recursive: true });
  writeFileSync(join(tree, 'l12', 'leaf.ts'), `import { field, pyclass, type RefCell } from 'traverse-guard';\nexport const Leaf = ${takes('Leaf')};\n`);
  for (let d = 0; d < 12; d++) for (const k of ['a', 'b']) symlinkSync(join(tree, `l${d + 1}`), join(tree, `l${d}`, k));

  const rss0 = process.memoryUsage().rss;
  report = await runCheck({ paths: [root], cwd: base, ...FAST, timeoutMs: 60_000, memoryCapMb: 400 });
  rssGrowthMb = (process.memoryUsage().rss - rss0) / 2 ** 20;
}, 300_000);

afterAll(() => rmSync(base, { recursive: true, force: true }));

const file = (rel: string): FileReport => {
  const f = report.files.find((x) => x.path === join('checked', rel));
  if (!f) throw new Error(`no report for ${rel}: ${report.files.map((x) => JSON.stringify(x.path)).join(', ')}`);
  return f;
};
const statuses = (f: FileReport) => f.classes.map((c) => [c.name, c.status]);

describe('red team: innocent files keep their true results', () => {
  it('a correct class is clean, a hidden hazard is missed by lint, a flagged hazard broke', () => {
    expect(file('aaa-good.ts').error).toBeUndefined();
    expect(statuses(file('aaa-good.ts'))).toEqual([['Good', 'clean']]);
    expect(statuses(file('zzz-hidden.ts'))).toEqual([['Hidden', 'missed-by-lint']]);
    expect(statuses(file('zzz-takes.ts'))).toEqual([['Takes', 'broke-when-flagged']]);
  });

  it('the run exits 2 (some files could not be checked) and says which protections held', () => {
    expect(exitCodeOf(report.summary)).toBe(2);
    expect(report.protections).toMatchObject({ resultChannel: 'fd3-secret', realmPerFile: true, memoryCapMb: 400 });
  });
});

describe('red team: the verdict cannot be forged or disturbed', () => {
  it('forged result lines on stdout change nothing', () => {
    expect(statuses(file('forge-stdout.ts'))).toEqual([['Forged', 'broke-when-flagged']]);
  });

  it("compiling code in the worker's realm through an API function is refused", () => {
    expect(file('escape-constructor.ts').error).toMatch(/failed to load: EvalError: Code generation from strings disallowed/);
  });

  it('patching its own realm (push, JSON.stringify, toJSON, stackTraceLimit, stdout) keeps its true verdict', () => {
    expect(file('patch-intrinsics.ts').error).toBeUndefined();
    expect(statuses(file('patch-intrinsics.ts'))).toEqual([['Patched', 'broke-when-flagged']]);
  });

  it('patching Interpreter.prototype.run or gc fails that file (the API is frozen)', () => {
    expect(file('patch-interpreter.ts').error).toMatch(/failed to load: TypeError: Cannot assign to read only property 'run'/);
    expect(file('patch-gc.ts').error).toMatch(/failed to load: TypeError: Cannot assign to read only property 'collect'/);
  });

  it('an interval left behind dies with the realm: the file and the next ones keep their verdicts', () => {
    expect(statuses(file('interval.ts'))).toEqual([['Interval', 'broke-when-flagged']]);
  });

  it('a factory-made class with stack traces off is still the file’s, at the pyclass call’s line', () => {
    const [c] = file('factory.ts').classes;
    expect([c.name, c.status]).toEqual(['FactoryLate', 'broke-when-flagged']);
    expect(c.line).toBe(6);
  });

  it('.tsx works', () => {
    expect(statuses(file('component.tsx'))).toEqual([['Tsx', 'broke-when-flagged']]);
  });
});

describe('red team: network, signals, memory, output', () => {
  it('TCP, UDP, listen, DNS, unix sockets: no Node built-in is importable in a checked file', () => {
    for (const [f, mod] of [['net-tcp.ts', 'node:net'], ['net-udp.ts', 'node:dgram'], ['net-listen.ts', 'node:http'], ['net-dns.ts', 'node:dns'], ['net-unix.ts', 'node:net']]) {
      expect(file(f).error, f).toMatch(new RegExp(`failed to load: Error: imports ${mod}: a checked file may import only traverse-guard`));
    }
  });

  it('fetch does not exist in a checked file', () => {
    expect(file('net-fetch.ts').error).toMatch(/ReferenceError: fetch is not defined/);
  });

  it('process.kill(process.ppid) is not reachable', () => {
    expect(file('kill-parent.ts').error).toMatch(/ReferenceError: process is not defined/);
  });

  it('an ArrayBuffer bomb is killed at the RSS cap', () => {
    if (report.protections?.memory !== 'rss') return expect(file('memory-bomb.ts').error).toBeDefined();
    expect(file('memory-bomb.ts').error).toMatch(/over the 400 MB cap/);
  });

  it('a 300 MB stdout flood is dropped, not buffered: its class keeps its verdict and the parent stays small', () => {
    expect(statuses(file('flood.ts'))).toEqual([['Flood', 'broke-when-flagged']]);
    expect(rssGrowthMb).toBeLessThan(250);
  });
});

describe('red team: what the parent reads', () => {
  it('an import outside the checked paths is a per-file error, the secret never read', () => {
    expect(file('import-outside.ts').error).toMatch(/imports \.\.\/outside\/secret\.js, which is outside the checked paths/);
    expect(JSON.stringify(report)).not.toContain('TOPSECRET');
  });

  it('a .ts symlink to a secret, a FIFO named x.ts and a symlink to /dev/zero are per-file errors', () => {
    expect(file('secret-link.ts').error).toMatch(/outside the checked paths/);
    expect(file('fifo.ts').error).toMatch(/is a FIFO, not a regular file/);
    expect(file('zero.ts').error).toMatch(/refused/);
  });

  it('a symlink tree reaching one file 4,096 ways checks it once', () => {
    const leaves = report.files.filter((f) => f.path.includes('tree'));
    expect(leaves.map((f) => statuses(f))).toEqual([[['Leaf', 'broke-when-flagged']]]);
  });

  it('file names with space, parentheses, #, ?, %, unicode and a newline keep their classes', () => {
    ODD_NAMES.forEach((n, i) => expect(statuses(file(join('odd', n))), n).toEqual([[`Odd${i}`, 'broke-when-flagged']]));
  });

  it('raw terminal escapes from a checked file are escaped in the table', () => {
    expect(file('escapes.ts').error).toContain('\u001b[2J');
    const table = formatTable(report, false);
    expect(table).not.toContain('\u001b');
    expect(table).toContain('\\x1b[2J');
    expect(table).toContain('new\\nline.ts');
  });
});

describe('red team: the sandbox itself', () => {
  const sandbox = probeSandbox(WORKER);
  const inSandbox = (script: string) => {
    const cmd = sandbox.command(['-e', script]);
    return spawnSync(cmd.file, cmd.args, { encoding: 'utf8', timeout: 20_000, ...(cmd.uid !== undefined ? { uid: cmd.uid, gid: cmd.gid } : {}) });
  };

  it('with a network namespace in force, a worker cannot reach a server on this machine', async () => {
    if (sandbox.protections.network !== 'namespace') return;
    const server = createServer((s) => s.end('hello')).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const port = (server.address() as { port: number }).port;
    const r = await new Promise<string>((resolve) => {
      const cmd = sandbox.command(['-e', `require('net').connect(${port}, '127.0.0.1').on('connect', () => { console.log('connected'); process.exit(0); }).on('error', (e) => { console.log(e.code); process.exit(0); })`]);
      const child = spawn(cmd.file, cmd.args, { ...(cmd.uid !== undefined ? { uid: cmd.uid, gid: cmd.gid } : {}) });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.on('close', () => resolve(out.trim()));
    });
    server.close();
    expect(r).not.toBe('connected');
    expect(r).toMatch(/^E[A-Z]+/);
  });

  it('with a PID namespace in force, a worker cannot name the parent (its ppid is 0)', () => {
    if (!sandbox.protections.pidNamespace) return;
    expect(inSandbox('console.log(process.ppid)').stdout.trim()).toBe('0');
  });

  it('as root, the worker runs as nobody', () => {
    if (process.getuid?.() !== 0 || sandbox.protections.workerUid === null) return;
    expect(inSandbox('console.log(process.getuid())').stdout.trim()).toBe(String(sandbox.protections.workerUid));
  });
});

describe('red team: the result channel refuses bad replies', async () => {
  const { ChannelReader } = await import('../../../src/check/result-channel.js');
  const secret = 'a'.repeat(64);
  const line = (o: unknown) => Buffer.from(`${JSON.stringify(o)}\n`);

  it('a result without the secret, with outcomes: null, or 100k deep is refused', () => {
    const bad = [
      { k: 'guess', type: 'result', id: 1, reply: { id: 1, ok: true, result: { classes: [], runs: 0, seconds: 0 } } },
      { k: secret, type: 'result', id: 1, reply: { id: 1, ok: true, result: { classes: [{ name: 'A', file: 'a', line: 1, referenceFields: [], states: 1, outcomes: null }], runs: 0, seconds: 0 } } },
    ];
    for (const b of bad) expect(new ChannelReader(secret).push(line(b), 1)[0].type).toBe('bad');
    const deep = Buffer.from(`{"k":"${secret}","type":"result","id":1,"reply":${'['.repeat(100_000)}${']'.repeat(100_000)}}\n`);
    expect(new ChannelReader(secret).push(deep, 1)[0]).toMatchObject({ type: 'bad', why: expect.stringContaining('nested') });
  });

  it('a well-formed result with the secret is accepted', () => {
    const ok = { k: secret, type: 'result', id: 1, reply: { id: 1, ok: true, result: { classes: [], runs: 0, seconds: 0 } } };
    expect(new ChannelReader(secret).push(line(ok), 1)[0].type).toBe('result');
  });

});
