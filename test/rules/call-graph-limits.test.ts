// Where the call graph stops, as the rule pages document it: `Reflect.construct` is followed
// (an API class, or a class of the file whose constructor runs); code built at run time
// (`eval`, `new Function`), callees named by a value the analysis cannot read (a computed key
// held in a variable or computed at run time, a Symbol-keyed method), a `let` that is assigned
// again, a Proxy, and (without types) a helper imported from another file are not followed — recommended stays silent, strict's unknown-call check
// reports the call it cannot resolve.
import noGil from '../../rules/no-gil-in-traverse.js';
import noInterpreter from '../../rules/no-interpreter-in-traverse.js';
import noPool from '../../rules/no-pool-in-traverse.js';
import { inTraverse, typedTester, untypedTester } from './harness.js';

const STRICT = [{ checkUnknownCalls: true }] as [{ checkUnknownCalls: boolean }];

const UNRESOLVED: Array<{ name: string; body: string[]; after?: string[] }> = [
  { name: 'eval', body: ["eval('Python.acquireGil()');"] },
  { name: 'new Function', body: ["new Function('Python.acquireGil()')();"] },
  {
    name: 'computed key held in a variable',
    body: ["const key = 'h';", 'o[key]!();'],
    after: ['const o = { h() { Python.acquireGil(); } } as Record<string, () => void>;'],
  },
  {
    name: 'computed key computed at run time',
    body: ['o[String(self.count)]!();'],
    after: ['const o = { h() { Python.acquireGil(); } } as Record<string, () => void>;'],
  },
  { name: 'Symbol-keyed method', body: ['o[s]();'], after: ["const s = Symbol('h');", 'const o = { [s]() { Python.acquireGil(); } };'] },
  { name: 'let assigned again', body: ['f();'], after: ['let f = () => {};', 'f = () => { Python.acquireGil(); };'] },
  { name: 'Proxy', body: ['px.h();'], after: ['const px = new Proxy({}, { get: () => () => Python.acquireGil() }) as { h(): void };'] },
];

for (const [mode, tester] of [
  ['untyped', untypedTester()],
  ['typed', typedTester()],
] as const) {
  tester.run(`no-pool-in-traverse: Reflect.construct (${mode})`, noPool, {
    valid: [inTraverse(['void Reflect.construct;'])],
    invalid: [
      {
        code: inTraverse(['Reflect.construct(GILPool, []);']),
        errors: [{ messageId: 'poolInTraverse', line: 5, column: 5 }],
      },
    ],
  });

  tester.run(`no-gil-in-traverse: Reflect.construct of a class of the file (${mode})`, noGil, {
    valid: [inTraverse(['void Helper;'], ['class Helper { constructor() { Python.acquireGil(); } }'])],
    invalid: [
      {
        code: inTraverse(['Reflect.construct(Helper, []);'], ['class Helper { constructor() { Python.acquireGil(); } }']),
        errors: [{ messageId: 'gilViaHelper', line: 5, column: 5 }],
      },
    ],
  });

  tester.run(`no-gil-in-traverse: forms not followed (${mode})`, noGil, {
    valid: UNRESOLVED.map(({ name, body, after }) => ({ name, code: inTraverse(body, after) })),
    invalid: [],
  });

  // Another file's helper: typed mode follows it (typed-resolution.test.ts); without types the
  // import cannot be resolved, so recommended is silent and strict reports the call.
  if (mode === 'untyped') {
    const imported = inTraverse(['acquireInHelper();']).replace(
      "from 'traverse-guard';",
      "from 'traverse-guard';\nimport { acquireInHelper } from './helpers';",
    );
    tester.run('no-gil-in-traverse: an imported helper without types', noGil, { valid: [imported], invalid: [] });
    tester.run('no-interpreter-in-traverse: strict reports an imported helper without types', noInterpreter, {
      valid: [],
      invalid: [{ code: imported, options: STRICT, errors: [{ messageId: 'unknownCall', line: 6 }] }],
    });
  }

  tester.run(`no-interpreter-in-traverse: strict reports what is not followed (${mode})`, noInterpreter, {
    valid: [],
    invalid: UNRESOLVED.map(({ name, body, after }) => ({
      name,
      code: inTraverse(body, after),
      options: STRICT,
      errors: [{ messageId: 'unknownCall', line: 4 + body.length }],
    })),
  });
}
