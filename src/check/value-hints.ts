// Value hints for the exploration: the constants a pyclass's traverse (and the same-file
// functions it calls) compares its primitive fields with, read from the file's syntax in the
// parent (TypeScript's parser, no type checking) and handed to the worker, so that a hazard
// behind `if (self.size > 1024)` or `self.mode === 'trim'` is reached. Over-approximates: any
// member access `.f` where f is a primitive field of the class, and any local or parameter
// bound from one, counts as that field.

import ts from 'typescript';

/** A primitive value a field is given in some explored state. */
export type HintValue = number | string | boolean | null | readonly HintValue[];

export interface GuardSite {
  /** 1-based line of the condition. */
  readonly line: number;
  /** The condition's source text (cut to 80 characters). */
  readonly text: string;
  /** The primitive fields it reads (empty: it depends on nothing the exploration sets). */
  readonly fields: readonly string[];
  /** First and last line of the code it guards (with the condition). */
  readonly span: readonly [number, number];
}

export interface ClassHints {
  /** Field → the extra values to try (besides the defaults). */
  readonly values: Readonly<Record<string, readonly HintValue[]>>;
  /** Every condition (if, ternary, loop, switch, &&/||) in the traverse and the helpers it reaches. */
  readonly guards: readonly GuardSite[];
}

export type FileHints = Readonly<Record<string, ClassHints>>;

const PRIMITIVE_FIELD = new Set(['int', 'bool', 'str', 'value']);
const RELATIONAL = new Set([
  ts.SyntaxKind.LessThanToken,
  ts.SyntaxKind.LessThanEqualsToken,
  ts.SyntaxKind.GreaterThanToken,
  ts.SyntaxKind.GreaterThanEqualsToken,
]);
const EQUALITY = new Set([
  ts.SyntaxKind.EqualsEqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsEqualsToken,
  ts.SyntaxKind.EqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsToken,
]);

/** At most this many extra values per field (the nearest constants first). */
const MAX_PER_FIELD = 24;

type FnNode = ts.FunctionLikeDeclaration;

interface FieldDecl {
  readonly kind: string;
  /** Literal types of `field.value<'a' | 'b'>(…)`. */
  readonly union: HintValue[];
  readonly defaultValue?: HintValue;
}

function literalOf(e: ts.Expression, consts: ReadonlyMap<string, HintValue>): HintValue | undefined {
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e) || ts.isTypeAssertionExpression(e)) e = e.expression;
  if (ts.isNumericLiteral(e)) return Number(e.text);
  if (ts.isStringLiteralLike(e)) return e.text;
  if (e.kind === ts.SyntaxKind.TrueKeyword) return true;
  if (e.kind === ts.SyntaxKind.FalseKeyword) return false;
  if (e.kind === ts.SyntaxKind.NullKeyword) return null;
  if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.MinusToken) {
    const v = literalOf(e.operand, consts);
    return typeof v === 'number' ? -v : undefined;
  }
  if (ts.isIdentifier(e) && consts.has(e.text)) return consts.get(e.text);
  if (ts.isPropertyAccessExpression(e) && ts.isIdentifier(e.expression) && consts.has(`${e.expression.text}.${e.name.text}`)) {
    return consts.get(`${e.expression.text}.${e.name.text}`);
  }
  return undefined;
}

function literalType(t: ts.TypeNode): HintValue[] {
  if (ts.isUnionTypeNode(t)) return t.types.flatMap(literalType);
  if (ts.isParenthesizedTypeNode(t)) return literalType(t.type);
  if (ts.isLiteralTypeNode(t)) {
    const l = t.literal;
    if (ts.isStringLiteral(l)) return [l.text];
    if (ts.isNumericLiteral(l)) return [Number(l.text)];
    if (l.kind === ts.SyntaxKind.TrueKeyword) return [true];
    if (l.kind === ts.SyntaxKind.FalseKeyword) return [false];
    if (l.kind === ts.SyntaxKind.NullKeyword) return [null];
    if (ts.isPrefixUnaryExpression(l) && ts.isNumericLiteral(l.operand)) return [-Number(l.operand.text)];
  }
  return [];
}

