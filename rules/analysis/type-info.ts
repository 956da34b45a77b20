// Type-checker questions, asked only after a syntactic match: is this value, method or
// property declared by the binding API? The API is recognised by the files that declare the
// exports of the module `traverse-guard` resolves to from the linted file.
import type { ParserServicesWithTypeInformation, TSESTree } from '@typescript-eslint/utils';
import ts from 'typescript';

import { REFERENCE_CLASSES } from './api-operations.js';
import { API_MODULE, type PluginSettings } from './settings.js';

/** What the checker says: the API's (with its owning class), something else, or no idea. */
export type TypedVerdict =
  | { readonly api: true; readonly owner: string | null; readonly name?: string }
  | 'other'
  | 'unknown';

export interface TypeInfo {
  /** Whether the callee/value denotes a declaration of the API. */
  declaredByApi(node: TSESTree.Node): TypedVerdict;
  /** Whether a property written through `object.name` holds an owned reference. */
  isReferenceLocation(object: TSESTree.Node, name: string): boolean | 'unknown';
  /** Whether the value's type is an API reference or pool (for `using`). */
  isApiDisposable(node: TSESTree.Node): boolean | 'unknown';
  /** Whether the variable declared at `id` holds an interpreter token (`Python` instance). */
  isInterpreterToken(id: TSESTree.Node): boolean | 'unknown';
  /** Whether the contextual type of a function is the API's traverse callback type. */
  isTraverseContext(fn: TSESTree.Node): boolean;
  /** The API class whose instance the value is (`Bound`, `Py` …), or null. */
  apiClassOf(node: TSESTree.Node): string | null;
  /** Whether the program contains the API's declarations at all. */
  hasApi(): boolean;
  /** Whether a file declares the API (its declarations are never followed as helpers). */
  isApiFile(fileName: string): boolean;
}

/** Counts of checker questions that failed and fell back to the syntactic decision. */
export interface TypeStats {
  checkerFailures: number;
}

/** Answers used when a checker question throws (stack overflow, internal error): syntactic fallback. */
const FALLBACKS: { readonly [K in keyof TypeInfo]: ReturnType<TypeInfo[K]> } = {
  declaredByApi: 'unknown',
  isReferenceLocation: 'unknown',
  isApiDisposable: 'unknown',
  isInterpreterToken: 'unknown',
  isTraverseContext: false,
  apiClassOf: null,
  hasApi: false,
  isApiFile: true,
};

let totalCheckerFailures = 0;

/** Counts one checker failure (printed when TRAVERSE_GUARD_DEBUG is set). */
export function countCheckerFailure(question: string, error: unknown): void {
  totalCheckerFailures += 1;
  if (process.env.TRAVERSE_GUARD_DEBUG) {
    process.stderr.write(`traverse-guard: ${question} failed (${error instanceof Error ? error.message : String(error)}); using the syntactic decision\n`);
  }
}

/** Checker failures in this process so far (each degraded one node to the syntactic decision). */
export function checkerFailureCount(): number {
  return totalCheckerFailures;
}

/** Wraps every question so that a checker failure on one node degrades that node only. */
function guarded(info: TypeInfo, stats: TypeStats): TypeInfo {
  const out = {} as Record<string, unknown>;
  for (const key of Object.keys(FALLBACKS) as Array<keyof TypeInfo>) {
    const ask = info[key] as (...args: unknown[]) => unknown;
    out[key] = (...args: unknown[]) => {
      try {
        return ask(...args);
      } catch (error) {
        stats.checkerFailures += 1;
        countCheckerFailure(key, error);
        return FALLBACKS[key];
      }
    };
  }
  return out as unknown as TypeInfo;
}

/** Types the checker cannot vouch for: any (incl. the error type), unknown, a type parameter. */
const ANY_LIKE = ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.TypeParameter | ts.TypeFlags.Index | ts.TypeFlags.IndexedAccess;

/** The files declaring a module and its exports, once per module symbol (per program). */
const filesOfModule = new WeakMap<ts.Symbol, readonly string[]>();

function moduleFiles(checker: ts.TypeChecker, moduleSymbol: ts.Symbol): readonly string[] {
  let files = filesOfModule.get(moduleSymbol);
  if (!files) {
    const found = new Set<string>();
    for (const declaration of moduleSymbol.declarations ?? []) found.add(declaration.getSourceFile().fileName);
    for (const exported of checker.getExportsOfModule(moduleSymbol)) {
      const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      for (const declaration of target.declarations ?? []) found.add(declaration.getSourceFile().fileName);
    }
    filesOfModule.set(moduleSymbol, (files = [...found]));
  }
  return files;
}

