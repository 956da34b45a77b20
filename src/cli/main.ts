// The traverse-guard command line: parses arguments (commander) and dispatches to the
// subcommands. Every failure becomes a message and an exit code, never a stack trace.
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
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

  program
    .command('check')
    .description('lint, then run every pyclass against adversarial heaps (default: fixtures/)')
    .argument('[paths...]', 'files or directories of TypeScript sources')
    .action(() => {
      process.stdout.write('traverse-guard check: not implemented yet\n');
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    process.stderr.write(`traverse-guard: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT_USAGE;
  }
  return code;
}
