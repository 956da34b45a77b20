// Rule traverse-signature: a traverse is `(self, visit)` — synchronous, not a generator, no
// extra or rest parameters, no use of `this` as the whole object. Option `checkVisitEscape`
// (on in `strict`) also flags `visit` leaving the body other than through `visit.call(…)`
// or a same-file helper.
import { AST_NODE_TYPES, ASTUtils, type TSESLint, type TSESTree } from '@typescript-eslint/utils';

import { type ChildKeys, forEachChild, isFunctionNode, memberName, outerParent, shortText } from './analysis/ast.js';
import { analysisListeners, CONFIGURATION_MESSAGES } from './analysis/file-analysis.js';
import { resolveHelper } from './analysis/function-effects.js';
import { suppliedParams, type TraverseBody } from './analysis/traverse-discovery.js';
import { createRule } from './util/create-rule.js';

export interface TraverseSignatureOptions {
  checkVisitEscape?: boolean;
}

type MessageIds =
  | 'asyncTraverse'
  | 'generatorTraverse'
  | 'extraParameter'
  | 'restParameter'
  | 'thisAsObject'
  | 'visitEscapes'
  | 'removeAsync'
  | 'removeParameter';

type Context = Readonly<TSESLint.RuleContext<MessageIds, [TraverseSignatureOptions]>>;

/** `this` used other than as the object of a member access, outside nested non-arrow functions. */
function wholeThisUses(body: TSESTree.Node, keys: ChildKeys): TSESTree.ThisExpression[] {
  const found: TSESTree.ThisExpression[] = [];
  const visit = (node: TSESTree.Node): void => {
    if (node.type === AST_NODE_TYPES.FunctionExpression || node.type === AST_NODE_TYPES.FunctionDeclaration) return;
    if (node.type === AST_NODE_TYPES.ClassBody) return;
    if (node.type === AST_NODE_TYPES.ThisExpression) {
      const { parent, child } = outerParent(node);
      if (!(parent?.type === AST_NODE_TYPES.MemberExpression && parent.object === child)) found.push(node);
      return;
    }
    forEachChild(node, keys, visit);
  };
  visit(body);
  return found;
}

function containsAwait(fn: TSESTree.Node, keys: ChildKeys): boolean {
  let found = false;
  const visit = (node: TSESTree.Node): void => {
    if (found || (node !== fn && isFunctionNode(node))) return;
    if (node.type === AST_NODE_TYPES.AwaitExpression || (node.type === AST_NODE_TYPES.ForOfStatement && node.await)) {
      found = true;
      return;
    }
    if (node.type === AST_NODE_TYPES.VariableDeclaration && node.kind === 'await using') {
      found = true;
      return;
    }
    forEachChild(node, keys, visit);
  };
  visit(fn);
  return found;
}

function checkAsyncAndGenerator(context: Context, traverse: TraverseBody, keys: ChildKeys): void {
  const fn = traverse.fn;
  const owner = fn.parent && (fn.parent.type === AST_NODE_TYPES.MethodDefinition || (fn.parent.type === AST_NODE_TYPES.Property && fn.parent.method)) ? fn.parent : fn;
  if (fn.async) {
    const sourceCode = context.sourceCode;
    const asyncToken = sourceCode.getTokens(owner).find((token) => token.value === 'async');
    const afterAsync = asyncToken && sourceCode.getTokenAfter(asyncToken);
    context.report({
      node: fn,
      loc: asyncToken?.loc ?? fn.loc,
      messageId: 'asyncTraverse',
      suggest:
        asyncToken && afterAsync && !containsAwait(fn, keys)
          ? [{ messageId: 'removeAsync', fix: (fixer) => fixer.removeRange([asyncToken.range[0], afterAsync.range[0]]) }]
          : [],
    });
  }
  if (fn.generator) {
    context.report({ node: fn, loc: context.sourceCode.getFirstToken(owner)!.loc, messageId: 'generatorTraverse' });
  }
}

