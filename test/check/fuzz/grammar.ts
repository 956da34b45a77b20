// The fuzz grammar: a model of one pyclass (declared fields, a traverse body, same-file
// helpers — functions, arrows, static methods, getters returning the function, bound
// functions — an optional clear) built from traverse-body operations — visit, drop, cell and
// list operations, withGil / acquireGil (also aliased, .call, Reflect.apply), allowThreads,
// pool creation, cloneRef (as a cell value), helper calls, immediately invoked functions,
// conditionals on primitive fields, loops over lists, fields and counts, and the contract forms
// (issue 12): foreign visits of module-held objects, visits under a nondeterministic condition
// (Math.random, a module counter, a module flag the traverse toggles), a double visit through
// an alias, a clear that keeps one field — with fast-check
// arbitraries, and the printer that turns a model into the TypeScript source a user would
// write. Hazards are reached through casts where the API's types forbid them, as a user of
// plain JavaScript would; the `py` token a hazard needs is a module-level `Python` minted by
// `setup()` with `Python.assumeGilAcquired()` (the check runs `setup` before every state).

import fc from 'fast-check';

export type FieldKind = 'ref' | 'optionalRef' | 'cell' | 'list' | 'int' | 'bool' | 'str';
export const REF_KINDS: readonly FieldKind[] = ['ref', 'optionalRef', 'cell', 'list'];

export interface FieldDecl {
  readonly name: string;
  readonly kind: FieldKind;
}

/** A condition on one primitive field (each is true for one of the values the check explores). */
export interface Cond {
  readonly field: string;
  readonly negate: boolean;
}

export type DropForm = 'drop' | 'dispose' | 'assign' | 'delete' | 'using' | 'objectAssign' | 'reflectSet' | 'reflectDelete';
const DROP_FORMS: readonly DropForm[] = ['drop', 'dispose', 'assign', 'delete', 'using', 'objectAssign', 'reflectSet', 'reflectDelete'];

/** GIL acquisition, also through the aliases and indirect calls the rules track. */
export type GilForm = 'withGil' | 'attach' | 'acquireGil' | 'usingGuard' | 'destructured' | 'reflectApply' | 'call';
const GIL_FORMS: readonly GilForm[] = ['withGil', 'attach', 'acquireGil', 'usingGuard', 'destructured', 'reflectApply', 'call'];

export type Stmt =
  /** visit.call on a field (lists: for-of, forEach or an index loop). */
  | { readonly op: 'visit'; readonly field: string; readonly form: 0 | 1 | 2 }
  /** End a field's reference: .drop(), [Symbol.dispose](), assignment, delete, `using`; on a
   *  cell its borrowed value's .drop(); on a list its first item's .drop(). */
  | { readonly op: 'drop'; readonly field: string; readonly form: DropForm }
  | { readonly op: 'cell'; readonly field: string; readonly method: 'take' | 'replace' | 'set' | 'clear'; readonly clone?: string }
  | { readonly op: 'list'; readonly field: string; readonly method: 'pop' | 'clear' | 'splice' }
  | { readonly op: 'gil'; readonly form: GilForm; readonly body: readonly Stmt[] }
  /** An immediately invoked arrow function around a body (runs during the traverse). */
  | { readonly op: 'iife'; readonly body: readonly Stmt[] }
  | { readonly op: 'allowThreads'; readonly form: 'allowThreads' | 'detach'; readonly body: readonly Stmt[] }
  | { readonly op: 'pool'; readonly form: 'new' | 'using' | 'newPool' | 'withPool'; readonly body: readonly Stmt[] }
  /** A clone of a reference field: visited (and leaked), dropped at once, or leaked. */
  | { readonly op: 'cloneRef'; readonly field: string; readonly then: 'visit' | 'drop' | 'leak' }
  | { readonly op: 'call'; readonly helper: number }
  | { readonly op: 'if'; readonly cond: Cond; readonly then: readonly Stmt[]; readonly else: readonly Stmt[] }
  /** A loop over a list field's items; `item` statements inside act on the loop variable. */
  | { readonly op: 'forList'; readonly field: string; readonly form: 'for' | 'forEach'; readonly body: readonly Stmt[] }
  | { readonly op: 'item'; readonly action: 'visit' | 'drop' | 'cloneDrop' }
  /* 'cloneRef' and the item's 'cloneDrop' are not generated: see stmtArb. */
  /** A loop over several reference fields' values (`for (const r of [self.a, self.b])`). */
  | { readonly op: 'forFields'; readonly fields: readonly string[]; readonly action: 'visit' | 'drop' | 'take' }
  /** `for (let i = 0; i < self.n; i++) { … }` over an int field. */
  | { readonly op: 'repeat'; readonly field: string; readonly body: readonly Stmt[] }
  /** A visit of something the instance does not own (no-foreign-visit): a module-level handle
   *  `setup()` fills (`stash`; also through a local `const`, or as an arrow's parameter), or a
   *  module array's item (`registry[0]`, `registry.at(0)`, a for-of or forEach walk over it). */
  | { readonly op: 'foreign'; readonly form: ForeignForm }
  /** Visits under a condition that differs between traverse calls (traverse-deterministic):
   *  `Math.random() < 0.5`, a module-level counter (`calls0++ % 2 === 0`), or a module-level
   *  flag the traverse toggles; each statement has its own counter or flag. */
  | { readonly op: 'nondet'; readonly source: NondetSource; readonly body: readonly Stmt[] }
  /** A field visited twice through an alias (no-double-visit): `const c = self.slot;
   *  visit.call(c.get()); visit.call(self.slot.get())` (a reference field: `c`, then the field). */
  | { readonly op: 'aliasVisit'; readonly field: string };

