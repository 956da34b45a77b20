// The call graph's cost is linear: rings of helpers each calling the next k (issue 15 item 6:
// 38 × 2 took 76 s and 1,000 × 10 over 600 s with the old per-category search). Each ring
// lints well under its bound and still reports the one hazard at the end of the chain.
import parser from '@typescript-eslint/parser';
import { Linter } from 'eslint';
import { describe, expect, it } from 'vitest';

import plugin from '../../rules/index.js';

/** `count` helpers, helper i calling helpers i+1 … i+fanOut (mod count); the last acquires the GIL. */
function ring(count: number, fanOut: number): string {
  const lines = ["import { Python, pyclass, field } from 'traverse-guard';"];
  for (let i = 0; i < count; i += 1) {
    const calls = Array.from({ length: fanOut }, (_, k) => `h${(i + k + 1) % count}();`).join(' ');
    lines.push(`function h${i}(): void { ${calls}${i === count - 1 ? ' Python.acquireGil();' : ''} }`);
  }
  lines.push("pyclass('Node', { fields: { child: field.ref() }, traverse(self, visit) { h0(); visit.call(self.child); } });");
  return lines.join('\n');
}

function lintTimed(code: string, config: object): { ms: number; messages: Linter.LintMessage[] } {
  const started = performance.now();
  const messages = new Linter().verify(code, [{ files: ['**/*.ts'], ...config } as Linter.Config], 'ring.ts');
  return { ms: performance.now() - started, messages };
}

const config = (rules: object) => ({
  plugins: { 'traverse-guard': plugin },
  languageOptions: { parser: parser as Linter.Parser },
  rules,
  settings: { 'traverse-guard': { typeAware: 'off' } },
});

describe('call graph scale', () => {
  // The bound is on what the rules add to ESLint's own parse and traversal (measured with the
  // rules off on the same file), so a loaded CI machine does not turn parse time into a failure.
  for (const [count, fanOut, boundMs] of [
    [38, 2, 1_000],
    [1_000, 10, 5_000],
  ] as const) {
    it(`analyses a ring of ${count} helpers × ${fanOut} calls in under ${boundMs} ms beyond parsing`, () => {
      const code = ring(count, fanOut);
      lintTimed(code, config({})); // warm-up
      const baseline = lintTimed(code, config({})).ms;
      const { ms: total, messages } = lintTimed(code, config(plugin.configs.strict.rules!));
      const ms = total - baseline;
      expect(messages.filter((message) => message.fatal)).toEqual([]);
      const gil = messages.filter((message) => message.ruleId === 'traverse-guard/no-gil-in-traverse');
      expect(gil).toHaveLength(1);
      // The shortest chain: h0 reaches the last helper directly when fanOut wraps around, else in steps.
      expect(gil[0]!.message).toMatch(/^GIL acquired via `h0` → /);
      expect(ms).toBeLessThan(boundMs);
    });
  }
});
