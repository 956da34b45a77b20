// Shared by the four hazard rules: the findings of one category and the message data every
// hazard message uses (operation, helper chain, line of the operation).
import type { TSESLint } from '@typescript-eslint/utils';

import type { Category } from '../analysis/api-operations.js';
import { type Finding, getFileAnalysis } from '../analysis/file-analysis.js';

export interface HazardData {
  readonly operation: string;
  readonly chain: string;
  readonly line: number;
  [key: string]: string | number;
}

export function findingsOf(
  context: Readonly<TSESLint.RuleContext<string, readonly unknown[]>>,
  category: Category,
): Finding[] {
  return getFileAnalysis(context).findings.filter((finding) => finding.operation.kind.category === category);
}

/** "`helperA` → `helperB`" */
export function formatChain(chain: readonly string[]): string {
  return chain.map((name) => `\`${name}\``).join(' → ');
}

export function hazardData(finding: Finding): HazardData {
  return {
    operation: finding.operation.kind.display,
    chain: formatChain(finding.chain),
    line: finding.operation.node.loc.start.line,
  };
}
