// The `guarded` runtime (PyO3 >= 0.19, pyo3-traverse.md §1.2–§1.3): the traverse trampoline
// creates no pool and applies no deferred counts; any GIL acquisition, pool creation or
// interpreter use inside traverse throws TraverseGilError (PyO3's message) and the trampoline
// returns -1 with the heap intact; drops inside traverse are deferred to the pool; a mutably
// borrowed object is skipped (0); a visitor's non-zero result propagates; any exception → -1;
// GIL_COUNT is restored on every exit path.
import { afterEach, describe, expect, it } from 'vitest';
import {
  GILPool,
  GIL_LOCKED_DURING_TRAVERSE_MESSAGE,
  Interpreter,
  Py,
  Python,
  TraverseError,
  TraverseGilError,
  field,
  gc,
  pyclass,
  pyfunction,
  spawnThread,
  type RefCell,
} from 'traverse-guard';
import { Leaf, Node, callTraverse, hook, recording, resetHook, runOn, selfCycle, type NodeRef } from './helpers.js';

afterEach(resetHook);

interface Ctx {
  readonly py: Python;
  readonly other: Py<typeof Leaf>;
}

/** Every way to reach the interpreter, with the operation name TraverseGilError reports. */
const misuses: ReadonlyArray<readonly [string, (c: Ctx) => unknown]> = [
  ['Python.withGil', () => Python.withGil(() => 1)],
  ['Python.attach', () => Python.attach(() => 1)],
  ['Python.acquireGil', () => Python.acquireGil()],
  ['Python.assumeGilAcquired', () => Python.assumeGilAcquired()],
  ['Python#allowThreads', (c) => c.py.allowThreads(() => 1)],
  ['Python#detach', (c) => c.py.detach(() => 1)],
  ['new GILPool', () => new GILPool()],
  ['Python#newPool', (c) => c.py.newPool()],
  ['Python.withPool', () => Python.withPool(() => 1)],
  ['Py.new', (c) => Py.new(c.py, Leaf, {})],
  ['Py#cloneRef', (c) => c.other.cloneRef(c.py)],
  ['Py#bind', (c) => c.other.bind(c.py)],
  ['Py#borrow', (c) => c.other.borrow(c.py)],
  ['Py#borrowMut', (c) => c.other.borrowMut(c.py)],
  ['Py#refcnt', (c) => c.other.refcnt(c.py)],
  ['gc.collect', () => gc.collect()],
  ['gc.getCount', () => gc.getCount()],
  ['gc.disable', () => gc.disable()],
  ['gc.isTracked', (c) => gc.isTracked(c.other)],
  ['gc.getReferents', (c) => gc.getReferents(c.other)],
  ['gc.callbacks', () => gc.callbacks.push(() => {})],
  ['gc.garbage', () => gc.garbage.length],
  ['pyfunction trampoline', () => pyfunction(() => 1)()],
];

