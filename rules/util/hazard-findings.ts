// Shared by the four hazard rules: the findings of one category and the message data every
// hazard message uses (operation, helper chain, line of the operation).
import type { TSESLint } from '@typescript-eslint/utils';

import type { Category } from '../analysis/api-operations.js';
import { analysisListeners, type Finding } from '../analysis/file-analysis.js';

export interface HazardData {
  readonly operation: string;
  readonly chain: string;
  readonly line: number;
  [key: string]: string | number;
}

type Context = Readonly<TSESLint.RuleContext<string, readonly unknown[]>>;

/** Listeners that call `report` with the findings of one category once the file is analysed. */
export function onFindings(
  context: Context,
  category: Category,
  report: (findings: Finding[]) => void,
): TSESLint.RuleListener {
  return analysisListeners(context, (analysis) => {
    report(analysis.findings.filter((finding) => finding.operation.kind.category === category));
  });
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
