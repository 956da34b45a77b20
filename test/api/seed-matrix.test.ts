// The seed's two crashes (fixtures/seed) under every runtime and profile the issue names:
// crash1 crashes under 0.18.3 on 3.8+ and survives patched and guarded; crash2 crashes under
// 0.18.3 and patched and is memory-safe under guarded; on 3.7 crash1 survives, crash2 crashes.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Interpreter, type RuntimeKind } from 'traverse-guard';
import * as crash1 from '../../fixtures/seed/crash1.js';
import * as crash2 from '../../fixtures/seed/crash2.js';

const modern = ['3.8', '3.9', '3.10', '3.11', '3.12', '3.13', '3.14.5'] as const;

function run(main: () => void, runtime: RuntimeKind, python: string, debug = false) {
  return new Interpreter({ runtime, python, debug }).run(main);
}

describe('crash1 (a deferred decref applied inside traverse)', () => {
  for (const python of modern) {
    it(`crashes at 0x4 in PyObject_GC_UnTrack under pyo3-0.18.3 on ${python}`, () => {
      const r = run(crash1.main, 'pyo3-0.18.3', python);
      expect(r.verdict).toBe('crash');
      expect(r.fault).toMatchObject({ signal: 'SIGSEGV', address: 0x4, access: 'write', where: 'PyObject_GC_UnTrack' });
      expect(r.fault!.backtrace.slice(0, 7)).toEqual([
        'PyObject_GC_UnTrack',
        'Ref_dealloc',
        'Py_DECREF',
        'pyo3::gil::ReferencePool::update_counts',
        'pyo3::gil::GILPool::new',
        'Ref_traverse',
        'subtract_refs',
      ]);
      expect(r.fault!.backtrace.at(-1)).toMatch(/^main at fixtures\/seed\/crash1\.ts:\d+$/);
    });
  }
  for (const runtime of ['pyo3-0.18.3-patched', 'guarded'] as const) {
    it(`survives under ${runtime}`, () => {
      const r = run(crash1.main, runtime, '3.11');
      expect(r.verdict).toBe('ok');
      expect(r.audit).toEqual([]);
    });
  }
  it('survives under pyo3-0.18.3 on 3.7 (gc_refs has its own word), but b was freed inside a traverse: corrupt', () => {
    const r = run(crash1.main, 'pyo3-0.18.3', '3.7');
    expect(r.verdict).toBe('corrupt');
    const freed = r.anomalies.filter((a) => a.kind === 'graph-changed-during-traverse').map((a) => a.change!);
    expect(freed.map((c) => c.kind)).toContain('freed');
    expect(freed.find((c) => c.kind === 'freed')!.operation).toMatch(/^PyObject_GC_Del ← Ref_dealloc ← Py_DECREF ← pyo3::gil::ReferencePool::update_counts ← pyo3::gil::GILPool::new/);
    expect(r.anomalies.map((a) => a.kind)).toContain('refcount-changed-during-collection');
  });
});

describe('crash2 (a traverse that drops its own reference)', () => {
  for (const python of modern) {
    for (const runtime of ['pyo3-0.18.3', 'pyo3-0.18.3-patched'] as const) {
      it(`crashes at 0x4 under ${runtime} on ${python}`, () => {
        const r = run(crash2.main, runtime, python);
        expect(r.verdict).toBe('crash');
        expect(r.fault).toMatchObject({ signal: 'SIGSEGV', address: 0x4, access: 'write', where: 'PyObject_GC_UnTrack' });
      });
    }
  }
  it('names the user traverse line (the take) in the patched backtrace', () => {
    const r = run(crash2.main, 'pyo3-0.18.3-patched', '3.11');
    const takeLine = readFileSync('fixtures/seed/ref.ts', 'utf8').split('\n').findIndex((l) => l.includes('.take();')) + 1;
    const bt = r.fault!.backtrace;
    const i = bt.indexOf(`Ref.traverse at fixtures/seed/ref.ts:${takeLine}`);
    expect(i).toBeGreaterThan(0);
    expect(bt.slice(i - 2, i + 3)).toEqual(['Ref_dealloc', 'Py_DECREF', `Ref.traverse at fixtures/seed/ref.ts:${takeLine}`, 'Ref_traverse', 'subtract_refs']);
    expect(bt[0]).toBe('PyObject_GC_UnTrack');
  });
  for (const python of ['3.7', ...modern]) {
    it(`is memory-safe under guarded on ${python}`, () => {
      const r = run(crash2.main, 'guarded', python);
      expect(r.verdict).toBe('ok');
      expect(r.audit).toEqual([]);
      expect(r.fault).toBeUndefined();
    });
  }
  it('still crashes under pyo3-0.18.3 on 3.7 (the traversed object is freed under the collector)', () => {
    const r = run(crash2.main, 'pyo3-0.18.3', '3.7');
    expect(r.verdict).toBe('crash');
    expect(r.fault?.signal).toBe('SIGSEGV');
  });
});
