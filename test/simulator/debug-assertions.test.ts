// Debug-build (--with-pydebug) checks with CPython's message texts (reference §3.1, §3.2):
// "object already tracked by the garbage collector" (an abort in every build), the 3.11+
// PyObject_GC_Track validation traverse, the GC_Del ResourceWarning, and that correct
// programs trip none of the assertions (validate_list, gc_decref, update_refs …).
import { describe, expect, it } from 'vitest';
import { newList, runSimulation } from '../../src/simulator/index.js';
import { GEN_PROFILES, nodeKit, sim } from './helpers.js';

describe('PyObject_GC_Track of a tracked object', () => {
  for (const debug of [false, true]) {
    for (const python of ['3.7', ...GEN_PROFILES]) {
      const text =
        python === '3.7'
          ? 'Fatal Python error: GC object already tracked'
          : `${['3.13', '3.14.5'].includes(python) ? 'Python/gc.c' : 'Modules/gcmodule.c'}: PyObject_GC_Track: Assertion failed: object already tracked by the garbage collector`;
      it(`${python}${debug ? ' debug' : ''}: abort "${text}"`, () => {
        const s = sim(python, debug);
        const r = runSimulation(s, () => {
          const l = newList(s.process, s.builtins);
          s.process.PyObject_GC_Track(l);
        });
        expect(r.fault).toMatchObject({ signal: 'SIGABRT', code: 'abort', where: 'PyObject_GC_Track', message: text, exitStatus: 134 });
        expect(r.fault!.backtrace[0]).toBe('PyObject_GC_Track');
      });
    }
  }
});

describe('PyObject_GC_Track validation (debug 3.11+)', () => {
  it('3.11 debug: tracking an object that refers to freed memory aborts "PyObject_GC_Track() object is not valid"', () => {
    const s = sim('3.11', true);
    const r = runSimulation(s, () => {
      const p = s.process;
      const dead = newList(p, s.builtins);
      p.Py_DECREF(dead); // freed
      const l = p.gcNew(s.builtins.list, undefined);
      p.items.assign(p.slot(l), [dead]); // a stale pointer
      p.PyObject_GC_Track(l);
    });
    expect(r.fault).toMatchObject({ signal: 'SIGABRT', message: 'PyObject_GC_Track() object is not valid' });
    expect(r.fault!.backtrace.slice(0, 3)).toEqual(['visit_validate', 'list_traverse', 'PyObject_GC_Track']);
  });

  for (const [python, debug] of [['3.10', true], ['3.11', false]] as const) {
    it(`${python}${debug ? ' debug' : ' release'}: no validation traverse`, () => {
      const s = sim(python, debug);
      const r = runSimulation(s, () => {
        const k = nodeKit(s);
        const a = k.make(0);
        return k.calls(a);
      });
      expect(r.value).toBe(0);
    });
  }

  it('3.11 debug: the validation traverse is a real tp_traverse call (side effects run at track time)', () => {
    const s = sim('3.11', true);
    const r = runSimulation(s, () => {
      const k = nodeKit(s);
      const passes: string[] = [];
      k.make(0, { hook: (_x, i) => i.phase === 'before' && passes.push(i.pass) });
      return passes;
    });
    expect(r.value).toEqual(['PyObject_GC_Track']);
  });
});

describe('PyObject_GC_Del of a still-tracked object', () => {
  for (const [python, warns] of [['3.10', false], ['3.11', true], ['3.13', true]] as const) {
    it(`${python} debug: ${warns ? 'ResourceWarning "Object of type … is not untracked before destruction"' : 'no warning'}`, () => {
      const s = sim(python, true);
      const r = runSimulation(s, () => {
        const p = s.process;
        const lazy = p.defineType({ name: 'Lazy', gc: true, traverse: () => 0, dealloc: (op) => p.PyObject_GC_Del(op), referents: () => [] });
        const o = p.gcNew(lazy, null);
        p.PyObject_GC_Track(o);
        p.Py_DECREF(o);
        return p.isFreed(o);
      });
      expect(r.verdict).toBe('ok');
      expect(r.value).toBe(true);
      expect(r.unraisable).toEqual(warns ? ['ResourceWarning: Object of type Lazy is not untracked before destruction'] : []);
    });
  }
});

describe('correct programs pass every debug assertion', () => {
  for (const python of ['3.7', ...GEN_PROFILES, '3.14.0']) {
    it(`${python} debug: cycles, finalizers, resurrection, promotion and SAVEALL run clean`, () => {
      const s = sim(python, true);
      const r = runSimulation(s, () => {
        const p = s.process;
        const saved: number[] = [];
        const k = nodeKit(s);
        const fin = nodeKit(s, 'Fin', { finalize: (self) => (saved.length ? undefined : (p.Py_INCREF(self), saved.push(self))) });
        const cycle = (kit = k, hold = false) => {
          const a = kit.make(1);
          const b = k.make(1);
          kit.set(a, 0, b);
          k.set(b, 0, a);
          p.Py_DECREF(b);
          if (!hold) p.Py_DECREF(a);
          return a;
        };
        const out: number[] = [];
        cycle();
        out.push(s.gc.collect());
        cycle(fin);
        out.push(s.gc.collect());
        p.Py_DECREF(saved[0]);
        out.push(s.gc.collect());
        const held = cycle(k, true);
        out.push(s.gc.collect(0));
        p.Py_DECREF(held);
        out.push(s.gc.collect(0), s.gc.collect(1));
        s.gc.setDebug(32);
        cycle();
        out.push(s.gc.collect(), s.gc.garbage.length);
        return out;
      });
      expect(r.fault).toBeUndefined();
      expect(r.verdict).toBe('ok');
      expect(r.value).toEqual([2, 0, 2, 0, 0, 2, 2, 2]);
    });
  }
});
