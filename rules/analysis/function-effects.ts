// Walks one function body (a traverse or a helper it calls) and records what it does that
// matters during a collection: API operations, writes over `self`, `using` declarations,
// captured interpreter tokens, calls to same-file helpers, and calls nothing vouches for.
// Nested callbacks are walked only when they run synchronously (see isSynchronouslyInvoked).
import { AST_NODE_TYPES, type TSESLint, type TSESTree } from '@typescript-eslint/utils';

import { type ApiBindings, apiPathOf } from './api-bindings.js';
import { API_METHODS } from './api-methods.js';
import {
  CONSTRUCTIONS,
  INSTANCE_CALLS,
  type OperationKind,
  PROPERTY_WRITERS,
  SAFE_GLOBALS,
  SAFE_METHODS,
  STATIC_CALLS,
  TOKEN_CALLBACKS,
} from './api-operations.js';
import {
  type ChildKeys,
  dottedName,
  forEachChild,
  type FunctionNode,
  isFunctionNode,
  memberName,
  memberRoot,
  outerParent,
  shortText,
  staticKey,
  unwrap,
} from './ast.js';
import { type CallResolver, unwrapCallee } from './call-graph.js';
import type { PluginSettings } from './settings.js';
import { isSynchronousCallee, type SynchronousCalls } from './synchronous-calls.js';
import type { TypeInfo } from './type-info.js';

/** Every method name of the API's `Bound` (all of them need the interpreter). */
const BOUND_METHODS: ReadonlySet<string> = new Set([...API_METHODS.Bound!.read, ...API_METHODS.Bound!.hazard, ...API_METHODS.Bound!.other]);

export { isSynchronousCallee } from './synchronous-calls.js';

type Variable = TSESLint.Scope.Variable;

export interface Operation {
  readonly kind: OperationKind;
  readonly node: TSESTree.Node;
  /** Set for a use of an interpreter token captured from an enclosing scope. */
  readonly capturedToken?: boolean;
}

export interface HelperCall {
  /** The call (or callback argument) in the calling function. */
  readonly node: TSESTree.Node;
  readonly name: string;
  readonly target: FunctionNode;
  /** The declaring file when it is not the linted one (typed cross-file helpers). */
  readonly file?: string;
}

export interface FunctionEffects {
  readonly operations: readonly Operation[];
  readonly helperCalls: readonly HelperCall[];
}

export interface WalkContext {
  readonly sourceCode: Readonly<TSESLint.SourceCode>;
  readonly settings: PluginSettings;
  readonly bindings: ApiBindings;
  readonly typeInfo: TypeInfo | null;
  readonly resolve: Resolve;
  readonly childKeys: ChildKeys;
  /** The call graph's resolution of callees to same-file (or, typed, other-file) functions. */
  readonly resolver: CallResolver;
  readonly synchronous: SynchronousCalls;
  /** Counts checker failures that degraded a node to the syntactic decision. */
  readonly stats?: { checkerFailures: number };
  /** The linted file's name (for decisions that depend on its language). */
  readonly fileName?: string;
  /** Typed mode: effects of a function declared in another file of the program. */
  readonly foreign?: (call: HelperCall) => FunctionEffects;
}

/** Which parameters of the walked function hold `self` and `visit`. */
export interface FunctionRole {
  readonly selfParameters: readonly TSESTree.Parameter[];
  readonly visitParameters: readonly TSESTree.Parameter[];
  /** A helper: functions its parameters hold are resolved and judged at each call site. */
  readonly helper?: boolean;
}

function declaredWithin(variable: Variable, nodes: readonly TSESTree.Node[]): boolean {
  return variable.defs.some((def) =>
    nodes.some((node) => node.range[0] <= def.name.range[0] && def.name.range[1] <= node.range[1]),
  );
}

export type Resolve = (id: TSESTree.Identifier) => Variable | null;

