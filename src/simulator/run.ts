// Running code on a simulated process and judging the result: `ok`, `leak` (objects no root
// reaches survived full collections; no damage), `corrupt` (the audit found damage), or
// `crash` (a simulated signal). A crash never escapes to the host.

import { auditHeap, isDamage, type AuditFinding } from './audit.js';
import { installBuiltins, type Builtins } from './builtins.js';
import { describeFault, isSimulatedCrash, type FaultInfo } from './faults.js';
import { GcModule } from './gcmodule.js';
import type { GenStats } from './gcstate.js';
import { Process, type Anomaly, type ProcessOptions } from './process.js';
import { USER } from './frames.js';

export type SimVerdict = 'ok' | 'leak' | 'corrupt' | 'crash';

export interface SimRunResult<R = unknown> {
  readonly verdict: SimVerdict;
  readonly value?: R;
  readonly fault?: FaultInfo;
  readonly audit: readonly AuditFinding[];
  readonly anomalies: readonly Anomaly[];
  readonly stats: readonly GenStats[];
  readonly unraisable: readonly string[];
  /** A JavaScript exception that escaped `fn` (not a simulated fault). */
  readonly error?: unknown;
}

/** A process with its gc module and built-in types. */
export interface Simulation {
  readonly process: Process;
  readonly gc: GcModule;
  readonly builtins: Builtins;
}

export function createSimulation(opts: ProcessOptions = {}): Simulation {
  const process = new Process(opts);
  return { process, gc: new GcModule(process), builtins: installBuiltins(process) };
}

/** Runs `fn` as the process's main thread, then audits the heap. */
export function runSimulation<R>(sim: Simulation, fn: (sim: Simulation) => R): SimRunResult<R> {
  const p = sim.process;
  let value: R | undefined;
  let error: unknown;
  try {
    value = p.frame(`main${USER}`, () => fn(sim));
  } catch (e) {
    if (!isSimulatedCrash(e)) error = e;
  }
  return judge(p, value, error);
}

export function judge<R>(p: Process, value: R | undefined, error?: unknown): SimRunResult<R> {
  const base = { anomalies: [...p.anomalies], stats: p.gc.stats.map((s) => ({ ...s })), unraisable: [...p.unraisable] };
  if (p.crash) {
    return { ...base, verdict: 'crash', fault: p.crash.fault, audit: [], value, error };
  }
  const audit = auditHeap(p);
  const verdict: SimVerdict = audit.some(isDamage) ? 'corrupt' : audit.length ? 'leak' : 'ok';
  return { ...base, verdict, audit, value, error };
}

/** The one-line verdict, e.g. "crash — SIGSEGV writing 0x4 in PyObject_GC_UnTrack". */
export function verdictLine(r: Pick<SimRunResult, 'verdict' | 'fault' | 'audit'> & { message?: string }): string {
  if (r.verdict === 'crash' && r.fault) return `crash — ${r.fault.signal} ${describeFault(r.fault)}`;
  if (r.verdict === 'corrupt') return `corrupt — ${r.audit[0]?.message ?? 'heap damage'}`;
  if (r.verdict === 'leak') return `leak — ${r.audit.find((f) => f.kind === 'leak')?.message.replace(/^leak: /, '') ?? 'unreachable objects survived'}`;
  if (r.message) return `${r.verdict} — ${r.message}`;
  return r.verdict;
}
