// The contract rules over the bundled fixtures (fixtures/**, untyped, as `traverse-guard
// check` lints them): exactly these findings and no others. Every class in a contract folder
// (clear-keeps/, conditional-visit/, …) is reported by that folder's rule; good/ and signature/
// get nothing; every hazard fixture class without a `clear` whose reference fields can form a
// cycle gets clear-releases-visited's missingClear (a real leak: delete_garbage cannot break
// such a cycle); the other findings are listed with the clause each fixture really breaks.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import parser from '@typescript-eslint/parser';
import { Linter } from 'eslint';
import { describe, expect, it } from 'vitest';

import plugin from '../../rules/index.js';

const fixturesDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures');
const CONTRACT_RULES = ['traverse-visits-all-fields', 'no-double-visit', 'no-foreign-visit', 'traverse-deterministic', 'clear-releases-visited'];

/** Fixture files (relative to fixtures/) reported by missingClear at line:column. */
const MISSING_CLEAR = [
  'drop/assign-field.ts:7:3',
  'drop/cell-replace.ts:7:3',
  'drop/cell-set.ts:6:3',
  'drop/cell-take.ts:9:3',
  'drop/computed-member.ts:6:3',
  'drop/delete-field.ts:6:3',
  'drop/helper-chain.ts:10:3',
  'drop/helper.ts:10:3',
  'drop/iife.ts:7:3',
  'drop/list-clear.ts:6:3',
  'drop/list-pop.ts:7:3',
  'drop/list-set.ts:6:3',
  'drop/list-splice.ts:6:3',
  'drop/map-callback.ts:6:3',
  'drop/method-call.ts:6:3',
  'drop/optional-chain.ts:7:3',
  'drop/py-drop.ts:6:3',
  'drop/reflect-apply.ts:6:3',
  'drop/symbol-dispose.ts:6:3',
  'drop/this-parameter.ts:8:3',
  'drop/using-owned.ts:7:3',
  'gil/acquire-gil-using.ts:7:3',
  'gil/acquire-gil.ts:7:3',
  'gil/alias-import.ts:6:3',
  'gil/allow-threads.ts:7:3',
  'gil/assume-gil-acquired.ts:9:3',
  'gil/attach.ts:7:3',
  'gil/call-apply.ts:7:3',
  'gil/destructured.ts:9:3',
  'gil/helper-chain.ts:15:3',
  'gil/iife.ts:7:3',
  'gil/namespace-import.ts:6:3',
  'gil/reflect-apply.ts:6:3',
  'gil/with-gil.ts:8:3',
  'interpreter/captured-token.ts:17:3',
  'interpreter/gc-collect.ts:8:3',
  'interpreter/gc-get-referents.ts:11:3',
  'interpreter/gc-helper.ts:10:3',
  'interpreter/gc-namespace.ts:7:3',
  'interpreter/py-new.ts:10:3',
  'pool/helper-alias.ts:11:3',
  'pool/namespace-every.ts:7:3',
  'pool/new-gilpool.ts:7:3',
  'pool/new-pool-token.ts:7:3',
  'pool/with-pool.ts:6:3',
  'clear-keeps/no-clear.ts:7:3',
];

/** The contract folders' own findings: each file's class is reported by its folder's rule. */
const FOLDER_FINDINGS: ReadonlyArray<readonly [string, string]> = [
  ['clear-keeps/empty-clear.ts:11:3', 'clear-releases-visited'],
  ['clear-keeps/one-of-two.ts:11:3', 'clear-releases-visited'],
  ['clear-keeps/put-back.ts:11:3', 'clear-releases-visited'],
  ['conditional-visit/bool-else-branch.ts:8:3', 'traverse-visits-all-fields'],
  ['conditional-visit/bool-else-branch.ts:8:3', 'traverse-visits-all-fields'],
  ['conditional-visit/frozen-flag.ts:7:3', 'traverse-visits-all-fields'],
  ['conditional-visit/int-threshold.ts:7:3', 'traverse-visits-all-fields'],
  ['conditional-visit/primitive-flags.ts:9:3', 'traverse-visits-all-fields'],
  ['double-visit/alias.ts:10:22', 'no-double-visit'],
  ['double-visit/list-walked-twice.ts:10:24', 'no-double-visit'],
  ['double-visit/loop-over-ref.ts:8:33', 'no-double-visit'],
  ['double-visit/same-cell-twice.ts:11:5', 'no-double-visit'],
  ['foreign-visit/helper-parameter.ts:16:5', 'no-foreign-visit'],
  ['foreign-visit/module-global.ts:13:5', 'no-foreign-visit'],
  ['foreign-visit/registry-walk.ts:12:36', 'no-foreign-visit'],
  ['missing-visit/early-return.ts:8:3', 'traverse-visits-all-fields'],
  ['missing-visit/helper-forgets.ts:11:3', 'traverse-visits-all-fields'],
  ['missing-visit/list-never-walked.ts:7:3', 'traverse-visits-all-fields'],
  ['missing-visit/one-of-two-cells.ts:8:3', 'traverse-visits-all-fields'],
  ['missing-visit/optional-right.ts:7:3', 'traverse-visits-all-fields'],
  ['nondeterministic/call-counter.ts:13:9', 'traverse-deterministic'],
  ['nondeterministic/math-random.ts:9:9', 'traverse-deterministic'],
  ['nondeterministic/module-flag.ts:12:9', 'traverse-deterministic'],
];

