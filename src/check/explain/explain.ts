// One explained run: creates the interpreter, installs the story recorder as the process's
// tracer, runs the scenario (a file's `main`, or a check reproducer's heap), and assembles the
// report — the verdict line first, then the backtrace, the story, the outcome — plus the DOT
// picture of the heap at the fault (or at the end of the run).

import { codeOf } from '../../simulator/addresses.js';
import { describeFault } from '../../simulator/faults.js';
import type { Process, TraceEvent } from '../../simulator/process.js';
import type { RunResult } from '../../api/interpreter.js';
import { StoryRecorder, type RuntimeView } from './story.js';
import { snapshotHeap } from './snapshot.js';
import { heapToDot, type PictureInput } from './picture.js';

/** What explain needs of an Interpreter (so the CLI can hand over the one user files import). */
export interface InterpreterLike extends RuntimeView {
  readonly process: Process;
  run<R>(main: () => R): RunResult<R>;
}

export interface ExplainInput {
  /** A fresh interpreter with the chosen runtime and profile. */
  readonly interpreter: InterpreterLike;
  /** Runs inside `Interpreter#run`. */
  readonly scenario: () => unknown;
  /** e.g. "main() of fixtures/seed/crash2.ts". */
  readonly what: string;
  readonly runtime: string;
  readonly runtimeDescription?: string;
  readonly python: string;
  readonly debug: boolean;
  /** The allocator the interpreter ran (absent: pymalloc). */
  readonly malloc?: 'pymalloc' | 'debug';
  /** Told of every tracer event after the story recorder (explain --html: html.ts). */
  readonly observe?: (e: TraceEvent, recorder: StoryRecorder) => void;
}

export interface Explanation {
  readonly result: RunResult;
  /** `verdict: crash — SIGSEGV writing 0x4 in PyObject_GC_UnTrack`, `verdict: ok`, … */
  readonly verdictLine: string;
  /** 0 for ok/error, 1 for corrupt/crash. */
  readonly exitCode: 0 | 1;
  /** The whole report, verdict line first. */
  readonly lines: string[];
  /** The heap picture (Graphviz DOT). */
  readonly dot: string;
  /** The victim's label (e.g. `Ref#3`), when a crash has one. */
  readonly victim?: string;
}

/** The contract findings' marks for the picture: unvisited edges, over-counted and leaked objects. */
function contractMarks(audit: RunResult['audit']): Pick<PictureInput, 'unvisited' | 'overCounted' | 'leaked'> {
  const unvisited: NonNullable<PictureInput['unvisited']>[number][] = [];
  const overCounted = new Map<number, string>();
  const leaked = new Set<number>();
  for (const a of audit) {
    const d = a.detail;
    if (!d) continue;
    unvisited.push(...(d.unvisited ?? []));
    for (const o of d.overCounted ?? []) overCounted.set(o.target, o.owned ? `visited ${o.visits}×, owned ${o.owned}` : `visited ${o.visits}×, not owned`);
    if (d.kind === 'leak') for (const op of d.objects) leaked.add(op);
  }
  return { unvisited, overCounted, leaked };
}

/** The first line of every explain report. */
export function verdictText(r: Pick<RunResult, 'verdict' | 'fault' | 'audit' | 'stopped'>): string {
  switch (r.verdict) {
    case 'crash':
      return r.fault ? `verdict: crash — ${r.fault.signal} ${describeFault(r.fault)}` : 'verdict: crash';
    case 'corrupt':
      return `verdict: corrupt — ${r.audit[0]?.message ?? 'heap damage'}`;
    case 'leak':
      return `verdict: leak — ${r.audit.find((a) => a.kind === 'leak')?.message.replace(/^leak: /, '') ?? 'unreachable objects survived full collections'}`;
    case 'error':
      return `verdict: error — ${r.stopped[0] ?? 'the guarded runtime stopped a misuse'}`;
    default:
      return 'verdict: ok';
  }
}

