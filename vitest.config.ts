// vitest: unit and property tests under test/, type tests (*.test-d.ts) under typecheck.
// The JSON report (tmp/vitest-report.json) gives .ci/run its closing summary line.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  resolve: {
    // One copy of the API: fixtures import 'traverse-guard' as users do.
    alias: [
      { find: /^traverse-guard$/, replacement: here('./src/api/index.ts') },
      { find: /^traverse-guard\/simulator$/, replacement: here('./src/simulator/index.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // The check's isolated workers load dist/: build it once per run.
    globalSetup: ['test/global-setup.ts'],
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
