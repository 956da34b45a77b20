// The plugin object and its conventions: meta, configs referring to the plugin itself, stable
// message ids (read by `traverse-guard check`), docs URLs and pages, JSON-only options,
// header comments, no import from src/, and the typeAware setting's 'required' mode.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import parser from '@typescript-eslint/parser';
import { Linter } from 'eslint';
import { describe, expect, it } from 'vitest';

import plugin from '../../rules/index.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const rulesDir = path.join(repoRoot, 'rules');
const { version } = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };

const HAZARD = [
  "import { Python, pyclass, field } from 'traverse-guard';",
  "pyclass('Node', {",
  '  fields: { child: field.ref() },',
  '  traverse(self, visit) {',
  '    Python.withGil(() => 0);',
  '    audit(self.child);',
  '    visit.call(self.child);',
  '  },',
  '  clear(self) { self.child.drop(); },',
  '});',
  'declare function audit(x: unknown): void;',
].join('\n');

function lint(config: object, code = HAZARD): Linter.LintMessage[] {
  return new Linter({ configType: 'flat' }).verify(code, [config as Linter.Config], 'file.ts');
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(path.join(dir, entry.name)) : entry.name.endsWith('.ts') ? [path.join(dir, entry.name)] : [],
  );
}

describe('plugin object', () => {
  it('has meta with name, namespace and the package version', () => {
    expect(plugin.meta).toEqual({ name: 'traverse-guard', namespace: 'traverse-guard', version });
  });

  it('has configs that refer to the plugin itself', () => {
    expect(plugin.configs.recommended.plugins?.['traverse-guard']).toBe(plugin);
    expect(plugin.configs.strict.plugins?.['traverse-guard']).toBe(plugin);
  });

  it('enables all ten rules as errors in recommended, with stricter options in strict', () => {
    expect(plugin.configs.recommended.rules).toEqual({
      'traverse-guard/no-gil-in-traverse': 'error',
      'traverse-guard/no-drop-in-traverse': 'error',
      'traverse-guard/no-pool-in-traverse': 'error',
      'traverse-guard/no-interpreter-in-traverse': 'error',
      'traverse-guard/traverse-signature': 'error',
      'traverse-guard/traverse-visits-all-fields': 'error',
      'traverse-guard/no-double-visit': 'error',
      'traverse-guard/no-foreign-visit': 'error',
      'traverse-guard/traverse-deterministic': 'error',
      'traverse-guard/clear-releases-visited': 'error',
    });
    for (const id of Object.keys(plugin.rules)) expect(plugin.configs.strict.rules?.[`traverse-guard/${id}`], id).toBeDefined();
    expect(plugin.configs.strict.rules?.['traverse-guard/no-interpreter-in-traverse']).toEqual(['error', { checkUnknownCalls: true }]);
    expect(plugin.configs.strict.rules?.['traverse-guard/traverse-signature']).toEqual(['error', { checkVisitEscape: true }]);
    expect(plugin.configs.strict.rules?.['traverse-guard/traverse-visits-all-fields']).toEqual(['error', { reportUnknownVisitors: true }]);
  });

  it('keeps message ids stable', () => {
    const ids = Object.fromEntries(Object.entries(plugin.rules).map(([id, rule]) => [id, Object.keys(rule.meta.messages).sort()]));
    expect(ids).toEqual({
      'no-gil-in-traverse': ['gilInTraverse', 'gilViaHelper', 'typesRequired'],
      'no-drop-in-traverse': ['dropInTraverse', 'dropViaHelper', 'moveToClear', 'typesRequired'],
      'no-pool-in-traverse': ['poolInTraverse', 'poolViaHelper', 'typesRequired'],
      'no-interpreter-in-traverse': ['capturedToken', 'interpreterInTraverse', 'interpreterViaHelper', 'typesRequired', 'unknownCall', 'unknownViaHelper'],
      'traverse-signature': [
        'asyncTraverse',
        'extraParameter',
        'generatorTraverse',
        'removeAsync',
        'removeParameter',
        'restParameter',
        'thisAsObject',
        'typesRequired',
        'visitEscapes',
      ],
      'traverse-visits-all-fields': ['addDerivedClear', 'listPartlyVisited', 'neverVisited', 'notOnEveryPath', 'typesRequired', 'unknownVisitor', 'useDerive'],
      'no-double-visit': ['doubleVisit', 'doubleVisitViaHelper', 'typesRequired', 'visitInLoop'],
      'no-foreign-visit': ['foreignVisit', 'foreignVisitViaHelper', 'typesRequired'],
      'traverse-deterministic': ['nondeterministic', 'nondeterministicViaHelper', 'typesRequired'],
      'clear-releases-visited': ['addDerivedClear', 'missingClear', 'notReleased', 'typesRequired', 'useDerive'],
    });
  });

  for (const [id, rule] of Object.entries(plugin.rules)) {
    it(`${id}: docs page, JSON-only default options and schema`, () => {
      expect(rule.meta.docs?.url).toMatch(new RegExp(`/docs/rules/${id}\\.md$`));
      expect(existsSync(path.join(repoRoot, 'docs', 'rules', `${id}.md`))).toBe(true);
      const defaults = rule.meta.defaultOptions;
      expect(Array.isArray(defaults)).toBe(true);
      expect(JSON.parse(JSON.stringify(defaults))).toEqual(defaults);
      expect(JSON.parse(JSON.stringify(rule.meta.schema))).toEqual(rule.meta.schema);
    });
  }
});

