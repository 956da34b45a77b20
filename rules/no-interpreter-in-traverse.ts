// Rule no-interpreter-in-traverse: no interpreter use inside a traverse body or its helpers —
// a `Python` token captured from an enclosing scope, or an API call that needs one (`Py.new`,
// `cloneRef`, `bind`, `borrow`, `gc.*`, `new Interpreter`). Option `checkUnknownCalls`
// (on in `strict`) also flags calls nothing vouches for.
import type { Finding } from './analysis/file-analysis.js';
import { analysisListeners, CONFIGURATION_MESSAGES } from './analysis/file-analysis.js';
import { hazardData } from './util/hazard-findings.js';
import { createRule } from './util/create-rule.js';

export interface NoInterpreterOptions {
  /** Also report calls to functions that are neither helpers, `visit.call`, nor known reads. */
  checkUnknownCalls?: boolean;
  /** Callee texts or final names that `checkUnknownCalls` accepts. */
  allowedCalls?: string[];
}

type MessageIds = 'interpreterInTraverse' | 'capturedToken' | 'interpreterViaHelper' | 'unknownCall' | 'unknownViaHelper';

function isAllowed(finding: Finding, allowed: readonly string[]): boolean {
  const callee = finding.operation.kind.display;
  const lastName = callee.split('.').at(-1)!;
  return allowed.includes(callee) || allowed.includes(lastName);
}

export default createRule<[NoInterpreterOptions], MessageIds | 'typesRequired'>({
  name: 'no-interpreter-in-traverse',
  meta: {
    type: 'problem',
    docs: {
      description: 'Disallow interpreter use (captured tokens, API calls that need one) inside a traverse body',
      recommended: true,
      requiresTypeChecking: false,
    },
    messages: {
      ...CONFIGURATION_MESSAGES,
      interpreterInTraverse:
        '`{{operation}}` needs the interpreter, which a traverse body must not use: it may allocate, incref or decref mid-collection.',
      capturedToken:
        '`{{operation}}` is an interpreter token captured from an enclosing scope; a traverse body must not use it.',
      interpreterViaHelper: 'Interpreter used via {{chain}} (line {{line}}): `{{operation}}` runs inside a traverse body.',
      unknownCall:
        '`{{operation}}` is not known to be safe inside a traverse body; call only `visit.call`, field reads and same-file helpers (or list it in `allowedCalls`).',
      unknownViaHelper: 'Unverified call via {{chain}} (line {{line}}): `{{operation}}` runs inside a traverse body.',
    },
    schema: [
      {
        type: 'object',
        properties: {
          checkUnknownCalls: { type: 'boolean' },
          allowedCalls: { type: 'array', items: { type: 'string' } },
        },
        additionalProperties: false,
      },
    ],
    defaultOptions: [{ checkUnknownCalls: false, allowedCalls: [] }],
  },
  create(context, [options]) {
    return analysisListeners(context, (analysis) => {
      const of = (category: string) => analysis.findings.filter((finding) => finding.operation.kind.category === category);
      for (const finding of of('interpreter')) {
        const direct = finding.chain.length === 0;
        context.report({
          node: finding.node,
          messageId: !direct ? 'interpreterViaHelper' : finding.operation.capturedToken ? 'capturedToken' : 'interpreterInTraverse',
          data: hazardData(finding),
        });
      }
      if (!options.checkUnknownCalls) return;
      for (const finding of of('unknown')) {
        if (isAllowed(finding, options.allowedCalls ?? [])) continue;
        context.report({
          node: finding.node,
          messageId: finding.chain.length === 0 ? 'unknownCall' : 'unknownViaHelper',
          data: hazardData(finding),
        });
      }
    });
  },
});
