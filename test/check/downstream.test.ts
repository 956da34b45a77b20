// `traverse-guard check` in a user's own project, as a new user meets it: the packed package
// installed into a fresh "type": "module" project with a typed eslint.config.js and a
// tsconfig.json, classes with value-gated hazards, a `.drop()` on the user's own class that only
// an untyped lint would flag, and clean classes. `npx traverse-guard check` (no argument: the tsconfig's files) must agree
// (exit 0) and judge each class as expected, with the project's own typed lint.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckReport } from '../../src/check/report.js';
import { initProject, npmInstall, packTarball } from '../helpers/packed.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'tg-downstream-'));
const project = path.join(work, 'project');

const FILES: Record<string, string> = {
  'eslint.config.js': `import traverseGuard from 'traverse-guard/eslint-plugin';

export default [
  traverseGuard.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['eslint.config.js'] }, tsconfigRootDir: import.meta.dirname },
    },
    settings: { 'traverse-guard': { typeAware: 'auto' } },
  },
];
`,
  'tsconfig.json': JSON.stringify(
    {
      compilerOptions: { target: 'ES2022', module: 'nodenext', moduleResolution: 'nodenext', strict: true, noEmit: true, skipLibCheck: true, lib: ['ES2023', 'ESNext.Disposable'] },
      include: ['src'],
    },
    null,
    2,
  ),
  // Hazards behind value tests: only a big buffer, or the 'trim' mode, takes the cell.
  'src/buffer.ts': `import { field, pyclass, type RefCell } from 'traverse-guard';

export const Buffer = pyclass('Buffer', {
  fields: { cell: field.cell(), size: field.int() },
  traverse(self, visit) {
    visit.call(self.cell.get());
    if (self.size > 1024) (self.cell as unknown as RefCell).take();
  },
});

export const Trimmer = pyclass('Trimmer', {
  fields: { cell: field.cell(), mode: field.str('keep') },
  traverse(self, visit) {
    visit.call(self.cell.get());
    if (self.mode === 'trim') (self.cell as unknown as RefCell).take();
  },
});
`,
  // \`.drop()\` on the user's own Ring: a name-based lint flags it, the typed lint sees a Ring.
  'src/ring.ts': `import { field, pyclass } from 'traverse-guard';

class Ring {
  private readonly slots: number[] = [];
  drop(): void {
    this.slots.length = 0;
  }
}

const scratch = new Ring();

export const Holder = pyclass('Holder', {
  fields: { item: field.optionalRef() },
  traverse(self, visit) {
    visit.call(self.item);
    scratch.drop();
  },
  clear(self) {
    self.item = null;
  },
});
`,
  'src/clean.ts': `import { field, pyclass } from 'traverse-guard';

export const Node = pyclass('Node', {
  fields: { next: field.optionalRef(), depth: field.int(), label: field.str() },
  traverse(self, visit) {
    // Value tests are fine where they gate no visit (a visit gated on depth or label would be
    // an incomplete traverse: a cycle through next would leak — issue 12).
    if (self.depth < 100 && self.label !== 'leaf') visit.call(self.next);
    else visit.call(self.next);
  },
  clear(self) {
    self.next = null;
  },
});
`,
};

let run: { status: number | null; stdout: string; stderr: string };
let report: CheckReport;

beforeAll(() => {
  initProject(project, { type: 'module' });
  mkdirSync(path.join(project, 'src'));
  npmInstall(project, [packTarball(work)]);
  for (const [rel, text] of Object.entries(FILES)) writeFileSync(path.join(project, rel), text);
  run = spawnSync('npx', ['traverse-guard', 'check', '--format', 'json'], { cwd: project, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  report = JSON.parse(run.stdout) as CheckReport;
}, 900_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('a downstream project', () => {
  it('agrees: exit 0', () => {
    expect(run.status, run.stderr).toBe(0);
    expect(report.summary).toMatchObject({ fileErrors: 0, missedByLint: 0, flaggedNeverBroke: 0, guardedFailures: 0 });
  });

  it("lints with the project's own typed eslint.config.js", () => {
    expect(report.lint).toMatchObject({ source: 'project', files: ['eslint.config.js'], mode: 'typed' });
  });

  it('judges each class: value-gated hazards break, the own-class drop and the clean class are clean', () => {
    const statuses = Object.fromEntries(report.files.flatMap((f) => f.classes).map((c) => [c.name, c.status]));
    expect(statuses).toEqual({ Buffer: 'broke-when-flagged', Trimmer: 'broke-when-flagged', Holder: 'clean', Node: 'clean' });
  });

  it('reached the gated hazards with the values the traverse compares against', () => {
    const cls = (name: string) => report.files.flatMap((f) => f.classes).find((c) => c.name === name)!;
    expect(cls('Buffer').exploration?.values.size).toContain(1025);
    expect(cls('Trimmer').exploration?.values.mode).toContain('trim');
    expect(cls('Buffer').verdicts[cls('Buffer').evidence!].reproducer?.state.values.size).toBeGreaterThan(1024);
  });
});
