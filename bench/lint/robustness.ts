// Full robustness run (documented in the README, not part of `npm test`): the recommended
// config over every TypeScript source of rxjs and effect and over the benchmark corpus at
// 10× scale, through the ESLint CLI with --concurrency (so the plugin also runs in worker
// threads); then TypeScript's own compiler bundle (typescript/lib/typescript.js, ~9 MB of
// JavaScript) linted typed, in a program of its own (allowJs, projectService) — its
// contextual-type questions once overflowed the stack. Fails on any rule crash (ESLint exit
// code 2) or fatal message.
// Usage: tsx bench/lint/robustness.ts [--scale 10] [--concurrency auto] [--skip-untyped] [--skip-typescript]
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { generateCorpus } from './generate-corpus.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const outDir = path.join(repoRoot, 'tmp', 'lint-robustness');
const require = createRequire(import.meta.url);

function argument(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : (process.argv[index + 1] ?? fallback);
}

mkdirSync(outDir, { recursive: true });
if (!process.argv.includes('--skip-untyped')) {
const corpus = generateCorpus(path.join(outDir, 'corpus'), Number(argument('scale', '10')));
// Copied under the config's directory: ESLint ignores files outside its base path.
const packageCopy = (name: string): string => {
  const target = path.join(outDir, 'packages', name);
  rmSync(target, { recursive: true, force: true });
  cpSync(path.join(path.dirname(require.resolve(`${name}/package.json`)), 'src'), target, { recursive: true });
  return target;
};
const targets = [packageCopy('rxjs'), packageCopy('effect'), path.join(corpus.dir, 'src')];
const config = path.join(outDir, 'eslint.config.mjs');
writeFileSync(
  config,
  `import traverseGuard from ${JSON.stringify(pathToFileURL(path.join(repoRoot, 'dist', 'rules', 'index.js')).href)};
export default [{ ignores: ['**/*.d.ts'] }, traverseGuard.configs.recommended];
`,
);
const output = path.join(outDir, 'results.json');
const started = performance.now();
const run = spawnSync(
  process.execPath,
  [
    path.join(repoRoot, 'node_modules', 'eslint', 'bin', 'eslint.js'),
    '--concurrency',
    argument('concurrency', 'auto'),
    '-c',
    config,
    '-f',
    'json',
    '-o',
    output,
    ...targets.map((dir) => `${dir}/**/*.ts`),
  ],
  { cwd: outDir, encoding: 'utf8', maxBuffer: 1 << 28 },
);
const seconds = ((performance.now() - started) / 1000).toFixed(1);
if (run.status === 2 || run.status === null) {
  console.error(run.stderr);
  throw new Error(`eslint crashed (exit ${run.status})`);
}
const results = JSON.parse(readFileSync(output, 'utf8')) as Array<{
  filePath: string;
  messages: Array<{ fatal?: boolean; ruleId: string | null; message: string }>;
}>;
const byTarget = targets.map((dir) => results.filter((result) => result.filePath.startsWith(dir)).length);
const fatal = results.flatMap((result) => result.messages.filter((message) => message.fatal).map((m) => `${result.filePath}: ${m.message}`));
const reports = new Map<string, number>();
for (const result of results) {
  for (const message of result.messages) {
    if (message.ruleId) reports.set(message.ruleId, (reports.get(message.ruleId) ?? 0) + 1);
  }
}
console.log(`linted ${results.length} files in ${seconds} s: rxjs ${byTarget[0]}, effect ${byTarget[1]}, corpus ${byTarget[2]} (${corpus.lines} lines)`);
console.log(`fatal messages: ${fatal.length}`);
for (const line of fatal.slice(0, 20)) console.log(`  ${line}`);
for (const [rule, count] of [...reports].sort()) console.log(`  ${rule}: ${count} reports`);
if (fatal.length > 0) process.exitCode = 1;
}

// TypeScript's compiler bundle, typed: a program holding only that file (allowJs).
if (!process.argv.includes('--skip-typescript')) {
  const tsDir = path.join(outDir, 'typescript-lib');
  rmSync(tsDir, { recursive: true, force: true });
  mkdirSync(tsDir, { recursive: true });
  const bundle = path.join(tsDir, 'typescript.js');
  cpSync(path.join(path.dirname(require.resolve('typescript/package.json')), 'lib', 'typescript.js'), bundle);
  writeFileSync(
    path.join(tsDir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { allowJs: true, checkJs: false, noEmit: true, target: 'ES2022', module: 'commonjs', types: [], skipLibCheck: true },
      include: ['typescript.js'],
    }),
  );
  const typedConfig = path.join(tsDir, 'eslint.config.mjs');
  writeFileSync(
    typedConfig,
    `import tsParser from '@typescript-eslint/parser';
import traverseGuard from ${JSON.stringify(pathToFileURL(path.join(repoRoot, 'dist', 'rules', 'index.js')).href)};
export default [
  { ...traverseGuard.configs.recommended, files: ['**/*.js'] },
  {
    files: ['**/*.js'],
    languageOptions: { parser: tsParser, parserOptions: { projectService: true, tsconfigRootDir: ${JSON.stringify(tsDir)} } },
    settings: { 'traverse-guard': { typeAware: 'required' } },
  },
];
`,
  );
  const typedOutput = path.join(tsDir, 'results.json');
  const typedStarted = performance.now();
  const typedRun = spawnSync(
    process.execPath,
    [
      path.join(repoRoot, 'node_modules', 'eslint', 'bin', 'eslint.js'),
      '--stats',
      '-c',
      typedConfig,
      '-f',
      'json',
      '-o',
      typedOutput,
      bundle,
    ],
    { cwd: tsDir, encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, TRAVERSE_GUARD_DEBUG: '1' } },
  );
  const typedSeconds = ((performance.now() - typedStarted) / 1000).toFixed(1);
  if (typedRun.status === 2 || typedRun.status === null) {
    console.error(typedRun.stderr);
    throw new Error(`eslint crashed on typescript.js (exit ${typedRun.status})`);
  }
  const [result] = JSON.parse(readFileSync(typedOutput, 'utf8')) as Array<{
    messages: Array<{ fatal?: boolean; ruleId: string | null; message: string }>;
    stats?: { times: { passes: Array<{ parse: { total: number }; rules?: Record<string, { total: number }> }> } };
  }>;
  const typedFatal = result?.messages.filter((message) => message.fatal) ?? [];
  const ours = result?.messages.filter((message) => message.ruleId?.startsWith('traverse-guard/')) ?? [];
  let parse = 0;
  let rules = 0;
  for (const pass of result?.stats?.times.passes ?? []) {
    parse += pass.parse.total;
    for (const [rule, time] of Object.entries(pass.rules ?? {})) if (rule.startsWith('traverse-guard/')) rules += time.total;
  }
  const failures = (typedRun.stderr.match(/traverse-guard: .* failed \(/g) ?? []).length;
  const lines = readFileSync(bundle, 'utf8').split('\n').length;
  console.log(
    `typescript.js (${lines} lines) typed in ${typedSeconds} s: fatal messages ${typedFatal.length}, reports ${ours.length}, ` +
      `checker failures degraded ${failures}, parse ${parse.toFixed(0)} ms, traverse-guard rules ${rules.toFixed(0)} ms`,
  );
  for (const message of typedFatal) console.log(`  ${message.message}`);
  if (typedFatal.length > 0 || result === undefined) process.exitCode = 1;
}
