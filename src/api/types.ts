// The type-level guard: field schemas and the views derived from them. A traverse callback
// sees `TraverseSelf<F>` — deeply readonly, reference fields borrowed (no drop, cloneRef,
// take, set, replace, bind, borrowMut) — and a `Visit`, nothing else. `clear` and
// `borrowMut` see the mutable `Instance<F>`.

import type { Interpreter } from './interpreter.js';
import type { Bound, Py } from './py.js';
import type { GILGuard, GILPool, Python } from './python.js';
import type { RefCell } from './ref-cell.js';
import type { RefList } from './ref-list.js';
import type { Visit } from './visit.js';

export type FieldKind = 'ref' | 'optionalRef' | 'cell' | 'list' | 'int' | 'bool' | 'str' | 'value';

/** One declared field. `T` is the referenced class (for reference fields) or the value type. */
export interface FieldSpec<K extends FieldKind = FieldKind, T = unknown> {
  readonly kind: K;
  readonly default?: T;
  /** Phantom: carries T for inference. */
  readonly __type?: (t: T) => T;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- field value types vary per field
export type Fields = { readonly [name: string]: FieldSpec<FieldKind, any> };

declare const BORROWED: unique symbol;
/** A borrowed reference: something to pass to `visit.call`, with no operations of its own. */
export interface Borrowed<T = unknown> {
  readonly [BORROWED]: T;
}

/** What `RefCell#get` hands out inside traverse: a borrow, read-only. */
export interface ReadonlyRefCell<T = unknown> {
  get(): Borrowed<T> | null;
  isEmpty(): boolean;
}

/** A reference list seen from traverse: read and iterate only. */
export interface ReadonlyRefList<T = unknown> {
  readonly length: number;
  at(index: number): Borrowed<T> | undefined;
  [Symbol.iterator](): Iterator<Borrowed<T>>;
  forEach(fn: (item: Borrowed<T>, index: number) => void): void;
  some(fn: (item: Borrowed<T>, index: number) => boolean): boolean;
  every(fn: (item: Borrowed<T>, index: number) => boolean): boolean;
}

export type DeepReadonly<T> = T extends (...args: never[]) => unknown
  ? T
  : // Maps and Sets keep their mutators under a mapped type: use their read-only interfaces.
    T extends ReadonlyMap<infer K, infer V>
    ? ReadonlyMap<DeepReadonly<K>, DeepReadonly<V>>
    : T extends ReadonlySet<infer V>
      ? ReadonlySet<DeepReadonly<V>>
      : T extends object
        ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
        : T;

declare const HIDDEN: unique symbol;
/** A capability (token, guard, pool, interpreter) found in a plain value field, as traverse sees it: opaque. */
export interface HiddenFromTraverse {
  readonly [HIDDEN]: 'not reachable from traverse';
}

/**
 * What traverse sees of a plain `field.value(…)`: deeply readonly, and a reference or capability
 * stored there anyway (the runtime does not know about it) is borrowed or opaque — PyO3's
 * `&T` would not let `__traverse__` drop a `Py` or reach a `Python` either.
 */
export type TraverseValue<T> = T extends Py<infer C>
  ? Borrowed<C>
  : // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any Bound
    T extends Python | Bound<any> | GILGuard | GILPool | Interpreter
    ? HiddenFromTraverse
    : T extends (...args: never[]) => unknown
      ? T
      : T extends ReadonlyMap<infer K, infer V>
        ? ReadonlyMap<TraverseValue<K>, TraverseValue<V>>
        : T extends ReadonlySet<infer V>
          ? ReadonlySet<TraverseValue<V>>
          : T extends object
            ? { readonly [K in keyof T]: TraverseValue<T[K]> }
            : T;

type FieldT<S> = S extends FieldSpec<FieldKind, infer T> ? T : never;

/** The mutable instance (what `clear(self)` and `borrowMut` see). */
export type Instance<F extends Fields> = {
  -readonly [K in keyof F]: F[K]['kind'] extends 'ref'
    ? Py<FieldT<F[K]>>
    : F[K]['kind'] extends 'optionalRef'
      ? Py<FieldT<F[K]>> | null
      : F[K]['kind'] extends 'cell'
        ? RefCell<FieldT<F[K]>>
        : F[K]['kind'] extends 'list'
          ? RefList<FieldT<F[K]>>
          : FieldT<F[K]>;
};

/** The deep readonly, borrowed view a traverse callback receives. */
export type TraverseSelf<F extends Fields> = {
  readonly [K in keyof F]: F[K]['kind'] extends 'ref'
    ? Borrowed<FieldT<F[K]>>
    : F[K]['kind'] extends 'optionalRef'
      ? Borrowed<FieldT<F[K]>> | null
      : F[K]['kind'] extends 'cell'
        ? ReadonlyRefCell<FieldT<F[K]>>
        : F[K]['kind'] extends 'list'
          ? ReadonlyRefList<FieldT<F[K]>>
          : TraverseValue<FieldT<F[K]>>;
};

/** A read-only borrow (`Py#borrow`). */
export type PyRef<F extends Fields> = DeepReadonly<{ [K in keyof F]: Instance<F>[K] extends RefCell<infer T> ? ReadonlyRefCell<T> : Instance<F>[K] extends RefList<infer T> ? ReadonlyRefList<T> : Instance<F>[K] }> & {
  release(): void;
  [Symbol.dispose](): void;
};

/** A mutable borrow (`Py#borrowMut`): released at the end of the enclosing callback or by `release()`. */
export type PyRefMut<F extends Fields> = Instance<F> & {
  release(): void;
  [Symbol.dispose](): void;
};

type RequiredKeys<F extends Fields> = { [K in keyof F]: F[K]['kind'] extends 'ref' ? K : never }[keyof F];
type OptionalKeys<F extends Fields> = Exclude<keyof F, RequiredKeys<F>>;
type InitValue<S> = S extends FieldSpec<infer K, infer T>
  ? K extends 'ref'
    ? Py<T>
    : K extends 'optionalRef' | 'cell'
      ? Py<T> | null
      : K extends 'list'
        ? readonly Py<T>[]
        : T
  : never;

/** What `Py.new(py, Class, init)` takes: reference fields are moved in. */
export type InitOf<F extends Fields> = { [K in RequiredKeys<F>]: InitValue<F[K]> } & {
  [K in OptionalKeys<F>]?: InitValue<F[K]>;
};

declare const TRAVERSE_RULE: unique symbol;
/**
 * Type-level error messages: types that no value has, whose *names* are what the compiler
 * prints when a traverse breaks one of its rules ("… is not assignable to type
 * 'TraverseTakesOnly_self_and_visit'"). Each carries the rule in words as well.
 *
 * The type of the arguments a traverse never receives. A branded type rather than `undefined`:
 * an optional third parameter (`py?: Python`) accepts `undefined` and would slip through.
 */
export interface TraverseTakesOnly_self_and_visit {
  readonly [TRAVERSE_RULE]: 'traverse takes exactly (self, visit): no interpreter token, no third parameter';
}

/** The other half of a traverse's return type (next to `undefined`): no promise, generator or value is one. */
export interface TraverseMustBeSynchronous_and_return_nothing {
  readonly [TRAVERSE_RULE]: 'traverse must be a plain synchronous function that returns nothing: not async, not a generator';
}

/** What `this` is inside a traverse (with `void`): nothing to reach the object through, use `self`. */
export interface TraverseHasNo_this_use_self {
  readonly [TRAVERSE_RULE]: 'traverse gets no `this`: read the object through `self`';
}

/** @deprecated the former name of {@link TraverseTakesOnly_self_and_visit}. */
export type NoThirdParameter = TraverseTakesOnly_self_and_visit;

/**
 * The traverse callback type (PyO3's `fn(&T, PyVisit<'_>) -> Result<(), PyTraverseError>`):
 * no `this` (only `void` is assignable from it), exactly `(self, visit)`, synchronous. The return
 * type is a union (`void | undefined | brand`, the brand only naming the rule in the error), not
 * plain `void`: a promise or generator is assignable to a `void` return but not to a union
 * holding `void`, which rejects `async` and generator functions (TypeScript 5.5 and 6 alike; a
 * plain `undefined | brand` would reject every body without a return before TypeScript 6); the rest parameter of a branded type rejects a third parameter, required or
 * optional (PyO3 #3260: "__traverse__ may not take `Python`").
 */
export type TraverseFn<F extends Fields> = (
  this: void & TraverseHasNo_this_use_self,
  self: TraverseSelf<F>,
  visit: Visit,
  ...noMore: TraverseTakesOnly_self_and_visit[]
) => void | undefined | TraverseMustBeSynchronous_and_return_nothing;

/** What `derive` may ask for. */
export type DeriveSpec = true | 'traverse' | 'clear';

/** `clear(self)` (PyO3's `__clear__(&mut self)`). */
export type ClearFn<F extends Fields> = (this: void, self: Instance<F>) => void;

/** `drop(self)` (PyO3's `impl Drop`, `fn drop(&mut self)`): runs in tp_dealloc before the
 *  fields are dropped. */
export type DropFn<F extends Fields> = (this: void, self: Instance<F>) => void;

export interface PyClassSpec<F extends Fields> {
  readonly fields: F;
  readonly traverse?: TraverseFn<F>;
  readonly clear?: ClearFn<F>;
  /**
   * Generate slots from the field schema (PyO3's `PyGcTraversable`): `true` both traverse and
   * clear, `'traverse'` or `'clear'` that one only (then the other may be hand-written). A
   * derived slot may not also be given. A separate key rather than `traverse: 'derive'`: a
   * union on `traverse` would change the contextual type (and the type errors) of a
   * hand-written traverse.
   */
  readonly derive?: DeriveSpec;
  readonly drop?: DropFn<F>;
}
