// The binding API as users rely on it (issue 3, "Public names" and "Bad input"): `using` with
// Py / GILGuard / GILPool, RefCell and RefList ownership (moves in, hands out, drops at the end of
// the enclosing callback unless claimed), Py.new moving references in, use after drop, threads
// and the reference pool, pyclass definition errors, and user exceptions surfacing in
// RunResult.exception rather than crashing the host.
import { afterEach, describe, expect, it } from 'vitest';
import {
  GILPool,
  Interpreter,
  Py,
  PyClassDefinitionError,
  PyUsageError,
  Python,
  TraverseError,
  Visit,
  field,
  gc,
  pyclass,
  spawnThread,
} from 'traverse-guard';
import { Leaf, Node, callTraverse, resetHook, runOn, selfCycle, type NodeRef } from './helpers.js';

afterEach(resetHook);

const Holder = pyclass('Holder', {
  fields: { r: field.ref<typeof Node>(), o: field.optionalRef<typeof Node>(), c: field.cell<typeof Node>(), l: field.list<typeof Node>(), tag: field.str('h') },
  traverse(self, visit) {
    visit.call(self.r);
    visit.call(self.o);
    visit.call(self.c.get());
    for (const x of self.l) visit.call(x);
  },
  clear(self) {
    self.c.clear();
    self.l.clear();
    self.o = null;
  },
});

const node = (py: Python): NodeRef => Py.new(py, Node, {});

/** Runs `main` under guarded and returns its value, failing on any escaped exception. */
function ok<R>(main: (interp: Interpreter) => R): R {
  const r = runOn('guarded', main);
  if (r.exception) throw new Error(`scenario threw ${r.exception.name}: ${r.exception.message}`);
  expect(r.verdict).toBe('ok');
  expect(r.audit).toEqual([]);
  return r.value as R;
}

describe('using', () => {
  it('a Py declared with `using` is dropped at the end of its block', () => {
    const v = ok(() =>
      Python.withGil((py) => {
        let outer!: NodeRef;
        const keep = (() => {
          using r = node(py);
          outer = r;
          const k = r.cloneRef(py);
          return { k, inside: r.refcnt(py) };
        })();
        return { inside: keep.inside, after: keep.k.refcnt(py), dropped: outer.isDropped() };
      }),
    );
    expect(v).toEqual({ inside: 2, after: 1, dropped: true });
  });

  it('`using` on a reference that was moved into a field does nothing at the end of the block', () => {
    const v = ok(() =>
      Python.withGil((py) => {
        const h = Py.new(py, Holder, { r: node(py) });
        const n = node(py);
        const probe = n.cloneRef(py);
        {
          using r = n;
          h.borrowMut(py).c.set(r);
        }
        return probe.refcnt(py); // the clone + the cell's
      }),
    );
    expect(v).toBe(2);
  });

  it('`using` drops on an exception leaving the block too', () => {
    const v = ok(() =>
      Python.withGil((py) => {
        const n = node(py);
        const probe = n.cloneRef(py);
        try {
          using r = n;
          void r;
          throw new Error('leave');
        } catch {
          /* expected */
        }
        return { rc: probe.refcnt(py), dropped: n.isDropped() };
      }),
    );
    expect(v).toEqual({ rc: 1, dropped: true });
  });

  it('a GILGuard declared with `using` holds the GIL (count 1, pool drained) until the end of the block', () => {
    const v = ok((interp) => {
      const b = Python.withGil((py) => node(py));
      const c = Python.withGil((py) => b.cloneRef(py));
      spawnThread(() => c.drop()); // deferred
      const pending = interp.pool.decrefs.length;
      let guard!: ReturnType<typeof Python.acquireGil>;
      const inside = (() => {
        using g = Python.acquireGil();
        guard = g;
        return { count: interp.thread.gilCount, pending: interp.pool.decrefs.length, rc: b.refcnt(g.python()) };
      })();
      let afterRelease = '';
      try {
        guard.python();
      } catch (e) {
        afterRelease = (e as Error).name;
      }
      guard.release(); // idempotent
      return { pending, inside, after: interp.thread.gilCount, afterRelease };
    });
    expect(v).toEqual({ pending: 1, inside: { count: 1, pending: 0, rc: 1 }, after: 0, afterRelease: 'PyUsageError' });
  });

  // PyO3 0.18/0.19 leave the count alone for a nested acquisition, 0.22's GILGuard::Assumed adds
  // one; either way it stays positive, no pool is created and the count comes back.
  it('a nested GILGuard (GIL already held) creates no pool and restores the count', () => {
    const v = ok((interp) =>
      Python.withGil(() => {
        const b = node(Python.assumeGilAcquired());
        const c = b.cloneRef(Python.assumeGilAcquired());
        spawnThread(() => c.drop());
        let inside = 0;
        {
          using g = Python.acquireGil();
          void g;
          inside = interp.thread.gilCount;
        }
        return { inside, after: interp.thread.gilCount, pending: interp.pool.decrefs.length };
      }),
    );
    expect(v.inside).toBeGreaterThanOrEqual(1);
    expect(v).toMatchObject({ after: 1, pending: 1 });
  });

  it('a GILPool declared with `using` (and py.newPool()) counts up, drains and counts down', () => {
    const v = ok((interp) => {
      const b = Python.withGil((py) => node(py));
      const c = Python.withGil((py) => b.cloneRef(py));
      spawnThread(() => c.drop());
      let inside = 0;
      let pendingInside = -1;
      {
        using pool = new GILPool();
        void pool;
        inside = interp.thread.gilCount;
        pendingInside = interp.pool.decrefs.length;
      }
      const py = Python.withGil((p) => p);
      const viaNewPool = (() => {
        using pool = py.newPool();
        return { count: interp.thread.gilCount, token: pool.python() instanceof Python };
      })();
      return { inside, pendingInside, after: interp.thread.gilCount, viaNewPool };
    });
    expect(v).toEqual({ inside: 1, pendingInside: 0, after: 0, viaNewPool: { count: 1, token: true } });
  });
});

