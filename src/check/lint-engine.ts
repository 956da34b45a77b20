// The check's lint, as the project lints itself: each file with the ESLint flat config ESLint
// would find for it (eslint.config.* from its directory up), or the config given with
// --config, so the user's rule levels, strict/recommended choice, settings and
// parserOptions.projectService apply. Files no config covers (or all, with
// --no-config-lookup) get the plugin's recommended config, typed when a tsconfig.json includes
// them all. Runs inside lint-worker.ts (a worker thread), off the check's event loop.

import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { ESLint } from 'eslint';
import ts from 'typescript';
import plugin from '../../rules/index.js';

export interface LintFinding {
  readonly ruleId: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly message: string;
  /** 1 = warning, 2 = error, as the config sets the rule. */
  readonly severity?: 1 | 2;
}

export interface FileLint {
  readonly findings: readonly LintFinding[];
  /** A parse error or rule crash, if ESLint reported one. */
  readonly fatal?: string;
}

export interface LintSetup {
  readonly cwd: string;
  /** `--config FILE`: this config for every file. */
  readonly configFile?: string;
  /** false with `--no-config-lookup`: the built-in config for every file. */
  readonly configLookup?: boolean;
}

/** Which config linted the files, and whether with type information. */
export interface LintConfigInfo {
  /** `project`: found by ESLint's lookup; `option`: --config; `built-in`: the plugin's recommended. */
  readonly source: 'project' | 'option' | 'built-in' | 'mixed';
  /** The config files used, relative to the working directory (none for the built-in config). */
  readonly files: readonly string[];
  /** `typed` when every file was linted with type information, `untyped` when none was. */
  readonly mode: 'typed' | 'untyped' | 'mixed';
  /** The tsconfig.json the built-in config took types from. */
  readonly tsconfig?: string;
}

export interface LintOutput {
  readonly results: readonly (readonly [string, FileLint])[];
  readonly config: LintConfigInfo;
}

/** Bad configuration (broken user config, missing --config file): one line, exit 2. */
export class LintSetupError extends Error {}

/** The deepest directory holding every file (resolved against `cwd`). */
export function commonDir(files: readonly string[], cwd: string): string {
  let dir = files.length ? dirname(resolve(cwd, files[0])) : resolve(cwd);
  for (const f of files) {
    const abs = resolve(cwd, f);
    while (dir !== dirname(dir) && !abs.startsWith(dir.endsWith(sep) ? dir : dir + sep)) dir = dirname(dir);
  }
  return dir;
}

function firstLine(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.split('\n').find((l) => l.trim())?.trim() ?? m;
}

const PLUGIN_NAME = 'traverse-guard';

/** The namespace a config registers this plugin under (users may pick another), or undefined. */
function namespaceOf(config: { plugins?: Record<string, { meta?: { name?: string } }> } | undefined): string | undefined {
  for (const [k, p] of Object.entries(config?.plugins ?? {})) if (p?.meta?.name === PLUGIN_NAME || k === PLUGIN_NAME) return k;
  return undefined;
}

interface CalculatedConfig {
  plugins?: Record<string, { meta?: { name?: string } }>;
  languageOptions?: { parserOptions?: Record<string, unknown> };
  settings?: Record<string, unknown>;
}

/** Whether a file is linted with type information under this config. */
function typedUnder(config: CalculatedConfig | undefined): boolean {
  const po = config?.languageOptions?.parserOptions ?? {};
  const settings = (config?.settings?.[PLUGIN_NAME] ?? {}) as { typeAware?: string };
  return !!(po.projectService || po.project || po.programs) && settings.typeAware !== 'off';
}

/** The nearest tsconfig.json above `dir` that includes every file, if any. */
export function coveringTsconfig(files: readonly string[], dir: string): string | undefined {
  for (let d = dir; ; d = dirname(d)) {
    const candidate = join(d, 'tsconfig.json');
    if (existsSync(candidate)) {
      const read = ts.readConfigFile(candidate, ts.sys.readFile);
      if (read.error) return undefined;
      const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, d, undefined, candidate);
      const included = new Set(parsed.fileNames.map((f) => resolve(f)));
      return files.every((f) => included.has(resolve(f))) ? candidate : undefined;
    }
    if (d === dirname(d) || existsSync(join(d, 'package.json'))) return undefined;
  }
}

function collect(results: readonly ESLint.LintResult[], prefixOf: (file: string) => string | undefined, out: Map<string, FileLint>): void {
  for (const r of results) {
    const fatal = r.messages.find((m) => m.fatal);
    const prefix = prefixOf(r.filePath);
    out.set(r.filePath, {
      fatal: fatal ? `${fatal.line}:${fatal.column} ${fatal.message}` : undefined,
      findings: prefix
        ? r.messages
            .filter((m) => m.ruleId?.startsWith(`${prefix}/`) && m.severity > 0)
            .map((m) => ({
              ruleId: m.ruleId!.slice(prefix.length + 1),
              line: m.line,
              column: m.column,
              endLine: m.endLine ?? m.line,
              message: m.message,
              severity: m.severity as 1 | 2,
            }))
        : [],
    });
  }
}

