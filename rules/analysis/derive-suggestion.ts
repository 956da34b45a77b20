// The `derive` suggestion of the contract rules: replace a pyclass spec's hand-written traverse
// or clear (or add the missing clear) with the one generated from its field schema
// (`derive: true | 'traverse' | 'clear'`, see docs/contract.md), correct by construction.
import { AST_NODE_TYPES, type TSESLint, type TSESTree } from '@typescript-eslint/utils';

import { findSpecProperty } from './traverse-discovery.js';

export const DERIVE_MESSAGES = {
  useDerive: 'Replace the hand-written {{part}} with `derive: {{value}}` (generated from the fields: every reference, once; correct by construction).',
  addDerivedClear: 'Add `derive: {{value}}`: a clear generated from the fields, releasing every reference.',
} as const;

export type DeriveMessageId = keyof typeof DERIVE_MESSAGES;
type Part = 'traverse' | 'clear';
type Suggestion = TSESLint.SuggestionReportDescriptor<DeriveMessageId>;

/** Removes a property of an object literal with its comma and the line break before it. */
function removeProperty(fixer: TSESLint.RuleFixer, sourceCode: Readonly<TSESLint.SourceCode>, property: TSESTree.Property): TSESLint.RuleFix {
  const before = sourceCode.getTokenBefore(property);
  const after = sourceCode.getTokenAfter(property);
  if (before && after?.value === ',') return fixer.removeRange([before.range[1], after.range[1]]);
  if (before?.value === ',') return fixer.removeRange([before.range[0], property.range[1]]);
  return fixer.remove(property);
}

/**
 * The suggestion for a finding on `part` of the pyclass spec `spec`, or none when the spec
 * already derives it or its `derive` is not a literal this can rewrite.
 */
export function deriveSuggestions(sourceCode: Readonly<TSESLint.SourceCode>, spec: TSESTree.ObjectExpression | null | undefined, part: Part): Suggestion[] {
  if (!spec) return [];
  const own = findSpecProperty(spec, part);
  const derive = findSpecProperty(spec, 'derive');
  if (derive) {
    const value = derive.value;
    if (value.type !== AST_NODE_TYPES.Literal) return [];
    // `derive: 'clear'` + a traverse finding (or the reverse): derive both; `false`: this part.
    const other = part === 'traverse' ? 'clear' : 'traverse';
    const next = value.value === other ? 'true' : value.value === false ? `'${part}'` : null;
    if (next === null) return [];
    return [
      {
        messageId: 'useDerive',
        data: { part, value: next },
        fix: (fixer) => [fixer.replaceText(value, next), ...(own ? [removeProperty(fixer, sourceCode, own)] : [])],
      },
    ];
  }
  const text = `'${part}'`;
  if (own) return [{ messageId: 'useDerive', data: { part, value: text }, fix: (fixer) => fixer.replaceText(own, `derive: ${text}`) }];
  if (part !== 'clear') return [];
  // No clear at all: add the derived one before the traverse (or at the end of the spec).
  const anchor = findSpecProperty(spec, 'traverse');
  return [
    {
      messageId: 'addDerivedClear',
      data: { value: text },
      fix: (fixer) => {
        if (anchor) return fixer.insertTextBefore(anchor, `derive: ${text},\n${' '.repeat(anchor.loc.start.column)}`);
        const last = spec.properties.at(-1);
        return last ? fixer.insertTextAfter(last, `, derive: ${text}`) : fixer.replaceText(spec, `{ derive: ${text} }`);
      },
    },
  ];
}
