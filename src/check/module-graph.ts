// Compiles a checked file and the local files it imports, in memory, into CommonJS texts that a
// worker evaluates in a realm of the file's own (realm.ts). Every file is read through the
// check's guard (find-files.ts: regular files inside the checked roots, under the size limit);
// an import that resolves outside the roots is recorded as refused, and fails the file only if
// it is really loaded (type-only imports vanish in the transpiler). Each `pyclass(…)` call is
// rewritten to `__tg_site(LINE, pyclass)(…)`, so the worker learns the call's source line by
// construction, not from a stack trace.

import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import ts from 'typescript';
import { type CheckedRoots, readChecked } from './find-files.js';
import { lineMapOf } from './source-lines.js';

/** Where a `require(spec)` of a compiled module goes. */
export type RequireTarget =
  | { readonly kind: 'api'; readonly name: 'traverse-guard' | 'traverse-guard/simulator' }
  | { readonly kind: 'module'; readonly file: string }
  | { readonly kind: 'refused'; readonly reason: string };

export interface CompiledModule {
  /** The source file (its real path). */
  readonly file: string;
  /** CommonJS text (a function body: exports, require, module, __filename, __dirname, __tg_site). */
  readonly code: string;
  /** Source line of each compiled line (index = compiled line, 1-based; 0 unused). */
  readonly lines: readonly number[];
  readonly requires: Readonly<Record<string, RequireTarget>>;
}

export interface ModuleGraph {
  /** The entry's real path (a key of `modules`). */
  readonly entry: string;
  readonly modules: Readonly<Record<string, CompiledModule>>;
}

export class CompileError extends Error {}

/** tslib, the transpiler's helpers as globals of a realm (path and text, for the worker). */
export function helpersScript(): { readonly file: string; readonly text: string } {
  const file = createRequire(import.meta.url).resolve('tslib');
  return { file, text: readFileSync(file, 'utf8') };
}

const API_SPECIFIERS = new Set(['traverse-guard', 'traverse-guard/simulator']);
const TS_FOR_JS: Readonly<Record<string, readonly string[]>> = {
  '.js': ['.ts', '.tsx', '.js', '.jsx'],
  '.jsx': ['.tsx', '.jsx'],
  '.mjs': ['.mts', '.mjs'],
  '.cjs': ['.cts', '.cjs'],
};
const BARE_EXTS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** The file a relative specifier names, as TypeScript's bundler-style resolution would find it. */
function resolveRelative(from: string, spec: string): string | undefined {
  const base = resolve(dirname(from), spec);
  const ext = /\.[cm]?jsx?$/.exec(base)?.[0];
  const candidates: string[] = [];
  if (ext) candidates.push(...TS_FOR_JS[ext].map((e) => base.slice(0, -ext.length) + e));
  candidates.push(base, ...BARE_EXTS.map((e) => base + e), ...BARE_EXTS.map((e) => `${base}/index${e}`));
  return candidates.find((c) => /\.[cm]?[tj]sx?$/.test(c) && !c.endsWith('.d.ts') && isFile(c));
}

/** The name the transpiler sees: `.mts`/`.cts`/`.mjs`/`.cjs` would keep their module format,
 *  and the worker needs CommonJS from every file. */
function transpileName(file: string): string {
  return file.replace(/\.[cm]ts$/, '.ts').replace(/\.[cm]js$/, '.js');
}

/** Rewrites each `pyclass(…)` call (the `traverse-guard` import, aliased or via a namespace)
 *  to `__tg_site(LINE, pyclass)(…)`. */
