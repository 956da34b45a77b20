// Rule no-drop-in-traverse: no end of an owned reference's life inside a traverse body or its
// helpers — `.drop()`, `[Symbol.dispose]()`, `using`, the RefCell/RefList operations that drop
// the previous value, `delete` of a reference field and assignment over a reference location.
import { hazardData, onFindings } from './util/hazard-findings.js';
import { CONFIGURATION_MESSAGES } from './analysis/file-analysis.js';
import { createRule } from './util/create-rule.js';
import { moveToClearFix } from './util/move-to-clear.js';

export default createRule<[], 'dropInTraverse' | 'dropViaHelper' | 'moveToClear' | 'typesRequired'>({
  name: 'no-drop-in-traverse',
  meta: {
    type: 'problem',
    hasSuggestions: true,
    docs: {
      description: 'Disallow dropping an owned reference inside a traverse body',
      recommended: true,
      requiresTypeChecking: false,
    },
    messages: {
      ...CONFIGURATION_MESSAGES,
      dropInTraverse:
        '`{{operation}}` ends an owned reference inside a traverse body; a decref here can free an object mid-collection. Drop references in `clear`.',
      dropViaHelper: 'Reference dropped via {{chain}} (line {{line}}): `{{operation}}` runs inside a traverse body.',
      moveToClear: 'Move this statement into `clear`.',
    },
    schema: [],
    defaultOptions: [],
  },
  create(context) {
    return onFindings(context, 'drop', (findings) => {
      for (const finding of findings) {
        const fix = moveToClearFix(finding, context.sourceCode);
        context.report({
          node: finding.node,
          messageId: finding.chain.length === 0 ? 'dropInTraverse' : 'dropViaHelper',
          data: hazardData(finding),
          suggest: fix ? [{ messageId: 'moveToClear', fix }] : [],
        });
      }
    });
  },
});
