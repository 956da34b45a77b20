// The adversarial heap states a pyclass is collected in, derived from its declared fields
// alone: where each reference field points (young or old, refcount 1 or 2, the instance
// itself, a peer that points back), the primitive field values, whether the instance is
// held from outside or only by its cycle, whether another thread left a deferred decref of a
// young object in the reference pool, and how the collection starts. Primitive fields also
// take the constants the traverse compares them with (value hints, see value-hints.ts),
// combined pairwise so that the count grows with the hints, not as their product. Bounded
// and ordered smallest first, so the first failing state is the smallest reproducer.

import type { FieldKind, Fields } from '../api/index.js';

/** Field → extra values to try besides the defaults (from the traverse's comparisons). */
export type ValueHints = Readonly<Record<string, readonly unknown[]>>;

export type Target = 'none' | 'young-rc1' | 'young-rc2' | 'old-rc1' | 'self' | 'peer';
export type Collection = 'full' | 'gen0' | 'auto';

export interface HeapState {
  /** Reference field → what it points to. */
  readonly refs: Readonly<Record<string, Target>>;
  /** Primitive field → value. */
  readonly values: Readonly<Record<string, unknown>>;
  /** `root`: a reference from outside holds the instance; `garbage`: only its cycle does. */
  readonly held: 'root' | 'garbage';
  /** `pending`: another thread dropped a young object (refcount 1) without the GIL. */
  readonly pool: 'empty' | 'pending';
  readonly collection: Collection;
}

const REF_TARGETS: Readonly<Record<string, readonly Target[]>> = {
  ref: ['young-rc1', 'old-rc1', 'young-rc2', 'self', 'peer'],
  optionalRef: ['none', 'young-rc1', 'old-rc1', 'young-rc2', 'self', 'peer'],
  cell: ['none', 'young-rc1', 'old-rc1', 'young-rc2', 'self', 'peer'],
  list: ['none', 'young-rc1', 'old-rc1', 'young-rc2', 'self', 'peer'],
};

/** How many reference fields leave their plainest target together (any of them, in full). */
const FULL_CROSS = 2;
/**
 * Primitive fields crossed in full (2 values each): they choose the traverse body's path, and
 * a hazard nested under conditions on three fields needs all three set together.
 */
const FULL_CROSS_VALUES = 4;

function primitiveValues(kind: FieldKind, initial: unknown): unknown[] {
  switch (kind) {
    case 'bool':
      return [initial ?? false, !(initial ?? false)];
    case 'int':
      return [initial ?? 0, (initial as number | undefined) === 1 ? 0 : 1];
    case 'str':
      return [initial ?? '', (initial as string | undefined) ? '' : 'x'];
    default:
      return [initial];
  }
}

/**
 * Every combination in which at most `k` fields leave their first (plainest) value: whichever
 * fields they are — a hazard on one field reached through another (a cell taken in a loop
 * over a list needs both non-empty) may involve any two.
 */
function nearPlain<T>(axes: readonly (readonly [string, readonly T[]])[], k: number): Record<string, T>[] {
  const out: Record<string, T>[] = [];
  const go = (i: number, acc: Record<string, T>, left: number) => {
    if (i === axes.length) {
      out.push(acc);
      return;
    }
    const [name, opts] = axes[i];
    go(i + 1, { ...acc, [name]: opts[0] }, left);
    if (left > 0) for (const v of opts.slice(1)) go(i + 1, { ...acc, [name]: v }, left - 1);
  };
  go(0, {}, k);
  return out;
}

/** A cartesian product, the first `cross` fields crossed in full, the rest one at a time. */
function product<T>(axes: readonly (readonly [string, readonly T[]])[], cross: number): Record<string, T>[] {
  const full = axes.slice(0, cross);
  const rest = axes.slice(cross);
  let out: Record<string, T>[] = [{}];
  for (const [name, opts] of full) {
    out = out.flatMap((o) => opts.map((v) => ({ ...o, [name]: v })));
  }
  const base = out.slice();
  for (const [name, opts] of rest) {
    for (const o of base) o[name] = opts[0];
    for (const v of opts.slice(1)) out.push({ ...base[0], [name]: v });
  }
  return out;
}

