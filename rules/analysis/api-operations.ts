// The API operations the rules know, by name only (docs/api-names.md): which static paths and
// which instance methods acquire the GIL, drop a reference, create a pool or need an interpreter.

import { API_READ_METHODS } from './api-methods.js';

export type Category = 'gil' | 'drop' | 'pool' | 'interpreter' | 'unknown';

/** Names exported from `traverse-guard` that the analysis tracks through imports. */
export const API_EXPORTS: ReadonlySet<string> = new Set([
  'Python',
  'GILGuard',
  'GILPool',
  'Py',
  'RefCell',
  'RefList',
  'pyclass',
  'field',
  'Visit',
  'TraverseError',
  'TraverseGilError',
  'spawnThread',
  'gc',
  'Interpreter',
  'TraverseFn',
  'TraverseSelf',
  'Bound',
  'PyRef',
  'PyRefMut',
]);

export interface OperationKind {
  readonly category: Category;
  /** How the message names the operation, e.g. "Python.withGil". */
  readonly display: string;
  /** For GIL operations: what happens to the GIL. */
  readonly effect?: 'acquires' | 'releases';
}

/** Calls through an imported API value, keyed by the dotted path from the export. */
export const STATIC_CALLS: ReadonlyMap<string, OperationKind> = new Map([
  ['Python.withGil', { category: 'gil', display: 'Python.withGil', effect: 'acquires' }],
  ['Python.attach', { category: 'gil', display: 'Python.attach', effect: 'acquires' }],
  ['Python.acquireGil', { category: 'gil', display: 'Python.acquireGil', effect: 'acquires' }],
  ['Python.assumeGilAcquired', { category: 'gil', display: 'Python.assumeGilAcquired', effect: 'acquires' }],
  ['Python.withPool', { category: 'pool', display: 'Python.withPool' }],
  ['Py.new', { category: 'interpreter', display: 'Py.new' }],
]);

/** `new X()` of an imported API class. */
export const CONSTRUCTIONS: ReadonlyMap<string, OperationKind> = new Map([
  ['GILPool', { category: 'pool', display: 'new GILPool()' }],
  ['Interpreter', { category: 'interpreter', display: 'new Interpreter()' }],
]);

export interface InstanceOperationKind extends OperationKind {
  /** API classes that own the method (checked with type information). */
  readonly owners: readonly string[];
  /** Without types, count the call only on a receiver reached from `self` (or a helper parameter). */
  readonly onlyOnSelf: boolean;
}

function instance(
  category: Exclude<Category, 'unknown'>,
  display: string,
  owners: string[],
  onlyOnSelf: boolean,
  effect?: OperationKind['effect'],
): InstanceOperationKind {
  return effect ? { category, display, owners, onlyOnSelf, effect } : { category, display, owners, onlyOnSelf };
}

/** Method calls recognised by name on any receiver (confirmed by its type when available). */
export const INSTANCE_CALLS: ReadonlyMap<string, InstanceOperationKind> = new Map([
  ['allowThreads', instance('gil', 'py.allowThreads', ['Python'], false, 'releases')],
  ['detach', instance('gil', 'py.detach', ['Python'], false, 'releases')],
  ['release', instance('gil', 'GILGuard#release', ['GILGuard'], false, 'releases')],
  ['newPool', instance('pool', 'py.newPool', ['Python'], false)],
  ['drop', instance('drop', '.drop()', ['Py', 'GILPool'], false)],
  ['Symbol.dispose', instance('drop', '[Symbol.dispose]()', ['Py', 'GILPool'], false)],
  ['set', instance('drop', '.set()', ['RefCell', 'RefList'], true)],
  ['replace', instance('drop', '.replace()', ['RefCell'], true)],
  ['take', instance('drop', '.take()', ['RefCell'], true)],
  ['clear', instance('drop', '.clear()', ['RefCell', 'RefList'], true)],
  ['pop', instance('drop', '.pop()', ['RefList'], true)],
  ['splice', instance('drop', '.splice()', ['RefList'], true)],
  ['cloneRef', instance('interpreter', '.cloneRef()', ['Py'], false)],
  ['borrow', instance('interpreter', '.borrow()', ['Py'], false)],
  ['borrowMut', instance('interpreter', '.borrowMut()', ['Py'], false)],
  ['bind', instance('interpreter', '.bind()', ['Py'], true)],
  ['refcnt', instance('interpreter', '.refcnt()', ['Py', 'Bound'], true)],
  ['unbind', instance('interpreter', '.unbind()', ['Bound'], false)],
  ['isTracked', instance('interpreter', '.isTracked()', ['Bound'], true)],
]);

/** Globals that write a property of their first argument. */
export const PROPERTY_WRITERS: ReadonlySet<string> = new Set([
  'Object.assign',
  'Object.defineProperty',
  'Object.defineProperties',
  'Reflect.set',
  'Reflect.deleteProperty',
  'Reflect.defineProperty',
]);

/** API classes whose values are owned references (a location holding one is a reference). */
export const REFERENCE_CLASSES: ReadonlySet<string> = new Set([
  'Py',
  'RefCell',
  'RefList',
  'GILPool',
  'Bound',
  // The borrowed views a traverse sees of reference fields.
  'Borrowed',
  'ReadonlyRefCell',
  'ReadonlyRefList',
]);

/** GIL entry points whose callback receives an interpreter token. */
export const TOKEN_CALLBACKS: ReadonlySet<string> = new Set([
  'Python.withGil',
  'Python.attach',
  'Python.withPool',
]);

/** Calls that are safe during a traverse in `strict` unknown-call checking: the API's read-only methods, and common reads. */
export const SAFE_METHODS: ReadonlySet<string> = new Set([
  ...API_READ_METHODS,
  'get',
  'at',
  'isDropped',
  'has',
  'includes',
  'indexOf',
  'lastIndexOf',
  'keys',
  'values',
  'entries',
  'toString',
  'valueOf',
  'slice',
  'concat',
  'join',
  'charAt',
  'charCodeAt',
  'startsWith',
  'endsWith',
  'trim',
  'padStart',
  'padEnd',
]);

export const SAFE_GLOBALS: ReadonlySet<string> = new Set([
  'Math',
  'Number',
  'String',
  'Boolean',
  'BigInt',
  'Array.isArray',
  'Object.keys',
  'Object.values',
  'Object.entries',
  'Object.is',
  'JSON.stringify',
  'console',
]);
