// The one per-file analysis every rule reads: computed on first request for a SourceCode and
// cached in a WeakMap keyed by it (nothing survives the file, so ESLint --concurrency is fine).
// It discovers traverse bodies, summarises them and the same-file helpers they call, and
// resolves each hazard to a finding: direct, or through a named chain of helpers.
import type { TSESLint, TSESTree } from '@typescript-eslint/utils';
import { ASTUtils } from '@typescript-eslint/utils';

import { ChildKeys } from './ast.js';

import { collectApiBindings } from './api-bindings.js';
import type { Category } from './api-operations.js';
import type { FunctionNode } from './ast.js';
import { collectEffects, type FunctionEffects, type FunctionRole, type Operation, type WalkContext } from './function-effects.js';
import { readSettings, SETTINGS_KEY } from './settings.js';
import { discoverTraverses, type TraverseBody } from './traverse-discovery.js';
import { createTypeInfo, type TypeInfo } from './type-info.js';

export interface Finding {
  readonly traverse: TraverseBody;
  readonly operation: Operation;
  /** Where the report goes: the operation itself, or the first helper call of the chain. */
  readonly node: TSESTree.Node;
  /** Names of the helpers between the traverse body and the operation ([] when direct). */
  readonly chain: readonly string[];
}

export interface FileAnalysis {
  readonly traverses: readonly TraverseBody[];
  readonly findings: readonly Finding[];
  /** Whether type information was used. */
  readonly typed: boolean;
  readonly childKeys: ChildKeys;
}
const CATEGORIES: readonly Category[] = ['gil', 'drop', 'pool', 'interpreter', 'unknown'];
const HELPER_ROLE = (fn: FunctionNode): FunctionRole => ({ selfParameters: fn.params, visitParameters: fn.params });

type RuleContext = Readonly<TSESLint.RuleContext<string, readonly unknown[]>>;

/** Per-file state shared by all rules: the analysis, and function nodes seen during traversal. */
interface SharedState {
  analysis?: FileAnalysis;
  readonly functions: FunctionNode[];
  collecting: boolean;
}

const shared = new WeakMap<object, SharedState>();

function stateOf(sourceCode: object): SharedState {
  let state = shared.get(sourceCode);
  if (!state) {
    state = { functions: [], collecting: false };
    shared.set(sourceCode, state);
  }
  return state;
}

/** Early exit: no `traverse-guard` import, no `traverse`, `__traverse__` or `TraverseFn`. */
export function mayContainTraverse(context: RuleContext): boolean {
  return context.sourceCode.text.includes('raverse');
}

/**
 * Listeners for a rule: nothing for files without a traverse; otherwise `Program:exit` hands
 * over the shared analysis. The first rule created for a typed file also collects function
 * nodes during ESLint's own traversal (for contextual-type discovery), so no rule walks the
 * whole tree again.
 */
export function analysisListeners(
  context: RuleContext,
  onAnalysis: (analysis: FileAnalysis) => void,
): TSESLint.RuleListener {
  if (!mayContainTraverse(context)) return {};
  const state = stateOf(context.sourceCode);
  const listeners: TSESLint.RuleListener = {
    'Program:exit'() {
      onAnalysis(getFileAnalysis(context));
    },
  };
  if (
    !state.collecting &&
    context.sourceCode.parserServices?.program &&
    readSettings(context.settings as Record<string, unknown>).typeAware !== 'off'
  ) {
    state.collecting = true;
    const collect = (node: FunctionNode): void => {
      state.functions.push(node);
    };
    listeners.ArrowFunctionExpression = collect;
    listeners.FunctionExpression = collect;
  }
  return listeners;
}

export function getFileAnalysis(context: RuleContext): FileAnalysis {
  const state = stateOf(context.sourceCode);
  state.analysis ??= analyse(context, state.functions);
  return state.analysis;
}

interface Reach {
  readonly names: readonly string[];
  readonly operation: Operation;
}

