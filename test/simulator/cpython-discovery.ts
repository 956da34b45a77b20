// Finds the real CPython interpreters the differential tests compare against, asks each for its
// exact version, and maps it to a simulator profile. TRAVERSE_GUARD_PYTHONS (interpreter paths
// or command names, separated by the path delimiter, `:` on POSIX) names them explicitly; without
// it: pyenv's installs ($PYENV_ROOT, default ~/.pyenv), then `python3` and `python3.N`
// in every directory on PATH.
// Absent or unusable interpreters are skipped: nothing here requires any CPython to exist.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { getProfile, type ProfileName } from '../../src/simulator/index.js';

export interface FoundPython {
  readonly bin: string;
  /** e.g. "3.11.7" */
  readonly version: string;
  readonly profile: ProfileName;
}

/** The simulator profile of a CPython version, or undefined (e.g. 3.6, 2.7, a future 3.x). */
export function profileFor(version: string): ProfileName | undefined {
  const [major, minor, micro] = version.split('.').map(Number);
  if (major !== 3) return undefined;
  if (minor === 14) return micro < 5 ? '3.14.0' : '3.14.5';
  return getProfile(`3.${minor}`)?.name;
}

/** pyenv's versions directory: $PYENV_ROOT/versions, default ~/.pyenv/versions. */
export function pyenvVersionsDir(): string {
  return join(process.env.PYENV_ROOT || join(homedir(), '.pyenv'), 'versions');
}

function candidates(): string[] {
  const explicit = process.env.TRAVERSE_GUARD_PYTHONS;
  if (explicit) return explicit.split(delimiter).filter(Boolean);
  const out: string[] = [];
  const root = pyenvVersionsDir();
  if (existsSync(root)) {
    for (const v of readdirSync(root).sort()) {
      if (/^3\.\d+/.test(v)) out.push(join(root, v, 'bin', 'python3'));
    }
  }
  // python3 and python3.N in every directory on PATH, not only the first match: a pyenv shim
  // must not hide the system's interpreter (duplicates are dropped by real path below).
  const names = ['python3', ...Array.from({ length: 8 }, (_, i) => `python3.${7 + i}`)];
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    for (const name of names) if (existsSync(join(dir, name))) out.push(join(dir, name));
  }
  return out;
}

export function findPythons(): FoundPython[] {
  const found: FoundPython[] = [];
  const seen = new Set<string>();
  for (const bin of candidates()) {
    if (bin.includes('/') && !existsSync(bin)) continue;
    const r = spawnSync(bin, ['-c', 'import sys, json; print(json.dumps(["%d.%d.%d" % sys.version_info[:3], sys.executable]))'], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    if (r.status !== 0 || !r.stdout) continue;
    const [version, exe] = JSON.parse(r.stdout.trim()) as [string, string];
    let real = exe;
    try {
      real = realpathSync(exe);
    } catch {
      // keep sys.executable as reported
    }
    const profile = profileFor(version);
    if (!profile || seen.has(real)) continue;
    seen.add(real);
    found.push({ bin, version, profile });
  }
  return found;
}