/** A same-file function that `node` names: a declaration, a never-reassigned function value, or `this.method`. */
export function resolveHelper(node: TSESTree.Node, resolve: Resolve): { fn: FunctionNode; name: string } | null {
  const target = unwrap(node);
  if (target.type === AST_NODE_TYPES.Identifier) {
    const variable = resolve(target);
    const def = variable?.defs[0];
    if (!def) return null;
    if (def.type === 'FunctionName' && def.node.type === AST_NODE_TYPES.FunctionDeclaration) {
      return { fn: def.node, name: target.name };
    }
    if (def.type === 'Variable' && def.node.init && def.node.id.type === AST_NODE_TYPES.Identifier) {
      const init = unwrap(def.node.init);
      const neverReassigned = def.parent.kind === 'const' || variable!.references.every((r) => r.init || r.isReadOnly());
      if (isFunctionNode(init) && neverReassigned) return { fn: init, name: target.name };
    }
    return null;
  }
  if (target.type === AST_NODE_TYPES.MemberExpression && unwrap(target.object).type === AST_NODE_TYPES.ThisExpression) {
    const name = memberName(target);
    let classBody: TSESTree.Node | undefined = target.parent;
    while (classBody && classBody.type !== AST_NODE_TYPES.ClassBody) classBody = classBody.parent;
    if (name === null || !classBody) return null;
    for (const member of classBody.body) {
      if (
        member.type === AST_NODE_TYPES.MethodDefinition &&
        member.kind === 'method' &&
        !member.computed &&
        member.key.type === AST_NODE_TYPES.Identifier &&
        member.key.name === name &&
        member.value.type === AST_NODE_TYPES.FunctionExpression
      ) {
        return { fn: member.value, name: `this.${name}` };
      }
    }
  }
  return null;
}

const STATIC_MEMBER_NAMES: ReadonlySet<string> = new Set([
  ...[...STATIC_CALLS.keys()].map((key) => key.split('.')[1]!),
  ...CONSTRUCTIONS.keys(),
]);

function gcOperation(path: readonly string[]): OperationKind {
  return { category: 'interpreter', display: path.length > 1 ? `gc.${path[1]}` : 'gc' };
}

class EffectCollector {
  readonly operations: Operation[] = [];
  readonly helperCalls: HelperCall[] = [];
  private readonly selfVariables = new Set<Variable>();
  private readonly visitVariables = new Set<Variable>();
  private readonly walkedFunctions = new Set<TSESTree.Node>();

  constructor(
    private readonly context: WalkContext,
    private readonly fn: FunctionNode,
    private readonly role: FunctionRole,
  ) {
    const declared = context.sourceCode.scopeManager!.getDeclaredVariables(fn);
    for (const variable of declared) {
      if (declaredWithin(variable, role.selfParameters)) this.selfVariables.add(variable);
      if (declaredWithin(variable, role.visitParameters)) this.visitVariables.add(variable);
    }
  }

  run(): FunctionEffects {
    this.walkedFunctions.add(this.fn);
    this.walkParameterDefaults(this.fn);
    this.walk(this.fn.body);
    this.collectCapturedTokens();
    return { operations: this.operations, helperCalls: this.helperCalls };
  }

  /** `function h(guard = Python.acquireGil())`: defaults run when the function is called. */
  private walkParameterDefaults(fn: FunctionNode): void {
    for (const param of fn.params) {
      if (param.type === AST_NODE_TYPES.AssignmentPattern) this.walk(param.right);
    }
  }

  private record(kind: OperationKind, node: TSESTree.Node, capturedToken = false): void {
    this.operations.push(capturedToken ? { kind, node, capturedToken } : { kind, node });
  }

