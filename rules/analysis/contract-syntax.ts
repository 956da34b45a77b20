// Syntactic recognisers the contract model (contract-model.ts) uses: emptiness guards on a
// field (`x`, `x != null`, `x.isEmpty()`, `x.length > 0` …), the calls that release a field in
// `clear`, index-loop steps, and which values carry the instance or `visit` into a call.
import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/utils';

import { memberName, staticKey, unwrap } from './ast.js';
import { unwrapCallee } from './call-graph.js';
import { UNKNOWN, type Value } from './contract-values.js';
import type { FieldKind } from './field-schema.js';

export function isNullish(node: TSESTree.Node): boolean {
  const value = unwrap(node);
  return (value.type === AST_NODE_TYPES.Literal && value.value === null) || (value.type === AST_NODE_TYPES.Identifier && value.name === 'undefined');
}

export function numberLiteral(node: TSESTree.Node | undefined): number | null {
  const value = node && unwrap(node);
  return value?.type === AST_NODE_TYPES.Literal && typeof value.value === 'number' ? value.value : null;
}

export function isUnitStep(update: TSESTree.Expression | null, name: string): boolean {
  const node = update && unwrap(update);
  if (!node) return false;
  if (node.type === AST_NODE_TYPES.UpdateExpression) return node.operator === '++' && node.argument.type === AST_NODE_TYPES.Identifier && node.argument.name === name;
  return (
    node.type === AST_NODE_TYPES.AssignmentExpression &&
    node.operator === '+=' &&
    node.left.type === AST_NODE_TYPES.Identifier &&
    node.left.name === name &&
    numberLiteral(node.right) === 1
  );
}

/** Whether a value is (or holds) the instance, part of it, `visit`, or a function that may close over them. */
export function carries(value: Value): boolean {
  switch (value.k) {
    case 'self':
    case 'field':
    case 'cellValue':
    case 'item':
    case 'itemAt':
    case 'index':
    case 'length':
    case 'visit':
    case 'function':
      return true;
    case 'array':
      return value.elements.some(carries);
    default:
      return false;
  }
}

/** `x`, `x != null`, `x.isEmpty()`, `x.length > 0` … on a field: which field, and when it is empty. */
export function emptinessGuard(test: TSESTree.Node, peek: (node: TSESTree.Node) => Value): { field: string; emptyWhen: boolean } | null {
  const subject = (value: Value): string | null =>
    value.k === 'item'
      ? `it:${value.name}:${value.walk}`
      : value.k === 'cellValue' || (value.k === 'field' && (value.kind === 'ref' || value.kind === 'optionalRef' || value.kind === 'unknown'))
        ? value.name
        : null;
  if (test.type === AST_NODE_TYPES.MemberExpression || test.type === AST_NODE_TYPES.Identifier || test.type === AST_NODE_TYPES.CallExpression) {
    if (test.type === AST_NODE_TYPES.CallExpression) {
      const callee = unwrapCallee(test.callee);
      if (callee.type === AST_NODE_TYPES.MemberExpression && memberName(callee) === 'isEmpty') {
        const cell = peek(callee.object);
        if (cell.k === 'field' && (cell.kind === 'cell' || cell.kind === 'unknown')) return { field: cell.name, emptyWhen: true };
        return null;
      }
    }
    const value = peek(test);
    if (value.k === 'length') return { field: value.name, emptyWhen: false };
    const name = subject(value);
    return name === null ? null : { field: name, emptyWhen: false };
  }
  if (test.type !== AST_NODE_TYPES.BinaryExpression) return null;
  const left = unwrap(test.left);
  const right = unwrap(test.right);
  if (['==', '===', '!=', '!=='].includes(test.operator)) {
    const [operand, other] = isNullish(right) ? [left, right] : isNullish(left) ? [right, left] : [null, null];
    if (operand && other) {
      const name = subject(peek(operand));
      return name === null ? null : { field: name, emptyWhen: test.operator.startsWith('=') };
    }
  }
  // self.items.length <op> n
  const leftValue = left.type === AST_NODE_TYPES.PrivateIdentifier ? UNKNOWN : peek(left);
  const rightValue = peek(right);
  const flip: Record<string, string> = { '<': '>', '>': '<', '<=': '>=', '>=': '<=' };
  const [lengthValue, number, operator] =
    leftValue.k === 'length'
      ? [leftValue, numberLiteral(right), test.operator]
      : rightValue.k === 'length'
        ? [rightValue, left.type === AST_NODE_TYPES.PrivateIdentifier ? null : numberLiteral(left), flip[test.operator] ?? test.operator]
        : [null, null, ''];
  if (!lengthValue || lengthValue.k !== 'length' || number === null) return null;
  const nonEmpty = (operator === '>' && number === 0) || (operator === '>=' && number === 1) || ((operator === '!==' || operator === '!=') && number === 0);
  const empty = ((operator === '===' || operator === '==') && number === 0) || (operator === '<' && number === 1) || (operator === '<=' && number === 0);
  if (nonEmpty) return { field: lengthValue.name, emptyWhen: false };
  if (empty) return { field: lengthValue.name, emptyWhen: true };
  return null;
}

