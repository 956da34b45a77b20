// Small syntactic helpers shared by the analysis: unwrapping casts and chains, static member
// names, the root object of a member chain, and a child iterator that skips type annotations.
import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/utils';

export type FunctionNode =
  | TSESTree.ArrowFunctionExpression
  | TSESTree.FunctionDeclaration
  | TSESTree.FunctionExpression;

export function isFunctionNode(node: TSESTree.Node | null | undefined): node is FunctionNode {
  return (
    node?.type === AST_NODE_TYPES.ArrowFunctionExpression ||
    node?.type === AST_NODE_TYPES.FunctionExpression ||
    node?.type === AST_NODE_TYPES.FunctionDeclaration
  );
}

/** Removes `as`, `<T>`, `!`, `satisfies` and optional-chain wrappers. */
export function unwrap(node: TSESTree.Node): TSESTree.Node {
  let current = node;
  for (;;) {
    switch (current.type) {
      case AST_NODE_TYPES.TSAsExpression:
      case AST_NODE_TYPES.TSTypeAssertion:
      case AST_NODE_TYPES.TSNonNullExpression:
      case AST_NODE_TYPES.TSSatisfiesExpression:
      case AST_NODE_TYPES.ChainExpression:
        current = current.expression;
        break;
      default:
        return current;
    }
  }
}

/** The parent of `node`, skipping the wrappers `unwrap` removes. */
export function outerParent(node: TSESTree.Node): { parent: TSESTree.Node | undefined; child: TSESTree.Node } {
  let child = node;
  let parent = node.parent;
  while (
    parent &&
    (parent.type === AST_NODE_TYPES.TSAsExpression ||
      parent.type === AST_NODE_TYPES.TSTypeAssertion ||
      parent.type === AST_NODE_TYPES.TSNonNullExpression ||
      parent.type === AST_NODE_TYPES.TSSatisfiesExpression ||
      parent.type === AST_NODE_TYPES.ChainExpression)
  ) {
    child = parent;
    parent = parent.parent;
  }
  return { parent, child };
}

/** `a.b.c` for an identifier or a chain of static member reads (wrappers removed), else null. */
export function dottedName(node: TSESTree.Node): string | null {
  const expression = unwrap(node);
  if (expression.type === AST_NODE_TYPES.Identifier) return expression.name;
  if (expression.type === AST_NODE_TYPES.MemberExpression) {
    const object = dottedName(expression.object);
    const name = memberName(expression);
    return object !== null && name !== null ? `${object}.${name}` : null;
  }
  return null;
}

/** `a.b` → "b", `a["b"]` → "b", `a[Symbol.dispose]` → "Symbol.dispose"; otherwise null. */
export function memberName(node: TSESTree.MemberExpression): string | null {
  const property = node.property;
  if (!node.computed) {
    return property.type === AST_NODE_TYPES.Identifier ? property.name : null;
  }
  return staticKey(property);
}

/** The static value of a computed key: a string literal, a plain template, or `Symbol.x`. */
export function staticKey(node: TSESTree.Node): string | null {
  if (node.type === AST_NODE_TYPES.Literal && typeof node.value === 'string') return node.value;
  if (node.type === AST_NODE_TYPES.TemplateLiteral && node.expressions.length === 0) {
    return node.quasis[0]?.value.cooked ?? null;
  }
  if (
    node.type === AST_NODE_TYPES.MemberExpression &&
    !node.computed &&
    node.object.type === AST_NODE_TYPES.Identifier &&
    node.object.name === 'Symbol' &&
    node.property.type === AST_NODE_TYPES.Identifier
  ) {
    return `Symbol.${node.property.name}`;
  }
  return null;
}

/** Name of an object-literal or class key written statically. */
export function propertyKeyName(node: TSESTree.Property | TSESTree.MethodDefinition | TSESTree.PropertyDefinition): string | null {
  const key = node.key;
  if (!node.computed) {
    if (key.type === AST_NODE_TYPES.Identifier) return key.name;
    if (key.type === AST_NODE_TYPES.Literal) return String(key.value);
    return null;
  }
  return staticKey(key);
}

/** The object at the bottom of a member chain (`(self as any).a?.b` → `self`). */
export function memberRoot(node: TSESTree.Node): TSESTree.Node {
  let current = unwrap(node);
  while (current.type === AST_NODE_TYPES.MemberExpression) {
    current = unwrap(current.object);
  }
  return current;
}

const SKIPPED_KEYS = new Set(['typeAnnotation', 'typeParameters', 'typeArguments', 'returnType', 'decorators']);

type VisitorKeys = Readonly<Record<string, readonly string[] | undefined>>;

/** Child keys per node type without type-only keys, memoised for one file's analysis. */
export class ChildKeys {
  private readonly byType = new Map<string, readonly string[]>();

  constructor(private readonly visitorKeys: VisitorKeys) {}

  of(type: string): readonly string[] {
    let keys = this.byType.get(type);
    if (!keys) {
      keys = (this.visitorKeys[type] ?? []).filter((key) => !SKIPPED_KEYS.has(key));
      this.byType.set(type, keys);
    }
    return keys;
  }
}

const childKeysCache = new WeakMap<object, ChildKeys>();

/** One ChildKeys per visitor-key table (its memo then survives from file to file). */
export function childKeysFor(visitorKeys: VisitorKeys): ChildKeys {
  let keys = childKeysCache.get(visitorKeys);
  if (!keys) childKeysCache.set(visitorKeys, (keys = new ChildKeys(visitorKeys)));
  return keys;
}

/** Calls `visit` for each child node, in source order, skipping type-only subtrees. */
export function forEachChild(node: TSESTree.Node, keys: ChildKeys, visit: (child: TSESTree.Node) => void): void {
  const record = node as unknown as Record<string, unknown>;
  for (const key of keys.of(node.type)) {
    const value = record[key];
    if (value === null || typeof value !== 'object') continue;
    if (Array.isArray(value)) {
      for (const item of value) if (item !== null) visit(item as TSESTree.Node);
    } else {
      visit(value as TSESTree.Node);
    }
  }
}

/** The deepest node whose range contains `index`, found by descending through ranges. */
export function nodeAtIndex(root: TSESTree.Node, index: number, keys: ChildKeys): TSESTree.Node {
  let current = root;
  for (;;) {
    let next: TSESTree.Node | null = null;
    forEachChild(current, keys, (child) => {
      if (!next && child.range[0] <= index && index < child.range[1]) next = child;
    });
    if (!next) return current;
    current = next;
  }
}

/** Source text shortened for a message. */
export function shortText(text: string, max = 48): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
