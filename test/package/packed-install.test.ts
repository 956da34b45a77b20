// The package as downstream projects meet it: `npm pack` it, install the tarball into two fresh
// projects — one on the lowest ESLint and TypeScript the peerDependencies admit (ESLint 9.0.0,
// TypeScript 5.5, an ESM project), one on the repository's own ESLint and TypeScript (a project
// left with npm's defaults, "type": "commonjs") — and in each lint a sample untyped and typed,
// type-check it against the shipped declarations, run `traverse-guard check`, and assert that
// the peers are not installed a second time inside the package.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  eslintJson,
  initProject,
  makeWorkDir,
  messagesOf,
  npmInstall,
  packTarball,
  REPO_PACKAGE,
  repoInstalledVersion,
  run,
  writeFiles,
} from '../helpers/packed.js';

const work = makeWorkDir('packed');
let tarball = '';

const BAD = `import { Python, pyclass, field } from 'traverse-guard';

export const Node = pyclass('Node', {
  fields: { child: field.ref() },
  traverse(self, visit) {
    Python.withGil(() => 0);
    visit.call(self.child);
  },
  derive: 'clear',
});
`;

const GOOD = `import { Py, Python, gc, pyclass, field } from 'traverse-guard';

export const Node = pyclass('Node', {
  fields: { next: field.cell(), label: field.str() },
  traverse(self, visit) {
    visit.call(self.next.get());
  },
  clear(self) {
    self.next.take();
  },
});

export function main(): number {
  Python.withGil((py) => {
    const a = Py.new(py, Node, { label: 'a' });
    a.borrowMut(py).next.set(a.cloneRef(py));
    a.drop();
  });
  return gc.collect();
}
`;

// The seed's Ref: a drop inside traverse reached through a cast, which the check proves breaks.
const SEED_REF = `import { field, pyclass, type RefCell } from 'traverse-guard';

export const Ref = pyclass('Ref', {
  fields: { inner: field.cell(), clearOnTraverse: field.bool() },
  traverse(self, visit) {
    if (self.clearOnTraverse) {
      (self.inner as unknown as RefCell).take();
    } else {
      visit.call(self.inner.get());
    }
  },
  clear(self) {
    self.inner.take();
  },
});
`;

const TSCONFIG = JSON.stringify(
  // skipLibCheck off: the package's own .d.ts files are checked by the project's TypeScript.
  { compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, noEmit: true, skipLibCheck: false }, include: ['src'] },
  null,
  2,
);

interface Toolchain {
  readonly title: string;
  readonly eslint: string;
  readonly typescript: string;
  /** Extra package.json fields of the project (npm init -y's defaults otherwise). */
  readonly packageJson: Record<string, unknown>;
  /** The ESLint config files' extension: .js in an ESM project, .mjs in a CommonJS one. */
  readonly configExt: '.js' | '.mjs';
}

const TOOLCHAINS: readonly Toolchain[] = [
  { title: 'lowest peers: ESLint 9.0.0 + TypeScript 5.5, "type": "module"', eslint: '9.0.0', typescript: '5.5', packageJson: { type: 'module' }, configExt: '.js' },
  {
    title: "the repository's ESLint and TypeScript, npm's default CommonJS project",
    eslint: repoInstalledVersion('eslint'),
    typescript: repoInstalledVersion('typescript'),
    packageJson: {},
    configExt: '.mjs',
  },
];