/** Whether `field.name(…)` empties the field (clear's side of the contract). */
export function releases(field: { kind: FieldKind }, name: string, node: TSESTree.CallExpression, peek: (node: TSESTree.Node) => Value): boolean {
  const kind = field.kind;
  const first = node.arguments[0];
  if ((kind === 'ref' || kind === 'optionalRef' || kind === 'unknown') && (name === 'drop' || name === 'Symbol.dispose')) return true;
  if (kind === 'cell' || kind === 'unknown') {
    if (name === 'clear' || name === 'take') return true;
    if ((name === 'set' || name === 'replace') && (!first || isNullish(first))) return true;
  }
  if (kind === 'list' || kind === 'unknown') {
    if (name === 'clear') return true;
    if (name === 'splice' && numberLiteral(first) === 0 && node.arguments.length === 1) return true;
    if (name === 'splice' && numberLiteral(first) === 0 && node.arguments[1]) {
      const count = peek(node.arguments[1]);
      return count.k === 'length';
    }
  }
  return false;
}

/** Whether `field.name(…)` puts a reference back into the field (undoing a release in clear). */
export function refills(field: { kind: FieldKind }, name: string, node: TSESTree.CallExpression): boolean {
  const first = node.arguments[0];
  if ((field.kind === 'cell' || field.kind === 'unknown') && (name === 'set' || name === 'replace')) return !!first && !isNullish(first);
  if (field.kind === 'list' || field.kind === 'unknown') {
    if (name === 'push' || name === 'unshift') return node.arguments.length > 0;
    if (name === 'splice') return node.arguments.length > 2;
    if (name === 'set') return node.arguments.length > 1 && !isNullish(node.arguments[1]!);
  }
  return false;
}

/**
 * The fields a reflective write on `self` releases (`Object.assign(self, { f: null })`,
 * `Reflect.set(self, 'f', null)`, `Reflect.deleteProperty(self, 'f')`); null when the call is
 * not one of those (or its source object is not a literal).
 */
export function reflectiveReleases(path: string | null, node: TSESTree.CallExpression): string[] | null {
  if (path === 'Object.assign') {
    const source = node.arguments[1] && unwrap(node.arguments[1]);
    if (source?.type !== AST_NODE_TYPES.ObjectExpression) return null;
    const keys: string[] = [];
    for (const property of source.properties) {
      if (property.type !== AST_NODE_TYPES.Property) continue;
      const key = property.computed ? staticKey(property.key) : property.key.type === AST_NODE_TYPES.Identifier ? property.key.name : null;
      if (key !== null && isNullish(property.value as TSESTree.Node)) keys.push(key);
    }
    return keys;
  }
  const key = node.arguments[1] && staticKey(unwrap(node.arguments[1]));
  if (path === 'Reflect.deleteProperty' && key) return [key];
  if (path === 'Reflect.set' && key) return node.arguments[2] && isNullish(node.arguments[2]) ? [key] : [];
  return null;
}