function checkParameters(context: Context, traverse: TraverseBody): void {
  const params = suppliedParams(traverse.fn);
  if (params.length <= 2 && params.every((param) => param.type !== AST_NODE_TYPES.RestElement)) return;
  const scopeManager = context.sourceCode.scopeManager!;
  const declared = scopeManager.getDeclaredVariables(traverse.fn);
  params.forEach((param, index) => {
    const name = shortText(context.sourceCode.getText(param), 32);
    if (param.type === AST_NODE_TYPES.RestElement) {
      context.report({ node: param, messageId: 'restParameter', data: { name } });
      return;
    }
    if (index < 2) return;
    const unused = declared
      .filter((variable) => variable.defs.some((def) => def.name.range[0] >= param.range[0] && def.name.range[1] <= param.range[1]))
      .every((variable) => variable.references.every((reference) => !reference.isRead()));
    const previous = params[index - 1]!;
    context.report({
      node: param,
      messageId: 'extraParameter',
      data: { name },
      suggest: unused
        ? [{ messageId: 'removeParameter', data: { name }, fix: (fixer) => fixer.removeRange([previous.range[1], param.range[1]]) }]
        : [],
    });
  });
}

function checkVisitEscape(context: Context, traverse: TraverseBody): void {
  const visitParam = traverse.role.visitParameters[0];
  if (visitParam?.type !== AST_NODE_TYPES.Identifier) return;
  const sourceCode = context.sourceCode;
  const variable = sourceCode.scopeManager!.getDeclaredVariables(traverse.fn).find((v) => v.name === visitParam.name);
  const resolve = (id: TSESTree.Identifier) => ASTUtils.findVariable(sourceCode.getScope(id), id);
  for (const reference of variable?.references ?? []) {
    const { parent, child } = outerParent(reference.identifier);
    if (parent?.type === AST_NODE_TYPES.MemberExpression && parent.object === child && memberName(parent) === 'call') continue;
    if (parent?.type === AST_NODE_TYPES.CallExpression && parent.arguments.includes(child as TSESTree.CallExpressionArgument)) {
      const helper = resolveHelper(parent.callee, resolve);
      if (helper) continue;
    }
    context.report({ node: reference.identifier, messageId: 'visitEscapes', data: { name: visitParam.name } });
  }
}

export default createRule<[TraverseSignatureOptions], MessageIds | 'typesRequired'>({
  name: 'traverse-signature',
  meta: {
    type: 'problem',
    hasSuggestions: true,
    docs: {
      description: 'Require a traverse to be a synchronous `(self, visit)` function that does not use `this` as the object',
      recommended: true,
      requiresTypeChecking: false,
    },
    messages: {
      ...CONFIGURATION_MESSAGES,
      asyncTraverse: 'A traverse must be synchronous: an `async` traverse runs its body after the collector has moved on.',
      generatorTraverse: 'A traverse must not be a generator: its body would not run while the collector visits.',
      extraParameter: 'A traverse takes `(self, visit)`; the extra parameter `{{name}}` is never supplied.',
      restParameter: 'A traverse takes `(self, visit)`; the rest parameter `{{name}}` is not allowed.',
      thisAsObject: 'A traverse must not use `this` as the whole object; read fields through `self`.',
      visitEscapes: '`{{name}}` escapes the traverse body; use it only as `{{name}}.call(…)` or pass it to a same-file helper.',
      removeAsync: 'Remove `async`.',
      removeParameter: 'Remove the unused parameter `{{name}}`.',
    },
    schema: [
      {
        type: 'object',
        properties: { checkVisitEscape: { type: 'boolean' } },
        additionalProperties: false,
      },
    ],
    defaultOptions: [{ checkVisitEscape: false }],
  },
  create(context, [options]) {
    return analysisListeners(context, (analysis) => {
      const keys = analysis.childKeys;
      for (const traverse of analysis.traverses) {
        checkAsyncAndGenerator(context, traverse, keys);
        checkParameters(context, traverse);
        const bodyText = context.sourceCode.text.slice(traverse.fn.body.range[0], traverse.fn.body.range[1]);
        for (const node of bodyText.includes('this') ? wholeThisUses(traverse.fn.body, keys) : []) {
          context.report({ node, messageId: 'thisAsObject' });
        }
        if (options.checkVisitEscape) checkVisitEscape(context, traverse);
      }
    });
  },
});
