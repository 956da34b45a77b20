// The call graph's resolution step: which same-file functions an expression denotes, found
// syntactically through ESLint's scope manager and the file's class and object declarations.
// Follows declarations, never-reassigned aliases, `.bind`, `(0, f)`, conditionals, object
// literal properties/methods/getters (including spreads), class methods, `#private` and static
// members, class fields holding functions, `super.x`, inherited `this.x`, `this.ops.x`,
// elements of arrays and `Map`s, and the values factory functions return. Everything is
// memoised per file; a depth limit and a visiting set keep cyclic definitions finite.
import { AST_NODE_TYPES, type TSESLint, type TSESTree } from '@typescript-eslint/utils';

import { type FunctionNode, isFunctionNode, memberName, propertyKeyName, shortText, unwrap } from './ast.js';

type Variable = TSESLint.Scope.Variable;
type ClassNode = TSESTree.ClassDeclaration | TSESTree.ClassExpression;

/** A value an expression may denote, as far as the file's own declarations tell. */
export type Value =
  | { readonly kind: 'function'; readonly fn: FunctionNode }
  | { readonly kind: 'object'; readonly node: TSESTree.ObjectExpression }
  | { readonly kind: 'class'; readonly node: ClassNode }
  | { readonly kind: 'instance'; readonly node: ClassNode }
  /** An array literal or a `new Map([...])`: calls through an element reach any element. */
  | { readonly kind: 'list'; readonly elements: readonly TSESTree.Node[] };

/** A function a call (or a property read, for getters) runs. */
export interface Callee {
  readonly fn: FunctionNode;
  /** How the chain names it: the callee's text, e.g. `this.#trim`, `Node.dispose`, `lock`. */
  readonly name: string;
  /** Set when the function is declared in another file (typed cross-file resolution). */
  readonly file?: string;
}

/** Resolves identifiers the resolver cannot follow in their file (imports, in typed mode). */
export type ExternalResolver = (id: TSESTree.Identifier, file: FileScope, resolver: CallResolver) => readonly Value[];

/** One parsed file the call graph can walk: the linted file, or (typed) another file of the program. */
export interface FileScope {
  readonly sourceCode: Readonly<TSESLint.SourceCode>;
  readonly resolve: (id: TSESTree.Identifier) => Variable | null;
  /** Absent for the linted file. */
  readonly fileName?: string;
}

/** The file a node belongs to: other files' ASTs are registered here by their Program node. */
const foreignFiles = new WeakMap<TSESTree.Node, FileScope>();

export function registerForeignFile(program: TSESTree.Program, file: FileScope): void {
  foreignFiles.set(program, file);
}

function rootOf(node: TSESTree.Node): TSESTree.Node {
  let current = node;
  while (current.parent) current = current.parent;
  return current;
}

const MAX_DEPTH = 12;

/** Strips what `unwrap` strips, and `(0, f)`: a sequence's last expression is the callee. */
export function unwrapCallee(node: TSESTree.Node): TSESTree.Node {
  let current = unwrap(node);
  while (current.type === AST_NODE_TYPES.SequenceExpression) current = unwrap(current.expressions.at(-1)!);
  return current;
}

/** The function (or class body member) that gives `this` its meaning at `node`. */
export function thisOwner(node: TSESTree.Node): Value | null {
  for (let current = node.parent; current; current = current.parent) {
    switch (current.type) {
      case AST_NODE_TYPES.FunctionExpression:
      case AST_NODE_TYPES.FunctionDeclaration: {
        const holder = current.parent;
        if (holder?.type === AST_NODE_TYPES.MethodDefinition) {
          const cls = holder.parent.parent as ClassNode;
          return holder.static ? { kind: 'class', node: cls } : { kind: 'instance', node: cls };
        }
        if (holder?.type === AST_NODE_TYPES.Property && holder.parent.type === AST_NODE_TYPES.ObjectExpression) {
          return { kind: 'object', node: holder.parent };
        }
        return null;
      }
      case AST_NODE_TYPES.PropertyDefinition: {
        const cls = current.parent.parent as ClassNode;
        return current.static ? { kind: 'class', node: cls } : { kind: 'instance', node: cls };
      }
      case AST_NODE_TYPES.StaticBlock:
        return { kind: 'class', node: current.parent.parent as ClassNode };
      default:
        break;
    }
  }
  return null;
}

