// A checker failure on one node (a stack overflow, an internal error) must not abort ESLint:
// the node gets the syntactic decision and the failure is counted (TRAVERSE_GUARD_DEBUG
// prints each). Simulated with a parser whose type checker throws RangeError on every type
// question; the findings must equal the untyped ones.
import path from 'node:path';

import parser from '@typescript-eslint/parser';
import { Linter } from 'eslint';
import type ts from 'typescript';
import { describe, expect, it } from 'vitest';

import { checkerFailureCount } from '../../rules/analysis/type-info.js';
import plugin from '../../rules/index.js';
import { inTraverse, typedFixtureDir } from './harness.js';

const FAILING = new Set(['getTypeAtLocation', 'getContextualType', 'getTypeOfSymbol', 'getPropertyOfType']);

function bound<T extends object>(target: T, override: (key: PropertyKey) => unknown): T {
  return new Proxy(target, {
    get(object, key) {
      const replaced = override(key);
      if (replaced !== undefined) return replaced;
      const value = Reflect.get(object, key) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(object) : value;
    },
  });
}

/** @typescript-eslint/parser with a checker that overflows on every type question. */
const overflowingParser = {
  meta: { name: 'overflowing-parser' },
  parseForESLint(code: string, options: Parameters<typeof parser.parseForESLint>[1]) {
    const result = parser.parseForESLint(code, options);
    const program = result.services.program as ts.Program | null;
    if (!program) return result;
    const checker = bound(program.getTypeChecker(), (key) =>
      typeof key === 'string' && FAILING.has(key)
        ? () => {
            throw new RangeError('Maximum call stack size exceeded');
          }
        : undefined,
    );
    const failingProgram = bound(program, (key) => (key === 'getTypeChecker' ? () => checker : undefined));
    return { ...result, services: { ...result.services, program: failingProgram } };
  },
};

const CODE = inTraverse(
  ['Python.withGil(() => 0);', 'self.cell.set(null);', 'helper();', 'void gc.garbage;'],
  ['function helper() { new GILPool(); }'],
);

function lint(typed: boolean, failing: boolean): string[] {
  const config: Linter.Config = {
    files: ['**/*.ts'],
    plugins: { 'traverse-guard': plugin as never },
    languageOptions: {
      parser: (failing ? overflowingParser : parser) as Linter.Parser,
      parserOptions: typed ? { projectService: true, tsconfigRootDir: typedFixtureDir } : {},
    },
    rules: plugin.configs.recommended.rules as Linter.RulesRecord,
    settings: { 'traverse-guard': { typeAware: typed ? 'required' : 'off' } },
  };
  return new Linter()
    .verify(CODE, [config], path.join(typedFixtureDir, 'file.ts'))
    .map((message) => `${message.line}:${message.column} ${message.ruleId} ${message.message}`);
}

describe('checker failures degrade to the syntactic decision', () => {
  it('lints with a checker that overflows, reporting what untyped reports, and counts the failures', () => {
    const before = checkerFailureCount();
    const failing = lint(true, true);
    expect(checkerFailureCount()).toBeGreaterThan(before);
    expect(failing).toEqual(lint(false, false));
    expect(failing.length).toBeGreaterThanOrEqual(4);
  });
});
