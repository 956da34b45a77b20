// The isolated worker: takes compiled user files one at a time (a JSON job per stdin line),
// finds the pyclasses each defines, explores them against adversarial heaps (and runs the
// file's `main` scenario), and answers each job with one result line. Started by isolate.ts
// under Node's permission model: it may read only its private directory and this package.

import { fileURLToPath } from 'node:url';
import { definedClasses } from '../api/pyclass-handle.js';
import { Interpreter } from '../api/index.js';
import { comboKey, compactFault, explorationStates, exploreClass, summarize, type ComboOutcome } from './explore.js';
import { PROGRESS_MARKER, RESULT_MARKER, type ClassResult, type WorkerJob, type WorkerReply, type WorkerResult } from './worker-protocol.js';
import { valuesTried } from './states.js';

function fromCompiled(job: WorkerJob, loc: string | undefined): { file: string; line: number } {
  const m = loc ? /^(.*):(\d+)$/.exec(loc) : null;
  if (!m) return { file: '?', line: 0 };
  // A file URL percent-encodes spaces and other characters of the path.
  const path = m[1].startsWith('file://') ? fileURLToPath(m[1]) : m[1];
  return { file: job.sources[path] ?? path, line: Number(m[2]) };
}

/** Checks one compiled file: its classes against adversarial heaps, then its `main`. */
async function checkFile(job: WorkerJob): Promise<WorkerResult> {
  const t0 = performance.now();
  const before = definedClasses.length;
  const mod = (await import(job.entry)) as { main?: unknown; setup?: unknown };
  // An exported setup() runs as Python code on every fresh interpreter before each heap state
  // (e.g. to give a module-level `py` token a value that a traverse then captures).
  const setup = typeof mod.setup === 'function' ? (mod.setup as () => void) : undefined;
  const entrySource = job.sources[job.entry];
  const mine = definedClasses.slice(before).filter((c) => fromCompiled(job, c.definedAt).file === entrySource);
  let runs = 0;
  let lastBeat = 0;
  const onState = () => {
    runs++;
    const now = performance.now();
    if (now - lastBeat > 200) {
      lastBeat = now;
      process.stdout.write(`${PROGRESS_MARKER}${runs}\n`);
    }
  };
  const classes: ClassResult[] = mine.map((cls) => {
    const at = fromCompiled(job, cls.definedAt);
    const states = explorationStates(cls, { maxStates: job.maxStates, valueHints: job.valueHints?.[cls.name] });
    return {
      name: cls.name,
      file: at.file,
      line: at.line,
      referenceFields: cls.referenceFields,
      states: states.length,
      values: valuesTried(states),
      outcomes: exploreClass(cls, { runtimes: job.runtimes, profiles: job.profiles, file: at.file, onState, setup, states }),
    };
  });
  let mainOutcomes: Record<string, ComboOutcome> | undefined;
  if (typeof mod.main === 'function') {
    mainOutcomes = {};
    const scenario = mod.main as () => unknown;
    for (const runtime of job.runtimes) {
      for (const prof of job.profiles) {
        runs++;
        const r = new Interpreter({ runtime, python: prof.python, debug: prof.debug }).run(scenario);
        mainOutcomes[comboKey(runtime, prof)] = { verdict: r.verdict, ...summarize(r), fault: compactFault(r.fault), states: 1 };
      }
    }
  }
  return { classes, main: mainOutcomes, runs, seconds: (performance.now() - t0) / 1000 };
}

function describeError(e: unknown): string {
  const denied = e as { code?: string; permission?: string; resource?: string };
  if (denied?.code === 'ERR_ACCESS_DENIED') {
    return `denied by the sandbox: ${denied.permission ?? 'access'}${denied.resource ? ` ${denied.resource}` : ''} (a checked file may not read other files, write, spawn or use the network)`;
  }
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

function reply(r: WorkerReply): Promise<void> {
  // Resolve once the line is flushed: a large write to a pipe can otherwise be cut short.
  return new Promise<void>((done) => process.stdout.write(`${RESULT_MARKER}${JSON.stringify(r)}\n`, () => done()));
}

/** Reads one job per line from stdin and answers each with one result line. */
async function main(): Promise<void> {
  // User output must not mix with the result lines.
  console.log = console.info = console.warn = console.debug = () => {};
  process.on('unhandledRejection', () => {});
  let buf = '';
  let chain = Promise.resolve();
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (d: string) => {
    buf += d;
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const job = JSON.parse(buf.slice(0, i)) as WorkerJob;
      buf = buf.slice(i + 1);
      chain = chain.then(async () => {
        try {
          await reply({ id: job.id, ok: true, result: await checkFile(job) });
        } catch (e) {
          await reply({ id: job.id, ok: false, error: `failed to load: ${describeError(e)}` });
        }
      });
    }
  });
  await new Promise<void>((done) => process.stdin.on('end', () => done()));
  await chain;
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`${describeError(e)}\n`);
    process.exit(3);
  },
);
