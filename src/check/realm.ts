// A fresh JavaScript realm per checked file (in the worker). The file and its local imports run
// in a `vm` context of their own: they may patch its globals and prototypes (a polyfill, or an
// attack) without touching the worker's realm, where the harness and the simulator run with
// frozen intrinsics (the worker starts with --frozen-intrinsics and without code generation from
// strings, so no function reached through an API object can compile code there). The realm
// sees the API as frozen objects; each module gets its own `pyclass`, bound to that module's
// file, so a class is attributed to the file whose code created it — at load or later through
// a factory — by construction. Timers the file leaves die with its realm.

import vm from 'node:vm';
import type { PyClass } from '../api/pyclass-handle.js';
import type { ModuleGraph } from './module-graph.js';

/** The API modules the realm may import, already hardened (see hardenApi). */
export interface RealmApi {
  readonly 'traverse-guard': Readonly<Record<string, unknown>>;
  readonly 'traverse-guard/simulator': Readonly<Record<string, unknown>>;
}

export interface DefinedClass {
  readonly cls: PyClass;
  /** The source file (real path) of the module that called pyclass. */
  readonly file: string;
  /** The line of the `pyclass(` call, when the call was a direct one (module-graph.ts). */
  readonly line?: number;
}

export interface LoadedRealm {
  readonly exports: Readonly<Record<string, unknown>>;
  readonly classes: readonly DefinedClass[];
  /** Ends the realm: clears its timers; later timer calls are ignored. */
  dispose(): void;
}

/** Where the realm's console goes (the worker caps it). */
export type ConsoleSink = (stream: 'stdout' | 'stderr', text: string) => void;

/** Freezes the API objects handed to checked code: their functions, prototypes and nested
 *  objects (instances made later stay the caller's own). Call once, before any user code. */
export function hardenApi<T extends object>(ns: T): T {
  const seen = new Set<unknown>();
  const walk = (v: unknown) => {
    if ((typeof v !== 'object' && typeof v !== 'function') || v === null || seen.has(v)) return;
    seen.add(v);
    // Collections keep working frozen (their contents live in internal slots).
    Object.freeze(v);
    for (const key of Reflect.ownKeys(v)) {
      const d = Object.getOwnPropertyDescriptor(v, key);
      if (!d) continue;
      walk(d.value);
      walk(d.get);
      walk(d.set);
    }
    walk(Object.getPrototypeOf(v));
  };
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(ns)) out[key] = (ns as Record<string, unknown>)[key];
  walk(out);
  return out as T;
}

function describe(e: unknown): string {
  if (e && (typeof e === 'object' || typeof e === 'function')) {
    try {
      const name = String((e as { name?: unknown }).name ?? 'Error');
      const message = String((e as { message?: unknown }).message ?? '');
      return `${name}: ${message}`;
    } catch {
      return 'an exception that could not be described';
    }
  }
  return String(e);
}

