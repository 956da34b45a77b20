// The one per-file analysis every rule reads: computed on first request for a SourceCode and
// cached in a WeakMap keyed by it (nothing survives the file, so ESLint --concurrency is fine).
// It discovers traverse bodies, summarises them and the same-file helpers they call, and
// resolves each hazard to a finding: direct, or through a named chain of helpers.
import path from 'node:path';

import type { TSESLint, TSESTree } from '@typescript-eslint/utils';
import { ASTUtils } from '@typescript-eslint/utils';

import { type ChildKeys, childKeysFor } from './ast.js';
import { CallResolver } from './call-graph.js';
import { createCrossFile, type CrossFile, summaryOf } from './cross-file.js';
import { SynchronousCalls } from './synchronous-calls.js';

import { collectApiBindings } from './api-bindings.js';
import type { Category } from './api-operations.js';
import type { FunctionNode } from './ast.js';
import { collectEffects, type FunctionEffects, type HelperCall, type Operation, type WalkContext } from './function-effects.js';
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
  /** Checker failures that degraded a node to the syntactic decision (debug output). */
  readonly stats: { readonly checkerFailures: number };
  /** Set when the settings cannot be honoured (typeAware 'required' without the API's types). */
  readonly configurationError?: string;
  /** The walk context the analysis used (resolver, bindings, types): later passes reuse it. */
  readonly walk?: WalkContext;
}
const CATEGORIES: readonly Category[] = ['gil', 'drop', 'pool', 'interpreter', 'unknown'];

type RuleContext = Readonly<TSESLint.RuleContext<string, readonly unknown[]>>;

/** Per-file state shared by all rules: the analysis, and function nodes seen during traversal. */
interface SharedState {
  analysis?: FileAnalysis;
  readonly functions: FunctionNode[];
  collecting: boolean;
  /** The configuration error is reported by the first rule only: one error per file. */
  configurationReported?: boolean;
}

