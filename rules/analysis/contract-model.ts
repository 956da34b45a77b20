// The contract analysis of one traverse (or clear) body: a small abstract interpreter over its
// statements and the helpers it calls (inlined through the call graph's resolver, typed
// cross-file helpers included), that follows what each expression denotes (the instance, a
// field, a cell's value, a list walk's item, `visit`, something foreign) and records, per
// path, which references were visited (traverse) or released (clear). Emptiness guards on a
// field count as done for that field; loops are run twice to see a second iteration.
import { AST_NODE_TYPES, type TSESLint, type TSESTree } from '@typescript-eslint/utils';

import { apiPathOf } from './api-bindings.js';
import { dottedName, type FunctionNode, isFunctionNode, memberName, shortText, staticKey, unwrap } from './ast.js';
import { unwrapCallee } from './call-graph.js';
import { mutationsOf, NONDETERMINISTIC_CALLS } from './contract-sources.js';
import { carries, emptinessGuard, isUnitStep, numberLiteral, reflectiveReleases, refills, releases } from './contract-syntax.js';
import {
  ANY,
  completion,
  CONST,
  type Completion,
  type Decision,
  type Evaluated,
  type Event,
  type ForeignReason,
  join,
  mergeValues,
  State,
  type Taint,
  UNKNOWN,
  type Value,
} from './contract-values.js';
import { REFERENCE_KINDS, type Schema } from './field-schema.js';
import type { WalkContext } from './function-effects.js';

type Variable = TSESLint.Scope.Variable;

/** `unknownVisitor`: `visit` handed to a call nothing resolves (what it visits is unknown). */
export type ContractFindingKind = 'double' | 'loopDouble' | 'foreign' | 'nondeterministic' | 'unknownVisitor';

export interface ContractFinding {
  readonly kind: ContractFindingKind;
  /** The node in the linted file the report goes to. */
  readonly site: TSESTree.Node;
  readonly chain: readonly string[];
  readonly data: Readonly<Record<string, string | number>>;
}

export type Mode = 'traverse' | 'clear';

interface Frame {
  readonly fn: FunctionNode;
  readonly site: TSESTree.Node | null;
  readonly chain: readonly string[];
  readonly thisValue: Evaluated;
}

interface Cur {
  s: State | null;
}

const WALKERS = new Set(['forEach', 'map', 'flatMap', 'some', 'every', 'filter', 'find', 'findIndex', 'findLast', 'findLastIndex']);
const MAX_DEPTH = 12;
const MAX_INLINED_CALLS = 2_000;
/** Callees that run their callback once per element (others, like `withGil`, run it once). */
const REPEATING = new Set([...WALKERS, 'reduce', 'reduceRight', 'sort', 'toSorted', 'replace', 'replaceAll', 'from', 'parse', 'stringify']);

const none: readonly Taint[] = [];
const plain = (value: Value, taint: readonly Taint[] = none): Evaluated => ({ value, taint });
const union = (...lists: (readonly Taint[])[]): readonly Taint[] => {
  const out: Taint[] = [];
  for (const list of lists) for (const taint of list) if (!out.some((t) => t.text === taint.text)) out.push(taint);
  return out;
};



export interface ModelResult {
  /** The join of every path that returns normally (null: none does). */
  readonly final: State | null;
  readonly findings: readonly ContractFinding[];
  /** Fields written through `self` (a cast) inside the body or its helpers. */
  readonly selfWrites: ReadonlyMap<string, TSESTree.Node>;
}

export interface ModelInput {
  readonly fn: FunctionNode;
  readonly selfParam: TSESTree.Parameter | undefined;
  readonly visitParam: TSESTree.Parameter | undefined;
  /** `__traverse__(visit)`: `this` is the instance. */
  readonly thisIsSelf: boolean;
  readonly schema: Schema | null;
  readonly mode: Mode;
}

class Model {
  private readonly env = new Map<Variable, Evaluated>();
  private readonly stack: Frame[] = [];
  private readonly findings = new Map<string, ContractFinding>();
  readonly selfWrites = new Map<string, TSESTree.Node>();
  private walks = 0;
  /** Inlined calls left before the rest count as unknown (a ring of helpers stays linear). */
  private budget = MAX_INLINED_CALLS;
  private readonly inertResults = new Map<FunctionNode, Evaluated>();
  constructor(
    private readonly context: WalkContext,
    private readonly input: ModelInput,
    private readonly priorSelfWrites: ReadonlyMap<string, TSESTree.Node>,
  ) {}

  run(): ModelResult {
    const { fn, selfParam, visitParam, thisIsSelf } = this.input;
    const self = plain({ k: 'self' });
    const frame: Frame = { fn, site: null, chain: [], thisValue: thisIsSelf ? self : plain(UNKNOWN) };
    this.stack.push(frame);
    if (selfParam) this.bindPattern(selfParam, self);
    if (visitParam) this.bindPattern(visitParam, plain({ k: 'visit' }));
    const cur: Cur = { s: State.initial() };
    const done = this.body(fn, cur);
    this.stack.pop();
    return { final: join([done.normal, ...done.returns]), findings: [...this.findings.values()], selfWrites: this.selfWrites };
  }

  // ---- reporting ------------------------------------------------------------------------------

  private get frame(): Frame {
    return this.stack.at(-1)!;
  }

  private event(node: TSESTree.Node): Event {
    return { node, site: this.frame.site ?? node, chain: this.frame.chain, line: node.loc.start.line };
  }

  private report(kind: ContractFindingKind, node: TSESTree.Node, data: Record<string, string | number>, where?: { site: TSESTree.Node; chain: readonly string[] }): void {
    const site = where?.site ?? this.frame.site ?? node;
    const chain = where?.chain ?? this.frame.chain;
    const key = `${kind}:${site.range[0]}:${site.range[1]}:${JSON.stringify(data)}`;
    if (!this.findings.has(key)) this.findings.set(key, { kind, site, chain, data });
  }

  private text(node: TSESTree.Node): string {
    return shortText(this.context.resolver.fileOf(node).sourceCode.getText(node), 40);
  }

  // ---- functions ------------------------------------------------------------------------------

  /** Runs a function's body on `cur`; returns its completion (returns carry values). */
  private body(fn: FunctionNode, cur: Cur): Completion {
    for (const param of fn.params) {
      if (param.type === AST_NODE_TYPES.AssignmentPattern && !this.envHasPattern(param.left)) this.bindPattern(param.left, this.ev(param.right, cur));
    }
    if (fn.body.type !== AST_NODE_TYPES.BlockStatement) {
      const value = this.ev(fn.body, cur);
      const done = completion(null);
      if (cur.s) done.returns.push(cur.s);
      done.values.push(value);
      return done;
    }
    return this.exec(fn.body, cur.s);
  }

