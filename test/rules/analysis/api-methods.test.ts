// The lint's table of API methods (rules/analysis/api-methods.ts) against the API itself:
// every method of the exported classes and of the readonly views is classified exactly once,
// read-only methods are accepted by strict's unknown-call check, hazards are known operations.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import ts from 'typescript';
import { describe, expect, it } from 'vitest';

import * as api from '../../../src/api/index.js';
import { API_METHODS } from '../../../rules/analysis/api-methods.js';
import { INSTANCE_CALLS, SAFE_METHODS } from '../../../rules/analysis/api-operations.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

const WELL_KNOWN: ReadonlyMap<symbol, string> = new Map([
  [Symbol.iterator, 'Symbol.iterator'],
  [Symbol.dispose, 'Symbol.dispose'],
]);

function keyName(key: string | symbol): string {
  return typeof key === 'symbol' ? (WELL_KNOWN.get(key) ?? String(key)) : key;
}

/** Public instance members of a class: own prototype keys except the constructor. */
function prototypeMembers(cls: { prototype: object }): string[] {
  return Reflect.ownKeys(cls.prototype)
    .filter((key) => key !== 'constructor')
    .map(keyName)
    .sort();
}

/** Member names of an interface declared in src/api/types.ts. */
function interfaceMembers(name: string): string[] {
  const file = path.join(root, 'src', 'api', 'types.ts');
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  source.forEachChild((node) => {
    if (!ts.isInterfaceDeclaration(node) || node.name.text !== name) return;
    for (const member of node.members) {
      const memberName = member.name;
      if (!memberName) continue;
      found.push(ts.isComputedPropertyName(memberName) ? memberName.expression.getText(source) : memberName.getText(source));
    }
  });
  return found.sort();
}

const classified = (name: string): string[] => {
  const methods = API_METHODS[name]!;
  return [...methods.read, ...methods.hazard, ...methods.other].sort();
};

describe('API method table', () => {
  const classes = { Py: api.Py, Bound: api.Bound, RefCell: api.RefCell, RefList: api.RefList, Visit: api.Visit };
  for (const [name, cls] of Object.entries(classes)) {
    it(`classifies every member of ${name} exactly once`, () => {
      expect(classified(name)).toEqual(prototypeMembers(cls));
      expect(new Set(classified(name)).size).toBe(classified(name).length);
    });
  }

  for (const name of ['ReadonlyRefCell', 'ReadonlyRefList']) {
    it(`lists the readonly view ${name} as read-only`, () => {
      const members = interfaceMembers(name);
      expect(members.length).toBeGreaterThan(0);
      expect(classified(name)).toEqual(members);
    });
  }

  it('accepts every read-only method in strict and knows every hazard as an operation', () => {
    for (const methods of Object.values(API_METHODS)) {
      for (const read of methods.read) expect(SAFE_METHODS.has(read), read).toBe(true);
      for (const hazard of methods.hazard) expect(INSTANCE_CALLS.has(hazard), hazard).toBe(true);
    }
  });
});