beforeAll(() => {
  tarball = packTarball(path.join(work, 'pack'));
}, 300_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

it('declares eslint and typescript as peers, not dependencies', () => {
  const pkg = REPO_PACKAGE as unknown as { dependencies: Record<string, string> };
  expect(Object.keys(pkg.dependencies)).not.toContain('eslint');
  expect(Object.keys(pkg.dependencies)).not.toContain('typescript');
  expect(REPO_PACKAGE.peerDependencies).toMatchObject({ eslint: expect.stringContaining('^9.0.0'), typescript: expect.stringContaining('>=5.5') });
});

describe.each(TOOLCHAINS)('packed package in a fresh project — $title', (tc) => {
  const project = path.join(work, `project-eslint${tc.eslint}-ts${tc.typescript}`);
  const untyped = `eslint.config${tc.configExt}`;
  const typed = `eslint.typed.config${tc.configExt}`;

  beforeAll(() => {
    initProject(project, tc.packageJson);
    npmInstall(project, ['-D', tarball, `eslint@${tc.eslint}`, `typescript@${tc.typescript}`]);
    writeFiles(project, {
      'src/bad.ts': BAD,
      'src/good.ts': GOOD,
      'check/ref.ts': SEED_REF,
      'tsconfig.json': TSCONFIG,
      [untyped]: "import traverseGuard from 'traverse-guard/eslint-plugin';\n\nexport default [traverseGuard.configs.recommended];\n",
      [typed]: [
        "import traverseGuard from 'traverse-guard/eslint-plugin';",
        '',
        'export default [',
        '  traverseGuard.configs.recommended,',
        '  {',
        `    languageOptions: { parserOptions: { projectService: { allowDefaultProject: ['*${tc.configExt}'] }, tsconfigRootDir: import.meta.dirname } },`,
        "    settings: { 'traverse-guard': { typeAware: 'required' } },",
        '  },',
        '];',
        '',
      ].join('\n'),
    });
  }, 600_000);

  it('installs one copy of each peer: none nested inside the package', () => {
    const nested = path.join(project, 'node_modules', 'traverse-guard', 'node_modules');
    expect(existsSync(path.join(nested, 'eslint'))).toBe(false);
    expect(existsSync(path.join(nested, 'typescript'))).toBe(false);
    const versionOf = (name: string) =>
      (JSON.parse(readFileSync(path.join(project, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
    expect(versionOf('eslint').startsWith(tc.eslint)).toBe(true);
    expect(versionOf('typescript').startsWith(tc.typescript)).toBe(true);
  });

  it('exposes the plugin with meta and both configs', () => {
    const script =
      "import p from 'traverse-guard/eslint-plugin'; console.log(JSON.stringify({ meta: p.meta, configs: Object.keys(p.configs), rules: Object.keys(p.rules) }));";
    const r = run(project, 'node', ['--input-type=module', '-e', script]);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { meta: { name: string; namespace: string; version: string }; configs: string[]; rules: string[] };
    expect(out.meta).toMatchObject({ name: 'traverse-guard', namespace: 'traverse-guard', version: REPO_PACKAGE.version });
    expect(out.configs).toEqual(['recommended', 'strict']);
    expect(out.rules).toHaveLength(10);
  });

  it('reports the GIL acquisition with `npx eslint` (untyped)', () => {
    const results = eslintJson(run(project, 'npx', ['eslint', '-c', untyped, '-f', 'json', 'src']));
    expect(messagesOf(results, 'bad.ts').map((m) => [m.ruleId, m.line, m.message])).toEqual([
      [
        'traverse-guard/no-gil-in-traverse',
        6,
        '`Python.withGil` acquires the GIL inside a traverse body; a traverse may only read fields and call `visit.call`.',
      ],
    ]);
    expect(messagesOf(results, 'good.ts')).toEqual([]);
  });

  it('reports the same with type information, the config file itself linted too (projectService, typeAware required)', () => {
    const results = eslintJson(run(project, 'npx', ['eslint', '-c', typed, '-f', 'json', 'src', typed]));
    expect(messagesOf(results, 'bad.ts').map((m) => [m.ruleId, m.line])).toEqual([['traverse-guard/no-gil-in-traverse', 6]]);
    expect(messagesOf(results, 'good.ts')).toEqual([]);
    expect(messagesOf(results, typed)).toEqual([]);
  });

  it("type-checks the samples against the package's declarations (tsc, skipLibCheck off)", () => {
    const r = run(project, 'npx', ['tsc', '-p', '.']);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('runs `traverse-guard check` with these peers: the seed Ref is flagged, and it breaks', () => {
    const r = run(project, 'npx', ['traverse-guard', 'check', 'check', '--runtimes', 'guarded,c', '--python', '3.11', '--format', 'json']);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { files: Array<{ classes: Array<{ name: string; status: string }> }> };
    expect(report.files.flatMap((f) => f.classes.map((c) => [c.name, c.status]))).toEqual([['Ref', 'broke-when-flagged']]);
  });
});
