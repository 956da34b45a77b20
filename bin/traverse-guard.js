#!/usr/bin/env node
// The `traverse-guard` command: runs the compiled CLI (built by `npm run build`, which
// `npm install`/`npm ci` run through the `prepare` script).
import { main } from '../dist/src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
