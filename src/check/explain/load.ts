// Loading what explain replays: the user's TypeScript file (compiled like the check does, then
// imported in this process, its `traverse-guard` import bound to this package's compiled API in
// dist/), the scenario (its `main`, or a class in an adversarial heap state from a check
// reproducer), and validation of reproducers and states with messages fit for exit code 2.

import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type * as Api from '../../api/index.js';
import type { PyClass } from '../../api/pyclass-handle.js';
import { CompileError, PACKAGE_ROOT, compileForWorker } from '../compile.js';
import type { Reproducer } from '../explore.js';
import type * as Explore from '../explore.js';
import type { HeapState, Target } from '../states.js';

/** Bad input: the CLI prints the message and exits 2. */
export class ExplainInputError extends Error {}

const DIST = join(PACKAGE_ROOT, 'dist', 'src');

/** The compiled modules a user file's imports resolve to (one copy of the API per process). */
export interface DistModules {
  readonly api: typeof Api;
  readonly definedClasses: readonly PyClass[];
  readonly buildAndCollect: (cls: PyClass, state: HeapState) => void;
  /** The check's exploration, bound to the same API copy as the user's classes. */
  readonly explore: Pick<typeof Explore, 'exploreClass' | 'explorationStates'>;
}

export async function loadDist(): Promise<DistModules> {
  const apiPath = join(DIST, 'api', 'index.js');
  if (!existsSync(apiPath)) throw new ExplainInputError(`the compiled API is missing (${apiPath}): run \`npm run build\``);
  const api = (await import(pathToFileURL(apiPath).href)) as typeof Api;
  const handle = (await import(pathToFileURL(join(DIST, 'api', 'pyclass-handle.js')).href)) as { definedClasses: PyClass[] };
  const builder = (await import(pathToFileURL(join(DIST, 'check', 'heap-builder.js')).href)) as Pick<DistModules, 'buildAndCollect'>;
  const explore = (await import(pathToFileURL(join(DIST, 'check', 'explore.js')).href)) as DistModules['explore'];
  return { api, definedClasses: handle.definedClasses, buildAndCollect: builder.buildAndCollect, explore };
}

export interface LoadedFile {
  readonly main?: () => unknown;
  /** The file's exported `setup()`, run as Python code on a fresh interpreter before a class state. */
  readonly setup?: () => unknown;
  /** Classes the file (and the local files it imports) defined, entry file's first. */
  readonly classes: readonly PyClass[];
}