describe('guarded: interpreter access inside traverse', () => {
  it.each(misuses)('%s throws TraverseGilError, the trampoline returns -1, the heap stays intact', (name, misuse) => {
    const errors: unknown[] = [];
    const r = runOn('guarded', (interp) => {
      let ctx!: Ctx;
      let a!: NodeRef;
      Python.withGil((py) => {
        a = selfCycle(py);
        ctx = { py, other: Py.new(py, Leaf, {}) };
      });
      const otherRefcnt = interp.process.refcnt(ctx.other.address);
      const liveBefore = [...interp.process.liveObjects()].length;
      let countInside = NaN;
      hook.fn = () => {
        countInside = interp.thread.gilCount;
        recording(errors, () => misuse(ctx))();
      };
      const direct = callTraverse(interp, a);
      const countAfter = interp.thread.gilCount;
      // Nothing the misuse would have created or changed exists.
      const liveAfter = [...interp.process.liveObjects()].length;
      const otherRefcntAfter = interp.process.refcnt(ctx.other.address);
      // The traversal stops at the same point in every pass: the cycle is still collected.
      Python.withGil(() => a.drop());
      const collected = gc.collect();
      return { direct, countInside, countAfter, liveBefore, liveAfter, otherRefcnt, otherRefcntAfter, a: a.address, collected };
    });
    const v = r.value!;
    expect(r.exception).toBeUndefined();
    expect(v.countInside).toBe(-1); // LockGIL::during_traverse
    expect(v.direct).toEqual({ code: -1, visited: [v.a] });
    expect(v.countAfter).toBe(0);
    expect(v.liveAfter).toBe(v.liveBefore);
    expect(v.otherRefcntAfter).toBe(v.otherRefcnt);
    expect(v.collected).toBe(1);
    expect(errors.length).toBeGreaterThanOrEqual(2); // the direct call and each collector pass
    for (const e of errors) {
      expect(e).toBeInstanceOf(TraverseGilError);
      expect((e as TraverseGilError).operation).toBe(name);
      expect((e as Error).message).toBe(`${GIL_LOCKED_DURING_TRAVERSE_MESSAGE} (${name})`);
    }
    expect(r.verdict).toBe('error');
    expect(r.fault).toBeUndefined();
    expect(r.audit).toEqual([]);
    expect(r.stopped[0]).toContain(GIL_LOCKED_DURING_TRAVERSE_MESSAGE);
    expect(r.traverseErrors[0]).toBe(`Node.traverse threw TraverseGilError: ${GIL_LOCKED_DURING_TRAVERSE_MESSAGE} (${name})`);
  });

  it('keeps PyO3 0.19 message text, typo included', () => {
    expect(GIL_LOCKED_DURING_TRAVERSE_MESSAGE).toBe('Access to the GIL is prohibited while a __traverse__ implmentation is running.');
  });

  it('a misuse the user catches is still reported (verdict error), and the lock holds for the rest of the traverse', () => {
    const r = runOn('guarded', (interp) => {
      const a = Python.withGil((py) => selfCycle(py));
      const outcomes: string[] = [];
      hook.fn = () => {
        for (const attempt of [() => Python.withGil(() => 1), () => new GILPool()]) {
          try {
            attempt();
            outcomes.push('ran');
          } catch (e) {
            outcomes.push((e as Error).name);
          }
        }
      };
      const direct = callTraverse(interp, a);
      return { outcomes, code: direct.code };
    });
    expect(r.value).toEqual({ outcomes: ['TraverseGilError', 'TraverseGilError'], code: 0 });
    expect(r.verdict).toBe('error');
    expect(r.stopped).toHaveLength(2);
  });
});

describe('guarded: the trampoline creates no pool and applies no deferred counts', () => {
  it('leaves a pending decref of a young object in the pool across gc.collect() (crash1 survives)', () => {
    const r = runOn('guarded', (interp) => {
      let b!: Py<typeof Node>;
      spawnThread(() => {
        b = Python.withGil((py) => {
          const a = selfCycle(py); // kept alive: a has a self-cycle plus this reference
          void a;
          return Py.new(py, Node, {});
        });
        b.drop(); // no GIL on this thread: deferred
      });
      const pending = [...interp.pool.decrefs];
      const refBefore = interp.process.refcnt(b.address);
      let countInside = NaN;
      let pendingInside = -1;
      hook.fn = () => {
        countInside = interp.thread.gilCount;
        pendingInside = interp.pool.decrefs.length;
      };
      const collected = gc.collect();
      const pendingAfter = [...interp.pool.decrefs];
      const refAfterCollect = interp.process.refcnt(b.address);
      // The next GIL acquisition applies it.
      const liveBefore = interp.process.isLive(b.address);
      Python.withGil(() => {});
      return { pending, refBefore, countInside, pendingInside, collected, pendingAfter, refAfterCollect, liveBefore, liveAfter: interp.process.isLive(b.address), b: b.address };
    });
    const v = r.value!;
    expect(v.pending).toEqual([v.b]);
    expect(v.refBefore).toBe(1);
    expect(v.countInside).toBe(-1);
    expect(v.pendingInside).toBe(1);
    expect(v.pendingAfter).toEqual([v.b]);
    expect(v.refAfterCollect).toBe(1);
    expect(v.collected).toBe(0);
    expect(v.liveBefore).toBe(true);
    expect(v.liveAfter).toBe(false);
    expect(r.verdict).toBe('ok');
    expect(r.anomalies.filter((x) => x.kind === 'refcount-changed-during-collection')).toEqual([]);
  });
});

