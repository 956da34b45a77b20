// Cross-file helpers, typed mode only: an imported name is resolved through the checker to
// its declaration in another file of the program (never the API's own files, declaration
// files or external libraries); the slice of that file the declaration needs
// (foreign-slice.ts) is converted from the program's own ts.SourceFile into an ESTree with its
// own scope manager and walked like the linted file. Slices and the effect summaries of their
// functions are cached per ts.Program (a WeakMap), so a program's helpers are summarised once
// however many files call them.
import { analyze } from '@typescript-eslint/scope-manager';
import { astConverter, type ParseSettings } from '@typescript-eslint/typescript-estree/use-at-your-own-risk';
import { AST_NODE_TYPES, ASTUtils, type TSESLint, type TSESTree } from '@typescript-eslint/utils';
import { visitorKeys } from '@typescript-eslint/visitor-keys';
import { SourceCode } from 'eslint';
import ts from 'typescript';

import { collectApiBindings } from './api-bindings.js';
import { ChildKeys, childKeysFor, type FunctionNode, nodeAtIndex } from './ast.js';
import { CallResolver, type ExternalResolver, type FileScope, registerForeignFile, type Value } from './call-graph.js';
import { collectEffects, type FunctionEffects, type HelperCall, type WalkContext } from './function-effects.js';
import type { PluginSettings } from './settings.js';
import { SynchronousCalls } from './synchronous-calls.js';
import { indexStatements, sliceStatements, type StatementIndex, topLevelStatement } from './foreign-slice.js';
import { countCheckerFailure, type TypeInfo } from './type-info.js';

/** A helper's parameters may hold `self` (or parts of it): writes and RefCell calls through them count. */
const helperRole = (fn: FunctionNode) => ({ selfParameters: fn.params, visitParameters: fn.params, helper: true });

/** Another file of the program, parsed for the call graph. */
interface ForeignFile {
  readonly scope: FileScope;
  readonly ast: TSESTree.Program;
  readonly walk: WalkContext;
}

interface ProgramCache {
  /** Slices by file name and top-level statement position. */
  readonly files: Map<string, ForeignFile | null>;
  readonly indexes: Map<string, StatementIndex>;
  /** The slice a converted node belongs to, by its Program node. */
  readonly byAst: WeakMap<TSESTree.Node, ForeignFile>;
  readonly summaries: Map<FunctionNode, FunctionEffects>;
  resolver?: CallResolver;
}

const programs = new WeakMap<ts.Program, ProgramCache>();

const MAX_FOREIGN_BYTES = 2_000_000;

function setParents(node: TSESTree.Node, keys: ChildKeys): void {
  const record = node as unknown as Record<string, unknown>;
  for (const key of keys.of(node.type)) {
    const value = record[key];
    if (Array.isArray(value)) {
      for (const child of value) {
        if (child && typeof child === 'object') {
          (child as { parent?: TSESTree.Node }).parent = node;
          setParents(child as TSESTree.Node, keys);
        }
      }
    } else if (value && typeof value === 'object' && 'type' in value) {
      (value as { parent?: TSESTree.Node }).parent = node;
      setParents(value as TSESTree.Node, keys);
    }
  }
}

/**
 * The ESTree of a slice of a program's file (foreign-slice.ts), converted from the program's own ts.SourceFile (no second
 * TypeScript parse) without tokens or comments: the analysis reads only nodes, ranges and
 * scopes, and converting tokens and comments was most of a helper file's cost (the bench's
 * typed run). `astConverter` is typescript-estree's own converter (the version is pinned).
 */
function toEstree(sourceFile: ts.SourceFile, statements: readonly ts.Statement[]): TSESTree.Program {
  const settings: Partial<ParseSettings> = {
    allowInvalidAST: false,
    errorOnUnknownASTType: false,
    suppressDeprecatedPropertyWarnings: true,
    range: true,
    loc: true,
    tokens: null,
    comment: false,
  };
  // The converter reads the file's statements, text and line map: a view of the file holding
  // only the slice's statements converts just those (positions unchanged).
  const slice = Object.create(sourceFile, {
    statements: { value: ts.factory.createNodeArray(statements) },
    // Token searches (`export` modifiers) descend from the file into the statement holding the
    // token: the slice's statements are enough (the whole file's syntax list is never built).
    getChildren: { value: () => statements },
  }) as ts.SourceFile;
  const { estree } = astConverter(slice, settings as ParseSettings, false);
  // SourceCode wants both arrays.
  return Object.assign(estree, { tokens: [], comments: [] }) as TSESTree.Program;
}

/** The innermost TS node at `position` (descending through children). */
function tsNodeAt(sourceFile: ts.SourceFile, position: number): ts.Node {
  let current: ts.Node = sourceFile;
  for (;;) {
    const next: ts.Node | undefined = current.forEachChild((child) =>
      child.getStart(sourceFile) <= position && position < child.getEnd() ? child : undefined,
    );
    if (!next) return current;
    current = next;
  }
}

/** Plain summaries for the untyped mode (and same-file callees in typed mode). */
export function summaryOf(walk: WalkContext, call: HelperCall): FunctionEffects {
  if (call.file && walk.foreign) return walk.foreign(call);
  return collectEffects(walk, call.target, helperRole(call.target));
}

export interface CrossFile {
  readonly external: ExternalResolver;
  /** Effects of a function declared in another file, cached per program. */
  summary(call: HelperCall): FunctionEffects;
}