describe('RefCell', () => {
  it('set moves the new reference in and drops the old one at once', () => {
    const v = ok(() =>
      Python.withGil((py) => {
        const old = node(py);
        const oldProbe = old.cloneRef(py);
        const h = Py.new(py, Holder, { r: node(py), c: old });
        const m = h.borrowMut(py);
        const nu = node(py);
        const nuProbe = nu.cloneRef(py);
        m.c.set(nu);
        const rcOld = oldProbe.refcnt(py);
        let reuse = '';
        try {
          nu.drop();
        } catch (e) {
          reuse = (e as Error).message;
        }
        m.release();
        return { rcOld, rcNew: nuProbe.refcnt(py), reuse };
      }),
    );
    expect(v).toEqual({ rcOld: 1, rcNew: 2, reuse: 'Py#drop: the reference was moved (into a field or another object)' });
  });

  it('replace/take hand the old value out; unclaimed, it is dropped when the enclosing callback returns', () => {
    const v = ok(() => {
      const [h, probe] = Python.withGil((py) => {
        const old = node(py);
        const probe = old.cloneRef(py);
        return [Py.new(py, Holder, { r: node(py), c: old }), probe] as const;
      });
      const during = Python.withGil((py) => {
        const m = h.borrowMut(py);
        const out = m.c.take();
        const rc = probe.refcnt(py); // still alive inside the callback
        const empty = m.c.isEmpty();
        const again = m.c.take();
        m.release();
        return { rc, empty, again, outLive: out !== null && !out.isDropped() };
      });
      const after = Python.withGil((py) => probe.refcnt(py));
      return { during, after };
    });
    expect(v).toEqual({ during: { rc: 2, empty: true, again: null, outLive: true }, after: 1 });
  });

  it('a replaced value the caller stores elsewhere is kept', () => {
    const v = ok(() => {
      const [h, h2, probe] = Python.withGil((py) => {
        const old = node(py);
        const probe = old.cloneRef(py);
        return [Py.new(py, Holder, { r: node(py), c: old }), Py.new(py, Holder, { r: node(py) }), probe] as const;
      });
      Python.withGil((py) => {
        const m = h.borrowMut(py);
        const out = m.c.replace(node(py));
        m.release();
        const m2 = h2.borrowMut(py);
        m2.c.set(out);
        m2.release();
      });
      return Python.withGil((py) => ({ rc: probe.refcnt(py), stored: !h2.borrow(py).c.isEmpty() }));
    });
    expect(v).toEqual({ rc: 2, stored: true });
  });

  it('a taken value returned from the callback moves to the caller (and the caller may drop it)', () => {
    const v = ok(() => {
      const [h, probe] = Python.withGil((py) => {
        const old = node(py);
        const probe = old.cloneRef(py);
        return [Py.new(py, Holder, { r: node(py), c: old }), probe] as const;
      });
      const out = Python.withGil((py) => {
        const m = h.borrowMut(py);
        const t = m.c.take();
        m.release();
        return t;
      });
      const rcReturned = Python.withGil((py) => probe.refcnt(py));
      Python.withGil(() => out!.drop());
      return { rcReturned, rcDropped: Python.withGil((py) => probe.refcnt(py)) };
    });
    expect(v).toEqual({ rcReturned: 2, rcDropped: 1 });
  });

  it('a taken value dropped explicitly is dropped once (not again at the end of the callback)', () => {
    const v = ok(() => {
      const [h, probe] = Python.withGil((py) => {
        const old = node(py);
        const probe = old.cloneRef(py);
        return [Py.new(py, Holder, { r: node(py), c: old }), probe] as const;
      });
      const inside = Python.withGil((py) => {
        const m = h.borrowMut(py);
        m.c.take()!.drop();
        m.release();
        return probe.refcnt(py);
      });
      return { inside, after: Python.withGil((py) => probe.refcnt(py)) };
    });
    expect(v).toEqual({ inside: 1, after: 1 });
  });

  it('clear drops the reference at once', () => {
    const v = ok(() =>
      Python.withGil((py) => {
        const old = node(py);
        const probe = old.cloneRef(py);
        const h = Py.new(py, Holder, { r: node(py), c: old });
        const m = h.borrowMut(py);
        m.c.clear();
        const rc = probe.refcnt(py);
        m.release();
        return { rc, empty: h.borrow(py).c.isEmpty() };
      }),
    );
    expect(v).toEqual({ rc: 1, empty: true });
  });
});

