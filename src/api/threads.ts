// spawnThread: another thread of the simulated interpreter. Deterministic: the thread runs
// to completion when spawned (as if it won the GIL at once and finished before the spawner
// went on — the seed's `time.sleep(0.1)`), with its own PyO3 GIL count starting at 0.

import { isSimulatedCrash } from '../simulator/index.js';
import { currentInterpreter } from './interpreter.js';

export interface ThreadHandle {
  readonly name: string;
  /** The exception that ended the thread, if any (printed like threading.excepthook). */
  readonly error?: unknown;
  join(): void;
}

let counter = 0;

export function spawnThread(f: () => void, name = `Thread-${++counter}`): ThreadHandle {
  const interp = currentInterpreter('spawnThread');
  interp.process.alive();
  const t = interp.newThread(name);
  let error: unknown;
  const start = () =>
    interp.onThread(t, () => {
      try {
        interp.process.frame(`${name} (thread)`, () => interp.asCallback(() => interp.inScope(f)));
      } catch (e) {
        if (isSimulatedCrash(e) || interp.process.crash) throw e;
        error = e;
        interp.process.unraisable.push(`Exception in thread ${name}: ${e instanceof Error ? e.message : String(e)}`);
      }
    });
  if (interp.process.traverseDepth > 0) {
    // Spawned from inside a tp_traverse: the spawner holds the GIL until the traversal (and the
    // collection around it) is over, so the new thread's first PyGILState_Ensure blocks in
    // CPython's take_gil until then. Run it at the next point where Python code could switch
    // threads, not in the middle of the collector's passes.
    interp.deferredThreads.push(start);
  } else {
    start();
  }
  interp.pythonCheckpoint();
  return {
    name,
    get error() {
      return error;
    },
    join() {},
  };
}