/** `field.int(3)`, `f.str()`, `field.value<'a' | 'b'>('a')` → its kind, default and union. */
function fieldDecl(init: ts.Expression, consts: ReadonlyMap<string, HintValue>, aliases: ReadonlyMap<string, ts.TypeNode>): FieldDecl | undefined {
  if (!ts.isCallExpression(init) || !ts.isPropertyAccessExpression(init.expression)) return undefined;
  const kind = init.expression.name.text;
  const arg = init.arguments[0];
  const defaultValue = arg ? literalOf(arg, consts) : undefined;
  let union: HintValue[] = [];
  const targ = init.typeArguments?.[0];
  if (targ) {
    union = literalType(targ);
    if (!union.length && ts.isTypeReferenceNode(targ) && ts.isIdentifier(targ.typeName) && aliases.has(targ.typeName.text)) {
      union = literalType(aliases.get(targ.typeName.text)!);
    }
  }
  return { kind, union, defaultValue };
}

/** Whether `n` is the `pyclass(…)` call (imported under any name, or through a namespace). */
function isPyclassCall(n: ts.Node, names: ReadonlySet<string>, namespaces: ReadonlySet<string>): n is ts.CallExpression {
  if (!ts.isCallExpression(n) || n.arguments.length < 2) return false;
  const e = n.expression;
  if (ts.isIdentifier(e)) return names.has(e.text);
  return ts.isPropertyAccessExpression(e) && e.name.text === 'pyclass' && ts.isIdentifier(e.expression) && namespaces.has(e.expression.text);
}

function neighbours(c: number): number[] {
  return Number.isInteger(c) ? [c - 1, c, c + 1] : [Math.floor(c), c, Math.ceil(c)];
}

