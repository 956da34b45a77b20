// Two forms of every word and address. The *real* value is what a 64-bit CPython process holds:
// heap pointers such as 0x7f3a5c000040, `gc_refs << 2 | flags`, 0x4. The simulator computes with
// a *code* instead: the same integer for small values, and a small integer for an address in a
// mapped region, so that words fit Int32Array storage and stay small integers in V8 (a real
// pointer needs a double, boxed on every call). The mapping is one-to-one, and adding a small
// amount to a code near a region moves the real address by the same amount, so a pass computes
// `gc + 1`, `op - headSize` or `prev & ~3` on codes exactly as CPython does on pointers.
// Scaling (`refs << 2`, `word >> 2`) is exact on small codes only: the simulator scales counts,
// which stay small (MAX_REFCNT), never addresses. Reals appear only where a process shows them
// (fault addresses, reports), where bytes are spliced (a misaligned store) and where canonical
// form matters (reference §3.2 C2).
//
//   codes [-2^63, 2^29)           the real value itself (counts, flags, 0x4, wrapped gc_refs)
//   codes [2^29, 2^31)            three regions: gcstate + type objects, C stack, object heap
//   codes [2^31, ∞)               the real value itself, except
//   codes 2^52 + [2^29, 2^31)     the reals [2^29, 2^31) (their own codes are the regions')

import { hex } from './faults.js';

/** Codes from here up to INT_LIMIT are addresses in a region. */
export const REGION_CODES = 2 ** 29;
const INT_LIMIT = 2 ** 31;
/** Where the reals [REGION_CODES, INT_LIMIT) are coded. */
const RELOCATED = 2 ** 52;
/** Bytes of slack before each region's first address, so `addr - k` near it stays in it. */
const SLACK = 2 ** 16;

/** Real bases, as a Linux x86-64 process has them: _PyRuntime in the executable's data, type
 *  objects beside it, a thread's stack, pymalloc's arenas (mmap). */
export const STATE_REAL = 0x55f3c2a04000;
export const TYPES_REAL = 0x55f3c2b00000;
export const STACK_REAL = 0x7ffd5e3a0000;
export const HEAP_REAL = 0x7f3a5c000000;

const STATE_REGION_BYTES = 2 ** 22;
const STACK_REGION_BYTES = 2 ** 20;

/** Code of the first byte of each region (its SLACK included). */
const STATE_REGION = REGION_CODES;
const STACK_REGION = STATE_REGION + STATE_REGION_BYTES;
const HEAP_REGION = STACK_REGION + STACK_REGION_BYTES;

/** Codes of the regions' bases: what the simulator's addresses start from. */
export const STATE_BASE = STATE_REGION + SLACK;
export const TYPES_BASE = STATE_BASE + (TYPES_REAL - STATE_REAL);
export const STACK_BASE = STACK_REGION + SLACK;
export const HEAP_BASE = HEAP_REGION + SLACK;
/** The object heap's size limit: its codes (and SLACK past its end) stay below 2^31. */
export const MAX_HEAP_BYTES = INT_LIMIT - HEAP_BASE - SLACK;
/** Reference counts stay below this, so `gc_refs << 2 | flags` is a count's own code. */
export const MAX_REFCNT = REGION_CODES / 4;
/** Type objects that fit the gcstate region (`typeAddress`). */
export const TYPE_STRIDE = 0x1a0;
export const MAX_TYPES = Math.floor((STATE_REGION + STATE_REGION_BYTES - SLACK - TYPES_BASE) / TYPE_STRIDE);

/** The real value of a code. */
export function realValue(code: number): number {
  if (code < REGION_CODES) return code;
  if (code < INT_LIMIT) {
    if (code < STACK_REGION) return code - STATE_BASE + STATE_REAL;
    if (code < HEAP_REGION) return code - STACK_BASE + STACK_REAL;
    return code - HEAP_BASE + HEAP_REAL;
  }
  if (code >= RELOCATED + REGION_CODES && code < RELOCATED + INT_LIMIT) return code - RELOCATED;
  return code;
}

/**
 * The code of a real value. Exact for every real a double holds exactly, except reals in
 * [2^52 + 2^29, 2^52 + 2^31) (non-canonical garbage: they get `toCode`'s stand-in, like
 * reals past 2^53); `isExactCode` says which.
 */
export function codeOf(real: number): number {
  if (real < REGION_CODES) return real;
  if (real < INT_LIMIT) return real + RELOCATED;
  if (real >= STATE_REAL - SLACK && real < STATE_REAL - SLACK + STATE_REGION_BYTES) return real - STATE_REAL + STATE_BASE;
  if (real >= STACK_REAL - SLACK && real < STACK_REAL - SLACK + STACK_REGION_BYTES) return real - STACK_REAL + STACK_BASE;
  if (real >= HEAP_REAL - SLACK && real < HEAP_REAL - SLACK + (INT_LIMIT - HEAP_REGION)) return real - HEAP_REAL + HEAP_BASE;
  if (real >= RELOCATED + REGION_CODES && real < RELOCATED + INT_LIMIT) return standIn(false, real % 4);
  return real;
}

/**
 * The code of a 64-bit word (two's complement, any width of garbage). A word no double holds
 * exactly, or whose code is taken (see codeOf), gets a stand-in that keeps what the collector
 * reads from it: the sign, the two flag bits (PREV_MASK_COLLECTING/FINALIZED,
 * NEXT_MASK_UNREACHABLE) and a magnitude far outside canonical addresses, so dereferencing it
 * still faults SI_KERNEL. Memory keeps the exact value beside a stand-in.
 */
export function toCode(u: bigint): number {
  const v = BigInt.asIntN(64, u);
  if (v <= 2n ** 53n && v >= -(2n ** 53n)) return codeOf(Number(v));
  return standIn(v < 0n, Number(BigInt.asUintN(2, v)));
}

function standIn(negative: boolean, low2: number): number {
  return (negative ? -(2 ** 53 - 4) : 2 ** 53 - 4) + low2;
}

/** Whether `codeOf(real)` gives back `real` through realValue. */
export function isExactCode(code: number, real: bigint): boolean {
  return BigInt(realValue(code)) === BigInt.asIntN(64, real);
}

/** The unsigned 64-bit real of a code (a stand-in gives its approximate value). */
export function realBits(code: number): bigint {
  return BigInt.asUintN(64, BigInt(Math.trunc(realValue(code))));
}

/** A code shown as the real value, in hex (`hex` of realValue). */
export function hexCode(code: number): string {
  return hex(realValue(code));
}