describe('RefList', () => {
  it('push moves in; iteration and at() borrow; pop hands out; set drops the old; clear drops all', () => {
    const v = ok(() =>
      Python.withGil((py) => {
        const [x, y, z] = [node(py), node(py), node(py)];
        const [px, py_, pz] = [x.cloneRef(py), y.cloneRef(py), z.cloneRef(py)];
        const h = Py.new(py, Holder, { r: node(py), l: [x] });
        const m = h.borrowMut(py);
        m.l.push(y);
        let movedErr = '';
        try {
          y.cloneRef(py);
        } catch (e) {
          movedErr = (e as Error).name;
        }
        const order = [...m.l].map((r) => (r.is(px) ? 'x' : r.is(py_) ? 'y' : '?')).join('');
        const len = m.l.length;
        const popped = m.l.pop()!;
        const rcPoppedInside = py_.refcnt(py); // handed out, alive until the callback ends
        m.l.set(0, z); // x dropped
        const rcX = px.refcnt(py);
        m.l.clear(); // z dropped
        const rcZ = pz.refcnt(py);
        m.release();
        return { order, len, movedErr, rcPoppedInside, rcX, rcZ, poppedLive: !popped.isDropped(), lenAfter: h.borrow(py).l.length };
      }),
    );
    expect(v).toEqual({ order: 'xy', len: 2, movedErr: 'PyUsageError', rcPoppedInside: 2, rcX: 1, rcZ: 1, poppedLive: true, lenAfter: 0 });
  });

  it('a popped reference not claimed is dropped at the end of the callback; splice hands out several', () => {
    const v = ok(() => {
      const [h, probes] = Python.withGil((py) => {
        const items = [node(py), node(py), node(py)];
        const probes = items.map((i) => i.cloneRef(py));
        return [Py.new(py, Holder, { r: node(py), l: items }), probes] as const;
      });
      Python.withGil((py) => {
        const m = h.borrowMut(py);
        m.l.pop();
        m.l.splice(0, 1);
        m.release();
      });
      return Python.withGil((py) => ({ rcs: probes.map((p) => p.refcnt(py)), len: h.borrow(py).l.length }));
    });
    expect(v).toEqual({ rcs: [1, 2, 1], len: 1 });
  });
});

