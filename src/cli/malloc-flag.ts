// The `--malloc` flag of check and explain: which allocator the simulated interpreter runs
// (pymalloc, or CPython's debug hooks as PYTHONMALLOC=debug and `-X dev` install them).
import { MALLOC_KINDS, type MallocKind } from '../simulator/memory.js';
import { UsageError } from './gc-bench.js';

export function parseMalloc(s: string | undefined): MallocKind | undefined {
  if (s === undefined) return undefined;
  if (!(MALLOC_KINDS as readonly string[]).includes(s)) throw new UsageError(`unknown allocator '${s}' (known: ${MALLOC_KINDS.join(', ')})`);
  return s as MallocKind;
}
