// The type errors a misused traverse gets must say what is wrong: every `@ts-expect-error` in
// traverse-guard.test-d.ts carries "— says: <text>", and here the file is compiled with those
// directives removed, so each forbidden form's real diagnostic is seen, and its message chain
// must contain the text (a brand such as `TraverseTakesOnly_self_and_visit`, or the readonly
// view's name). vitest's typecheck run proves each error exists; this proves what it says.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

import { REPO_ROOT } from '../helpers/packed.js';

const FILE = path.join(REPO_ROOT, 'test', 'api', 'traverse-guard.test-d.ts');
const lines = readFileSync(FILE, 'utf8').split('\n');
const DIRECTIVE = /\/\/ @ts-expect-error\b(.*)$/;

interface Expectation {
  readonly line: number; // 0-based line of the directive
  readonly reason: string;
  readonly says: string | undefined;
}

const expectations: Expectation[] = lines.flatMap((text, line) => {
  const m = DIRECTIVE.exec(text);
  if (!m || text.trimStart().startsWith('//') === false) return [];
  const [reason, says] = m[1].split(' — says: ');
  return [{ line, reason: reason.trim(), says: says?.trim() }];
});

function diagnosticsByLine(): Map<number, string[]> {
  const stripped = lines.map((text) => (DIRECTIVE.test(text) && text.trimStart().startsWith('//') ? '//' : text)).join('\n');
  const config = ts.getParsedCommandLineOfConfigFile(path.join(REPO_ROOT, 'tsconfig.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  })!;
  const host = ts.createCompilerHost(config.options);
  const read = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language, ...rest) =>
    path.resolve(name) === FILE ? ts.createSourceFile(name, stripped, language, true) : read(name, language, ...rest);
  const program = ts.createProgram([FILE], config.options, host);
  const out = new Map<number, string[]>();
  for (const d of ts.getPreEmitDiagnostics(program)) {
    if (!d.file || path.resolve(d.file.fileName) !== FILE || d.start === undefined) continue;
    const line = d.file.getLineAndCharacterOfPosition(d.start).line;
    out.set(line, [...(out.get(line) ?? []), ts.flattenDiagnosticMessageText(d.messageText, '\n')]);
  }
  return out;
}

describe('type errors inside a traverse say what is wrong', () => {
  const byLine = diagnosticsByLine();

  it('every forbidden form in the type tests states the message it expects', () => {
    expect(expectations.length).toBeGreaterThanOrEqual(50);
    expect(expectations.filter((e) => !e.says).map((e) => `line ${e.line + 1}: ${e.reason}`)).toEqual([]);
  });

  it('nothing else in the file is an error', () => {
    const targets = new Set(expectations.map((e) => e.line + 1));
    expect([...byLine.entries()].filter(([line]) => !targets.has(line)).map(([line, m]) => `line ${line + 1}: ${m.join(' / ')}`)).toEqual([]);
  });

  it.each(expectations.map((e) => [`line ${e.line + 1}: ${e.reason}`, e] as const))('%s', (_title, e) => {
    const messages = byLine.get(e.line + 1) ?? [];
    expect(messages.length, 'the form compiles without an error').toBeGreaterThan(0);
    expect(messages.join('\n')).toContain(e.says);
  });

  it.each([
    ['a third parameter', 'TraverseTakesOnly_self_and_visit'],
    ['an async traverse', 'TraverseMustBeSynchronous_and_return_nothing'],
    ['a generator traverse', 'TraverseMustBeSynchronous_and_return_nothing'],
    ['a `this` parameter', 'TraverseHasNo_this_use_self'],
  ])('%s names the rule (%s)', (_form, brand) => {
    expect(expectations.some((e) => e.says?.includes(brand) && (byLine.get(e.line + 1) ?? []).join('\n').includes(brand))).toBe(true);
  });
});
