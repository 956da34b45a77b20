// Real `check` output against its schemas: `--format json` against docs/check-report.schema.json
// (draft 2020-12), `--format sarif` against the official OASIS SARIF 2.1.0 schema vendored in
// test/check/schemas/ (draft-04; origin in its README). Each schema also has to reject a broken
// document, so a vacuous schema cannot pass.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Log } from 'sarif';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import plugin from '../../rules/index.js';
import type { CheckReport } from '../../src/check/report.js';
import { DEAD, GOOD, HIDDEN, REPO, THROWS, runCli, tempProject } from './helpers.js';

const require = createRequire(import.meta.url);
type AjvClass = typeof import('ajv').default;
const { Ajv2020 } = require('ajv/dist/2020.js') as { Ajv2020: AjvClass };
const AjvDraft04 = require('ajv-draft-04') as AjvClass;
const addFormats = require('ajv-formats') as typeof import('ajv-formats').default;

const readJson = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));
const reportSchema = readJson(join(REPO, 'docs', 'check-report.schema.json')) as object;
const sarifSchema = readJson(join(REPO, 'test', 'check', 'schemas', 'sarif-schema-2.1.0.json')) as object;

const validateReport = (() => {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  return ajv.compile(reportSchema);
})();
const validateSarif = (() => {
  // Not strict: the OASIS schema itself trips ajv's strictRequired (an `anyOf` branch requires
  // `index` without declaring it). Its formats (uri, uri-reference, date-time) come from ajv-formats.
  const ajv = new AjvDraft04({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(sarifSchema);
})();

const errorsOf = (v: { errors?: unknown }): string => JSON.stringify(v.errors, null, 2);
const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

let project: ReturnType<typeof tempProject>;
let report: CheckReport;
let reportCode: number;
let sarif: Log;

beforeAll(async () => {
  // A run with every kind of entry: agreement, both disagreements, a file error, main scenarios
  // (the seed's crash1/crash2), faults and reproducers, a debug profile.
  project = tempProject({ 'good.ts': GOOD, 'hidden.ts': HIDDEN, 'dead.ts': DEAD, 'throws.ts': THROWS });
  const args = ['check', 'fixtures/seed', project.dir, '--python', '3.11,3.11d'];
  const json = await runCli([...args, '--format', 'json']);
  reportCode = json.code;
  report = JSON.parse(json.stdout) as CheckReport;
  sarif = JSON.parse((await runCli([...args, '--format', 'sarif'])).stdout) as Log;
});
afterAll(() => project.cleanup());

describe('--format json against docs/check-report.schema.json', () => {
  it('the run covers what the schema describes', () => {
    expect(reportCode).toBe(2);
    const classes = report.files.flatMap((f) => f.classes);
    expect(new Set(classes.map((c) => c.status))).toEqual(new Set(['clean', 'missed-by-lint', 'flagged-never-broke', 'broke-when-flagged']));
    expect(report.files.some((f) => f.error)).toBe(true);
    expect(report.files.some((f) => f.main)).toBe(true);
    const entries = classes.flatMap((c) => Object.values(c.verdicts));
    expect(entries.some((e) => e.fault && e.reproducer && e.operation)).toBe(true);
    // The lint's config and mode, each class's exploration, and the evidence pair are there to validate.
    expect(report.lint).toMatchObject({ source: expect.any(String), mode: expect.any(String) });
    expect(classes.every((c) => c.exploration && c.exploration.states > 0)).toBe(true);
    expect(classes.some((c) => c.evidence)).toBe(true);
  });

  it('validates', () => {
    const ok = validateReport(report);
    expect(ok, errorsOf(validateReport)).toBe(true);
  });

  it("docs/check.md's trimmed example validates too", () => {
    const doc = readFileSync(join(REPO, 'docs', 'check.md'), 'utf8');
    const section = doc.slice(doc.indexOf('## Output formats'));
    const example = /```json\n([\s\S]*?)```/.exec(section)?.[1];
    expect(example, 'a json block in the check section').toBeDefined();
    const ok = validateReport(JSON.parse(example!));
    expect(ok, errorsOf(validateReport)).toBe(true);
  });

  it('rejects a report with an unknown verdict, a missing summary field or an undocumented field', () => {
    const badVerdict = clone(report) as unknown as { files: { classes: { verdicts: Record<string, { verdict: string }> }[] }[] };
    const cls = badVerdict.files.flatMap((f) => f.classes)[0];
    Object.values(cls.verdicts)[0].verdict = 'boom';
    expect(validateReport(badVerdict)).toBe(false);

    const noSummaryField = clone(report) as unknown as { summary: Record<string, unknown> };
    delete noSummaryField.summary.missedByLint;
    expect(validateReport(noSummaryField)).toBe(false);

    const extra = clone(report) as unknown as { files: Record<string, unknown>[] };
    extra.files[0].surprise = true;
    expect(validateReport(extra)).toBe(false);

    const badProtections = clone(report) as unknown as { protections: Record<string, unknown> };
    expect(badProtections.protections).toBeDefined();
    badProtections.protections.network = 'open';
    expect(validateReport(badProtections)).toBe(false);

    const badExploration = clone(report) as unknown as { files: { classes: { exploration: { states: unknown } }[] }[] };
    badExploration.files.flatMap((f) => f.classes)[0].exploration.states = -1;
    expect(validateReport(badExploration)).toBe(false);

    const badLint = clone(report) as unknown as { lint: { mode: string } };
    badLint.lint.mode = 'sometimes';
    expect(validateReport(badLint)).toBe(false);

    const badKey = clone(report) as unknown as { files: { classes: { verdicts: Record<string, unknown> }[] }[] };
    const v = badKey.files.flatMap((f) => f.classes)[0].verdicts;
    v['cpython@3.11'] = Object.values(v)[0];
    expect(validateReport(badKey)).toBe(false);
  });
});

describe('--format sarif against the OASIS SARIF 2.1.0 schema', () => {
  it('the vendored schema is the official one', () => {
    expect((sarifSchema as { id?: string }).id).toBe('https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json');
  });

  it('validates', () => {
    const ok = validateSarif(sarif);
    expect(ok, errorsOf(validateSarif)).toBe(true);
    expect(sarif.runs[0].results?.length).toBeGreaterThan(0);
  });

  it('rejects a log with a wrong version or an unknown result level', () => {
    expect(validateSarif({ ...clone(sarif), version: '2.0.0' })).toBe(false);
    const badLevel = clone(sarif);
    (badLevel.runs[0].results![0] as { level: string }).level = 'fatal';
    expect(validateSarif(badLevel)).toBe(false);
  });

  it('declares every plugin rule, and each result names a declared rule at its index', () => {
    const rules = sarif.runs[0].tool.driver.rules ?? [];
    for (const id of Object.keys(plugin.rules)) expect(rules.map((r) => r.id)).toContain(id);
    for (const r of sarif.runs[0].results ?? []) {
      expect(r.ruleIndex, r.ruleId).toBeTypeOf('number');
      expect(rules[r.ruleIndex!].id).toBe(r.ruleId);
    }
  });

  it('reports each file error, disagreement and lint finding, with 1-based regions', () => {
    const results = sarif.runs[0].results ?? [];
    const kinds = new Set(results.map((r) => r.ruleId));
    for (const k of ['check/file-error', 'check/missed-by-lint', 'check/flagged-never-broke', 'no-drop-in-traverse']) expect(kinds).toContain(k);
    for (const r of results) {
      const region = r.locations?.[0].physicalLocation?.region;
      expect(region?.startLine).toBeGreaterThanOrEqual(1);
      expect(region?.startColumn).toBeGreaterThanOrEqual(1);
    }
  });
});