describe('Py', () => {
  it('Py.new moves references in (no incref) and the dealloc of the holder drops them', () => {
    const v = ok(() =>
      Python.withGil((py) => {
        const [r, o, c, l] = [node(py), node(py), node(py), node(py)];
        const probes = [r, o, c, l].map((x) => x.cloneRef(py));
        const h = Py.new(py, Holder, { r, o, c, l: [l] });
        const inHolder = probes.map((p) => p.refcnt(py));
        const errors: string[] = [];
        for (const moved of [r, o, c, l]) {
          try {
            moved.drop();
          } catch (e) {
            errors.push((e as Error).name);
          }
        }
        h.drop();
        return { inHolder, errors, afterHolder: probes.map((p) => p.refcnt(py)) };
      }),
    );
    expect(v.inHolder).toEqual([2, 2, 2, 2]);
    expect(v.errors).toEqual(['PyUsageError', 'PyUsageError', 'PyUsageError', 'PyUsageError']);
    expect(v.afterHolder).toEqual([1, 1, 1, 1]);
  });

  it.each([
    ['a missing required reference', (py: Python) => Py.new(py, Holder, {} as never), "Py.new(Holder): field 'r' needs a reference"],
    ['an unknown field', (py: Python) => Py.new(py, Holder, { r: node(py), nope: 1 } as never), "Py.new(Holder): no field 'nope'"],
    ['a non-reference in a reference field', (py: Python) => Py.new(py, Holder, { r: 5 } as never), 'Py.new(Holder).r: expected a Py reference or null'],
    [
      'a reference in a plain value field',
      (py: Python) => Py.new(py, pyclass('WithValue', { fields: { v: field.value<unknown>(null) } }), { v: node(py) }),
      "Py.new(WithValue): field 'v' is a plain value; declare references with field.ref(), field.optionalRef(), field.cell() or field.list()",
    ],
  ] as const)('Py.new rejects %s with PyUsageError', (_, make, message) => {
    const r = runOn('guarded', () => Python.withGil((py) => make(py)));
    expect(r.exception).toEqual({ name: 'PyUsageError', message });
    expect(r.verdict).toBe('ok');
  });

  it.each([
    ['drop', (x: NodeRef) => x.drop()],
    ['cloneRef', (x: NodeRef, py: Python) => x.cloneRef(py)],
    ['bind', (x: NodeRef, py: Python) => x.bind(py)],
    ['borrow', (x: NodeRef, py: Python) => x.borrow(py)],
    ['borrowMut', (x: NodeRef, py: Python) => x.borrowMut(py)],
    ['refcnt', (x: NodeRef, py: Python) => x.refcnt(py)],
  ] as const)('%s after drop throws PyUsageError', (name, use) => {
    const r = runOn('guarded', () =>
      Python.withGil((py) => {
        const x = node(py);
        x.drop();
        x[Symbol.dispose](); // no-op on a dropped reference
        use(x, py);
      }),
    );
    expect(r.exception).toEqual({ name: 'PyUsageError', message: `Py#${name}: the reference was already dropped` });
  });

  it('borrow rules: a mutable borrow excludes others until released; a released view is unusable', () => {
    const v = ok(() =>
      Python.withGil((py) => {
        const a = node(py);
        const outcomes: string[] = [];
        const tryIt = (f: () => unknown) => {
          try {
            f();
            outcomes.push('ok');
          } catch (e) {
            outcomes.push((e as Error).name);
          }
        };
        const m = a.borrowMut(py);
        tryIt(() => a.borrow(py));
        tryIt(() => a.borrowMut(py));
        m.release();
        const s1 = a.borrow(py);
        tryIt(() => a.borrow(py).release());
        tryIt(() => a.borrowMut(py));
        s1.release();
        tryIt(() => s1.n);
        tryIt(() => a.borrowMut(py).release());
        const s2 = a.borrow(py);
        tryIt(() => ((s2 as unknown as { n: number }).n = 3));
        s2.release();
        return outcomes;
      }),
    );
    expect(v).toEqual(['PyUsageError', 'PyUsageError', 'ok', 'PyUsageError', 'PyUsageError', 'ok', 'PyUsageError']);
  });

  it('a token from an interpreter that is not running is refused', () => {
    let stale!: Python;
    runOn('guarded', () => Python.withGil((py) => void (stale = py)));
    const r = runOn('guarded', () => Python.withGil(() => Py.new(stale, Leaf, {})));
    expect(r.exception).toEqual({ name: 'PyUsageError', message: 'Py.new: the token belongs to an interpreter that is not running' });
  });
});

