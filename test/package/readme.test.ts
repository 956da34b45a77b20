// README works verbatim: from "Use it in your project" to the GC tools, every code block whose
// first line names a file (`// src/node.ts`, `// eslint.config.mjs`, …) is written into a fresh
// `npm init -y` project (npm's defaults: CommonJS), and every shell command is run there in
// order — `npm install` with the packed tarball in place of the registry's `traverse-guard` —
// with the output block that follows a command compared with what it printed. Each
// eslint.config block is linted with in turn. So README cannot drift from what works.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { eslintJson, initProject, makeWorkDir, NPM_INSTALL_FLAGS, packTarball, REPO_ROOT, run, sh, writeFiles, type RunResult } from '../helpers/packed.js';

interface Block {
  readonly lang: string;
  readonly text: string;
}

/** The fenced blocks of README between two headings, in order. */
function readmeBlocks(from: string, to: string): Block[] {
  const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf(from);
  const end = readme.indexOf(to, start);
  if (start < 0 || end < 0) throw new Error(`README lacks the headings '${from}' … '${to}'`);
  return [...readme.slice(start, end).matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1], text: m[2] }));
}

const FILE_HEADER = /^\/\/ ([\w./-]+\.(?:ts|mts|mjs|js|json))\n/;

/** What each documented command must exit with. */
const EXPECTED_STATUS: ReadonlyArray<readonly [RegExp, number]> = [
  [/^npm install /, 0],
  [/^npx eslint /, 1], // problems found (2 would be a crash)
  [/^npx traverse-guard check /, 0], // agreement
  [/^npx traverse-guard explain /, 1], // the replay crashed
];

const blocks = readmeBlocks('## Use it in your project', '## GC benchmark tools');
const work = makeWorkDir('readme');
const project = path.join(work, 'project');
let tarball = '';

interface Step {
  readonly command: string;
  readonly status: number;
  readonly result: RunResult;
  /** The README's output block right after the command, if any. */
  readonly shown?: string;
  /** For `npx eslint`: the eslint.config block in place when it ran. */
  readonly config?: string;
}
const steps: Step[] = [];

beforeAll(() => {
  tarball = packTarball(path.join(work, 'pack'));
  initProject(project);
  const configs: string[] = [];
  for (let i = 0; i < blocks.length; i++) {
    const block = blocks[i];
    const file = FILE_HEADER.exec(block.text)?.[1];
    if (file) {
      if (/^eslint\.config\./.test(file)) configs.push(block.text);
      else writeFiles(project, { [file]: block.text });
      continue;
    }
    if (block.lang !== 'sh') continue;
    const next = blocks[i + 1];
    const shown = next && next.lang === '' ? next.text : undefined;
    for (const command of block.text.split('\n').filter((line) => line.trim() && !line.startsWith('#'))) {
      const expected = EXPECTED_STATUS.find(([re]) => re.test(command));
      if (!expected) throw new Error(`README command with no expectation in this test: ${command}`);
      if (command.startsWith('npm install ')) {
        const line = command.replace(/ traverse-guard(?= |$)/, ` ${tarball}`).replace(/^npm install /, `npm install ${NPM_INSTALL_FLAGS.join(' ')} `);
        steps.push({ command, status: expected[1], result: sh(project, line), shown });
      } else if (command.startsWith('npx eslint ')) {
        for (const config of configs) {
          writeFiles(project, { 'eslint.config.mjs': config });
          steps.push({ command, status: expected[1], result: sh(project, command), shown, config });
        }
      } else {
        steps.push({ command, status: expected[1], result: sh(project, command), shown });
      }
    }
  }
}, 600_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The README's output lines ("…" elides) must appear in the command's output, in order. */
function expectShown(shown: string, output: string): void {
  const got = output.split('\n').map((l) => l.trim());
  let at = 0;
  for (const want of shown.split('\n').map((l) => l.trim())) {
    if (!want || want === '…') continue;
    const found = got.findIndex((line, i) => i >= at && line.replace(/\s+/g, ' ') === want.replace(/\s+/g, ' '));
    expect(found, `README shows "${want}", which the command did not print (in this order):\n${output}`).toBeGreaterThanOrEqual(0);
    at = found + 1;
  }
}

describe('README, followed verbatim in a fresh `npm init -y` project', () => {
  it('the project is what npm makes by default (CommonJS)', () => {
    expect((JSON.parse(readFileSync(path.join(project, 'package.json'), 'utf8')) as { type?: string }).type ?? 'commonjs').toBe('commonjs');
  });

  it('documents the install, two ESLint configs, the lint, the check and the explain commands', () => {
    expect(steps.map((s) => s.command.split(' ').slice(0, 3).join(' '))).toEqual([
      'npm install --save-dev',
      'npx eslint .',
      'npx eslint .',
      'npx traverse-guard check',
      'npx traverse-guard explain',
    ]);
  });

  it('every command exits as documented and prints what README shows', () => {
    for (const step of steps) {
      // ESLint prints absolute paths; README shows them relative to the project.
      const output = (step.result.stdout + step.result.stderr).split(`${project}${path.sep}`).join('');
      expect(step.result.status, `${step.command}\n${step.config ?? ''}\n${output}`).toBe(step.status);
      if (step.shown) expectShown(step.shown, output);
    }
  });

  it('each eslint.config block lints the config file itself without a parsing error and reports only the documented problem', () => {
    for (const step of steps.filter((s) => s.config)) {
      writeFiles(project, { 'eslint.config.mjs': step.config! });
      const results = eslintJson(run(project, 'npx', ['eslint', '.', '-f', 'json']));
      const problems = results.flatMap((r) => r.messages.map((m) => `${path.relative(project, r.filePath)}:${m.line} ${m.ruleId}${m.fatal ? ' FATAL ' + m.message : ''}`));
      expect(problems, step.config).toEqual(['src/leaky.ts:7 traverse-guard/no-drop-in-traverse']);
      expect(results.map((r) => path.relative(project, r.filePath)).sort()).toEqual(['eslint.config.mjs', 'src/leaky.ts', 'src/node.ts']);
    }
  });

  it('the sample type-checks with the documented tsconfig (npx tsc)', () => {
    const r = run(project, 'npx', ['tsc']);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('the sample runs: main collects its self-cycle', () => {
    // Compile the sample with the project's TypeScript and run it on the simulator.
    const r = run(project, 'node', [
      '--input-type=module',
      '-e',
      [
        "import ts from 'typescript';",
        "import { readFileSync, writeFileSync } from 'node:fs';",
        "const js = ts.transpileModule(readFileSync('src/node.ts', 'utf8'), { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;",
        "writeFileSync('node.mjs', js);",
        "const { Interpreter } = await import('traverse-guard');",
        "const { main } = await import('./node.mjs');",
        "const r = new Interpreter({ runtime: 'guarded' }).run(main);",
        'console.log(JSON.stringify({ verdict: r.verdict, value: r.value }));',
      ].join('\n'),
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ verdict: 'ok', value: 1 });
  });

  it('explain --html wrote the page', () => {
    expect(existsSync(path.join(project, 'leaky.html'))).toBe(true);
  });
});
