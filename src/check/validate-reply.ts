// The schema a worker's reply must fit before the parent believes it: sizes and nesting are
// bounded, every field has its type, verdicts are the four known ones. Hand-written (no
// dependency at run time); `validateReply` returns the first problem, or undefined.

import type { WorkerReply } from './worker-protocol.js';

/** Bounds on what a reply may hold. */
export const LIMITS = {
  /** Nesting of any JSON value (checked on the text, before parsing). */
  depth: 48,
  string: 64 * 1024,
  classes: 10_000,
  array: 100_000,
  keys: 10_000,
};

type Check = (v: unknown, at: string) => string | undefined;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const str: Check = (v, at) => (typeof v !== 'string' ? `${at} is not a string` : v.length > LIMITS.string ? `${at} is longer than ${LIMITS.string}` : undefined);
const int: Check = (v, at) => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? undefined : `${at} is not a count`);
const num: Check = (v, at) => (typeof v === 'number' && Number.isFinite(v) ? undefined : `${at} is not a finite number`);
const oneOf =
  (...xs: readonly string[]): Check =>
  (v, at) =>
    typeof v === 'string' && xs.includes(v) ? undefined : `${at} is not one of ${xs.join(', ')}`;
const arrayOf =
  (item: Check, max = LIMITS.array): Check =>
  (v, at) => {
    if (!Array.isArray(v)) return `${at} is not an array`;
    if (v.length > max) return `${at} has more than ${max} items`;
    for (let i = 0; i < v.length; i++) {
      const e = item(v[i], `${at}[${i}]`);
      if (e) return e;
    }
    return undefined;
  };
const recordOf =
  (item: Check): Check =>
  (v, at) => {
    if (!isObj(v)) return `${at} is not an object`;
    const keys = Object.keys(v);
    if (keys.length > LIMITS.keys) return `${at} has more than ${LIMITS.keys} keys`;
    for (const k of keys) {
      const e = str(k, `${at} key`) ?? item(v[k], `${at}.${k}`);
      if (e) return e;
    }
    return undefined;
  };
/** Required fields (`?` suffix: optional); other keys (fields a newer worker adds) must be
 *  bounded JSON. */
const shape =
  (fields: Readonly<Record<string, Check>>): Check =>
  (v, at) => {
    if (!isObj(v)) return `${at} is not an object`;
    const known = new Map(Object.entries(fields).map(([k, c]) => [k.replace(/\?$/, ''), { c, optional: k.endsWith('?') }]));
    const keys = Object.keys(v);
    if (keys.length > LIMITS.keys) return `${at} has more than ${LIMITS.keys} keys`;
    for (const k of keys) {
      if (known.has(k)) continue;
      const e = str(k, `${at} key`) ?? json(v[k], `${at}.${k.slice(0, 40)}`);
      if (e) return e;
    }
    for (const [k, { c, optional }] of known) {
      if (v[k] === undefined) {
        if (!optional) return `${at}.${k} is missing`;
        continue;
      }
      const e = c(v[k], `${at}.${k}`);
      if (e) return e;
    }
    return undefined;
  };
/** Any JSON value (its depth is bounded on the text); strings and arrays within the limits. */
const json: Check = (v, at) => {
  if (v === null || typeof v === 'boolean') return undefined;
  if (typeof v === 'number') return num(v, at);
  if (typeof v === 'string') return str(v, at);
  if (Array.isArray(v)) return arrayOf(json)(v, at);
  if (isObj(v)) return recordOf(json)(v, at);
  return `${at} is not JSON`;
};

const verdict = oneOf('ok', 'error', 'leak', 'corrupt', 'crash');
const fault = shape({
  signal: str,
  code: str,
  address: num,
  access: str,
  where: str,
  message: str,
  backtrace: arrayOf(str, 1_000),
  exitStatus: num,
});
const reproducer = shape({ 'file?': str, class: str, runtime: str, python: str, debug: (v, at) => (typeof v === 'boolean' ? undefined : `${at} is not a boolean`), 'malloc?': str, state: json });
const outcome = shape({ verdict, 'detail?': str, 'operation?': str, 'fault?': fault, 'reproducer?': reproducer, states: int });
const outcomes = recordOf(outcome);
const classResult = shape({ name: str, file: str, line: int, referenceFields: arrayOf(str, 1_000), states: int, outcomes });
const result = shape({ classes: arrayOf(classResult, LIMITS.classes), 'main?': outcomes, runs: int, seconds: num });

/** The deepest nesting of brackets in a JSON text (outside strings). */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) max = Math.max(max, ++depth);
    else if (c === 125 || c === 93) depth--;
  }
  return max;
}

/** Why `v` is not a reply to job `id`, or undefined when it is one. */
export function validateReply(v: unknown, id: number): string | undefined {
  if (!isObj(v)) return 'the reply is not an object';
  if (v.id !== id) return `the reply is for job ${String(v.id).slice(0, 20)}, not ${id}`;
  if (v.ok === true) return shape({ id: int, ok: () => undefined, result })(v, 'reply');
  if (v.ok === false) return shape({ id: int, ok: () => undefined, error: str })(v, 'reply');
  return 'reply.ok is not a boolean';
}

export type { WorkerReply };
