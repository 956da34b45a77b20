// Which pyclass a lint finding belongs to: the `pyclass(…)` call's span, plus the span of a
// traverse function defined elsewhere in the file and referenced from the spec. Reads the
// file's syntax with TypeScript (no type checking).

import ts from 'typescript';

export interface ClassSpan {
  readonly name: string;
  /** Line of the `pyclass(` call (what the runtime records as the definition line). */
  readonly line: number;
  readonly spans: readonly (readonly [number, number])[];
}

export function classSpans(fileName: string, text: string): ClassSpan[] {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const lineOf = (pos: number) => sf.getLineAndCharacterOfPosition(pos).line + 1;
  const pyclassNames = new Set<string>();
  const namespaces = new Set<string>();
  const functions = new Map<string, ts.Node>();
  const visitTop = (n: ts.Node) => {
    if (ts.isImportDeclaration(n) && ts.isStringLiteral(n.moduleSpecifier) && n.moduleSpecifier.text === 'traverse-guard') {
      const b = n.importClause?.namedBindings;
      if (b && ts.isNamedImports(b)) for (const s of b.elements) if ((s.propertyName ?? s.name).text === 'pyclass') pyclassNames.add(s.name.text);
      if (b && ts.isNamespaceImport(b)) namespaces.add(b.name.text);
    }
    if (ts.isFunctionDeclaration(n) && n.name) functions.set(n.name.text, n);
    if (ts.isVariableStatement(n)) {
      for (const d of n.declarationList.declarations) {
        if (ts.isIdentifier(d.name) && d.initializer && (ts.isArrowFunction(d.initializer) || ts.isFunctionExpression(d.initializer))) {
          functions.set(d.name.text, d);
        }
      }
    }
  };
  sf.statements.forEach(visitTop);
  if (!pyclassNames.size && !namespaces.size) pyclassNames.add('pyclass');
  const out: ClassSpan[] = [];
  const walk = (n: ts.Node) => {
    if (ts.isCallExpression(n) && isPyclassCallee(n.expression, pyclassNames, namespaces) && n.arguments.length >= 2) {
      const [nameArg, spec] = n.arguments;
      const name = ts.isStringLiteralLike(nameArg) ? nameArg.text : '?';
      const spans: [number, number][] = [[lineOf(n.getStart(sf)), lineOf(n.getEnd())]];
      if (ts.isObjectLiteralExpression(spec)) {
        for (const p of spec.properties) {
          if (ts.isPropertyAssignment(p) && p.name.getText(sf) === 'traverse' && ts.isIdentifier(p.initializer)) {
            const f = functions.get(p.initializer.text);
            if (f) spans.push([lineOf(f.getStart(sf)), lineOf(f.getEnd())]);
          }
          if (ts.isShorthandPropertyAssignment(p) && p.name.text === 'traverse') {
            const f = functions.get('traverse');
            if (f) spans.push([lineOf(f.getStart(sf)), lineOf(f.getEnd())]);
          }
        }
      }
      out.push({ name, line: lineOf(n.expression.getStart(sf)), spans });
    }
    ts.forEachChild(n, walk);
  };
  walk(sf);
  return out;
}

function isPyclassCallee(e: ts.Expression, names: ReadonlySet<string>, namespaces: ReadonlySet<string>): boolean {
  if (ts.isIdentifier(e)) return names.has(e.text);
  if (ts.isPropertyAccessExpression(e)) return e.name.text === 'pyclass' && ts.isIdentifier(e.expression) && namespaces.has(e.expression.text);
  return false;
}

/** The class a finding on `line` belongs to: the innermost span containing it. */
export function classAt(spans: readonly ClassSpan[], line: number): ClassSpan | undefined {
  let best: ClassSpan | undefined;
  let width = Infinity;
  for (const c of spans) {
    for (const [a, b] of c.spans) {
      if (line >= a && line <= b && b - a < width) {
        best = c;
        width = b - a;
      }
    }
  }
  return best;
}

export interface PlainTraverse {
  /** The class's name (`(anonymous)` for an unnamed class expression). */
  readonly name: string;
  /** Line of the `__traverse__` method. */
  readonly line: number;
  readonly span: readonly [number, number];
}

/** `__traverse__` methods of plain (non-pyclass) classes: the lint checks them, the check
 *  cannot build a heap for them (they have no field schema). */
export function plainTraverses(fileName: string, text: string): PlainTraverse[] {
  if (!text.includes('__traverse__')) return [];
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const lineOf = (pos: number) => sf.getLineAndCharacterOfPosition(pos).line + 1;
  const out: PlainTraverse[] = [];
  const walk = (n: ts.Node) => {
    if (ts.isClassDeclaration(n) || ts.isClassExpression(n)) {
      for (const m of n.members) {
        if ((ts.isMethodDeclaration(m) || ts.isPropertyDeclaration(m)) && m.name && (ts.isIdentifier(m.name) || ts.isStringLiteral(m.name)) && m.name.text === '__traverse__') {
          out.push({ name: n.name?.text ?? '(anonymous)', line: lineOf(m.getStart(sf)), span: [lineOf(m.getStart(sf)), lineOf(m.getEnd())] });
        }
      }
    }
    ts.forEachChild(n, walk);
  };
  walk(sf);
  return out;
}
