// Issue 13 item 1: a collection during which a tp_traverse changes the object graph — a
// refcount changed and not restored when the traverse returns, an object (GC or not) freed —
// ends `corrupt`, with an anomaly naming the object, the count, the operation and the line.
// Incref-then-decref pairs, objects allocated and freed inside one traverse, and traverses
// outside a collection (gc.get_referents) change nothing the collector relies on: `ok`.
import { describe, expect, it } from 'vitest';
import { newStr, runSimulation, type Anomaly, type Simulation } from '../../src/simulator/index.js';
import { GEN_PROFILES, nodeKit, sim } from './helpers.js';

const ALL = ['3.7', ...GEN_PROFILES, '3.14.0'] as const;
const changes = (anomalies: readonly Anomaly[]) => anomalies.filter((a) => a.kind === 'graph-changed-during-traverse');

/** a -> b and a -> a, with b also held by the caller; a's traverse runs `hook` on its first call. */
function held(s: Simulation, hook: (a: number, b: number) => void) {
  const k = nodeKit(s);
  const b = k.make(1);
  let first = true;
  const a = k.make(2, {
    hook: (self, i) => {
      if (i.phase === 'before' && first) {
        first = false;
        hook(self, b);
      }
    },
  });
  k.set(a, 0, b);
  k.set(a, 1, a);
  return { k, a, b };
}

describe('a traverse that changes a refcount and does not restore it: corrupt', () => {
  for (const python of ALL) {
    it(`${python}: clearing a field whose object stays alive (another reference holds it)`, () => {
      const s = sim(python);
      const r = runSimulation(s, () => {
        const { k, a, b } = held(s, (self) => k.drop(self, 0));
        const n = s.gc.collect();
        return { n, aLive: s.process.isLive(a), bLive: s.process.isLive(b), bRefcnt: s.process.refcnt(b), b: s.process.mem.describe(b) };
      });
      const v = r.value!;
      expect(v).toMatchObject({ n: 0, aLive: true, bLive: true, bRefcnt: 1 });
      expect(r.verdict).toBe('corrupt');
      const [c] = changes(r.anomalies);
      expect(c.change).toMatchObject({ kind: 'refcount', object: `Node ${v.b}`, what: 'ob_refcnt 2 → 1', damage: true });
      expect(c.change!.operation).toBe('Py_DECREF');
      expect(c.change!.source).toMatch(/^test\/simulator\/helpers\.ts:\d+$/); // the innermost user line: NodeKit#drop's Py_DECREF
      expect(c.change!.during).toMatch(/^Node_traverse\(Node .+\) in (subtract_refs|update_refs)$/);
      expect(r.audit[0]).toEqual({ kind: 'graph-changed-during-traverse', message: c.message });
    });
  }

  it('3.11: an Py_INCREF never undone (a reference taken and kept) is corrupt too', () => {
    const s = sim('3.11');
    const r = runSimulation(s, () => {
      const { b } = held(s, (_self, b) => s.process.Py_INCREF(b));
      s.gc.collect();
      return s.process.mem.describe(b);
    });
    expect(r.verdict).toBe('corrupt');
    expect(changes(r.anomalies).map((a) => a.change!.what)).toEqual(['ob_refcnt 2 → 3']);
    expect(changes(r.anomalies)[0].change!.object).toBe(`Node ${r.value}`);
  });

  it('3.11: one decref in each of two traverse calls is reported twice (each call returned with a changed count)', () => {
    const s = sim('3.11');
    const r = runSimulation(s, () => {
      const k = nodeKit(s);
      const b = k.make(1);
      s.process.Py_INCREF(b);
      s.process.Py_INCREF(b); // b: 3 = caller + two extra references the traverse gives up
      let calls = 0;
      const a = k.make(1, { hook: (_self, i) => i.phase === 'before' && ++calls <= 2 && s.process.Py_DECREF(b) });
      k.set(a, 0, b);
      s.gc.collect();
    });
    expect(r.verdict).toBe('corrupt');
    expect(changes(r.anomalies).map((a) => a.change!.what)).toEqual(['ob_refcnt 4 → 3', 'ob_refcnt 3 → 2']);
  });
});

describe('objects freed inside a traverse: corrupt, GC or not', () => {
  for (const python of ALL) {
    it(`${python}: a non-GC str the traverse frees (structurally safe: case D)`, () => {
      const s = sim(python);
      const r = runSimulation(s, () => {
        const str = newStr(s.process, s.builtins, 'x');
        const k = nodeKit(s);
        let first = true;
        const a = k.make(1, { hook: (_self, i) => i.phase === 'before' && first && ((first = false), s.process.Py_DECREF(str)) });
        k.set(a, 0, a);
        s.process.Py_DECREF(a);
        return { n: s.gc.collect(), str: s.process.mem.describe(str) };
      });
      expect(r.value!.n).toBe(1);
      expect(r.verdict).toBe('corrupt');
      const [c] = changes(r.anomalies);
      expect(c.change).toMatchObject({ kind: 'freed', object: `str ${r.value!.str} (not a GC object)` });
      expect(c.change!.operation).toBe('str_dealloc ← Py_DECREF');
      expect(c.message).toContain('was freed inside Node_traverse');
    });
  }
});

describe('what is not a graph change: ok', () => {
  for (const python of ALL) {
    it(`${python}: Py_INCREF then Py_DECREF of self and of a referent in one traverse`, () => {
      const s = sim(python);
      const r = runSimulation(s, () => {
        const { a } = held(s, (self, b) => {
          s.process.Py_INCREF(self);
          s.process.Py_INCREF(b);
          s.process.Py_DECREF(b);
          s.process.Py_DECREF(self);
        });
        s.process.Py_DECREF(a);
        return s.gc.collect();
      });
      expect(r.value).toBe(1);
      expect(r.verdict).toBe('ok');
      expect(changes(r.anomalies)).toEqual([]);
    });
  }

  it('3.11: an object allocated and freed inside the same traverse changes nothing (§4: result unchanged)', () => {
    const s = sim('3.11');
    const r = runSimulation(s, () => {
      const { a, k } = held(s, () => {
        const tmp = k.make(0);
        s.process.Py_DECREF(tmp);
        s.process.Py_DECREF(newStr(s.process, s.builtins, 'tmp'));
      });
      s.process.Py_DECREF(a);
      return s.gc.collect();
    });
    expect(r.value).toBe(1);
    expect(r.verdict).toBe('ok');
    expect(r.anomalies.map((a) => a.kind)).toContain('object-allocated-during-collection');
    expect(changes(r.anomalies)).toEqual([]);
  });

  it('3.11: a decref inside a traverse that gc.get_referents runs outside any collection is not a collection\'s graph change', () => {
    const s = sim('3.11');
    const r = runSimulation(s, () => {
      const { a, b } = held(s, (self) => void self);
      s.process.Py_INCREF(b);
      const k = nodeKit(s, 'Other');
      const c = k.make(0, { hook: (_x, i) => i.phase === 'before' && s.process.Py_DECREF(b) });
      s.gc.getReferents(c);
      return { a };
    });
    expect(r.verdict).toBe('ok');
    expect(changes(r.anomalies)).toEqual([]);
  });
});