describe('guarded: drops inside traverse are deferred', () => {
  it('a take() inside traverse (seed crash2) queues the decref; the next GIL acquisition applies it', () => {
    const r = runOn('guarded', (interp) => {
      let a!: NodeRef;
      let b!: NodeRef;
      const bRef = Python.withGil((py) => {
        a = Py.new(py, Node, {});
        b = Py.new(py, Node, {});
        a.borrowMut(py).next.set(b.cloneRef(py));
        return b.refcnt(py);
      });
      const inside: number[] = [];
      hook.fn = (self) => {
        // What crash2 does, through a cast (the types forbid it).
        (self.next as unknown as RefCell).take();
        inside.push(interp.process.refcnt(b.address));
      };
      gc.collect();
      hook.fn = null;
      const pending = [...interp.pool.decrefs];
      const refAfterCollect = interp.process.refcnt(b.address);
      const refAfterGil = Python.withGil((py) => b.refcnt(py));
      return { bRef, inside, pending, refAfterCollect, refAfterGil, b: b.address, aEmpty: Python.withGil((py) => a.borrow(py).next.isEmpty()) };
    });
    const v = r.value!;
    expect(v.bRef).toBe(2);
    expect(v.inside[0]).toBe(2); // not decremented while the collector runs
    expect(v.pending).toEqual([v.b]);
    expect(v.refAfterCollect).toBe(2);
    expect(v.refAfterGil).toBe(1);
    expect(v.aEmpty).toBe(true);
    expect(r.verdict).toBe('ok');
    expect(r.audit).toEqual([]);
    expect(r.anomalies.filter((x) => x.kind === 'refcount-changed-during-collection')).toEqual([]);
  });

  it('an explicit drop of a taken reference is deferred too (no double drop at the end of traverse)', () => {
    const r = runOn('guarded', (interp) => {
      const [a, b] = Python.withGil((py) => {
        const a = Py.new(py, Node, {});
        const b = Py.new(py, Node, {});
        a.borrowMut(py).next.set(b.cloneRef(py));
        return [a, b];
      });
      hook.fn = (self) => (self.next as unknown as RefCell).take()?.drop();
      callTraverse(interp, a);
      hook.fn = null;
      const pending = interp.pool.decrefs.length;
      const refAfter = Python.withGil((py) => b.refcnt(py));
      return { pending, refAfter };
    });
    expect(r.value).toEqual({ pending: 1, refAfter: 1 });
    expect(r.verdict).toBe('ok');
  });
});

describe('guarded: a mutably borrowed object is skipped', () => {
  it('a collection while borrowMut is held skips the object: traverse returns 0 and user code does not run', () => {
    const r = runOn('guarded', (interp) => {
      return Python.withGil((py) => {
        const a = selfCycle(py);
        const m = a.borrowMut(py);
        hook.calls = 0;
        const whileBorrowed = callTraverse(interp, a);
        const collected = gc.collect();
        const callsWhileBorrowed = hook.calls;
        const countWhileBorrowed = interp.thread.gilCount;
        m.release();
        const afterRelease = callTraverse(interp, a);
        return { whileBorrowed, collected, callsWhileBorrowed, countWhileBorrowed, afterRelease, callsAfter: hook.calls, a: a.address };
      });
    });
    const v = r.value!;
    expect(v.whileBorrowed).toEqual({ code: 0, visited: [] });
    expect(v.callsWhileBorrowed).toBe(0);
    expect(v.collected).toBe(0);
    expect(v.countWhileBorrowed).toBe(1);
    expect(v.afterRelease).toEqual({ code: 0, visited: [v.a] });
    expect(v.callsAfter).toBe(1);
    expect(r.verdict).toBe('ok');
  });

  it('a shared borrow does not block traverse', () => {
    const r = runOn('guarded', (interp) =>
      Python.withGil((py) => {
        const a = selfCycle(py);
        const s = a.borrow(py);
        const res = callTraverse(interp, a);
        s.release();
        return { res, a: a.address };
      }),
    );
    expect(r.value!.res).toEqual({ code: 0, visited: [r.value!.a] });
  });
});

