// traverse-guard/simulator: a fault-faithful model of CPython's object heap and cyclic GC.
export { PROFILES, PROFILE_NAMES, getProfile, type Profile, type ProfileName } from './profiles.js';
export { Process, type ProcessOptions, type Anomaly, type TraceEvent } from './process.js';
export { GcModule } from './gcmodule.js';
export { DEBUG_SAVEALL, DEBUG_STATS, DEBUG_COLLECTABLE, DEBUG_UNCOLLECTABLE, DEBUG_LEAK, type GenStats, type GcCallback } from './gcstate.js';
export { installBuiltins, newList, newSlotsObject, listAppend, listItems, setItem, newStr, type Builtins } from './builtins.js';
export { ItemStore } from './items.js';
export { USER, CallStack, userSourceLines, captureStack } from './frames.js';
export { realValue, codeOf } from './addresses.js';
export { MALLOC_KINDS, type MallocKind } from './memory.js';
export { SimulatedCrash, isSimulatedCrash, describeFault, hex, type FaultInfo, type Signal } from './faults.js';
export { auditHeap, isDamage, type AuditFinding } from './audit.js';
export { LEAK_SURVIVALS, type ContractFinding } from './collector/contract.js';
export { TraverseWatch, type GraphChange } from './traverse-watch.js';
export { createSimulation, runSimulation, judge, verdictLine, type Simulation, type SimRunResult, type SimVerdict } from './run.js';
export { collectWithCallback, selectGeneration } from './collector/collect.js';
export type { PyType, TypeSpec, VisitProc } from './types.js';
export { parseHeapGraph, buildHeapGraph, HeapGraphError, type HeapGraph } from './heapgraph.js';