describe('spawnThread and the reference pool', () => {
  it('a thread starts with its own GIL count 0; drops without the GIL are deferred, with it immediate', () => {
    const v = ok((interp) => {
      const [a, b] = Python.withGil((py) => [node(py), node(py)]);
      const [ca, cb] = Python.withGil((py) => [a.cloneRef(py), b.cloneRef(py)]);
      const seen: Record<string, number> = {};
      const t = Python.withGil(() =>
        spawnThread(() => {
          seen.threadCount = interp.thread.gilCount;
          Python.withGil((py) => {
            seen.inGil = interp.thread.gilCount;
            ca.drop(); // with the GIL: now
            seen.rcA = a.refcnt(py);
          });
          cb.drop(); // without: deferred
          seen.pending = interp.pool.decrefs.length;
        }),
      );
      seen.mainAfter = interp.thread.gilCount;
      seen.rcBBefore = interp.process.refcnt(b.address);
      seen.rcBAfter = Python.withGil((py) => b.refcnt(py)); // applied at this acquisition
      return { seen, error: t.error };
    });
    expect(v).toEqual({ seen: { threadCount: 0, inGil: 1, rcA: 1, pending: 1, mainAfter: 0, rcBBefore: 2, rcBAfter: 1 }, error: undefined });
  });

  it("an exception in a thread ends the thread (threading.excepthook), not the scenario", () => {
    const r = runOn('guarded', () => {
      const t = spawnThread(() => {
        throw new Error('thread boom');
      }, 'Worker');
      return { error: (t.error as Error).message, after: Python.withGil(() => 'main goes on') };
    });
    expect(r.value).toEqual({ error: 'thread boom', after: 'main goes on' });
    expect(r.unraisable).toContain('Exception in thread Worker: thread boom');
    expect(r.exception).toBeUndefined();
  });
});

describe('gc', () => {
  it('collect() counts the unreachable objects it found', () => {
    const v = ok(() => {
      const kept = Python.withGil((py) => selfCycle(py));
      Python.withGil((py) => {
        selfCycle(py).drop();
        const a = node(py);
        const b = node(py);
        const ma = a.borrowMut(py);
        ma.next.set(b.cloneRef(py));
        ma.release();
        const mb = b.borrowMut(py);
        mb.next.set(a.cloneRef(py));
        mb.release();
        a.drop();
        b.drop();
      });
      const first = gc.collect();
      const second = gc.collect();
      return { first, second, keptRc: Python.withGil((py) => kept.refcnt(py)) };
    });
    expect(v).toEqual({ first: 3, second: 0, keptRc: 2 });
  });
});

