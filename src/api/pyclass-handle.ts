// pyclass(name, spec): declares a class (PyO3's `#[pyclass]` + `__traverse__`/`__clear__`)
// and checks it as PyO3's macros would; returns the handle used with `Py.new`.

import { PyClassDefinitionError } from './errors.js';
import { isReferenceField } from './fields.js';
import { deriveClear, deriveTraverse } from './derive.js';
import type { ClearFn, Fields, PyClassSpec, TraverseFn } from './types.js';

declare const CLASS_FIELDS: unique symbol;

export interface PyClass<F extends Fields = Fields> {
  readonly name: string;
  readonly fields: F;
  readonly spec: PyClassSpec<F>;
  /** Names of the reference fields, in declaration order. */
  readonly referenceFields: readonly string[];
  /** Which slots were generated from the schema (`derive`). */
  readonly derived?: { readonly traverse: boolean; readonly clear: boolean };
  /** Source location of the `pyclass(…)` call, for reports. */
  readonly definedAt?: string;
  readonly [CLASS_FIELDS]?: F;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** All classes defined so far in this JavaScript realm, in definition order (for the check). */
export const definedClasses: PyClass[] = [];

export function pyclass<F extends Fields>(name: string, spec: PyClassSpec<F>): PyClass<F> {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new PyClassDefinitionError(`pyclass: '${String(name)}' is not a valid class name`);
  }
  if (!spec || typeof spec !== 'object' || !spec.fields || typeof spec.fields !== 'object') {
    throw new PyClassDefinitionError(`pyclass ${name}: the spec needs a 'fields' object`);
  }
  const referenceFields: string[] = [];
  for (const [k, f] of Object.entries(spec.fields)) {
    if (!f || typeof f !== 'object' || typeof (f as { kind?: unknown }).kind !== 'string') {
      throw new PyClassDefinitionError(`pyclass ${name}: field '${k}' is not a field schema (use field.ref(), field.cell(), …)`);
    }
    if (isReferenceField(f)) referenceFields.push(k);
  }
  if (spec.derive !== undefined && spec.derive !== true && spec.derive !== 'traverse' && spec.derive !== 'clear') {
    throw new PyClassDefinitionError(`pyclass ${name}: derive must be true, 'traverse' or 'clear'`);
  }
  const derived = { traverse: spec.derive === true || spec.derive === 'traverse', clear: spec.derive === true || spec.derive === 'clear' };
  if (derived.traverse && spec.traverse !== undefined) throw new PyClassDefinitionError(`pyclass ${name}: traverse is derived (derive: ${JSON.stringify(spec.derive)}); remove the hand-written one`);
  if (derived.clear && spec.clear !== undefined) throw new PyClassDefinitionError(`pyclass ${name}: clear is derived (derive: ${JSON.stringify(spec.derive)}); remove the hand-written one`);
  // Derived slots are generated here, so every runtime sees plain functions.
  if (derived.traverse || derived.clear) {
    spec = {
      ...spec,
      ...(derived.traverse ? { traverse: deriveTraverse(spec.fields) as unknown as TraverseFn<F> } : {}),
      ...(derived.clear ? { clear: deriveClear(spec.fields) as unknown as ClearFn<F> } : {}),
    };
  }
  if (spec.traverse !== undefined && typeof spec.traverse !== 'function') {
    throw new PyClassDefinitionError(`pyclass ${name}: traverse must be a function`);
  }
  if (spec.clear !== undefined && typeof spec.clear !== 'function') {
    throw new PyClassDefinitionError(`pyclass ${name}: clear must be a function`);
  }
  if (spec.drop !== undefined && typeof spec.drop !== 'function') {
    throw new PyClassDefinitionError(`pyclass ${name}: drop must be a function`);
  }
  if (spec.clear && !spec.traverse) {
    throw new PyClassDefinitionError(`pyclass ${name}: an implementation of clear requires an implementation of traverse`);
  }
  if (referenceFields.length && !spec.traverse) {
    throw new PyClassDefinitionError(
      `pyclass ${name}: it holds references (${referenceFields.join(', ')}) but has no traverse: the garbage collector could never see them`,
    );
  }
  const cls: PyClass<F> = Object.freeze({ name, fields: spec.fields, spec, referenceFields, derived, definedAt: callerLocation() });
  definedClasses.push(cls as unknown as PyClass);
  return cls;
}

function callerLocation(): string | undefined {
  const lines = new Error().stack?.split('\n').slice(1) ?? [];
  for (const l of lines) {
    // "at f (/a dir/x.js:3:5)", "at /a dir/x.js:3:5" or a file URL (percent-encoded).
    const t = l.trim();
    const m = /\((.+):(\d+):\d+\)$/.exec(t) ?? /^at (?:async )?(.+):(\d+):\d+$/.exec(t);
    if (!m) continue;
    const file = m[1].startsWith('file://') ? decodeURIComponent(new URL(m[1]).pathname) : m[1];
    if (/[\\/]src[\\/]api[\\/]|[\\/]dist[\\/]src[\\/]api[\\/]/.test(file) || file.startsWith('node:')) continue;
    return `${file}:${m[2]}`;
  }
  return undefined;
}