export function explainRun(input: ExplainInput): Explanation {
  const interp = input.interpreter;
  const p = interp.process;
  const rec = new StoryRecorder(p, interp);
  if (input.observe) rec.observer = (e) => input.observe!(e, rec);
  rec.attach();
  let result: RunResult;
  try {
    result = interp.run(input.scenario);
  } finally {
    rec.detach();
  }
  const story = rec.finish();
  const moment = rec.moment;
  const book = rec.book;
  const verdictLine = verdictText(result);
  const lines: string[] = [verdictLine];
  const build = input.debug ? 'debug build' : 'release build';
  const allocator = input.malloc === 'debug' ? ', debug allocator (PYTHONMALLOC=debug: freed memory reads 0xDD…)' : ', pymalloc';
  lines.push(`${input.what} under ${input.runtime}${input.runtimeDescription ? ` (${input.runtimeDescription})` : ''}, CPython ${input.python} ${build}${allocator}`);
  if (result.fault) {
    lines.push('', 'backtrace (innermost first):');
    result.fault.backtrace.forEach((f, i) => lines.push(`  #${String(i).padEnd(2)} ${f}`));
    if (result.fault.signal === 'SIGABRT') lines.push(`  ${result.fault.message}`);
  }
  lines.push('', 'story of the collection:', ...story);

  lines.push('', 'outcome:');
  if (result.verdict === 'crash' && result.fault) {
    const f = result.fault;
    lines.push(`  the process died: ${f.signal} ${describeFault(f)}${moment?.pass ? `, during ${moment.pass}` : ''}${f.message && f.signal !== 'SIGABRT' ? ` (${f.message})` : ''}`);
    if (moment?.why) lines.push(`  ${moment.why}`);
  } else if (result.verdict === 'corrupt') {
    lines.push('  no crash, but the heap audit found damage:');
    for (const a of result.audit.slice(0, 10)) lines.push(`    - ${a.message}`);
  } else if (result.verdict === 'leak') {
    lines.push('  no damage, but objects no root reaches survived full collections (a leak):');
    for (const a of result.audit.filter((x) => x.kind === 'leak').slice(0, 5)) lines.push(`    - ${a.message}`);
  } else if (result.verdict === 'error') {
    lines.push('  the guarded runtime stopped the misuse cleanly; the heap is intact:');
    for (const s of result.stopped.slice(0, 5)) lines.push(`    - ${s}`);
  } else {
    lines.push('  no crash and the heap audit is clean');
  }
  if (result.exception) lines.push(`  the scenario raised ${result.exception.name}: ${result.exception.message}`);
  const kinds = [...new Set(result.anomalies.map((a) => a.message))];
  if (kinds.length && result.verdict !== 'crash') {
    lines.push('  memory-safe but surprising:');
    for (const m of kinds.slice(0, 8)) lines.push(`    - ${m}`);
    if (kinds.length > 8) lines.push(`    - … ${kinds.length - 8} more`);
  }

  const snapshot = moment?.snapshot ?? snapshotHeap(p, book, rec.freedDuringCollection);
  const fault = result.fault;
  const dot = heapToDot(p, book, {
    snapshot,
    title: verdictLine,
    subtitle: `${input.what} — ${input.runtime}, CPython ${input.python}${input.debug ? ' debug build' : ''}${input.malloc === 'debug' ? ', PYTHONMALLOC=debug' : ''}`,
    when: moment ? 'at the fault' : 'at the end of the run',
    victim: moment?.victim,
    dying: moment?.dying,
    faultAddress: fault && fault.signal !== 'SIGABRT' && fault.code !== 'SI_KERNEL' ? codeOf(fault.address) : undefined,
    faultText: fault ? `${fault.access === 'write' ? 'written' : 'read'} in ${fault.where}` : undefined,
    ...contractMarks(result.audit),
  });
  return {
    result,
    verdictLine,
    exitCode: result.verdict === 'crash' || result.verdict === 'corrupt' || result.verdict === 'leak' ? 1 : 0,
    lines,
    dot,
    victim: moment?.victim !== undefined ? book.label(moment.victim) : undefined,
  };
}
