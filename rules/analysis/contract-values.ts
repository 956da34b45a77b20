// The abstract values and path states the contract analysis (contract-model.ts) computes with:
// what an expression of a traverse or clear denotes (the instance, one of its fields, a cell's
// value, an item of a list walk, the visit capability, something foreign, a constant), the
// nondeterministic sources it depends on, and the per-path record of visits or releases.
import type { TSESTree } from '@typescript-eslint/utils';

import type { FieldKind } from './field-schema.js';

/** Why a visited value does not belong to the instance. */
export type ForeignReason = 'module' | 'captured' | 'fresh' | 'notReference' | 'container' | 'notAField' | 'self';

export type Value =
  | { readonly k: 'self' }
  | { readonly k: 'field'; readonly name: string; readonly kind: FieldKind }
  | { readonly k: 'cellValue'; readonly name: string }
  /** An item of list `name` inside walk number `walk` (a for…of, forEach or index loop). */
  | { readonly k: 'item'; readonly name: string; readonly walk: number }
  /** `self.items.at(k)` outside a walk: one item (`index` "?" when not a constant). */
  | { readonly k: 'itemAt'; readonly name: string; readonly index: string }
  /** `self.items.length` (for emptiness guards). */
  | { readonly k: 'length'; readonly name: string }
  | { readonly k: 'visit' }
  | { readonly k: 'foreign'; readonly reason: ForeignReason; readonly text: string }
  | { readonly k: 'array'; readonly elements: readonly Value[] }
  | { readonly k: 'function'; readonly fn: TSESTree.Node }
  /** An index variable of a `for (let i = 0; i < self.items.length; i++)` walk. */
  | { readonly k: 'index'; readonly name: string; readonly walk: number }
  | { readonly k: 'null' }
  /** A value that is not a reference; `lit` when it is a known primitive (folded in conditions). */
  | { readonly k: 'const'; readonly lit?: string | number | boolean }
  | { readonly k: 'unknown' };

/** The completion key of a path that may have visited (or released) anything. */
export const ANY = '*';

export const UNKNOWN: Value = { k: 'unknown' };
export const CONST: Value = { k: 'const' };

/** Something that is neither the instance's fields nor a constant. */
export interface Taint {
  readonly text: string;
  readonly why: string;
}

export interface Evaluated {
  readonly value: Value;
  readonly taint: readonly Taint[];
}

/** A decision (condition, loop test, switch) that depends on a nondeterministic source. */
export interface Decision {
  readonly node: TSESTree.Node;
  readonly taint: readonly Taint[];
  /** Where the rule reports it in the linted file, and the helpers in between. */
  readonly site: TSESTree.Node;
  readonly chain: readonly string[];
}

/** One visit (or, for clear, one release) as first seen on a path. */
export interface Event {
  readonly node: TSESTree.Node;
  readonly site: TSESTree.Node;
  readonly chain: readonly string[];
  readonly line: number;
}

/** The record of one path: what it surely did (`must`), what it may have done (`may`). */
export class State {
  constructor(
    /** Completion keys: field names done on every path (ANY: anything may have been visited). */
    readonly must: Set<string>,
    /** Event keys (`v:f`, `w:f`, `i:f:k`, `it:f:w`) seen on some path, with the first event. */
    readonly may: Map<string, Event>,
    /** Tainted decisions this point is control-dependent on. */
    readonly deps: Set<Decision>,
  ) {}

  static initial(): State {
    return new State(new Set(), new Map(), new Set());
  }

  clone(): State {
    return new State(new Set(this.must), new Map(this.may), new Set(this.deps));
  }
}

function intersect(a: ReadonlySet<string>, b: ReadonlySet<string>): Set<string> {
  if (a.has(ANY)) return new Set(b);
  if (b.has(ANY)) return new Set(a);
  return new Set([...a].filter((key) => b.has(key)));
}

/** The join of paths (null: unreachable). */
export function join(states: readonly (State | null | undefined)[]): State | null {
  const live = states.filter((s): s is State => !!s);
  if (live.length === 0) return null;
  const out = live[0]!.clone();
  let must: Set<string> = out.must;
  for (const other of live.slice(1)) {
    must = intersect(must, other.must);
    for (const [key, event] of other.may) if (!out.may.has(key)) out.may.set(key, event);
    for (const dep of other.deps) out.deps.add(dep);
  }
  return new State(must, out.may, out.deps);
}

/** How a statement finished: normally, or by break/continue/return (throw paths are dropped). */
export interface Completion {
  normal: State | null;
  breaks: State[];
  continues: State[];
  returns: State[];
  /** Values returned (for helpers whose result is used). */
  values: Evaluated[];
}

export const completion = (normal: State | null): Completion => ({ normal, breaks: [], continues: [], returns: [], values: [] });

/** One value for two paths' values: the same value, two constants (their literal if equal), else null. */
export function mergeValues(a: Value, b: Value): Value | null {
  if (a.k === 'const' && b.k === 'const') return a.lit === b.lit ? a : CONST;
  return sameValue(a, b) ? a : null;
}

function sameValue(a: Value, b: Value): boolean {
  return JSON.stringify(a, (key, v: unknown) => (key === 'fn' ? undefined : v)) === JSON.stringify(b, (key, v: unknown) => (key === 'fn' ? undefined : v));
}
