// Issue 13 item 1 through the binding: a traverse that clears, replaces or adds a reference
// field during a collection. Under raw C (and PyO3 runtimes that hold the GIL there) the
// write changes a refcount at once: `corrupt`, and the anomaly names the field, the
// operation and the user's line. Under the guarded runtime the old value's decref waits in
// the reference pool: no count changes while the collector runs (the reference moved to a
// root), so the run stays `ok` with a 'field-changed-during-traverse' anomaly.
import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import { Py, Python, gc, type RefCell } from 'traverse-guard';
import { Node, hook, parentAndChild, resetHook, runOn, type NodeRef } from './helpers.js';

beforeEach(resetHook);

const SELF = 'test/api/graph-change.test.ts';
const lineOf = (text: string) => readFileSync(SELF, 'utf8').split('\n').findIndex((l) => l.includes(text)) + 1;

/** a -> b, both also held by the scenario: a's traverse runs `fn` on its first call. */
function parentWithHook(fn: (self: Parameters<NonNullable<typeof hook.fn>>[0]) => void) {
  const [a, b] = Python.withGil((py) => parentAndChild(py));
  let first = true;
  hook.fn = (self) => {
    if (!first) return;
    first = false;
    fn(self);
  };
  gc.collect();
  hook.fn = null;
  return { a, b };
}

describe('a reference field written inside traverse during a collection', () => {
  for (const python of ['3.7', '3.11', '3.13']) {
    it(`c@${python}: RefCell#clear of a field whose object stays alive → corrupt, naming Node.next, the operation and the line`, () => {
      const r = runOn(
        'c',
        (interp) => {
          const { a, b } = parentWithHook((self) => (self.next as unknown as RefCell).clear()); // graph-change: clear
          return { a: interp.process.mem.describe(a.address), b: interp.process.mem.describe(b.address), bRefcnt: Python.withGil((py) => b.refcnt(py)) };
        },
        python,
      );
      expect(r.value!.bRefcnt).toBe(1);
      expect(r.verdict).toBe('corrupt');
      const c = r.anomalies.find((a) => a.kind === 'graph-changed-during-traverse')!.change!;
      expect(c).toMatchObject({ kind: 'refcount', object: `Node ${r.value!.b}`, what: 'ob_refcnt 2 → 1', damage: true });
      expect(c.operation).toBe(`Py_DECREF ← RefCell#clear of Node ${r.value!.a}.next`);
      expect(c.source).toBe(`${SELF}:${lineOf('// graph-change: clear')}`);
      expect(r.audit[0].message).toBe(c.message);
    });
  }

  it('c@3.11: assignment over a field (replace) → corrupt for the old value', () => {
    const r = runOn('c', (interp) => {
      const [a, b] = Python.withGil((py) => parentAndChild(py));
      const other = Python.withGil((py) => Py.new(py, Node, {}));
      let first = true;
      hook.fn = (self) => {
        if (!first) return;
        first = false;
        (self.next as unknown as RefCell).set(other.cloneRef(Python.assumeGilAcquired())); // graph-change: set
      };
      gc.collect();
      return { a, b: interp.process.mem.describe(b.address), other: interp.process.mem.describe(other.address) };
    });
    expect(r.verdict).toBe('corrupt');
    const changes = r.anomalies.filter((a) => a.kind === 'graph-changed-during-traverse').map((a) => a.change!);
    expect(changes.map((c) => [c.object, c.what])).toEqual(
      expect.arrayContaining([
        [`Node ${r.value!.b}`, 'ob_refcnt 2 → 1'],
        [`Node ${r.value!.other}`, 'ob_refcnt 1 → 2'],
      ]),
    );
    for (const c of changes) expect(c.source).toBe(`${SELF}:${lineOf('// graph-change: set')}`);
  });

  it('guarded@3.11: the same clear defers the decref to the pool → ok, with a field-changed anomaly', () => {
    const r = runOn('guarded', (interp) => {
      const { a, b } = parentWithHook((self) => (self.next as unknown as RefCell).clear()); // graph-change: guarded
      const pendingAfterCollect = interp.pool.decrefs.length;
      const bAfter = Python.withGil((py) => b.refcnt(py));
      return { a: interp.process.mem.describe(a.address), pendingAfterCollect, bAfter };
    });
    expect(r.value).toMatchObject({ pendingAfterCollect: 1, bAfter: 1 });
    expect(r.verdict).toBe('ok');
    expect(r.anomalies.filter((a) => a.kind === 'graph-changed-during-traverse')).toEqual([]);
    const c = r.anomalies.find((a) => a.kind === 'field-changed-during-traverse')!.change!;
    expect(c).toMatchObject({ kind: 'field', object: `Node ${r.value!.a}`, what: 'next', damage: false });
    expect(c.operation).toBe('RefCell#clear');
    expect(c.source).toBe(`${SELF}:${lineOf('// graph-change: guarded')}`);
  });

  it('c@3.11: a traverse that only visits changes nothing → ok, no graph anomalies', () => {
    const r = runOn('c', () => {
      const nodes: NodeRef[] = Python.withGil((py) => parentAndChild(py));
      gc.collect();
      return nodes.length;
    });
    expect(r.verdict).toBe('ok');
    expect(r.anomalies.filter((a) => /changed-during-traverse/.test(a.kind))).toEqual([]);
  });
});