describe('rules/ sources', () => {
  const files = sourceFiles(rulesDir);

  it('start with a header comment and never import from src/', () => {
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      expect(text.startsWith('//'), file).toBe(true);
      expect(text, file).not.toMatch(/from '(\.\.\/)+src\//);
    }
  });

  it('register no `*` selector', () => {
    for (const file of files) expect(readFileSync(file, 'utf8'), file).not.toMatch(/['"]\*['"]\s*[(:]/);
  });
});

describe('configs and settings in use', () => {
  it('recommended reports the GIL acquisition only; strict also the unknown call', () => {
    expect(lint(plugin.configs.recommended).map((m) => [m.ruleId, m.line])).toEqual([['traverse-guard/no-gil-in-traverse', 5]]);
    expect(lint(plugin.configs.strict).map((m) => [m.ruleId, m.line])).toEqual([
      ['traverse-guard/no-gil-in-traverse', 5],
      ['traverse-guard/no-interpreter-in-traverse', 6],
    ]);
  });

  it("typeAware 'required' reports one error per file parsed without type information (never throws)", () => {
    const config = { ...plugin.configs.recommended, settings: { 'traverse-guard': { typeAware: 'required' } } };
    const messages = lint(config);
    expect(messages).toHaveLength(1);
    expect(messages[0]!.line).toBe(1);
    expect(messages[0]!.message).toMatch(/typeAware is 'required' but file\.ts was parsed without type information/);
    // A file with no traverse is not analysed at all (the cheap early exit), so it gets no error.
    expect(lint(config, 'export const x = 1;')).toEqual([]);
  });

  it("typeAware 'required' in a typed program without the API: an error for a file importing the API, none for one that does not", () => {
    // A project outside the repository: 'traverse-guard' does not resolve there.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tg-required-'));
    try {
      writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, noEmit: true, allowJs: true }, include: ['*.ts', '*.mjs'] }));
      const config = () => ({
        ...plugin.configs.recommended,
        files: ['**/*.ts', '**/*.mjs'],
        languageOptions: { parser: parser as Linter.Parser, parserOptions: { project: path.join(dir, 'tsconfig.json'), tsconfigRootDir: dir } },
        settings: { 'traverse-guard': { typeAware: 'required' } },
      });
      const configFile = "import traverseGuard from 'traverse-guard/eslint-plugin';\n// traverse-guard's recommended config\nexport default [traverseGuard.configs.recommended];\n";
      // Both files exist before the program is made (typescript-estree caches it per tsconfig).
      const files: Record<string, string> = { 'model.ts': HAZARD, 'eslint.config.mjs': configFile };
      for (const [name, code] of Object.entries(files)) writeFileSync(path.join(dir, name), code);
      const verify = (name: string) => new Linter({ configType: 'flat', cwd: dir }).verify(files[name]!, [config() as Linter.Config], path.join(dir, name));
      expect(verify('model.ts').map((m) => m.message)).toEqual([expect.stringMatching(/typeAware is 'required' but the TypeScript program of .*model\.ts does not contain the traverse-guard API's types/)]);
      expect(verify('eslint.config.mjs')).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects an unknown typeAware value', () => {
    const config = { ...plugin.configs.recommended, settings: { 'traverse-guard': { typeAware: 'sometimes' } } };
    expect(() => lint(config)).toThrow(/typeAware must be one of auto, off, required/);
  });

  it('adds names from settings.synchronousCallbacks to the synchronous-callback list', () => {
    const code = HAZARD.replace('    Python.withGil(() => 0);', '    runNow(() => Python.withGil(() => 0));') + '\ndeclare function runNow(f: () => void): void;';
    const base = { ...plugin.configs.recommended, languageOptions: { parser: parser as Linter.Parser } };
    expect(lint(base, code)).toEqual([]);
    const configured = { ...base, settings: { 'traverse-guard': { synchronousCallbacks: ['runNow'] } } };
    expect(lint(configured, code).map((m) => [m.ruleId, m.line, m.column])).toEqual([['traverse-guard/no-gil-in-traverse', 5, 18]]);
  });
});
