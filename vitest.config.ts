// vitest: unit and property tests under test/, type tests (*.test-d.ts) under typecheck.
// The JSON report (tmp/vitest-report.json) gives .ci/run its closing summary line.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ['default', 'json'],
    outputFile: { json: 'tmp/vitest-report.json' },
    typecheck: {
      enabled: true,
      include: ['test/**/*.test-d.ts'],
      tsconfig: './tsconfig.json',
    },
  },
});
