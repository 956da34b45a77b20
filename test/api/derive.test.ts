// `derive: true` (and `'traverse'` / `'clear'`): the pair generated from the field schema is correct
// by construction — under every witness runtime and profile a garbage cycle through any
// reference field kind is collected, an object held from outside is never cleared, nothing
// leaks, and the guarded runtime has nothing to stop.
import { describe, expect, it } from 'vitest';
import { Interpreter, Py, Python, field, gc, pyclass, type RuntimeKind } from 'traverse-guard';

const Derived = pyclass('Derived', {
  fields: { r: field.ref(), o: field.optionalRef(), c: field.cell(), l: field.list(), n: field.int(7) },
  derive: true,
});

const Leafy = pyclass('Leafy', { fields: { c: field.cell() }, derive: true });

/** Every reference field points back at the instance (4 edges of a self-cycle), plus one leaf held from outside too. */
function scenario(hold: boolean) {
  return () => {
    const kept = Python.withGil((py) => {
      const leaf = Py.new(py, Leafy, {});
      const x = Py.new(py, Derived, { r: leaf.cloneRef(py), l: [leaf.cloneRef(py)] });
      const m = x.borrowMut(py);
      m.o = x.cloneRef(py);
      m.c.set(x.cloneRef(py));
      m.l.push(x.cloneRef(py));
      m.r = x.cloneRef(py);
      m.release();
      if (!hold) x.drop();
      return hold ? [x, leaf] : [leaf];
    });
    const counts = [gc.collect(0), gc.collect(), gc.collect()];
    return { counts, alive: kept.map((k) => k.isAlive()) };
  };
}

const RUNTIMES: RuntimeKind[] = ['guarded', 'pyo3-0.18.3-patched', 'pyo3-0.19-nolock', 'c'];

describe('derived traverse and clear (derive)', () => {
  it('records which slots were derived', () => {
    expect(Derived.derived).toEqual({ traverse: true, clear: true });
    expect(typeof Derived.spec.traverse).toBe('function');
  });

  for (const runtime of RUNTIMES) {
    for (const python of ['3.7', '3.11', '3.13']) {
      for (const debug of [false, true]) {
        it(`${runtime}@${python}${debug ? 'd' : ''}: a garbage cycle through every field kind is collected, no finding`, () => {
          const r = new Interpreter({ runtime, python, debug }).run(scenario(false));
          expect(r.verdict).toBe('ok');
          expect(r.stopped).toEqual([]);
          expect(r.value!.counts.reduce((a, b) => a + b, 0)).toBe(1);
          expect(r.value!.alive).toEqual([true]);
        });
        it(`${runtime}@${python}${debug ? 'd' : ''}: held from outside, nothing is cleared`, () => {
          const r = new Interpreter({ runtime, python, debug }).run(scenario(true));
          expect(r.verdict).toBe('ok');
          expect(r.value!.counts).toEqual([0, 0, 0]);
        });
      }
    }
  }

  it('the derived traverse visits each owned reference exactly once (gc.get_referents counts them)', () => {
    const r = new Interpreter({ runtime: 'c' }).run(() =>
      Python.withGil((py) => {
        const a = Py.new(py, Leafy, {});
        const b = Py.new(py, Leafy, {});
        const x = Py.new(py, Derived, { r: a.cloneRef(py), o: b.cloneRef(py), l: [a.cloneRef(py), b.cloneRef(py)] });
        const y = Py.new(py, Derived, { r: a.cloneRef(py) });
        return [gc.getReferents(x), gc.getReferents(y)];
      }),
    );
    expect(r.value).toEqual([4, 1]);
  });

  it('derives one slot alone, and refuses a slot both derived and hand-written, or another spelling', () => {
    const C = pyclass('OnlyClear', { fields: { c: field.cell() }, traverse: (self, visit) => visit.call(self.c.get()), derive: 'clear' });
    expect(C.derived).toEqual({ traverse: false, clear: true });
    expect(() => pyclass('Both', { fields: {}, traverse: () => undefined, derive: true })).toThrow(/traverse is derived \(derive: true\); remove the hand-written one/);
    expect(() => pyclass('Bad', { fields: {}, derive: 'both' as 'clear' })).toThrow(/derive must be true, 'traverse' or 'clear'/);
    expect(() => pyclass('NoTraverse', { fields: { c: field.cell() }, derive: 'clear' })).toThrow(/clear requires an implementation of traverse/);
  });
});