export type ForeignForm = 'stash' | 'stashLocal' | 'stashParam' | 'registryAt' | 'registryAtMethod' | 'registryLoop' | 'registryForEach';
const FOREIGN_FORMS: readonly ForeignForm[] = ['stash', 'stashLocal', 'stashParam', 'registryAt', 'registryAtMethod', 'registryLoop', 'registryForEach'];
export type NondetSource = 'random' | 'counter' | 'flag';
const NONDET_SOURCES: readonly NondetSource[] = ['random', 'counter', 'flag'];

/**
 * How a helper is written and called: a function declaration or a `const` arrow called by name,
 * a static method (`Helper0.run(…)`), an object-literal getter returning the function
 * (`helper0.run(…)` reads the getter, then calls what it returns), or a function bound with
 * `.bind(null)` and called through the bound name.
 */
export type HelperForm = 'function' | 'arrow' | 'method' | 'getter' | 'bind';
const HELPER_FORMS: readonly HelperForm[] = ['function', 'arrow', 'method', 'getter', 'bind'];

export interface Helper {
  readonly form: HelperForm;
  readonly body: readonly Stmt[];
}

export interface Program {
  readonly fields: readonly FieldDecl[];
  readonly traverseForm: 'method' | 'arrow' | 'named';
  readonly body: readonly Stmt[];
  /** helpers[i] may call helpers[j] for j > i only (no recursion). */
  readonly helpers: readonly Helper[];
  readonly withClear: boolean;
  /** A field the clear leaves as it is (clear-releases-visited): a cycle through it leaks. */
  readonly clearKeeps?: string;
}

const PREFIX: Record<FieldKind, string> = { ref: 'child', optionalRef: 'maybe', cell: 'slot', list: 'items', int: 'count', bool: 'flag', str: 'label' };

// ---- arbitraries -----------------------------------------------------------------------------

interface Ctx {
  readonly fields: readonly FieldDecl[];
  /** Helpers this body may call. */
  readonly callable: readonly number[];
  /** Inside a list loop: `item` statements are allowed. */
  readonly inLoop: boolean;
  /** Hazards allowed (a program is generated in safe or hazard mode). */
  readonly hazards: boolean;
}

const of = (ctx: Ctx, ...kinds: FieldKind[]) => ctx.fields.filter((f) => kinds.includes(f.kind)).map((f) => f.name);

function stmtArb(ctx: Ctx, depth: number): fc.Arbitrary<Stmt> {
  const refish = of(ctx, 'ref', 'optionalRef', 'cell', 'list');
  const lists = of(ctx, 'list');
  const prims = of(ctx, 'int', 'bool', 'str');
  const ints = of(ctx, 'int');
  const body = (d: number, extra: Partial<Ctx> = {}) => bodyArb({ ...ctx, ...extra }, d);
  const opts: { arbitrary: fc.Arbitrary<Stmt>; weight: number }[] = [];
  const add = (weight: number, arbitrary: fc.Arbitrary<Stmt>) => opts.push({ arbitrary, weight });

  if (refish.length) {
    add(6, fc.record({ op: fc.constant('visit' as const), field: fc.constantFrom(...refish), form: fc.constantFrom(0 as const, 1 as const, 2 as const) }));
  }
  if (ctx.inLoop) add(4, fc.constant({ op: 'item' as const, action: 'visit' as const }));
  if (ctx.callable.length) add(2, fc.record({ op: fc.constant('call' as const), helper: fc.constantFrom(...ctx.callable) }));
  if (depth > 0) {
    if (prims.length) {
      add(2, fc.record({ op: fc.constant('if' as const), cond: fc.record({ field: fc.constantFrom(...prims), negate: fc.boolean() }), then: body(depth - 1), else: fc.oneof(fc.constant([]), body(depth - 1)) }));
    }
    if (lists.length) add(2, fc.record({ op: fc.constant('forList' as const), field: fc.constantFrom(...lists), form: fc.constantFrom('for' as const, 'forEach' as const), body: body(depth - 1, { inLoop: true }) }));
    if (ints.length) add(1, fc.record({ op: fc.constant('repeat' as const), field: fc.constantFrom(...ints), body: body(depth - 1) }));
    add(1, fc.record({ op: fc.constant('iife' as const), body: body(depth - 1) }));
  }
  const loopable = of(ctx, 'ref', 'optionalRef', 'cell');
  if (loopable.length >= 1) {
    add(1, fc.record({ op: fc.constant('forFields' as const), fields: fc.uniqueArray(fc.constantFrom(...loopable), { minLength: 1, maxLength: loopable.length }), action: fc.constant('visit' as const) }));
  }
  if (ctx.hazards) opts.push(...hazardOptions(ctx, depth > 0 ? body(depth - 1) : fc.constant([] as Stmt[])));
  return fc.oneof(...opts);
}

