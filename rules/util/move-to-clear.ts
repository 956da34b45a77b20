// The "move this drop into `clear`" suggestion: when a drop is a whole statement at the top
// level of an inline `pyclass` traverse, move it to the spec's `clear` (creating one if absent).
import { AST_NODE_TYPES, type TSESLint, type TSESTree } from '@typescript-eslint/utils';

import { unwrap } from '../analysis/ast.js';
import type { Finding } from '../analysis/file-analysis.js';
import { findSpecProperty } from '../analysis/traverse-discovery.js';

function indentationOf(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))![0];
}

/** The statement's range widened to whole lines when it sits alone on its lines. */
function removalRange(text: string, statement: TSESTree.Node): [number, number] {
  const lineStart = text.lastIndexOf('\n', statement.range[0] - 1) + 1;
  const lineEnd = text.indexOf('\n', statement.range[1]);
  const before = text.slice(lineStart, statement.range[0]);
  const after = text.slice(statement.range[1], lineEnd === -1 ? text.length : lineEnd);
  if (before.trim() === '' && after.trim() === '' && lineEnd !== -1) return [lineStart, lineEnd + 1];
  return statement.range;
}

const within = (inner: TSESTree.Node, outer: TSESTree.Node): boolean =>
  outer.range[0] <= inner.range[0] && inner.range[1] <= outer.range[1];

/** Whether the statement reads a variable of the traverse other than `self` (unsafe to move). */
function usesTraverseLocals(
  statement: TSESTree.Node,
  fn: TSESTree.Node,
  self: TSESTree.Identifier,
  sourceCode: Readonly<TSESLint.SourceCode>,
): boolean {
  const pending = [sourceCode.scopeManager!.acquire(fn)];
  while (pending.length > 0) {
    const scope = pending.pop();
    if (!scope) continue;
    pending.push(...scope.childScopes);
    for (const reference of scope.references) {
      const def = reference.resolved?.defs[0];
      if (!within(reference.identifier, statement) || !def) continue;
      if (within(def.name, fn) && def.name !== self) return true;
    }
  }
  return false;
}

export function moveToClearFix(
  finding: Finding,
  sourceCode: Readonly<TSESLint.SourceCode>,
): TSESLint.ReportFixFunction | null {
  const { traverse } = finding;
  const fn = traverse.fn;
  const self = fn.params[0];
  if (
    finding.chain.length > 0 ||
    !traverse.spec ||
    !traverse.property ||
    unwrap(traverse.property.value) !== fn ||
    fn.body.type !== AST_NODE_TYPES.BlockStatement ||
    self?.type !== AST_NODE_TYPES.Identifier
  ) {
    return null;
  }
  let statement: TSESTree.Node = finding.node;
  while (statement.parent && statement.parent !== fn.body) statement = statement.parent;
  if (statement.parent !== fn.body || statement.type !== AST_NODE_TYPES.ExpressionStatement) return null;

  if (usesTraverseLocals(statement, fn, self, sourceCode)) return null;

  const text = sourceCode.text;
  const statementText = sourceCode.getText(statement);
  const indent = indentationOf(text, statement.range[0]);
  const clear = findSpecProperty(traverse.spec, 'clear');
  const removal = removalRange(text, statement);

  if (!clear) {
    const propertyIndent = indentationOf(text, traverse.property.range[0]);
    const insertion = `,\n${propertyIndent}clear(${self.name}) {\n${indent}${statementText}\n${propertyIndent}}`;
    return (fixer) => [fixer.removeRange(removal), fixer.insertTextAfterRange(traverse.property!.range, insertion)];
  }
  const clearFn = unwrap(clear.value);
  if (
    (clearFn.type !== AST_NODE_TYPES.FunctionExpression && clearFn.type !== AST_NODE_TYPES.ArrowFunctionExpression) ||
    clearFn.body.type !== AST_NODE_TYPES.BlockStatement ||
    clearFn.params[0]?.type !== AST_NODE_TYPES.Identifier ||
    clearFn.params[0].name !== self.name
  ) {
    return null;
  }
  const body = clearFn.body;
  const last = body.body.at(-1);
  if (last) {
    return (fixer) => [fixer.removeRange(removal), fixer.insertTextAfter(last, `\n${indent}${statementText}`)];
  }
  const closingIndent = indentationOf(text, clear.range[0]);
  return (fixer) => [fixer.removeRange(removal), fixer.replaceText(body, `{\n${indent}${statementText}\n${closingIndent}}`)];
}