function siteTransformer(ctx: ts.TransformationContext): ts.Transformer<ts.SourceFile> {
  return (file) => {
    const names = new Set<string>();
    const spaces = new Set<string>();
    for (const s of file.statements) {
      if (!ts.isImportDeclaration(s) || !ts.isStringLiteral(s.moduleSpecifier) || s.moduleSpecifier.text !== 'traverse-guard') continue;
      const b = s.importClause?.namedBindings;
      if (b && ts.isNamedImports(b)) for (const e of b.elements) if ((e.propertyName ?? e.name).text === 'pyclass') names.add(e.name.text);
      if (b && ts.isNamespaceImport(b)) spaces.add(b.name.text);
    }
    if (!names.size && !spaces.size) return file;
    const f = ctx.factory;
    const isPyclass = (e: ts.Expression) =>
      (ts.isIdentifier(e) && names.has(e.text)) ||
      (ts.isPropertyAccessExpression(e) && e.name.text === 'pyclass' && ts.isIdentifier(e.expression) && spaces.has(e.expression.text));
    const visit = (n: ts.Node): ts.Node => {
      if (ts.isCallExpression(n) && isPyclass(n.expression)) {
        const line = file.getLineAndCharacterOfPosition(n.expression.getStart(file)).line + 1;
        const callee = f.createCallExpression(f.createIdentifier('__tg_site'), undefined, [f.createNumericLiteral(line), n.expression]);
        return f.updateCallExpression(n, callee, n.typeArguments, ts.visitNodes(n.arguments, visit) as ts.NodeArray<ts.Expression>);
      }
      return ts.visitEachChild(n, visit, ctx);
    };
    return ts.visitNode(file, visit) as ts.SourceFile;
  };
}

function compileOne(file: string, text: string): { code: string; lines: number[] } {
  const out = ts.transpileModule(text, {
    fileName: transpileName(file),
    reportDiagnostics: true,
    transformers: { before: [siteTransformer] },
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      jsx: ts.JsxEmit.ReactJSX,
      sourceMap: true,
      esModuleInterop: true,
      // The helpers (`using`, import interop, decorators…) come from tslib, run in the realm
      // once (helpersScript): their frames then sit in node_modules, which backtraces skip.
      noEmitHelpers: true,
    },
  });
  const syntax = out.diagnostics?.filter((d) => d.category === ts.DiagnosticCategory.Error) ?? [];
  if (syntax.length) {
    const d = syntax[0];
    const pos = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
    throw new CompileError(`${file}${pos ? `:${pos.line + 1}:${pos.character + 1}` : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
  }
  const code = out.outputText.replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n');
  return { code, lines: lineMapOf(out.sourceMapText ?? '', code.split('\n').length) };
}

/** Compiles `entry` (a real path the caller already accepted) and its local imports. */
export function compileGraph(entry: string, roots: CheckedRoots): ModuleGraph {
  const modules: Record<string, CompiledModule> = {};
  const queue = [entry];
  while (queue.length) {
    const file = queue.pop()!;
    if (modules[file]) continue;
    const text = readChecked(file, roots);
    const { code, lines } = compileOne(file, text);
    const requires: Record<string, RequireTarget> = {};
    for (const { fileName: spec } of ts.preProcessFile(code, true, true).importedFiles) {
      if (API_SPECIFIERS.has(spec)) requires[spec] = { kind: 'api', name: spec as 'traverse-guard' };
      else if (spec.startsWith('./') || spec.startsWith('../') || spec === '.' || spec === '..') {
        const found = resolveRelative(file, spec);
        if (!found) requires[spec] = { kind: 'refused', reason: `cannot find ${spec}` };
        else {
          const real = roots.inside(found);
          if (!real) requires[spec] = { kind: 'refused', reason: `imports ${spec}, which is outside the checked paths` };
          else {
            requires[spec] = { kind: 'module', file: real };
            queue.push(real);
          }
        }
      } else requires[spec] = { kind: 'refused', reason: `imports ${spec}: a checked file may import only traverse-guard and its own relative files` };
    }
    modules[file] = { file, code, lines, requires };
  }
  return { entry, modules };
}

/**
 * Whether the entry must be loaded to be checked. Not when no module of its graph imports the
 * API (it can define no pyclass: a tool's config such as eslint.config.js), nor when it imports
 * something the sandbox refuses (a test importing vitest) and has no `pyclass(…)` call and no
 * `main` or `setup` export of its own: it defines nothing to check, and loading it would only
 * fail. A file that defines something and imports what it may not still fails, with the reason.
 */
export function needsLoading(graph: ModuleGraph): boolean {
  const modules = Object.values(graph.modules);
  if (!modules.some((m) => Object.values(m.requires).some((r) => r.kind === 'api'))) return false;
  const refused = modules.some((m) => Object.values(m.requires).some((r) => r.kind === 'refused'));
  if (!refused) return true;
  const entry = graph.modules[graph.entry];
  return !entry || /\b__tg_site\(|\bexports\.(main|setup)\s*=/.test(entry.code);
}