/** The hazardous statements (each one breaks in some state), with `nested` as the body of scopes. */
function hazardOptions(ctx: Ctx, nested: fc.Arbitrary<Stmt[]>): { arbitrary: fc.Arbitrary<Stmt>; weight: number }[] {
  const single = of(ctx, 'ref', 'optionalRef');
  const cells = of(ctx, 'cell');
  const lists = of(ctx, 'list');
  const loopable = of(ctx, 'ref', 'optionalRef', 'cell');
  const dropable = of(ctx, 'ref', 'optionalRef', 'cell', 'list');
  const opts: { arbitrary: fc.Arbitrary<Stmt>; weight: number }[] = [];
  const add = (weight: number, arbitrary: fc.Arbitrary<Stmt>) => opts.push({ arbitrary, weight });
  if (ctx.inLoop) add(2, fc.constant({ op: 'item' as const, action: 'drop' as const }));
  if (loopable.length) {
    add(1, fc.record({ op: fc.constant('forFields' as const), fields: fc.uniqueArray(fc.constantFrom(...loopable), { minLength: 1, maxLength: loopable.length }), action: fc.constantFrom('drop' as const, 'take' as const) }));
  }
  if (dropable.length) add(2, fc.record({ op: fc.constant('drop' as const), field: fc.constantFrom(...dropable), form: fc.constantFrom(...DROP_FORMS) }));
  if (cells.length) add(2, fc.record({ op: fc.constant('cell' as const), field: fc.constantFrom(...cells), method: fc.constantFrom('take' as const, 'replace' as const, 'set' as const, 'clear' as const), clone: single.length ? fc.option(fc.constantFrom(...single), { nil: undefined }) : fc.constant(undefined) }));
  if (lists.length) add(1, fc.record({ op: fc.constant('list' as const), field: fc.constantFrom(...lists), method: fc.constantFrom('pop' as const, 'clear' as const, 'splice' as const) }));
  // No standalone cloneRef (leaked, visited instead of the field, or dropped at once — the
  // 'cloneRef' statement and the loop item's 'cloneDrop' stay printable but are not
  // generated): no-interpreter-in-traverse flags it by design (it needs a token a traverse
  // must not have), but an incref alone cannot break CPython's collector — update_refs
  // copied the refcounts before any traverse ran, and a leaked clone of a garbage object is
  // caught by the resurrection check — and a clone's own drop only undoes its incref. The
  // simulator agrees on every profile (3.7–3.14, release and debug). cloneRef is still
  // generated where it feeds an operation that can break: the value of a cell's set/replace.
  // No `Python.assumeGilAcquired()` in a traverse (setup() uses it, outside): no-gil-in-traverse
  // flags it by design, but PyO3's assume_gil_acquired only mints a token — no GIL count, no
  // pool, no refcount — so alone it cannot break anything (the simulator agrees); what breaks
  // is what the token is then used for, and those uses are generated.
  // The contract forms (issue 12), each proven by a leak or a live object cleared (§9).
  add(1, fc.record({ op: fc.constant('foreign' as const), form: fc.constantFrom(...FOREIGN_FORMS) }));
  if (dropable.length) {
    // The body is one visit of a field; dedupe drops the statement if that visit repeats one
    // (about half the time: hence weight 2).
    const visit = fc.record({ op: fc.constant('visit' as const), field: fc.constantFrom(...dropable), form: fc.constantFrom(0 as const, 1 as const, 2 as const) });
    add(2, fc.record({ op: fc.constant('nondet' as const), source: fc.constantFrom(...NONDET_SOURCES), body: visit.map((v) => [v]) }));
  }
  if (loopable.length) add(1, fc.record({ op: fc.constant('aliasVisit' as const), field: fc.constantFrom(...loopable) }));
  add(1, fc.record({ op: fc.constant('gil' as const), form: fc.constantFrom(...GIL_FORMS), body: nested }));
  add(1, fc.record({ op: fc.constant('allowThreads' as const), form: fc.constantFrom('allowThreads' as const, 'detach' as const), body: nested }));
  add(1, fc.record({ op: fc.constant('pool' as const), form: fc.constantFrom('new' as const, 'using' as const, 'newPool' as const, 'withPool' as const), body: nested }));
  return opts;
}

/** Exactly one hazard (its scopes' bodies safe), maybe under a conditional, a loop or in a list loop. */
function oneHazardArb(ctx: Ctx): fc.Arbitrary<Stmt> {
  const safe = { ...ctx, hazards: false, callable: [] };
  const hazard = fc.oneof(...hazardOptions(safe, fc.oneof(fc.constant([] as Stmt[]), bodyArb(safe, 0))));
  const prims = of(ctx, 'int', 'bool', 'str');
  const ints = of(ctx, 'int');
  const lists = of(ctx, 'list');
  const wrappers: fc.Arbitrary<Stmt>[] = [hazard, hazard];
  if (prims.length) {
    const cond = fc.record({ field: fc.constantFrom(...prims), negate: fc.boolean() });
    wrappers.push(fc.record({ op: fc.constant('if' as const), cond, then: hazard.map((h) => [h]), else: fc.constant([]) }));
    wrappers.push(fc.record({ op: fc.constant('if' as const), cond, then: bodyArb(safe, 0), else: hazard.map((h) => [h]) }));
  }
  if (ints.length) wrappers.push(fc.record({ op: fc.constant('repeat' as const), field: fc.constantFrom(...ints), body: hazard.map((h) => [h]) }));
  if (lists.length) {
    const inLoop = fc.oneof(...hazardOptions({ ...safe, inLoop: true }, fc.constant([])));
    wrappers.push(fc.record({ op: fc.constant('forList' as const), field: fc.constantFrom(...lists), form: fc.constantFrom('for' as const, 'forEach' as const), body: fc.tuple(fc.constant({ op: 'item' as const, action: 'visit' as const }), inLoop).map(([v, h]) => [v, h]) }));
  }
  return fc.oneof(...wrappers);
}

