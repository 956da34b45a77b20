// Helpers for the check tests: throw-away user projects in the OS temp directory (outside the
// repository, as a user's files are) and the CLI run in-process or as the built bin.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { vi } from 'vitest';
import { main } from '../../src/cli/main.js';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(REPO, 'bin', 'traverse-guard.js');

/** A correct traverse: visits its one reference, drops it only in clear. */
export const GOOD = `// Correct: visits its reference, drops it only in clear.
import { field, pyclass } from 'traverse-guard';

export const Good = pyclass('Good', {
  fields: { inner: field.cell() },
  traverse(self, visit) {
    visit.call(self.inner.get());
  },
  clear(self) {
    self.inner.take();
  },
});
`;

/** Breaks the heap through a method name built at run time, which no lint rule can see. */
export const HIDDEN = `// Takes the reference out of its cell inside traverse via a computed method name.
import { field, pyclass } from 'traverse-guard';

const verb = ['ta', 'ke'].join('');

export const Hidden = pyclass('Hidden', {
  fields: { inner: field.cell() },
  traverse(self, visit) {
    (self.inner as unknown as Record<string, () => unknown>)[verb]();
    visit.call(self.inner.get());
  },
  clear(self) {
    self.inner.take();
  },
});
`;

/** Flagged (no-drop-in-traverse) but harmless: the drop sits in a branch that never runs. */
export const DEAD = `// Flagged but harmless: the drop is in a branch that never runs.
import { field, pyclass, type RefCell } from 'traverse-guard';

const never = (): boolean => false;

export const Dead = pyclass('Dead', {
  fields: { inner: field.cell() },
  traverse(self, visit) {
    if (never()) (self.inner as unknown as RefCell).take();
    visit.call(self.inner.get());
  },
  clear(self) {
    self.inner.take();
  },
});
`;

export const THROWS = `// Throws while loading.\nimport { gc } from 'traverse-guard';\nexport const x = gc;\nthrow new Error('boom at load');\n`;
export const LOOPS = `// Never finishes loading.\nimport { gc } from 'traverse-guard';\nexport let n = 0;\nexport const x = gc;\nfor (;;) n++;\n`;
export const READS = `// Reads a file outside its sandbox while loading (and defines a pyclass).\nimport { field, pyclass } from 'traverse-guard';\nimport { readFileSync } from 'node:fs';\nexport const Reader = pyclass('Reader', { fields: { n: field.int() }, traverse() {} });\nexport const secret = readFileSync('/etc/passwd', 'utf8');\n`;

/** Writes `files` (relative path → text) into a fresh temp directory; returns its path. */
export function tempProject(files: Readonly<Record<string, string>>): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'tg-check-test-'));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `traverse-guard <args>` in this process (src/cli/main.ts), capturing its output. */
export async function runCli(args: readonly string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    stdout += String(s);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
    stderr += String(s);
    return true;
  });
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

/** Runs the built bin (`node bin/traverse-guard.js <args>`) as a child process. */
export function runBin(args: readonly string[], opts: { cwd?: string; uid?: number; gid?: number } = {}): CliRun {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? REPO,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    uid: opts.uid,
    gid: opts.gid,
    timeout: 120_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
