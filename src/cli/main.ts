// The traverse-guard command line: parses arguments (commander) and dispatches to the
// subcommands. Every failure becomes a message and an exit code, never a stack trace.
import { Command, CommanderError } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { runGcBench, UsageError } from './gc-bench.js';
import { registerCheck } from './check.js';
import { registerExplain } from './explain.js';
import { runGenHeapGraph } from './gen-heapgraph.js';

/** package.json is two levels up from src/cli (tsx, vitest) and three from dist/src/cli. */
const pkgUrl = [new URL('../../package.json', import.meta.url), new URL('../../../package.json', import.meta.url)].find((u) => existsSync(u));
const pkg = JSON.parse(readFileSync(pkgUrl ?? new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

/** Exit codes shared by every subcommand. */
export const EXIT_OK = 0;
export const EXIT_DISAGREEMENT = 1;
export const EXIT_USAGE = 2;

/** Runs the CLI with `argv` (without node and script) and resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let code = EXIT_OK;
  const program = new Command('traverse-guard')
    .description('Proves that side effects inside __traverse__ break CPython, and that the guarded API contains them.')
    .version(pkg.version)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  registerCheck(program, (c) => {
    code = c;
  });
  registerExplain(program, (c) => (code = c));

  program
    .command('gc-bench')
    .description('time a full gc.collect() of a heap graph on the simulator; prints one JSON line')
    .argument('<heapgraph-file>', 'a heap graph (docs/heapgraph.md)')
    .option('--python <X.Y>', 'CPython profile', '3.11')
    .option('--runs <N>', 'collections to time (best is reported); the heap is rebuilt for each', '3')
    .action((file: string, opts: { python: string; runs: string }) => {
      process.stdout.write(JSON.stringify(runGcBench(file, opts)) + '\n');
    });

  program
    .command('gen-heapgraph')
    .description('generate a benchmark heap graph (docs/heapgraph.md): N nodes, about 2N edges, deterministic per seed')
    .option('--variant <garbage|live>', 'garbage: 90% cyclic garbage over a live tree; live: every node reachable', 'garbage')
    .option('--nodes <N>', 'number of nodes', '1000000')
    .option('--seed <S>', 'random seed', '1')
    .option('--out <FILE>', 'write the graph here (default: standard output)')
    .action(async (opts: { variant: string; nodes: string; seed: string; out?: string }) => {
      process.stderr.write((await runGenHeapGraph(opts)) + '\n');
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`traverse-guard: ${err.message}\n`);
      return EXIT_USAGE;
    }
    process.stderr.write(`traverse-guard: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT_USAGE;
  }
  return code;
}
