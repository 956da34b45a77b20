// Issue 13 item 4: a pyclass `drop` hook (PyO3's Drop) run in tp_dealloc the runtime's way,
// `Py#isAlive()`, and raw `Py_INCREF`/`Py_DECREF` for the `c` runtime — so a C extension's
// traverse that takes a reference to itself is written with the public API.
import { afterEach, describe, expect, it } from 'vitest';
import { Interpreter, Py, PyUsageError, Py_DECREF, Py_INCREF, Python, field, gc, pyclass, spawnThread, type RuntimeKind } from 'traverse-guard';
import { Node, resetHook, runOn } from './helpers.js';

afterEach(resetHook);

/** What each Dropper's drop hook saw: its name, whether its child field was still set, the GIL count. */
const seen: Array<{ name: string; child: boolean; gilCount: number; pending: number }> = [];
let throwInDrop = false;

const Dropper = pyclass('Dropper', {
  fields: { child: field.optionalRef<typeof Node>(), name: field.str() },
  traverse(self, visit) {
    visit.call(self.child);
  },
  clear(self) {
    self.child = null;
  },
  drop(self) {
    const interp = (globalThis as { __interp?: Interpreter }).__interp!;
    seen.push({ name: self.name, child: self.child !== null && !self.child.isDropped(), gilCount: interp.thread.gilCount, pending: interp.pool.decrefs.length });
    if (throwInDrop) throw new Error(`drop of ${self.name} failed`);
  },
});

function run<R>(runtime: RuntimeKind, main: (interp: Interpreter) => R) {
  seen.length = 0;
  throwInDrop = false;
  return runOn(runtime, (interp) => {
    (globalThis as { __interp?: Interpreter }).__interp = interp;
    try {
      return main(interp);
    } finally {
      delete (globalThis as { __interp?: Interpreter }).__interp;
    }
  });
}

describe('drop hook', () => {
  for (const runtime of ['guarded', 'pyo3-0.18.3', 'c'] as const) {
    it(`${runtime}: runs in tp_dealloc after untracking, before the fields are dropped`, () => {
      const r = run(runtime, () =>
        Python.withGil((py) => {
          const child = Py.new(py, Node, {});
          const d = Py.new(py, Dropper, { child: child.cloneRef(py), name: 'd' });
          d.drop();
          return { childAlive: child.isAlive(), childRefcnt: child.refcnt(py), dAlive: d.isAlive() };
        }),
      );
      expect(r.verdict).toBe('ok');
      expect(r.value).toEqual({ childAlive: true, childRefcnt: 1, dAlive: false });
      expect(seen.map((x) => [x.name, x.child])).toEqual([['d', true]]);
    });
  }

  it('PyO3: the dealloc trampoline\'s GILPool applies deferred decrefs before the hook, and the GIL count is raised in it', () => {
    const r = run('pyo3-0.19-nolock', (interp) =>
      Python.withGil((py) => {
        const d = Py.new(py, Dropper, { name: 'd' });
        let other!: Py<typeof Node>;
        spawnThread(() => {
          other = Python.withGil((py2) => Py.new(py2, Node, {}));
          other.drop(); // no GIL on this thread: deferred
        });
        const pendingBefore = interp.pool.decrefs.length;
        const otherAliveBefore = other.isAlive();
        d.drop(); // with the GIL: Py_DECREF now → tp_dealloc → trampoline GILPool → hook
        return { pendingBefore, otherAliveBefore, otherAliveAfter: other.isAlive() };
      }),
    );
    expect(r.value).toEqual({ pendingBefore: 1, otherAliveBefore: true, otherAliveAfter: false });
    expect(seen).toEqual([{ name: 'd', child: false, gilCount: 2, pending: 0 }]);
  });

  it('c: no pool and no GIL count in the hook', () => {
    run('c', () => Python.withGil((py) => Py.new(py, Dropper, { name: 'd' })).drop());
    expect(seen).toEqual([{ name: 'd', child: false, gilCount: 0, pending: 0 }]);
  });

  it('runs for each member of a garbage cycle freed by the collector (tp_clear drops the edge)', () => {
    const r = run('guarded', () => {
      const [a, b] = Python.withGil((py) => {
        const b = Py.new(py, Dropper, { name: 'b' });
        const a = Py.new(py, Dropper, { name: 'a', child: b.cloneRef(py) as never });
        const m = b.borrowMut(py);
        m.child = a.cloneRef(py) as never;
        m.release();
        return [a, b];
      });
      Python.withGil(() => {
        a.drop();
        b.drop();
      });
      return { n: gc.collect(), a: a.isAlive(), b: b.isAlive() };
    });
    expect(r.verdict).toBe('ok');
    expect(r.value).toEqual({ n: 2, a: false, b: false });
    expect(seen.map((x) => x.name).sort()).toEqual(['a', 'b']);
  });

  for (const [runtime, text] of [
    ['guarded', 'Exception ignored in: <Dropper dealloc>: PanicException: Error: drop of d failed'],
    ['c', 'Exception ignored in: <Dropper dealloc>: Error: drop of d failed'],
  ] as const) {
    it(`${runtime}: an exception in the hook is unraisable; the dealloc completes`, () => {
      const r = run(runtime, () => {
        throwInDrop = true;
        const child = Python.withGil((py) => Py.new(py, Node, {}));
        const d = Python.withGil((py) => Py.new(py, Dropper, { name: 'd', child: child.cloneRef(py) }));
        Python.withGil(() => d.drop());
        return { d: d.isAlive(), childRefcnt: Python.withGil((py) => child.refcnt(py)) };
      });
      expect(r.verdict).toBe('ok');
      expect(r.value).toEqual({ d: false, childRefcnt: 1 });
      expect(r.unraisable).toEqual([text]);
    });
  }
});

