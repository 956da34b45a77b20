// The part of another file a cross-file helper needs (typed mode): its top-level statement,
// the top-level declarations that statement names (transitively), every import, and the
// statements that could change what an included name holds (a top-level statement that is
// not a declaration, and anything writing a `let`/`var` it mentions). Converting and
// scope-analysing only that slice, instead of the whole file, is what keeps cross-file
// summaries cheap (bench:lint); positions stay the file's own, so ranges and the checker agree.
import ts from 'typescript';

/** Per file: the value names each top-level statement declares; what each mentions, on demand. */
export interface StatementIndex {
  readonly declares: ReadonlyMap<ts.Statement, readonly string[]>;
  readonly declaredBy: ReadonlyMap<string, readonly ts.Statement[]>;
  /** Names declared with `let` or `var` (reassignable: their writers must come along). */
  readonly mutable: ReadonlySet<string>;
  /** The identifiers a statement mentions (computed once, only for statements a slice looks at). */
  mentions(statement: ts.Statement): ReadonlySet<string>;
}

function bindingNames(name: ts.BindingName, out: string[]): void {
  if (ts.isIdentifier(name)) {
    out.push(name.text);
    return;
  }
  for (const element of name.elements) if (!ts.isOmittedExpression(element)) bindingNames(element.name, out);
}

function declaredNames(statement: ts.Statement, mutable: Set<string>): string[] {
  const out: string[] = [];
  if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement) || ts.isEnumDeclaration(statement)) && statement.name) {
    out.push(statement.name.text);
  } else if (ts.isModuleDeclaration(statement) && ts.isIdentifier(statement.name)) {
    out.push(statement.name.text);
  } else if (ts.isVariableStatement(statement)) {
    const reassignable = (statement.declarationList.flags & (ts.NodeFlags.Const | ts.NodeFlags.Using | ts.NodeFlags.AwaitUsing)) === 0;
    for (const declaration of statement.declarationList.declarations) {
      const names: string[] = [];
      bindingNames(declaration.name, names);
      out.push(...names);
      if (reassignable) for (const name of names) mutable.add(name);
    }
  } else if (ts.isImportDeclaration(statement) && statement.importClause) {
    const clause = statement.importClause;
    if (clause.name) out.push(clause.name.text);
    const bindings = clause.namedBindings;
    if (bindings && ts.isNamespaceImport(bindings)) out.push(bindings.name.text);
    if (bindings && ts.isNamedImports(bindings)) for (const element of bindings.elements) out.push(element.name.text);
  } else if (ts.isImportEqualsDeclaration(statement)) {
    out.push(statement.name.text);
  }
  return out;
}

function mentionedNames(statement: ts.Statement): Set<string> {
  const out = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node)) out.add(node.text);
    else node.forEachChild(visit);
  };
  visit(statement);
  return out;
}

export function indexStatements(sourceFile: ts.SourceFile): StatementIndex {
  const declares = new Map<ts.Statement, string[]>();
  const declaredBy = new Map<string, ts.Statement[]>();
  const mutable = new Set<string>();
  const mentioned = new Map<ts.Statement, Set<string>>();
  for (const statement of sourceFile.statements) {
    const names = declaredNames(statement, mutable);
    declares.set(statement, names);
    for (const name of names) {
      let list = declaredBy.get(name);
      if (!list) declaredBy.set(name, (list = []));
      list.push(statement);
    }
  }
  return {
    declares,
    declaredBy,
    mutable,
    mentions(statement) {
      let names = mentioned.get(statement);
      if (!names) mentioned.set(statement, (names = mentionedNames(statement)));
      return names;
    },
  };
}

/** The top-level statement of `sourceFile` that holds `node`. */
export function topLevelStatement(node: ts.Node, sourceFile: ts.SourceFile): ts.Statement | null {
  let current: ts.Node = node;
  while (current.parent && current.parent !== sourceFile) current = current.parent;
  return current.parent === sourceFile ? (current as ts.Statement) : null;
}

/** The statements (in source order) the slice for `root` holds. */
export function sliceStatements(sourceFile: ts.SourceFile, index: StatementIndex, root: ts.Statement): ts.Statement[] {
  const included = new Set<ts.Statement>();
  const names = new Set<string>();
  const queue: ts.Statement[] = [root];
  for (const statement of sourceFile.statements) {
    if (ts.isImportDeclaration(statement) || ts.isImportEqualsDeclaration(statement)) queue.push(statement);
  }
  for (;;) {
    while (queue.length > 0) {
      const statement = queue.pop()!;
      if (included.has(statement)) continue;
      included.add(statement);
      for (const name of index.mentions(statement)) {
        if (names.has(name)) continue;
        names.add(name);
        for (const declaring of index.declaredBy.get(name) ?? []) if (!included.has(declaring)) queue.push(declaring);
      }
    }
    // Names the slice's own declarations bind (imports cannot be written).
    const declaredInSlice = new Set<string>();
    for (const statement of included) {
      if (ts.isImportDeclaration(statement) || ts.isImportEqualsDeclaration(statement)) continue;
      for (const name of index.declares.get(statement) ?? []) declaredInSlice.add(name);
    }
    // Writers: a non-declaring statement (`Node.prototype.x = …`, `Object.assign(api, …)`)
    // mentioning a binding of the slice, or any statement mentioning a reassignable one.
    let reassignable = false;
    for (const name of declaredInSlice) if (index.mutable.has(name)) reassignable = true;
    for (const statement of sourceFile.statements) {
      if (included.has(statement) || ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement)) continue;
      const declaring = (index.declares.get(statement) ?? []).length > 0;
      if (declaring && !reassignable) continue;
      for (const name of index.mentions(statement)) {
        if (declaredInSlice.has(name) && (!declaring || index.mutable.has(name))) {
          queue.push(statement);
          break;
        }
      }
    }
    if (queue.length === 0) break;
  }
  return sourceFile.statements.filter((statement) => included.has(statement));
}
