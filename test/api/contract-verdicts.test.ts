// The rest of the tp_traverse / tp_clear contract (issue 12, reference §9), run as real
// scenarios under the witness runtimes: an incomplete traverse and a clear that releases
// nothing leak (verdict `leak`, after two full collections, with the unvisited edge named); a
// double or foreign visit clears a live object (verdict `corrupt`, naming the holder and the
// visit); a debug build aborts with CPython's assertion text where it has one.
import { describe, expect, it } from 'vitest';
import { Interpreter, Py, Python, field, gc, pyclass, type RunResult } from 'traverse-guard';

/** Visits `a` only: a cycle through `b` is invisible to the collector. */
const Half = pyclass('Half', {
  fields: { a: field.cell(), b: field.cell() },
  traverse(self, visit) {
    visit.call(self.a.get());
  },
  clear(self) {
    self.a.take();
    self.b.take();
  },
});

/** Visits everything, releases nothing. */
const Sticky = pyclass('Sticky', {
  fields: { a: field.cell() },
  traverse(self, visit) {
    visit.call(self.a.get());
  },
  clear() {},
});

/** Visits its child twice. */
const Twice = pyclass('Twice', {
  fields: { me: field.cell(), child: field.cell() },
  traverse(self, visit) {
    visit.call(self.me.get());
    visit.call(self.child.get());
    visit.call(self.child.get());
  },
  clear(self) {
    self.me.take();
    self.child.take();
  },
});

/** Visits a module-level object it does not own. */
const foreign: { obj: Py | null } = { obj: null };
const Foreign = pyclass('Foreign', {
  fields: { me: field.cell() },
  traverse(self, visit) {
    visit.call(self.me.get());
    visit.call(foreign.obj);
  },
  clear(self) {
    self.me.take();
  },
});

/** Visits its cell on every other call only. */
let calls = 0;
const Flaky = pyclass('Flaky', {
  fields: { a: field.cell() },
  traverse(self, visit) {
    if (calls++ % 2 === 0) visit.call(self.a.get());
  },
  clear(self) {
    self.a.take();
  },
});

const Plain = pyclass('Plain', {
  fields: { a: field.cell() },
  traverse(self, visit) {
    visit.call(self.a.get());
  },
  clear(self) {
    self.a.take();
  },
});

function run(runtime: 'c' | 'pyo3-0.19-nolock' | 'pyo3-0.18.3-patched' | 'guarded', python: string, main: () => unknown, debug = false): RunResult {
  return new Interpreter({ runtime, python, debug }).run(main);
}

/** A garbage self-cycle through field `k`, then `n` full collections. */
function garbageSelfCycle(cls: typeof Half | typeof Sticky | typeof Flaky, k: string, n: number): () => number[] {
  return () => {
    Python.withGil((py) => {
      const x = Py.new(py, cls as typeof Half, {});
      const m = x.borrowMut(py) as unknown as Record<string, { set(v: unknown): void }> & { release(): void };
      m[k].set(x.cloneRef(py));
      m.release();
      x.drop();
    });
    return Array.from({ length: n }, () => gc.collect());
  };
}