/** Loads the graph's entry in a new realm. Rejects with the file's load error. */
export async function loadInRealm(graph: ModuleGraph, api: RealmApi, out: ConsoleSink, helpers?: vm.Script): Promise<LoadedRealm> {
  let alive = true;
  // The realm gets numbers for its timers, never the worker's timer objects.
  const timers = new Map<number, { clear: () => void }>();
  let nextTimer = 1;
  const guard = (cb: unknown, args: unknown[]) => () => {
    if (!alive || typeof cb !== 'function') return;
    try {
      (cb as (...a: unknown[]) => void)(...args);
    } catch {
      // A throwing timer callback is the file's own business.
    }
  };
  const track = (clear: () => void): number => {
    const id = nextTimer++;
    timers.set(id, { clear });
    return id;
  };
  const timeout = (repeat: boolean) => (cb: unknown, ms?: unknown, ...args: unknown[]) => {
    if (!alive) return 0;
    const delay = Math.max(0, Number(ms) || 0);
    if (repeat) {
      const t = setInterval(guard(cb, args), delay);
      return track(() => clearInterval(t));
    }
    let id = 0;
    const t = setTimeout(() => {
      timers.delete(id);
      guard(cb, args)();
    }, delay);
    id = track(() => clearTimeout(t));
    return id;
  };
  const clearTimer = (id: unknown) => {
    const t = timers.get(id as number);
    if (!t) return;
    timers.delete(id as number);
    t.clear();
  };
  const log = (stream: 'stdout' | 'stderr') => (...a: unknown[]) => {
    if (!alive) return;
    out(stream, `${a.map((x) => (typeof x === 'string' ? x : describe(x))).join(' ')}\n`);
  };
  const sandbox = {
    console: Object.freeze({ log: log('stdout'), info: log('stdout'), debug: log('stdout'), warn: log('stderr'), error: log('stderr'), trace: log('stderr') }),
    setTimeout: timeout(false),
    setInterval: timeout(true),
    setImmediate: (cb: unknown, ...args: unknown[]) => {
      if (!alive) return 0;
      let id = 0;
      const t = setImmediate(() => {
        timers.delete(id);
        guard(cb, args)();
      });
      id = track(() => clearImmediate(t));
      return id;
    },
    clearTimeout: clearTimer,
    clearInterval: clearTimer,
    clearImmediate: clearTimer,
    queueMicrotask: (cb: unknown) => {
      if (alive && typeof cb === 'function') queueMicrotask(guard(cb, []));
    },
  };
  const context = vm.createContext(sandbox, { name: 'checked file', codeGeneration: { strings: true, wasm: false } });
  // Node adds Symbol.dispose and Symbol.asyncDispose to its own realm only; `using` in the
  // file must name the same symbols as the API's disposables (symbols cross realms unchanged).
  const shareSymbols = vm.runInContext(
    `(d, a) => { for (const [k, v] of [['dispose', d], ['asyncDispose', a]]) if (typeof Symbol[k] !== 'symbol' && typeof v === 'symbol') Object.defineProperty(Symbol, k, { value: v }); }`,
    context,
  ) as (d: symbol, a: symbol) => void;
  shareSymbols(Symbol.dispose, Symbol.asyncDispose);
  helpers?.runInContext(context);
  const makeModule = vm.runInContext('(() => ({ exports: {} }))', context) as () => { exports: Record<string, unknown> };
  const classes: DefinedClass[] = [];
  const realPyclass = api['traverse-guard'].pyclass as (name: string, spec: unknown) => PyClass;
  const cache = new Map<string, { exports: Record<string, unknown> }>();
  const pending: Promise<unknown>[] = [];

  const load = (file: string): Record<string, unknown> => {
    const hit = cache.get(file);
    if (hit) return hit.exports;
    const m = graph.modules[file];
    if (!m) throw new Error(`module ${file} was not compiled`);
    const module = makeModule();
    cache.set(file, module);
    // This module's pyclass: every class it makes is the module's, whoever calls it later.
    const pyclass = (name: string, spec: unknown, line?: number): PyClass => {
      const cls = realPyclass(name, spec);
      classes.push({ cls, file, line });
      return cls;
    };
    const perModule = Object.freeze({ ...api['traverse-guard'], pyclass: (name: string, spec: unknown) => pyclass(name, spec) });
    const modulePyclass = perModule.pyclass;
    const site = (line: unknown, callee: unknown) =>
      callee === modulePyclass && typeof line === 'number' ? (name: string, spec: unknown) => pyclass(name, spec, line) : callee;
    const require = (spec: unknown) => {
      const target = typeof spec === 'string' ? m.requires[spec] : undefined;
      if (!target) throw new Error(`cannot import ${String(spec)} here: a checked file may import only traverse-guard and its own relative files`);
      if (target.kind === 'refused') throw new Error(target.reason);
      if (target.kind === 'api') return target.name === 'traverse-guard' ? perModule : api['traverse-guard/simulator'];
      return load(target.file);
    };
    const dir = file.slice(0, Math.max(0, file.lastIndexOf('/')));
    const params = '(exports, require, module, __filename, __dirname, __tg_site)';
    let fn: (...a: unknown[]) => unknown;
    try {
      fn = new vm.Script(`(function ${params} {${m.code}\n})`, { filename: file }).runInContext(context) as typeof fn;
    } catch (e) {
      // Top-level await: the module body becomes an async function.
      if (!(e instanceof SyntaxError) || !/await/.test(e.message)) throw e;
      fn = new vm.Script(`(async function ${params} {${m.code}\n})`, { filename: file }).runInContext(context) as typeof fn;
    }
    const r = fn.call(module.exports, module.exports, require, module, file, dir, site);
    if (r && typeof (r as Promise<unknown>).then === 'function') pending.push(Promise.resolve(r));
    return module.exports;
  };

  try {
    const exports = load(graph.entry);
    for (let i = 0; i < pending.length; i++) await pending[i];
    return {
      exports,
      classes,
      dispose() {
        alive = false;
        for (const id of [...timers.keys()]) clearTimer(id);
      },
    };
  } catch (e) {
    alive = false;
    for (const id of [...timers.keys()]) clearTimer(id);
    throw new Error(describe(e));
  }
}