  private envHasPattern(pattern: TSESTree.Node): boolean {
    return pattern.type === AST_NODE_TYPES.Identifier && [...this.variablesOf(pattern)].some((v) => this.env.has(v));
  }

  private *variablesOf(pattern: TSESTree.Node): Iterable<Variable> {
    if (pattern.type === AST_NODE_TYPES.Identifier) {
      const variable = this.resolve(pattern);
      if (variable) yield variable;
    }
  }

  private resolve(id: TSESTree.Identifier): Variable | null {
    try {
      return this.context.resolver.fileOf(id).resolve(id);
    } catch {
      return null;
    }
  }

  /** Binds a parameter or declarator pattern to a value (`{ a, b }` of the instance: its fields). */
  private bindPattern(pattern: TSESTree.Node, value: Evaluated): void {
    switch (pattern.type) {
      case AST_NODE_TYPES.Identifier: {
        const variable = this.resolve(pattern);
        if (variable) this.env.set(variable, value);
        return;
      }
      case AST_NODE_TYPES.AssignmentPattern:
        this.bindPattern(pattern.left, value.value.k === 'null' ? plain(UNKNOWN) : value);
        return;
      case AST_NODE_TYPES.ObjectPattern:
        for (const property of pattern.properties) {
          if (property.type === AST_NODE_TYPES.RestElement) {
            this.bindPattern(property.argument, plain(UNKNOWN));
            continue;
          }
          const key = property.computed ? staticKey(property.key) : property.key.type === AST_NODE_TYPES.Identifier ? property.key.name : null;
          this.bindPattern(property.value, key === null ? plain(UNKNOWN) : this.memberOf(value, key, property));
        }
        return;
      case AST_NODE_TYPES.ArrayPattern:
        pattern.elements.forEach((element, index) => {
          if (!element) return;
          const item = value.value.k === 'array' ? value.value.elements[index] : undefined;
          this.bindPattern(element.type === AST_NODE_TYPES.RestElement ? element.argument : element, plain(item ?? UNKNOWN, value.taint));
        });
        return;
      case AST_NODE_TYPES.RestElement:
        this.bindPattern(pattern.argument, plain(UNKNOWN));
        return;
      case AST_NODE_TYPES.TSParameterProperty:
        this.bindPattern(pattern.parameter, value);
        return;
      default:
        return;
    }
  }

  /** Calls a function of the graph with `args`; its returns become the result. */
  private inline(fn: FunctionNode, args: readonly Evaluated[], thisValue: Evaluated, call: TSESTree.Node, name: string, cur: Cur): Evaluated {
    if (!cur.s) return plain(UNKNOWN);
    if (this.stack.some((frame) => frame.fn === fn) || this.stack.length > MAX_DEPTH || this.budget <= 0) {
      this.opaque(args, cur);
      return plain(UNKNOWN);
    }
    this.budget -= 1;
    // A call that hands over nothing of the instance and no `visit` (and is no closure over
    // them) can neither visit nor release: its result is computed once and reused.
    if (!args.some((arg) => carries(arg.value)) && !carries(thisValue.value) && !this.enclosed(fn)) {
      const known = this.inertResults.get(fn);
      if (known) return known;
      const result = this.runFunction(fn, args, thisValue, call, name, { s: State.initial() });
      this.inertResults.set(fn, result);
      return result;
    }
    return this.runFunction(fn, args, thisValue, call, name, cur);
  }

  /** Whether `fn` is written inside a function being analysed (a closure over its locals). */
  private enclosed(fn: FunctionNode): boolean {
    return this.stack.some((frame) => frame.fn !== fn && frame.fn.range[0] <= fn.range[0] && fn.range[1] <= frame.fn.range[1] && this.sameFile(frame.fn, fn));
  }

  private runFunction(fn: FunctionNode, args: readonly Evaluated[], thisValue: Evaluated, call: TSESTree.Node, name: string, cur: Cur): Evaluated {
    const outer = this.frame;
    const site = outer.site ?? call;
    const chain = fn === call ? outer.chain : [...outer.chain, name];
    this.stack.push({ fn, site, chain, thisValue });
    try {
      fn.params.forEach((param, index) => {
        const arg = args[index];
        if (param.type === AST_NODE_TYPES.RestElement) this.bindPattern(param.argument, plain(UNKNOWN));
        else if (param.type === AST_NODE_TYPES.AssignmentPattern && (!arg || arg.value.k === 'null')) {
          const holder: Cur = { s: cur.s };
          this.bindPattern(param.left, this.ev(param.right, holder));
          cur.s = holder.s;
        } else this.bindPattern(param, arg ?? plain({ k: 'null' }));
      });
      const done = this.body(fn, { s: cur.s });
      cur.s = join([done.normal, ...done.returns]);
      const values = done.values;
      if (values.length === 0) return plain({ k: 'null' });
      const first = values[0]!;
      let merged: Value | null = first.value;
      for (const v of values) merged = merged && mergeValues(merged, v.value);
      return plain(merged ?? UNKNOWN, union(...values.map((v) => v.taint)));
    } finally {
      this.stack.pop();
    }
  }

  /** A call nothing resolves that receives `visit`: it may visit anything (completeness gives way). */
  private opaque(args: readonly Evaluated[], cur: Cur): void {
    const reaches = (value: Value): boolean =>
      value.k === 'visit' ||
      value.k === 'function' ||
      (value.k === 'array' && value.elements.some(reaches)) ||
      (this.input.mode === 'clear' && (value.k === 'self' || value.k === 'field'));
    if (cur.s && args.some((arg) => reaches(arg.value))) cur.s.must.add(ANY);
  }

  // ---- statements -----------------------------------------------------------------------------

