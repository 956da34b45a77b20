// The field schema of a `pyclass(…)` spec as the contract rules read it: each declared field,
// its kind (`field.ref()`, `field.optionalRef()`, `field.cell()`, `field.list()` are reference
// fields; `int`, `bool`, `str`, `value` are plain) and the class its type argument names, and
// whether a reference field can close a cycle (its class is unknown, or can reach back).
import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/utils';

import { apiPathOf } from './api-bindings.js';
import { memberName, propertyKeyName, unwrap } from './ast.js';
import type { WalkContext } from './function-effects.js';
import { findSpecProperty } from './traverse-discovery.js';

export type FieldKind = 'ref' | 'optionalRef' | 'cell' | 'list' | 'int' | 'bool' | 'str' | 'value' | 'unknown';

export const REFERENCE_KINDS: ReadonlySet<FieldKind> = new Set(['ref', 'optionalRef', 'cell', 'list']);

export interface FieldDecl {
  readonly name: string;
  readonly kind: FieldKind;
  readonly node: TSESTree.Node;
  /** `field.ref<typeof Leaf>()`: the spec of the same-file pyclass `Leaf`, when it has one. */
  readonly targetSpec?: TSESTree.ObjectExpression | null;
}

export interface Schema {
  readonly fields: ReadonlyMap<string, FieldDecl>;
  /** False when some property could not be read (a spread, a computed key): absent names may exist. */
  readonly complete: boolean;
}

const FIELD_KINDS = new Set(['ref', 'optionalRef', 'cell', 'list', 'int', 'bool', 'str', 'value']);

function objectOf(node: TSESTree.Node | undefined, context: WalkContext): TSESTree.ObjectExpression | null {
  if (!node) return null;
  const value = unwrap(node);
  if (value.type === AST_NODE_TYPES.ObjectExpression) return value;
  if (value.type !== AST_NODE_TYPES.Identifier) return null;
  const def = context.resolver.fileOf(value).resolve(value)?.defs[0];
  if (def?.type !== 'Variable' || !def.node.init) return null;
  const init = unwrap(def.node.init);
  return init.type === AST_NODE_TYPES.ObjectExpression ? init : null;
}

/** `pyclass('X', spec)` call a variable is initialised with: its spec object. */
function pyclassSpecOfName(id: TSESTree.Identifier, context: WalkContext): TSESTree.ObjectExpression | null {
  const def = context.resolver.fileOf(id).resolve(id)?.defs[0];
  if (def?.type !== 'Variable' || !def.node.init) return null;
  const init = unwrap(def.node.init);
  if (init.type !== AST_NODE_TYPES.CallExpression) return null;
  const path = apiPathOf(init.callee, context.bindings, context.resolve);
  const callee = unwrap(init.callee);
  const named = path?.join('.') === 'pyclass' || (callee.type === AST_NODE_TYPES.Identifier && callee.name === 'pyclass');
  return named ? objectOf(init.arguments[1], context) : null;
}

function fieldKind(value: TSESTree.Node, context: WalkContext): { kind: FieldKind; target?: TSESTree.ObjectExpression | null } {
  const call = unwrap(value);
  if (call.type !== AST_NODE_TYPES.CallExpression) return { kind: 'unknown' };
  const callee = unwrap(call.callee);
  if (callee.type !== AST_NODE_TYPES.MemberExpression) return { kind: 'unknown' };
  const name = memberName(callee);
  if (name === null || !FIELD_KINDS.has(name)) return { kind: 'unknown' };
  const path = apiPathOf(callee, context.bindings, context.resolve);
  const object = unwrap(callee.object);
  const fieldNamespace = path ? path.join('.') === `field.${name}` : object.type === AST_NODE_TYPES.Identifier && object.name === 'field';
  if (!fieldNamespace) return { kind: 'unknown' };
  const kind = name as FieldKind;
  if (!REFERENCE_KINDS.has(kind)) return { kind };
  // `field.ref<typeof Leaf>()`: the referenced class, when it is a pyclass of this file.
  const argument = call.typeArguments?.params[0];
  if (argument?.type === AST_NODE_TYPES.TSTypeQuery && argument.exprName.type === AST_NODE_TYPES.Identifier) {
    return { kind, target: pyclassSpecOfName(argument.exprName, context) };
  }
  return { kind, target: null };
}

const schemaMemo = new WeakMap<TSESTree.ObjectExpression, Schema | null>();

/** The schema of a spec's `fields` (null when the spec has no readable `fields` object). */
export function schemaOf(spec: TSESTree.ObjectExpression, context: WalkContext): Schema | null {
  if (schemaMemo.has(spec)) return schemaMemo.get(spec)!;
  schemaMemo.set(spec, null); // cycles through type arguments
  const property = findSpecProperty(spec, 'fields');
  const object = property ? objectOf(property.value, context) : null;
  let schema: Schema | null = null;
  if (object) {
    const fields = new Map<string, FieldDecl>();
    let complete = true;
    for (const member of object.properties) {
      const key = member.type === AST_NODE_TYPES.Property ? propertyKeyName(member) : null;
      if (member.type !== AST_NODE_TYPES.Property || key === null) {
        complete = false;
        continue;
      }
      const { kind, target } = fieldKind(member.value, context);
      fields.set(key, target === undefined ? { name: key, kind, node: member } : { name: key, kind, node: member, targetSpec: target });
    }
    schema = { fields, complete };
  }
  schemaMemo.set(spec, schema);
  return schema;
}

export function referenceFields(schema: Schema): FieldDecl[] {
  return [...schema.fields.values()].filter((decl) => REFERENCE_KINDS.has(decl.kind));
}

/**
 * Whether an instance of the class of `spec` can be part of a reference cycle: some reference
 * field names no class (anything may sit there), or names a same-file pyclass from which the
 * classes' reference fields lead back to `spec` or to such an open field.
 */
export function canFormCycle(spec: TSESTree.ObjectExpression, context: WalkContext): boolean {
  const seen = new Set<TSESTree.ObjectExpression>();
  const reaches = (from: TSESTree.ObjectExpression): boolean => {
    const schema = schemaOf(from, context);
    if (!schema) return true;
    for (const decl of referenceFields(schema)) {
      const target = decl.targetSpec;
      if (!target || target === spec) return true;
      if (seen.has(target)) continue;
      seen.add(target);
      if (reaches(target)) return true;
    }
    return !schema.complete;
  };
  return reaches(spec);
}