  private walk(node: TSESTree.Node): void {
    switch (node.type) {
      case AST_NODE_TYPES.Identifier:
      case AST_NODE_TYPES.Literal:
      case AST_NODE_TYPES.ThisExpression:
      case AST_NODE_TYPES.TemplateElement:
        return; // leaves: nothing to record, nothing below
      case AST_NODE_TYPES.ArrowFunctionExpression:
      case AST_NODE_TYPES.FunctionExpression:
        if (this.context.synchronous.isSynchronouslyInvoked(node)) this.walkCallback(node);
        return;
      case AST_NODE_TYPES.FunctionDeclaration:
      case AST_NODE_TYPES.ClassDeclaration:
      case AST_NODE_TYPES.ClassExpression:
        return;
      case AST_NODE_TYPES.CallExpression:
        this.onCall(node);
        break;
      case AST_NODE_TYPES.NewExpression:
        this.onNew(node);
        break;
      case AST_NODE_TYPES.TaggedTemplateExpression:
        this.onTag(node);
        break;
      case AST_NODE_TYPES.MemberExpression:
        this.onMember(node);
        break;
      case AST_NODE_TYPES.AssignmentExpression:
        this.onAssignment(node.left);
        break;
      case AST_NODE_TYPES.UnaryExpression:
        if (node.operator === 'delete') this.onWrite(node.argument, node, 'delete');
        break;
      case AST_NODE_TYPES.VariableDeclaration:
        this.onDeclaration(node);
        break;
      case AST_NODE_TYPES.ForOfStatement:
        this.onForOf(node);
        break;
      default:
        break;
    }
    forEachChild(node, this.context.childKeys, (child) => this.walk(child));
  }

  private walkCallback(fn: FunctionNode): void {
    this.walkedFunctions.add(fn);
    const { parent } = outerParent(fn);
    // `self.items.forEach((item) => …)`: the callback's parameters come from `self`.
    if (
      parent?.type === AST_NODE_TYPES.CallExpression &&
      unwrap(parent.callee).type === AST_NODE_TYPES.MemberExpression &&
      this.isSelfRooted((unwrap(parent.callee) as TSESTree.MemberExpression).object)
    ) {
      for (const variable of this.context.sourceCode.scopeManager!.getDeclaredVariables(fn)) {
        if (declaredWithin(variable, fn.params)) this.selfVariables.add(variable);
      }
    }
    this.walkParameterDefaults(fn);
    this.walk(fn.body);
  }

  private isSelfRooted(node: TSESTree.Node): boolean {
    const root = memberRoot(node);
    if (root.type === AST_NODE_TYPES.ThisExpression) return true;
    if (root.type !== AST_NODE_TYPES.Identifier) return false;
    const variable = this.context.resolve(root);
    return variable !== null && this.selfVariables.has(variable);
  }

  private isVisitReceiver(node: TSESTree.Node): boolean {
    const root = unwrap(node);
    if (root.type !== AST_NODE_TYPES.Identifier) return false;
    const variable = this.context.resolve(root);
    return variable !== null && this.visitVariables.has(variable);
  }

  /** Typed confirmation: false only when the checker knows the target is not the API's. */
  private confirmedByTypes(node: TSESTree.Node, owners?: readonly string[]): boolean | 'untyped' {
    const verdict = this.context.typeInfo?.declaredByApi(node) ?? 'unknown';
    if (verdict === 'unknown') return 'untyped';
    if (verdict === 'other') return false;
    return !owners || verdict.owner === null || owners.includes(verdict.owner);
  }

  private onCall(node: TSESTree.CallExpression): void {
    const callee = unwrapCallee(node.callee);
    let target: TSESTree.Node = callee;
    if (callee.type === AST_NODE_TYPES.MemberExpression) {
      const name = memberName(callee);
      const path = dottedName(callee);
      if (name === 'call' && this.isVisitReceiver(callee.object)) return;
      if (path === 'Reflect.apply') {
        if (node.arguments[0]) target = unwrapCallee(node.arguments[0]);
      } else if (path === 'Reflect.construct') {
        if (node.arguments[0]) this.onConstruct(unwrapCallee(node.arguments[0]), node);
        return;
      } else if (name === 'call' || name === 'apply') {
        target = unwrapCallee(callee.object);
      } else if (name === 'bind' && this.context.resolver.values(callee.object).some((v) => v.kind === 'function')) {
        return; // making a bound function runs nothing
      }
    }
    // `f.bind(thisArg)(…)` calls f.
    while (target.type === AST_NODE_TYPES.CallExpression) {
      const inner = unwrapCallee(target.callee);
      if (inner.type !== AST_NODE_TYPES.MemberExpression || memberName(inner) !== 'bind') break;
      target = unwrapCallee(inner.object);
    }
    if (isFunctionNode(target)) return; // an IIFE: walked as a synchronous callback
    this.onCallee(node, target, node.arguments);
  }

