// Generates the lint benchmark corpus: by default ~2,000 TypeScript files / ~200,000 lines
// mixing binding-API models (pyclass specs, traverse bodies, helper chains, a few hazards),
// ordinary async service code, React-style hooks and tree utilities that merely say
// "traverse". Deterministic (seeded). Usage: tsx bench/lint/generate-corpus.ts [outDir] [scale]
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** mulberry32: a small deterministic PRNG. */
function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Random = () => number;
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

const HAZARDS = [
  'Python.withGil(() => 0);',
  'self.child.drop();',
  'new GILPool();',
  'gc.collect();',
  'self.cell.take();',
  'py.newPool();',
];

/** A model file; `other` is an earlier model file whose helpers it imports (cross-file helpers, typed mode). */
function modelFile(random: Random, index: number, other: number | null): string {
  const lines = [
    "import { Python, Py, GILPool, gc, pyclass, field, type Visit } from 'traverse-guard';",
    ...(other === null ? [] : [`import { visitCell${other} as visitOther, release${other} as releaseOther } from './file${other}';`]),
    '',
    `declare const py: Python;`,
    '',
    `function visitChildren${index}(node: any, visit: Visit): void {`,
    '  for (const item of node.items) visit.call(item);',
    '  visitCell' + index + '(node, visit);',
    '}',
    '',
    `export function visitCell${index}(node: any, visit: Visit): void {`,
    '  visit.call(node.cell.get());',
    '}',
    '',
    `export function release${index}(node: any): void {`,
    '  node.cell.clear();',
    '}',
    '',
  ];
  const classes = 2 + Math.floor(random() * 4);
  for (let c = 0; c < classes; c += 1) {
    const hazard = random() < 0.08 ? pick(random, HAZARDS) : null;
    const viaHelper = random() < 0.05;
    lines.push(
      `export const Node${index}_${c} = pyclass('Node${index}_${c}', {`,
      '  fields: { child: field.ref(), cell: field.cell(), items: field.list(), depth: field.int(), label: field.str() },',
      '  traverse(self, visit) {',
      '    visit.call(self.child);',
      '    if (self.depth > 0) {',
      `      visitChildren${index}(self, visit);`,
      '    }',
      '    self.items.forEach((item) => visit.call(item));',
      ...(other === null ? [] : ['    visitOther(self, visit);']),
      ...(hazard ? [`    ${hazard}`] : []),
      ...(viaHelper ? [other === null || c % 2 === 0 ? `    release${index}(self);` : '    releaseOther(self);'] : []),
      '  },',
      '  clear(self) {',
      '    self.cell.clear();',
      '    self.items.clear();',
      '  },',
      '});',
      '',
      `export function make${index}_${c}(label: string): number {`,
      '  return Python.withGil((token) => {',
      `    const obj = Py.new(token, Node${index}_${c} as never, { child: null as never, label } as never);`,
      '    const copy = obj.cloneRef(token);',
      '    copy.drop();',
      '    return label.length + c' + c + ';',
      '  });',
      '}',
      `const c${c} = ${c};`,
      '',
    );
  }
  lines.push(
    `export function collect${index}(): number {`,
    '  const pool = new GILPool();',
    '  try {',
    '    return gc.collect();',
    '  } finally {',
    '    pool.drop();',
    '  }',
    '}',
    `void py;`,
  );
  return lines.join('\n');
}

function serviceFile(random: Random, index: number): string {
  const lines = [
    `export interface Record${index} { id: number; name: string; tags: string[]; score?: number }`,
    '',
    `async function load${index}(id: number): Promise<Record${index}> {`,
    '  await new Promise((resolve) => setTimeout(resolve, 0));',
    `  return { id, name: 'r' + id, tags: [] };`,
    '}',
    '',
    `export class Store${index} {`,
    `  private readonly items = new Map<number, Record${index}>();`,
    '',
  ];
  const methods = 4 + Math.floor(random() * 4);
  for (let m = 0; m < methods; m += 1) {
    lines.push(
      `  async method${m}(ids: number[]): Promise<number> {`,
      '    let total = 0;',
      '    for (const id of ids) {',
      `      const record = await load${index}(id);`,
      '      this.items.set(record.id, record);',
      '      total += record.tags.length + (record.score ?? 0);',
      '    }',
      random() < 0.3 ? `    load${index}(${m});` : `    await load${index}(${m});`,
      '    switch (total % 3) {',
      '      case 0: return total;',
      '      case 1: return total * 2;',
      '      default: return -total;',
      '    }',
      '  }',
      '',
    );
  }
  lines.push('}', '', `export const store${index} = new Store${index}();`);
  return lines.join('\n');
}

