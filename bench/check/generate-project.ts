// `npm run bench:check -- --generate N`: writes a project of N pyclasses (ten per file) into a
// temporary directory, a mix the check meets in real code — clean traverses (some reading
// primitive fields), and hazards behind value guards (a numeric threshold, a string mode, a
// switch, a helper taking the field) and unguarded ones (drop, GIL, pool) — so the benchmark
// measures value-aware exploration at scale. Deterministic: class i has body i mod 8.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const BODIES: readonly ((n: string, i: number) => string)[] = [
  // Clean: visits its cell.
  (n) => `export const ${n} = pyclass('${n}', {
  fields: { inner: field.cell(), size: field.int() },
  traverse(self, visit) {
    visit.call(self.inner.get());
  },
});`,
  // Clean, with a value guard around the visit.
  (n, i) => `export const ${n} = pyclass('${n}', {
  fields: { inner: field.cell(), depth: field.int() },
  traverse(self, visit) {
    if (self.depth < ${10 + i}) visit.call(self.inner.get());
  },
});`,
  // Hazard behind a numeric threshold.
  (n, i) => `export const ${n} = pyclass('${n}', {
  fields: { inner: field.cell(), size: field.int() },
  traverse(self, visit) {
    visit.call(self.inner.get());
    if (self.size > ${1000 + i}) (self.inner as unknown as RefCell).take();
  },
});`,
  // Hazard behind a string mode.
  (n) => `export const ${n} = pyclass('${n}', {
  fields: { inner: field.cell(), mode: field.str('keep') },
  traverse(self, visit) {
    visit.call(self.inner.get());
    if (self.mode === 'trim') (self.inner as unknown as RefCell).take();
  },
});`,
  // Clean, with a switch over a mode.
  (n) => `export const ${n} = pyclass('${n}', {
  fields: { child: field.ref(), mode: field.str() },
  traverse(self, visit) {
    switch (self.mode) {
      case 'skip':
        return;
      default:
        visit.call(self.child);
    }
  },
});`,
  // Hazard in a helper that takes the field's value.
  (n, i) => `function release${i}(count: number, cell: unknown): void {
  if (count >= ${3 + (i % 5)}) (cell as RefCell).take();
}
export const ${n} = pyclass('${n}', {
  fields: { inner: field.cell(), count: field.int() },
  traverse(self, visit) {
    visit.call(self.inner.get());
    release${i}(self.count, self.inner);
  },
});`,
  // Unguarded GIL acquisition.
  (n) => `export const ${n} = pyclass('${n}', {
  fields: { child: field.ref() },
  traverse(self, visit) {
    Python.withGil(() => 0);
    visit.call(self.child);
  },
});`,
  // Clean leaf with primitives only.
  (n) => `export const ${n} = pyclass('${n}', {
  fields: { size: field.int(), flag: field.bool() },
  traverse() {},
});`,
];

/** Writes the project; returns its directory (under the OS temp directory). */
export function generateProject(classes: number, perFile = 10): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'tg-bench-project-'));
  mkdirSync(path.join(dir, 'src'));
  for (let f = 0; f * perFile < classes; f++) {
    const parts = ["import { field, pyclass, Python, type RefCell } from 'traverse-guard';", ''];
    for (let i = f * perFile; i < Math.min(classes, (f + 1) * perFile); i++) parts.push(BODIES[i % BODIES.length](`C${i}`, i), '');
    writeFileSync(path.join(dir, 'src', `mod${String(f).padStart(3, '0')}.ts`), parts.join('\n'));
  }
  return dir;
}
