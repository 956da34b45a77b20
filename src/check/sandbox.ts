// The operating-system side of the worker sandbox, probed once per check: a network and PID
// namespace (`unshare`, as root or through an unprivileged user namespace) so a worker has no
// network and cannot name the parent process; another uid (nobody) when the parent is root, so
// it cannot signal or read what root owns; RSS polling of the worker process (memory.ts). What
// the probe found is the report's `protections`.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** What held on this run (the JSON report's `protections`). */
export interface Protections {
  /** Results come on a channel checked code cannot reach, tagged with a per-worker secret. */
  readonly resultChannel: 'fd3-secret';
  /** Each file runs in a realm of its own; the worker's realm has frozen intrinsics. */
  readonly realmPerFile: true;
  /** Node's permission model: the worker may read only this package. */
  readonly permissionModel: boolean;
  /** `namespace`: the worker has a network namespace of its own (no interface but a down
   *  loopback); `realm-only`: only the realm's lack of network APIs stands in the way. */
  readonly network: 'namespace' | 'realm-only';
  /** The worker runs in a PID namespace of its own (it cannot name the parent). */
  readonly pidNamespace: boolean;
  /** The uid the worker runs as when it differs from the parent's (root → nobody). */
  readonly workerUid: number | null;
  /** `rss`: the parent polls the worker's resident memory and kills it over the cap;
   *  `heap`: only V8's heap limit. */
  readonly memory: 'rss' | 'heap';
  readonly memoryCapMb: number;
  /** Bytes of a worker's stdout/stderr the parent keeps (the rest is drained and dropped). */
  readonly outputCapBytes: number;
}

export interface Sandbox {
  readonly protections: Protections;
  /** The command that starts `node nodeArgs…` inside the sandbox. */
  command(nodeArgs: readonly string[]): { file: string; args: string[]; uid?: number; gid?: number };
}

const NOBODY = 65534;
export const MEMORY_CAP_MB = 1280;
export const OUTPUT_CAP_BYTES = 64 * 1024;

function works(file: string, args: readonly string[], opts: { uid?: number; gid?: number } = {}): boolean {
  const r = spawnSync(file, args, { stdio: 'ignore', timeout: 10_000, ...opts });
  return !r.error && r.status === 0;
}

let cached: Sandbox | undefined;

/** Probes (once) what this machine allows; `TRAVERSE_GUARD_NO_NAMESPACES=1` skips `unshare`. */
export function probeSandbox(workerScript: string): Sandbox {
  if (cached) return cached;
  const root = process.getuid?.() === 0;
  const linux = process.platform === 'linux';
  const node = process.execPath;
  // Can nobody read the worker (and so the package)? Then a root parent drops to nobody.
  const canDrop = root && works(node, ['-e', `require('fs').accessSync(${JSON.stringify(workerScript)})`], { uid: NOBODY, gid: NOBODY });
  let prefix: string[] | undefined;
  if (linux && process.env.TRAVERSE_GUARD_NO_NAMESPACES !== '1') {
    const base = ['--net', '--pid', '--fork', '--kill-child'];
    const drop = canDrop ? ['--setgid', String(NOBODY), '--setuid', String(NOBODY)] : [];
    const tries = root ? [[...base, ...drop]] : [['--user', '--map-root-user', ...base]];
    for (const t of tries) {
      if (works('unshare', [...t, node, '-e', '0'])) {
        prefix = t;
        break;
      }
    }
  }
  const memory = linux && existsSync('/proc/self/status') ? 'rss' : 'heap';
  const protections: Protections = {
    resultChannel: 'fd3-secret',
    realmPerFile: true,
    permissionModel: true,
    network: prefix ? 'namespace' : 'realm-only',
    pidNamespace: !!prefix,
    workerUid: canDrop ? NOBODY : null,
    memory,
    memoryCapMb: MEMORY_CAP_MB,
    outputCapBytes: OUTPUT_CAP_BYTES,
  };
  cached = {
    protections,
    command(nodeArgs) {
      if (prefix) return { file: 'unshare', args: [...prefix, node, ...nodeArgs] };
      return { file: node, args: [...nodeArgs], ...(canDrop ? { uid: NOBODY, gid: NOBODY } : {}) };
    },
  };
  return cached;
}