/** The hints of every pyclass defined in `text`, by class name. */
export function valueHints(fileName: string, text: string): FileHints {
  const kind = /\.jsx$/.test(fileName) ? ts.ScriptKind.JSX : /\.[cm]?js$/.test(fileName) ? ts.ScriptKind.JS : /\.tsx$/.test(fileName) ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, kind);
  const lineOf = (n: ts.Node) => sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1;
  const pyclassNames = new Set<string>();
  const namespaces = new Set<string>();
  const functions = new Map<string, FnNode>();
  const consts = new Map<string, HintValue>();
  const aliases = new Map<string, ts.TypeNode>();
  for (const n of sf.statements) {
    if (ts.isImportDeclaration(n) && ts.isStringLiteral(n.moduleSpecifier) && n.moduleSpecifier.text === 'traverse-guard') {
      const b = n.importClause?.namedBindings;
      if (b && ts.isNamedImports(b)) for (const s of b.elements) if ((s.propertyName ?? s.name).text === 'pyclass') pyclassNames.add(s.name.text);
      if (b && ts.isNamespaceImport(b)) namespaces.add(b.name.text);
    }
    if (ts.isFunctionDeclaration(n) && n.name && n.body) functions.set(n.name.text, n);
    if (ts.isTypeAliasDeclaration(n)) aliases.set(n.name.text, n.type);
    if (ts.isEnumDeclaration(n)) {
      let next = 0;
      for (const m of n.members) {
        const v = m.initializer ? literalOf(m.initializer, consts) : next;
        if (v !== undefined) consts.set(`${n.name.text}.${m.name.getText(sf)}`, v);
        if (typeof v === 'number') next = v + 1;
      }
    }
    const decls = ts.isVariableStatement(n) ? n.declarationList.declarations : [];
    for (const d of decls) {
      if (!ts.isIdentifier(d.name) || !d.initializer) continue;
      if (ts.isArrowFunction(d.initializer) || ts.isFunctionExpression(d.initializer)) functions.set(d.name.text, d.initializer);
      else {
        const v = literalOf(d.initializer, consts);
        if (v !== undefined) consts.set(d.name.text, v);
        else if (ts.isObjectLiteralExpression(d.initializer)) {
          // `const Mode = { Trim: 'trim' } as const`
          for (const p of d.initializer.properties) {
            if (ts.isPropertyAssignment(p)) {
              const pv = literalOf(p.initializer, consts);
              if (pv !== undefined) consts.set(`${d.name.text}.${p.name.getText(sf)}`, pv);
            }
          }
        }
      }
    }
  }
  if (!pyclassNames.size && !namespaces.size) pyclassNames.add('pyclass');

  const out: Record<string, ClassHints> = {};
  const visitCalls = (n: ts.Node) => {
    if (isPyclassCall(n, pyclassNames, namespaces)) {
      const [nameArg, spec] = n.arguments;
      if (ts.isStringLiteralLike(nameArg) && ts.isObjectLiteralExpression(spec)) {
        const hints = classHints(spec);
        if (hints) out[nameArg.text] = hints;
      }
    }
    ts.forEachChild(n, visitCalls);
  };

  function classHints(spec: ts.ObjectLiteralExpression): ClassHints | undefined {
    const fields = new Map<string, FieldDecl>();
    let traverse: FnNode | undefined;
    for (const p of spec.properties) {
      const key = p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) ? p.name.text : undefined;
      if (key === 'fields' && ts.isPropertyAssignment(p) && ts.isObjectLiteralExpression(p.initializer)) {
        for (const f of p.initializer.properties) {
          if (!ts.isPropertyAssignment(f) || !(ts.isIdentifier(f.name) || ts.isStringLiteral(f.name))) continue;
          const d = fieldDecl(f.initializer, consts, aliases);
          if (d && PRIMITIVE_FIELD.has(d.kind)) fields.set(f.name.text, d);
        }
      }
      if (key === 'traverse') {
        if (ts.isMethodDeclaration(p)) traverse = p;
        else if (ts.isPropertyAssignment(p)) {
          const init = p.initializer;
          if (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) traverse = init;
          else if (ts.isIdentifier(init)) traverse = functions.get(init.text);
        } else if (ts.isShorthandPropertyAssignment(p)) traverse = functions.get(p.name.text);
      }
    }
    if (!traverse) return undefined;
    return analyse(traverse, fields);
  }

  /** Follows the traverse into the same-file functions it calls, tracking what each name holds. */
  function analyse(traverse: FnNode, fields: ReadonlyMap<string, FieldDecl>): ClassHints {
    const found = new Map<string, Set<string>>(); // field → JSON of values
    const add = (f: string, v: HintValue) => {
      if (!found.has(f)) found.set(f, new Set());
      found.get(f)!.add(JSON.stringify(v));
    };
    for (const [f, d] of fields) for (const v of d.union) add(f, v);
    const guards: GuardSite[] = [];
    const guardFns = new Map<GuardSite, FnNode>();
    // Per function: parameter index → fields its argument carried.
    const paramFields = new Map<FnNode, Map<number, Set<string>>>();
    const queue: FnNode[] = [traverse];
    const analysed = new Map<FnNode, string>();
    while (queue.length) {
      const fn = queue.shift()!;
      const pf = paramFields.get(fn) ?? new Map<number, Set<string>>();
      const sig = JSON.stringify([...pf].map(([i, s]) => [i, [...s].sort()]));
      if (analysed.get(fn) === sig) continue;
      analysed.set(fn, sig);
      // Names bound in this function → the fields they were read from.
      const names = new Map<string, Set<string>>();
      fn.parameters.forEach((p, i) => {
        const fs = pf.get(i);
        if (fs?.size) bindPattern(p.name, fs, names);
      });
      // Which fields an expression reads (member `.f`, or a name bound from one).
      const fieldsOf = (e: ts.Node): Set<string> => {
        const s = new Set<string>();
        const go = (x: ts.Node) => {
          if (ts.isPropertyAccessExpression(x) && fields.has(x.name.text)) s.add(x.name.text);
          else if (ts.isElementAccessExpression(x) && ts.isStringLiteralLike(x.argumentExpression) && fields.has(x.argumentExpression.text)) s.add(x.argumentExpression.text);
          else if (ts.isIdentifier(x) && names.has(x.text)) for (const f of names.get(x.text)!) s.add(f);
          ts.forEachChild(x, go);
        };
        go(e);
        return s;
      };
      /** The fields `e` reads directly (not through a call), and whether through `.length`/`[i]`. */
      const operand = (e: ts.Expression): { fields: Set<string>; length: boolean } => {
        while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e) || ts.isTypeOfExpression(e)) e = e.expression;
        if (ts.isPropertyAccessExpression(e) && e.name.text === 'length') return { fields: fieldsOf(e.expression), length: true };
        return { fields: fieldsOf(e), length: false };
      };
      const compare = (a: ts.Expression, b: ts.Expression, relational: boolean) => {
        for (const [x, y] of [
          [a, b],
          [b, a],
        ]) {
          const lit = literalOf(y, consts);
          if (lit === undefined) continue;
          const o = operand(x);
          for (const f of o.fields) {
            const kind = fields.get(f)!;
            if (o.length && typeof lit === 'number') {
              for (const n of neighbours(lit)) if (n >= 0 && n <= 4096) add(f, lengthValue(kind, n));
            } else if (typeof lit === 'number') for (const n of relational || kind.kind === 'int' ? neighbours(lit) : [lit]) add(f, n);
            else add(f, lit);
          }
        }
      };
      let record = false;
      const noteGuard = (cond: ts.Node, guarded: ts.Node) => {
        if (!record) return;
        const text = cond.getText(sf).replace(/\s+/g, ' ');
        const end = sf.getLineAndCharacterOfPosition(guarded.getEnd()).line + 1;
        guards.push({ line: lineOf(cond), text: text.length > 80 ? `${text.slice(0, 77)}…` : text, fields: [...fieldsOf(cond)], span: [lineOf(guarded), end] });
      };
      const walk = (n: ts.Node) => {
        if (ts.isVariableDeclaration(n) && n.initializer) {
          const fs = fieldsOf(n.initializer);
          if (fs.size) bindPattern(n.name, fs, names);
        }
        if (ts.isBindingElement(n) && ts.isIdentifier(n.name) && ts.isObjectBindingPattern(n.parent)) {
          // `const { size } = self` (or a parameter `{ size }`): the name reads field `size`.
          const prop = n.propertyName && (ts.isIdentifier(n.propertyName) || ts.isStringLiteral(n.propertyName)) ? n.propertyName.text : n.name.text;
          if (fields.has(prop)) bindPattern(n.name, new Set([prop]), names);
        }
        if (ts.isElementAccessExpression(n)) {
          // `self.tag[3]`: an index bound, met by a value that long and one shorter.
          const k = literalOf(n.argumentExpression, consts);
          if (typeof k === 'number' && Number.isInteger(k) && k >= 0 && k < 4096) {
            for (const f of fieldsOf(n.expression)) for (const len of [k, k + 1]) add(f, lengthValue(fields.get(f)!, len));
          }
        }
        if (ts.isBinaryExpression(n)) {
          const op = n.operatorToken.kind;
          if (RELATIONAL.has(op)) compare(n.left, n.right, true);
          else if (EQUALITY.has(op)) compare(n.left, n.right, false);
          else if (op === ts.SyntaxKind.EqualsToken && ts.isIdentifier(n.left)) {
            const fs = fieldsOf(n.right);
            if (fs.size) bindPattern(n.left, fs, names);
          }
          if (op === ts.SyntaxKind.AmpersandAmpersandToken || op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.QuestionQuestionToken) noteGuard(n.left, n);
        }
        if (ts.isIfStatement(n) || ts.isWhileStatement(n) || ts.isDoStatement(n)) noteGuard(n.expression, n);
        if (ts.isConditionalExpression(n)) noteGuard(n.condition, n);
        if (ts.isForStatement(n) && n.condition) noteGuard(n.condition, n);
        if (ts.isSwitchStatement(n)) {
          noteGuard(n.expression, n);
          for (const c of n.caseBlock.clauses) if (ts.isCaseClause(c)) compare(n.expression, c.expression, false);
        }
        if (ts.isCallExpression(n)) {
          const callee = ts.isIdentifier(n.expression) ? functions.get(n.expression.text) : undefined;
          if (callee && callee !== fn) {
            const m = paramFields.get(callee) ?? new Map<number, Set<string>>();
            n.arguments.forEach((a, i) => {
              const fs = fieldsOf(a);
              if (!fs.size) return;
              const s = m.get(i) ?? new Set<string>();
              for (const f of fs) s.add(f);
              m.set(i, s);
            });
            paramFields.set(callee, m);
            if (record) queue.push(callee);
          }
        }
        ts.forEachChild(n, walk);
      };
      // Twice: a name bound late in the body (a loop) reaches comparisons written before it;
      // the guards and the calls are taken on the second pass, with every name bound.
      walk(fn);
      record = true;
      for (let i = guards.length - 1; i >= 0; i--) if (guardFns.get(guards[i]) === fn) guards.splice(i, 1);
      const before = guards.length;
      walk(fn);
      for (const g of guards.slice(before)) guardFns.set(g, fn);
    }
    const values: Record<string, HintValue[]> = {};
    for (const [f, set] of found) {
      const kind = fields.get(f)!;
      const vs = [...set].map((s) => JSON.parse(s) as HintValue).filter((v) => fits(kind, v));
      if (vs.length) values[f] = vs.slice(0, MAX_PER_FIELD);
    }
    return { values, guards: guards.sort((a, b) => a.line - b.line) };
  }

  visitCalls(sf);
  return out;
}

