// Which signal a load or store through a non-canonical address raises on x86-64 Linux. The CPU
// raises #GP (the kernel sends SIGSEGV, si_code SI_KERNEL, address 0) unless the memory operand's
// base register is rbp or rsp: that is a stack-segment access, #SS, and the kernel sends SIGBUS
// (same si_code and address). Which register holds the bad pointer is the compiler's choice at
// each load, so it is a per-version, per-function measurement, not a rule: each entry here was
// seen on a real interpreter (test/simulator/devmode-faults.test.ts, docs/simulator-fidelity.md).
import type { Signal } from './faults.js';
import type { ProfileName } from './profiles.js';

/** Simulated C functions whose faulting access goes through rbp in the measured build. */
const STACK_SEGMENT: Partial<Record<ProfileName, readonly string[]>> = {
  // 3.7.16 (pyenv's build): subtract_refs is inlined into collect(); the loop's
  // `Py_TYPE(FROM_GC(gc))` is `mov 0x28(%rbp),%rax` with rbp = gc = 0xDD… (gdb, PYTHONMALLOC=debug).
  // For contrast, visit_decref's PyObject_IS_GC is `testb $0x40,0xa9(%rax)` on 3.7.16 and
  // 3.11.7: rax = ob_type = 0xDD… is #GP, a SIGSEGV (test/simulator/freevisit.c).
  '3.7': ['subtract_refs'],
};

/** The signal of a general-protection-class fault (si_code SI_KERNEL) in C function `where`. */
export function generalProtectionSignal(profile: ProfileName, where: string): Signal {
  return STACK_SEGMENT[profile]?.includes(where) ? 'SIGBUS' : 'SIGSEGV';
}
