// Simulated process faults. A fault is thrown as a JavaScript exception that unwinds the
// simulated C stack up to Process.run(); the process is dead afterwards, as a real one would be.

export type Signal = 'SIGSEGV' | 'SIGBUS' | 'SIGABRT';

/** What the kernel (or abort()) reports. */
export interface FaultInfo {
  readonly signal: Signal;
  /** si_code: SEGV_MAPERR for an unmapped address, SI_KERNEL for a general-protection fault. */
  readonly code: 'SEGV_MAPERR' | 'SI_KERNEL' | 'abort';
  /** Faulting address (si_addr); 0 for SI_KERNEL and abort. */
  readonly address: number;
  readonly access: 'read' | 'write' | 'none';
  /** The C function the fault happened in (the top frame). */
  readonly where: string;
  /** One line in CPython's own words, e.g. an assertion message. */
  readonly message: string;
  /** Simulated C frames, innermost first, with user source lines where user code ran. */
  readonly backtrace: readonly string[];
  /** Process exit status a shell would see: 139 for SIGSEGV, 135 for SIGBUS, 134 for abort. */
  readonly exitStatus: number;
}

/** Thrown to unwind the simulated process after a fatal fault. */
export class SimulatedCrash extends Error {
  readonly fault: FaultInfo;
  constructor(fault: FaultInfo) {
    super(`${fault.signal} ${describeFault(fault)}`);
    this.name = 'SimulatedCrash';
    this.fault = fault;
  }
}

export function isSimulatedCrash(e: unknown): e is SimulatedCrash {
  return e instanceof SimulatedCrash;
}

export function hex(n: number): string {
  if (n < 0) {
    return '0x' + (BigInt.asUintN(64, BigInt(Math.trunc(n)))).toString(16);
  }
  return '0x' + Math.trunc(n).toString(16);
}

/** "writing 0x4 in PyObject_GC_UnTrack", "abort in gc_decref: refcount is too small". */
export function describeFault(f: FaultInfo): string {
  if (f.signal === 'SIGABRT') return `in ${f.where}: ${f.message}`;
  if (f.code === 'SI_KERNEL') return `(${f.signal === 'SIGBUS' ? 'stack-segment fault' : 'general protection'}, SI_KERNEL) ${f.access === 'read' ? 'reading' : 'writing'} through a non-canonical pointer in ${f.where}`;
  return `${f.access === 'read' ? 'reading' : 'writing'} ${hex(f.address)} in ${f.where}`;
}