/** Binds every name in a declaration pattern to `fs`; `{ size } = self` binds `size` to size alone. */
function bindPattern(name: ts.BindingName | ts.Identifier, fs: ReadonlySet<string>, names: Map<string, Set<string>>): void {
  if (ts.isIdentifier(name)) {
    names.set(name.text, new Set([...(names.get(name.text) ?? []), ...fs]));
    return;
  }
  for (const el of name.elements) {
    if (ts.isOmittedExpression(el)) continue;
    const prop = el.propertyName && (ts.isIdentifier(el.propertyName) || ts.isStringLiteral(el.propertyName)) ? el.propertyName.text : ts.isIdentifier(el.name) ? el.name.text : undefined;
    // `{ size } = self`: the name is the field when it is one; otherwise over-approximate.
    const own = ts.isObjectBindingPattern(name) && prop && fs.size > 0 ? new Set([prop]) : fs;
    bindPattern(el.name, own, names);
  }
}

/** A value of the field's kind whose length (or highest valid index + 1) is `n`. */
function lengthValue(d: FieldDecl, n: number): HintValue {
  if (d.kind === 'value' && Array.isArray(d.defaultValue)) return Array.from({ length: n }, () => 0);
  return 'x'.repeat(n);
}

/** Whether `v` may be stored in a field of this kind. */
function fits(d: FieldDecl, v: HintValue): boolean {
  switch (d.kind) {
    case 'int':
      return typeof v === 'number';
    case 'bool':
      return typeof v === 'boolean';
    case 'str':
      return typeof v === 'string';
    default:
      // A plain value field: anything of the default's type (or anything when it has none).
      return d.defaultValue === undefined || d.defaultValue === null || typeof v === typeof d.defaultValue;
  }
}
