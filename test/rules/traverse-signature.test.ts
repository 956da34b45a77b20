// traverse-signature: async, generator, extra/rest parameters and whole-`this` uses in traverse
// bodies of every discovered form; `checkVisitEscape` (strict); the removal suggestions.
import type { ESLintUtils } from '@typescript-eslint/utils';
import type { InvalidTestCase, ValidTestCase } from '@typescript-eslint/rule-tester';

import rule, { type TraverseSignatureOptions } from '../../rules/traverse-signature.js';
import { FIELDS, IMPORTS, inTraverse, typedTester, untypedTester } from './harness.js';

type MessageIds = ESLintUtils.InferMessageIdsTypeFromRule<typeof rule>;
type Options = [TraverseSignatureOptions];
type Invalid = InvalidTestCase<MessageIds, Options>;

/** A pyclass whose traverse member is written `head {` … `},` (the head is on line 4). */
const spec = (head: string, body: string[] = ['visit.call(self.child);'], after: string[] = []): string =>
  [IMPORTS, "pyclass('Node', {", FIELDS, `  ${head} {`, ...body.map((line) => `    ${line}`), '  },', '});', ...after].join('\n');

const asyncError = (line: number, column: number, output?: string) => ({
  messageId: 'asyncTraverse' as const,
  line,
  column,
  suggestions: output === undefined ? [] : [{ messageId: 'removeAsync' as const, output }],
});
const extra = (line: number, column: number, name: string, output?: string) => ({
  messageId: 'extraParameter' as const,
  line,
  column,
  data: { name },
  suggestions: output === undefined ? [] : [{ messageId: 'removeParameter' as const, data: { name }, output }],
});
const thisError = (line: number, column: number) => ({ messageId: 'thisAsObject' as const, line, column });
const STRICT: Options = [{ checkVisitEscape: true }];

const valid: (string | ValidTestCase<Options>)[] = [
  inTraverse(['visit.call(self.child);']),
  spec('traverse(self)', ['void self.count;']),
  spec('traverse()', []),
  spec('traverse: (self, visit) =>', ['visit.call(self.child);']),
  spec('traverse: function (self, visit)'),
  spec('traverse({ child }, visit)', ['visit.call(child);']),
  inTraverse(['void this.count;']),
  inTraverse(['void (this as any).count;']),
  inTraverse(['function own(this: unknown) { return this; }', 'void own;']),
  inTraverse(['const f = function (this: unknown) { return this; };', 'void f;']),
  [IMPORTS, "pyclass('Node', {", FIELDS, '  traverse(self, visit) { visit.call(self.child); },', '  async clear(self) { void self; },', '});'].join('\n'),
  "async function traverse(self: unknown, visit: unknown, extra: unknown) { return [self, visit, extra, this]; }",
  "import { Py } from 'traverse-guard';\nclass Node {\n  child: Py<unknown> | null = null;\n  __traverse__(visit: { call(x: unknown): void }) { visit.call(this.child); }\n}",
  "class Node {\n  __traverse__(self: unknown, visit: { call(x: unknown): void }) { visit.call(self); }\n}",
  "const spec = { async *traverse(self: unknown, visit: unknown, more: unknown) { yield [self, visit, more, this]; } };\nvoid spec;",
  "class Node {\n  async traverse(a: unknown, b: unknown, c: unknown) { return [a, b, c, this]; }\n}",
  inTraverse(['visit.call(self.child);'], ['async function later(a: unknown, b: unknown, c: unknown) { return [a, b, c]; }']),
  inTraverse(['saved = visit;'], ['let saved: unknown;']),
  { code: inTraverse(['visit.call(self.child);']), options: STRICT },
  { code: inTraverse(['visitAll(self, visit);'], ['function visitAll(s: any, v: Visit) { v.call(s.child); }']), options: STRICT },
  { code: inTraverse(['self.items.forEach((item) => visit.call(item));']), options: STRICT },
  inTraverse(['self.items.forEach(() => void this.count);']),
  "import { pyclass } from 'elsewhere';\npyclass('N', { async traverse(a: unknown, b: unknown, c: unknown) { return [a, b, c]; } });",
  inTraverse(["const s = 'async traverse(self, visit, extra)';", 'void s;']),
  spec('traverse: (self, visit) =>', ['const me = self;', 'void me;']),
];

