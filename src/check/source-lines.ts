// Source lines for compiled user code. The worker evaluates CommonJS text that the transpiler
// made from the user's file; the JavaScript stack (which the simulator reads for its backtraces)
// names compiled lines. A source map's mappings give each compiled line its source line
// (lineMapOf, in the parent); the worker rewrites "file:LINE" in a result's texts with it.

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** The source line (1-based) of each compiled line (1-based index), from a source map v3. */
export function lineMapOf(sourceMapText: string, compiledLines: number): number[] {
  const out = new Array<number>(compiledLines + 1).fill(0);
  let mappings = '';
  try {
    mappings = String((JSON.parse(sourceMapText) as { mappings?: unknown }).mappings ?? '');
  } catch {
    // no map: every line maps to itself below
  }
  let srcLine = 0;
  let last = 0;
  const lines = mappings.split(';');
  for (let g = 0; g < lines.length && g < compiledLines; g++) {
    let first: number | undefined;
    for (const seg of lines[g].split(',')) {
      if (!seg) continue;
      const fields: number[] = [];
      let value = 0;
      let shift = 0;
      for (const ch of seg) {
        const d = B64.indexOf(ch);
        if (d < 0) break;
        value += (d & 31) << shift;
        if (d & 32) shift += 5;
        else {
          fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      if (fields.length >= 4) {
        srcLine += fields[2];
        first ??= srcLine + 1;
      }
    }
    if (first !== undefined) last = first;
    out[g + 1] = first ?? last;
  }
  for (let i = 1; i <= compiledLines; i++) if (!out[i]) out[i] = i;
  return out;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Rewrites "name:LINE" (name = how a stack names a compiled module: its path, or that path
 *  relative to the worker's working directory) to the source line, in one pass. */
export function mapSourceLines(text: string, modules: readonly { readonly names: readonly string[]; readonly lines: readonly number[] }[]): string {
  const byName = new Map<string, readonly number[]>();
  for (const m of modules) for (const n of m.names) if (n && text.includes(n)) byName.set(n, m.lines);
  if (!byName.size) return text;
  const alternatives = [...byName.keys()].sort((a, b) => b.length - a.length).map(escapeRegExp);
  return text.replace(new RegExp(`(${alternatives.join('|')}):(\\d+)`, 'g'), (all, name: string, n: string) => `${name}:${byName.get(name)?.[Number(n)] || n}`);
}
