// The field schema: how a pyclass declares what it holds, so the runtime knows every
// reference an instance owns and the check can build heaps of any class without a driver.

import type { FieldSpec } from './types.js';

export const field = {
  /** An immutable owned reference, set at construction (Rust `Py<T>`). */
  ref: <T = unknown>(): FieldSpec<'ref', T> => ({ kind: 'ref' }),
  /** An immutable optional reference (Rust `Option<Py<T>>`). */
  optionalRef: <T = unknown>(): FieldSpec<'optionalRef', T> => ({ kind: 'optionalRef' }),
  /** A mutable reference (Rust `RefCell<Option<Py<T>>>`). */
  cell: <T = unknown>(): FieldSpec<'cell', T> => ({ kind: 'cell' }),
  /** A list of owned references (Rust `Vec<Py<T>>`). */
  list: <T = unknown>(): FieldSpec<'list', T> => ({ kind: 'list' }),
  int: (initial = 0): FieldSpec<'int', number> => ({ kind: 'int', default: initial }),
  bool: (initial = false): FieldSpec<'bool', boolean> => ({ kind: 'bool', default: initial }),
  str: (initial = ''): FieldSpec<'str', string> => ({ kind: 'str', default: initial }),
  /** Any plain (non-Python) value. */
  value: <T>(initial: T): FieldSpec<'value', T> => ({ kind: 'value', default: initial }),
} as const;

export const REFERENCE_KINDS = new Set(['ref', 'optionalRef', 'cell', 'list']);

export function isReferenceField(spec: FieldSpec): boolean {
  return REFERENCE_KINDS.has(spec.kind);
}
