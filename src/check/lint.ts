// Lints files with the plugin's recommended config (ESLint's Node API), untyped: the
// check needs the findings' rule, position and message.

import { dirname, resolve, sep } from 'node:path';
import { ESLint } from 'eslint';
import plugin from '../../rules/index.js';

export interface LintFinding {
  readonly ruleId: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly message: string;
}

export interface FileLint {
  readonly findings: readonly LintFinding[];
  /** A parse error or rule crash, if ESLint reported one. */
  readonly fatal?: string;
}

/** The deepest directory holding every file (resolved against `cwd`). */
export function commonDir(files: readonly string[], cwd: string): string {
  let dir = files.length ? dirname(resolve(cwd, files[0])) : resolve(cwd);
  for (const f of files) {
    const abs = resolve(cwd, f);
    while (dir !== dirname(dir) && !abs.startsWith(dir.endsWith(sep) ? dir : dir + sep)) dir = dirname(dir);
  }
  return dir;
}

export async function lintFiles(files: readonly string[], cwd: string): Promise<Map<string, FileLint>> {
  const eslint = new ESLint({
    // ESLint silently ignores files outside its base path (its cwd): lint from a directory
    // that holds them all, so `check /elsewhere/x.ts` is linted too.
    cwd: commonDir(files, cwd),
    overrideConfigFile: true,
    overrideConfig: [plugin.configs.recommended as never],
    errorOnUnmatchedPattern: false,
    warnIgnored: false,
    ignore: false,
  });
  const results = await eslint.lintFiles([...files]);
  const out = new Map<string, FileLint>();
  for (const r of results) {
    const fatal = r.messages.find((m) => m.fatal);
    out.set(r.filePath, {
      fatal: fatal ? `${fatal.line}:${fatal.column} ${fatal.message}` : undefined,
      findings: r.messages
        .filter((m) => m.ruleId?.startsWith('traverse-guard/'))
        .map((m) => ({
          ruleId: m.ruleId!.slice('traverse-guard/'.length),
          line: m.line,
          column: m.column,
          endLine: m.endLine ?? m.line,
          message: m.message,
        })),
    });
  }
  return out;
}
