// Code templates for the contract rules' tests: a `pyclass` with given fields, traverse body,
// optional clear body and lines before/after (traverse body line 1 is file line 5 when
// nothing comes before), plus the untyped and typed testers of harness.ts.
import { IMPORTS } from './harness.js';

export interface ClassParts {
  readonly fields?: string;
  readonly clear?: readonly string[];
  readonly before?: readonly string[];
  readonly after?: readonly string[];
}

export const REF_FIELDS = 'a: field.ref(), b: field.optionalRef(), c: field.cell(), items: field.list(), n: field.int(), flag: field.bool()';

/** Visits of every reference field of REF_FIELDS. */
export const VISIT_ALL = ['visit.call(self.a);', 'visit.call(self.b);', 'visit.call(self.c.get());', 'for (const x of self.items) visit.call(x);'];

export function cls(body: readonly string[], parts: ClassParts = {}): string {
  return [
    IMPORTS,
    ...(parts.before ?? []),
    "pyclass('Node', {",
    `  fields: { ${parts.fields ?? REF_FIELDS} },`,
    '  traverse(self, visit) {',
    ...body.map((line) => `    ${line}`),
    '  },',
    ...(parts.clear ? ['  clear(self) {', ...parts.clear.map((line) => `    ${line}`), '  },'] : []),
    '});',
    ...(parts.after ?? []),
  ].join('\n');
}

/** One reference field `a` (and plain `n`, `flag`): most single-field cases. */
export const ONE = 'a: field.ref(), n: field.int(), flag: field.bool()';
