// The plugin's rule factory: typescript-eslint's RuleCreator with docs URLs pointing at
// docs/rules/<id>.md in the published package of this version (see package-info.ts).
import { ESLintUtils } from '@typescript-eslint/utils';
import { ruleDocsUrl } from './package-info.js';

export interface TraverseGuardRuleDocs {
  /** Whether the rule is on in the `recommended` config. */
  recommended?: boolean;
  /** Whether the rule reads type information when it is available. */
  requiresTypeChecking?: boolean;
}

export const createRule = ESLintUtils.RuleCreator<TraverseGuardRuleDocs>(
  ruleDocsUrl,
);
