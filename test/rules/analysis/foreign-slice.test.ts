// The slice of another file a cross-file helper needs (rules/analysis/foreign-slice.ts): the
// helper's statement, what it names (transitively), the imports, and the statements that can
// change an included binding; nothing else of the file.
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

import { indexStatements, sliceStatements, topLevelStatement } from '../../../rules/analysis/foreign-slice.js';

const SOURCE = `import { Python } from 'traverse-guard';
import * as other from './other';
function inner(): void { Python.withGil(() => 0); }
export function helper(): void { inner(); table.run(); mode(); }
const table = { run: () => undefined };
Object.assign(table, { run: () => Python.acquireGil() });
let mode = (): void => undefined;
export function setMode(): void { mode = () => other.lock(); }
export function unrelated(): number { return 1; }
export class Unused { method(): void { helper(); } }
interface Shape { helper: number }
`;

const sourceFile = ts.createSourceFile('helpers.ts', SOURCE, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);

function sliceOf(name: string): string[] {
  const index = indexStatements(sourceFile);
  const declaration = sourceFile.statements.find(
    (statement) => (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) && statement.name?.text === name,
  )!;
  const root = topLevelStatement(declaration, sourceFile)!;
  return sliceStatements(sourceFile, index, root).map((statement) => statement.getText(sourceFile).split('\n')[0]!.slice(0, 24));
}

describe('the slice of a helper file', () => {
  it('holds the helper, what it names transitively, the imports and the writers of its bindings', () => {
    expect(sliceOf('helper')).toEqual([
      "import { Python } from '",
      "import * as other from '",
      'function inner(): void {',
      'export function helper()',
      'const table = { run: () ',
      'Object.assign(table, { r',
      'let mode = (): void => u',
      'export function setMode(',
    ]);
  });

  it('leaves out declarations nothing in the slice names (callers, unrelated functions, types)', () => {
    const slice = sliceOf('unrelated');
    expect(slice).toEqual(["import { Python } from '", "import * as other from '", 'export function unrelate']);
  });

  it('finds the top-level statement of a nested declaration', () => {
    const unused = sourceFile.statements.find((statement) => ts.isClassDeclaration(statement))!;
    const method = (unused as ts.ClassDeclaration).members[0]!;
    expect(topLevelStatement(method, sourceFile)).toBe(unused);
  });
});
