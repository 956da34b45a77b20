// Finds the traverse bodies of a file: the `traverse` of a `pyclass(…)` spec (inline or a
// same-file function it names), class methods named `__traverse__`, functions annotated or
// `satisfies` with the API's `TraverseFn`, and — with types — any function whose contextual
// type is the API's traverse callback type.
import { AST_NODE_TYPES, type TSESLint, type TSESTree } from '@typescript-eslint/utils';

import { type ApiBindings, apiPathOf } from './api-bindings.js';
import { type ChildKeys, type FunctionNode, isFunctionNode, nodeAtIndex, propertyKeyName, unwrap } from './ast.js';
import type { FunctionRole, WalkContext } from './function-effects.js';

export type TraverseOrigin = 'pyclass' | 'method' | 'annotation' | 'contextual';

export interface TraverseBody {
  readonly fn: FunctionNode;
  readonly origin: TraverseOrigin;
  readonly role: FunctionRole;
  /** For a `pyclass` spec: the spec object and its `traverse` property. */
  readonly spec?: TSESTree.ObjectExpression;
  readonly property?: TSESTree.Property;
}

type Variable = TSESLint.Scope.Variable;

/** The parameters a caller supplies: TypeScript's `this: T` pseudo-parameter is erased. */
export function suppliedParams(fn: FunctionNode): TSESTree.Parameter[] {
  return fn.params.filter((param) => !(param.type === AST_NODE_TYPES.Identifier && param.name === 'this'));
}

function selfAndVisit(fn: FunctionNode): FunctionRole {
  const params = suppliedParams(fn);
  return { selfParameters: params.slice(0, 1), visitParameters: params.slice(1, 2) };
}

/** `__traverse__(visit)` uses `this` as self; `__traverse__(self, visit)` is the PyO3 shape. */
function methodRole(fn: FunctionNode): FunctionRole {
  const params = suppliedParams(fn);
  return params.length >= 2 ? selfAndVisit(fn) : { selfParameters: [], visitParameters: params.slice(0, 1) };
}

/** The expression a reference stands in once member accesses on it are included. */
function climbMembers(node: TSESTree.Node): TSESTree.Node {
  let expression = node;
  for (;;) {
    const parent = expression.parent;
    if (parent?.type === AST_NODE_TYPES.MemberExpression && parent.object === expression) {
      expression = parent;
    } else if (
      parent?.type === AST_NODE_TYPES.TSNonNullExpression ||
      parent?.type === AST_NODE_TYPES.TSAsExpression ||
      parent?.type === AST_NODE_TYPES.ChainExpression
    ) {
      expression = parent;
    } else {
      return expression;
    }
  }
}

function specObject(node: TSESTree.Node | undefined, context: WalkContext): TSESTree.ObjectExpression | null {
  if (!node) return null;
  const value = unwrap(node);
  if (value.type === AST_NODE_TYPES.ObjectExpression) return value;
  if (value.type !== AST_NODE_TYPES.Identifier) return null;
  const def = context.resolve(value)?.defs[0];
  if (def?.type !== 'Variable' || !def.node.init) return null;
  const init = unwrap(def.node.init);
  return init.type === AST_NODE_TYPES.ObjectExpression ? init : null;
}

export function findSpecProperty(spec: TSESTree.ObjectExpression, name: string): TSESTree.Property | null {
  let found: TSESTree.Property | null = null;
  for (const property of spec.properties) {
    if (property.type === AST_NODE_TYPES.Property && propertyKeyName(property) === name) found = property;
  }
  return found;
}

function functionValue(node: TSESTree.Node, context: WalkContext): FunctionNode | null {
  const value = unwrap(node);
  if (isFunctionNode(value)) return value;
  return context.resolver.callees(value)[0]?.fn ?? null;
}

function pyclassTraverses(bindings: ApiBindings, context: WalkContext, out: TraverseBody[]): void {
  for (const [variable, path] of bindings.paths) {
    if (!(path.length === 0 || (path.length === 1 && path[0] === 'pyclass'))) continue;
    for (const reference of (variable as Variable).references) {
      const callee = climbMembers(reference.identifier);
      const call = callee.parent;
      if (call?.type !== AST_NODE_TYPES.CallExpression || call.callee !== callee) continue;
      if (apiPathOf(callee, bindings, context.resolve)?.join('.') !== 'pyclass') continue;
      const spec = specObject(call.arguments[1], context);
      const property = spec && findSpecProperty(spec, 'traverse');
      const fn = property && functionValue(property.value, context);
      if (fn) {
        out.push({ fn, origin: 'pyclass', role: selfAndVisit(fn), spec: spec!, property: property! });
      } else if (call.arguments[1]) {
        // A spec built by spread, a factory function or Object.assign.
        for (const built of context.resolver.propertyFunctions(call.arguments[1], 'traverse')) {
          out.push({ fn: built, origin: 'pyclass', role: selfAndVisit(built) });
        }
      }
    }
  }
}