/** Puts `stmt` at position `at` of the traverse body (where = 0) or of helper where - 1. */
function inject(prog: Omit<Program, 'helpers'> & { helpers: Helper[] }, stmt: Stmt, where: number, at: number): Program {
  const insert = (body: readonly Stmt[]) => {
    const i = at % (body.length + 1);
    return [...body.slice(0, i), stmt, ...body.slice(i)];
  };
  if (where === 0) return { ...prog, body: insert(prog.body) };
  return { ...prog, helpers: prog.helpers.map((h, i) => (i === where - 1 ? { ...h, body: insert(h.body) } : h)) };
}

function bodyArb(ctx: Ctx, depth: number): fc.Arbitrary<Stmt[]> {
  return fc.array(stmtArb(ctx, depth), { minLength: 1, maxLength: 3 });
}

const fieldsArb: fc.Arbitrary<FieldDecl[]> = fc
  .array(fc.constantFrom<FieldKind>('ref', 'optionalRef', 'cell', 'list', 'int', 'bool', 'str'), { minLength: 1, maxLength: 4 })
  // At least one reference field: a class without one has no traverse to test.
  .filter((kinds) => kinds.some((k) => REF_KINDS.includes(k)))
  .map((kinds) => kinds.map((kind, i) => ({ name: `${PREFIX[kind]}${i}`, kind })));

export interface GrammarOptions {
  /** Nesting depth of conditionals, loops and GIL/pool scopes (default 2). */
  readonly depth?: number;
  /** Most helpers per program (default 2). */
  readonly maxHelpers?: number;
}

/**
 * A program: its fields, then helpers and the traverse body in one of three modes — `safe` (no
 * hazard), `one` (a safe program with exactly one hazard injected into the traverse body or a
 * helper: a single hazard is what a lint gap hides behind) or `many` (hazards anywhere).
 */
export function programArb(opts: GrammarOptions = {}): fc.Arbitrary<Program> {
  const depth = opts.depth ?? 2;
  const maxHelpers = opts.maxHelpers ?? 2;
  return fc
    .record({ fields: fieldsArb, mode: fc.constantFrom('safe' as const, 'one' as const, 'many' as const), helperCount: fc.integer({ min: 0, max: maxHelpers }) })
    .chain(({ fields, mode, helperCount }) => {
      const hazards = mode === 'many';
      const helpers = Array.from({ length: helperCount }, (_, i) =>
        fc.record({
          form: fc.constantFrom(...HELPER_FORMS),
          body: bodyArb({ fields, callable: range(i + 1, helperCount), inLoop: false, hazards }, depth - 1),
        }),
      );
      const base = fc.record({
        fields: fc.constant(fields),
        traverseForm: fc.constantFrom('method' as const, 'arrow' as const, 'named' as const),
        body: bodyArb({ fields, callable: range(0, helperCount), inLoop: false, hazards }, depth),
        helpers: fc.tuple(...helpers),
        withClear: fc.boolean(),
        // Hazard modes only: now and then the clear keeps one field it should release.
        clearKeeps: mode === 'safe' || !releasable(fields).length ? fc.constant(undefined) : fc.oneof({ weight: 5, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom(...releasable(fields)) }),
      });
      if (mode !== 'one') return base;
      const hazard = oneHazardArb({ fields, callable: [], inLoop: false, hazards: true });
      return fc
        .record({ prog: base, hazard, where: fc.integer({ min: 0, max: helperCount }), at: fc.nat({ max: 3 }) })
        .map(({ prog, hazard, where, at }) => inject(prog, hazard, where, at));
    })
    .map(wellFormed);
}

// ---- well-formedness: each owned reference visited at most once ------------------------------

/*
 * tp_traverse must report each reference the object owns once per call. Visiting the same
 * field twice over-reports it (no-double-visit; §9: a leak or a live object cleared). The
 * double visit is generated on purpose only as the `aliasVisit` hazard; everywhere else
 * generated programs visit each reference at most once on every path: a field is visited at most once
 * along a path through the traverse body; loop bodies (run once per item or count) visit only
 * their own item, and only in a loop not nested in another; helpers (callable several times)
 * do not visit. Every other operation is generated without such limits.
 */
type Visited = ReadonlySet<string>;

/** The current loop item, as a key of the visited set. */
const ITEM = '#item';

