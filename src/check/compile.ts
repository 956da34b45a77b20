// Compiles a user's TypeScript file and the local files it imports (in-process, with
// TypeScript's transpiler) into a private temporary directory, with `traverse-guard`
// specifiers pointing at this package's own compiled API, so an isolated worker can load it.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

/** The package root (two levels above dist/src/check or src/check). */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', ...(fileURLToPath(import.meta.url).includes('/dist/') ? ['..'] : []));
const DIST = join(PACKAGE_ROOT, 'dist');

const PACKAGE_SPECIFIERS: Readonly<Record<string, string>> = {
  'traverse-guard': join(DIST, 'src', 'api', 'index.js'),
  'traverse-guard/simulator': join(DIST, 'src', 'simulator', 'index.js'),
};

export interface CompiledFile {
  /** Directory holding the compiled tree (remove it when done). */
  readonly dir: string;
  /** The compiled entry module. */
  readonly entry: string;
  /** Compiled path → source path, for every file compiled. */
  readonly sources: ReadonlyMap<string, string>;
}

export class CompileError extends Error {}

function resolveLocal(fromFile: string, spec: string): string | undefined {
  const base = resolve(dirname(fromFile), spec);
  const candidates = [base.replace(/\.js$/, '.ts'), base.replace(/\.mjs$/, '.mts'), base, `${base}.ts`, join(base, 'index.ts')];
  return candidates.find((c) => /\.m?ts$/.test(c) && existsSync(c));
}

/** Compiles `file` and its relative imports into a new directory under `parent`; throws
 *  CompileError on unreadable or invalid input. */
export function compileForWorker(file: string, parent: string = tmpdir()): CompiledFile {
  const dir = mkdtempSync(join(parent, 'traverse-guard-'));
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n');
  const sources = new Map<string, string>();
  const queue = [resolve(file)];
  const seen = new Set<string>();
  try {
    while (queue.length) {
      const src = queue.pop()!;
      if (seen.has(src)) continue;
      seen.add(src);
      let text: string;
      try {
        text = readFileSync(src, 'utf8');
      } catch (e) {
        throw new CompileError(`cannot read ${src}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
      }
      const out = ts.transpileModule(text, {
        fileName: src,
        reportDiagnostics: true,
        compilerOptions: {
          module: ts.ModuleKind.ESNext,
          target: ts.ScriptTarget.ES2022,
          inlineSourceMap: true,
          // Stack traces (with --enable-source-maps) name the user's own file and line.
          sourceRoot: pathToFileURL(dirname(src)).href + '/',
        },
      });
      const syntax = out.diagnostics?.filter((d) => d.category === ts.DiagnosticCategory.Error) ?? [];
      if (syntax.length) {
        const d = syntax[0];
        const pos = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
        throw new CompileError(`${src}${pos ? `:${pos.line + 1}:${pos.character + 1}` : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
      }
      const js = out.outputText.replace(/(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])([^'"\n]+)\2/g, (m, pre: string, q: string, spec: string) => {
        if (Object.hasOwn(PACKAGE_SPECIFIERS, spec)) return `${pre}${q}${pathToFileURL(PACKAGE_SPECIFIERS[spec]).href}${q}`;
        if (spec.startsWith('.')) {
          const local = resolveLocal(src, spec);
          if (!local) return m;
          queue.push(local);
          const rel = spec.replace(/\.(m?)ts$/, '.$1js').replace(/^(?!.*\.m?js$)(.*)$/, (s) => (existsSync(resolve(dirname(src), `${s}.ts`)) ? `${s}.js` : `${s}/index.js`));
          return `${pre}${q}${rel}${q}`;
        }
        return m;
      });
      const target = join(dir, src.replace(/\.(m?)ts$/, '.$1js'));
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, js);
      sources.set(target, src);
    }
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return { dir, entry: join(dir, resolve(file).replace(/\.(m?)ts$/, '.$1js')), sources };
}
