// Every rule's `meta.docs.url` (and the SARIF output's helpUri for it) names a file that the
// package really ships: https://unpkg.com/traverse-guard@<this version>/<path>, where <path> is
// in `npm pack`'s file list and is that rule's page.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import plugin from '../../rules/index.js';
import { formatSarif } from '../../src/check/format-sarif.js';
import type { CheckReport } from '../../src/check/report.js';
import { REPO_PACKAGE, REPO_ROOT } from '../helpers/packed.js';

const packed = (
  JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO_ROOT, encoding: 'utf8' })) as Array<{
    files: Array<{ path: string }>;
  }>
)[0].files.map((f) => f.path);

const prefix = `https://unpkg.com/traverse-guard@${REPO_PACKAGE.version}/`;

describe('rule documentation URLs', () => {
  for (const [id, rule] of Object.entries(plugin.rules)) {
    it(`${id}: docs.url is this version's shipped docs/rules/${id}.md`, () => {
      const url = rule.meta.docs?.url ?? '';
      expect(url.startsWith(prefix), url).toBe(true);
      const file = url.slice(prefix.length);
      expect(file).toBe(`docs/rules/${id}.md`);
      expect(packed).toContain(file);
      expect(readFileSync(path.join(REPO_ROOT, file), 'utf8')).toMatch(new RegExp(`^# .*${id}`));
    });
  }

  it("SARIF rules carry the same URLs as helpUri, and the check's own rules none", () => {
    const report = { tool: { name: 'traverse-guard', version: REPO_PACKAGE.version }, files: [], summary: {} } as unknown as CheckReport;
    const rules = formatSarif(report).runs[0].tool.driver.rules ?? [];
    const lint = rules.filter((r) => !r.id.startsWith('check/'));
    expect(lint.map((r) => r.id).sort()).toEqual(Object.keys(plugin.rules).sort());
    for (const r of lint) expect(r.helpUri).toBe(plugin.rules[r.id as keyof typeof plugin.rules].meta.docs?.url);
    for (const r of rules.filter((x) => x.id.startsWith('check/'))) expect(r.helpUri).toBeUndefined();
  });
});
