// The plugin's rule factory: typescript-eslint's RuleCreator with docs URLs pointing at
// docs/rules/<id>.md in the package.
import { ESLintUtils } from '@typescript-eslint/utils';

export interface TraverseGuardRuleDocs {
  /** Whether the rule is on in the `recommended` config. */
  recommended?: boolean;
  /** Whether the rule reads type information when it is available. */
  requiresTypeChecking?: boolean;
}

export const createRule = ESLintUtils.RuleCreator<TraverseGuardRuleDocs>(
  (name) => `https://github.com/traverse-guard/traverse-guard/blob/main/docs/rules/${name}.md`,
);
