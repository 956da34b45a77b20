// Typed mode is never weaker than untyped: every invalid rule-tester case of every rule test
// file (collected by loading those files with a recording RuleTester) is linted untyped and
// typed; each finding untyped makes must be made typed too, at the same place with the same
// message id — except the cases listed below with their reason.
import path from 'node:path';

import parser from '@typescript-eslint/parser';
import { Linter } from 'eslint';
import { describe, expect, it, vi } from 'vitest';

import plugin from '../../rules/index.js';
import { typedFixtureDir } from './harness.js';

interface RecordedCase {
  readonly ruleName: string;
  readonly code: string;
  readonly options?: readonly unknown[];
  readonly settings?: Record<string, unknown>;
}

const recorded = vi.hoisted(() => [] as Array<{ rule: unknown; code: string; options?: readonly unknown[]; settings?: Record<string, unknown> }>);

vi.mock('@typescript-eslint/rule-tester', () => {
  class RecordingRuleTester {
    static afterAll: unknown;
    static describe: unknown;
    static it: unknown;
    static itOnly: unknown;
    constructor(private readonly config: { settings?: Record<string, { typeAware?: string }> }) {}
    run(_name: string, rule: unknown, tests: { invalid: ReadonlyArray<{ code: string; options?: readonly unknown[]; settings?: Record<string, unknown> }> }): void {
      // Only the untyped runs: their invalid cases are the findings typed mode must keep.
      if (this.config.settings?.['traverse-guard']?.typeAware !== 'off') return;
      for (const test of tests.invalid) recorded.push({ rule, code: test.code, options: test.options, settings: test.settings });
    }
  }
  return { RuleTester: RecordingRuleTester };
});

const TEST_FILES = [
  './no-gil-in-traverse.test.js',
  './no-drop-in-traverse.test.js',
  './no-pool-in-traverse.test.js',
  './no-interpreter-in-traverse.test.js',
  './traverse-signature.test.js',
  './traverse-visits-all-fields.test.js',
  './no-double-visit.test.js',
  './no-foreign-visit.test.js',
  './traverse-deterministic.test.js',
  './clear-releases-visited.test.js',
  './call-graph-forms.test.js',
  './traverse-discovery-forms.test.js',
  './typed-resolution.test.js',
];

/** Untyped findings typed mode may drop, each with its reason (code fragment → reason). */
const ALLOWED_DROPS: ReadonlyArray<{ readonly fragment: string; readonly reason: string }> = [
  {
    fragment: "const token = { python() { return 1; } }.python();",
    reason: 'untyped guesses any `.python()` result is an interpreter token; the checker knows this one is a number',
  },
  {
    fragment: '(self as any).count = 1;',
    reason: 'untyped counts any write over `self` as a drop; the checker sees through the cast that `count` is an int field, not a reference',
  },
];

function ruleNameOf(rule: unknown): string {
  const entry = Object.entries(plugin.rules).find(([, candidate]) => candidate === rule);
  if (!entry) throw new Error('a rule test file ran a rule that is not in the plugin');
  return entry[0];
}

function lint(test: RecordedCase, typed: boolean): Linter.LintMessage[] {
  const ruleId = `traverse-guard/${test.ruleName}`;
  const config: Linter.Config = {
    files: ['**/*.ts'],
    plugins: { 'traverse-guard': plugin as never },
    languageOptions: {
      parser: parser as Linter.Parser,
      parserOptions: typed ? { projectService: true, tsconfigRootDir: typedFixtureDir } : {},
    },
    rules: { [ruleId]: ['error', ...(test.options ?? [])] as Linter.RuleEntry },
    settings: { ...test.settings, 'traverse-guard': { typeAware: typed ? 'required' : 'off' } },
  };
  return new Linter().verify(test.code, [config], path.join(typedFixtureDir, 'file.ts')).filter((message) => message.ruleId === ruleId);
}

const key = (message: Linter.LintMessage): string => `${message.line}:${message.column}:${message.messageId}`;

describe('typed mode is never weaker than untyped', async () => {
  for (const file of TEST_FILES) await import(file);
  const cases: RecordedCase[] = [];
  const seen = new Set<string>();
  for (const test of recorded) {
    const ruleName = ruleNameOf(test.rule);
    const id = JSON.stringify([ruleName, test.code, test.options ?? null]);
    if (seen.has(id)) continue;
    seen.add(id);
    cases.push({ ruleName, code: test.code, ...(test.options ? { options: test.options } : {}), ...(test.settings ? { settings: test.settings } : {}) });
  }

  it('collects the invalid cases of every rule', () => {
    const perRule = new Map<string, number>();
    for (const test of cases) perRule.set(test.ruleName, (perRule.get(test.ruleName) ?? 0) + 1);
    expect([...perRule.keys()].sort()).toEqual(Object.keys(plugin.rules).sort());
    for (const count of perRule.values()) expect(count).toBeGreaterThanOrEqual(15);
  });

  it('keeps every untyped finding in typed mode (except the listed cases)', () => {
    const dropped: string[] = [];
    for (const test of cases) {
      const untyped = lint(test, false);
      expect(untyped.filter((message) => message.fatal)).toEqual([]);
      const typed = new Set(lint(test, true).map(key));
      const allowed = ALLOWED_DROPS.some((entry) => test.code.includes(entry.fragment));
      for (const message of untyped) {
        if (!typed.has(key(message)) && !allowed) dropped.push(`${test.ruleName} ${key(message)} ${message.message}\n${test.code}`);
      }
    }
    expect(dropped).toEqual([]);
  });

  it('lists only exceptions that still occur', () => {
    for (const entry of ALLOWED_DROPS) expect(cases.some((test) => test.code.includes(entry.fragment)), entry.fragment).toBe(true);
  });
});
