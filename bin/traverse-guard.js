#!/usr/bin/env node
// The `traverse-guard` command: runs the compiled CLI (dist/, built by `npm run build`, which
// `npm ci`/`npm install` in a checkout run through the `prepare` script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(cli)) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  process.stderr.write(`traverse-guard: dist/ is not built in ${root}; run \`npm ci\` there (or \`npm run build\` once its dependencies are installed)\n`);
  process.exitCode = 2;
} else {
  const { main } = await import(cli.href);
  process.exitCode = await main(process.argv.slice(2));
}
