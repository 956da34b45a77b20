// The contract rules over the bundled fixtures (fixtures/**, untyped, as `traverse-guard
// check` lints them): exactly these findings and no others. Every fixture class without a
// `clear` whose reference fields can form a cycle gets clear-releases-visited's missingClear
// (a real leak: delete_garbage cannot break such a cycle); the other findings are listed with
// the contract clause each fixture really breaks.
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
  'good/conditional-primitive.ts:7:3',
  'good/deferred-callback.ts:9:3',
  'good/every-field-kind.ts:7:3',
  'good/foreach-visit.ts:6:3',
  'good/helper-visit.ts:11:3',
  'good/leaf.ts:7:3',
  'good/local-values.ts:7:3',
  'good/loop-list.ts:6:3',
  'good/satisfies-traverse.ts:13:47',
  'good/visit-ref.ts:6:3',
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
  'signature/async-traverse.ts:10:9',
  'signature/extra-parameter.ts:8:3',
  'signature/generator-traverse.ts:9:4',
  'signature/this-as-object.ts:9:3',
];

/** The other findings, each a clause the fixture breaks besides its own hazard. */
const OTHER: ReadonlyArray<readonly [string, string, string]> = [
  ['drop/assign-field.ts:8:5', 'traverse-deterministic', 'the traverse nulls `child` through a cast, so the next call visits nothing'],
  ['drop/delete-field.ts:7:5', 'traverse-deterministic', 'the traverse deletes `child` through a cast, so the next call visits nothing'],
  ['good/conditional-primitive.ts:7:3', 'traverse-visits-all-fields', '`child` is visited only when `enabled && depth >= 0`: a cycle through it leaks otherwise'],
  ['interpreter/gc-helper.ts:10:3', 'traverse-visits-all-fields', 'the list walk sits under `stats() >= 0`, not an emptiness guard'],
  ['interpreter/gc-namespace.ts:7:3', 'traverse-visits-all-fields', 'the visit sits under `enabled || !enabled`, which the lint does not evaluate'],
  ['seed/ref.ts:10:3', 'traverse-visits-all-fields', '`inner` is taken instead of visited when `clearOnTraverse` is set'],
  ['signature/extra-parameter.ts:8:3', 'traverse-visits-all-fields', 'the visit sits under the never-supplied `depth === 0`'],
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
    const expected = [...MISSING_CLEAR.map((where) => `${where} missingClear`), ...OTHER.map(([where, id]) => `${where} ${id}`)];
    expect(found.sort()).toEqual(expected.sort());
  });

  it('flag no class of good/ with anything but a missing clear, except the conditional visit', () => {
    expect(OTHER.filter(([where]) => where.startsWith('good/')).map(([where, id]) => `${where} ${id}`)).toEqual([
      'good/conditional-primitive.ts:7:3 traverse-visits-all-fields',
    ]);
  });
});