function enclosingClass(node: TSESTree.Node): { cls: ClassNode; isStatic: boolean } | null {
  const owner = thisOwner(node);
  return owner && (owner.kind === 'class' || owner.kind === 'instance')
    ? { cls: owner.node, isStatic: owner.kind === 'class' }
    : null;
}

function memberKey(member: TSESTree.ClassElement): string | null {
  if (
    member.type !== AST_NODE_TYPES.MethodDefinition &&
    member.type !== AST_NODE_TYPES.PropertyDefinition &&
    member.type !== AST_NODE_TYPES.TSAbstractMethodDefinition
  ) {
    return null;
  }
  if (member.key.type === AST_NODE_TYPES.PrivateIdentifier) return `#${member.key.name}`;
  return member.type === AST_NODE_TYPES.TSAbstractMethodDefinition ? null : propertyKeyName(member);
}

/** The key a member expression reads: `a.b` → "b", `a.#b` → "#b", `a['b']` → "b". */
export function accessedName(node: TSESTree.MemberExpression): string | null {
  if (!node.computed && node.property.type === AST_NODE_TYPES.PrivateIdentifier) return `#${node.property.name}`;
  return memberName(node);
}

export class CallResolver {
  private readonly valueMemo = new Map<TSESTree.Node, readonly Value[]>();
  private readonly visiting = new Set<TSESTree.Node>();
  private readonly returnMemo = new Map<FunctionNode, readonly TSESTree.Node[]>();

  constructor(
    private readonly main: FileScope,
    private readonly external: ExternalResolver | null = null,
  ) {}

  /** The file scope of a node: the linted file, or a registered other file. */
  fileOf(node: TSESTree.Node): FileScope {
    return foreignFiles.get(rootOf(node)) ?? this.main;
  }

  private resolveVariable(id: TSESTree.Identifier): Variable | null {
    return this.fileOf(id).resolve(id);
  }

  private text(node: TSESTree.Node): string {
    return shortText(this.fileOf(node).sourceCode.getText(node), 40);
  }

  /**
   * The functions a call of `callee` runs: its resolved function values, and getters read on
   * the way (`obj.getter()` runs the getter). Empty when nothing in the file defines it.
   */
  callees(callee: TSESTree.Node): Callee[] {
    const target = unwrapCallee(callee);
    const name = this.text(target);
    const out: Callee[] = [];
    const seen = new Set<FunctionNode>();
    const add = (fn: FunctionNode, file?: string): void => {
      if (seen.has(fn)) return;
      seen.add(fn);
      out.push(file ? { fn, name, file } : { fn, name });
    };
    for (const getter of this.getters(target)) add(getter.fn, getter.file);
    for (const value of this.values(target)) {
      if (value.kind === 'function') add(value.fn, this.fileOf(value.fn).fileName);
    }
    return out;
  }

  /** Whether any file the resolver may reach declares a getter (a cheap text test, once). */
  private getterSyntax: boolean | undefined;