describe('bad input', () => {
  it('a class with reference fields and no traverse is rejected at definition', () => {
    expect(() => pyclass('NoTraverse', { fields: { r: field.ref(), c: field.cell() } })).toThrow(PyClassDefinitionError);
    expect(() => pyclass('NoTraverse', { fields: { r: field.ref(), c: field.cell() } })).toThrow(
      'pyclass NoTraverse: it holds references (r, c) but has no traverse: the garbage collector could never see them',
    );
  });

  it('clear without traverse is rejected at definition (PyO3: __clear__ requires __traverse__)', () => {
    expect(() => pyclass('ClearOnly', { fields: { n: field.int() }, clear() {} })).toThrow(
      new PyClassDefinitionError('pyclass ClearOnly: an implementation of clear requires an implementation of traverse'),
    );
  });

  it.each([
    ['an invalid name', () => pyclass('1bad', { fields: {} }), "pyclass: '1bad' is not a valid class name"],
    ['a field that is not a schema', () => pyclass('BadField', { fields: { x: 5 } } as never), "pyclass BadField: field 'x' is not a field schema (use field.ref(), field.cell(), …)"],
    ['a traverse that is not a function', () => pyclass('BadTraverse', { fields: {}, traverse: 5 } as never), 'pyclass BadTraverse: traverse must be a function'],
    ['a missing fields object', () => pyclass('NoFields', {} as never), "pyclass NoFields: the spec needs a 'fields' object"],
  ] as const)('%s is a PyClassDefinitionError', (_, define, message) => {
    expect(define).toThrow(new PyClassDefinitionError(message));
  });

  it('a class without references needs no traverse and is not GC-tracked', () => {
    const Plain = pyclass('Plain', { fields: { n: field.int(3) } });
    const v = ok(() => Python.withGil((py) => { const p = Py.new(py, Plain, {}); return { tracked: gc.isTracked(p), n: p.borrow(py).n }; }));
    expect(v).toEqual({ tracked: false, n: 3 });
  });

  it('Visit and TraverseError cannot be constructed at run time either (plain JavaScript)', () => {
    const AnyVisit = Visit as unknown as new (...a: unknown[]) => unknown;
    const AnyTraverseError = TraverseError as unknown as new (...a: unknown[]) => unknown;
    expect(() => new AnyVisit(() => 0, null)).toThrow(new TypeError('Visit cannot be constructed by user code'));
    expect(() => new AnyTraverseError(3)).toThrow(new TypeError('TraverseError cannot be constructed by user code'));
    const AnyPython = Python as unknown as new (...a: unknown[]) => unknown;
    expect(() => new AnyPython()).toThrow(TypeError);
  });

  it('interpreter options and API calls outside run are checked', () => {
    expect(() => new Interpreter({ runtime: 'pyo3-9' as never })).toThrow("unknown runtime 'pyo3-9'");
    expect(() => new Interpreter({ python: '2.7' })).toThrow(/unknown Python profile '2\.7'/);
    expect(() => Python.withGil(() => 1)).toThrow('Python.withGil: no interpreter is running (call it inside Interpreter#run)');
    const interp = new Interpreter();
    interp.run(() => 1);
    expect(() => interp.run(() => 1)).toThrow('an interpreter runs once');
  });
});

