// Rule no-pool-in-traverse: no GIL pool creation inside a traverse body or its helpers
// (`new GILPool()`, `py.newPool()`, `Python.withPool(…)`): in PyO3 0.18 a new pool drained
// the deferred decrefs, freeing objects while the collector held gc_refs in _gc_prev.
import { hazardData, onFindings } from './util/hazard-findings.js';
import { CONFIGURATION_MESSAGES } from './analysis/file-analysis.js';
import { createRule } from './util/create-rule.js';

export default createRule<[], 'poolInTraverse' | 'poolViaHelper' | 'typesRequired'>({
  name: 'no-pool-in-traverse',
  meta: {
    type: 'problem',
    docs: {
      description: 'Disallow creating a GIL pool inside a traverse body',
      recommended: true,
      requiresTypeChecking: false,
    },
    messages: {
      ...CONFIGURATION_MESSAGES,
      poolInTraverse:
        '`{{operation}}` creates a GIL pool inside a traverse body; a pool applies deferred decrefs while the collector is running.',
      poolViaHelper: 'Pool created via {{chain}} (line {{line}}): `{{operation}}` runs inside a traverse body.',
    },
    schema: [],
    defaultOptions: [],
  },
  create(context) {
    return onFindings(context, 'pool', (findings) => {
      for (const finding of findings) {
        context.report({
          node: finding.node,
          messageId: finding.chain.length === 0 ? 'poolInTraverse' : 'poolViaHelper',
          data: hazardData(finding),
        });
      }
    });
  },
});