describe('Py#isAlive', () => {
  it('false once freed; true for a dropped handle whose object lives on; needs no token', () => {
    const r = runOn('guarded', () => {
      const [a, a2] = Python.withGil((py) => {
        const a = Py.new(py, Node, {});
        return [a, a2Of(py, a)];
      });
      const afterOneDrop = [a2.isDropped(), a2.isAlive()];
      Python.withGil(() => a.drop());
      return { afterOneDrop, a: a.isAlive(), a2: a2.isAlive() };
    });
    expect(r.value).toEqual({ afterOneDrop: [true, true], a: false, a2: false });
  });
});

function a2Of(py: Python, a: Py<typeof Node>): Py<typeof Node> {
  const a2 = a.cloneRef(py);
  a2.drop();
  return a2;
}

describe('raw Py_INCREF / Py_DECREF (c runtime)', () => {
  it('count a Py, a field reference and a borrowed self, without touching the handles', () => {
    const r = runOn('c', () =>
      Python.withGil((py) => {
        const a = Py.new(py, Node, {});
        Py_INCREF(a);
        const two = a.refcnt(py);
        const m = a.borrowMut(py);
        Py_DECREF(m);
        m.release();
        return { two, one: a.refcnt(py), dropped: a.isDropped() };
      }),
    );
    expect(r.value).toEqual({ two: 2, one: 1, dropped: false });
    expect(r.verdict).toBe('ok');
  });

  it('Py_DECREF to zero deallocates now (the handle dangles, as a C pointer would)', () => {
    const r = runOn('c', () =>
      Python.withGil((py) => {
        const a = Py.new(py, Node, {});
        Py_DECREF(a);
        return a.isAlive();
      }),
    );
    expect(r.value).toBe(false);
  });

  for (const runtime of ['guarded', 'pyo3-0.19-nolock'] as const) {
    it(`${runtime}: refused (PyO3 counts through cloneRef and drop)`, () => {
      const r = runOn(runtime, () =>
        Python.withGil((py) => {
          const a = Py.new(py, Node, {});
          try {
            Py_INCREF(a);
            return 'accepted';
          } catch (e) {
            return e instanceof PyUsageError ? e.message : String(e);
          }
        }),
      );
      expect(r.value).toBe(`Py_INCREF: raw C reference counting belongs to the c runtime; under ${runtime} use Py#cloneRef and Py#drop`);
    });
  }

  it('a C traverse that does Py_INCREF(self) … Py_DECREF(self) is ok; one that keeps the reference is corrupt', () => {
    const Balanced = pyclass('Balanced', {
      fields: { next: field.cell() },
      traverse(self, visit) {
        Py_INCREF(self as unknown as Py);
        visit.call(self.next.get());
        Py_DECREF(self as unknown as Py);
      },
    });
    const Keeps = pyclass('Keeps', {
      fields: { next: field.cell() },
      traverse(self, visit) {
        Py_INCREF(self as unknown as Py); // liveness-and-drop: keeps self
        visit.call(self.next.get());
      },
    });
    const cycle = (cls: typeof Balanced) =>
      runOn('c', () => {
        Python.withGil((py) => {
          const a = Py.new(py, cls, {});
          const m = a.borrowMut(py);
          m.next.set(a.cloneRef(py));
          m.release();
          a.drop();
        });
        return gc.collect();
      });
    const ok = cycle(Balanced);
    expect(ok.verdict).toBe('ok');
    expect(ok.value).toBe(1);
    const bad = cycle(Keeps);
    expect(bad.verdict).toBe('corrupt');
    expect(bad.value).toBe(0); // the kept reference makes the cycle look referenced from outside
    const c = bad.anomalies.find((a) => a.kind === 'graph-changed-during-traverse')!.change!;
    expect(c).toMatchObject({ kind: 'refcount', what: 'ob_refcnt 1 → 2', operation: 'Py_INCREF' });
    expect(c.source).toMatch(/^test\/api\/liveness-and-drop\.test\.ts:\d+$/);
  });
});