describe('guarded: errors from the visitor and from user code', () => {
  it("a visitor's non-zero result propagates as the traverse's return, and the rest of traverse does not run", () => {
    const r = runOn('guarded', (interp) => {
      const a = Python.withGil((py) => selfCycle(py));
      let after = 0;
      let caught: unknown;
      hook.fn = (self, visit) => {
        try {
          visit.call(self.next.get());
        } catch (e) {
          caught = e;
          throw e;
        }
        after++;
      };
      const res = callTraverse(interp, a, 7);
      return { res, after, caught, a: a.address };
    });
    const v = r.value!;
    expect(v.res.code).toBe(7);
    expect(v.res.visited).toEqual([v.a]); // the first visit.call, before the hook, already failed
    expect(v.after).toBe(0);
    expect(r.verdict).toBe('ok');
    expect(r.traverseErrors).toEqual([]); // a visitor error is not a user exception
  });

  it('the TraverseError of visit.call carries the code', () => {
    // The second visit is of another owned reference (a foreign or repeated one would be refused).
    const box: { caught?: unknown } = {};
    const TwoRefs = pyclass('TwoRefs', {
      fields: { a: field.cell(), b: field.cell() },
      traverse(self, visit) {
        visit.call(self.a.get());
        try {
          visit.call(self.b.get());
        } catch (e) {
          box.caught = e;
        }
      },
      clear(self) {
        self.a.clear();
        self.b.clear();
      },
    });
    const r = runOn('guarded', (interp) => {
      const a = Python.withGil((py) => {
        const x = Py.new(py, TwoRefs, { b: Py.new(py, Node, {}) });
        const m = x.borrowMut(py);
        m.a.set(x.cloneRef(py));
        m.release();
        return x;
      });
      // The visitproc returns 0 for the first visit and 3 for the second; the traverse swallows it.
      let n = 0;
      const code = interp.process.callTraverse(a.address, () => (n++ === 0 ? 0 : 3), null);
      return { code, isTraverseError: box.caught instanceof TraverseError, caughtCode: (box.caught as TraverseError).code };
    });
    expect(r.value).toEqual({ code: 0, isTraverseError: true, caughtCode: 3 });
  });

  const thrown: ReadonlyArray<readonly [string, () => unknown, string]> = [
    ['an Error', () => new Error('boom'), 'Node.traverse threw Error: boom'],
    ['a TypeError from a bug', () => new TypeError('x is undefined'), 'Node.traverse threw TypeError: x is undefined'],
    ['a non-Error value', () => 'just a string', 'Node.traverse threw just a string'],
  ];
  it.each(thrown)('%s thrown by user code becomes -1 and the interpreter survives', (_, make, message) => {
    const r = runOn('guarded', (interp) => {
      const a = Python.withGil((py) => selfCycle(py));
      hook.fn = () => {
        throw make();
      };
      const res = callTraverse(interp, a);
      const countAfter = interp.thread.gilCount;
      // Still usable: the collector runs every pass and collects the cycle.
      Python.withGil(() => a.drop());
      const collected = gc.collect();
      hook.fn = null;
      const more = Python.withGil((py) => {
        const x = selfCycle(py);
        const rc = x.refcnt(py);
        x.drop();
        return rc;
      });
      return { code: res.code, countAfter, collected, more, again: gc.collect() };
    });
    expect(r.value).toEqual({ code: -1, countAfter: 0, collected: 1, more: 2, again: 1 });
    expect(r.exception).toBeUndefined();
    expect(r.traverseErrors[0]).toBe(message);
    expect(r.verdict).toBe('ok');
    expect(r.audit).toEqual([]);
    expect(r.anomalies.some((x) => x.kind === 'traverse-returned-error' && x.message === 'Node_traverse returned -1')).toBe(true);
  });
});

describe('guarded: API misuse inside traverse is an exception like any other', () => {
  it('visit.call with a non-reference (plain JavaScript) throws PyUsageError → -1', () => {
    const r = runOn('guarded', (interp) => {
      const a = Python.withGil((py) => selfCycle(py));
      hook.fn = (_self, visit) => visit.call(5 as never);
      return callTraverse(interp, a).code;
    });
    expect(r.value).toBe(-1);
    expect(r.traverseErrors).toEqual(['Node.traverse threw PyUsageError: Visit#call: expected a reference field']);
    expect(r.verdict).toBe('ok');
  });
});

