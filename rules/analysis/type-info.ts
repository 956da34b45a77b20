// Type-checker questions, asked only after a syntactic match: is this value, method or
// property declared by the binding API? The API is recognised by the files that declare the
// exports of the module `traverse-guard` resolves to from the linted file.
import type { ParserServicesWithTypeInformation, TSESTree } from '@typescript-eslint/utils';
import ts from 'typescript';

import { REFERENCE_CLASSES } from './api-operations.js';
import { API_MODULE, type PluginSettings } from './settings.js';

/** What the checker says: the API's (with its owning class), something else, or no idea. */
export type TypedVerdict = { readonly api: true; readonly owner: string | null } | 'other' | 'unknown';

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
}

const ANY_LIKE = ts.TypeFlags.Any | ts.TypeFlags.Unknown;

export function createTypeInfo(
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
      for (const declaration of moduleSymbol.declarations ?? []) apiFilesCache.add(declaration.getSourceFile().fileName);
      for (const exported of checker.getExportsOfModule(moduleSymbol)) {
        const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
        for (const declaration of target.declarations ?? []) apiFilesCache.add(declaration.getSourceFile().fileName);
      }
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

  const apiDeclaration = (symbol: ts.Symbol | undefined): ts.Declaration | null => {
    if (!symbol) return null;
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    const declaration = target.declarations?.[0];
    return declaration && apiFiles().has(declaration.getSourceFile().fileName) ? declaration : null;
  };

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
      const target = tsNode(node);
      const type = checker.getTypeAtLocation(target);
      if (type.flags & ANY_LIKE) return 'unknown';
      const name = ts.isPropertyAccessExpression(target) ? target.name : target;
      const symbolDeclaration = apiDeclaration(checker.getSymbolAtLocation(name));
      if (symbolDeclaration) return { api: true, owner: ownerOf(symbolDeclaration) };
      for (const part of typeParts(type)) {
        const declaration = apiDeclaration(part.getSymbol());
        if (declaration) return { api: true, owner: ownerOf(declaration) };
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
        if (part.aliasSymbol?.name === 'TraverseFn' && apiDeclaration(part.aliasSymbol)) return true;
        const signatures = part.getCallSignatures();
        const visitParameter = signatures.length === 1 ? signatures[0]!.parameters[1] : undefined;
        if (visitParameter && isApiClassInstance(checker.getTypeOfSymbol(visitParameter), VISIT_CLASS)) return true;
      }
      return false;
    },
  };
}

/** A `using` of these disposes an owned reference (a borrowed view is one at run time). */
const DISPOSABLE_CLASSES: ReadonlySet<string> = new Set(['Py', 'GILPool', 'Borrowed']);
const PYTHON_CLASS: ReadonlySet<string> = new Set(['Python']);
const VISIT_CLASS: ReadonlySet<string> = new Set(['Visit']);
