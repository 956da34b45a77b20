// Rule traverse-deterministic: what a traverse visits depends only on the instance's fields
// and constants — not on `Math.random`, the clock, module or captured state (least of all
// state the traverse itself changes), or a field the traverse writes through a cast. CPython
// calls traverse several times per collection and needs the same graph each time (gh-124684).
import { contractFindingListeners } from './analysis/contract-analysis.js';
import { CONFIGURATION_MESSAGES } from './analysis/file-analysis.js';
import { createRule } from './util/create-rule.js';
import { formatChain } from './util/hazard-findings.js';

type MessageIds = 'nondeterministic' | 'nondeterministicViaHelper' | 'typesRequired';

export default createRule<[], MessageIds>({
  name: 'traverse-deterministic',
  meta: {
    type: 'problem',
    docs: {
      description: 'Require the references a traverse visits to depend only on the instance\'s fields and constants',
      recommended: true,
      requiresTypeChecking: false,
    },
    messages: {
      ...CONFIGURATION_MESSAGES,
      nondeterministic:
        'What this traverse visits depends on `{{source}}` ({{why}}): a traverse must visit the same references on every call, or subtract_refs and move_unreachable see different graphs.',
      nondeterministicViaHelper: 'What this traverse visits depends on `{{source}}` ({{why}}) via {{chain}} (line {{line}}).',
    },
    schema: [],
    defaultOptions: [],
  },
  create(context) {
    return contractFindingListeners(context, ['nondeterministic'], (finding) => {
      const data = { ...finding.data, chain: formatChain(finding.chain) };
      context.report({ node: finding.site, messageId: finding.chain.length > 0 ? 'nondeterministicViaHelper' : 'nondeterministic', data });
    });
  },
});