/** Compiles and imports `file`; user console output goes to stderr (stdout is the report). */
export async function loadUserFile(file: string, dist: DistModules): Promise<LoadedFile> {
  const abs = resolve(file);
  if (!existsSync(abs)) throw new ExplainInputError(`no such file: ${file}`);
  let compiled;
  try {
    compiled = compileForWorker(abs);
  } catch (e) {
    if (e instanceof CompileError) throw new ExplainInputError(e.message);
    throw e;
  }
  process.setSourceMapsEnabled(true);
  const before = dist.definedClasses.length;
  let mod: { main?: unknown; setup?: unknown };
  try {
    mod = (await import(pathToFileURL(compiled.entry).href)) as { main?: unknown; setup?: unknown };
  } catch (e) {
    throw new ExplainInputError(`failed to load ${file}: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  } finally {
    rmSync(compiled.dir, { recursive: true, force: true });
  }
  const mine = dist.definedClasses.slice(before);
  const inEntry = (c: PyClass) => {
    const at = (c.definedAt ?? '').replace(/:\d+$/, '');
    return (at.startsWith('file://') ? fileURLToPath(at) : at) === abs;
  };
  return {
    main: typeof mod.main === 'function' ? (mod.main as () => unknown) : undefined,
    setup: typeof mod.setup === 'function' ? (mod.setup as () => unknown) : undefined,
    classes: [...mine.filter(inEntry), ...mine.filter((c) => !inEntry(c))],
  };
}

/** `--reproducer`: inline JSON, or a path to a JSON file. */
export function parseReproducer(text: string): Partial<Reproducer> & { class: string; state: unknown } {
  let raw = text.trim();
  if (!raw.startsWith('{')) {
    if (!existsSync(raw)) throw new ExplainInputError(`--reproducer: neither JSON nor an existing file: ${text}`);
    raw = readFileSync(raw, 'utf8');
  }
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch (e) {
    throw new ExplainInputError(`--reproducer: bad JSON: ${(e as Error).message}`);
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new ExplainInputError('--reproducer: expected an object {class, state, runtime?, python?, debug?, malloc?, file?}');
  const r = v as Record<string, unknown>;
  if (typeof r.class !== 'string') throw new ExplainInputError('--reproducer: "class" must be a string');
  if (r.runtime !== undefined && typeof r.runtime !== 'string') throw new ExplainInputError('--reproducer: "runtime" must be a string');
  if (r.python !== undefined && typeof r.python !== 'string') throw new ExplainInputError('--reproducer: "python" must be a string');
  if (r.debug !== undefined && typeof r.debug !== 'boolean') throw new ExplainInputError('--reproducer: "debug" must be a boolean');
  if (r.malloc !== undefined && r.malloc !== 'pymalloc' && r.malloc !== 'debug') throw new ExplainInputError('--reproducer: "malloc" must be "pymalloc" or "debug"');
  if (r.state === undefined) throw new ExplainInputError('--reproducer: "state" is missing');
  return r as Partial<Reproducer> & { class: string; state: unknown };
}

/** `--state`: inline JSON. */
export function parseStateJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ExplainInputError(`--state: bad JSON: ${(e as Error).message}`);
  }
}

const TARGETS: readonly Target[] = ['none', 'young-rc1', 'young-rc2', 'old-rc1', 'self', 'peer'];

function oneOf<T extends string>(v: unknown, allowed: readonly T[], what: string, dflt: T): T {
  if (v === undefined) return dflt;
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw new ExplainInputError(`state: ${what} must be one of ${allowed.join(', ')} (got ${JSON.stringify(v)})`);
  }
  return v as T;
}

/** Checks a heap state against the class's fields; omitted parts take the plainest value. */
export function validateState(cls: PyClass, v: unknown): HeapState {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new ExplainInputError('state: expected an object {refs, values, held, pool, collection}');
  const s = v as Record<string, unknown>;
  for (const k of Object.keys(s)) {
    if (!['refs', 'values', 'held', 'pool', 'collection'].includes(k)) throw new ExplainInputError(`state: unknown key '${k}' (refs, values, held, pool, collection)`);
  }
  const refsIn = (s.refs ?? {}) as Record<string, unknown>;
  const valuesIn = (s.values ?? {}) as Record<string, unknown>;
  if (typeof refsIn !== 'object' || Array.isArray(refsIn)) throw new ExplainInputError('state: refs must be an object');
  if (typeof valuesIn !== 'object' || Array.isArray(valuesIn)) throw new ExplainInputError('state: values must be an object');
  const refs: Record<string, Target> = {};
  for (const k of Object.keys(refsIn)) {
    if (!cls.referenceFields.includes(k)) throw new ExplainInputError(`state: ${cls.name} has no reference field '${k}' (has: ${cls.referenceFields.join(', ') || 'none'})`);
  }
  for (const k of cls.referenceFields) {
    const kind = cls.fields[k].kind;
    const allowed = kind === 'ref' ? TARGETS.filter((t) => t !== 'none') : TARGETS;
    refs[k] = oneOf(refsIn[k], allowed, `refs.${k}`, kind === 'ref' ? 'young-rc1' : 'none');
  }
  const values: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(valuesIn)) {
    const f = cls.fields[k];
    if (!f || cls.referenceFields.includes(k)) {
      const plain = Object.keys(cls.fields).filter((n) => !cls.referenceFields.includes(n));
      throw new ExplainInputError(`state: ${cls.name} has no plain field '${k}' (has: ${plain.join(', ') || 'none'})`);
    }
    const want = f.kind === 'int' ? 'number' : f.kind === 'bool' ? 'boolean' : f.kind === 'str' ? 'string' : undefined;
    if (want && typeof val !== want) throw new ExplainInputError(`state: values.${k} must be a ${want} (field.${f.kind}), got ${JSON.stringify(val)}`);
    values[k] = val;
  }
  return {
    refs,
    values,
    held: oneOf(s.held, ['root', 'garbage'] as const, 'held', 'root'),
    pool: oneOf(s.pool, ['empty', 'pending'] as const, 'pool', 'empty'),
    collection: oneOf(s.collection, ['full', 'gen0', 'auto'] as const, 'collection', 'full'),
  };
}
