// explain for the contract verdicts (issue 12): a leak's story names the unvisited edge and its
// picture draws that edge dashed red and marks the leaked objects; a live object cleared by a
// double visit is marked over-counted. The SVG renders.
import { describe, expect, it } from 'vitest';
import { Interpreter, Py, Python, field, gc, pyclass } from 'traverse-guard';
import { explainRun } from '../../src/check/explain/explain.js';
import { renderSvg } from '../../src/check/explain/picture.js';

const Half = pyclass('Half', {
  fields: { a: field.cell(), b: field.cell() },
  traverse(self, visit) {
    visit.call(self.a.get());
  },
  derive: 'clear',
});

const Twice = pyclass('Twice', {
  fields: { me: field.cell(), child: field.cell() },
  traverse(self, visit) {
    visit.call(self.me.get());
    visit.call(self.child.get());
    visit.call(self.child.get());
  },
  derive: 'clear',
});

function leakScenario(): void {
  Python.withGil((py) => {
    const x = Py.new(py, Half, {});
    const m = x.borrowMut(py);
    m.b.set(x.cloneRef(py));
    m.release();
    x.drop();
  });
  gc.collect();
  gc.collect();
}

function clearedScenario() {
  return Python.withGil((py) => {
    const t = Py.new(py, Half, {});
    const x = Py.new(py, Twice, { child: t.cloneRef(py) });
    const m = x.borrowMut(py);
    m.me.set(x.cloneRef(py));
    m.release();
    x.drop();
    gc.collect();
    return t;
  });
}

describe('explain: contract verdicts', () => {
  it('a leak: the verdict line, the outcome, the dashed unvisited edge and the leaked mark', async () => {
    const ex = explainRun({ interpreter: new Interpreter({ runtime: 'c', python: '3.11' }), scenario: leakScenario, what: 'leak', runtime: 'c', python: '3.11', debug: false });
    expect(ex.verdictLine).toMatch(/^verdict: leak — 1 object\(s\) no root reaches/);
    expect(ex.exitCode).toBe(1);
    expect(ex.lines.join('\n')).toMatch(/objects no root reaches survived full collections \(a leak\):\n {4}- leak: .* \.b → Half .* was never visited/);
    expect(ex.dot).toMatch(/style=dashed, color="#cc0000".*label=".b never visited"/);
    expect(ex.dot).toContain('LEAKED: no root reaches it');
    const svg = await renderSvg(ex.dot);
    expect(svg).toContain('never visited');
  });

  it('a live object cleared: corrupt, the over-counted object marked', () => {
    const ex = explainRun({ interpreter: new Interpreter({ runtime: 'c', python: '3.11' }), scenario: clearedScenario, what: 'double', runtime: 'c', python: '3.11', debug: false });
    expect(ex.verdictLine).toMatch(/^verdict: corrupt — the collector judged Half .* unreachable and cleared it/);
    expect(ex.dot).toContain('OVER-COUNTED: visited 2×, owned 1');
  });
});