/** How far a state's heap is from the plainest one: `stateSize` without the primitive values. */
function heapSize(s: HeapState, fields: Fields): number {
  let n = stateSize(s, fields);
  for (const [k, v] of Object.entries(s.values)) if (v !== primitiveValues(fields[k].kind, fields[k].default)[0]) n -= 1;
  return n;
}

/** How far a state is from the plainest one (for smallest-first order). */
export function stateSize(s: HeapState, fields: Fields): number {
  let n = 0;
  for (const [k, t] of Object.entries(s.refs)) {
    const plain = fields[k].kind === 'ref' ? 'young-rc1' : 'none';
    if (t !== plain) n += t === 'young-rc1' ? 1 : 2;
  }
  for (const [k, v] of Object.entries(s.values)) if (v !== primitiveValues(fields[k].kind, fields[k].default)[0]) n += 1;
  if (s.held === 'garbage') n += 1;
  if (s.pool === 'pending') n += 1;
  if (s.collection !== 'full') n += 1;
  return n;
}

/**
 * The explored states: every state whose heap is of size ≤ SMALL (each reference field's
 * deviations alone and in small pairs, with the pool and the collection kind), under every
 * combination of the primitive values (they choose the path through the traverse body: a
 * hazard under `if (self.a) { if (self.b) … }` that needs a pending decref is three
 * dimensions away — found by the fuzz test), then, greedily, whatever else is
 * needed so that every pair of values of any two dimensions occurs together at least once —
 * a field's exact target or value with the holding, the pool, the collection kind or a
 * primitive value; two reference fields by target kind (see pairsOf). Returned smallest
 * first, so the first failing state is the smallest reproducer.
 *
 * Why bounded: the full product grows with the fields (512 states for four reference fields
 * and an int, each run under 5 runtimes × 4 profiles). Every hazard seen to break — a drop
 * of a young object (field → young-rc1 with a full or gen0 collection), a pool applied
 * mid-collection (a pending decref), an allocation during a gen0 collection, a move between
 * two fields (both non-empty) — needs at most two dimensions away from the plainest heap,
 * and a pair of values. `enumerateAllStates` is the unbounded product.
 */
export function enumerateStates(fields: Fields, hints?: ValueHints): HeapState[] {
  const { base, extra } = valueCombos(fields, hints);
  const all = enumerateAllStates(fields, base);
  const chosen = new Set<HeapState>();
  const covered = new Set<string>();
  const cover = (s: HeapState) => {
    for (const p of pairsOf(s)) covered.add(p);
    chosen.add(s);
  };
  // Every path through the body (primitive values, crossed in full) with every small heap, and
  // with each garbage cycle through one reference field (a visit skipped on one path leaks only
  // when the instance sits in an unreachable cycle: found by the fuzz test).
  for (const s of all) if (heapSize(s, fields) <= SMALL || isOneGarbageCycle(s, fields)) cover(s);
  // Greedy all-pairs completion: the state adding the most uncovered pairs, smallest first.
  const pending = all.filter((s) => !chosen.has(s));
  for (;;) {
    let best: HeapState | undefined;
    let gain = 0;
    for (const s of pending) {
      if (chosen.has(s)) continue;
      let g = 0;
      for (const p of pairsOf(s)) if (!covered.has(p)) g++;
      if (g > gain) {
        gain = g;
        best = s;
      }
    }
    if (!best) break;
    cover(best);
  }
  const out = all.filter((s) => chosen.has(s));
  if (!extra.length) return out;
  // The hinted values (each with every other field's values, pairwise) on the heaps one step
  // from the plainest — a value-gated drop, pool or GIL hazard needs no more — and on the
  // garbage cycles through one field (a visit or a release skipped under a value guard only
  // shows as a leak or a wrong clear when the instance sits in an unreachable cycle).
  const hinted = enumerateAllStates(fields, extra).filter((s) => heapSize(s, fields) <= SMALL_HINTED || isOneGarbageCycle(s, fields));
  return [...out, ...hinted]
    .map((s, i) => ({ s, i, size: stateSize(s, fields) }))
    .sort((a, b) => a.size - b.size || a.i - b.i)
    .map((x) => x.s);
}

/** The instance held only by a cycle through one reference field, everything else plainest. */
function isOneGarbageCycle(s: HeapState, fields: Fields): boolean {
  if (s.held !== 'garbage' || s.pool !== 'empty' || s.collection !== 'full') return false;
  let cycles = 0;
  for (const [k, t] of Object.entries(s.refs)) {
    if (t === 'self' || t === 'peer') cycles++;
    else if (t !== (fields[k].kind === 'ref' ? 'young-rc1' : 'none')) return false;
  }
  return cycles === 1;
}

