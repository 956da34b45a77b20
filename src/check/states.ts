// The adversarial heap states a pyclass is collected in, derived from its declared fields
// alone: where each reference field points (young or old, refcount 1 or 2, the instance
// itself, a peer that points back), the primitive field values, whether the instance is
// held from outside or only by its cycle, whether another thread left a deferred decref of a
// young object in the reference pool, and how the collection starts. Bounded and ordered
// smallest first, so the first failing state is the smallest reproducer.

import type { FieldKind, Fields } from '../api/index.js';

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

/** Fields crossed in full; beyond this, extra fields vary one at a time. */
const FULL_CROSS = 2;

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

/** A cartesian product, first fields crossed in full, the rest one at a time. */
function product<T>(axes: readonly (readonly [string, readonly T[]])[]): Record<string, T>[] {
  const full = axes.slice(0, FULL_CROSS);
  const rest = axes.slice(FULL_CROSS);
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

export function enumerateStates(fields: Fields): HeapState[] {
  const refAxes: [string, readonly Target[]][] = [];
  const valAxes: [string, readonly unknown[]][] = [];
  for (const [k, f] of Object.entries(fields)) {
    const targets = REF_TARGETS[f.kind];
    if (targets) refAxes.push([k, targets]);
    else valAxes.push([k, primitiveValues(f.kind, f.default)]);
  }
  const refCombos = product(refAxes);
  const valCombos = product(valAxes);
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
