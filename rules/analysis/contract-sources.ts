// What the contract analysis treats as nondeterministic or mutable: the clock and random
// calls, captured or module-level variables that some code reassigns or mutates (and where),
// and the mutating methods of arrays, maps and sets. Memoised per variable.
import { AST_NODE_TYPES, type TSESLint, type TSESTree } from '@typescript-eslint/utils';

import { dottedName, memberName, outerParent, unwrap } from './ast.js';

type Variable = TSESLint.Scope.Variable;

/** Calls whose result changes from one call to the next. */
export const NONDETERMINISTIC_CALLS: ReadonlyMap<string, string> = new Map([
  ['Math.random', 'a random number'],
  ['Date.now', 'the clock'],
  ['Date', 'the clock'],
  ['performance.now', 'the clock'],
  ['process.hrtime', 'the clock'],
  ['process.hrtime.bigint', 'the clock'],
  ['process.uptime', 'the clock'],
  ['crypto.randomUUID', 'a random number'],
  ['crypto.getRandomValues', 'a random number'],
  ['crypto.randomInt', 'a random number'],
]);

export const MUTATING_METHODS: ReadonlySet<string> = new Set([
  'push',
  'pop',
  'shift',
  'unshift',
  'splice',
  'sort',
  'reverse',
  'fill',
  'copyWithin',
  'set',
  'add',
  'delete',
  'clear',
]);

/** Whether `id` (a reference of a variable) is the root of a member that is written or mutated. */
function mutatesMember(id: TSESTree.Identifier): boolean {
  let node: TSESTree.Node = id;
  let member: TSESTree.MemberExpression | null = null;
  for (;;) {
    const { parent, child } = outerParent(node);
    if (parent?.type === AST_NODE_TYPES.MemberExpression && parent.object === child) {
      member = parent;
      node = parent;
      continue;
    }
    if (!member) return false;
    if (parent?.type === AST_NODE_TYPES.AssignmentExpression && parent.left === child) return true;
    if (parent?.type === AST_NODE_TYPES.UpdateExpression) return true;
    if (parent?.type === AST_NODE_TYPES.UnaryExpression && parent.operator === 'delete') return true;
    if (parent?.type === AST_NODE_TYPES.CallExpression && parent.callee === child) {
      const name = memberName(member);
      return name !== null && MUTATING_METHODS.has(name);
    }
    return false;
  }
}

export interface Mutation {
  readonly node: TSESTree.Node;
  readonly line: number;
}

const mutationMemo = new WeakMap<Variable, readonly Mutation[]>();

/** Where a variable is reassigned (after its declaration) or has a member written or mutated. */
export function mutationsOf(variable: Variable): readonly Mutation[] {
  let known = mutationMemo.get(variable);
  if (known) return known;
  const out: Mutation[] = [];
  for (const reference of variable.references) {
    const id = reference.identifier as TSESTree.Identifier;
    if ((reference.isWrite() && !reference.init) || mutatesMember(id)) out.push({ node: id, line: id.loc.start.line });
  }
  known = out;
  mutationMemo.set(variable, known);
  return known;
}
