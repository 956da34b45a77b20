// Rule no-double-visit: no reference visited twice on one path through a traverse — the same
// field twice, a cell's value again through an alias, a list walked twice, or a visit inside
// a loop that may run more than once. Each extra visit takes one more gc_ref from the object
// than it has: it can be judged unreachable (and cleared) while still in use.
import { contractFindingListeners } from './analysis/contract-analysis.js';
import { CONFIGURATION_MESSAGES } from './analysis/file-analysis.js';
import { createRule } from './util/create-rule.js';
import { formatChain } from './util/hazard-findings.js';

type MessageIds = 'doubleVisit' | 'visitInLoop' | 'doubleVisitViaHelper' | 'typesRequired';

export default createRule<[], MessageIds>({
  name: 'no-double-visit',
  meta: {
    type: 'problem',
    docs: {
      description: 'Disallow visiting the same reference twice on one path through a traverse',
      recommended: true,
      requiresTypeChecking: false,
    },
    messages: {
      ...CONFIGURATION_MESSAGES,
      doubleVisit:
        '{{target}} may be visited a second time here (first at line {{first}}): each owned reference is visited exactly once, or its gc_refs drops below the true count.',
      visitInLoop:
        '{{target}} is visited inside a loop that may run more than once: each owned reference is visited exactly once, or its gc_refs drops below the true count.',
      doubleVisitViaHelper: '{{target}} may be visited twice via {{chain}} (first at line {{first}}).',
    },
    schema: [],
    defaultOptions: [],
  },
  create(context) {
    return contractFindingListeners(context, ['double', 'loopDouble'], (finding) => {
      const data = { ...finding.data, chain: formatChain(finding.chain) };
      const messageId = finding.chain.length > 0 ? 'doubleVisitViaHelper' : finding.kind === 'loopDouble' ? 'visitInLoop' : 'doubleVisit';
      context.report({ node: finding.site, messageId, data });
    });
  },
});
