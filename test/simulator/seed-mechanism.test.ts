// The seed's mechanism at the C-API level: a tp_traverse that Py_DECREFs a young object to
// zero during subtract_refs faults at 0x4 on 3.8+, and untracks cleanly on 3.7.
import { describe, expect, it } from 'vitest';
import { createSimulation, runSimulation, PROFILE_NAMES, type Simulation } from '../../src/simulator/index.js';

/** A type `Dropper` whose traverse drops its slot 0 once (like crash2's clear_on_traverse). */
function dropperScenario(sim: Simulation, victimRefs: 'one' | 'cycle') {
  const p = sim.process;
  const dropper = p.defineType({
    name: 'Dropper',
    gc: true,
    traverse: (op, visit, arg) => {
      const a = p.payload[p.slot(op)] as number[];
      const x = a[0];
      if (x) {
        a[0] = 0;
        p.Py_DECREF(x); // the bug: a refcount change inside tp_traverse
      }
      void visit;
      void arg;
      return 0;
    },
    clear: () => 0,
    dealloc: (op) => {
      p.PyObject_GC_UnTrack(op);
      const a = p.payload[p.slot(op)] as number[];
      if (a[0]) p.Py_DECREF(a[0]);
      p.PyObject_GC_Del(op);
    },
    referents: (op) => (p.payload[p.slot(op)] as number[]).filter(Boolean),
  });
  sim.gc.disable();
  const d = p.gcNew(dropper, [0]);
  p.PyObject_GC_Track(d);
  const victim = p.gcNew(sim.builtins.list, []);
  p.PyObject_GC_Track(victim);
  (p.payload[p.slot(d)] as number[])[0] = victim; // d owns the only reference to victim
  if (victimRefs === 'cycle') {
    p.Py_INCREF(d);
    p.items.push(p.slot(victim), d);
  }
  return { d, victim };
}

describe('a Py_DECREF to zero inside tp_traverse', () => {
  for (const python of PROFILE_NAMES.filter((v) => v !== '3.7' && v !== '3.14.0')) {
    it(`crashes writing 0x4 in PyObject_GC_UnTrack on ${python}`, () => {
      const sim = createSimulation({ python });
      const r = runSimulation(sim, (s) => {
        dropperScenario(s, 'one');
        s.gc.collect();
      });
      expect(r.verdict).toBe('crash');
      expect(r.fault?.signal).toBe('SIGSEGV');
      expect(r.fault?.address).toBe(0x4);
      expect(r.fault?.access).toBe('write');
      expect(r.fault?.backtrace.at(-1)).toMatch(/^main at test\/simulator\/seed-mechanism\.test\.ts:\d+$/);
      expect(r.fault?.backtrace.slice(0, 5)).toEqual([
        'PyObject_GC_UnTrack',
        'list_dealloc',
        'Py_DECREF',
        'Dropper_traverse',
        'subtract_refs',
      ]);
    });
  }

  it('untracks cleanly on 3.7 (gc_refs has its own word); the free inside a traverse makes it corrupt', () => {
    const sim = createSimulation({ python: '3.7' });
    const r = runSimulation(sim, (s) => {
      const { victim } = dropperScenario(s, 'one');
      const n = s.gc.collect();
      return { n, victimFreed: s.process.isFreed(victim) };
    });
    expect(r.verdict).toBe('corrupt');
    expect(r.audit.map((f) => f.kind)).toEqual(['graph-changed-during-traverse']);
    expect(r.audit[0].message).toMatch(/^list .+ was freed inside Dropper_traverse\(Dropper .+\) in subtract_refs \(PyObject_GC_Del ← list_dealloc ← Py_DECREF at test\/simulator\/seed-mechanism\.test\.ts:\d+\)$/);
    expect(r.value?.victimFreed).toBe(true);
  });

  it('points at 0x0 when the victim was already visited (gc_refs 0)', () => {
    const sim = createSimulation({ python: '3.11' });
    const r = runSimulation(sim, (s) => {
      const p = s.process;
      const { d, victim } = dropperScenario(s, 'one');
      // Another object visits the victim first (subtracting its gc_ref to 0), then Dropper runs:
      // move the dropper to the end of the list by untracking and re-tracking it.
      p.PyObject_GC_UnTrack(d);
      const holder = p.gcNew(s.builtins.list, []);
      p.PyObject_GC_Track(holder);
      p.PyObject_GC_Track(d);
      void holder;
      void victim;
      s.gc.collect();
    });
    // The victim's refcount is 1 (dropper only): no one else visits it; still 0x4.
    expect(r.fault?.address).toBe(0x4);
  });
});