  /** `` tag`…` `` calls its tag. */
  private onTag(node: TSESTree.TaggedTemplateExpression): void {
    const tag = unwrapCallee(node.tag);
    if (isFunctionNode(tag)) {
      this.walkCallback(tag);
      return;
    }
    this.onCallee(node, tag, []);
  }

  /** What a call of `target` does: an API operation, a call into the graph, or an unknown call. */
  private onCallee(node: TSESTree.CallExpression | TSESTree.TaggedTemplateExpression, target: TSESTree.Node, args: readonly TSESTree.CallExpressionArgument[]): void {
    const path = apiPathOf(target, this.context.bindings, this.context.resolve);
    if (path) {
      const kind = path[0] === 'gc' ? gcOperation(path) : STATIC_CALLS.get(path.join('.'));
      if (kind && (this.context.bindings.certain(target, this.context.resolve) || this.confirmedByTypes(target) !== false)) {
        this.record(kind, node);
      }
      return;
    }

    const typedStatic = this.typedStaticOperation(target);
    if (typedStatic) {
      this.record(typedStatic, node);
      return;
    }

    const writer = dottedName(target);
    if (writer !== null && PROPERTY_WRITERS.has(writer) && args[0] && this.isSelfRooted(args[0])) {
      const key = args[1] && staticKey(args[1]);
      if (!(key && this.context.typeInfo?.isReferenceLocation(unwrap(args[0]!), key) === false)) {
        this.record({ category: 'drop', display: writer }, node);
      }
      return;
    }

    if (target.type === AST_NODE_TYPES.MemberExpression) {
      const name = memberName(target);
      const kind = name === null ? undefined : INSTANCE_CALLS.get(name);
      if (kind) {
        const typed = this.confirmedByTypes(target, kind.owners);
        if (typed === true || (typed === 'untyped' && (!kind.onlyOnSelf || this.isSelfRooted(target.object)))) {
          this.record(kind, node);
          return;
        }
      }
      const bound = this.boundMethod(target);
      if (bound) {
        this.record(bound, node);
        return;
      }
    }

    const callees = this.context.resolver.callees(target);
    for (const helper of callees) this.helperCalls.push(this.helperCall(node, helper));

    let handsCallbacks = false;
    if (node.type === AST_NODE_TYPES.CallExpression) {
      args.forEach((argument, index) => {
        if (!this.context.synchronous.runsArgument(node, index)) return;
        handsCallbacks = true;
        const value = unwrapCallee(argument);
        if (isFunctionNode(value) || value === target) return; // walked where written; `Reflect.apply(h, …)` is the call itself
        for (const callback of this.context.resolver.callees(value)) this.helperCalls.push(this.helperCall(argument, callback));
      });
    }
    if (callees.length > 0 || handsCallbacks || isSynchronousCallee(node.type === AST_NODE_TYPES.CallExpression ? node.callee : node.tag, this.context.settings)) {
      return;
    }
    if (!this.isSafeCall(target) && !this.isCallerSuppliedFunction(target)) {
      const text = node.type === AST_NODE_TYPES.CallExpression ? node.callee : node.tag;
      this.record({ category: 'unknown', display: shortText(this.context.sourceCode.getText(text)) }, node);
    }
  }

  /** A helper's own parameter: what it holds is resolved (and judged) at each call site. */
  private isCallerSuppliedFunction(target: TSESTree.Node): boolean {
    if (target.type !== AST_NODE_TYPES.Identifier) return false;
    const def = this.context.resolve(target)?.defs[0];
    return def?.type === 'Parameter' && this.role.helper === true && def.node === this.fn;
  }

  private helperCall(node: TSESTree.Node, callee: { fn: FunctionNode; name: string; file?: string }): HelperCall {
    return callee.file ? { node, name: callee.name, target: callee.fn, file: callee.file } : { node, name: callee.name, target: callee.fn };
  }