/** Removes visits that would repeat one on some path; returns the body and the fields visited after it. */
function dedupe(body: readonly Stmt[], visited: Visited, where: 'top' | 'loop' | 'helper'): [Stmt[], Visited] {
  const out: Stmt[] = [];
  let seen = new Set(visited);
  const nested = (b: readonly Stmt[], w: 'top' | 'loop' | 'helper', v: Visited) => dedupe(b, v, w);
  for (const s of body) {
    switch (s.op) {
      case 'visit':
        if (where === 'top' && !seen.has(s.field)) {
          seen.add(s.field);
          out.push(s);
        }
        break;
      case 'forFields':
        if (s.action !== 'visit') out.push(s);
        else if (where === 'top' && s.fields.every((f) => !seen.has(f))) {
          s.fields.forEach((f) => seen.add(f));
          out.push(s);
        }
        break;
      case 'item':
        if (s.action !== 'visit') out.push(s);
        else if (where === 'loop' && !seen.has(ITEM)) {
          seen.add(ITEM);
          out.push(s);
        }
        break;
      case 'if': {
        const [t, vt] = nested(s.then, where, seen);
        const [e, ve] = nested(s.else, where, seen);
        out.push({ ...s, then: t, else: e });
        seen = new Set([...vt, ...ve]);
        break;
      }
      case 'forList': {
        // The loop's own item visits count as visiting the list; a nested loop visits nothing.
        const itemVisits = where === 'top' && !seen.has(s.field);
        const [b, v] = nested(s.body, itemVisits ? 'loop' : 'helper', seen);
        out.push({ ...s, body: b });
        if (v.has(ITEM)) seen.add(s.field);
        break;
      }
      case 'repeat': {
        const [b] = nested(s.body, 'helper', seen);
        out.push({ ...s, body: b });
        break;
      }
      case 'nondet': {
        // Like an `if` without else; with its visit gone (a repeat, or in a loop or helper,
        // where the counter or flag could also run twice a call) nothing is left to vary.
        const [b, v] = nested(s.body, where, seen);
        if (b.length) {
          out.push({ ...s, body: b });
          seen = new Set(v);
        }
        break;
      }
      case 'gil':
      case 'iife':
      case 'allowThreads':
      case 'pool': {
        const [b, v] = nested(s.body, where, seen);
        out.push({ ...s, body: b });
        seen = new Set(v);
        break;
      }
      default:
        out.push(s);
    }
  }
  return [out, seen];
}

/*
 * No dead code. The rules are path-insensitive (a hazard is a hazard wherever it is written),
 * so a hazard that no state can reach — `if (self.n > 0) { if (self.n === 0) { … } }`, or a
 * helper whose `for (… < self.n …)` is only called under `self.n === 0` — would be "flagged,
 * never broke" by construction: that tests nothing but the generator. Conditions are on
 * primitive fields, which nothing in a traverse changes, so reachability is exact: each
 * explored value of a field makes one condition true (`!negate` ⇔ the non-default value).
 */
type Env = ReadonlyMap<string, boolean>;

function reach(body: readonly Stmt[], env: Env, helpers: readonly Helper[], live: Set<Stmt>): void {
  const under = (field: string, other: boolean) => new Map([...env, [field, other]]);
  for (const s of body) {
    live.add(s);
    switch (s.op) {
      case 'if': {
        const v = env.get(s.cond.field);
        if (v === undefined || v === !s.cond.negate) reach(s.then, under(s.cond.field, !s.cond.negate), helpers, live);
        if (v === undefined || v === s.cond.negate) reach(s.else, under(s.cond.field, s.cond.negate), helpers, live);
        break;
      }
      case 'repeat':
        // The body runs only for the non-default value (1).
        if (env.get(s.field) !== false) reach(s.body, under(s.field, true), helpers, live);
        break;
      case 'forList':
      case 'gil':
      case 'iife':
      case 'allowThreads':
      case 'pool':
      case 'nondet':
        reach(s.body, env, helpers, live);
        break;
      case 'call':
        reach(helpers[s.helper].body, env, helpers, live);
        break;
      default:
        break;
    }
  }
}

function prune(body: readonly Stmt[], live: ReadonlySet<Stmt>): Stmt[] {
  return body
    .filter((s) => live.has(s))
    .map((s) => {
      switch (s.op) {
        case 'if':
          return { ...s, then: prune(s.then, live), else: prune(s.else, live) };
        case 'repeat':
        case 'forList':
        case 'gil':
        case 'iife':
        case 'allowThreads':
        case 'pool':
        case 'nondet':
          return { ...s, body: prune(s.body, live) };
        default:
          return s;
      }
    });
}

/** The program with each reference visited at most once on every path, and no dead code (see above). */
export function wellFormed(prog: Program): Program {
  const body = dedupe(prog.body, new Set(), 'top')[0];
  const helpers = prog.helpers.map((h) => ({ ...h, body: dedupe(h.body, new Set(), 'helper')[0] }));
  const live = new Set<Stmt>();
  reach(body, new Map(), helpers, live);
  // A helper never called is not a traverse body: its code is kept as written.
  helpers.forEach((h, i) => {
    if (!isCalled(i, body, helpers)) h.body.forEach((s) => markAll(s, live));
  });
  return { ...prog, body: prune(body, live), helpers: helpers.map((h) => ({ ...h, body: prune(h.body, live) })) };
}

function isCalled(i: number, body: readonly Stmt[], helpers: readonly Helper[]): boolean {
  const calls = (b: readonly Stmt[]): boolean =>
    b.some((s) => (s.op === 'call' && (s.helper === i || calls(helpers[s.helper].body))) || (s.op === 'if' && (calls(s.then) || calls(s.else))) || ('body' in s && Array.isArray(s.body) && calls(s.body)));
  return calls(body);
}

function markAll(s: Stmt, live: Set<Stmt>): void {
  live.add(s);
  if (s.op === 'if') [...s.then, ...s.else].forEach((x) => markAll(x, live));
  else if ('body' in s && Array.isArray(s.body)) (s.body as Stmt[]).forEach((x) => markAll(x, live));
}

function range(a: number, b: number): number[] {
  return Array.from({ length: Math.max(0, b - a) }, (_, i) => a + i);
}

// ---- printer ---------------------------------------------------------------------------------

