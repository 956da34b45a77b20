// When does a callback run inside the call that receives it? For the built-in list and
// `settings.synchronousCallbacks` (by callee name), for `new Promise(executor)`, and for
// functions of the file (helpers, IIFEs) that call the parameter the callback lands in —
// found once per function and memoised, with recursion cut at cycles.
import { AST_NODE_TYPES, type TSESLint, type TSESTree } from '@typescript-eslint/utils';

import { dottedName, type FunctionNode, isFunctionNode, memberName, outerParent, unwrap } from './ast.js';
import type { CallResolver } from './call-graph.js';
import type { PluginSettings } from './settings.js';

type Variable = TSESLint.Scope.Variable;

/** Whether a callee's name is on the synchronous list (`forEach`, `Array.from`, `call` …). */
export function isSynchronousCallee(callee: TSESTree.Node, settings: PluginSettings): boolean {
  const expression = unwrap(callee);
  if (expression.type === AST_NODE_TYPES.Identifier) return settings.synchronousCallbacks.has(expression.name);
  if (expression.type !== AST_NODE_TYPES.MemberExpression) return false;
  const name = memberName(expression);
  if (name !== null && settings.synchronousCallbacks.has(name)) return true;
  const path = dottedName(expression);
  return path !== null && settings.synchronousCallbacks.has(path);
}

export class SynchronousCalls {
  private readonly paramMemo = new Map<FunctionNode, ReadonlySet<number>>();
  private readonly inProgress = new Set<FunctionNode>();

  constructor(
    private readonly sourceCode: Readonly<TSESLint.SourceCode>,
    private readonly settings: PluginSettings,
    private readonly resolver: CallResolver,
    private readonly resolveVariable: (id: TSESTree.Identifier) => Variable | null,
  ) {}

  /** Whether the argument at `index` of `call` is run before the call returns. */
  runsArgument(call: TSESTree.CallExpression | TSESTree.NewExpression, index: number): boolean {
    if (call.type === AST_NODE_TYPES.NewExpression) {
      const callee = unwrap(call.callee);
      return (
        index === 0 &&
        callee.type === AST_NODE_TYPES.Identifier &&
        (callee.name === 'Promise' || this.settings.synchronousCallbacks.has(`new ${callee.name}`)) &&
        !this.resolveVariable(callee)?.defs.length
      );
    }
    if (isSynchronousCallee(call.callee, this.settings)) return true;
    for (const callee of this.resolver.callees(call.callee)) {
      if (this.calledParameters(callee.fn).has(index)) return true;
    }
    return false;
  }

  /** Whether a function literal runs synchronously where it is written. */
  isSynchronouslyInvoked(fn: FunctionNode): boolean {
    const { parent, child } = outerParent(fn);
    if (!parent) return false;
    if (parent.type === AST_NODE_TYPES.CallExpression || parent.type === AST_NODE_TYPES.NewExpression) {
      if (parent.type === AST_NODE_TYPES.CallExpression && parent.callee === child) return true;
      const index = parent.arguments.indexOf(child as TSESTree.CallExpressionArgument);
      return index !== -1 && this.runsArgument(parent, index);
    }
    if (parent.type === AST_NODE_TYPES.MemberExpression && parent.object === child) {
      const name = memberName(parent);
      const call = outerParent(parent);
      return (
        (name === 'call' || name === 'apply') &&
        call.parent?.type === AST_NODE_TYPES.CallExpression &&
        call.parent.callee === call.child
      );
    }
    return false;
  }

  /** Indexes of `fn`'s parameters that it calls synchronously (directly or via a callee that does). */
  calledParameters(fn: FunctionNode): ReadonlySet<number> {
    const known = this.paramMemo.get(fn);
    if (known) return known;
    if (this.inProgress.has(fn)) return EMPTY;
    this.inProgress.add(fn);
    const found = new Set<number>();
    try {
      const declared = this.sourceCode.scopeManager?.getDeclaredVariables(fn) ?? [];
      fn.params.forEach((param, index) => {
        const id = param.type === AST_NODE_TYPES.AssignmentPattern ? param.left : param;
        if (id.type !== AST_NODE_TYPES.Identifier) return;
        const variable = declared.find((v) => v.defs.some((def) => (def.name as TSESTree.Node) === id));
        if (variable && variable.references.some((reference) => this.isSynchronousUse(reference.identifier as TSESTree.Identifier, fn))) {
          found.add(index);
        }
      });
    } finally {
      this.inProgress.delete(fn);
    }
    this.paramMemo.set(fn, found);
    return found;
  }

  /** `p()`, `p.call(…)`, `p?.()`, or `p` handed to something that runs it — all inside `fn`'s synchronous part. */
  private isSynchronousUse(id: TSESTree.Identifier, fn: FunctionNode): boolean {
    if (!this.runsWithin(id, fn)) return false;
    const { parent, child } = outerParent(id);
    if (parent?.type === AST_NODE_TYPES.CallExpression) {
      if (parent.callee === child) return true;
      const index = parent.arguments.indexOf(child as TSESTree.CallExpressionArgument);
      if (index !== -1) return this.runsArgument(parent, index);
    }
    if (parent?.type === AST_NODE_TYPES.TaggedTemplateExpression && parent.tag === child) return true;
    if (parent?.type === AST_NODE_TYPES.MemberExpression && parent.object === child) {
      const name = memberName(parent);
      const call = outerParent(parent);
      return (name === 'call' || name === 'apply') && call.parent?.type === AST_NODE_TYPES.CallExpression && call.parent.callee === call.child;
    }
    return false;
  }

  /** Whether `node` runs while `fn` runs: every function between them is invoked synchronously. */
  private runsWithin(node: TSESTree.Node, fn: FunctionNode): boolean {
    for (let current = node.parent; current && current !== fn; current = current.parent) {
      if (isFunctionNode(current) && !this.isSynchronouslyInvoked(current)) return false;
    }
    return true;
  }
}

const EMPTY: ReadonlySet<number> = new Set();