  /** With types, any method of the API's `Bound` (`bound.refcnt()`, `bound.unbind()`) needs the interpreter. */
  private boundMethod(target: TSESTree.MemberExpression): OperationKind | null {
    const typeInfo = this.context.typeInfo;
    if (!typeInfo) return null;
    // Cheap guard first: a name no `Bound` method has needs no type question (most member calls).
    const name = memberName(target);
    if (name !== null && !BOUND_METHODS.has(name)) return null;
    const owner = typeInfo.apiClassOf(target.object);
    if (owner !== 'Bound') return null;
    return { category: 'interpreter', display: `Bound#${memberName(target) ?? '[…]'}` };
  }

  /**
   * With types, a static API call reached through a name import tracking cannot follow
   * (a re-export under another name): `Interp.withGil(…)`, `new Pool()`.
   */
  private typedStaticOperation(target: TSESTree.Node): OperationKind | undefined {
    const typeInfo = this.context.typeInfo;
    if (!typeInfo) return undefined;
    const name =
      target.type === AST_NODE_TYPES.MemberExpression
        ? memberName(target)
        : target.type === AST_NODE_TYPES.Identifier
          ? target.name
          : null;
    if (name === null) return undefined;
    // Cheap guard first: an API member name, or an imported value (`export const acquire = Python.withGil`).
    const imported =
      target.type === AST_NODE_TYPES.Identifier && this.context.resolve(target)?.defs[0]?.type === 'ImportBinding';
    if (!STATIC_MEMBER_NAMES.has(name) && !imported) return undefined;
    const verdict = typeInfo.declaredByApi(target);
    if (typeof verdict !== 'object' || verdict.owner === null) return undefined;
    const declared = verdict.name ?? name;
    return verdict.owner === declared ? CONSTRUCTIONS.get(declared) : STATIC_CALLS.get(`${verdict.owner}.${declared}`);
  }

  /** With types, `new X()` of an API class imported under any name. */
  private typedConstruction(callee: TSESTree.Node): OperationKind | undefined {
    const verdict = this.context.typeInfo?.declaredByApi(callee);
    return typeof verdict === 'object' && verdict.owner !== null ? CONSTRUCTIONS.get(verdict.owner) : undefined;
  }

  private isSafeCall(target: TSESTree.Node): boolean {
    if (target.type === AST_NODE_TYPES.MemberExpression) {
      const name = memberName(target);
      if (name !== null && SAFE_METHODS.has(name)) return true;
    }
    const path = dottedName(target);
    if (path === null) return false;
    const root = path.split('.')[0]!;
    return SAFE_GLOBALS.has(path) || SAFE_GLOBALS.has(root);
  }

  private onNew(node: TSESTree.NewExpression): void {
    this.onConstruct(unwrapCallee(node.callee), node);
    // Arguments a constructor of the file runs (`new Promise(executor)` is walked where written).
    node.arguments.forEach((argument, index) => {
      const value = unwrapCallee(argument);
      if (isFunctionNode(value) || !this.context.synchronous.runsArgument(node, index)) return;
      for (const callback of this.context.resolver.callees(value)) this.helperCalls.push(this.helperCall(argument, callback));
    });
  }

  /** `new X(…)` or `Reflect.construct(X, …)`: an API class, or a class of the file whose constructor runs. */
  private onConstruct(callee: TSESTree.Node, node: TSESTree.Node): void {
    const path = apiPathOf(callee, this.context.bindings, this.context.resolve);
    const kind = path?.length === 1 ? CONSTRUCTIONS.get(path[0]!) : path ? undefined : this.typedConstruction(callee);
    if (kind) {
      if (this.context.bindings.certain(callee, this.context.resolve) || this.confirmedByTypes(callee) !== false) this.record(kind, node);
      return;
    }
    for (const value of this.context.resolver.values(callee)) {
      if (value.kind !== 'class') continue;
      for (const ctor of this.context.resolver.memberFunctions({ kind: 'instance', node: value.node }, 'constructor', 'value', 0)) {
        this.helperCalls.push({ node, name: `new ${shortText(this.context.sourceCode.getText(callee), 40)}`, target: ctor });
      }
    }
  }