  private exec(node: TSESTree.Node, state: State | null): Completion {
    if (!state) return completion(null);
    const cur: Cur = { s: state };
    switch (node.type) {
      case AST_NODE_TYPES.BlockStatement:
      case AST_NODE_TYPES.StaticBlock:
        return this.sequence(node.body, state);
      case AST_NODE_TYPES.ExpressionStatement:
        this.ev(node.expression, cur);
        return completion(cur.s);
      case AST_NODE_TYPES.VariableDeclaration:
        for (const declarator of node.declarations) {
          if (declarator.init) this.bindPattern(declarator.id, this.ev(declarator.init, cur));
          else this.bindPattern(declarator.id, plain({ k: 'null' }));
        }
        return completion(cur.s);
      case AST_NODE_TYPES.IfStatement:
        return this.ifStatement(node, state);
      case AST_NODE_TYPES.ReturnStatement: {
        const value = node.argument ? this.ev(node.argument, cur) : plain({ k: 'null' });
        const done = completion(null);
        if (cur.s) done.returns.push(cur.s);
        done.values.push(value);
        return done;
      }
      case AST_NODE_TYPES.ThrowStatement:
        if (node.argument) this.ev(node.argument, cur);
        return completion(null);
      case AST_NODE_TYPES.BreakStatement: {
        const done = completion(null);
        done.breaks.push(state);
        return done;
      }
      case AST_NODE_TYPES.ContinueStatement: {
        const done = completion(null);
        done.continues.push(state);
        return done;
      }
      case AST_NODE_TYPES.ForOfStatement:
        return this.forOf(node, state);
      case AST_NODE_TYPES.ForStatement:
        return this.forStatement(node, state);
      case AST_NODE_TYPES.ForInStatement:
        this.ev(node.right, cur);
        return this.loop(cur.s, (s) => this.exec(node.body, s), null);
      case AST_NODE_TYPES.WhileStatement:
      case AST_NODE_TYPES.DoWhileStatement:
        return this.whileLoop(node, state);
      case AST_NODE_TYPES.SwitchStatement:
        return this.switchStatement(node, state);
      case AST_NODE_TYPES.TryStatement: {
        const block = this.exec(node.block, state);
        const handler = node.handler ? this.exec(node.handler.body, join([state, block.normal])) : null;
        const merged = merge(block, handler, join([block.normal, handler?.normal]));
        if (!node.finalizer) return merged;
        const fin = this.exec(node.finalizer, merged.normal);
        return { ...merged, normal: fin.normal, returns: [...merged.returns, ...fin.returns], values: [...merged.values, ...fin.values] };
      }
      case AST_NODE_TYPES.LabeledStatement:
        return this.exec(node.body, state);
      default:
        return completion(state);
    }
  }

  private sequence(statements: readonly TSESTree.Node[], state: State | null): Completion {
    const out = completion(state);
    for (const statement of statements) {
      if (!out.normal) break;
      const done = this.exec(statement, out.normal);
      out.normal = done.normal;
      out.breaks.push(...done.breaks);
      out.continues.push(...done.continues);
      out.returns.push(...done.returns);
      out.values.push(...done.values);
    }
    return out;
  }

  private decision(node: TSESTree.Node, taint: readonly Taint[]): Decision | null {
    if (taint.length === 0 || this.input.mode !== 'traverse') return null;
    return { node, taint, site: this.frame.site ?? node, chain: this.frame.chain };
  }

  private ifStatement(node: TSESTree.IfStatement, state: State): Completion {
    const split = this.cond(node.test, state);
    const decision = this.decision(node.test, split.taint);
    if (decision) for (const s of [split.t, split.f]) s?.deps.add(decision);
    const then = this.exec(node.consequent, split.t);
    const other = node.alternate ? this.exec(node.alternate, split.f) : completion(split.f);
    const normal = join([then.normal, other.normal]);
    if (decision && normal && then.normal && other.normal) normal.deps.delete(decision);
    return merge(then, other, normal);
  }

  private switchStatement(node: TSESTree.SwitchStatement, state: State): Completion {
    const cur: Cur = { s: state };
    const discriminant = this.ev(node.discriminant, cur);
    let taint = discriminant.taint;
    for (const branch of node.cases) if (branch.test) taint = union(taint, this.ev(branch.test, { s: cur.s?.clone() ?? null }).taint);
    const decision = this.decision(node.discriminant, taint);
    const start = cur.s;
    if (decision) start?.deps.add(decision);
    const out = completion(null);
    let fallthrough: State | null = null;
    for (const branch of node.cases) {
      const done = this.sequence(branch.consequent, join([start?.clone(), fallthrough]));
      fallthrough = done.normal;
      out.breaks.push(...done.breaks);
      out.continues.push(...done.continues);
      out.returns.push(...done.returns);
      out.values.push(...done.values);
    }
    const hasDefault = node.cases.some((branch) => branch.test === null);
    out.normal = join([fallthrough, ...out.breaks, hasDefault ? null : start]);
    out.breaks = [];
    return out;
  }

  // ---- loops ----------------------------------------------------------------------------------

  /**
   * A loop whose body may run zero, one or more times: the body runs twice (the second time
   * from the join of the entry and the first iteration's end), so a visit that repeats on a
   * second iteration is seen. `walk` is the list walk the body's items belong to.
   */
  private loop(before: State | null, runBody: (s: State) => Completion, walk: { name: string; walk: number } | null): Completion {
    if (!before) return completion(null);
    const itemKey = walk ? `it:${walk.name}:${walk.walk}` : null;
    const fresh = (s: State | null): State | null => {
      if (!s || !itemKey) return s;
      const out = s.clone();
      out.must.delete(itemKey);
      out.may.delete(itemKey);
      return out;
    };
    const first = runBody(before.clone());
    const secondStart = fresh(join([before, first.normal, ...first.continues]));
    const second = secondStart ? runBody(secondStart) : completion(null);
    const ends = [second.normal, ...second.continues, first.normal, ...first.continues].filter((s): s is State => !!s);
    const parts: State[] = [];
    const entry = before.clone();
    if (walk) entry.must.add(walk.name); // zero iterations: the list is empty
    parts.push(entry);
    const complete = !!walk && ends.length > 0 && ends.every((s) => s.must.has(itemKey!) || s.must.has(ANY));
    for (const end of ends) {
      const copy = end.clone();
      if (complete) copy.must.add(walk!.name);
      parts.push(copy);
    }
    parts.push(...first.breaks, ...second.breaks);
    let exit = join(parts);
    if (exit && walk) {
      const itemEvent = [...ends, ...first.breaks, ...second.breaks].map((s) => s.may.get(itemKey!)).find(Boolean);
      exit = fresh(exit)!;
      if (itemEvent && !exit.may.has(`w:${walk.name}`)) exit.may.set(`w:${walk.name}`, itemEvent);
    }
    const out = completion(exit);
    out.returns.push(...first.returns, ...second.returns);
    out.values.push(...first.values, ...second.values);
    return out;
  }

  private newWalk(name: string): { name: string; walk: number } {
    this.walks += 1;
    return { name, walk: this.walks };
  }

