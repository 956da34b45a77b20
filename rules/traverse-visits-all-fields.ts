// Rule traverse-visits-all-fields: every reference field of a pyclass's schema (`ref`,
// `optionalRef`, `cell`, `list`) is visited on every path through its traverse that returns
// normally; a guard on the field's own emptiness (null, `isEmpty()`, `length`) is the only
// condition allowed. An unvisited field hides a cycle through it from the collector: a leak.
import { contractListeners, fieldsWithEvents, traverseReportNode } from './analysis/contract-analysis.js';
import { ANY } from './analysis/contract-values.js';
import { DERIVE_MESSAGES, type DeriveMessageId, deriveSuggestions } from './analysis/derive-suggestion.js';
import { CONFIGURATION_MESSAGES } from './analysis/file-analysis.js';
import { REFERENCE_KINDS } from './analysis/field-schema.js';
import { createRule } from './util/create-rule.js';

type MessageIds = 'neverVisited' | 'notOnEveryPath' | 'listPartlyVisited' | 'unknownVisitor' | 'typesRequired' | DeriveMessageId;

export interface TraverseVisitsAllFieldsOptions {
  /** Report `visit` handed to a call nothing resolves, where completeness cannot be checked (strict). */
  reportUnknownVisitors?: boolean;
}

export default createRule<[TraverseVisitsAllFieldsOptions], MessageIds>({
  name: 'traverse-visits-all-fields',
  meta: {
    type: 'problem',
    hasSuggestions: true,
    docs: {
      description: 'Require a traverse to visit every reference field of the schema on every path',
      recommended: true,
      requiresTypeChecking: false,
    },
    messages: {
      ...CONFIGURATION_MESSAGES,
      ...DERIVE_MESSAGES,
      neverVisited:
        'Reference field `{{field}}` ({{kind}}) is never visited by this traverse: a garbage cycle through it is never collected (a leak).',
      notOnEveryPath:
        'Reference field `{{field}}` ({{kind}}) is visited (line {{line}}) only on some paths that return normally: the only condition allowed around a visit is the field\'s own emptiness (`null`, `isEmpty()`, `length`).',
      listPartlyVisited:
        'Only some items of list field `{{field}}` are visited (line {{line}}): walk the whole list (`for (const item of self.{{field}}) visit.call(item)`).',
      unknownVisitor:
        '`visit` is handed to `{{callee}}`, which the analysis cannot follow: whether every reference field is visited cannot be checked.',
    },
    schema: [
      {
        type: 'object',
        properties: { reportUnknownVisitors: { type: 'boolean' } },
        additionalProperties: false,
      },
    ],
    defaultOptions: [{ reportUnknownVisitors: false }],
  },
  create(context, [options]) {
    return contractListeners(context, (contract) => {
      for (const { traverse, schema, result } of contract.traverses) {
        if (options.reportUnknownVisitors && schema) {
          for (const finding of result.findings) {
            if (finding.kind === 'unknownVisitor') context.report({ node: finding.site, messageId: 'unknownVisitor', data: { callee: String(finding.data.callee) } });
          }
        }
        const final = result.final;
        if (!schema || !final || final.must.has(ANY)) continue;
        const events = fieldsWithEvents(result);
        for (const decl of schema.fields.values()) {
          if (!REFERENCE_KINDS.has(decl.kind) || final.must.has(decl.name)) continue;
          const data = { field: decl.name, kind: decl.kind, line: events.get(decl.name) ?? 0 };
          const keys = [...final.may.keys()].filter((key) => key.split(':')[1] === decl.name);
          const messageId = !events.has(decl.name)
            ? 'neverVisited'
            : decl.kind === 'list' && keys.every((key) => key.startsWith('i:'))
              ? 'listPartlyVisited'
              : 'notOnEveryPath';
          context.report({ node: traverseReportNode(traverse), messageId, data, suggest: deriveSuggestions(context.sourceCode, traverse.spec, 'traverse') });
        }
      }
    });
  },
});
