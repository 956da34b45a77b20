// Rule-test harness: RuleTester wired to vitest, an untyped tester (typeAware 'off') and a
// typed tester (projectService over fixtures/typed, typeAware 'required'), and code templates
// that put a body inside a `pyclass` traverse at known lines (body line 1 is file line 5).
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { RuleTester } from '@typescript-eslint/rule-tester';
import { afterAll, describe, it } from 'vitest';

RuleTester.afterAll = afterAll;
RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

export const typedFixtureDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'typed');

export function untypedTester(): RuleTester {
  return new RuleTester({ settings: { 'traverse-guard': { typeAware: 'off' } } });
}

export function typedTester(): RuleTester {
  return new RuleTester({
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: typedFixtureDir,
      },
    },
    settings: { 'traverse-guard': { typeAware: 'required' } },
  });
}

export const IMPORTS =
  "import { Python, Py, GILPool, GILGuard, gc, pyclass, field, Visit, Interpreter, type TraverseFn } from 'traverse-guard';";

export const FIELDS = '  fields: { child: field.ref(), cell: field.cell(), items: field.list(), count: field.int() },';

/** A file whose `pyclass` traverse body is `body` (line 1 of body = line 5, column 5). */
export function inTraverse(body: readonly string[], after: readonly string[] = []): string {
  return [
    IMPORTS,
    "pyclass('Node', {",
    FIELDS,
    '  traverse(self, visit) {',
    ...body.map((line) => `    ${line}`),
    '  },',
    '});',
    ...after,
  ].join('\n');
}

/** Like inTraverse, with a `clear(self)` whose body is `clearBody`. */
export function withClear(body: readonly string[], clearBody: readonly string[]): string {
  return [
    IMPORTS,
    "pyclass('Node', {",
    FIELDS,
    '  traverse(self, visit) {',
    ...body.map((line) => `    ${line}`),
    '  },',
    '  clear(self) {',
    ...clearBody.map((line) => `    ${line}`),
    '  },',
    '});',
  ].join('\n');
}