interface PrintCtx {
  readonly fields: readonly FieldDecl[];
  /** The expression for `self` here (`self` in traverse, `s` in a helper). */
  readonly self: string;
  /** The innermost list loop's item variable. */
  readonly item?: string;
  readonly depth: number;
  /** Each helper's form (how it is called). */
  readonly helperForms: readonly HelperForm[];
  /** What the printed statements need at module level (filled while printing). */
  readonly module: ModuleNeeds;
}

/** Module-level declarations the contract forms use. */
interface ModuleNeeds {
  /** `Stash`, `stash` and `registry` (foreign visits). */
  foreign: boolean;
  /** `calls0…` counters and `flag0…` flags, one per nondeterministic statement. */
  counters: number;
  flags: number;
}

/** The callee expression of helper `i`. */
function helperCallee(p: PrintCtx, i: number): string {
  const form = p.helperForms[i];
  return form === 'method' ? `Helper${i}.run` : form === 'getter' ? `helper${i}.run` : `helper${i}`;
}

function kindOf(p: PrintCtx, name: string): FieldKind {
  return p.fields.find((f) => f.name === name)!.kind;
}

function condText(p: PrintCtx, c: Cond): string {
  const f = `${p.self}.${c.field}`;
  switch (kindOf(p, c.field)) {
    case 'bool':
      return c.negate ? `!${f}` : f;
    case 'int':
      return c.negate ? `${f} === 0` : `${f} > 0`;
    default:
      return c.negate ? `${f} === ''` : `${f}.length > 0`;
  }
}

/** The value a reference field holds, as a `Py | null` (cells: their borrowed value; lists: the first item). */
function refValue(p: PrintCtx, name: string): string {
  const f = `${p.self}.${name}`;
  switch (kindOf(p, name)) {
    case 'cell':
      return `(${f}.get() as unknown as Py | null)`;
    case 'list':
      return `(${f}.at(0) as unknown as Py | undefined)`;
    default:
      return `(${f} as unknown as Py | null)`;
  }
}

function block(p: PrintCtx, body: readonly Stmt[], indent: string): string[] {
  return body.flatMap((s) => stmtLines({ ...p, depth: p.depth + 1 }, s, indent));
}

