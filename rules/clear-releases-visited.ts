// Rule clear-releases-visited: a pyclass's `clear` releases, on every path, each reference
// field its traverse visits (sets it to null, `take()`/`clear()`s a cell, empties a list,
// drops a `ref`); and a pyclass whose traverse visits references that can close a cycle has a
// `clear` at all. Otherwise delete_garbage cannot break the cycle and it leaks.
import { contractListeners, fieldsWithEvents, traverseReportNode } from './analysis/contract-analysis.js';
import { ANY } from './analysis/contract-values.js';
import { DERIVE_MESSAGES, type DeriveMessageId, deriveSuggestions } from './analysis/derive-suggestion.js';
import { CONFIGURATION_MESSAGES } from './analysis/file-analysis.js';
import { REFERENCE_KINDS } from './analysis/field-schema.js';
import { createRule } from './util/create-rule.js';

type MessageIds = 'notReleased' | 'missingClear' | 'typesRequired' | DeriveMessageId;

export interface ClearReleasesVisitedOptions {
  /** Report a pyclass with a traverse and no `clear` whose reference fields can form a cycle. */
  requireClear?: boolean;
}

export default createRule<[ClearReleasesVisitedOptions], MessageIds>({
  name: 'clear-releases-visited',
  meta: {
    type: 'problem',
    hasSuggestions: true,
    docs: {
      description: 'Require `clear` to release every reference field the traverse visits',
      recommended: true,
      requiresTypeChecking: false,
    },
    messages: {
      ...CONFIGURATION_MESSAGES,
      ...DERIVE_MESSAGES,
      notReleased:
        '`clear` does not release `{{field}}` ({{kind}}) on every path, but traverse visits it (line {{line}}): a garbage cycle through it survives delete_garbage and leaks.',
      missingClear:
        'This pyclass has a traverse but no `clear`, and its reference fields ({{fields}}) can form a cycle: the collector cannot break it, so it leaks. Add a `clear` that releases them.',
    },
    schema: [
      {
        type: 'object',
        properties: { requireClear: { type: 'boolean' } },
        additionalProperties: false,
      },
    ],
    defaultOptions: [{ requireClear: true }],
  },
  create(context, [options]) {
    return contractListeners(context, (contract) => {
      for (const item of contract.traverses) {
        const { schema, result, clear } = item;
        if (!schema || clear === undefined || !result.final || item.derivesClear) continue;
        const visited = fieldsWithEvents(result);
        const unknownVisits = result.final.must.has(ANY);
        const references = [...schema.fields.values()].filter((decl) => REFERENCE_KINDS.has(decl.kind));
        const relevant = references.filter((decl) => unknownVisits || visited.has(decl.name));
        if (relevant.length === 0) continue;
        if (clear === null) {
          if (options.requireClear && item.cyclic) {
            context.report({
              node: traverseReportNode(item.traverse),
              messageId: 'missingClear',
              data: { fields: relevant.map((decl) => `\`${decl.name}\``).join(', ') },
              suggest: deriveSuggestions(context.sourceCode, item.traverse.spec, 'clear'),
            });
          }
          continue;
        }
        const released = clear.result?.final;
        if (!clear.result || !released || released.must.has(ANY)) continue;
        for (const decl of relevant) {
          if (released.must.has(decl.name)) continue;
          context.report({
            node: clear.property.key,
            messageId: 'notReleased',
            data: { field: decl.name, kind: decl.kind, line: visited.get(decl.name) ?? 0 },
            suggest: deriveSuggestions(context.sourceCode, item.traverse.spec, 'clear'),
          });
        }
      }
    });
  },
});