  private mayHaveGetters(): boolean {
    this.getterSyntax ??= /\bget\s+[\w$#[]/.test(this.main.sourceCode.text) || this.external !== null;
    return this.getterSyntax;
  }

  /** Getters a property read runs (`this.size`, `obj.current`), as callees named by the read. */
  getters(node: TSESTree.Node): Callee[] {
    if (!this.mayHaveGetters()) return [];
    const target = unwrapCallee(node);
    if (target.type !== AST_NODE_TYPES.MemberExpression) return [];
    const name = accessedName(target);
    if (name === null) return [];
    const out: Callee[] = [];
    for (const owner of this.ownerValues(target)) {
      for (const getter of this.memberFunctions(owner, name, 'get', 0)) {
        const file = this.fileOf(getter).fileName;
        out.push(file ? { fn: getter, name: this.text(target), file } : { fn: getter, name: this.text(target) });
      }
    }
    return out;
  }

  /** Values an expression may denote (memoised per node). */
  values(node: TSESTree.Node, depth = 0): readonly Value[] {
    const memo = this.valueMemo.get(node);
    if (memo) return memo;
    if (depth > MAX_DEPTH || this.visiting.has(node)) return [];
    this.visiting.add(node);
    let result: readonly Value[];
    try {
      result = this.compute(node, depth + 1);
    } finally {
      this.visiting.delete(node);
    }
    this.valueMemo.set(node, result);
    return result;
  }

  private ownerValues(member: TSESTree.MemberExpression, depth = 0): Value[] {
    const object = unwrapCallee(member.object);
    if (object.type === AST_NODE_TYPES.Super) {
      const owner = enclosingClass(member);
      if (!owner?.cls.superClass) return [];
      return this.values(owner.cls.superClass, depth)
        .filter((value) => value.kind === 'class')
        .map((value) => (owner.isStatic ? value : { kind: 'instance', node: (value as { node: ClassNode }).node }));
    }
    return [...this.values(object, depth)];
  }

  private compute(input: TSESTree.Node, depth: number): readonly Value[] {
    const node = unwrapCallee(input);
    switch (node.type) {
      case AST_NODE_TYPES.ArrowFunctionExpression:
      case AST_NODE_TYPES.FunctionExpression:
      case AST_NODE_TYPES.FunctionDeclaration:
        return [{ kind: 'function', fn: node }];
      case AST_NODE_TYPES.ObjectExpression:
        return [{ kind: 'object', node }];
      case AST_NODE_TYPES.ClassExpression:
      case AST_NODE_TYPES.ClassDeclaration:
        return [{ kind: 'class', node }];
      case AST_NODE_TYPES.ArrayExpression:
        return [{ kind: 'list', elements: node.elements.filter((e): e is TSESTree.Expression | TSESTree.SpreadElement => e !== null) }];
      case AST_NODE_TYPES.ThisExpression: {
        const owner = thisOwner(node);
        return owner ? [owner] : [];
      }
      case AST_NODE_TYPES.ConditionalExpression:
        return [...this.values(node.consequent, depth), ...this.values(node.alternate, depth)];
      case AST_NODE_TYPES.LogicalExpression:
        return [...this.values(node.left, depth), ...this.values(node.right, depth)];
      case AST_NODE_TYPES.AssignmentExpression:
        return node.operator === '=' ? this.values(node.right, depth) : [];
      case AST_NODE_TYPES.Identifier:
        return this.identifierValues(node, depth);
      case AST_NODE_TYPES.MemberExpression:
        return this.memberValues(node, depth);
      case AST_NODE_TYPES.NewExpression:
        return this.constructed(node, depth);
      case AST_NODE_TYPES.CallExpression:
        return this.callResult(node, depth);
      case AST_NODE_TYPES.SpreadElement:
        return this.values(node.argument, depth);
      default:
        return [];
    }
  }

  private identifierValues(id: TSESTree.Identifier, depth: number): readonly Value[] {
    const variable = this.resolveVariable(id);
    const def = variable?.defs[0];
    if (!variable || !def) return [];
    switch (def.type) {
      case 'FunctionName':
        return isFunctionNode(def.node) ? [{ kind: 'function', fn: def.node }] : [];
      case 'ClassName':
        return [{ kind: 'class', node: def.node as ClassNode }];
      case 'ImportBinding':
        return this.external?.(id, this.fileOf(id), this) ?? [];
      case 'Variable': {
        const declarator = def.node;
        const neverReassigned =
          def.parent.kind === 'const' || variable.references.every((reference) => reference.init || reference.isReadOnly());
        if (!neverReassigned) return [];
        if (declarator.id.type === AST_NODE_TYPES.Identifier) {
          if (declarator.init) return this.values(declarator.init, depth);
          return this.forOfElements(declarator, depth);
        }
        // `const { a, b: c = d } = obj`: the property of obj, or the default.
        return declarator.init ? this.destructured(declarator.id, def.name as TSESTree.Identifier, declarator.init, depth) : [];
      }
      case 'Parameter':
        return this.defaultOf(def.name as TSESTree.Identifier, depth);
      default:
        return [];
    }
  }

  /** `for (const f of handlers)`: any element of the iterated list. */
  private forOfElements(declarator: TSESTree.VariableDeclarator, depth: number): readonly Value[] {
    const declaration = declarator.parent;
    const loop = declaration?.parent;
    if (loop?.type !== AST_NODE_TYPES.ForOfStatement || loop.left !== declaration) return [];
    return this.elementValues(this.values(loop.right, depth), depth);
  }

  /** A parameter written `f = fallback`: the fallback (the caller may pass something else). */
  private defaultOf(name: TSESTree.Identifier, depth: number): readonly Value[] {
    const parent = name.parent;
    return parent?.type === AST_NODE_TYPES.AssignmentPattern && parent.left === name ? this.values(parent.right, depth) : [];
  }

  private destructured(pattern: TSESTree.Node, target: TSESTree.Identifier, init: TSESTree.Node, depth: number): readonly Value[] {
    if (pattern.type === AST_NODE_TYPES.AssignmentPattern) {
      return [...this.destructured(pattern.left, target, init, depth), ...(contains(pattern.left, target) ? this.values(pattern.right, depth) : [])];
    }
    if (pattern.type !== AST_NODE_TYPES.ObjectPattern) return [];
    for (const property of pattern.properties) {
      if (property.type !== AST_NODE_TYPES.Property || !contains(property.value, target)) continue;
      const key = propertyKeyName(property);
      if (key === null) return [];
      const owners = this.values(init, depth);
      const inner: Value[] = [];
      for (const owner of owners) inner.push(...this.memberValuesOf(owner, key, depth));
      const valueNode = property.value;
      if (valueNode.type === AST_NODE_TYPES.AssignmentPattern) inner.push(...this.values(valueNode.right, depth));
      if (valueNode.type === AST_NODE_TYPES.ObjectPattern) {
        // nested: resolve through a synthetic path is rare; stop here
        return [];
      }
      return inner;
    }
    return [];
  }

  private memberValues(node: TSESTree.MemberExpression, depth: number): readonly Value[] {
    const owners = this.ownerValues(node, depth);
    if (owners.length === 0) return [];
    const name = accessedName(node);
    if (name === null) {
      // `handlers[i]`: any element of a list.
      return node.computed ? this.elementValues(owners, depth) : [];
    }
    const out: Value[] = [];
    for (const owner of owners) out.push(...this.memberValuesOf(owner, name, depth));
    if (out.length === 0 && node.computed) out.push(...this.elementValues(owners, depth));
    return out;
  }

  private elementValues(owners: readonly Value[], depth: number): Value[] {
    const out: Value[] = [];
    for (const owner of owners) {
      if (owner.kind !== 'list') continue;
      for (const element of owner.elements) out.push(...this.values(element, depth));
    }
    return out;
  }

  /** Functions stored under `name` in any value `node` denotes (a spec's `traverse`, built by spread, factory or Object.assign). */
  propertyFunctions(node: TSESTree.Node, name: string): FunctionNode[] {
    const out: FunctionNode[] = [];
    for (const owner of this.values(node)) {
      for (const value of this.memberValuesOf(owner, name, 0)) if (value.kind === 'function') out.push(value.fn);
    }
    return out;
  }

  /** Values of `owner.name`: a method, a field's value, a getter's return values. */
  private memberValuesOf(owner: Value, name: string, depth: number): Value[] {
    const out: Value[] = [];
    for (const fn of this.memberFunctions(owner, name, 'value', depth)) out.push({ kind: 'function', fn });
    for (const node of this.memberInitialisers(owner, name, depth)) out.push(...this.values(node, depth));
    for (const getter of this.memberFunctions(owner, name, 'get', depth)) {
      for (const returned of this.returns(getter)) out.push(...this.values(returned, depth));
    }
    return out;
  }

  /** Methods (`value`) or getters (`get`) named `name` on an object, class or instance. */
  memberFunctions(owner: Value, name: string, kind: 'value' | 'get', depth: number): FunctionNode[] {
    if (depth > MAX_DEPTH) return [];
    const out: FunctionNode[] = [];
    if (owner.kind === 'object') {
      for (const property of owner.node.properties) {
        if (property.type === AST_NODE_TYPES.SpreadElement) {
          for (const inner of this.values(property.argument, depth + 1)) out.push(...this.memberFunctions(inner, name, kind, depth + 1));
          continue;
        }
        if (propertyKeyName(property) !== name) continue;
        if (kind === 'get' ? property.kind === 'get' : property.kind === 'init' && property.method) {
          if (isFunctionNode(property.value)) out.push(property.value);
        }
      }
      return out;
    }
    if (owner.kind !== 'class' && owner.kind !== 'instance') return out;
    const wantStatic = owner.kind === 'class';
    for (const member of owner.node.body.body) {
      if (member.type !== AST_NODE_TYPES.MethodDefinition || member.static !== wantStatic) continue;
      if (memberKey(member) !== name) continue;
      if (kind === 'get' ? member.kind === 'get' : member.kind === 'method' || member.kind === 'constructor') out.push(member.value as FunctionNode);
    }
    if (out.length === 0 && !this.hasOwnMember(owner.node, name, wantStatic) && owner.node.superClass) {
      for (const parent of this.values(owner.node.superClass, depth + 1)) {
        if (parent.kind !== 'class') continue;
        out.push(...this.memberFunctions(wantStatic ? parent : { kind: 'instance', node: parent.node }, name, kind, depth + 1));
      }
    }
    return out;
  }

  private hasOwnMember(cls: ClassNode, name: string, isStatic: boolean): boolean {
    return cls.body.body.some(
      (member) => 'static' in member && member.static === isStatic && memberKey(member) === name,
    );
  }

  /** Expressions stored under `name`: object properties, class fields (incl. inherited). */
  private memberInitialisers(owner: Value, name: string, depth: number): TSESTree.Node[] {
    if (depth > MAX_DEPTH) return [];
    const out: TSESTree.Node[] = [];
    if (owner.kind === 'object') {
      for (const property of owner.node.properties) {
        if (property.type === AST_NODE_TYPES.SpreadElement) {
          for (const inner of this.values(property.argument, depth + 1)) out.push(...this.memberInitialisers(inner, name, depth + 1));
          continue;
        }
        if (property.kind === 'init' && !property.method && propertyKeyName(property) === name) out.push(property.value);
      }
      return out;
    }
    if (owner.kind !== 'class' && owner.kind !== 'instance') return out;
    const wantStatic = owner.kind === 'class';
    for (const member of owner.node.body.body) {
      if (member.type === AST_NODE_TYPES.PropertyDefinition && member.static === wantStatic && member.value && memberKey(member) === name) {
        out.push(member.value);
      }
    }
    if (out.length === 0 && !this.hasOwnMember(owner.node, name, wantStatic) && owner.node.superClass) {
      for (const parent of this.values(owner.node.superClass, depth + 1)) {
        if (parent.kind !== 'class') continue;
        out.push(...this.memberInitialisers(wantStatic ? parent : { kind: 'instance', node: parent.node }, name, depth + 1));
      }
    }
    return out;
  }

  private constructed(node: TSESTree.NewExpression, depth: number): readonly Value[] {
    const callee = unwrapCallee(node.callee);
    if (callee.type === AST_NODE_TYPES.Identifier && callee.name === 'Map' && !this.resolveVariable(callee)?.defs.length) {
      // new Map([[key, value], …]): the values.
      const entries = node.arguments[0] && unwrapCallee(node.arguments[0]);
      if (entries?.type !== AST_NODE_TYPES.ArrayExpression) return [];
      const elements: TSESTree.Node[] = [];
      for (const entry of entries.elements) {
        const pair = entry && unwrapCallee(entry);
        if (pair?.type === AST_NODE_TYPES.ArrayExpression && pair.elements[1]) elements.push(pair.elements[1]);
      }
      return [{ kind: 'list', elements }];
    }
    return this.values(callee, depth)
      .filter((value) => value.kind === 'class')
      .map((value) => ({ kind: 'instance', node: (value as { node: ClassNode }).node }));
  }

  /** `f.bind(…)` is f; `map.get(k)` is any value; `Object.assign(a, b)` has both; factories return their results. */
  private callResult(node: TSESTree.CallExpression, depth: number): readonly Value[] {
    const callee = unwrapCallee(node.callee);
    if (callee.type === AST_NODE_TYPES.MemberExpression) {
      const name = memberName(callee);
      if (name === 'bind') return this.values(callee.object, depth);
      if (name === 'get' && node.arguments.length === 1) {
        const owners = this.values(callee.object, depth);
        if (owners.some((owner) => owner.kind === 'list')) return this.elementValues(owners, depth);
      }
      if (name === 'assign' && callee.object.type === AST_NODE_TYPES.Identifier && callee.object.name === 'Object') {
        // Object.assign(target, ...sources): an object with every source's properties.
        return node.arguments.flatMap((argument) => this.values(argument, depth));
      }
    }
    const out: Value[] = [];
    for (const value of this.values(callee, depth)) {
      if (value.kind !== 'function') continue;
      for (const returned of this.returns(value.fn)) out.push(...this.values(returned, depth));
    }
    return out;
  }

  /** The expressions a function returns (an arrow's expression body, or its `return`s). */
  returns(fn: FunctionNode): readonly TSESTree.Node[] {
    let known = this.returnMemo.get(fn);
    if (known) return known;
    const found: TSESTree.Node[] = [];
    if (fn.body.type !== AST_NODE_TYPES.BlockStatement) {
      found.push(fn.body);
    } else {
      const visit = (node: TSESTree.Node): void => {
        if (node.type === AST_NODE_TYPES.ReturnStatement && node.argument) found.push(node.argument);
      };
      // Only statements: return values never hide inside expressions.
      for (const statement of fn.body.body) visitStatements(statement, visit);
    }
    known = found;
    this.returnMemo.set(fn, known);
    return known;
  }
}

/** Walks the statement tree of a body (not expressions), calling `visit` on return statements. */
function visitStatements(statement: TSESTree.Node, visit: (node: TSESTree.Node) => void): void {
  switch (statement.type) {
    case AST_NODE_TYPES.ReturnStatement:
      visit(statement);
      return;
    case AST_NODE_TYPES.BlockStatement:
      for (const inner of statement.body) visitStatements(inner, visit);
      return;
    case AST_NODE_TYPES.IfStatement:
      visitStatements(statement.consequent, visit);
      if (statement.alternate) visitStatements(statement.alternate, visit);
      return;
    case AST_NODE_TYPES.TryStatement:
      visitStatements(statement.block, visit);
      if (statement.handler) visitStatements(statement.handler.body, visit);
      if (statement.finalizer) visitStatements(statement.finalizer, visit);
      return;
    case AST_NODE_TYPES.SwitchStatement:
      for (const branch of statement.cases) for (const inner of branch.consequent) visitStatements(inner, visit);
      return;
    case AST_NODE_TYPES.ForStatement:
    case AST_NODE_TYPES.ForInStatement:
    case AST_NODE_TYPES.ForOfStatement:
    case AST_NODE_TYPES.WhileStatement:
    case AST_NODE_TYPES.DoWhileStatement:
    case AST_NODE_TYPES.LabeledStatement:
      visitStatements(statement.body, visit);
      return;
    default:
      return;
  }
}

function contains(outer: TSESTree.Node, inner: TSESTree.Node): boolean {
  return outer.range[0] <= inner.range[0] && inner.range[1] <= outer.range[1];
}