export function createCrossFile(
  program: ts.Program,
  typeInfo: TypeInfo,
  mainFileName: string,
  settings: PluginSettings,
  /** The linted file's ESTree → TS node map (other files are searched by position). */
  mainTsNode?: (node: TSESTree.Node) => ts.Node | undefined,
): CrossFile {
  let cache = programs.get(program);
  if (!cache) programs.set(program, (cache = { files: new Map(), indexes: new Map(), byAst: new WeakMap(), summaries: new Map() }));
  const programCache = cache;
  const checker = program.getTypeChecker();
  const childKeys = childKeysFor(visitorKeys as Record<string, readonly string[] | undefined>);

  const load = (sourceFile: ts.SourceFile, declaration: ts.Node): ForeignFile | null => {
    const fileName = sourceFile.fileName;
    const root = topLevelStatement(declaration, sourceFile);
    if (!root) return null;
    const key = `${fileName}:${root.pos}`;
    if (programCache.files.has(key)) return programCache.files.get(key)!;
    let loaded: ForeignFile | null = null;
    if (sourceFile.text.length <= MAX_FOREIGN_BYTES) {
      try {
        let index = programCache.indexes.get(fileName);
        if (!index) programCache.indexes.set(fileName, (index = indexStatements(sourceFile)));
        const ast = toEstree(sourceFile, sliceStatements(sourceFile, index, root));
        setParents(ast, childKeys);
        // No lib globals: an unresolved global and a lib variable (no definitions) read the same
        // to the analysis, and declaring every lib name was a third of a slice's cost.
        const scopeManager = analyze(ast, { sourceType: 'module', lib: [] });
        const sourceCode = new SourceCode({
          text: sourceFile.text,
          ast: ast as never,
          scopeManager: scopeManager as never,
          visitorKeys: visitorKeys as never,
        }) as unknown as TSESLint.SourceCode;
        const resolve = (id: TSESTree.Identifier) => ASTUtils.findVariable(sourceCode.getScope(id), id);
        const scope: FileScope = { sourceCode, resolve, fileName };
        registerForeignFile(ast, scope);
        programCache.resolver ??= new CallResolver(scope, external);
        const resolver = programCache.resolver;
        const walk: WalkContext = {
          sourceCode,
          settings,
          bindings: collectApiBindings(ast, scopeManager as unknown as TSESLint.Scope.ScopeManager, settings),
          typeInfo: null,
          resolve,
          childKeys,
          resolver,
          synchronous: new SynchronousCalls(sourceCode, settings, resolver, resolve),
          foreign: (call) => summary(call),
        };
        loaded = { scope, ast, walk };
        programCache.byAst.set(ast, loaded);
      } catch {
        loaded = null; // unparsable here: the call stays unresolved
      }
    }
    programCache.files.set(key, loaded);
    return loaded;
  };

  const external: ExternalResolver = (id, file, resolver) => {
    try {
      return resolveImported(id, file, resolver);
    } catch (error) {
      countCheckerFailure('cross-file resolution', error);
      return [];
    }
  };

  const resolveImported: ExternalResolver = (id, file, resolver) => {
    const sourceFile = program.getSourceFile(file.fileName ?? mainFileName);
    if (!sourceFile) return [];
    const tsId = (file.fileName === undefined ? mainTsNode?.(id) : undefined) ?? tsNodeAt(sourceFile, id.range[0]);
    if (!ts.isIdentifier(tsId)) return [];
    let symbol = checker.getSymbolAtLocation(tsId);
    if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
    const declaration = symbol?.declarations?.[0];
    if (!declaration) return [];
    const declaringFile = declaration.getSourceFile();
    if (
      declaringFile.isDeclarationFile ||
      program.isSourceFileFromExternalLibrary(declaringFile) ||
      declaringFile.fileName.includes('/node_modules/') ||
      typeInfo.isApiFile(declaringFile.fileName)
    ) {
      return [];
    }
    const name = ts.getNameOfDeclaration(declaration);
    if (!name) return [];
    const foreign = load(declaringFile, declaration);
    if (!foreign) return [];
    const node = nodeAtIndex(foreign.ast, name.getStart(declaringFile), childKeys);
    const holder = node.parent;
    if (node.type !== AST_NODE_TYPES.Identifier || !holder) return [];
    if (holder.type === AST_NODE_TYPES.FunctionDeclaration && holder.id === node) return [{ kind: 'function', fn: holder }];
    if ((holder.type === AST_NODE_TYPES.ClassDeclaration || holder.type === AST_NODE_TYPES.ClassExpression) && holder.id === node) {
      return [{ kind: 'class', node: holder }];
    }
    if (holder.type === AST_NODE_TYPES.VariableDeclarator && holder.id === node) return resolver.values(node) as Value[];
    return [];
  };

  const foreignOf = (node: TSESTree.Node): ForeignFile | null => {
    let root = node;
    while (root.parent) root = root.parent;
    return programCache.byAst.get(root) ?? null;
  };

  const summary = (call: HelperCall): FunctionEffects => {
    let effects = programCache.summaries.get(call.target);
    if (!effects) {
      const foreign = call.file ? foreignOf(call.target) : null;
      effects = foreign ? collectEffects(foreign.walk, call.target, helperRole(call.target)) : { operations: [], helperCalls: [] };
      programCache.summaries.set(call.target, effects);
    }
    return effects;
  };

  return { external, summary };
}