export function createTypeInfo(
  services: ParserServicesWithTypeInformation,
  fileName: string,
  settings: PluginSettings,
  stats: TypeStats = { checkerFailures: 0 },
): TypeInfo | null {
  const info = rawTypeInfo(services, fileName, settings);
  return info && guarded(info, stats);
}

function rawTypeInfo(
  services: ParserServicesWithTypeInformation,
  fileName: string,
  settings: PluginSettings,
): TypeInfo | null {
  const program = services.program;
  const checker = program.getTypeChecker();
  const sourceFile = program.getSourceFile(fileName);
  if (!sourceFile) return null;

  // The API's files: found lazily, from the file's own imports when it has one (the program
  // already resolved those), otherwise through module resolution from this file.
  let apiFilesCache: Set<string> | null = null;
  const apiFiles = (): Set<string> => {
    if (apiFilesCache) return apiFilesCache;
    apiFilesCache = new Set<string>();
    const specifiers = [API_MODULE, ...settings.modules];
    const modules: ts.Symbol[] = [];
    for (const statement of sourceFile.statements) {
      if (
        (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) &&
        statement.moduleSpecifier &&
        ts.isStringLiteral(statement.moduleSpecifier) &&
        specifiers.includes(statement.moduleSpecifier.text)
      ) {
        const moduleSymbol = checker.getSymbolAtLocation(statement.moduleSpecifier);
        if (moduleSymbol) modules.push(moduleSymbol);
      }
    }
    if (modules.length === 0) {
      for (const specifier of specifiers) {
        const resolved = ts.resolveModuleName(specifier, fileName, program.getCompilerOptions(), ts.sys).resolvedModule;
        const moduleFile = resolved && program.getSourceFile(resolved.resolvedFileName);
        const moduleSymbol = moduleFile && checker.getSymbolAtLocation(moduleFile);
        if (moduleSymbol) modules.push(moduleSymbol);
      }
    }
    for (const moduleSymbol of modules) {
      for (const name of moduleFiles(checker, moduleSymbol)) apiFilesCache.add(name);
    }
    return apiFilesCache;
  };

  const tsNode = (node: TSESTree.Node): ts.Node => services.esTreeNodeToTSNodeMap.get(node);

  const ownerOf = (declaration: ts.Declaration): string | null => {
    for (let current: ts.Node | undefined = declaration; current; current = current.parent) {
      if ((ts.isClassLike(current) || ts.isInterfaceDeclaration(current)) && current.name) return current.name.text;
      if (ts.isTypeAliasDeclaration(current)) return current.name.text;
      if (ts.isVariableDeclaration(current) && ts.isIdentifier(current.name)) return current.name.text;
      if (ts.isSourceFile(current)) return null;
    }
    return null;
  };

  const verdictOf = (declaration: ts.Declaration): TypedVerdict => {
    const name = ts.getNameOfDeclaration(declaration);
    const owner = ownerOf(declaration);
    return name && ts.isIdentifier(name) ? { api: true, owner, name: name.text } : { api: true, owner };
  };

  const apiDeclaration = (symbol: ts.Symbol | undefined): ts.Declaration | null => {
    if (!symbol) return null;
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    const declaration = target.declarations?.[0];
    return declaration && apiFiles().has(declaration.getSourceFile().fileName) ? declaration : null;
  };

  /** any/unknown/error/type parameter, or a union with such a part. */
  const vague = (type: ts.Type): boolean =>
    (type.flags & ANY_LIKE) !== 0 || (type.isUnion() && type.types.some((part) => (part.flags & ANY_LIKE) !== 0));

  const typeParts = (type: ts.Type): readonly ts.Type[] => {
    const nonNullable = checker.getNonNullableType(type);
    return nonNullable.isUnion() ? nonNullable.types : [nonNullable];
  };

  const isApiClassInstance = (type: ts.Type, names: ReadonlySet<string>): boolean =>
    typeParts(type).some((part) => {
      const symbol = part.getSymbol() ?? part.aliasSymbol;
      if (!symbol || !names.has(symbol.name) || part.getConstructSignatures().length > 0) return false;
      return apiDeclaration(symbol) !== null;
    });

  return {
    declaredByApi(node) {
      // Without a resolvable API the checker cannot tell API values apart: stay syntactic.
      if (apiFiles().size === 0) return 'unknown';
      const target = skipOuter(tsNode(node));
      const type = checker.getTypeAtLocation(target);
      if (type.flags & ANY_LIKE) return 'unknown';
      // A method reached on a receiver the checker cannot vouch for (`any`, a type parameter `T extends { drop(): void }`).
      if (ts.isPropertyAccessExpression(target) || ts.isElementAccessExpression(target)) {
        const receiver = checker.getTypeAtLocation(target.expression);
        if (vague(receiver)) return 'unknown';
      }
      const name = ts.isPropertyAccessExpression(target) ? target.name : target;
      const symbolDeclaration = apiDeclaration(checker.getSymbolAtLocation(name));
      if (symbolDeclaration) return verdictOf(symbolDeclaration);
      for (const part of typeParts(type)) {
        const declaration = apiDeclaration(part.getSymbol());
        if (declaration) return verdictOf(declaration);
      }
      return 'other';
    },
    isReferenceLocation(object, name) {
      if (apiFiles().size === 0) return 'unknown';
      const objectType = checker.getTypeAtLocation(tsNode(object));
      if (objectType.flags & ANY_LIKE) return 'unknown';
      const property = checker.getPropertyOfType(checker.getNonNullableType(objectType), name);
      if (!property) return false;
      const propertyType = checker.getTypeOfSymbol(property);
      if (propertyType.flags & ANY_LIKE) return 'unknown';
      return isApiClassInstance(propertyType, REFERENCE_CLASSES);
    },
    isApiDisposable(node) {
      if (apiFiles().size === 0) return 'unknown';
      const type = checker.getTypeAtLocation(tsNode(node));
      if (type.flags & ANY_LIKE) return 'unknown';
      return isApiClassInstance(type, DISPOSABLE_CLASSES);
    },
    isInterpreterToken(id) {
      if (apiFiles().size === 0) return 'unknown';
      const type = checker.getTypeAtLocation(tsNode(id));
      if (type.flags & ANY_LIKE) return 'unknown';
      return isApiClassInstance(type, PYTHON_CLASS);
    },
    isTraverseContext(fn) {
      if (apiFiles().size === 0) return false;
      const node = tsNode(fn);
      let contextual: ts.Type | undefined;
      if (ts.isMethodDeclaration(node) && ts.isObjectLiteralExpression(node.parent)) {
        const objectType = checker.getContextualType(node.parent);
        const property = objectType && checker.getPropertyOfType(objectType, node.name.getText());
        contextual = property && checker.getTypeOfSymbol(property);
      } else if (ts.isArrowFunction(node) || ts.isFunctionExpression(node)) {
        contextual = checker.getContextualType(node);
      }
      if (!contextual) return false;
      for (const part of typeParts(contextual)) {
        // By symbol origin: a user's own `TraverseFn` is not the API's.
        if (part.aliasSymbol?.name === 'TraverseFn') {
          if (apiDeclaration(part.aliasSymbol)) return true;
          continue;
        }
        const signatures = part.getCallSignatures();
        const visitParameter =
          signatures.length === 1 && signatures[0]!.parameters.length === 2 ? signatures[0]!.parameters[1] : undefined;
        if (visitParameter && isApiClassInstance(checker.getTypeOfSymbol(visitParameter), VISIT_CLASS)) return true;
      }
      return false;
    },
    apiClassOf(node) {
      if (apiFiles().size === 0) return null;
      const type = checker.getTypeAtLocation(skipOuter(tsNode(node)));
      if (vague(type)) return null;
      for (const part of typeParts(type)) {
        const symbol = part.getSymbol() ?? part.aliasSymbol;
        if (symbol && part.getConstructSignatures().length === 0 && apiDeclaration(symbol)) return symbol.name;
      }
      return null;
    },
    hasApi() {
      return apiFiles().size > 0;
    },
    isApiFile(name) {
      return apiFiles().has(name);
    },
  };
}

/** Parentheses the ESTree map skips. */
function skipOuter(node: ts.Node): ts.Node {
  let current = node;
  while (ts.isParenthesizedExpression(current)) current = current.expression;
  return current;
}

/** A `using` of these disposes an owned reference (a borrowed view is one at run time). */
const DISPOSABLE_CLASSES: ReadonlySet<string> = new Set(['Py', 'GILPool', 'Borrowed']);
const PYTHON_CLASS: ReadonlySet<string> = new Set(['Python']);
const VISIT_CLASS: ReadonlySet<string> = new Set(['Visit']);
