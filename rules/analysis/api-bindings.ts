// Import tracking: which local variables hold an API value, and under which dotted path.
// Follows named, aliased and namespace imports, then aliases and destructuring of those
// bindings anywhere in the file (`const P = Python`, `const { withGil } = Python`).
import { AST_NODE_TYPES, type TSESLint, type TSESTree } from '@typescript-eslint/utils';

import { API_EXPORTS } from './api-operations.js';
import { memberName, propertyKeyName, unwrap } from './ast.js';
import { API_MODULE, type PluginSettings } from './settings.js';

type Variable = TSESLint.Scope.Variable;

/** Dotted path from the API's module namespace: [] is the namespace itself. */
export type ApiPath = readonly string[];

export interface ApiBindings {
  /** True when the file imports the API module (or a configured re-exporting module). */
  readonly importsApi: boolean;
  readonly paths: ReadonlyMap<Variable, ApiPath>;
  /** Names of the bound variables: a cheap filter before resolving an identifier. */
  readonly names: ReadonlySet<string>;
  /**
   * Whether the expression's root is bound from the API module itself (not a relative
   * re-export): the syntactic path is then certain, and types may not veto it.
   */
  certain(node: TSESTree.Node, resolve: (id: TSESTree.Identifier) => Variable | null): boolean;
}

function isApiModule(source: string, settings: PluginSettings): 'exact' | 'relative' | null {
  if (source === API_MODULE || settings.modules.includes(source)) return 'exact';
  if (source.startsWith('./') || source.startsWith('../')) return 'relative';
  return null;
}

function importedName(spec: TSESTree.ImportSpecifier): string {
  return spec.imported.type === AST_NODE_TYPES.Identifier ? spec.imported.name : String(spec.imported.value);
}

/** Variables bound by an object pattern, each with the property path that reaches it. */
function patternBindings(
  pattern: TSESTree.Node,
  prefix: ApiPath,
  out: Array<{ id: TSESTree.Identifier; path: ApiPath }>,
): void {
  const node = pattern.type === AST_NODE_TYPES.AssignmentPattern ? pattern.left : pattern;
  if (node.type === AST_NODE_TYPES.Identifier) {
    out.push({ id: node, path: prefix });
    return;
  }
  if (node.type !== AST_NODE_TYPES.ObjectPattern) return;
  for (const property of node.properties) {
    if (property.type !== AST_NODE_TYPES.Property) continue;
    const key = propertyKeyName(property);
    if (key !== null) patternBindings(property.value, [...prefix, key], out);
  }
}

export function collectApiBindings(
  program: TSESTree.Program,
  scopeManager: TSESLint.Scope.ScopeManager,
  settings: PluginSettings,
): ApiBindings {
  const paths = new Map<Variable, ApiPath>();
  const exact = new Set<Variable>();
  const worklist: Variable[] = [];
  let importsApi = false;

  const bind = (variables: readonly Variable[], path: ApiPath, isExact: boolean): void => {
    for (const variable of variables) {
      if (paths.has(variable)) continue;
      paths.set(variable, path);
      if (isExact) exact.add(variable);
      worklist.push(variable);
    }
  };

  for (const statement of program.body) {
    if (statement.type !== AST_NODE_TYPES.ImportDeclaration) continue;
    const kind = isApiModule(statement.source.value, settings);
    if (!kind) continue;
    if (kind === 'exact') importsApi = true;
    for (const spec of statement.specifiers) {
      const declared = scopeManager.getDeclaredVariables(spec);
      if (spec.type === AST_NODE_TYPES.ImportSpecifier) {
        const name = importedName(spec);
        if (kind === 'exact' || API_EXPORTS.has(name)) bind(declared, [name], kind === 'exact');
      } else if (spec.type === AST_NODE_TYPES.ImportNamespaceSpecifier && kind === 'exact') {
        bind(declared, [], true);
      }
    }
  }

  // Aliases and destructuring of tracked bindings, transitively.
  while (worklist.length > 0) {
    const variable = worklist.pop()!;
    const base = paths.get(variable)!;
    for (const reference of variable.references) {
      let expression: TSESTree.Node = reference.identifier;
      let path = base;
      for (;;) {
        const parent: TSESTree.Node | undefined = expression.parent;
        if (!parent) break;
        if (
          parent.type === AST_NODE_TYPES.TSAsExpression ||
          parent.type === AST_NODE_TYPES.TSTypeAssertion ||
          parent.type === AST_NODE_TYPES.TSNonNullExpression ||
          parent.type === AST_NODE_TYPES.TSSatisfiesExpression ||
          parent.type === AST_NODE_TYPES.ChainExpression ||
          (parent.type === AST_NODE_TYPES.SequenceExpression && parent.expressions.at(-1) === expression)
        ) {
          expression = parent;
          continue;
        }
        // `const f = Python.withGil.bind(Python)`: the bound function is the same operation.
        if (
          parent.type === AST_NODE_TYPES.MemberExpression &&
          parent.object === expression &&
          memberName(parent) === 'bind' &&
          parent.parent?.type === AST_NODE_TYPES.CallExpression &&
          parent.parent.callee === parent
        ) {
          expression = parent.parent;
          continue;
        }
        if (parent.type === AST_NODE_TYPES.MemberExpression && parent.object === expression) {
          const name = memberName(parent);
          if (name === null) break;
          path = [...path, name];
          expression = parent;
          continue;
        }
        break;
      }
      const declarator = expression.parent;
      if (declarator?.type !== AST_NODE_TYPES.VariableDeclarator || declarator.init !== expression) continue;
      const found: Array<{ id: TSESTree.Identifier; path: ApiPath }> = [];
      patternBindings(declarator.id, path, found);
      for (const { id, path: boundPath } of found) {
        bind(scopeManager.getDeclaredVariables(declarator).filter((v) => v.name === id.name), boundPath, exact.has(variable));
      }
    }
  }

  const names = new Set([...paths.keys()].map((variable) => variable.name));
  return {
    importsApi,
    paths,
    names,
    certain(node, resolve) {
      let root = unwrap(node);
      while (root.type === AST_NODE_TYPES.MemberExpression) root = unwrap(root.object);
      if (root.type !== AST_NODE_TYPES.Identifier || !names.has(root.name)) return false;
      const variable = resolve(root);
      return variable !== null && exact.has(variable);
    },
  };
}

/** The API path an expression denotes (`P.withGil` → ["Python", "withGil"]), or null. */
export function apiPathOf(
  node: TSESTree.Node,
  bindings: ApiBindings,
  resolve: (id: TSESTree.Identifier) => Variable | null,
): ApiPath | null {
  if (bindings.paths.size === 0) return null;
  const expression = unwrap(node);
  if (expression.type === AST_NODE_TYPES.Identifier) {
    if (!bindings.names.has(expression.name)) return null;
    const variable = resolve(expression);
    return variable ? (bindings.paths.get(variable) ?? null) : null;
  }
  if (expression.type === AST_NODE_TYPES.MemberExpression) {
    const objectPath = apiPathOf(expression.object, bindings, resolve);
    const name = objectPath && memberName(expression);
    return objectPath && name !== null ? [...objectPath, name] : null;
  }
  return null;
}