describe('leak: an unreachable cycle that survives two full collections', () => {
  for (const runtime of ['c', 'pyo3-0.19-nolock', 'pyo3-0.18.3-patched'] as const) {
    for (const python of ['3.7', '3.8', '3.11', '3.13']) {
      it(`${runtime}@${python}: an unvisited field (b) leaks, the edge is named`, () => {
        const r = run(runtime, python, garbageSelfCycle(Half, 'b', 2));
        expect(r.value).toEqual([0, 0]);
        expect(r.verdict).toBe('leak');
        const leak = r.audit.find((f) => f.kind === 'leak')!;
        expect(leak.message).toMatch(/Half block \d+\+\d+ \.b → Half block \d+\+\d+ was never visited/);
        expect(leak.detail?.unvisited?.[0].field).toBe('b');
      });
    }
  }

  it('one full collection is not yet a leak (§9: a single survival is not)', () => {
    expect(run('c', '3.11', garbageSelfCycle(Half, 'b', 1)).verdict).toBe('ok');
  });

  it('the same cycle through the visited field is collected', () => {
    const r = run('c', '3.11', garbageSelfCycle(Half, 'a', 2));
    expect(r.value).toEqual([1, 0]);
    expect(r.verdict).toBe('ok');
  });

  it('a reachable object is never a leak, however often collected', () => {
    const r = run('c', '3.11', () => {
      const keep = Python.withGil((py) => {
        const x = Py.new(py, Half, {});
        const m = x.borrowMut(py);
        m.b.set(x.cloneRef(py));
        m.release();
        return x;
      });
      gc.collect();
      gc.collect();
      gc.collect();
      return keep;
    });
    expect(r.verdict).toBe('ok');
  });

  it('a clear that releases nothing: collected every time, yet it survives (§9) — leak', () => {
    for (const python of ['3.7', '3.11', '3.13']) {
      const r = run('c', python, garbageSelfCycle(Sticky, 'a', 3));
      expect(r.value, python).toEqual([1, 1, 1]);
      expect(r.verdict, python).toBe('leak');
      expect(r.audit.find((f) => f.kind === 'leak')!.message).toMatch(/tp_clear of Sticky .* released none/);
    }
  });

  it('a nondeterministic traverse keeps a garbage cycle (§9)', () => {
    calls = 0;
    const r = run('c', '3.11', garbageSelfCycle(Flaky, 'a', 4));
    expect(['leak', 'corrupt']).toContain(r.verdict);
  });
});

describe('a double or foreign visit clears a live object: corrupt', () => {
  /** Garbage self-cycle X whose child T is also held from outside; X visits T twice. */
  const doubleScenario = () =>
    Python.withGil((py) => {
      const t = Py.new(py, Plain, {});
      const x = Py.new(py, Twice, { child: t.cloneRef(py) });
      const m = x.borrowMut(py);
      m.me.set(x.cloneRef(py));
      m.release();
      x.drop();
      gc.collect();
      return t; // still held: the collector must not have cleared it
    });

  for (const python of ['3.7', '3.11', '3.13']) {
    it(`c@${python}: the audit names the object, its holder and the double visit`, () => {
      const r = run('c', python, doubleScenario);
      expect(r.verdict).toBe('corrupt');
      const f = r.audit.find((a) => a.kind === 'live-object-cleared')!;
      expect(f.message).toMatch(/judged Plain block \d+\+\d+ unreachable and cleared it while it was still referenced from outside/);
      expect(f.message).toMatch(/a reference from outside the heap/);
      expect(f.message).toMatch(/Twice_traverse of block \d+\+\d+ visited Plain block \d+\+\d+ 2 times but owns 1 reference to it \(a double visit\)/);
    });
  }

  it('the holder may be a rooted object of the heap: it is named with its field', () => {
    const r = run('c', '3.11', () =>
      Python.withGil((py) => {
        const root = Py.new(py, Plain, {});
        gc.collect(); // root is old now
        const t = Py.new(py, Plain, {});
        const rm = root.borrowMut(py);
        rm.a.set(t.cloneRef(py));
        rm.release();
        const x = Py.new(py, Twice, { child: t });
        const m = x.borrowMut(py);
        m.me.set(x.cloneRef(py));
        m.release();
        x.drop();
        gc.collect(0); // x and t are young: t's only outside owner is the old root
        return root;
      }),
    );
    expect(r.verdict).toBe('corrupt');
    expect(r.audit[0].message).toMatch(/by Plain block \d+\+\d+ \.a → Plain/);
  });

  it('a foreign visit in collect(0): a young object held only by a module global is cleared (§9)', () => {
    const r = run('c', '3.11', () =>
      Python.withGil((py) => {
        foreign.obj = Py.new(py, Plain, { a: Py.new(py, Plain, {}) });
        const x = Py.new(py, Foreign, {});
        const m = x.borrowMut(py);
        m.me.set(x.cloneRef(py));
        m.release();
        x.drop();
        const n = gc.collect(0);
        foreign.obj = null;
        return n;
      }),
    );
    expect(r.verdict).toBe('corrupt');
    expect(r.audit[0].message).toMatch(/visited Plain block \d+\+\d+, which it does not own \(a foreign visit\)/);
  });

  it('a foreign visit does nothing in a full collection of a live visitor (§9: no effect)', () => {
    const r = run('c', '3.11', () =>
      Python.withGil((py) => {
        foreign.obj = Py.new(py, Plain, {});
        const x = Py.new(py, Foreign, {});
        gc.collect();
        foreign.obj = null;
        return x;
      }),
    );
    expect(r.verdict).toBe('ok');
  });

  it('debug build: a double visit of a garbage cycle member aborts with "refcount is too small"', () => {
    const r = run(
      'c',
      '3.11',
      () =>
        Python.withGil((py) => {
          const x = Py.new(py, Twice, {});
          const m = x.borrowMut(py);
          m.child.set(x.cloneRef(py));
          m.release();
          x.drop();
          return gc.collect();
        }),
      true,
    );
    expect(r.verdict).toBe('crash');
    expect(r.fault?.message).toContain('refcount is too small');
  });
});