function analyse(context: RuleContext, functions: readonly FunctionNode[]): FileAnalysis {
  const sourceCode = context.sourceCode;
  const childKeys = new ChildKeys(sourceCode.visitorKeys as Record<string, readonly string[] | undefined>);
  if (!mayContainTraverse(context)) return { traverses: [], findings: [], typed: false, childKeys };

  const settings = readSettings(context.settings as Record<string, unknown>);
  const services = settings.typeAware === 'off' ? undefined : sourceCode.parserServices;
  const program = services?.program ?? null;
  if (settings.typeAware === 'required' && !program) {
    throw new Error(
      `traverse-guard: settings['${SETTINGS_KEY}'].typeAware is 'required' but ${context.filename} was parsed ` +
        'without type information; configure parserOptions.projectService (or project).',
    );
  }

  const scopeManager = sourceCode.scopeManager!;
  const bindings = collectApiBindings(sourceCode.ast, scopeManager, settings);
  let typeInfo: TypeInfo | null = null;
  if (program && services?.esTreeNodeToTSNodeMap) {
    typeInfo = createTypeInfo(
      services as Parameters<typeof createTypeInfo>[0],
      context.filename,
      settings,
    );
  }
  const walk: WalkContext = {
    sourceCode,
    settings,
    bindings,
    typeInfo,
    resolve: (id) => ASTUtils.findVariable(sourceCode.getScope(id), id),
    childKeys,
  };

  const traverses = discoverTraverses(sourceCode.ast, bindings, walk, functions);
  if (traverses.length === 0) return { traverses, findings: [], typed: typeInfo !== null, childKeys };

  const helperSummaries = new Map<FunctionNode, FunctionEffects>();
  const helperEffects = (fn: FunctionNode): FunctionEffects => {
    let effects = helperSummaries.get(fn);
    if (!effects) {
      effects = collectEffects(walk, fn, HELPER_ROLE(fn));
      helperSummaries.set(fn, effects);
    }
    return effects;
  };

  // Shortest-first search for an operation of one category reachable from a helper.
  const memo = new Map<Category, Map<FunctionNode, Reach | null>>(CATEGORIES.map((category) => [category, new Map()]));
  const inProgress = new Map<Category, Set<FunctionNode>>(CATEGORIES.map((category) => [category, new Set()]));
  const reach = (fn: FunctionNode, category: Category): { result: Reach | null; complete: boolean } => {
    const known = memo.get(category)!;
    const key = fn;
    if (known.has(key)) return { result: known.get(key)!, complete: true };
    if (inProgress.get(category)!.has(key)) return { result: null, complete: false };
    const effects = helperEffects(fn);
    const direct = effects.operations.find((operation) => operation.kind.category === category);
    if (direct) {
      const result = { names: [], operation: direct };
      known.set(key, result);
      return { result, complete: true };
    }
    inProgress.get(category)!.add(key);
    let complete = true;
    let result: Reach | null = null;
    for (const call of effects.helperCalls) {
      const inner = reach(call.target, category);
      complete &&= inner.complete;
      if (inner.result) {
        result = { names: [call.name, ...inner.result.names], operation: inner.result.operation };
        complete = true;
        break;
      }
    }
    inProgress.get(category)!.delete(key);
    if (complete) known.set(key, result);
    return { result, complete };
  };

  const findings: Finding[] = [];
  for (const traverse of traverses) {
    const effects = collectEffects(walk, traverse.fn, traverse.role);
    for (const operation of effects.operations) {
      findings.push({ traverse, operation, node: operation.node, chain: [] });
    }
    for (const call of effects.helperCalls) {
      for (const category of CATEGORIES) {
        const { result } = reach(call.target, category);
        if (result) {
          findings.push({ traverse, operation: result.operation, node: call.node, chain: [call.name, ...result.names] });
        }
      }
    }
  }
  return { traverses, findings, typed: typeInfo !== null, childKeys };
}
