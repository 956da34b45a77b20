#!/usr/bin/env node
// npm's `prepare` step: run by `npm ci`/`npm install` in a checkout and when npm installs this
// package from a directory or git. Builds dist/ (tsc -p tsconfig.build.json) when the TypeScript
// compiler is installed in this checkout; otherwise skips with a message saying what to do,
// instead of failing the install with "tsc: not found" (a linked checkout without node_modules).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
let tsc;
try {
  tsc = createRequire(new URL('../package.json', import.meta.url)).resolve('typescript/bin/tsc');
} catch {
  process.stderr.write(
    `traverse-guard: prepare: skipped building dist/ — TypeScript is not installed in ${root}.\n` +
      `traverse-guard: run \`npm ci\` in that checkout (it installs the build tools and builds dist/), or install a tarball made by \`npm pack\`.\n`,
  );
  process.exit(0);
}
const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