/** States of this size or less are explored under every hinted combination of values. */
const SMALL_HINTED = 1;

/** Every value a field takes in `states`, per primitive field (what the check reports as tried). */
export function valuesTried(states: readonly HeapState[]): Record<string, unknown[]> {
  const out: Record<string, Map<string, unknown>> = {};
  for (const s of states) {
    for (const [k, v] of Object.entries(s.values)) (out[k] ??= new Map()).set(JSON.stringify(v), v);
  }
  return Object.fromEntries(Object.entries(out).map(([k, m]) => [k, [...m.values()]]));
}

/**
 * The combinations of primitive values: `base`, the two plain values of each field crossed in
 * full for the first FULL_CROSS_VALUES fields (as ever), and `extra`, a pairwise covering of
 * the hinted values: every pair (field a = a hinted value, field b = any of its values) occurs
 * in some combination, so each hinted value is tried, and tried with each value of every other
 * field, in a number of combinations that grows with the hints' count, not their product.
 */
export function valueCombos(fields: Fields, hints?: ValueHints): { base: Record<string, unknown>[]; extra: Record<string, unknown>[] } {
  const baseAxes: [string, unknown[]][] = [];
  const fullAxes: [string, unknown[]][] = [];
  const isExtra: Set<string>[] = [];
  for (const [k, f] of Object.entries(fields)) {
    if (REF_TARGETS[f.kind]) continue;
    const b = primitiveValues(f.kind, f.default);
    const keys = new Set(b.map((v) => JSON.stringify(v)));
    const more = (hints?.[k] ?? []).filter((v) => {
      const key = JSON.stringify(v);
      if (keys.has(key)) return false;
      keys.add(key);
      return true;
    });
    baseAxes.push([k, b]);
    fullAxes.push([k, [...b, ...more]]);
    isExtra.push(new Set(more.map((v) => JSON.stringify(v))));
  }
  const base = product(baseAxes, FULL_CROSS_VALUES);
  return { base, extra: pairwiseExtra(fullAxes, isExtra) };
}

/** Greedy pairwise covering of the pairs that involve a hinted value (AETG-style). */
function pairwiseExtra(axes: readonly (readonly [string, readonly unknown[]])[], isExtra: readonly Set<string>[]): Record<string, unknown>[] {
  const key = (i: number, v: unknown) => `${i}=${JSON.stringify(v)}`;
  const pairKey = (i: number, a: unknown, j: number, b: unknown) => (i < j ? `${key(i, a)}|${key(j, b)}` : `${key(j, b)}|${key(i, a)}`);
  const hinted = (i: number, v: unknown) => isExtra[i].has(JSON.stringify(v));
  const uncovered = new Set<string>();
  const todo: [number, unknown, number, unknown][] = [];
  const singles: [number, unknown][] = [];
  for (let i = 0; i < axes.length; i++) {
    for (const a of axes[i][1]) {
      if (hinted(i, a)) singles.push([i, a]);
      for (let j = i + 1; j < axes.length; j++) {
        for (const b of axes[j][1]) {
          if (!hinted(i, a) && !hinted(j, b)) continue;
          uncovered.add(pairKey(i, a, j, b));
          todo.push([i, a, j, b]);
        }
      }
    }
  }
  const out: Record<string, unknown>[] = [];
  const emit = (chosen: unknown[]) => {
    for (let i = 0; i < axes.length; i++) for (let j = i + 1; j < axes.length; j++) uncovered.delete(pairKey(i, chosen[i], j, chosen[j]));
    out.push(Object.fromEntries(axes.map(([name], i) => [name, chosen[i]])));
  };
  for (const [i, a, j, b] of todo) {
    if (!uncovered.has(pairKey(i, a, j, b))) continue;
    const chosen: unknown[] = axes.map(([, vs]) => vs[0]);
    const fixed = new Set([i, j]);
    chosen[i] = a;
    chosen[j] = b;
    for (let k = 0; k < axes.length; k++) {
      if (fixed.has(k)) continue;
      let best = axes[k][1][0];
      let bestGain = -1;
      for (const v of axes[k][1]) {
        let g = 0;
        for (const m of fixed) if (uncovered.has(pairKey(k, v, m, chosen[m]))) g++;
        if (g > bestGain) {
          bestGain = g;
          best = v;
        }
      }
      chosen[k] = best;
      fixed.add(k);
    }
    emit(chosen);
  }
  // A single primitive field: each hinted value alone.
  if (axes.length === 1) for (const [i, a] of singles) emit(axes.map(([, vs], k) => (k === i ? a : vs[0])));
  return out;
}

