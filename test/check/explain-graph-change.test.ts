// explain tells a graph change a traverse left behind (issue 13 item 1): the verdict line is
// `corrupt` with the changed count, and the story marks the traverse call it happened in, with
// the operation and the user's line; under the guarded runtime the same write is `ok` and the
// story says the reference moved to a root.
import { describe, expect, it } from 'vitest';
import { Interpreter, Py, Python, field, gc, pyclass, type RefCell, type RuntimeKind } from 'traverse-guard';
import { explainRun } from '../../src/check/explain/explain.js';

const Holder = pyclass('Holder', {
  fields: { next: field.cell() },
  traverse(self, visit) {
    visit.call(self.next.get());
    (self.next as unknown as RefCell).clear(); // explain-graph-change: clear
  },
});

function scenario(): void {
  Python.withGil((py) => {
    const a = Py.new(py, Holder, {});
    const b = Py.new(py, Holder, {});
    const m = a.borrowMut(py);
    m.next.set(b.cloneRef(py));
    m.release();
    gc.collect();
    void [a, b];
  });
}

function explain(runtime: RuntimeKind) {
  return explainRun({ interpreter: new Interpreter({ runtime, python: '3.11' }), scenario, what: 'scenario', runtime, python: '3.11', debug: false });
}

describe('explain: a graph change inside traverse', () => {
  it('c: verdict corrupt; the story marks the traverse call with the operation and the line', () => {
    const e = explain('c');
    expect(e.verdictLine).toMatch(/^verdict: corrupt — Holder .+: ob_refcnt 2 → 1 inside Holder_traverse\(/);
    expect(e.exitCode).toBe(1);
    const text = e.lines.join('\n');
    expect(text).toMatch(
      /⚠ graph changed under the collector: Holder#1 ob_refcnt 2 → 1, not restored when Holder_traverse\(Holder#0\) returned \(Py_DECREF ← RefCell#clear of Holder .+\.next at test\/check\/explain-graph-change\.test\.ts:13\)/,
    );
    expect(text).toContain('no crash, but the heap audit found damage:');
  });

  it('guarded: verdict ok; the story says the field changed and the reference moved to a root', () => {
    const e = explain('guarded');
    expect(e.verdictLine).toBe('verdict: ok');
    expect(e.lines.join('\n')).toMatch(/↳ field changed: Holder#0 field next changed without a refcount change \(the reference moved to a root\) when Holder_traverse\(Holder#0\) returned \(RefCell#clear at test\/check\/explain-graph-change\.test\.ts:13\)/);
  });
});
