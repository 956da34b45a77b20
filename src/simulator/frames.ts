// The simulated C call stack: named frames pushed and popped around C functions, so a
// fault can print a CPython-like backtrace with the user's TypeScript line inside it.

export interface Frame {
  readonly fn: string;
  /** Source location of user code in this frame, computed only if a fault is reported. */
  where?: () => string | undefined;
}

/** Suffix of frames in which user TypeScript code runs (a traverse body, a scenario). */
export const USER = ' (user code)';

export class CallStack {
  private readonly frames: Frame[] = [];

  push(fn: string): void {
    this.frames.push({ fn });
  }

  pop(): void {
    this.frames.pop();
  }

  /** Gives the innermost user-code frame an explicit source location (e.g. where a value
   *  that is being dropped now was taken), for the duration of `fn`. */
  withUserLocation<R>(where: (() => string | undefined) | undefined, fn: () => R): R {
    let f: Frame | undefined;
    for (let i = this.frames.length - 1; i >= 0; i--) {
      if (this.frames[i].fn.endsWith(USER)) {
        f = this.frames[i];
        break;
      }
    }
    if (!f || !where || f.where) return fn();
    f.where = where;
    try {
      return fn();
    } finally {
      f.where = undefined;
    }
  }

  get depth(): number {
    return this.frames.length;
  }

  /** Drops frames above `depth` (after an exception unwound through them). */
  unwindTo(depth: number): void {
    // pop() rather than `length =`: the length setter is a slow runtime call in V8.
    while (this.frames.length > depth) this.frames.pop();
  }

  /**
   * Innermost first, e.g. ["PyObject_GC_UnTrack", "Ref_dealloc", …]. Frames of user code
   * (named `… (user code)`) get source lines: the innermost one the innermost user location
   * on the JavaScript stack, the outermost one the outermost.
   */
  snapshot(userLines: readonly string[] = []): string[] {
    const user = this.frames.map((f, i) => (f.fn.endsWith(USER) ? i : -1)).filter((i) => i >= 0);
    const where = new Map<number, string>();
    if (userLines.length && user.length) {
      where.set(user[user.length - 1], userLines[0]);
      if (user.length > 1) where.set(user[0], userLines[userLines.length - 1]);
    }
    const out: string[] = [];
    for (let i = this.frames.length - 1; i >= 0; i--) {
      const fn = this.frames[i].fn;
      const name = fn.endsWith(USER) ? fn.slice(0, -USER.length) : fn;
      const at = this.frames[i].where?.() ?? where.get(i);
      out.push(at ? `${name} at ${at}` : name);
    }
    return out;
  }

  top(): string {
    return this.frames.length ? this.frames[this.frames.length - 1].fn : '<none>';
  }
}

// Also skipped: frames left unmapped in the check's compiled copies (e.g. TypeScript's `using` helper).
const INTERNAL = /[\\/](src[\\/](simulator|api|check|cli)|dist[\\/]|node_modules[\\/]|node:|traverse-guard-[A-Za-z0-9]{6}[\\/])/;

/** Captures the JavaScript stack now, to be turned into user locations only if needed. */
export function captureStack(): Error {
  const saved = Error.stackTraceLimit;
  Error.stackTraceLimit = 50;
  const e = new Error();
  Error.stackTraceLimit = saved;
  return e;
}

/**
 * User-code locations on the JavaScript stack, innermost first ("fixtures/seed/crash2.ts:31"),
 * skipping the simulator, the binding API, vitest and node internals.
 */
export function userSourceLines(captured?: Error): string[] {
  let stackText: string | undefined;
  if (captured) stackText = captured.stack;
  else {
    const saved = Error.stackTraceLimit;
    Error.stackTraceLimit = 200;
    stackText = new Error().stack;
    Error.stackTraceLimit = saved;
  }
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