  private forOf(node: TSESTree.ForOfStatement, state: State): Completion {
    const cur: Cur = { s: state };
    const right = this.ev(node.right, cur);
    const target = node.left.type === AST_NODE_TYPES.VariableDeclaration ? node.left.declarations[0]?.id : node.left;
    const bind = (value: Evaluated) => {
      if (target) this.bindPattern(target, value);
    };
    const value = right.value;
    if (value.k === 'array') return this.unrolled(value.elements.map((element) => plain(element, right.taint)), cur.s, (s) => this.exec(node.body, s), bind);
    if (value.k === 'field' && (value.kind === 'list' || value.kind === 'unknown')) {
      const walk = this.newWalk(value.name);
      bind(plain({ k: 'item', name: value.name, walk: walk.walk }, right.taint));
      return this.loop(cur.s, (s) => this.exec(node.body, s), walk);
    }
    bind(plain(value.k === 'foreign' ? value : UNKNOWN, right.taint));
    return this.withDecision(node.right, right.taint, cur.s, (s) => this.loop(s, (b) => this.exec(node.body, b), null));
  }

  /** Runs a body once per element (an array literal of fields): no iteration repeats another. */
  private unrolled(elements: readonly Evaluated[], state: State | null, runBody: (s: State) => Completion, bind: (value: Evaluated) => void): Completion {
    const out = completion(state);
    const breaks: State[] = [];
    for (const element of elements) {
      if (!out.normal) break;
      bind(element);
      const done = runBody(out.normal);
      out.normal = join([done.normal, ...done.continues]);
      breaks.push(...done.breaks);
      out.returns.push(...done.returns);
      out.values.push(...done.values);
    }
    out.normal = join([out.normal, ...breaks]);
    return out;
  }

  private withDecision(node: TSESTree.Node, taint: readonly Taint[], state: State | null, run: (s: State | null) => Completion): Completion {
    const decision = this.decision(node, taint);
    if (decision) state?.deps.add(decision);
    const done = run(state);
    if (decision) done.normal?.deps.delete(decision);
    return done;
  }

  /** `for (let i = 0; i < self.items.length; i++)`: a walk with `self.items.at(i)` as its item. */
  private forStatement(node: TSESTree.ForStatement, state: State): Completion {
    const cur: Cur = { s: state };
    let indexOf: { variable: Variable; walk: { name: string; walk: number } } | null = null;
    if (node.init?.type === AST_NODE_TYPES.VariableDeclaration && node.init.declarations.length === 1) {
      const declarator = node.init.declarations[0]!;
      const test = node.test && unwrap(node.test);
      if (
        declarator.id.type === AST_NODE_TYPES.Identifier &&
        numberLiteral(declarator.init ?? undefined) === 0 &&
        test?.type === AST_NODE_TYPES.BinaryExpression &&
        test.operator === '<' &&
        unwrap(test.left).type === AST_NODE_TYPES.Identifier &&
        (unwrap(test.left) as TSESTree.Identifier).name === declarator.id.name &&
        isUnitStep(node.update, declarator.id.name)
      ) {
        const bound = this.ev(test.right, { s: state.clone() }).value;
        const variable = this.resolve(declarator.id);
        if (bound.k === 'length' && variable) indexOf = { variable, walk: this.newWalk(bound.name) };
      }
    }
    if (indexOf) {
      this.env.set(indexOf.variable, plain({ k: 'index', name: indexOf.walk.name, walk: indexOf.walk.walk }));
      return this.loop(cur.s, (s) => this.exec(node.body, s), indexOf.walk);
    }
    if (node.init) {
      if (node.init.type === AST_NODE_TYPES.VariableDeclaration) {
        const done = this.exec(node.init, cur.s);
        cur.s = done.normal;
      } else this.ev(node.init, cur);
    }
    const taint = node.test ? this.ev(node.test, { s: cur.s?.clone() ?? null }).taint : none;
    return this.withDecision(node.test ?? node, taint, cur.s, (s) =>
      this.loop(s, (b) => {
        const done = this.exec(node.body, b);
        if (node.update) {
          const after: Cur = { s: join([done.normal, ...done.continues]) };
          this.ev(node.update, after);
        }
        return done;
      }, null),
    );
  }

  private whileLoop(node: TSESTree.WhileStatement | TSESTree.DoWhileStatement, state: State): Completion {
    const taint = this.ev(node.test, { s: state.clone() }).taint;
    return this.withDecision(node.test, taint, state, (s) => this.loop(s, (b) => this.exec(node.body, b), null));
  }

  // ---- conditions -----------------------------------------------------------------------------

  /** Splits a path on a condition; an emptiness test of a field marks it done where it is empty. */
  private cond(node: TSESTree.Node, state: State | null): { t: State | null; f: State | null; taint: readonly Taint[] } {
    if (!state) return { t: null, f: null, taint: none };
    const test = unwrap(node);
    if (test.type === AST_NODE_TYPES.UnaryExpression && test.operator === '!') {
      const inner = this.cond(test.argument, state);
      return { t: inner.f, f: inner.t, taint: inner.taint };
    }
    if (test.type === AST_NODE_TYPES.LogicalExpression && test.operator !== '??') {
      const left = this.cond(test.left, state);
      if (test.operator === '&&') {
        const right = this.cond(test.right, left.t);
        return { t: right.t, f: join([left.f, right.f]), taint: union(left.taint, right.taint) };
      }
      const right = this.cond(test.right, left.f);
      return { t: join([left.t, right.t]), f: right.f, taint: union(left.taint, right.taint) };
    }
    const guard = emptinessGuard(test, (node) => this.ev(node, { s: state.clone() }).value);
    const cur: Cur = { s: state };
    const evaluated = this.ev(test, cur);
    let t = cur.s;
    let f = cur.s?.clone() ?? null;
    if (guard) (guard.emptyWhen ? t : f)?.must.add(guard.field);
    // A condition on known constants (a parameter the runtime never passes, left at its
    // default) takes one branch only.
    const value = evaluated.value;
    if (value.k === 'const' && value.lit !== undefined) {
      if (value.lit) f = null;
      else t = null;
    }
    return { t, f, taint: evaluated.taint };
  }

  // ---- expressions ----------------------------------------------------------------------------

