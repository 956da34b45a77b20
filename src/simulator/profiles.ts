// CPython version profiles: every place where the collector's behaviour differs between
// versions is a field here (reference: shared/reference/cpython-gc.md §1, §7).

export type ProfileName =
  | '3.7'
  | '3.8'
  | '3.9'
  | '3.10'
  | '3.11'
  | '3.12'
  | '3.13'
  | '3.14.0'
  | '3.14.5';

export interface Profile {
  readonly name: ProfileName;
  /** 3.7 keeps gc_refs in a third header word; 3.8+ reuse `_gc_prev` (`refs << 2 | flags`). */
  readonly gcRefsInPrev: boolean;
  /** Size of PyGC_Head in bytes (3.7: a 3-word union padded to 32; 3.8+: 16). */
  readonly headSize: number;
  /** Default thresholds (gen0, gen1, gen2). */
  readonly thresholds: readonly [number, number, number];
  /** NEXT_MASK_UNREACHABLE: 1, or 2 in the incremental 3.14.0–3.14.4. */
  readonly unreachableBit: 1 | 2;
  /** `_PyGCHead_NEXT` masks the low bits (3.14.0–3.14.4) instead of reading raw. */
  readonly maskedNext: boolean;
  /** How resurrection is checked: 3.7/3.8 all-or-nothing `check_garbage`, 3.9+ per object. */
  readonly resurrection: 'check_garbage' | 'handle_resurrected_objects';
  /** Automatic GC: synchronous inside the allocation (≤3.11) or at the eval breaker (3.12+). */
  readonly autoTrigger: 'allocation' | 'eval-breaker';
  /** gc callbacks run inside gc_collect_main (3.13+) rather than around it. */
  readonly callbacksInMain: boolean;
  /** The incremental collector of 3.14.0–3.14.4 (known from source only). */
  readonly incremental: boolean;
  /** Debug builds run validate_list (GC_DEBUG = Py_DEBUG from 3.9; 3.8 hard-wires it off). */
  readonly debugValidateList: boolean;
  /** Debug builds: PyObject_GC_Track runs tp_traverse(visit_validate); GC_Del warns (3.11+). */
  readonly debugTrackValidate: boolean;
  /** Lazy dict tracking and untrack_dicts at full collections (≤3.13). */
  readonly untrackDicts: boolean;
  /** 3.14.5+: handle_weakrefs clears again after the resurrection check. */
  readonly secondWeakrefPass: boolean;
  /** C function that runs a collection, for backtraces. */
  readonly collectFrame: string;
  /** Signal delivered by the allocator when it trips over corrupted heap metadata. */
  readonly heapCorruptionSignal: 'SIGABRT' | 'SIGSEGV';
  /** The collector's source file, as assertion messages name it (moved in 3.13). */
  readonly sourceFile: 'Modules/gcmodule.c' | 'Python/gc.c';
  /** update_refs … move_unreachable run inside a `deduce_unreachable` function (3.9+; 3.8's
   *  collect() runs them itself). */
  readonly deduceUnreachableFrame: boolean;
  /** delete_garbage clears COLLECTING on a survivor before moving it to `old` (3.9+). */
  readonly survivorClearsCollecting: boolean;
  /** An exception left set by a collection is fatal: Py_FatalError("unexpected exception
   *  during garbage collection") (3.7, 3.8); 3.9+ only report it. */
  readonly gcErrorIsFatal: boolean;
  /** PyGC_Collect returns 0 at once while the collector is disabled (3.8+, except the
   *  incremental-era path of 3.14.0–3.14.4). */
  readonly pyGcCollectChecksEnabled: boolean;
  /** `_Py_RunGC` at the eval breaker does not test `collecting`, so it can nest inside a
   *  running collection (3.12 only; 3.13+ compare-and-swap the flag). */
  readonly evalBreakerGcNests: boolean;
}

const base = {
  gcRefsInPrev: true,
  headSize: 16,
  thresholds: [700, 10, 10] as const,
  unreachableBit: 1 as const,
  maskedNext: false,
  resurrection: 'handle_resurrected_objects' as const,
  autoTrigger: 'allocation' as const,
  callbacksInMain: false,
  incremental: false,
  debugValidateList: true,
  debugTrackValidate: false,
  untrackDicts: true,
  secondWeakrefPass: false,
  collectFrame: 'gc_collect_main',
  heapCorruptionSignal: 'SIGABRT' as const,
  sourceFile: 'Modules/gcmodule.c' as const,
  deduceUnreachableFrame: true,
  survivorClearsCollecting: true,
  gcErrorIsFatal: false,
  pyGcCollectChecksEnabled: true,
  evalBreakerGcNests: false,
};
/** 3.13 moved the collector to Python/gc.c. */
const gcC = { sourceFile: 'Python/gc.c' as const };

export const PROFILES: Readonly<Record<ProfileName, Profile>> = {
  '3.7': {
    ...base,
    name: '3.7',
    gcRefsInPrev: false,
    headSize: 32,
    resurrection: 'check_garbage',
    debugValidateList: false,
    collectFrame: 'collect',
    gcErrorIsFatal: true,
    pyGcCollectChecksEnabled: false,
  },
  '3.8': {
    ...base,
    name: '3.8',
    resurrection: 'check_garbage',
    debugValidateList: false,
    collectFrame: 'collect',
    deduceUnreachableFrame: false,
    survivorClearsCollecting: false,
    gcErrorIsFatal: true,
  },
  '3.9': { ...base, name: '3.9', heapCorruptionSignal: 'SIGSEGV' },
  '3.10': { ...base, name: '3.10', heapCorruptionSignal: 'SIGSEGV' },
  '3.11': { ...base, name: '3.11', debugTrackValidate: true },
  '3.12': { ...base, name: '3.12', autoTrigger: 'eval-breaker', debugTrackValidate: true, evalBreakerGcNests: true },
  '3.13': {
    ...base,
    ...gcC,
    name: '3.13',
    thresholds: [2000, 10, 10],
    autoTrigger: 'eval-breaker',
    callbacksInMain: true,
    debugTrackValidate: true,
    heapCorruptionSignal: 'SIGSEGV',
  },
  '3.14.0': {
    ...base,
    ...gcC,
    name: '3.14.0',
    thresholds: [2000, 10, 0],
    unreachableBit: 2,
    maskedNext: true,
    autoTrigger: 'eval-breaker',
    callbacksInMain: true,
    incremental: true,
    debugTrackValidate: true,
    untrackDicts: false,
    heapCorruptionSignal: 'SIGSEGV',
    pyGcCollectChecksEnabled: false,
  },
  '3.14.5': {
    ...base,
    ...gcC,
    name: '3.14.5',
    thresholds: [2000, 10, 10],
    autoTrigger: 'eval-breaker',
    callbacksInMain: true,
    debugTrackValidate: true,
    untrackDicts: false,
    secondWeakrefPass: true,
    heapCorruptionSignal: 'SIGSEGV',
  },
};

export const PROFILE_NAMES = Object.keys(PROFILES) as ProfileName[];

/** Looks a profile up by name; `3.14` means the current 3.14 (3.14.5+). */
export function getProfile(name: string): Profile | undefined {
  const key = name === '3.14' ? '3.14.5' : name;
  return Object.hasOwn(PROFILES, key) ? PROFILES[key as ProfileName] : undefined;
}
