// The isolated worker: takes checked files one at a time (a JSON job per stdin line, after a
// first line with the worker's secret), loads each in a realm of its own (realm.ts), explores
// the pyclasses that file's modules created against adversarial heaps (and runs its `main`
// scenario), and answers on the result channel (fd 3) with the secret: progress, the result,
// and `done` once the realm is gone. Started by isolate.ts with frozen intrinsics, no code
// generation from strings, and Node's permission model (it may read only this package).

import { Socket } from 'node:net';
import { relative } from 'node:path';
import vm from 'node:vm';
import * as indexApi from '../api/index.js';
import * as simulatorApi from '../simulator/index.js';
import { comboKey, compactFault, explorationStates, exploreClass, summarize, type ComboOutcome } from './explore.js';
import { hardenApi, loadInRealm, type RealmApi } from './realm.js';
import { mapSourceLines } from './source-lines.js';
import { valuesTried } from './states.js';
import { RESULT_FD, type ChannelMessage, type ClassResult, type WorkerHello, type WorkerJob, type WorkerReply, type WorkerResult } from './worker-protocol.js';

/** Bytes of console output a file may write (the rest is dropped). */
const CONSOLE_CAP = 1024 * 1024;

const api: RealmApi = {
  'traverse-guard': hardenApi(indexApi as unknown as Record<string, unknown>),
  'traverse-guard/simulator': hardenApi(simulatorApi as unknown as Record<string, unknown>),
};
const { Interpreter } = indexApi;

let consoleBytes = 0;
function toConsole(stream: 'stdout' | 'stderr', text: string): void {
  if (consoleBytes >= CONSOLE_CAP) return;
  const cut = text.slice(0, CONSOLE_CAP - consoleBytes);
  consoleBytes += cut.length;
  (stream === 'stdout' ? process.stdout : process.stderr).write(cut);
}

/** Every string in a result, with compiled lines turned into source lines. */
function mapStrings<T>(v: T, modules: Parameters<typeof mapSourceLines>[1]): T {
  if (typeof v === 'string') return mapSourceLines(v, modules) as T;
  if (Array.isArray(v)) return v.map((x) => mapStrings(x, modules)) as T;
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, mapStrings(x, modules)])) as T;
  return v;
}

/** Checks one file: its classes against adversarial heaps, then its `main`. */
async function checkFile(job: WorkerJob, helpers: vm.Script | undefined, progress: (runs: number) => void): Promise<WorkerResult> {
  const t0 = performance.now();
  consoleBytes = 0;
  const realm = await loadInRealm(job.graph, api, toConsole, helpers);
  try {
    const mod = realm.exports;
    // An exported setup() runs as Python code on every fresh interpreter before each heap state
    // (e.g. to give a module-level `py` token a value that a traverse then captures).
    const setup = typeof mod.setup === 'function' ? (mod.setup as () => void) : undefined;
    const mine = realm.classes.filter((c) => c.file === job.entry);
    let runs = 0;
    let lastBeat = 0;
    const onState = () => {
      runs++;
      const now = performance.now();
      if (now - lastBeat > 200) {
        lastBeat = now;
        progress(runs);
      }
    };
    const classes: ClassResult[] = mine.map(({ cls, file, line }) => {
      const states = explorationStates(cls, { maxStates: job.maxStates, valueHints: job.valueHints?.[cls.name] });
      return {
        name: cls.name,
        file,
        line: line ?? 0,
        referenceFields: cls.referenceFields,
        states: states.length,
        values: valuesTried(states),
        outcomes: exploreClass(cls, { runtimes: job.runtimes, profiles: job.profiles, file, onState, setup, states }),
      };
    });
    let mainOutcomes: Record<string, ComboOutcome> | undefined;
    if (typeof mod.main === 'function') {
      mainOutcomes = {};
      const scenario = mod.main as () => unknown;
      for (const runtime of job.runtimes) {
        for (const prof of job.profiles) {
          runs++;
          const r = new Interpreter({ runtime, python: prof.python, debug: prof.debug, malloc: prof.malloc }).run(scenario);
          mainOutcomes[comboKey(runtime, prof)] = { verdict: r.verdict, ...summarize(r), fault: compactFault(r.fault), states: 1 };
        }
      }
    }
    const modules = Object.values(job.graph.modules).map((m) => ({ names: [m.file, relative(process.cwd(), m.file)], lines: m.lines }));
    return mapStrings({ classes, main: mainOutcomes, runs, seconds: (performance.now() - t0) / 1000 }, modules);
  } finally {
    realm.dispose();
  }
}

function describeError(e: unknown): string {
  const denied = e as { code?: string; permission?: string; resource?: string };
  if (denied?.code === 'ERR_ACCESS_DENIED') {
    return `denied by the sandbox: ${denied.permission ?? 'access'}${denied.resource ? ` ${denied.resource}` : ''} (a checked file may not read other files, write, spawn or use the network)`;
  }
  return e instanceof Error ? e.message : String(e);
}

/** Reads the secret, then one job per line; answers each on the result channel. */
async function main(): Promise<void> {
  process.on('unhandledRejection', () => {});
  const channel = new Socket({ fd: RESULT_FD, readable: false, writable: true });
  let secret: string | undefined;
  let helpers: vm.Script | undefined;
  const send = (m: { readonly type: ChannelMessage['type'] } & Record<string, unknown>) =>
    new Promise<void>((done) => {
      channel.write(`${JSON.stringify({ k: secret, ...m })}\n`, () => done());
    });
  const turn = () => new Promise<void>((r) => setImmediate(r));
  let buf = '';
  let chain = Promise.resolve();
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (d: string) => {
    buf += d;
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (secret === undefined) {
        const hello = JSON.parse(line) as WorkerHello;
        secret = hello.secret;
        helpers = new vm.Script(hello.helpers.text, { filename: hello.helpers.file });
        continue;
      }
      const job = JSON.parse(line) as WorkerJob;
      chain = chain.then(async () => {
        let reply: WorkerReply;
        try {
          reply = { id: job.id, ok: true, result: await checkFile(job, helpers, (runs) => void send({ type: 'progress', id: job.id, runs })) };
        } catch (e) {
          reply = { id: job.id, ok: false, error: `failed to load: ${describeError(e)}` };
        }
        await send({ type: 'result', id: job.id, reply });
        // The realm is gone; let what it queued run out before saying so.
        await turn();
        await turn();
        await send({ type: 'done', id: job.id });
      });
    }
  });
  await new Promise<void>((done) => process.stdin.on('end', () => done()));
  await chain;
  await new Promise<void>((done) => channel.end(() => done()));
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`${describeError(e)}\n`);
    process.exit(3);
  },
);