describe('the guarded runtime: each clause refused with a clean error, the heap intact', () => {
  it('an unvisited field: visited for it, recorded; the cycle is collected', () => {
    const r = run('guarded', '3.11', garbageSelfCycle(Half, 'b', 2));
    expect(r.verdict).toBe('error');
    expect(r.value).toEqual([1, 0]);
    expect(r.stopped[0]).toMatch(/Half\.traverse did not visit 'b', which holds a reference/);
    expect(r.audit).toEqual([]);
  });

  it('a clear that releases nothing: released for it, recorded; the cycle is freed', () => {
    const r = run('guarded', '3.11', garbageSelfCycle(Sticky, 'a', 2));
    expect(r.verdict).toBe('error');
    expect(r.value).toEqual([1, 0]);
    expect(r.stopped[0]).toMatch(/Sticky\.clear left 'a' holding a reference/);
  });

  it('a double visit of a child held from outside: the second visit refused, nothing cleared while live', () => {
    const r = run('guarded', '3.11', () =>
      Python.withGil((py) => {
        const t = Py.new(py, Plain, {});
        const x = Py.new(py, Twice, { child: t.cloneRef(py) });
        const m = x.borrowMut(py);
        m.me.set(x.cloneRef(py));
        m.release();
        x.drop();
        return [gc.collect(), t][0];
      }),
    );
    expect(r.verdict).toBe('error');
    expect(r.value).toBe(1);
    expect(r.audit).toEqual([]);
    expect(r.stopped[0]).toMatch(/visited the same reference twice \(child\)/);
  });

  it('a foreign visit: refused (a module global is not one of its fields)', () => {
    const r = run('guarded', '3.11', () =>
      Python.withGil((py) => {
        foreign.obj = Py.new(py, Plain, { a: Py.new(py, Plain, {}) });
        const x = Py.new(py, Foreign, {});
        const m = x.borrowMut(py);
        m.me.set(x.cloneRef(py));
        m.release();
        x.drop();
        const n = gc.collect(0);
        foreign.obj = null;
        return n;
      }),
    );
    expect(r.verdict).toBe('error');
    expect(r.value).toBe(1);
    expect(r.audit).toEqual([]);
    expect(r.stopped[0]).toMatch(/not one of its own fields \(a foreign visit\)/);
  });

  it('a nondeterministic traverse: completed on every call, so every pass sees the same graph', () => {
    calls = 0;
    const r = run('guarded', '3.11', garbageSelfCycle(Flaky, 'a', 3));
    expect(r.verdict).toBe('error');
    expect(r.value).toEqual([1, 0, 0]);
    expect(r.audit).toEqual([]);
  });

  it('a correct class stops nothing', () => {
    const r = run('guarded', '3.11', () => {
      Python.withGil((py) => {
        const x = Py.new(py, Plain, {});
        const m = x.borrowMut(py);
        m.a.set(x.cloneRef(py));
        m.release();
        x.drop();
      });
      return [gc.collect(), gc.collect()];
    });
    expect(r.verdict).toBe('ok');
    expect(r.stopped).toEqual([]);
  });
});