function hooksFile(random: Random, index: number): string {
  const lines = [
    "import { useEffect, useMemo, useState } from 'react';",
    '',
  ];
  const hooks = 4 + Math.floor(random() * 4);
  for (let h = 0; h < hooks; h += 1) {
    const conditional = random() < 0.1;
    lines.push(
      `export function useCounter${index}_${h}(start: number) {`,
      '  const [count, setCount] = useState(start);',
      ...(conditional ? ['  if (start > 10) {', '    useEffect(() => undefined, []);', '  }'] : []),
      '  const doubled = useMemo(() => count * 2, [count]);',
      '  useEffect(() => {',
      '    const timer = setTimeout(() => setCount((c: number) => c + 1), 100);',
      '    return () => clearTimeout(timer);',
      '  }, [count]);',
      '  return { count, doubled };',
      '}',
      '',
      `export function Widget${index}_${h}(props: { start: number }) {`,
      `  const { count, doubled } = useCounter${index}_${h}(props.start);`,
      '  return [count, doubled].join(",");',
      '}',
      '',
    );
  }
  return lines.join('\n');
}

function utilFile(random: Random, index: number): string {
  const lines = [
    '// Tree utilities: traverse means walking a tree here, not the GC protocol.',
    `export interface TreeNode${index} { value: number; children: TreeNode${index}[] }`,
    '',
  ];
  const fns = 4 + Math.floor(random() * 5);
  for (let f = 0; f < fns; f += 1) {
    lines.push(
      `export function traverse${f}(node: TreeNode${index}, visit: (n: TreeNode${index}) => void): void {`,
      '  visit(node);',
      '  for (const child of node.children) {',
      `    traverse${f}(child, visit);`,
      '  }',
      '}',
      '',
      `export function sum${f}(node: TreeNode${index}): number {`,
      '  let total = 0;',
      `  traverse${f}(node, (n) => { total += n.value; });`,
      '  return total;',
      '}',
      '',
    );
  }
  return lines.join('\n');
}

export interface CorpusSummary {
  readonly dir: string;
  readonly files: number;
  readonly lines: number;
}

export function generateCorpus(outDir: string, scale = 1): CorpusSummary {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(path.join(outDir, 'src'), { recursive: true });
  const random = rng(20230519);
  const files = Math.round(2000 * scale);
  let lines = 0;
  let lastModel: number | null = null;
  for (let index = 0; index < files; index += 1) {
    const roll = random();
    const text =
      roll < 0.4
        ? modelFile(random, index, lastModel)
        : roll < 0.7
          ? serviceFile(random, index)
          : roll < 0.9
            ? hooksFile(random, index)
            : utilFile(random, index);
    if (roll < 0.4) lastModel = index;
    lines += text.split('\n').length;
    writeFileSync(path.join(outDir, 'src', `file${index}.ts`), `${text}\n`);
  }
  writeFileSync(
    path.join(outDir, 'tsconfig.json'),
    JSON.stringify(
      {
        compilerOptions: {
          target: 'ES2022',
          lib: ['ES2023', 'ESNext.Disposable', 'DOM'],
          module: 'preserve',
          moduleResolution: 'bundler',
          strict: false,
          noEmit: true,
          skipLibCheck: true,
          types: [],
          paths: { 'traverse-guard': [path.join(repoRoot, 'src', 'api', 'index.ts')] },
        },
        include: ['src/**/*.ts'],
      },
      null,
      2,
    ),
  );
  return { dir: outDir, files, lines };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const outDir = path.resolve(process.argv[2] ?? path.join(repoRoot, 'tmp', 'lint-bench', 'corpus'));
  const scale = Number(process.argv[3] ?? '1');
  const summary = generateCorpus(outDir, scale);
  console.log(`corpus: ${summary.files} files, ${summary.lines} lines in ${summary.dir}`);
}