  /** Reads of `gc.*` members (calls are handled by onCall). */
  private onMember(node: TSESTree.MemberExpression): void {
    const { parent, child } = outerParent(node);
    const isCallee =
      (parent?.type === AST_NODE_TYPES.CallExpression && parent.callee === child) ||
      (parent?.type === AST_NODE_TYPES.TaggedTemplateExpression && parent.tag === child);
    // A getter of the file runs when its property is read (calls resolve getters themselves).
    if (!isCallee && !this.isAssignmentTarget(node)) {
      for (const getter of this.context.resolver.getters(node)) this.helperCalls.push(this.helperCall(node, getter));
    }
    if (parent?.type === AST_NODE_TYPES.MemberExpression && parent.object === child) return;
    if (parent?.type === AST_NODE_TYPES.CallExpression) {
      // The callee, or the function of `Reflect.apply(gc.collect, …)`: onCall reports those.
      if (parent.callee === child || (parent.arguments[0] === child && dottedName(parent.callee) === 'Reflect.apply')) return;
    }
    const path = apiPathOf(node, this.context.bindings, this.context.resolve);
    if (path?.[0] === 'gc' && path.length >= 2 && (this.context.bindings.certain(node, this.context.resolve) || this.confirmedByTypes(node) !== false)) {
      this.record(gcOperation(path), node);
    }
  }

  private isAssignmentTarget(node: TSESTree.Node): boolean {
    const { parent, child } = outerParent(node);
    return parent?.type === AST_NODE_TYPES.AssignmentExpression && parent.left === child;
  }

  private onAssignment(target: TSESTree.Node): void {
    switch (target.type) {
      case AST_NODE_TYPES.ArrayPattern:
        for (const element of target.elements) if (element) this.onAssignment(element);
        return;
      case AST_NODE_TYPES.ObjectPattern:
        for (const property of target.properties) {
          this.onAssignment(property.type === AST_NODE_TYPES.Property ? property.value : property.argument);
        }
        return;
      case AST_NODE_TYPES.AssignmentPattern:
        this.onAssignment(target.left);
        return;
      case AST_NODE_TYPES.RestElement:
        this.onAssignment(target.argument);
        return;
      default:
        this.onWrite(target, target, 'assign');
    }
  }

  private onWrite(location: TSESTree.Node, reportNode: TSESTree.Node, how: 'assign' | 'delete'): void {
    const member = unwrap(location);
    if (member.type !== AST_NODE_TYPES.MemberExpression || !this.isSelfRooted(member)) return;
    const name = memberName(member);
    if (name !== null && this.context.typeInfo?.isReferenceLocation(unwrap(member.object), name) === false) return;
    const text = shortText(this.context.sourceCode.getText(member));
    const display = how === 'delete' ? `delete ${text}` : `${text} = …`;
    this.record({ category: 'drop', display }, reportNode);
  }

  private onDeclaration(node: TSESTree.VariableDeclaration): void {
    const using = node.kind === 'using' || node.kind === 'await using';
    for (const declarator of node.declarations) {
      if (!declarator.init) continue;
      if (this.isSelfRooted(declarator.init)) {
        for (const variable of this.context.sourceCode.scopeManager!.getDeclaredVariables(declarator)) {
          this.selfVariables.add(variable);
        }
      }
      if (using && this.isOwnedDisposal(declarator.init)) {
        const name = shortText(this.context.sourceCode.getText(declarator.id));
        this.record({ category: 'drop', display: `${node.kind} ${name}` }, declarator);
      }
    }
  }

  /**
   * `for (const c of self.items)` and `for (const c of [self.a, self.b])`: the loop variable
   * holds values reached from `self`, like a `forEach` callback's parameter.
   */
  private onForOf(node: TSESTree.ForOfStatement): void {
    const right = unwrap(node.right);
    const sources = right.type === AST_NODE_TYPES.ArrayExpression ? right.elements : [right];
    const fromSelf = sources.some((e) => e !== null && this.isSelfRooted(e.type === AST_NODE_TYPES.SpreadElement ? e.argument : e));
    if (!fromSelf || node.left.type !== AST_NODE_TYPES.VariableDeclaration) return;
    for (const variable of this.context.sourceCode.scopeManager!.getDeclaredVariables(node.left)) {
      this.selfVariables.add(variable);
    }
  }

