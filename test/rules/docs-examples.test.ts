// Lints the ❌/✅ examples of every docs/rules/<id>.md page with its rule: each incorrect
// example must produce that rule's report, each correct one none (and neither a parse error).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import parser from '@typescript-eslint/parser';
import { Linter } from 'eslint';
import { describe, expect, it } from 'vitest';

import plugin from '../../rules/index.js';

const docsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'rules');

/** The ```ts blocks under a `## <heading>` section. */
function examples(markdown: string, heading: string): string[] {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  if (start === -1) return [];
  const end = markdown.indexOf('\n## ', start + 1);
  const section = markdown.slice(start, end === -1 ? undefined : end);
  return [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]!);
}

function lint(ruleId: string, code: string): Linter.LintMessage[] {
  const linter = new Linter({ configType: 'flat' });
  return linter.verify(
    code,
    [
      {
        files: ['**/*.ts'],
        languageOptions: { parser: parser as Linter.Parser },
        plugins: { 'traverse-guard': plugin as never },
        rules: { [`traverse-guard/${ruleId}`]: 'error' },
        settings: { 'traverse-guard': { typeAware: 'off' } },
      },
    ],
    'example.ts',
  );
}

for (const ruleId of Object.keys(plugin.rules)) {
  describe(`docs/rules/${ruleId}.md`, () => {
    const markdown = readFileSync(path.join(docsDir, `${ruleId}.md`), 'utf8');
    const incorrect = examples(markdown, '❌ Incorrect');
    const correct = examples(markdown, '✅ Correct');

    it('has incorrect and correct examples and an Options section', () => {
      expect(incorrect.length).toBeGreaterThan(0);
      expect(correct.length).toBeGreaterThan(0);
      expect(markdown).toContain('\n## Options\n');
    });

    incorrect.forEach((code, index) => {
      it(`incorrect example ${index + 1} is reported`, () => {
        const messages = lint(ruleId, code);
        expect(messages.filter((message) => message.fatal)).toEqual([]);
        expect(messages.map((message) => message.ruleId)).toContain(`traverse-guard/${ruleId}`);
      });
    });

    correct.forEach((code, index) => {
      it(`correct example ${index + 1} is clean`, () => {
        expect(lint(ruleId, code)).toEqual([]);
      });
    });
  });
}