function stmtLines(p: PrintCtx, s: Stmt, ind: string): string[] {
  const S = p.self;
  const inner = ind + '  ';
  switch (s.op) {
    case 'visit': {
      const f = `${S}.${s.field}`;
      switch (kindOf(p, s.field)) {
        case 'cell':
          return [`${ind}visit.call(${f}.get());`];
        case 'list': {
          const x = `v${p.depth}`;
          if (s.form === 0) return [`${ind}for (const ${x} of ${f}) visit.call(${x});`];
          if (s.form === 1) return [`${ind}${f}.forEach((${x}) => visit.call(${x}));`];
          return [`${ind}for (let i${p.depth} = 0; i${p.depth} < ${f}.length; i${p.depth}++) visit.call(${f}.at(i${p.depth}));`];
        }
        default:
          return [`${ind}visit.call(${f});`];
      }
    }
    case 'drop': {
      const kind = kindOf(p, s.field);
      if (kind === 'cell' || kind === 'list') {
        // A cell's or list's own value cannot be assigned over or deleted: drop what it holds.
        return [`${ind}${refValue(p, s.field)}?.${s.form === 'dispose' ? '[Symbol.dispose]()' : 'drop()'};`];
      }
      switch (s.form) {
        case 'drop':
          return [`${ind}${refValue(p, s.field)}?.drop();`];
        case 'dispose':
          return [`${ind}${refValue(p, s.field)}?.[Symbol.dispose]();`];
        case 'assign':
          return [`${ind}(${S} as unknown as { ${s.field}: Py | null }).${s.field} = null;`];
        case 'delete':
          return [`${ind}delete (${S} as unknown as { ${s.field}?: Py | null }).${s.field};`];
        case 'using':
          return [`${ind}{`, `${inner}using r${p.depth} = ${S}.${s.field} as unknown as Py | null;`, `${ind}}`];
        // The types do not stop these: Object.assign and Reflect take any object.
        case 'objectAssign':
          return [`${ind}Object.assign(${S}, { ${s.field}: null });`];
        case 'reflectSet':
          return [`${ind}Reflect.set(${S}, '${s.field}', null);`];
        case 'reflectDelete':
          return [`${ind}Reflect.deleteProperty(${S}, '${s.field}');`];
      }
      throw new Error('unreachable');
    }
    case 'cell': {
      const cell = `(${S}.${s.field} as unknown as RefCell)`;
      const value = s.clone ? `${refValue(p, s.clone)}?.cloneRef(py) ?? null` : 'null';
      switch (s.method) {
        case 'take':
          return [`${ind}${cell}.take();`];
        case 'clear':
          return [`${ind}${cell}.clear();`];
        default:
          return [`${ind}${cell}.${s.method}(${value});`];
      }
    }
    case 'list':
      return [`${ind}(${S}.${s.field} as unknown as RefList).${s.method === 'splice' ? 'splice(0, 1)' : `${s.method}()`};`];
    case 'gil': {
      const lines = block(p, s.body, inner);
      if (s.form === 'acquireGil') return [`${ind}{`, `${inner}const g${p.depth} = Python.acquireGil();`, ...lines, `${inner}g${p.depth}.release();`, `${ind}}`];
      if (s.form === 'usingGuard') return [`${ind}{`, `${inner}using g${p.depth} = Python.acquireGil();`, ...lines, `${ind}}`];
      if (s.form === 'destructured') return [`${ind}{`, `${inner}const { withGil: w${p.depth} } = Python;`, `${inner}w${p.depth}(() => {`, ...block(p, s.body, inner + '  '), `${inner}});`, `${ind}}`];
      if (s.form === 'reflectApply') return [`${ind}Reflect.apply(Python.attach, Python, [() => {`, ...lines, `${ind}}]);`];
      if (s.form === 'call') return [`${ind}Python.withGil.call(Python, () => {`, ...lines, `${ind}});`];
      return [`${ind}Python.${s.form}(() => {`, ...lines, `${ind}});`];
    }
    case 'allowThreads':
      return [`${ind}py.${s.form}(() => {`, ...block(p, s.body, inner), `${ind}});`];
    case 'iife':
      return [`${ind}(() => {`, ...block(p, s.body, inner), `${ind}})();`];
    case 'pool': {
      const lines = block(p, s.body, inner);
      const pool = `pool${p.depth}`;
      switch (s.form) {
        case 'new':
          return [`${ind}{`, `${inner}const ${pool} = new GILPool();`, ...lines, `${inner}${pool}.drop();`, `${ind}}`];
        case 'using':
          return [`${ind}{`, `${inner}using ${pool} = new GILPool();`, ...lines, `${ind}}`];
        case 'newPool':
          return [`${ind}{`, `${inner}const ${pool} = py.newPool();`, ...lines, `${inner}${pool}.drop();`, `${ind}}`];
        case 'withPool':
          return [`${ind}Python.withPool(() => {`, ...lines, `${ind}});`];
      }
      throw new Error('unreachable');
    }
    case 'cloneRef': {
      const clone = `${refValue(p, s.field)}?.cloneRef(py)`;
      if (s.then === 'visit') return [`${ind}visit.call(${clone});`];
      if (s.then === 'drop') return [`${ind}${clone}.drop();`];
      return [`${ind}void ${clone};`];
    }
    case 'call':
      return [`${ind}${helperCallee(p, s.helper)}(${S}, visit);`];
    case 'if': {
      const out = [`${ind}if (${condText(p, s.cond)}) {`, ...block(p, s.then, inner)];
      if (s.else.length) out.push(`${ind}} else {`, ...block(p, s.else, inner));
      out.push(`${ind}}`);
      return out;
    }
    case 'forList': {
      const x = `x${p.depth}`;
      const lines = block({ ...p, item: x }, s.body, inner);
      if (s.form === 'for') return [`${ind}for (const ${x} of ${S}.${s.field}) {`, ...lines, `${ind}}`];
      return [`${ind}${S}.${s.field}.forEach((${x}) => {`, ...lines, `${ind}});`];
    }
    case 'item': {
      const x = p.item!;
      if (s.action === 'visit') return [`${ind}visit.call(${x});`];
      if (s.action === 'drop') return [`${ind}(${x} as unknown as Py).drop();`];
      return [`${ind}(${x} as unknown as Py).cloneRef(py).drop();`];
    }
    case 'forFields': {
      const r = `r${p.depth}`;
      const cellsOnly = s.fields.every((f) => kindOf(p, f) === 'cell');
      if (s.action === 'take' && cellsOnly) {
        return [`${ind}for (const ${r} of [${s.fields.map((f) => `${S}.${f}`).join(', ')}]) (${r} as unknown as RefCell).take();`];
      }
      const values = s.fields.map((f) => (kindOf(p, f) === 'cell' ? `${S}.${f}.get()` : `${S}.${f}`));
      if (s.action === 'visit') return [`${ind}for (const ${r} of [${values.join(', ')}]) visit.call(${r});`];
      return [`${ind}for (const ${r} of [${values.join(', ')}]) (${r} as unknown as Py | null)?.drop();`];
    }
    case 'repeat': {
      const i = `n${p.depth}`;
      return [`${ind}for (let ${i} = 0; ${i} < ${S}.${s.field}; ${i}++) {`, ...block(p, s.body, inner), `${ind}}`];
    }
    case 'foreign': {
      p.module.foreign = true;
      const h = `h${p.depth}`;
      switch (s.form) {
        case 'stash':
          return [`${ind}visit.call(stash);`];
        case 'stashLocal':
          return [`${ind}{`, `${inner}const ${h} = stash;`, `${inner}visit.call(${h});`, `${ind}}`];
        case 'stashParam':
          return [`${ind}((${h}: Py | undefined) => visit.call(${h}))(stash);`];
        case 'registryAt':
          return [`${ind}visit.call(registry[0]);`];
        case 'registryAtMethod':
          return [`${ind}visit.call(registry.at(0));`];
        case 'registryLoop':
          return [`${ind}for (const ${h} of registry) visit.call(${h});`];
        case 'registryForEach':
          return [`${ind}registry.forEach((${h}) => visit.call(${h}));`];
      }
      throw new Error('unreachable');
    }
    case 'nondet': {
      if (s.source === 'random') return [`${ind}if (Math.random() < 0.5) {`, ...block(p, s.body, inner), `${ind}}`];
      if (s.source === 'counter') {
        const c = `calls${p.module.counters++}`;
        return [`${ind}if (${c}++ % 2 === 0) {`, ...block(p, s.body, inner), `${ind}}`];
      }
      const f = `flag${p.module.flags++}`;
      return [`${ind}${f} = !${f};`, `${ind}if (${f}) {`, ...block(p, s.body, inner), `${ind}}`];
    }
    case 'aliasVisit': {
      const f = `${S}.${s.field}`;
      const c = `c${p.depth}`;
      const get = kindOf(p, s.field) === 'cell' ? '.get()' : '';
      return [`${ind}{`, `${inner}const ${c} = ${f};`, `${inner}visit.call(${c}${get});`, `${inner}visit.call(${f}${get});`, `${ind}}`];
    }
  }
}

