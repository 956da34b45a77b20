// Rule no-foreign-visit: `visit.call(x)` only of what the instance owns — a reference field of
// `self`, a cell's value, an item of a list field. Not a module-level or captured handle, an
// object made for the occasion, the instance itself, a plain field, or a cell/list container.
// A foreign visit subtracts a gc_ref the visited object never got from this instance.
import { contractFindingListeners } from './analysis/contract-analysis.js';
import { CONFIGURATION_MESSAGES } from './analysis/file-analysis.js';
import { createRule } from './util/create-rule.js';
import { formatChain } from './util/hazard-findings.js';

type MessageIds = 'foreignVisit' | 'foreignVisitViaHelper' | 'typesRequired';

const REASONS: Record<string, string> = {
  module: 'a module-level value, not owned by the instance',
  captured: 'a value captured from an enclosing scope, not owned by the instance',
  fresh: 'an object made for the occasion, not owned by the instance',
  notReference: 'not a reference (visit only reference fields)',
  container: 'the cell or list itself, not a reference (visit `.get()` or each item)',
  notAField: 'not a field of the schema',
  self: 'the instance itself',
};

export default createRule<[], MessageIds>({
  name: 'no-foreign-visit',
  meta: {
    type: 'problem',
    docs: {
      description: 'Disallow visiting anything but a reference field of `self` (or an item of a list field)',
      recommended: true,
      requiresTypeChecking: false,
    },
    messages: {
      ...CONFIGURATION_MESSAGES,
      foreignVisit: '`visit.call` of `{{target}}`: {{reason}}. A traverse visits only the references the instance owns.',
      foreignVisitViaHelper: '`visit.call` of `{{target}}` via {{chain}} (line {{line}}): {{reason}}.',
    },
    schema: [],
    defaultOptions: [],
  },
  create(context) {
    return contractFindingListeners(context, ['foreign'], (finding) => {
      const reason = REASONS[String(finding.data.reason)] ?? String(finding.data.reason);
      const data = { target: String(finding.data.target), line: Number(finding.data.line), reason, chain: formatChain(finding.chain) };
      context.report({ node: finding.site, messageId: finding.chain.length > 0 ? 'foreignVisitViaHelper' : 'foreignVisit', data });
    });
  },
});