function annotatedTraverses(bindings: ApiBindings, context: WalkContext, out: TraverseBody[]): void {
  for (const [variable, path] of bindings.paths) {
    const namespace = path.length === 0;
    if (!namespace && (path.length !== 1 || path[0] !== 'TraverseFn')) continue;
    for (const reference of (variable as Variable).references) {
      let typeName: TSESTree.Node = reference.identifier;
      // `tg.TraverseFn<F>` through a namespace import.
      if (namespace) {
        const qualified = typeName.parent;
        if (qualified?.type !== AST_NODE_TYPES.TSQualifiedName || qualified.left !== typeName || qualified.right.name !== 'TraverseFn') continue;
        typeName = qualified;
      }
      const typeReference = typeName.parent;
      if (typeReference?.type !== AST_NODE_TYPES.TSTypeReference) continue;
      const holder = typeReference.parent;
      let value: TSESTree.Node | null | undefined = null;
      if (
        holder?.type === AST_NODE_TYPES.TSSatisfiesExpression ||
        holder?.type === AST_NODE_TYPES.TSAsExpression ||
        holder?.type === AST_NODE_TYPES.TSTypeAssertion
      ) {
        value = holder.expression;
      } else if (
        holder?.type === AST_NODE_TYPES.TSTypeAnnotation &&
        holder.parent?.type === AST_NODE_TYPES.Identifier &&
        holder.parent.parent?.type === AST_NODE_TYPES.VariableDeclarator
      ) {
        value = holder.parent.parent.init;
      }
      const fn = value ? unwrap(value) : null;
      if (isFunctionNode(fn)) out.push({ fn, origin: 'annotation', role: selfAndVisit(fn) });
    }
  }
}

function methodTraverses(program: TSESTree.Program, text: string, keys: ChildKeys, out: TraverseBody[]): void {
  for (let index = text.indexOf('__traverse__'); index !== -1; index = text.indexOf('__traverse__', index + 1)) {
    const key = nodeAtIndex(program, index, keys);
    const member = key.parent;
    if (
      (member?.type === AST_NODE_TYPES.MethodDefinition || member?.type === AST_NODE_TYPES.PropertyDefinition) &&
      member.key === key &&
      propertyKeyName(member) === '__traverse__' &&
      member.value &&
      isFunctionNode(member.value)
    ) {
      out.push({ fn: member.value, origin: 'method', role: methodRole(member.value) });
    }
  }
}

/** A cheap syntactic filter before asking the checker about a function's contextual type. */
function mayBeContextualTraverse(fn: FunctionNode): boolean {
  const params = suppliedParams(fn);
  if (fn.type === AST_NODE_TYPES.FunctionDeclaration || params.length > 2) return false;
  if (params.length === 2) return true;
  const parent = fn.parent;
  return (
    (parent?.type === AST_NODE_TYPES.Property || parent?.type === AST_NODE_TYPES.MethodDefinition) &&
    /traverse/i.test(propertyKeyName(parent) ?? '')
  );
}

/** With types: the candidate functions (collected during ESLint's traversal) whose contextual type is TraverseFn. */
function contextualTraverses(
  candidates: readonly FunctionNode[],
  context: WalkContext,
  known: ReadonlySet<TSESTree.Node>,
  out: TraverseBody[],
): void {
  const typeInfo = context.typeInfo!;
  for (const node of candidates) {
    if (
      !known.has(node) &&
      mayBeContextualTraverse(node) &&
      typeInfo.isTraverseContext(node.parent?.type === AST_NODE_TYPES.Property && node.parent.method ? node.parent : node)
    ) {
      out.push({ fn: node, origin: 'contextual', role: selfAndVisit(node) });
    }
  }
}

function fileNameOf(context: WalkContext): string {
  return context.fileName ?? '';
}

export function discoverTraverses(
  program: TSESTree.Program,
  bindings: ApiBindings,
  context: WalkContext,
  functionCandidates: readonly FunctionNode[],
): TraverseBody[] {
  const found: TraverseBody[] = [];
  pyclassTraverses(bindings, context, found);
  annotatedTraverses(bindings, context, found);
  methodTraverses(program, context.sourceCode.text, context.childKeys, found);
  const unique = new Map<TSESTree.Node, TraverseBody>();
  for (const body of found) if (!unique.has(body.fn)) unique.set(body.fn, body);
  // Contextual types in plain JavaScript come from inference over untyped code, where the
  // checker can recurse past the stack (TypeScript's own lib/typescript.js): ask only in
  // TypeScript files, or in JavaScript files that import the API.
  const javascript = /\.[cm]?jsx?$/.test(fileNameOf(context));
  if (context.typeInfo && (!javascript || bindings.importsApi)) {
    contextualTraverses(functionCandidates, context, new Set(unique.keys()), found);
  }
  for (const body of found) if (!unique.has(body.fn)) unique.set(body.fn, body);
  return [...unique.values()];
}
