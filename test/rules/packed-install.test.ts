// The plugin as a new user meets it: `npm pack` the package, install the tarball and eslint
// into a fresh temporary project, and run `npx eslint` with the recommended config (untyped,
// then typed with projectService), reading the JSON report.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installProject, packPackage, repoRoot } from '../packed-package.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'tg-packed-'));
const project = path.join(work, 'project');
const { version } = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };

const BAD = `import { Python, pyclass, field } from 'traverse-guard';

export const Node = pyclass('Node', {
  fields: { child: field.ref() },
  traverse(self, visit) {
    Python.withGil(() => 0);
    visit.call(self.child);
  },
});
`;

const GOOD = `import { pyclass, field } from 'traverse-guard';

export const Node = pyclass('Node', {
  fields: { child: field.ref() },
  traverse(self, visit) {
    visit.call(self.child);
  },
});
`;

interface Result {
  filePath: string;
  messages: Array<{ ruleId: string | null; line: number; message: string; fatal?: boolean }>;
}

function eslint(config: string): Result[] {
  const run = spawnSync('npx', ['eslint', '-c', config, '-f', 'json', 'src'], { cwd: project, encoding: 'utf8' });
  expect(run.status, run.stderr).toBe(1); // 1: problems found; 2 would be a crash
  return JSON.parse(run.stdout) as Result[];
}

const messagesOf = (results: Result[], file: string) =>
  results.find((result) => path.basename(result.filePath) === file)?.messages ?? [];

describe('packed package in a fresh project', () => {
  beforeAll(() => {
    installProject(project, packPackage(work), ['eslint@^10']);
    writeFileSync(path.join(project, 'src', 'bad.ts'), BAD);
    writeFileSync(path.join(project, 'src', 'good.ts'), GOOD);
    writeFileSync(
      path.join(project, 'eslint.config.js'),
      "import traverseGuard from 'traverse-guard/eslint-plugin';\n\nexport default [traverseGuard.configs.recommended];\n",
    );
    writeFileSync(
      path.join(project, 'eslint.typed.config.js'),
      [
        "import traverseGuard from 'traverse-guard/eslint-plugin';",
        '',
        'export default [',
        '  traverseGuard.configs.recommended,',
        '  {',
        '    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },',
        "    settings: { 'traverse-guard': { typeAware: 'required' } },",
        '  },',
        '];',
        '',
      ].join('\n'),
    );
    writeFileSync(
      path.join(project, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', strict: true, noEmit: true, skipLibCheck: true }, include: ['src'] }),
    );
  }, 600_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('exposes the plugin with meta and both configs', () => {
    const script =
      "import p from 'traverse-guard/eslint-plugin'; console.log(JSON.stringify({ meta: p.meta, configs: Object.keys(p.configs), rules: Object.keys(p.rules) }));";
    const out = JSON.parse(execFileSync('node', ['--input-type=module', '-e', script], { cwd: project, encoding: 'utf8' })) as {
      meta: { name: string; namespace: string; version: string };
      configs: string[];
      rules: string[];
    };
    expect(out.meta).toMatchObject({ name: 'traverse-guard', namespace: 'traverse-guard', version });
    expect(out.configs).toEqual(['recommended', 'strict']);
    expect(out.rules).toHaveLength(5);
  });

  it('reports the GIL acquisition with `npx eslint` (untyped)', () => {
    const results = eslint('eslint.config.js');
    expect(messagesOf(results, 'bad.ts').map((m) => [m.ruleId, m.line, m.message])).toEqual([
      [
        'traverse-guard/no-gil-in-traverse',
        6,
        '`Python.withGil` acquires the GIL inside a traverse body; a traverse may only read fields and call `visit.call`.',
      ],
    ]);
    expect(messagesOf(results, 'good.ts')).toEqual([]);
  });

  it('reports the same with type information (projectService, typeAware required)', () => {
    const results = eslint('eslint.typed.config.js');
    expect(messagesOf(results, 'bad.ts').map((m) => [m.ruleId, m.line])).toEqual([['traverse-guard/no-gil-in-traverse', 6]]);
    expect(messagesOf(results, 'good.ts')).toEqual([]);
  });
});
