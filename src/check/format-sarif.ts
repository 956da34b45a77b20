// `--format sarif`: SARIF 2.1.0 for code-scanning upload. Each lint finding is a result of
// its rule; each disagreement (missed by lint, flagged never broke, guarded failure) and each
// file that could not be checked is a result of a `check/…` rule; verdicts ride along in
// result properties.

import type { Log, ReportingDescriptor, Result } from 'sarif';
import { ruleDocsUrl } from '../../rules/util/package-info.js';
import type { CheckReport } from './report.js';

const LINT_RULES: readonly [string, string][] = [
  ['no-gil-in-traverse', 'GIL acquisition or release inside a traverse body'],
  ['no-drop-in-traverse', 'An owned reference ends its life inside a traverse body'],
  ['no-pool-in-traverse', 'A reference pool is created inside a traverse body'],
  ['no-interpreter-in-traverse', 'The interpreter is used inside a traverse body'],
  ['traverse-signature', 'A traverse must be a plain synchronous (self, visit) function'],
  ['traverse-visits-all-fields', 'A reference field is not visited on every path through traverse'],
  ['no-double-visit', 'A reference may be visited twice on one path through traverse'],
  ['no-foreign-visit', 'Traverse visits something the instance does not own'],
  ['traverse-deterministic', 'What traverse visits depends on something other than the fields and constants'],
  ['clear-releases-visited', '`clear` does not release a reference field that traverse visits'],
];

const CHECK_RULES: readonly [string, string][] = [
  ['check/missed-by-lint', 'The simulator broke the heap with a traverse the lint rules did not flag'],
  ['check/flagged-never-broke', 'A flagged traverse never broke the heap in any explored state'],
  ['check/guarded-failure', 'The guarded runtime crashed or corrupted the heap'],
  ['check/file-error', 'A file could not be checked'],
];

export function formatSarif(r: CheckReport): Log {
  const rules: ReportingDescriptor[] = [...LINT_RULES, ...CHECK_RULES].map(([id, text]) => ({
    id,
    shortDescription: { text },
    ...(id.startsWith('check/') ? {} : { helpUri: ruleDocsUrl(id) }),
  }));
  const ruleIndex = new Map(rules.map((x, i) => [x.id, i]));
  const results: Result[] = [];
  const at = (uri: string, line: number, column = 1) => [
    { physicalLocation: { artifactLocation: { uri, uriBaseId: '%SRCROOT%' }, region: { startLine: Math.max(1, line), startColumn: Math.max(1, column) } } },
  ];
  for (const f of r.files) {
    const uri = f.path.split('\\').join('/');
    if (f.error) results.push({ ruleId: 'check/file-error', ruleIndex: ruleIndex.get('check/file-error'), level: 'error', message: { text: f.error }, locations: at(uri, 1) });
    for (const c of f.classes) {
      for (const x of c.findings) {
        results.push({
          ruleId: x.ruleId,
          ruleIndex: ruleIndex.get(x.ruleId),
          level: 'error',
          message: { text: x.message },
          locations: at(uri, x.line, x.column),
          properties: { class: c.name, status: c.status, evidence: c.explanation },
        });
      }
      const verdicts = Object.fromEntries(Object.entries(c.verdicts).map(([k, v]) => [k, v.verdict]));
      const disagreement = c.status === 'missed-by-lint' ? 'check/missed-by-lint' : c.status === 'flagged-never-broke' ? 'check/flagged-never-broke' : undefined;
      if (disagreement) {
        results.push({ ruleId: disagreement, ruleIndex: ruleIndex.get(disagreement), level: 'error', message: { text: `${c.name}: ${c.explanation}` }, locations: at(uri, c.line), properties: { verdicts } });
      }
      if (c.guardedFailure) {
        results.push({ ruleId: 'check/guarded-failure', ruleIndex: ruleIndex.get('check/guarded-failure'), level: 'error', message: { text: `${c.name}: ${c.explanation}` }, locations: at(uri, c.line), properties: { verdicts } });
      }
    }
    for (const x of f.otherFindings) {
      results.push({ ruleId: x.ruleId, ruleIndex: ruleIndex.get(x.ruleId), level: 'error', message: { text: x.message }, locations: at(uri, x.line, x.column) });
    }
  }
  return {
    version: '2.1.0',
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    runs: [
      {
        tool: { driver: { name: 'traverse-guard', version: r.tool.version, informationUri: 'https://www.npmjs.com/package/traverse-guard', rules } },
        results,
        properties: { summary: r.summary },
      },
    ],
  };
}
