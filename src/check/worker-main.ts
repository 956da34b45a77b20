// The isolated worker: loads one compiled user file, finds the pyclasses it defines, explores
// each against adversarial heaps (and runs its `main` scenario), and prints one result line.
// Started by isolate.ts with Node's permission model: it may read only its private directory
// and this package.

import { definedClasses } from '../api/pyclass-handle.js';
import { Interpreter } from '../api/index.js';
import { comboKey, compactFault, exploreClass, summarize, type ComboOutcome } from './explore.js';
import { PROGRESS_MARKER, RESULT_MARKER, type ClassResult, type WorkerJob, type WorkerResult } from './worker-protocol.js';
import { enumerateStates } from './states.js';

function fromCompiled(job: WorkerJob, loc: string | undefined): { file: string; line: number } {
  const m = loc ? /^(.*):(\d+)$/.exec(loc) : null;
  if (!m) return { file: '?', line: 0 };
  const path = m[1].replace(/^file:\/\//, '');
  return { file: job.sources[path] ?? path, line: Number(m[2]) };
}

async function main(): Promise<void> {
  const job = JSON.parse(process.env.TRAVERSE_GUARD_JOB ?? '{}') as WorkerJob;
  const t0 = performance.now();
  // User output must not mix with the result line.
  console.log = console.info = console.warn = console.debug = () => {};
  const before = definedClasses.length;
  const mod = (await import(job.entry)) as { main?: unknown };
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
    return {
      name: cls.name,
      file: at.file,
      line: at.line,
      referenceFields: cls.referenceFields,
      states: enumerateStates(cls.fields).length,
      outcomes: exploreClass(cls, { runtimes: job.runtimes, profiles: job.profiles, file: at.file, maxStates: job.maxStates, onState }),
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
  const result: WorkerResult = { classes, main: mainOutcomes, runs, seconds: (performance.now() - t0) / 1000 };
  // Exit only once the line is flushed: process.exit right after a large write to a pipe
  // can cut it short (the parent then sees half a JSON line).
  await new Promise<void>((done) => process.stdout.write(`${RESULT_MARKER}${JSON.stringify(result)}\n`, () => done()));
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    const denied = e as { code?: string; permission?: string; resource?: string };
    const msg =
      denied?.code === 'ERR_ACCESS_DENIED'
        ? `denied by the sandbox: ${denied.permission ?? 'access'}${denied.resource ? ` ${denied.resource}` : ''} (a checked file may not read other files, write, spawn or use the network)`
        : e instanceof Error
          ? `${e.name}: ${e.message}`
          : String(e);
    process.stderr.write(`${msg}\n`);
    process.exit(3);
  },
);