  private ev(input: TSESTree.Node, cur: Cur): Evaluated {
    const node = unwrap(input);
    switch (node.type) {
      case AST_NODE_TYPES.Literal:
        if (node.value === null) return plain({ k: 'null' });
        return plain(typeof node.value === 'string' || typeof node.value === 'number' || typeof node.value === 'boolean' ? { k: 'const', lit: node.value } : CONST);
      case AST_NODE_TYPES.TemplateLiteral: {
        const taints = node.expressions.map((expression) => this.ev(expression, cur).taint);
        return plain(CONST, union(...taints));
      }
      case AST_NODE_TYPES.Identifier:
        return this.identifier(node);
      case AST_NODE_TYPES.ThisExpression:
        return this.frame.thisValue;
      case AST_NODE_TYPES.MemberExpression: {
        const object = this.ev(node.object, cur);
        if (node.computed) {
          const key = staticKey(node.property);
          const index = this.ev(node.property, cur);
          if (key === null) {
            const element = object.value.k === 'array' ? this.element(object.value, index.value) : object.value.k === 'foreign' ? object.value : UNKNOWN;
            return plain(element, union(object.taint, index.taint));
          }
          return this.memberOf(object, key, node);
        }
        const name = node.property.type === AST_NODE_TYPES.PrivateIdentifier ? `#${node.property.name}` : memberName(node);
        return name === null ? plain(UNKNOWN, object.taint) : this.memberOf(object, name, node);
      }
      case AST_NODE_TYPES.CallExpression:
        return this.call(node, cur);
      case AST_NODE_TYPES.NewExpression: {
        const args = node.arguments.map((argument) => this.ev(argument, cur));
        const callee = unwrapCallee(node.callee);
        if (callee.type === AST_NODE_TYPES.Identifier && callee.name === 'Date' && !this.resolve(callee)?.defs.length) {
          return plain({ k: 'foreign', reason: 'fresh', text: this.text(node) }, [{ text: this.text(node), why: 'the clock' }]);
        }
        for (const callback of node.arguments) {
          const value = unwrap(callback);
          if (isFunctionNode(value) && this.context.synchronous.isSynchronouslyInvoked(value)) this.inline(value, [], plain(UNKNOWN), value, 'callback', cur);
        }
        return plain({ k: 'foreign', reason: 'fresh', text: this.text(node) }, union(...args.map((a) => a.taint)));
      }
      case AST_NODE_TYPES.ArrayExpression: {
        const elements: Value[] = [];
        let taint = none;
        for (const element of node.elements) {
          if (!element) continue;
          if (element.type === AST_NODE_TYPES.SpreadElement) {
            taint = union(taint, this.ev(element.argument, cur).taint);
            elements.push(UNKNOWN);
            continue;
          }
          const value = this.ev(element, cur);
          taint = union(taint, value.taint);
          elements.push(value.value);
        }
        return plain({ k: 'array', elements }, taint);
      }
      case AST_NODE_TYPES.ObjectExpression: {
        let taint = none;
        for (const property of node.properties) {
          if (property.type === AST_NODE_TYPES.Property && !isFunctionNode(property.value)) taint = union(taint, this.ev(property.value, cur).taint);
        }
        return plain({ k: 'foreign', reason: 'fresh', text: this.text(node) }, taint);
      }
      case AST_NODE_TYPES.ArrowFunctionExpression:
      case AST_NODE_TYPES.FunctionExpression:
        return plain({ k: 'function', fn: node });
      case AST_NODE_TYPES.AssignmentExpression:
        return this.assignment(node, cur);
      case AST_NODE_TYPES.UpdateExpression:
        return this.update(node.argument, node, cur);
      case AST_NODE_TYPES.UnaryExpression: {
        if (node.operator === 'delete') {
          this.write(node.argument, plain({ k: 'null' }), node, cur);
          return plain(CONST);
        }
        const argument = this.ev(node.argument, cur);
        if (node.operator === 'void') return plain({ k: 'null' }, argument.taint);
        const known = node.operator === '!' && argument.value.k === 'const' && argument.value.lit !== undefined;
        return plain(known ? { k: 'const', lit: !(argument.value as { lit: unknown }).lit } : CONST, argument.taint);
      }
      case AST_NODE_TYPES.BinaryExpression: {
        const left = node.left.type === AST_NODE_TYPES.PrivateIdentifier ? plain(CONST) : this.ev(node.left, cur);
        const right = this.ev(node.right, cur);
        return plain(foldComparison(node.operator, left.value, right.value), union(left.taint, right.taint));
      }
      case AST_NODE_TYPES.LogicalExpression: {
        if (node.operator === '??') {
          const left = this.ev(node.left, cur);
          const before = cur.s?.clone() ?? null;
          const right = this.ev(node.right, cur);
          cur.s = join([before, cur.s]);
          return plain(left.value.k === 'null' ? right.value : left.value.k === 'field' || left.value.k === 'cellValue' ? left.value : UNKNOWN, union(left.taint, right.taint));
        }
        const split = this.cond(node.left, cur.s);
        const decision = this.decision(node.left, split.taint);
        const goOn = node.operator === '&&' ? split.t : split.f;
        const stop = node.operator === '&&' ? split.f : split.t;
        if (decision) goOn?.deps.add(decision);
        const inner: Cur = { s: goOn };
        const right = this.ev(node.right, inner);
        cur.s = join([stop, inner.s]);
        if (decision && stop && inner.s) cur.s?.deps.delete(decision);
        return plain(right.value, union(split.taint, right.taint));
      }
      case AST_NODE_TYPES.ConditionalExpression: {
        const split = this.cond(node.test, cur.s);
        const decision = this.decision(node.test, split.taint);
        if (decision) for (const s of [split.t, split.f]) s?.deps.add(decision);
        const yes: Cur = { s: split.t };
        const no: Cur = { s: split.f };
        const a = this.ev(node.consequent, yes);
        const b = this.ev(node.alternate, no);
        cur.s = join([yes.s, no.s]);
        if (decision && yes.s && no.s) cur.s?.deps.delete(decision);
        return plain(mergeValues(a.value, b.value) ?? (b.value.k === 'null' ? a.value : a.value.k === 'null' ? b.value : UNKNOWN), union(split.taint, a.taint, b.taint));
      }
      case AST_NODE_TYPES.SequenceExpression: {
        let last: Evaluated = plain(UNKNOWN);
        for (const expression of node.expressions) last = this.ev(expression, cur);
        return last;
      }
      case AST_NODE_TYPES.SpreadElement:
        return this.ev(node.argument, cur);
      case AST_NODE_TYPES.AwaitExpression:
      case AST_NODE_TYPES.YieldExpression:
        if (node.argument) this.ev(node.argument, cur);
        return plain(UNKNOWN);
      case AST_NODE_TYPES.TaggedTemplateExpression:
        for (const expression of node.quasi.expressions) this.ev(expression, cur);
        return plain(UNKNOWN);
      default:
        return plain(UNKNOWN);
    }
  }

  private element(array: { elements: readonly Value[] }, index: Value): Value {
    if (array.elements.length === 0) return { k: 'null' };
    const first = array.elements[0]!;
    if (array.elements.every((element) => element.k === 'foreign')) return first;
    void index;
    return UNKNOWN;
  }

