// Rule no-gil-in-traverse: no GIL acquisition or release inside a traverse body or in the
// same-file helpers it calls synchronously (Python.withGil/attach/acquireGil/
// assumeGilAcquired, py.allowThreads/detach, GILGuard#release).
import { hazardData, onFindings } from './util/hazard-findings.js';
import { CONFIGURATION_MESSAGES } from './analysis/file-analysis.js';
import { createRule } from './util/create-rule.js';

export default createRule<[], 'gilInTraverse' | 'gilViaHelper' | 'typesRequired'>({
  name: 'no-gil-in-traverse',
  meta: {
    type: 'problem',
    docs: {
      description: 'Disallow acquiring or releasing the GIL inside a traverse body',
      recommended: true,
      requiresTypeChecking: false,
    },
    messages: {
      ...CONFIGURATION_MESSAGES,
      gilInTraverse:
        '`{{operation}}` {{effect}} the GIL inside a traverse body; a traverse may only read fields and call `visit.call`.',
      gilViaHelper: 'GIL {{past}} via {{chain}} (line {{line}}): `{{operation}}` runs inside a traverse body.',
    },
    schema: [],
    defaultOptions: [],
  },
  create(context) {
    return onFindings(context, 'gil', (findings) => {
      for (const finding of findings) {
        const effect = finding.operation.kind.effect ?? 'acquires';
        const data = { ...hazardData(finding), effect, past: effect === 'acquires' ? 'acquired' : 'released' };
        context.report({
          node: finding.node,
          messageId: finding.chain.length === 0 ? 'gilInTraverse' : 'gilViaHelper',
          data,
        });
      }
    });
  },
});