/** The message every rule carries for a configuration it cannot honour (see configurationError). */
export const CONFIGURATION_MESSAGES = { typesRequired: '{{message}}' } as const;

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
    'Program:exit'(node) {
      const analysis = getFileAnalysis(context);
      if (analysis.configurationError) {
        if (!state.configurationReported) {
          state.configurationReported = true;
          context.report({ node, loc: { line: 1, column: 0 }, messageId: 'typesRequired', data: { message: analysis.configurationError } });
        }
        return;
      }
      onAnalysis(analysis);
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

interface Step {
  /** Distance in calls to an operation of the category (0: the function does it itself). */
  readonly distance: number;
  readonly operation: Operation;
  /** The call to take next (absent when distance is 0). */
  readonly via?: HelperCall;
}

function analyse(context: RuleContext, functions: readonly FunctionNode[]): FileAnalysis {
  const sourceCode = context.sourceCode;
  const childKeys = childKeysFor(sourceCode.visitorKeys as Record<string, readonly string[] | undefined>);
  const stats = { checkerFailures: 0 };
  const empty = (typed: boolean, configurationError?: string): FileAnalysis =>
    configurationError
      ? { traverses: [], findings: [], typed, childKeys, stats, configurationError }
      : { traverses: [], findings: [], typed, childKeys, stats };
  if (!mayContainTraverse(context)) return empty(false);

  const settings = readSettings(context.settings as Record<string, unknown>);
  const services = settings.typeAware === 'off' ? undefined : sourceCode.parserServices;
  const program = services?.program ?? null;
  const required = settings.typeAware === 'required';

  const scopeManager = sourceCode.scopeManager!;
  const bindings = collectApiBindings(sourceCode.ast, scopeManager, settings);
  let typeInfo: TypeInfo | null = null;
  if (program && services?.esTreeNodeToTSNodeMap) {
    typeInfo = createTypeInfo(services as Parameters<typeof createTypeInfo>[0], context.filename, settings, stats);
  }
  // A typed file that imports nothing from the API (an eslint.config.mjs naming the plugin) has
  // no API traverse whose types could be missing.
  if (required && !typeInfo?.hasApi() && (!typeInfo || bindings.importsApi)) {
    return empty(
      false,
      typeInfo
        ? `traverse-guard: typeAware is 'required' but the TypeScript program of ${context.filename} does not contain the traverse-guard API's types; add the package (or settings['${SETTINGS_KEY}'].modules) to the program.`
        : `traverse-guard: typeAware is 'required' but ${context.filename} was parsed without type information; configure parserOptions.projectService (or project).`,
    );
  }
  const resolve = (id: TSESTree.Identifier) => ASTUtils.findVariable(sourceCode.getScope(id), id);
  const crossFile: CrossFile | null =
    typeInfo && program ? createCrossFile(program, typeInfo, context.filename, settings, (node) => services?.esTreeNodeToTSNodeMap?.get(node)) : null;
  const resolver = new CallResolver({ sourceCode, resolve }, crossFile?.external ?? null);
  const walk: WalkContext = {
    sourceCode,
    settings,
    bindings,
    typeInfo,
    resolve,
    childKeys,
    resolver,
    synchronous: new SynchronousCalls(sourceCode, settings, resolver, resolve),
    stats,
    fileName: context.filename,
    ...(crossFile ? { foreign: crossFile.summary } : {}),
  };

  const traverses = discoverTraverses(sourceCode.ast, bindings, walk, functions);
  if (traverses.length === 0) return { traverses, findings: [], typed: typeInfo !== null, childKeys, stats, walk };

  // The call graph: every function reachable from a traverse body, each summarised once.
  const summaries = new Map<FunctionNode, FunctionEffects>();
  const traverseEffects = traverses.map((traverse) => collectEffects(walk, traverse.fn, traverse.role));
  const pending: HelperCall[] = traverseEffects.flatMap((effects) => effects.helperCalls);
  const callers = new Map<FunctionNode, Array<{ caller: FunctionNode; call: HelperCall }>>();
  while (pending.length > 0) {
    const call = pending.pop()!;
    if (summaries.has(call.target)) continue;
    const effects = summaryOf(walk, call);
    summaries.set(call.target, effects);
    for (const inner of effects.helperCalls) {
      let list = callers.get(inner.target);
      if (!list) callers.set(inner.target, (list = []));
      list.push({ caller: call.target, call: inner });
      if (!summaries.has(inner.target)) pending.push(inner);
    }
  }

  // Per category, a breadth-first search backwards from the functions that do it: each
  // function learns its shortest chain once, so the cost is linear in the graph.
  const steps = new Map<Category, Map<FunctionNode, Step>>();
  for (const category of CATEGORIES) {
    const best = new Map<FunctionNode, Step>();
    let frontier: FunctionNode[] = [];
    for (const [fn, effects] of summaries) {
      const operation = effects.operations.find((candidate) => candidate.kind.category === category);
      if (operation) {
        best.set(fn, { distance: 0, operation });
        frontier.push(fn);
      }
    }
    while (frontier.length > 0) {
      const next: FunctionNode[] = [];
      for (const fn of frontier) {
        const step = best.get(fn)!;
        for (const { caller, call } of callers.get(fn) ?? []) {
          if (best.has(caller)) continue;
          best.set(caller, { distance: step.distance + 1, operation: step.operation, via: call });
          next.push(caller);
        }
      }
      frontier = next;
    }
    steps.set(category, best);
  }

  const chainFrom = (fn: FunctionNode, best: Map<FunctionNode, Step>): string[] => {
    const names: string[] = [];
    for (let step = best.get(fn); step?.via; step = best.get(step.via.target)) names.push(chainName(step.via));
    return names;
  };

  const findings: Finding[] = [];
  traverses.forEach((traverse, index) => {
    const effects = traverseEffects[index]!;
    for (const operation of effects.operations) {
      findings.push({ traverse, operation, node: operation.node, chain: [] });
    }
    for (const category of CATEGORIES) {
      const best = steps.get(category)!;
      const reported = new Set<TSESTree.Node>();
      for (const call of effects.helperCalls) {
        const step = best.get(call.target);
        if (!step || reported.has(call.node)) continue;
        reported.add(call.node);
        findings.push({
          traverse,
          operation: step.operation,
          node: call.node,
          chain: [chainName(call), ...chainFrom(call.target, best)],
        });
      }
    }
  });
  return { traverses, findings, typed: typeInfo !== null, childKeys, stats, walk };
}

function chainName(call: HelperCall): string {
  return call.file ? `${call.name} (${path.basename(call.file)})` : call.name;
}