  /** Whether a variable is declared inside a function being analysed (a local of the traverse or a helper). */
  private isLocal(variable: Variable): boolean {
    const def = variable.defs[0];
    if (!def) return false;
    return this.stack.some((frame) => frame.fn.range[0] <= def.name.range[0] && def.name.range[1] <= frame.fn.range[1] && this.sameFile(frame.fn, def.name));
  }

  private sameFile(a: TSESTree.Node, b: TSESTree.Node): boolean {
    return this.context.resolver.fileOf(a) === this.context.resolver.fileOf(b);
  }

  private identifier(id: TSESTree.Identifier): Evaluated {
    if (id.name === 'undefined') return plain({ k: 'null' });
    const variable = this.resolve(id);
    if (!variable || variable.defs.length === 0) return plain(UNKNOWN);
    const bound = this.env.get(variable);
    if (bound) return bound;
    const def = variable.defs[0]!;
    if (def.type === 'FunctionName' && isFunctionNode(def.node)) return plain({ k: 'function', fn: def.node });
    if (def.type === 'ClassName' || def.type === 'Type' || def.type === 'TSEnumName') return plain(CONST);
    if (this.isLocal(variable)) return plain(UNKNOWN);
    const moduleLevel = variable.scope.type === 'module' || variable.scope.type === 'global';
    const mutations = mutationsOf(variable);
    const taint: Taint[] = [];
    if (mutations.length > 0) {
      const inside = mutations.find((m) => this.stack.some((frame) => this.sameFile(frame.fn, m.node) && frame.fn.range[0] <= m.node.range[0] && m.node.range[1] <= frame.fn.range[1]));
      const where = inside ?? mutations[0]!;
      const scope = moduleLevel ? 'module state' : 'captured state';
      taint.push({ text: id.name, why: inside ? `${scope} the traverse itself changes (line ${where.line})` : `${scope} changed at line ${where.line}` });
    }
    if (def.type === 'ImportBinding') return plain({ k: 'foreign', reason: 'module', text: id.name });
    if (def.type === 'Variable' && def.node.init && mutations.length === 0) {
      const init = unwrap(def.node.init);
      if (isFunctionNode(init)) return plain({ k: 'function', fn: init });
      if (init.type === AST_NODE_TYPES.Literal || init.type === AST_NODE_TYPES.TemplateLiteral) return plain(init.type === AST_NODE_TYPES.Literal && init.value === null ? { k: 'null' } : CONST);
    }
    return plain({ k: 'foreign', reason: moduleLevel ? 'module' : 'captured', text: id.name }, taint);
  }

  /** `object.name`: a field of the instance, a list's length, a member of something foreign. */
  private memberOf(object: Evaluated, name: string, node: TSESTree.Node): Evaluated {
    const value = object.value;
    if (value.k === 'self') {
      const decl = this.input.schema?.fields.get(name);
      const written = this.priorSelfWrites.get(name);
      const taint = written ? [{ text: `self.${name}`, why: `a field the traverse itself writes through a cast (line ${written.loc.start.line})` }] : none;
      if (!decl && this.input.schema?.complete) return plain({ k: 'foreign', reason: 'notAField', text: this.text(node) }, taint);
      return plain({ k: 'field', name, kind: decl?.kind ?? 'unknown' }, union(object.taint, taint));
    }
    if (value.k === 'field' && name === 'length' && (value.kind === 'list' || value.kind === 'unknown')) return plain({ k: 'length', name: value.name }, object.taint);
    if (value.k === 'foreign') return plain(value, object.taint);
    if (value.k === 'visit' && name === 'call') return plain({ k: 'visit' });
    return plain(UNKNOWN, object.taint);
  }

  private assignment(node: TSESTree.AssignmentExpression, cur: Cur): Evaluated {
    const right = this.ev(node.right, cur);
    if (node.operator !== '=') {
      const left = this.ev(node.left, cur);
      const value = plain(CONST, union(left.taint, right.taint));
      this.write(node.left, value, node, cur);
      return value;
    }
    this.write(node.left, right, node, cur);
    return right;
  }

  private update(argument: TSESTree.Node, node: TSESTree.Node, cur: Cur): Evaluated {
    const old = this.ev(argument, cur);
    const value = plain(CONST, old.taint);
    this.write(argument, value, node, cur);
    return value;
  }

  /** An assignment target: a local takes the value; a field of the instance is written (clear: released). */
  private write(target: TSESTree.Node, value: Evaluated, node: TSESTree.Node, cur: Cur): void {
    const left = unwrap(target);
    if (left.type === AST_NODE_TYPES.Identifier) {
      const variable = this.resolve(left);
      if (variable && this.isLocal(variable)) this.env.set(variable, value);
      return;
    }
    if (left.type === AST_NODE_TYPES.ObjectPattern || left.type === AST_NODE_TYPES.ArrayPattern) {
      this.bindPattern(left, value);
      return;
    }
    if (left.type !== AST_NODE_TYPES.MemberExpression) return;
    const object = this.ev(left.object, { s: null });
    const name = left.computed ? staticKey(left.property) : memberName(left);
    if (object.value.k !== 'self' || name === null) return;
    if (!this.selfWrites.has(name)) this.selfWrites.set(name, node);
    if (value.value.k === 'null') this.release(name, node, cur);
    else this.refill(name, cur);
  }

  // ---- calls ----------------------------------------------------------------------------------

  private call(node: TSESTree.CallExpression, cur: Cur): Evaluated {
    const callee = unwrapCallee(node.callee);
    if (isFunctionNode(callee)) {
      const args = node.arguments.map((argument) => this.ev(argument, cur));
      return this.inline(callee, args, plain(UNKNOWN), callee, 'callback', cur);
    }
    if (callee.type === AST_NODE_TYPES.MemberExpression) {
      const name = callee.computed ? staticKey(callee.property) : memberName(callee);
      const object = this.ev(callee.object, cur);
      if (name === 'call' && object.value.k === 'visit') {
        const argument = node.arguments[0] ? this.ev(node.arguments[0], cur) : plain({ k: 'null' });
            this.visit(argument, node, cur.s);
        return plain({ k: 'null' });
      }
      const special = this.memberCall(node, callee, name, object, cur);
      if (special) return special;
    }
    const path = dottedName(callee);
    const source = path === null ? undefined : NONDETERMINISTIC_CALLS.get(path);
    const root = memberRootOf(callee);
    if (source && (root.type !== AST_NODE_TYPES.Identifier || !this.resolve(root)?.defs.length)) {
      for (const argument of node.arguments) this.ev(argument, cur);
      return plain(CONST, [{ text: `${path}()`, why: source }]);
    }
    const api = apiPathOf(callee, this.context.bindings, this.context.resolve);
    const args = node.arguments.map((argument) => this.ev(argument, cur));
    if (api?.join('.') === 'Py.new') return plain({ k: 'foreign', reason: 'fresh', text: this.text(node) });
    if (this.input.mode === 'clear' && this.clearCall(path, node, args, cur)) return plain({ k: 'null' });
    return this.helperCall(node, callee, args, cur);
  }

