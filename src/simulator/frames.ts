// The simulated C call stack: named frames pushed and popped around C functions, so a
// fault can print a CPython-like backtrace with the user's TypeScript line inside it.

export interface Frame {
  readonly fn: string;
  /** Source location of user code running in this frame (filled when a fault happens). */
  where?: string;
}

export class CallStack {
  private readonly frames: Frame[] = [];

  push(fn: string): void {
    this.frames.push({ fn });
  }

  pop(): void {
    this.frames.pop();
  }

  get depth(): number {
    return this.frames.length;
  }

  /** Drops frames above `depth` (after an exception unwound through them). */
  unwindTo(depth: number): void {
    this.frames.length = Math.min(this.frames.length, depth);
  }

  /** Innermost first, e.g. ["PyObject_GC_UnTrack", "Ref_dealloc", …]. */
  snapshot(userLine?: string): string[] {
    const out: string[] = [];
    let annotated = false;
    for (let i = this.frames.length - 1; i >= 0; i--) {
      const f = this.frames[i];
      let line = f.fn;
      if (!annotated && userLine && /(_traverse|_clear|_dealloc|_finalize|user code)$/.test(f.fn)) {
        line += ` at ${userLine}`;
        annotated = true;
      }
      out.push(line);
    }
    return out;
  }

  top(): string {
    return this.frames.length ? this.frames[this.frames.length - 1].fn : '<none>';
  }
}

const INTERNAL = /[\\/](src[\\/](simulator|api|check|cli)|dist[\\/]|node_modules[\\/]|node:)/;

/**
 * The innermost user-code location on the JavaScript stack ("fixtures/seed/crash2.ts:31"),
 * skipping the simulator, the binding API and node internals.
 */
export function userSourceLine(): string | undefined {
  const stack = new Error().stack?.split('\n').slice(1) ?? [];
  for (const l of stack) {
    const m = /\(?((?:file:\/\/)?[^()\s]+):(\d+):(\d+)\)?\s*$/.exec(l.trim());
    if (!m) continue;
    const file = m[1].replace(/^file:\/\//, '');
    if (INTERNAL.test(file) || file.startsWith('node:') || !/\.[cm]?[tj]sx?$/.test(file)) continue;
    const rel = relativeToCwd(file);
    return `${rel}:${m[2]}`;
  }
  return undefined;
}

function relativeToCwd(file: string): string {
  const cwd = process.cwd() + '/';
  return file.startsWith(cwd) ? file.slice(cwd.length) : file;
}
