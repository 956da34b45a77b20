// The README's binding-API example does what the README says.
import { describe, expect, it } from 'vitest';
import { Interpreter, Py, Python, field, gc, pyclass } from 'traverse-guard';

const Node = pyclass('Node', {
  fields: { next: field.cell(), label: field.str() },
  traverse(self, visit) {
    visit.call(self.next.get());
  },
  clear(self) {
    self.next.take();
  },
});

function main() {
  Python.withGil((py) => {
    const a = Py.new(py, Node, { label: 'a' });
    a.borrowMut(py).next.set(a.cloneRef(py));
    a.drop();
  });
  return gc.collect();
}

describe('README example', () => {
  for (const runtime of ['guarded', 'pyo3-0.18.3', 'c'] as const) {
    it(`collects the self-cycle (1 object) under ${runtime}`, () => {
      const r = new Interpreter({ runtime }).run(main);
      expect(r.verdict).toBe('ok');
      expect(r.value).toBe(1);
      expect(r.audit).toEqual([]);
    });
  }
});