  /** Calls through the call graph; `.call(thisArg, …)` and `.apply` shift their arguments. */
  private helperCall(node: TSESTree.CallExpression, callee: TSESTree.Node, args: readonly Evaluated[], cur: Cur): Evaluated {
    let target = callee;
    let callArgs = args;
    let thisValue = plain(UNKNOWN);
    if (callee.type === AST_NODE_TYPES.MemberExpression) {
      const name = memberName(callee);
      if ((name === 'call' || name === 'apply') && this.context.resolver.callees(callee.object).length > 0) {
        target = callee.object;
        thisValue = args[0] ?? plain(UNKNOWN);
        callArgs = name === 'call' ? args.slice(1) : args[1]?.value.k === 'array' ? args[1].value.elements.map((v) => plain(v)) : [];
      } else {
        thisValue = this.ev(callee.object, { s: null });
      }
    }
    const callees = this.context.resolver.callees(target);
    if (callees.length > 0) {
      const before = cur.s;
      const ends: (State | null)[] = [];
      let result: Evaluated | null = null;
      for (const helper of callees) {
        const branch: Cur = { s: callees.length > 1 ? (before?.clone() ?? null) : before };
        const value = this.inline(helper.fn, callArgs, thisValue, node, helper.file ? `${helper.name} (${helper.file.split('/').at(-1)})` : helper.name, branch);
        ends.push(branch.s);
        const merged: Value | null = result && mergeValues(result.value, value.value);
        result = result ? plain(merged ?? UNKNOWN, union(result.taint, value.taint)) : value;
      }
      cur.s = join(ends);
      return result ?? plain(UNKNOWN);
    }
    // Callbacks an unknown callee runs synchronously: array-like methods any number of times,
    // others (`withGil`, `.call`) once; with unknown arguments.
    const calleeName = callee.type === AST_NODE_TYPES.MemberExpression ? memberName(callee) : callee.type === AST_NODE_TYPES.Identifier ? callee.name : null;
    const many = calleeName !== null && REPEATING.has(calleeName);
    node.arguments.forEach((argument, index) => {
      const value = args[index]!.value;
      if (value.k !== 'function' || !isFunctionNode(value.fn) || !this.context.synchronous.runsArgument(node, index)) return;
      const fn = value.fn;
      const once = (s: State): Completion => {
        const body: Cur = { s };
        this.inline(fn, [], plain(UNKNOWN), argument, 'callback', body);
        return completion(body.s);
      };
      cur.s = many ? this.loop(cur.s, once, null).normal : cur.s && once(cur.s).normal;
    });
    this.opaque(args, cur);
    if (cur.s && this.input.mode === 'traverse' && args.some((arg) => arg.value.k === 'visit')) {
      this.report('unknownVisitor', node, { callee: this.text(callee), line: node.loc.start.line });
    }
    return plain(UNKNOWN, union(thisValue.taint, ...args.map((a) => a.taint)));
  }

  /** Methods of fields and arrays: list walks, `cell.get()`, `items.at(i)`, and clear's releases. */
  private memberCall(node: TSESTree.CallExpression, callee: TSESTree.MemberExpression, name: string | null, object: Evaluated, cur: Cur): Evaluated | null {
    const value = object.value;
    if (name === null) return null;
    if (WALKERS.has(name) && (value.k === 'array' || value.k === 'foreign' || (value.k === 'field' && (value.kind === 'list' || value.kind === 'unknown')))) {
      const callbackNode = node.arguments[0];
      if (!callbackNode) return null;
      const callback = this.ev(callbackNode, cur);
      const fns = callback.value.k === 'function' && isFunctionNode(callback.value.fn) ? [{ fn: callback.value.fn, name: 'callback' }] : this.context.resolver.callees(callbackNode).map((c) => ({ fn: c.fn, name: c.name }));
      if (fns.length === 0) return null;
      const fn = fns[0]!.fn;
      const label = isFunctionNode(unwrap(callbackNode)) ? 'callback' : fns[0]!.name;
      const run = (item: Evaluated) => (s: State): Completion => {
        const body: Cur = { s };
        this.inline(fn, [item, plain(CONST)], plain(UNKNOWN), isFunctionNode(unwrap(callbackNode)) ? fn : callbackNode, label, body);
        return completion(body.s);
      };
      if (value.k === 'foreign') {
        const done = this.loop(cur.s, run(plain(value, object.taint)), null);
        cur.s = done.normal;
        return plain(UNKNOWN);
      }
      if (value.k === 'array') {
        let state = cur.s;
        for (const element of value.elements) if (state) state = run(plain(element, object.taint))(state).normal;
        cur.s = state;
        return plain(UNKNOWN);
      }
      const walk = this.newWalk(value.name);
      const done = this.loop(cur.s, run(plain({ k: 'item', name: value.name, walk: walk.walk }, object.taint)), walk);
      cur.s = done.normal;
      return plain(UNKNOWN);
    }
    if (value.k === 'field') {
      if (name === 'get' && (value.kind === 'cell' || value.kind === 'unknown') && node.arguments.length === 0) return plain({ k: 'cellValue', name: value.name }, object.taint);
      if (name === 'isEmpty') return plain(CONST, object.taint);
      if (name === 'at' && (value.kind === 'list' || value.kind === 'unknown')) {
        const index = node.arguments[0] ? this.ev(node.arguments[0], cur) : plain(CONST);
        if (index.value.k === 'index' && index.value.name === value.name) return plain({ k: 'item', name: value.name, walk: index.value.walk }, index.taint);
        const literal = numberLiteral(node.arguments[0]);
        return plain({ k: 'itemAt', name: value.name, index: literal === null ? '?' : String(literal) }, union(object.taint, index.taint));
      }
      if (this.input.mode === 'clear') {
        for (const argument of node.arguments) this.ev(argument, cur);
        if (releases(value, name, node, (n) => this.ev(n, { s: null }).value)) this.release(value.name, node, cur);
        else if (refills(value, name, node)) this.refill(value.name, cur);
        return plain(UNKNOWN);
      }
    }
    if (name === 'cloneRef' || name === 'clone_ref') {
      for (const argument of node.arguments) this.ev(argument, cur);
      return plain(UNKNOWN, object.taint);
    }
    void callee;
    return null;
  }

