// The per-file contract analysis the five contract rules share: for each traverse of the file
// (from the one shared FileAnalysis, with its resolver and bindings), its pyclass schema and
// the contract model of its body; for each pyclass spec, the model of its `clear`. Computed
// once per FileAnalysis (a WeakMap), whichever contract rule asks first.
import { AST_NODE_TYPES, type TSESLint, type TSESTree } from '@typescript-eslint/utils';

import { type FunctionNode, isFunctionNode, unwrap } from './ast.js';
import { type ContractFinding, type ContractFindingKind, runModel, type ModelResult } from './contract-model.js';
import { canFormCycle, REFERENCE_KINDS, type Schema, schemaOf } from './field-schema.js';
import { analysisListeners, type FileAnalysis } from './file-analysis.js';
import type { WalkContext } from './function-effects.js';
import { findSpecProperty, suppliedParams, type TraverseBody } from './traverse-discovery.js';

export interface ClearContract {
  readonly property: TSESTree.Property;
  readonly fn: FunctionNode | null;
  /** Null when the clear is not a function this file defines. */
  readonly result: ModelResult | null;
}

export interface TraverseContract {
  readonly traverse: TraverseBody;
  readonly schema: Schema | null;
  readonly result: ModelResult;
  /** Absent when the traverse is not a `pyclass` spec's. */
  readonly clear?: ClearContract | null;
  /** Whether an instance can sit in a reference cycle (an open or cyclic reference field). */
  readonly cyclic: boolean;
  /** The spec asks for a derived clear (`derive: true | 'clear'`, or a value not known here). */
  readonly derivesClear?: boolean;
}

export interface ContractAnalysis {
  readonly traverses: readonly TraverseContract[];
}

const memo = new WeakMap<FileAnalysis, ContractAnalysis>();

function functionOf(node: TSESTree.Node, walk: WalkContext): FunctionNode | null {
  const value = unwrap(node);
  if (isFunctionNode(value)) return value;
  return walk.resolver.callees(value)[0]?.fn ?? null;
}

function contractOf(traverse: TraverseBody, walk: WalkContext): TraverseContract {
  const schema = traverse.spec ? schemaOf(traverse.spec, walk) : null;
  const thisIsSelf = traverse.origin === 'method' && traverse.role.selfParameters.length === 0;
  const result = runModel(walk, {
    fn: traverse.fn,
    selfParam: traverse.role.selfParameters[0],
    visitParam: traverse.role.visitParameters[0],
    thisIsSelf,
    schema,
    mode: 'traverse',
  });
  if (!traverse.spec) return { traverse, schema, result, cyclic: false };
  const property = findSpecProperty(traverse.spec, 'clear');
  let clear: ClearContract | null = null;
  if (property) {
    const fn = functionOf(property.value, walk);
    const result = fn
      ? runModel(walk, { fn, selfParam: suppliedParams(fn)[0], visitParam: undefined, thisIsSelf: false, schema, mode: 'clear' })
      : null;
    clear = { property, fn, result };
  }
  return { traverse, schema, result, clear, cyclic: canFormCycle(traverse.spec, walk), derivesClear: derivesClear(traverse.spec) };
}

/** `derive: true` or `'clear'` makes the clear from the schema (src/api); `false`/`'traverse'` do not. */
function derivesClear(spec: TSESTree.ObjectExpression): boolean {
  const property = findSpecProperty(spec, 'derive');
  if (!property) return false;
  const value = unwrap(property.value);
  if (value.type !== AST_NODE_TYPES.Literal) return true;
  return value.value === true || value.value === 'clear';
}

export function getContractAnalysis(analysis: FileAnalysis): ContractAnalysis {
  let known = memo.get(analysis);
  if (known) return known;
  const walk = analysis.walk;
  known = { traverses: walk ? analysis.traverses.map((traverse) => contractOf(traverse, walk)) : [] };
  memo.set(analysis, known);
  return known;
}

type Context = Readonly<TSESLint.RuleContext<string, readonly unknown[]>>;

/** Rule listeners that hand over the contract analysis once the file is analysed. */
export function contractListeners(context: Context, onContract: (contract: ContractAnalysis, analysis: FileAnalysis) => void): TSESLint.RuleListener {
  return analysisListeners(context, (analysis) => onContract(getContractAnalysis(analysis), analysis));
}

/** Rule listeners that hand over each finding of these kinds, in every traverse of the file. */
export function contractFindingListeners(
  context: Context,
  kinds: readonly ContractFindingKind[],
  onFinding: (finding: ContractFinding) => void,
): TSESLint.RuleListener {
  return contractListeners(context, (contract) => {
    for (const { result } of contract.traverses) for (const finding of result.findings) if (kinds.includes(finding.kind)) onFinding(finding);
  });
}

/** The names of the fields a model saw an event on (a visit, or a release for clear). */
export function fieldsWithEvents(result: ModelResult | null): Map<string, number> {
  const out = new Map<string, number>();
  for (const [key, event] of result?.final?.may ?? []) {
    const name = key.split(':')[1];
    if (name && !out.has(name)) out.set(name, event.line);
  }
  return out;
}

/** Reference fields of a schema (declared order). */
export function referenceFieldNames(schema: Schema): string[] {
  return [...schema.fields.values()].filter((decl) => REFERENCE_KINDS.has(decl.kind)).map((decl) => decl.name);
}

/** Where a traverse-level report goes: the spec's `traverse` key, or the function. */
export function traverseReportNode(traverse: TraverseBody): TSESTree.Node {
  const property = traverse.property;
  return property ? property.key : traverse.fn;
}
