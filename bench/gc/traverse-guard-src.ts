// Runs the traverse-guard CLI straight from src/ (through tsx), so the benchmark needs no
// build: node --expose-gc --import tsx bench/gc/traverse-guard-src.ts gc-bench FILE
import { main } from '../../src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