  /** Clear: `Object.assign(self, { f: null })`, `Reflect.set(self, 'f', null)`, `Reflect.deleteProperty(self, 'f')`. */
  private clearCall(path: string | null, node: TSESTree.CallExpression, args: readonly Evaluated[], cur: Cur): boolean {
    if (args[0]?.value.k !== 'self') return false;
    const released = reflectiveReleases(path, node);
    for (const key of released ?? []) this.release(key, node, cur);
    return released !== null;
  }

  /** Clear: the field holds a reference again (`cell.set(kept)`, `list.push(x)`, `self.f = x`). */
  private refill(name: string, cur: Cur): void {
    if (this.input.mode === 'clear') cur.s?.must.delete(name);
  }

  private release(name: string, node: TSESTree.Node, cur: Cur): void {
    const state = cur.s;
    if (!state || this.input.mode !== 'clear') return;
    state.must.add(name);
    if (!state.may.has(`v:${name}`)) state.may.set(`v:${name}`, this.event(node));
  }

  // ---- visits ---------------------------------------------------------------------------------

  private foreignText(value: Value, argument: TSESTree.Node | undefined): { reason: ForeignReason; text: string } | null {
    const text = argument ? this.text(argument) : '';
    switch (value.k) {
      case 'foreign':
        return { reason: value.reason, text: value.text };
      case 'self':
        return { reason: 'self', text };
      case 'field':
        if (value.kind === 'cell' || value.kind === 'list') return { reason: 'container', text };
        if (value.kind !== 'unknown' && !REFERENCE_KINDS.has(value.kind)) return { reason: 'notReference', text };
        return null;
      case 'array':
      case 'const':
      case 'length':
        return { reason: 'notReference', text };
      default:
        return null;
    }
  }

  private visit(argument: Evaluated, node: TSESTree.CallExpression, state: State | null): void {
    if (!state || this.input.mode !== 'traverse') return;
    for (const decision of state.deps) {
      const first = decision.taint[0]!;
      this.report('nondeterministic', decision.node, { source: first.text, why: first.why, line: decision.node.loc.start.line }, { site: decision.site, chain: decision.chain });
    }
    const decided = new Set([...state.deps].flatMap((decision) => decision.taint.map((taint) => taint.text)));
    const undecided = argument.taint.filter((taint) => !decided.has(taint.text));
    if (undecided.length > 0) {
      const first = undecided[0]!;
      this.report('nondeterministic', node, { source: first.text, why: first.why, line: node.loc.start.line });
    }
    const value = argument.value;
    const foreign = this.foreignText(value, node.arguments[0]);
    if (foreign) {
      this.report('foreign', node, { target: foreign.text || this.text(node), reason: foreign.reason, line: node.loc.start.line });
      return;
    }
    const event = this.event(node);
    const target = this.targetText(value, node);
    const again = (key: string, also: readonly string[] = []): void => {
      const earlier = [key, ...also].map((k) => state.may.get(k)).find(Boolean);
      if (earlier) {
        const loop = earlier.node === node;
        this.report(loop ? 'loopDouble' : 'double', node, { target, first: earlier.line });
      }
      if (!state.may.has(key)) state.may.set(key, event);
    };
    switch (value.k) {
      case 'field':
      case 'cellValue':
        again(`v:${value.name}`);
        state.must.add(value.name);
        return;
      case 'item': {
        const key = `it:${value.name}:${value.walk}`;
        const earlierWalk = state.may.get(`w:${value.name}`);
        if (earlierWalk) this.report('double', node, { target, first: earlierWalk.line });
        const partial = [...state.may.entries()].find(([k]) => k.startsWith(`i:${value.name}:`));
        again(key, partial ? [partial[0]] : []);
        state.must.add(key);
        return;
      }
      case 'itemAt': {
        const key = `i:${value.name}:${value.index}`;
        again(key, [`w:${value.name}`]);
        return;
      }
      case 'null':
        return;
      default:
        state.must.add(ANY);
    }
  }

  private targetText(value: Value, node: TSESTree.CallExpression): string {
    switch (value.k) {
      case 'field':
        return `\`self.${value.name}\``;
      case 'cellValue':
        return `The value of cell \`${value.name}\``;
      case 'item':
      case 'itemAt':
        return `An item of list \`${value.name}\``;
      default:
        return node.arguments[0] ? `\`${this.text(node.arguments[0])}\`` : 'It';
    }
  }

}


function memberRootOf(node: TSESTree.Node): TSESTree.Node {
  let current = unwrap(node);
  while (current.type === AST_NODE_TYPES.MemberExpression) current = unwrap(current.object);
  return current;
}


function merge(a: Completion, b: Completion | null, normal: State | null): Completion {
  return {
    normal,
    breaks: [...a.breaks, ...(b?.breaks ?? [])],
    continues: [...a.continues, ...(b?.continues ?? [])],
    returns: [...a.returns, ...(b?.returns ?? [])],
    values: [...a.values, ...(b?.values ?? [])],
  };
}

/** Runs the model; a traverse that writes fields through `self` is run again with those writes known. */
export function runModel(context: WalkContext, input: ModelInput): ModelResult {
  const first = new Model(context, input, new Map()).run();
  if (input.mode !== 'traverse' || first.selfWrites.size === 0) return first;
  return new Model(context, input, first.selfWrites).run();
}

/** `a op b` for two known primitive constants and a comparison operator, else a plain constant. */
function foldComparison(operator: string, a: Value, b: Value): Value {
  if (a.k !== 'const' || b.k !== 'const' || a.lit === undefined || b.lit === undefined) return CONST;
  const x = a.lit;
  const y = b.lit;
  switch (operator) {
    case '===':
      return { k: 'const', lit: x === y };
    case '!==':
      return { k: 'const', lit: x !== y };
    case '==':
      // eslint-disable-next-line eqeqeq -- folding the program's own loose comparison
      return { k: 'const', lit: x == y };
    case '!=':
      // eslint-disable-next-line eqeqeq -- folding the program's own loose comparison
      return { k: 'const', lit: x != y };
    case '<':
      return { k: 'const', lit: x < y };
    case '<=':
      return { k: 'const', lit: x <= y };
    case '>':
      return { k: 'const', lit: x > y };
    case '>=':
      return { k: 'const', lit: x >= y };
    default:
      return CONST;
  }
}