/** The folder of each contract rule (test/check/fixtures.test.ts maps them the same way). */
const CONTRACT_FOLDERS: Readonly<Record<string, string>> = {
  'clear-keeps': 'clear-releases-visited',
  'conditional-visit': 'traverse-visits-all-fields',
  'double-visit': 'no-double-visit',
  'foreign-visit': 'no-foreign-visit',
  'missing-visit': 'traverse-visits-all-fields',
  nondeterministic: 'traverse-deterministic',
};

/** The other findings, each a clause the fixture breaks besides its own. */
const OTHER: ReadonlyArray<readonly [string, string, string]> = [
  ['drop/assign-field.ts:8:5', 'traverse-deterministic', 'the traverse nulls `child` through a cast, so the next call visits nothing'],
  ['drop/delete-field.ts:7:5', 'traverse-deterministic', 'the traverse deletes `child` through a cast, so the next call visits nothing'],
  ['interpreter/gc-helper.ts:10:3', 'traverse-visits-all-fields', 'the list walk sits under `stats() >= 0`, not an emptiness guard'],
  ['interpreter/gc-namespace.ts:7:3', 'traverse-visits-all-fields', 'the visit sits under `enabled || !enabled`, which the lint does not evaluate'],
  ['seed/ref.ts:10:3', 'traverse-visits-all-fields', '`inner` is taken instead of visited when `clearOnTraverse` is set'],
  ['double-visit/loop-over-ref.ts:7:3', 'traverse-visits-all-fields', 'the model does not count the loop, so the visit is on some paths only (it may run zero times)'],
  ['foreign-visit/helper-parameter.ts:16:5', 'traverse-deterministic', 'what is visited is a module-level value, not the fields'],
  ['foreign-visit/module-global.ts:13:5', 'traverse-deterministic', 'what is visited is a module-level value, not the fields'],
  ['foreign-visit/registry-walk.ts:12:26', 'traverse-deterministic', 'the walk reads a module-level registry'],
  ['nondeterministic/call-counter.ts:11:3', 'traverse-visits-all-fields', 'the visit depends on a counter: some calls skip it'],
  ['nondeterministic/math-random.ts:8:3', 'traverse-visits-all-fields', 'the visit depends on Math.random(): some calls skip it'],
  ['nondeterministic/module-flag.ts:10:3', 'traverse-visits-all-fields', 'the visit depends on module state: some calls skip it'],
];

function fixtureFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? fixtureFiles(path.join(dir, entry.name)) : entry.name.endsWith('.ts') ? [path.join(dir, entry.name)] : [],
  );
}

describe('contract rules over the bundled fixtures', () => {
  it('report exactly the listed findings', () => {
    const linter = new Linter({ configType: 'flat' });
    const found: string[] = [];
    for (const file of fixtureFiles(fixturesDir).sort()) {
      const messages = linter.verify(
        readFileSync(file, 'utf8'),
        [
          {
            files: ['**/*.ts'],
            languageOptions: { parser: parser as Linter.Parser },
            plugins: { 'traverse-guard': plugin as never },
            rules: Object.fromEntries(CONTRACT_RULES.map((id) => [`traverse-guard/${id}`, 'error'])),
            settings: { 'traverse-guard': { typeAware: 'off' } },
          },
        ],
        file,
      );
      expect(messages.filter((message) => message.fatal)).toEqual([]);
      for (const message of messages) {
        const id = message.ruleId!.slice('traverse-guard/'.length);
        const where = `${path.relative(fixturesDir, file)}:${message.line}:${message.column}`;
        found.push(id === 'clear-releases-visited' && message.messageId === 'missingClear' ? `${where} missingClear` : `${where} ${id}`);
      }
    }
    const expected = [
      ...MISSING_CLEAR.map((where) => `${where} missingClear`),
      ...FOLDER_FINDINGS.map(([where, id]) => `${where} ${id}`),
      ...OTHER.map(([where, id]) => `${where} ${id}`),
    ];
    expect(found.sort()).toEqual(expected.sort());
  });

  it('flag no class of good/ or signature/, and every contract folder by its own rule', () => {
    const all = [...MISSING_CLEAR, ...FOLDER_FINDINGS.map(([where]) => where), ...OTHER.map(([where]) => where)];
    expect(all.filter((where) => where.startsWith('good/') || where.startsWith('signature/'))).toEqual([]);
    for (const [folder, rule] of Object.entries(CONTRACT_FOLDERS)) {
      const files = readdirSync(path.join(fixturesDir, folder)).filter((name) => name.endsWith('.ts'));
      for (const name of files) {
        const own = FOLDER_FINDINGS.filter(([where, id]) => where.startsWith(`${folder}/${name}:`) && id === rule);
        const missing = MISSING_CLEAR.some((where) => where.startsWith(`${folder}/${name}:`)) && rule === 'clear-releases-visited';
        expect(own.length > 0 || missing, `${folder}/${name} reported by ${rule}`).toBe(true);
      }
    }
  });
});
