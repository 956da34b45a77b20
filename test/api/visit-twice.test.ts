// Visiting one owned reference twice in a traverse underflows gc_refs (a corrupt heap in a
// release build, "refcount is too small" in a debug build); the guarded runtime refuses it.
import { describe, expect, it } from 'vitest';
import { Interpreter, Py, Python, field, gc, pyclass } from 'traverse-guard';

const Twice = pyclass('Twice', {
  fields: { child: field.cell() },
  traverse(self, visit) {
    visit.call(self.child.get());
    visit.call(self.child.get());
  },
  clear(self) {
    self.child.take();
  },
});

/** A child list-like object held only by the instance, both young and collected. */
function scenario() {
  Python.withGil((py) => {
    const leaf = Py.new(py, Twice, {});
    const obj = Py.new(py, Twice, { child: leaf });
    obj.drop(); // garbage (acyclic), freed at once
    const a = Py.new(py, Twice, {});
    const b = Py.new(py, Twice, {});
    a.borrowMut(py).child.set(b.cloneRef(py));
    b.borrowMut(py).child.set(a.cloneRef(py));
    const keep = Py.new(py, Twice, { child: a.cloneRef(py) });
    a.drop();
    b.drop();
    return keep;
  });
  return gc.collect();
}

describe('visiting one reference twice', () => {
  it('corrupts the heap (gc_refs underflow) under raw C in a release build', () => {
    const r = new Interpreter({ runtime: 'c', python: '3.11' }).run(scenario);
    expect(r.verdict).toBe('corrupt');
    expect(r.audit.map((a) => a.kind)).toContain('gc-refs-underflow');
  });

  it('aborts with "refcount is too small" in a debug build', () => {
    const r = new Interpreter({ runtime: 'c', python: '3.11', debug: true }).run(scenario);
    expect(r.verdict).toBe('crash');
    expect(r.fault?.message).toContain('refcount is too small');
  });

  it('is refused by the guarded runtime: verdict error, heap intact', () => {
    const r = new Interpreter({ runtime: 'guarded', python: '3.11' }).run(scenario);
    expect(r.verdict).toBe('error');
    expect(r.audit).toEqual([]);
    expect(r.stopped[0]).toMatch(/visited the same reference twice/);
  });

  it('still allows two fields that hold references to the same object', () => {
    const Pair = pyclass('Pair', {
      fields: { a: field.cell(), b: field.cell() },
      traverse(self, visit) {
        visit.call(self.a.get());
        visit.call(self.b.get());
      },
      clear(self) {
        self.a.take();
        self.b.take();
      },
    });
    const r = new Interpreter({ runtime: 'guarded', python: '3.11' }).run(() => {
      Python.withGil((py) => {
        const p = Py.new(py, Pair, {});
        const m = p.borrowMut(py);
        m.a.set(p.cloneRef(py));
        m.b.set(p.cloneRef(py));
        m.release();
        p.drop();
      });
      return gc.collect();
    });
    expect(r.exception).toBeUndefined();
    expect(r.verdict).toBe('ok');
    expect(r.value).toBe(1);
  });
});