/** States of this size or less are always explored. */
const SMALL = 2;

/** A target's kind, for pairs of two reference fields: empty, a plain object, or a cycle. */
function coarse(t: Target): string {
  return t === 'none' ? 'empty' : t === 'self' || t === 'peer' ? 'cycle' : 'object';
}

const pairCache = new WeakMap<HeapState, string[]>();
/**
 * The pairs a state covers. Two reference fields pair by target kind (empty, object, cycle):
 * what two fields hold together matters by kind, while a field's exact target (refcount,
 * generation, self or peer) pairs with every other dimension — primitive values, holding,
 * pool and collection.
 */
function pairsOf(s: HeapState): string[] {
  let out = pairCache.get(s);
  if (out) return out;
  const refs = Object.entries(s.refs);
  const others = [
    ...Object.entries(s.values).map(([k, v]) => `val:${k}=${JSON.stringify(v)}`),
    `held=${s.held}`,
    `pool=${s.pool}`,
    `collection=${s.collection}`,
  ];
  out = [];
  for (let i = 0; i < refs.length; i++) {
    for (let j = i + 1; j < refs.length; j++) out.push(`ref:${refs[i][0]}~${coarse(refs[i][1])}|ref:${refs[j][0]}~${coarse(refs[j][1])}`);
    for (const o of others) out.push(`ref:${refs[i][0]}=${refs[i][1]}|${o}`);
  }
  for (let i = 0; i < others.length; i++) for (let j = i + 1; j < others.length; j++) out.push(`${others[i]}|${others[j]}`);
  pairCache.set(s, out);
  return out;
}

/** The full product of the dimensions (with the constraints below) under the given value
 *  combinations (default: the plain values' product), smallest first. */
export function enumerateAllStates(fields: Fields, valCombos: readonly Record<string, unknown>[] = valueCombos(fields).base): HeapState[] {
  const refAxes: [string, readonly Target[]][] = [];
  for (const [k, f] of Object.entries(fields)) {
    const targets = REF_TARGETS[f.kind];
    if (targets) refAxes.push([k, targets]);
  }
  // ⊇ product(refAxes, FULL_CROSS): the first two crossed in full, the rest alone.
  const refCombos = nearPlain(refAxes, FULL_CROSS);
  const out: HeapState[] = [];
  for (const refs of refCombos) {
    const cyclic = Object.values(refs).some((t) => t === 'self' || t === 'peer');
    for (const values of valCombos) {
      for (const held of cyclic ? (['root', 'garbage'] as const) : (['root'] as const)) {
        for (const pool of ['empty', 'pending'] as const) {
          for (const collection of ['full', 'gen0', 'auto'] as const) {
            // Automatic collections are explored on the plainest heaps only.
            if (collection === 'auto' && (held === 'garbage' || Object.values(refs).some((t) => t !== 'young-rc1' && t !== 'none'))) continue;
            out.push({ refs, values, held, pool, collection });
          }
        }
      }
    }
  }
  return out
    .map((s, i) => ({ s, i, size: stateSize(s, fields) }))
    .sort((a, b) => a.size - b.size || a.i - b.i)
    .map((x) => x.s);
}

/** A short human description: "inner→young-rc1, clearOnTraverse=true, pool pending, gen0". */
export function describeState(s: HeapState): string {
  const parts = [
    ...Object.entries(s.refs).map(([k, t]) => `${k}→${t}`),
    ...Object.entries(s.values).map(([k, v]) => `${k}=${JSON.stringify(v)}`),
    s.held === 'garbage' ? 'instance held only by its cycle' : 'instance held from outside',
    s.pool === 'pending' ? 'a young object (refcount 1) pending in the reference pool' : 'pool empty',
    s.collection === 'full' ? 'gc.collect()' : s.collection === 'gen0' ? 'gc.collect(0)' : 'automatic collection',
  ];
  return parts.join(', ');
}