describe('guarded: the lock is restored on every exit path', () => {
  const paths = {
    'normal return': () => {},
    'visitor error': null,
    'user exception': () => {
      throw new Error('boom');
    },
    'TraverseGilError': () => Python.withGil(() => 1),
  } as const;
  for (const [path, fn] of Object.entries(paths)) {
    for (const where of ['Python code (count 0)', 'inside Python.withGil (count 1)', 'inside nested withGil'] as const) {
      it(`${path}, traverse called from ${where}`, () => {
        const r = runOn('guarded', (interp) => {
          const a = Python.withGil((py) => selfCycle(py));
          hook.fn = (self) => {
            inside.push(interp.thread.gilCount);
            fn?.();
            void self;
          };
          const inside: number[] = [];
          const probe = () => {
            const before = interp.thread.gilCount;
            const res = callTraverse(interp, a, fn === null ? 5 : 0);
            return { before, after: interp.thread.gilCount, code: res.code };
          };
          if (where === 'Python code (count 0)') return { ...probe(), inside };
          if (where === 'inside Python.withGil (count 1)') return { ...Python.withGil(probe), inside };
          return { ...Python.withGil(() => Python.withGil(probe)), inside };
        });
        const v = r.value!;
        if (where.startsWith('Python code')) expect(v.before).toBe(0);
        else if (where.includes('nested')) expect(v.before).toBeGreaterThanOrEqual(1); // 0.19: unchanged; 0.22+: + 1
        else expect(v.before).toBe(1);
        expect(v.after).toBe(v.before);
        expect(v.code).toBe(path === 'normal return' ? 0 : path === 'visitor error' ? 5 : -1);
        if (fn !== null) expect(v.inside).toEqual([-1]);
      });
    }
  }

  it('the count is restored when the object is skipped (mutably borrowed)', () => {
    const r = runOn('guarded', (interp) =>
      Python.withGil((py) => {
        const a = selfCycle(py);
        const m = a.borrowMut(py);
        callTraverse(interp, a);
        const after = interp.thread.gilCount;
        m.release();
        return after;
      }),
    );
    expect(r.value).toBe(1);
  });

  it('after gc.collect() with a misbehaving traverse, the main thread can take the GIL again', () => {
    const r = runOn('guarded', (interp) => {
      Python.withGil((py) => selfCycle(py));
      hook.fn = () => {
        Python.withGil(() => 1);
      };
      gc.collect();
      hook.fn = null;
      return { count: interp.thread.gilCount, inGil: Python.withGil(() => interp.thread.gilCount) };
    });
    expect(r.value).toEqual({ count: 0, inGil: 1 });
    expect(r.verdict).toBe('error');
  });
});

describe('threads spawned inside traverse wait for the GIL', () => {
  it.each(['guarded', 'pyo3-0.19-nolock', 'pyo3-0.18.3-patched'] as const)(
    '%s: the thread runs after the collection, so its withGil cannot drain the pool mid-collection',
    (runtime) => {
      const r = runOn(runtime, (interp) => {
        let b!: NodeRef;
        spawnThread(() => {
          b = Python.withGil((py) => {
            selfCycle(py); // keeps a traverse to run
            return Py.new(py, Node, {});
          });
          b.drop(); // deferred: b's only reference
        });
        const events: string[] = [];
        let handle!: ReturnType<typeof spawnThread>;
        hook.fn = () => {
          hook.fn = null;
          handle = spawnThread(() => {
            events.push(`thread runs (traverse depth ${interp.process.traverseDepth})`);
            Python.withGil(() => events.push('thread has the GIL'));
            throw new Error('late');
          }, 'Late');
          events.push('spawned');
        };
        gc.collect();
        events.push('collect returned');
        return { events, bLive: interp.process.isLive(b.address), pending: interp.pool.decrefs.length, error: (handle.error as Error | undefined)?.message };
      });
      expect(r.verdict).toBe('ok');
      expect(r.value).toEqual({
        events: ['spawned', 'thread runs (traverse depth 0)', 'thread has the GIL', 'collect returned'],
        bLive: false, // the thread's withGil applied b's decref — after the collection
        pending: 0,
        error: 'late',
      });
      expect(r.unraisable).toContain('Exception in thread Late: late');
    },
  );
});

describe('debug builds: PyObject_GC_Track validates with tp_traverse', () => {
  it('Py.new runs the new object\'s traverse under the lock; a misuse there is stopped and Py.new completes', () => {
    resetHook();
    const interp = new Interpreter({ runtime: 'guarded', python: '3.12', debug: true });
    const counts: number[] = [];
    const r = interp.run(() => {
      hook.fn = () => {
        counts.push(interp.thread.gilCount);
        Python.withGil(() => 1);
      };
      const made = Python.withGil((py) => {
        const n = Py.new(py, Node, {});
        return { tracked: gc.isTracked(n), rc: n.refcnt(py), count: interp.thread.gilCount };
      });
      hook.fn = null;
      return made;
    });
    resetHook();
    expect(counts).toEqual([-1]);
    expect(r.value).toEqual({ tracked: true, rc: 1, count: 1 });
    expect(r.verdict).toBe('error');
    expect(r.stopped).toEqual([`${GIL_LOCKED_DURING_TRAVERSE_MESSAGE} (Python.withGil)`]);
  });
});
