// traverse-guard: a PyO3-style binding API (0.19 era) over the simulated CPython, where a
// traverse callback can only see a readonly `self` and a `Visit`.
// Symbol.dispose in the declarations: a project whose `lib` lacks it gets it from here.
/// <reference lib="esnext.disposable" preserve="true" />
export { Python, GILGuard, GILPool, pyfunction } from './python.js';
export { Py, Bound } from './py.js';
export { RefCell } from './ref-cell.js';
export { RefList } from './ref-list.js';
export { Visit } from './visit.js';
export { field } from './fields.js';
export { pyclass, type PyClass } from './pyclass-handle.js';
export { spawnThread, type ThreadHandle } from './threads.js';
export { gc } from './gc.js';
export { Py_INCREF, Py_DECREF, type CObject } from './capi.js';
export { Interpreter, type InterpreterOptions, type RunResult, type Verdict } from './interpreter.js';
export { MALLOC_KINDS, type MallocKind } from '../simulator/memory.js';
export { RUNTIME_KINDS, RUNTIMES, isRuntimeKind, type RuntimeKind } from './runtime-kind.js';
export { TraverseError, TraverseGilError, PyUsageError, PyClassDefinitionError, GIL_LOCKED_DURING_TRAVERSE_MESSAGE } from './errors.js';
export type {
  Borrowed,
  ClearFn,
  DeriveSpec,
  DropFn,
  DeepReadonly,
  FieldKind,
  FieldSpec,
  Fields,
  InitOf,
  Instance,
  PyClassSpec,
  PyRef,
  PyRefMut,
  ReadonlyRefCell,
  ReadonlyRefList,
  TraverseFn,
  TraverseSelf,
  TraverseValue,
  HiddenFromTraverse,
  NoThirdParameter,
  TraverseTakesOnly_self_and_visit,
  TraverseMustBeSynchronous_and_return_nothing,
  TraverseHasNo_this_use_self,
} from './types.js';
