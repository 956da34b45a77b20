// Compiling a checked file for its realm (module-graph.ts, source-lines.ts): each pyclass call
// learns its source line at compile time, imports resolve inside the roots or are refused,
// and compiled lines map back to source lines.
import { describe, expect, it, afterAll } from 'vitest';
import { join } from 'node:path';
import { checkedRoots } from '../../src/check/find-files.js';
import { compileGraph } from '../../src/check/module-graph.js';
import { lineMapOf, mapSourceLines } from '../../src/check/source-lines.js';
import ts from 'typescript';
import { tempProject } from './helpers.js';

const p = tempProject({
  'src/a.ts': `import { pyclass as pc, field } from 'traverse-guard';\nimport * as tg from 'traverse-guard';\nimport type { T } from '../types.js';\nimport { b } from './b';\nimport fs from 'node:fs';\nimport { o } from '../outside.js';\n\nexport const A = pc('A', { fields: {} });\nexport const B = tg.pyclass('B', { fields: {} });\nvoid field; void b; void fs; void o;\n`,
  'src/b.ts': `export const b = 1;\n`,
  'outside.ts': `export const o = 'secret';\n`,
  'types.ts': `export type T = number;\n`,
});
afterAll(() => p.cleanup());

describe('module graph', () => {
  const roots = checkedRoots([join(p.dir, 'src')]);
  const g = compileGraph(join(roots.dirs[0], 'a.ts'), roots);
  const a = g.modules[g.entry];

  it('rewrites each pyclass call (aliased or through a namespace) with its source line', () => {
    expect(a.code).toContain('__tg_site(8, traverse_guard_1.pyclass)');
    expect(a.code).toContain('__tg_site(9, tg.pyclass)');
  });

  it('resolves local imports inside the roots; refuses the rest; type-only imports vanish', () => {
    expect(Object.keys(g.modules).sort()).toEqual([join(roots.dirs[0], 'a.ts'), join(roots.dirs[0], 'b.ts')]);
    expect(a.requires['./b']).toEqual({ kind: 'module', file: join(roots.dirs[0], 'b.ts') });
    expect(a.requires['../outside.js']).toMatchObject({ kind: 'refused', reason: expect.stringContaining('outside the checked paths') });
    expect(a.requires['node:fs']).toMatchObject({ kind: 'refused' });
    expect(a.requires['../types.js']).toBeUndefined();
  });

  it('maps compiled lines to source lines', () => {
    const src = 'interface A { x: number }\ninterface B { y: number }\n\nexport function f(): number {\n  return 1;\n}\n';
    const out = ts.transpileModule(src, { fileName: 'x.ts', compilerOptions: { module: ts.ModuleKind.CommonJS, sourceMap: true } });
    const code = out.outputText;
    const lines = lineMapOf(out.sourceMapText!, code.split('\n').length);
    const compiledReturn = code.split('\n').findIndex((l) => l.includes('return 1')) + 1;
    expect(lines[compiledReturn]).toBe(5);
    expect(mapSourceLines(`f at /p/x.ts:${compiledReturn} and x.ts:${compiledReturn}`, [{ names: ['/p/x.ts', 'x.ts'], lines }])).toBe('f at /p/x.ts:5 and x.ts:5');
  });
});
