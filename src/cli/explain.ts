// `traverse-guard explain <file>`: replays one run — the file's `main` scenario, or a check
// reproducer (a class collected in an adversarial heap state) — and tells the story of the
// collection up to the fault, then writes an SVG picture of the heap at the fault. The first
// line is always the verdict; exit 0 for ok/error, 1 for corrupt/crash, 2 for bad input.

import { accessSync, constants, existsSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { getProfile } from '../simulator/index.js';
import { isRuntimeKind, type RuntimeKind } from '../api/runtime-kind.js';
import type { PyClass } from '../api/pyclass-handle.js';
import { describeState } from '../check/states.js';
import { explainRun } from '../check/explain/explain.js';
import { renderSvg } from '../check/explain/picture.js';
import { HtmlSteps, renderExplainHtml } from '../check/explain/html.js';
import { findWorstState } from '../check/explain/worst-state.js';
import { DEFAULT_PROFILES } from '../check/explore.js';
import { ExplainInputError, loadDist, loadUserFile, parseReproducer, parseStateJson, validateState } from '../check/explain/load.js';
import { UsageError } from './gc-bench.js';
import { parseMalloc } from './malloc-flag.js';

interface ExplainFlags {
  runtime?: string;
  python?: string;
  debug?: boolean;
  malloc?: string;
  class?: string;
  state?: string;
  reproducer?: string;
  svg?: string;
  html?: string;
}

const KNOWN_RUNTIMES = 'guarded, pyo3-0.18.3, pyo3-0.18.3-patched, pyo3-0.19-nolock, c';

/** Writes user output to stderr while `fn` runs: stdout is the report, verdict first. */
async function quietly<R>(fn: () => Promise<R> | R): Promise<R> {
  const saved = { log: console.log, info: console.info, warn: console.warn, debug: console.debug };
  const toErr = (...a: unknown[]) => void process.stderr.write(a.map(String).join(' ') + '\n');
  console.log = console.info = console.warn = console.debug = toErr;
  try {
    return await fn();
  } finally {
    Object.assign(console, saved);
  }
}

function onFreshStack<R>(fn: () => R): Promise<R> {
  return new Promise((resolveP, rejectP) =>
    setImmediate(() => {
      try {
        resolveP(fn());
      } catch (e) {
        rejectP(e);
      }
    }),
  );
}

/** Throws a UsageError unless `path` can be written (checked before the run, not after it). */
function assertWritable(path: string): void {
  const abs = resolve(path);
  if (existsSync(abs) && statSync(abs).isDirectory()) throw new UsageError(`--svg: ${path} is a directory`);
  try {
    accessSync(existsSync(abs) ? abs : dirname(abs), constants.W_OK);
  } catch (e) {
    throw new UsageError(`--svg: cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}

/** Runtimes an exploration without --runtime picks its worst state from (the context runtime,
 *  where even a correct traverse crashes, would always win). */
const EXPLORED: readonly RuntimeKind[] = ['guarded', 'pyo3-0.18.3-patched', 'pyo3-0.19-nolock', 'c'];

async function explainCommand(fileArg: string | undefined, flags: ExplainFlags): Promise<number> {
  if ((flags.class || flags.state) && flags.reproducer) throw new UsageError('give either --class/--state or --reproducer, not both');
  if (flags.state && !flags.class) throw new UsageError('--state needs --class NAME');
  const repro = flags.reproducer ? parseReproducer(flags.reproducer) : undefined;
  const file = fileArg ?? repro?.file;
  if (!file) throw new UsageError(fileArg === undefined && repro ? 'the reproducer names no file: give the file as the first argument' : 'missing the file to explain');
  if (flags.svg) assertWritable(flags.svg);

  // Runtime and profile: flags win over the reproducer's; "3.11d" means a debug build.
  let runtime = flags.runtime ?? repro?.runtime ?? 'guarded';
  if (!isRuntimeKind(runtime)) throw new UsageError(`unknown runtime '${runtime}' (known: ${KNOWN_RUNTIMES})`);
  let python = flags.python ?? repro?.python ?? '3.11';
  let debug = flags.debug ?? repro?.debug ?? false;
  if (python.endsWith('d') && getProfile(python.slice(0, -1))) {
    python = python.slice(0, -1);
    debug = true;
  }
  if (!getProfile(python)) throw new UsageError(`unknown Python profile '${python}' (known: 3.7 … 3.13, 3.14.0, 3.14.5)`);
  // Unset: the build's default (the debug hooks in a debug build, as CPython's).
  const malloc = parseMalloc(flags.malloc) ?? repro?.malloc;

  const dist = await loadDist();
  const loaded = await quietly(() => loadUserFile(file, dist));
  const rel = relative(process.cwd(), file) || file;
  const notes: string[] = [];
  const className = flags.class ?? repro?.class;
  let scenario: () => unknown;
  let what: string;
  let tag: string;
  if (className) {
    const cls: PyClass | undefined = loaded.classes.find((c) => c.name === className);
    if (!cls) {
      throw new UsageError(`no class '${className}' in ${rel} (defined: ${loaded.classes.map((c) => c.name).join(', ') || 'none'})`);
    }
    const setup = loaded.setup;
    let rawState: unknown = flags.state ? parseStateJson(flags.state) : repro ? repro.state : undefined;
    if (rawState === undefined) {
      // No state: run the class's exploration and replay the worst state it finds.
      const picked = await quietly(() =>
        findWorstState(dist, cls, resolve(file), flags.runtime ? [runtime as RuntimeKind] : EXPLORED, (flags.python ? [{ python, debug }] : DEFAULT_PROFILES).map((p) => ({ ...p, malloc })), setup),
      );
      if (picked.reproducer) {
        rawState = picked.reproducer.state;
        if (!flags.runtime) runtime = picked.reproducer.runtime;
        if (!flags.python) {
          python = picked.reproducer.python;
          debug = picked.reproducer.debug;
        }
      } else rawState = {};
      notes.push(
        picked.reproducer
          ? `no --state: explored ${picked.states} heap states of ${cls.name} under ${picked.pairs} runtime/profile pairs; replaying the worst, ${picked.verdict} under ${picked.pair}`
          : `no --state: explored ${picked.states} heap states of ${cls.name} under ${picked.pairs} runtime/profile pairs and none went wrong; replaying the plainest`,
      );
    }
    const state = validateState(cls, rawState);
    scenario = () => {
      setup?.();
      dist.buildAndCollect(cls, state);
    };
    what = `class ${cls.name} of ${rel} in the heap state [${describeState(state)}]`;
    tag = `${cls.name}-`;
  } else {
    if (!loaded.main) {
      throw new UsageError(`${rel} exports no main scenario: name a class with --class NAME [--state JSON], or give --reproducer`);
    }
    scenario = loaded.main;
    what = `main() of ${rel}`;
    tag = '';
  }

  const interpreter = new dist.api.Interpreter({ runtime: runtime as RuntimeKind, python, debug, malloc });
  const htmlSteps = flags.html ? new HtmlSteps(interpreter.process) : undefined;
  // A fresh macrotask: no launcher frames (bin/) on the JavaScript stack, whose user-code
  // locations end up in the backtrace.
  const ex = await quietly(() => onFreshStack(() =>
    explainRun({
      interpreter,
      scenario,
      what,
      runtime,
      runtimeDescription: dist.api.RUNTIMES[runtime as RuntimeKind].description,
      python,
      debug,
      malloc: interpreter.malloc,
      observe: htmlSteps?.observe,
    })),
  );

  const svgPath = flags.svg ?? `explain-${basename(file).replace(/\.[cm]?tsx?$/, '')}-${tag}${runtime}-${python}${debug ? 'd' : ''}.svg`;
  // The verdict stays the first line; how the state was chosen comes right after the heading.
  const lines = [...ex.lines.slice(0, 2), ...notes, ...ex.lines.slice(2)];
  let written: string | undefined;
  try {
    writeFileSync(svgPath, await renderSvg(ex.dot));
    lines.push(`picture of the heap ${ex.result.fault ? 'at the fault' : 'at the end of the run'}: ${svgPath}${ex.victim ? ` (the victim, ${ex.victim}, in red)` : ''}`);
  } catch (e) {
    written = `cannot write the picture to ${svgPath}: ${(e as NodeJS.ErrnoException).code ?? (e instanceof Error ? e.message : String(e))}`;
  }
  if (flags.html && htmlSteps) {
    try {
      writeFileSync(flags.html, await renderExplainHtml({ explanation: ex, steps: htmlSteps }));
      lines.push(`step-by-step page: ${flags.html} (${htmlSteps.steps.length} steps)`);
    } catch (e) {
      throw new UsageError(`cannot write '${flags.html}': ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  process.stdout.write(lines.join('\n') + '\n');
  if (written) throw new UsageError(written);
  return ex.exitCode;
}

export function registerExplain(program: Command, setCode: (code: number) => void): void {
  program
    .command('explain')
    .description("replay a file's main scenario (or a check reproducer) and tell the story of the collection up to the fault; writes an SVG of the heap")
    .argument('[file]', "a TypeScript file using traverse-guard (default: the reproducer's file)")
    .option('--runtime <R>', `binding runtime (${KNOWN_RUNTIMES}; default guarded, or the reproducer's)`)
    .option('--python <X.Y>', "CPython profile (default 3.11, or the reproducer's; d suffix for a debug build)")
    .option('--debug', 'a CPython debug build (assertions on)')
    .option('--malloc <kind>', "the allocator: pymalloc or debug (PYTHONMALLOC=debug, -X dev); default: the reproducer's, else debug for a debug build, else pymalloc")
    .option('--class <NAME>', 'collect this pyclass of the file in an adversarial heap state instead of running main')
    .option('--state <JSON>', 'the heap state for --class (as in a check reproducer; omitted parts take the plainest value); without it, the worst state the exploration finds')
    .option('--reproducer <JSON-or-path>', "a check reproducer {class, state, runtime, python, debug, malloc?}")
    .option('--svg <path>', 'where to write the picture (default: explain-<file>-<runtime>-<python>.svg)')
    .option('--html <file>', 'also write one self-contained page that steps through the story with the heap at each step')
    .action(async (file: string | undefined, flags: ExplainFlags) => {
      try {
        setCode(await explainCommand(file, flags));
      } catch (e) {
        if (e instanceof ExplainInputError) throw new UsageError(e.message);
        throw e;
      }
    });
}