  private isOwnedDisposal(init: TSESTree.Expression): boolean {
    const typed = this.context.typeInfo?.isApiDisposable(init) ?? 'unknown';
    if (typed !== 'unknown') return typed;
    // Untyped: any `using` counts, except values that other rules already report.
    const value = unwrap(init);
    const callee = value.type === AST_NODE_TYPES.CallExpression || value.type === AST_NODE_TYPES.NewExpression ? value.callee : null;
    const path = callee && apiPathOf(callee, this.context.bindings, this.context.resolve);
    return !(path && (STATIC_CALLS.has(path.join('.')) || (path.length === 1 && CONSTRUCTIONS.has(path[0]!))));
  }

  private collectCapturedTokens(): void {
    const scope = this.context.sourceCode.scopeManager!.acquire(this.fn);
    if (!scope) return;
    for (const reference of scope.through) {
      const variable = reference.resolved;
      const defType = variable?.defs[0]?.type;
      if (defType !== 'Variable' && defType !== 'Parameter') continue;
      if (this.isInWalkedFunction(reference.identifier) && this.isInterpreterToken(variable!)) {
        this.record(
          { category: 'interpreter', display: reference.identifier.name },
          reference.identifier,
          true,
        );
      }
    }
  }

  private isInWalkedFunction(node: TSESTree.Node): boolean {
    for (let current = node.parent; current; current = current.parent) {
      if (isFunctionNode(current)) return this.walkedFunctions.has(current);
    }
    return false;
  }

  private isInterpreterToken(variable: Variable): boolean {
    const def = variable.defs[0];
    if (!def || (def.type !== 'Variable' && def.type !== 'Parameter')) return false;
    const typed = this.context.typeInfo?.isInterpreterToken(def.name) ?? 'unknown';
    if (typed !== 'unknown') return typed;
    const annotation = def.name.type === AST_NODE_TYPES.Identifier ? def.name.typeAnnotation?.typeAnnotation : undefined;
    if (annotation?.type === AST_NODE_TYPES.TSTypeReference && this.typeNamePath(annotation.typeName) === 'Python') {
      return true;
    }
    if (def.type === 'Parameter') {
      const fn = def.node;
      const { parent, child } = outerParent(fn);
      if (parent?.type !== AST_NODE_TYPES.CallExpression || !parent.arguments.includes(child as TSESTree.CallExpressionArgument)) {
        return false;
      }
      const path = apiPathOf(parent.callee, this.context.bindings, this.context.resolve);
      return path !== null && TOKEN_CALLBACKS.has(path.join('.'));
    }
    const init = def.node.init && unwrap(def.node.init);
    if (init?.type !== AST_NODE_TYPES.CallExpression) return false;
    const callee = unwrap(init.callee);
    if (callee.type === AST_NODE_TYPES.MemberExpression && memberName(callee) === 'python') return true;
    return apiPathOf(callee, this.context.bindings, this.context.resolve)?.join('.') === 'Python.assumeGilAcquired';
  }

  private typeNamePath(name: TSESTree.EntityName): string | null {
    if (name.type === AST_NODE_TYPES.Identifier) {
      const variable = this.context.resolve(name);
      return variable ? (this.context.bindings.paths.get(variable)?.join('.') ?? null) : null;
    }
    if (name.type === AST_NODE_TYPES.TSQualifiedName) {
      const left = this.typeNamePath(name.left);
      return left === null ? null : left === '' ? name.right.name : `${left}.${name.right.name}`;
    }
    return null;
  }
}

export function collectEffects(context: WalkContext, fn: FunctionNode, role: FunctionRole): FunctionEffects {
  return new EffectCollector(context, fn, role).run();
}