describe('user exceptions surface in RunResult.exception', () => {
  it('an exception escaping main is reported, the host goes on, and the heap is audited', () => {
    const r = runOn('guarded', () => {
      Python.withGil((py) => selfCycle(py));
      throw new RangeError('scenario failed');
    });
    expect(r.exception).toEqual({ name: 'RangeError', message: 'scenario failed' });
    expect(r.verdict).toBe('ok');
    expect(r.audit).toEqual([]);
  });

  it.each(['guarded', 'pyo3-0.18.3', 'c'] as const)('%s: an exception thrown inside withGil propagates out of it with the GIL count restored', (runtime) => {
    const r = runOn(runtime, (interp) => {
      const counts: number[] = [];
      for (const nested of [false, true]) {
        try {
          Python.withGil(() => {
            if (nested) Python.withGil(() => { throw new Error('inner'); });
            else throw new Error('outer');
          });
        } catch (e) {
          counts.push(interp.thread.gilCount);
          void e;
        }
      }
      return counts;
    });
    expect(r.value).toEqual([0, 0]);
    expect(r.exception).toBeUndefined();
  });

  it('an exception in clear during a collection becomes an unraisable message, not a host crash', () => {
    const Bad = pyclass('BadClear', {
      fields: { c: field.cell() },
      traverse: (self, visit) => visit.call(self.c.get()),
      clear() {
        throw new Error('clear failed');
      },
    });
    const r = runOn('guarded', () => {
      Python.withGil((py) => {
        const a = Py.new(py, Bad, {});
        const m = a.borrowMut(py);
        m.c.set(a.cloneRef(py));
        m.release();
        a.drop();
      });
      return gc.collect();
    });
    expect(r.exception).toBeUndefined();
    expect(r.fault).toBeUndefined();
    expect(r.unraisable.join('\n')).toContain('clear failed');
  });

  it('an async traverse written in plain JavaScript never becomes an unhandled rejection of the host', async () => {
    const rejections: unknown[] = [];
    const onRejection = (e: unknown) => void rejections.push(e);
    process.on('unhandledRejection', onRejection);
    try {
      const Async = pyclass('AsyncTraverse', {
        fields: { c: field.cell() },
        async traverse(self: { c: { get(): unknown } }, visit: Visit) {
          visit.call(self.c.get() as never);
          throw new Error('async boom');
        },
      } as never);
      const r = runOn('guarded', (interp) => {
        const a = Python.withGil((py) => Py.new(py, Async as typeof Leaf, {}));
        return callTraverse(interp, a).code;
      });
      expect(r.value).toBe(0);
      expect(r.anomalies.some((x) => x.kind === 'traverse-returned-error' && x.message.includes('must be synchronous'))).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(rejections).toEqual([]);
    } finally {
      process.off('unhandledRejection', onRejection);
    }
  });
});

describe('allowThreads / detach', () => {
  it.each(['allowThreads', 'detach'] as const)('%s: the count is 0 inside, drops are deferred and applied when it returns (SuspendGIL::drop)', (method) => {
    const v = ok((interp) =>
      Python.withGil((py) => {
        const a = node(py);
        const probe = a.cloneRef(py);
        const inside = py[method](() => {
          a.drop(); // the GIL is released: deferred
          return { count: interp.thread.gilCount, pending: interp.pool.decrefs.length, rc: interp.process.refcnt(a.address) };
        });
        return { inside, after: { count: interp.thread.gilCount, pending: interp.pool.decrefs.length, rc: probe.refcnt(py) } };
      }),
    );
    expect(v).toEqual({ inside: { count: 0, pending: 1, rc: 2 }, after: { count: 1, pending: 0, rc: 1 } });
  });

  it('an exception inside allowThreads still restores the count and applies the deferred counts (SuspendGIL drops on unwind)', () => {
    const v = ok((interp) =>
      Python.withGil((py) => {
        const a = node(py);
        const probe = a.cloneRef(py);
        let caught = '';
        try {
          py.allowThreads(() => {
            a.drop();
            throw new Error('inside');
          });
        } catch (e) {
          caught = (e as Error).message;
        }
        return { caught, count: interp.thread.gilCount, pending: interp.pool.decrefs.length, rc: probe.refcnt(py) };
      }),
    );
    expect(v).toEqual({ caught: 'inside', count: 1, pending: 0, rc: 1 });
  });
});

describe('Visit outlives nothing', () => {
  it('a Visit kept past its traverse is dead (PyVisit cannot outlive __traverse__)', () => {
    const r = runOn('guarded', (interp) => {
      const a = Python.withGil((py) => selfCycle(py));
      let kept: Visit | undefined;
      const Escaping = pyclass('Escaping', {
        fields: { c: field.cell() },
        traverse(self, visit) {
          kept = visit;
          visit.call(self.c.get());
        },
      });
      const e = Python.withGil((py) => Py.new(py, Escaping, {}));
      callTraverse(interp, e);
      void a;
      try {
        kept!.call(null);
        return 'callable';
      } catch (err) {
        return `${(err as Error).name}: ${(err as Error).message}`;
      }
    });
    expect(r.value).toBe('PyUsageError: Visit#call: the traverse this Visit belongs to has returned');
  });
});