const invalid: Invalid[] = [
  { code: spec('async traverse(self, visit)'), errors: [asyncError(4, 3, spec('traverse(self, visit)'))] },
  { code: spec('traverse: async (self, visit) =>'), errors: [asyncError(4, 13, spec('traverse: (self, visit) =>'))] },
  { code: spec('traverse: async function (self, visit)'), errors: [asyncError(4, 13, spec('traverse: function (self, visit)'))] },
  { code: spec('async traverse(self, visit)', ['await Promise.resolve();']), errors: [asyncError(4, 3)] },
  { code: spec('*traverse(self, visit)'), errors: [{ messageId: 'generatorTraverse', line: 4, column: 3 }] },
  { code: spec('traverse: function* (self, visit)'), errors: [{ messageId: 'generatorTraverse', line: 4, column: 13 }] },
  {
    code: spec('async *traverse(self, visit)'),
    errors: [asyncError(4, 3, spec('*traverse(self, visit)')), { messageId: 'generatorTraverse', line: 4, column: 3 }],
  },
  { code: spec('traverse(self, visit, extra)'), errors: [extra(4, 25, 'extra', spec('traverse(self, visit)'))] },
  { code: spec('traverse(self, visit, extra)', ['void extra;']), errors: [extra(4, 25, 'extra')] },
  {
    code: spec('traverse(self, visit, a, b)'),
    errors: [extra(4, 25, 'a', spec('traverse(self, visit, b)')), extra(4, 28, 'b', spec('traverse(self, visit, a)'))],
  },
  { code: spec('traverse(self, visit, depth = 0)'), errors: [extra(4, 25, 'depth = 0', spec('traverse(self, visit)'))] },
  { code: spec('traverse(self, ...rest)'), errors: [{ messageId: 'restParameter', line: 4, column: 18, data: { name: '...rest' } }] },
  {
    code: spec('traverse(self, visit, ...more)'),
    errors: [{ messageId: 'restParameter', line: 4, column: 25, data: { name: '...more' } }],
  },
  { code: inTraverse(['helper(this);'], ['function helper(x: unknown) { void x; }']), errors: [thisError(5, 12)] },
  { code: inTraverse(['const me = this;', 'void me;']), errors: [thisError(5, 16)] },
  { code: inTraverse(['return this;']), errors: [thisError(5, 12)] },
  { code: inTraverse(['visit.call(this as any);']), errors: [thisError(5, 16)] },
  { code: inTraverse(['self.items.forEach(() => use(this));'], ['declare function use(x: unknown): void;']), errors: [thisError(5, 34)] },
  {
    code: "declare function register(x: unknown): void;\nclass Node {\n  __traverse__(visit: unknown) {\n    register(this);\n  }\n}",
    errors: [thisError(4, 14)],
  },
  {
    code: 'class Node {\n  __traverse__(self: unknown, visit: unknown, extra: unknown) {\n    void [self, visit];\n  }\n}',
    errors: [extra(2, 47, 'extra: unknown', 'class Node {\n  __traverse__(self: unknown, visit: unknown) {\n    void [self, visit];\n  }\n}')],
  },
  {
    code: 'class Node {\n  async __traverse__(visit: unknown) {\n    void visit;\n  }\n}',
    errors: [asyncError(2, 3, 'class Node {\n  __traverse__(visit: unknown) {\n    void visit;\n  }\n}')],
  },
  {
    code: inTraverse(['visit.call(self.child);'], ['const t: TraverseFn<{}> = async (self, visit) => {};']),
    errors: [asyncError(8, 27, inTraverse(['visit.call(self.child);'], ['const t: TraverseFn<{}> = (self, visit) => {};']))],
  },
  {
    code: inTraverse(['visit.call(self.child);'], [
      "pyclass('Other', { fields: {}, traverse: traverseOther });",
      'async function traverseOther(self: unknown, visit: Visit) { void [self, visit]; }',
    ]),
    errors: [
      asyncError(
        9,
        1,
        inTraverse(['visit.call(self.child);'], [
          "pyclass('Other', { fields: {}, traverse: traverseOther });",
          'function traverseOther(self: unknown, visit: Visit) { void [self, visit]; }',
        ]),
      ),
    ],
  },
  {
    code: inTraverse(['visit.call(self.child);'], [
      "pyclass('Other', { fields: {}, traverse: traverseGen });",
      'function* traverseGen(self: unknown, visit: Visit) { void [self, visit]; }',
    ]),
    errors: [{ messageId: 'generatorTraverse', line: 9, column: 1 }],
  },
  {
    code: inTraverse(['saved = visit;'], ['let saved: unknown;']),
    options: STRICT,
    errors: [{ messageId: 'visitEscapes', line: 5, column: 13, data: { name: 'visit' } }],
  },
  { code: inTraverse(['return visit;']), options: STRICT, errors: [{ messageId: 'visitEscapes', line: 5, column: 12, data: { name: 'visit' } }] },
  {
    code: inTraverse(['store.push(visit);'], ['declare const store: unknown[];']),
    options: STRICT,
    errors: [{ messageId: 'visitEscapes', line: 5, column: 16, data: { name: 'visit' } }],
  },
];

untypedTester().run('traverse-signature (untyped)', rule, { valid, invalid });
typedTester().run('traverse-signature (typed)', rule, { valid, invalid });