function fieldSpec(f: FieldDecl): string {
  switch (f.kind) {
    case 'int':
      return 'field.int()';
    case 'bool':
      return 'field.bool()';
    case 'str':
      return 'field.str()';
    default:
      return `field.${f.kind}()`;
  }
}

/** The fields a clear can release: cells, lists, optional references. */
function releasable(fields: readonly FieldDecl[]): string[] {
  return fields.filter((f) => f.kind === 'cell' || f.kind === 'list' || f.kind === 'optionalRef').map((f) => f.name);
}

/** The correct `clear`: empties every cell and list and every optional reference (but `keeps`). */
function clearLines(fields: readonly FieldDecl[], keeps?: string): string[] {
  const out: string[] = [];
  for (const f of fields) {
    if (f.name === keeps) continue;
    if (f.kind === 'cell' || f.kind === 'list') out.push(`    self.${f.name}.clear();`);
    if (f.kind === 'optionalRef') out.push(`    self.${f.name} = null;`);
  }
  if (!out.length) out.push('    void self;');
  return out;
}

/** The TypeScript source of a program (one pyclass `Fuzz`, exported as `Fuzz`, and `setup`). */
export function printProgram(prog: Program): string {
  const module: ModuleNeeds = { foreign: false, counters: 0, flags: 0 };
  const trav: PrintCtx = { fields: prog.fields, self: 'self', depth: 0, helperForms: prog.helpers.map((h) => h.form), module };
  const lines: string[] = [];
  prog.helpers.forEach((h, i) => {
    const body = block({ ...trav, self: 's' }, h.body, '  ');
    const params = 's: TraverseSelf<typeof fields>, visit: Visit';
    switch (h.form) {
      case 'function':
        lines.push(`function helper${i}(${params}): void {`, ...body, '}', '');
        break;
      case 'arrow':
        lines.push(`const helper${i} = (${params}): void => {`, ...body, '};', '');
        break;
      case 'method':
        lines.push(`class Helper${i} {`, `  static run(${params}): void {`, ...body.map((l) => `  ${l}`), '  }', '}', '');
        break;
      case 'getter':
        lines.push(
          `const helper${i} = {`,
          `  get run(): (${params}) => void {`,
          `    return (${params}): void => {`,
          ...body.map((l) => `    ${l}`),
          '    };',
          '  },',
          '};',
          '',
        );
        break;
      case 'bind':
        lines.push(`function helper${i}Impl(${params}): void {`, ...body, '}', `const helper${i} = helper${i}Impl.bind(null);`, '');
        break;
    }
  });
  const body = block(trav, prog.body, '    ');
  if (prog.traverseForm === 'named') {
    lines.push('function traverseFuzz(self: TraverseSelf<typeof fields>, visit: Visit): undefined {', ...body.map((l) => l.slice(2)), '}', '');
  }
  lines.push("export const Fuzz = pyclass('Fuzz', {", '  fields,');
  if (prog.traverseForm === 'method') lines.push('  traverse(self, visit) {', ...body, '  },');
  else if (prog.traverseForm === 'arrow') lines.push('  traverse: (self, visit) => {', ...body, '  },');
  else lines.push('  traverse: traverseFuzz,');
  if (prog.withClear) lines.push('  clear(self) {', ...clearLines(prog.fields, prog.clearKeeps), '  },');
  lines.push('});', '');
  return [...moduleLines(prog, module), ...lines].join('\n');
}

/** The imports, the module-level state the statements use, `setup()` and the field schema. */
function moduleLines(prog: Program, m: ModuleNeeds): string[] {
  const counters = range(0, m.counters).map((i) => `calls${i}`);
  const flags = range(0, m.flags).map((i) => `flag${i}`);
  const out = [
    `import { GILPool, ${m.foreign ? 'Py' : 'type Py'}, Python, field, pyclass, type RefCell, type RefList, type TraverseSelf, type Visit } from 'traverse-guard';`,
    '',
    '// The interpreter token hazards use, minted by setup() before each collection.',
    'let py!: Python;',
  ];
  if (m.foreign) {
    out.push(
      '// Objects the module holds, not the instance: visiting one is a foreign visit.',
      "const Stash = pyclass('Stash', { fields: {}, derive: true });",
      'let stash: Py | undefined;',
      'const registry: Py[] = [];',
    );
  }
  if (counters.length || flags.length) out.push('// Module state a traverse reads (and changes): what it visits varies between calls.');
  for (const c of counters) out.push(`let ${c} = 0;`);
  for (const f of flags) out.push(`let ${f} = false;`);
  out.push('export function setup(): void {', '  py = Python.assumeGilAcquired();');
  if (m.foreign) out.push('  stash = Py.new(py, Stash, {});', '  registry.length = 0;', '  registry.push(Py.new(py, Stash, {}));');
  for (const c of counters) out.push(`  ${c} = 0;`);
  for (const f of flags) out.push(`  ${f} = false;`);
  out.push('}', '', `const fields = { ${prog.fields.map((f) => `${f.name}: ${fieldSpec(f)}`).join(', ')} };`, '');
  return out;
}
