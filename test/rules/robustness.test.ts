// Robustness sample: the recommended config over real TypeScript sources (rxjs, effect) and
// over a slice of the benchmark corpus, untyped and typed, must lint without a rule crash
// (ESLint rethrows those) or a fatal message. The full run over every source file and the
// 10× corpus is `tsx bench/lint/robustness.ts`.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

import parser from '@typescript-eslint/parser';
import { ESLint, type Linter } from 'eslint';
import { afterAll, describe, expect, it } from 'vitest';

import { generateCorpus } from '../../bench/lint/generate-corpus.js';
import plugin from '../../rules/index.js';

const require = createRequire(import.meta.url);

function tsSources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) out.push(...tsSources(full));
    else if (entry.endsWith('.ts') && !entry.endsWith('.d.ts')) out.push(full);
  }
  return out.sort();
}

/** Every k-th file, so the sample spreads over the whole package. */
function sample(files: readonly string[], count: number): string[] {
  const step = Math.max(1, Math.floor(files.length / count));
  return files.filter((_, index) => index % step === 0).slice(0, count);
}

function packageSources(name: string): string[] {
  const root = path.dirname(require.resolve(`${name}/package.json`));
  return tsSources(path.join(root, 'src'));
}

async function lintWith(config: Linter.Config[], files: readonly string[], cwd: string): Promise<ESLint.LintResult[]> {
  const eslint = new ESLint({ cwd, overrideConfigFile: true, overrideConfig: config, ignore: false });
  return eslint.lintFiles([...files]);
}

const recommended = plugin.configs.recommended as Linter.Config;
const fatal = (results: readonly ESLint.LintResult[]) =>
  results.flatMap((result) => result.messages.filter((message) => message.fatal).map((message) => `${result.filePath}: ${message.message}`));
const ours = (results: readonly ESLint.LintResult[]) =>
  results.flatMap((result) => result.messages.filter((message) => message.ruleId?.startsWith('traverse-guard/')));

describe('recommended config over real TypeScript sources', () => {
  for (const name of ['rxjs', 'effect']) {
    it(`lints a sample of ${name}'s sources without crashes or reports`, async () => {
      const files = sample(packageSources(name), 60);
      expect(files.length).toBeGreaterThanOrEqual(50);
      const results = await lintWith([recommended], files, process.cwd());
      expect(results).toHaveLength(files.length);
      expect(fatal(results)).toEqual([]);
      // Neither package uses the binding API: any report would be a false positive.
      expect(ours(results)).toEqual([]);
    });
  }
});

describe('recommended config over the benchmark corpus', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tg-corpus-'));
  const corpus = generateCorpus(dir, 0.05);
  const files = tsSources(path.join(dir, 'src'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lints untyped, reporting the seeded hazards', async () => {
    expect(files).toHaveLength(corpus.files);
    const results = await lintWith([recommended, { settings: { 'traverse-guard': { typeAware: 'off' } } }], files, dir);
    expect(fatal(results)).toEqual([]);
    expect(ours(results).length).toBeGreaterThan(0);
  });

  it('lints typed (projectService), reporting the seeded hazards', async () => {
    const typed: Linter.Config = {
      languageOptions: { parser: parser as Linter.Parser, parserOptions: { projectService: true, tsconfigRootDir: dir } },
      settings: { 'traverse-guard': { typeAware: 'required' } },
    };
    const results = await lintWith([recommended, typed], files.slice(0, 40), dir);
    expect(fatal(results)).toEqual([]);
    expect(ours(results).length).toBeGreaterThan(0);
  });
});
