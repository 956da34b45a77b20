// The simulated C call stack: named frames pushed and popped around C functions, so a
// fault can print a CPython-like backtrace with the user's TypeScript line inside it.

/** A source location of user code, computed only if a fault is reported. */
export type UserLocation = () => string | undefined;

/** Suffix of frames in which user TypeScript code runs (a traverse body, a scenario). */
export const USER = ' (user code)';

export class CallStack {
  // Frame names and their explicit user locations in parallel arrays, and a depth: a push is
  // two stores and no allocation (the collector pushes a frame for every traverse, decref
  // and dealloc). Slots above `n` are stale and never read.
  private readonly names: string[] = [];
  private readonly locations: (UserLocation | undefined)[] = [];
  private n = 0;

  push(fn: string): void {
    this.names[this.n] = fn;
    this.locations[this.n] = undefined;
    this.n++;
  }

  pop(): void {
    if (this.n > 0) this.n--;
  }

  /** Gives the innermost user-code frame an explicit source location (e.g. where a value
   *  that is being dropped now was taken), for the duration of `fn`. */
  withUserLocation<R>(where: UserLocation | undefined, fn: () => R): R {
    let i = this.n - 1;
    while (i >= 0 && !this.names[i].endsWith(USER)) i--;
    if (i < 0 || !where || this.locations[i]) return fn();
    this.locations[i] = where;
    try {
      return fn();
    } finally {
      this.locations[i] = undefined;
    }
  }

  get depth(): number {
    return this.n;
  }

  /** Drops frames above `depth` (after an exception unwound through them). */
  unwindTo(depth: number): void {
    if (depth < this.n) this.n = depth;
  }

  /**
   * Innermost first, e.g. ["PyObject_GC_UnTrack", "Ref_dealloc", …]. Frames of user code
   * (named `… (user code)`) get source lines: the innermost one the innermost user location
   * on the JavaScript stack, the outermost one the outermost.
   */
  snapshot(userLines: readonly string[] = []): string[] {
    const user: number[] = [];
    for (let i = 0; i < this.n; i++) if (this.names[i].endsWith(USER)) user.push(i);
    const where = new Map<number, string>();
    if (userLines.length && user.length) {
      where.set(user[user.length - 1], userLines[0]);
      if (user.length > 1) where.set(user[0], userLines[userLines.length - 1]);
    }
    const out: string[] = [];
    for (let i = this.n - 1; i >= 0; i--) {
      const fn = this.names[i];
      const name = fn.endsWith(USER) ? fn.slice(0, -USER.length) : fn;
      const at = this.locations[i]?.() ?? where.get(i);
      out.push(at ? `${name} at ${at}` : name);
    }
    return out;
  }

  top(): string {
    return this.n ? this.names[this.n - 1] : '<none>';
  }
}

// Also skipped: frames left unmapped in the check's compiled copies (e.g. TypeScript's `using` helper).
const INTERNAL = /[\\/](src[\\/](simulator|api|check|cli)|dist[\\/]|node_modules[\\/]|node:|traverse-guard-[A-Za-z0-9]{6}[\\/])/;

/** Captures the JavaScript stack now, to be turned into user locations only if needed. */
export function captureStack(): Error {
  return withStackLimit(50, () => new Error());
}

/** Runs `f` with Error.stackTraceLimit at `limit`, when the realm lets it be set (a realm with
 *  frozen intrinsics, like the check's worker, keeps the limit it started with). */
function withStackLimit<R>(limit: number, f: () => R): R {
  if (Object.getOwnPropertyDescriptor(Error, 'stackTraceLimit')?.writable === false) return f();
  const saved = Error.stackTraceLimit;
  Error.stackTraceLimit = limit;
  try {
    return f();
  } finally {
    Error.stackTraceLimit = saved;
  }
}

/**
 * User-code locations on the JavaScript stack, innermost first ("fixtures/seed/crash2.ts:31"),
 * skipping the simulator, the binding API, vitest and node internals.
 */
export function userSourceLines(captured?: Error): string[] {
  let stackText: string | undefined;
  if (captured) stackText = captured.stack;
  else stackText = withStackLimit(200, () => new Error().stack);
  const stack = stackText?.split('\n').slice(1) ?? [];
  const out: string[] = [];
  for (const l of stack) {
    const m = /\(?((?:file:\/\/)?[^()\s]+):(\d+):(\d+)\)?\s*$/.exec(l.trim());
    if (!m) continue;
    const file = m[1].replace(/^file:\/\//, '');
    if (INTERNAL.test(file) || file.startsWith('node:') || !/\.[cm]?[tj]sx?$/.test(file)) continue;
    out.push(`${relativeToCwd(file)}:${m[2]}`);
  }
  return out;
}

function relativeToCwd(file: string): string {
  const cwd = process.cwd() + '/';
  return file.startsWith(cwd) ? file.slice(cwd.length) : file;
}