/** Lints `files` (absolute) as the project would; throws LintSetupError for a bad config. */
export async function runLint(files: readonly string[], setup: LintSetup): Promise<LintOutput> {
  const cwd = resolve(setup.cwd);
  const out = new Map<string, FileLint>();
  const rel = (f: string) => relative(cwd, f) || f;
  const configFiles = new Set<string>();
  const modes = new Set<'typed' | 'untyped'>();
  const sources = new Set<LintConfigInfo['source']>();
  let rest = [...files];

  const lintWith = async (eslint: ESLint, group: readonly string[], what: (f: string) => string) => {
    let results: ESLint.LintResult[];
    const configs = new Map<string, CalculatedConfig | undefined>();
    try {
      for (const f of group) configs.set(resolve(f), (await eslint.calculateConfigForFile(f)) as CalculatedConfig | undefined);
      results = await eslint.lintFiles([...group]);
    } catch (e) {
      throw new LintSetupError(`ESLint could not use ${what(group[0])}: ${firstLine(e)}`);
    }
    for (const f of group) {
      const c = configs.get(resolve(f));
      if (c) modes.add(typedUnder(c) ? 'typed' : 'untyped');
    }
    collect(results, (f) => namespaceOf(configs.get(resolve(f))), out);
  };

  if (setup.configFile) {
    const abs = resolve(cwd, setup.configFile);
    if (!existsSync(abs)) throw new LintSetupError(`--config: no such file: ${setup.configFile}`);
    // ESLint matches the config's `files` against paths relative to its cwd: use the working
    // directory when it holds every file (as the ESLint CLI would), else their common directory.
    const base = files.every((f) => resolve(f).startsWith(cwd + sep)) ? cwd : commonDir([...files, abs], cwd);
    const eslint = new ESLint({ cwd: base, overrideConfigFile: abs, errorOnUnmatchedPattern: false, warnIgnored: false });
    await lintWith(eslint, files, () => rel(abs));
    configFiles.add(rel(abs));
    sources.add('option');
    rest = [];
  } else if (setup.configLookup !== false) {
    // ESLint 10 looks a config up from each file's directory upwards.
    const probe = new ESLint({ cwd: commonDir(files, cwd), errorOnUnmatchedPattern: false, warnIgnored: false });
    const byConfig = new Map<string, string[]>();
    rest = [];
    for (const f of files) {
      const c = await probe.findConfigFile(f);
      if (c) byConfig.set(c, [...(byConfig.get(c) ?? []), f]);
      else rest.push(f);
    }
    for (const [config, all] of byConfig) {
      const eslint = new ESLint({ cwd: dirname(config), errorOnUnmatchedPattern: false, warnIgnored: false });
      // A file the config ignores (its `ignores`, or ESLint's default node_modules/, as for the
      // bundled fixtures inside an install) was still asked for: the built-in config lints it.
      const group: string[] = [];
      for (const f of all) {
        let ignored: boolean;
        try {
          ignored = await eslint.isPathIgnored(f);
        } catch (e) {
          throw new LintSetupError(`ESLint could not use ${rel(config)}: ${firstLine(e)}`);
        }
        (ignored ? rest : group).push(f);
      }
      if (!group.length) continue;
      await lintWith(eslint, group, () => rel(config));
      configFiles.add(rel(config));
      sources.add('project');
    }
  }

  let tsconfig: string | undefined;
  if (rest.length) {
    // The plugin's recommended config: typed when a tsconfig.json includes every file.
    const base = commonDir(rest, cwd);
    tsconfig = coveringTsconfig(rest, base);
    const typed = tsconfig ? [{ languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: dirname(tsconfig) } }, settings: { [PLUGIN_NAME]: { typeAware: 'auto' } } }] : [];
    const eslint = new ESLint({
      // ESLint silently ignores files outside its base path (its cwd): lint from a directory
      // that holds them all, so `check /elsewhere/x.ts` is linted too.
      cwd: tsconfig ? commonDir([...rest, tsconfig], cwd) : base,
      overrideConfigFile: true,
      overrideConfig: [plugin.configs.recommended as never, ...(typed as never[])],
      errorOnUnmatchedPattern: false,
      warnIgnored: false,
      ignore: false,
    });
    await lintWith(eslint, rest, () => 'the built-in recommended config');
    sources.add('built-in');
  }
  return {
    results: [...out],
    config: {
      source: sources.size === 1 ? [...sources][0] : 'mixed',
      files: [...configFiles],
      mode: modes.size === 1 ? [...modes][0] : modes.size ? 'mixed' : 'untyped',
      ...(tsconfig ? { tsconfig: rel(tsconfig) } : {}),
    },
  };
}
