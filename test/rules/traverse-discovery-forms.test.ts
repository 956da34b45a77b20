// traverse-signature over the traverse-discovery forms of issue 11: a spec built by spread, by
// a factory function or with Object.assign, a namespace-qualified `tg.TraverseFn<F>`
// annotation and an angle-bracket `<TraverseFn<F>>` assertion — each with an async, a
// generator and a three-parameter traverse, and each with a look-alike that is no traverse.
import type { InvalidTestCase, ValidTestCase } from '@typescript-eslint/rule-tester';
import type { ESLintUtils } from '@typescript-eslint/utils';

import rule from '../../rules/traverse-signature.js';
import { typedTester, untypedTester } from './harness.js';

const IMPORTS = "import * as tg from 'traverse-guard';\nimport { pyclass, field, type TraverseFn, type Visit } from 'traverse-guard';";

/** The function written `fn` placed by each discovery form. */
const FORMS: Array<{ name: string; code: (fn: string) => string }> = [
  { name: 'spec built by spread', code: (fn) => `const base = { traverse: ${fn} };\npyclass('N', { ...base, fields: {} });` },
  { name: 'spec built by a factory', code: (fn) => `function makeSpec() { return { fields: {}, traverse: ${fn} }; }\npyclass('N', makeSpec());` },
  { name: 'spec built with Object.assign', code: (fn) => `pyclass('N', Object.assign({ fields: {} }, { traverse: ${fn} }));` },
  { name: 'tg.TraverseFn annotation', code: (fn) => `const t: tg.TraverseFn<{}> = ${fn};\nvoid t;` },
  { name: '<TraverseFn> assertion', code: (fn) => `const t = <TraverseFn<{}>>(${fn});\nvoid t;` },
];

const file = (body: string): string => `${IMPORTS}\n${body}`;

function locate(code: string, marker: string): { line: number; column: number } {
  const index = code.lastIndexOf(marker);
  if (index === -1) throw new Error(`marker ${marker} not in:\n${code}`);
  const before = code.slice(0, index);
  return { line: before.split('\n').length, column: index - before.lastIndexOf('\n') };
}

type MessageIds = ESLintUtils.InferMessageIdsTypeFromRule<typeof rule>;

const invalid: InvalidTestCase<MessageIds, [{ checkVisitEscape?: boolean }]>[] = FORMS.flatMap((form) => {
  const asyncCode = file(form.code('async (self: any, visit: Visit) => { visit.call(self.child); }'));
  const generatorCode = file(form.code('function* (self: any, visit: Visit) { visit.call(self.child); }'));
  const extraCode = file(form.code('(self: any, visit: Visit, extra: number) => { visit.call(self.child); }'));
  return [
    {
      name: `${form.name}: async`,
      code: asyncCode,
      errors: [
        {
          messageId: 'asyncTraverse',
          ...locate(asyncCode, 'async'),
          suggestions: [{ messageId: 'removeAsync', output: asyncCode.replace('async (self', '(self') }],
        },
      ],
    },
    { name: `${form.name}: generator`, code: generatorCode, errors: [{ messageId: 'generatorTraverse', ...locate(generatorCode, 'function*') }] },
    {
      name: `${form.name}: extra parameter`,
      code: extraCode,
      errors: [
        {
          messageId: 'extraParameter',
          ...locate(extraCode, 'extra'),
          data: { name: 'extra: number' },
          suggestions: [{ messageId: 'removeParameter', data: { name: 'extra: number' }, output: extraCode.replace(', extra: number', '') }],
        },
      ],
    },
  ];
});

const GOOD = '(self: any, visit: Visit) => { visit.call(self.child); }';
const ASYNC = 'async (self: any, visit: Visit) => { visit.call(self.child); }';

const valid: ValidTestCase<[{ checkVisitEscape?: boolean }]>[] = [
  ...FORMS.map((form) => ({ name: `${form.name}: (self, visit)`, code: file(form.code(GOOD)) })),
  { name: 'spread into a non-API pyclass', code: `import { pyclass } from 'elsewhere';\nconst base = { traverse: ${ASYNC} };\npyclass('N', { ...base });` },
  { name: 'factory result never given to pyclass', code: file(`function makeSpec() { return { traverse: ${ASYNC} }; }\nvoid makeSpec();`) },
  { name: 'Object.assign into something else', code: file(`const o = Object.assign({}, { traverse: ${ASYNC} });\nvoid o;`) },
  { name: 'another type of the namespace', code: file(`const t: tg.PyClass<{}> | ((a: unknown) => Promise<void>) = ${ASYNC.replace('(self: any, visit: Visit)', '(a: unknown)')};\nvoid t;`) },
  { name: 'assertion to another function type', code: file(`const t = <(a: unknown, b: unknown) => Promise<void>>(${ASYNC.replace('(self: any, visit: Visit)', '(a: unknown, b: unknown)')});\nvoid t;`) },
  { name: 'spread of an object without traverse', code: file(`const base = { clear: ${ASYNC} };\npyclass('N', { ...base, fields: {}, traverse: ${GOOD} });`) },
  { name: 'factory whose traverse is fine', code: file(`const make = () => ({ fields: { child: field.ref() }, traverse: ${GOOD} });\npyclass('N', make());`) },
  { name: "a user's own 3-parameter TraverseFn", code: `type TraverseFn = (self: unknown, visit: unknown, extra: number) => void;\nconst t: TraverseFn = (self, visit, extra) => { void extra; };\nvoid t;` },
  { name: 'namespace of another module', code: `import * as tg from 'other';\nconst t: tg.TraverseFn<{}> = ${ASYNC};\nvoid t;` },
  { name: 'object literal with a traverse key never given to pyclass', code: file(`const spec = { traverse: ${ASYNC} };\nvoid spec;`) },
];

untypedTester().run('traverse-signature: discovery forms (untyped)', rule, { valid, invalid });
// Typed mode differs on purpose for three look-alikes: a module that does not resolve and a
// non-API pyclass make the checker's answers unusable, and a function whose own parameters
// say `(self, visit: Visit)` has the traverse's contextual type wherever it is written.
const UNTYPED_ONLY = ['namespace of another', 'spread into a non-API', 'Object.assign into something else'];
typedTester().run('traverse-signature: discovery forms (typed)', rule, {
  valid: valid.filter((test) => !UNTYPED_ONLY.some((prefix) => String(test.name).startsWith(prefix))),
  invalid,
});
