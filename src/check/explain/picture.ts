// The picture of the heap at the fault: a Graphviz DOT graph of the snapshot (objects with
// their refcount and PyGC_Head words, references, gc list links, the list heads, the victim and
// the address it made the collector write to), laid out by Graphviz compiled to WebAssembly
// (@hpcc-js/wasm-graphviz: the wasm is inlined in the package, no network at run time).

import { hexCode } from '../../simulator/addresses.js';
import { low2 } from '../../simulator/gchead.js';
import type { Process } from '../../simulator/process.js';
import { decodeNext, decodePrev, decodeWord3, type AddressBook, type HeapSnapshot, type ObjectShot } from './snapshot.js';

export interface PictureInput {
  readonly snapshot: HeapSnapshot;
  readonly title: string;
  readonly subtitle: string;
  /** `at the fault` or `at the end of the run`. */
  readonly when: string;
  readonly victim?: number;
  /** Objects whose tp_dealloc was running at the fault. */
  readonly dying?: ReadonlySet<number>;
  /** The faulting address, drawn as its own node when it is outside the heap (e.g. 0x4). */
  readonly faultAddress?: number;
  readonly faultText?: string;
  /** Edges the traverse never visited (a leak's cause): drawn dashed red. */
  readonly unvisited?: readonly { readonly from: number; readonly to: number; readonly field?: string }[];
  /** Objects a double or foreign visit over-counted: marked. */
  readonly overCounted?: ReadonlyMap<number, string>;
  /** Objects found leaked: marked. */
  readonly leaked?: ReadonlySet<number>;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function q(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

const MAX_OBJECTS = 80;

/** The DOT text of the picture. `p` and `book` decode the words (addresses → names). */
export function heapToDot(p: Process, book: AddressBook, input: PictureInput): string {
  const snap = input.snapshot;
  const objects = pickObjects(snap, input.victim);
  const nodeOf = new Map<number, string>();
  for (const o of objects) nodeOf.set(o.gcAddr, `o${o.slot}`);
  const headNode = new Map<number, string>();
  snap.heads.forEach((h, i) => headNode.set(h.addr, `h${i}`));
  const byOp = new Map(objects.map((o) => [o.op, o]));
  const out: string[] = [];
  out.push('digraph heap {');
  // Courier: Graphviz's width estimate for it matches any monospace font a viewer substitutes.
  out.push('  graph [rankdir=LR, fontname="Courier", fontsize=12, labelloc=t, nodesep=0.35, ranksep=0.7,');
  out.push(`         label=<<B>${esc(input.title)}</B><BR/>${esc(input.subtitle)}<BR/><FONT POINT-SIZE="10">the heap ${esc(input.when)}. black: references; blue dashed: _gc_next; green dotted: _gc_prev when it is a pointer</FONT>>];`);
  out.push('  node [shape=plaintext, fontname="Courier", fontsize=10];');
  out.push('  edge [fontname="Courier", fontsize=9];');

  for (const h of snap.heads) {
    const label = `<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3" BGCOLOR="#eeeeee">` +
      `<TR><TD><B>${esc(h.name)}</B></TD></TR>` +
      `<TR><TD ALIGN="LEFT">${esc(`_gc_next ${hexCode(h.next)}`)}</TD></TR>` +
      `<TR><TD ALIGN="LEFT">${esc(`_gc_prev ${hexCode(h.prev)}`)}</TD></TR></TABLE>`;
    out.push(`  ${headNode.get(h.addr)} [id=${q(`head-${h.addr.toString(16)}`)}, class="listhead", label=<${label}>];`);
  }

  for (const o of objects) {
    const victim = o.op === input.victim;
    const dying = !victim && (input.dying?.has(o.op) ?? false);
    const freed = o.state === 'freed';
    const over = input.overCounted?.get(o.op);
    const leaked = input.leaked?.has(o.op) ?? false;
    const bg = victim ? '#ffd6d6' : dying ? '#ffe9cc' : freed ? '#dddddd' : over ? '#fff0d0' : leaked ? '#f3e6ff' : o.gc ? '#ffffff' : '#f6f6f6';
    const rows: string[] = [];
    const title = `${o.label}  ${hexCode(o.op)}${freed ? '  (freed)' : ''}`;
    if (victim) rows.push(`<TR><TD COLSPAN="2" BGCOLOR="#cc0000"><FONT COLOR="white"><B>VICTIM${freed ? ' (freed)' : ' (being deallocated)'}</B></FONT></TD></TR>`);
    else if (dying) rows.push(`<TR><TD COLSPAN="2" BGCOLOR="#e69500"><B>being deallocated</B></TD></TR>`);
    if (over) rows.push(`<TR><TD COLSPAN="2" BGCOLOR="#e69500"><B>${esc(`OVER-COUNTED: ${over}`)}</B></TD></TR>`);
    if (leaked) rows.push(`<TR><TD COLSPAN="2" BGCOLOR="#7a3db8"><FONT COLOR="white"><B>LEAKED: no root reaches it</B></FONT></TD></TR>`);
    rows.push(`<TR><TD COLSPAN="2" BGCOLOR="${victim ? '#ffb3b3' : '#e8eef8'}"><B>${esc(title)}</B></TD></TR>`);
    rows.push(`<TR><TD ALIGN="LEFT">ob_refcnt</TD><TD ALIGN="LEFT">${o.refcnt}</TD></TR>`);
    if (o.gc) {
      rows.push(`<TR><TD ALIGN="LEFT">_gc_next</TD><TD ALIGN="LEFT" PORT="next">${esc(decodeNext(p, book, o.next, freed))}</TD></TR>`);
      rows.push(`<TR><TD ALIGN="LEFT">_gc_prev</TD><TD ALIGN="LEFT" PORT="prev">${esc(decodePrev(p, book, o.prev).text)}</TD></TR>`);
      if (o.word3 !== undefined) rows.push(`<TR><TD ALIGN="LEFT">gc_refs</TD><TD ALIGN="LEFT">${esc(decodeWord3(o.word3))}</TD></TR>`);
    }
    const label = `<TABLE BORDER="${victim ? 3 : 1}" COLOR="${victim ? '#cc0000' : freed ? '#888888' : '#333333'}" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3" BGCOLOR="${bg}">${rows.join('')}</TABLE>`;
    const cls = victim ? 'object victim' : dying ? 'object dying' : freed ? 'object freed' : 'object';
    out.push(`  o${o.slot} [id=${q(victim ? 'victim' : `obj-${o.slot}`)}, class=${q(cls)}, tooltip=${q(o.label)}, label=<${label}>];`);
  }

  // References: what each object holds.
  // An edge the traverse never visited is drawn dashed red, with its field.
  const missing = new Map<string, string>();
  for (const e of input.unvisited ?? []) missing.set(`${e.from}:${e.to}`, e.field ?? '');
  for (const o of objects) {
    for (const x of o.referents) {
      const t = byOp.get(x);
      if (!t) continue;
      const m = missing.get(`${o.op}:${x}`);
      if (m !== undefined) {
        out.push(`  o${o.slot} -> o${t.slot} [class="ref unvisited", style=dashed, color="#cc0000", penwidth=2, fontcolor="#cc0000", label=${q(`${m ? `.${m} ` : ''}never visited`)}];`);
      } else out.push(`  o${o.slot} -> o${t.slot} [class="ref", color="#222222", penwidth=1.4];`);
    }
  }

  // gc list links, where a header word is a pointer to a known PyGC_Head.
  const target = (addr: number) => nodeOf.get(addr) ?? headNode.get(addr);
  const bit = snap.unreachableBit;
  const linkFrom = (from: string, next: number, prev: number, isObject: boolean) => {
    const n = target(next - (low2(next) & bit));
    if (!isObject && n === from) return; // an empty list head points at itself
    if (n && next !== 0) out.push(`  ${from}${isObject ? ':next' : ''} -> ${n} [class="gc-next", style=dashed, color="#3366cc", constraint=false, arrowsize=0.6];`);
    const pm = snap.gcRefsInPrev ? prev - low2(prev) : prev;
    const pn = target(pm);
    if (pn && prev !== 0) out.push(`  ${from}${isObject ? ':prev' : ''} -> ${pn} [class="gc-prev", style=dotted, color="#2e8b57", constraint=false, arrowsize=0.6];`);
  };
  for (const o of objects) if (o.gc && o.state === 'live') linkFrom(`o${o.slot}`, o.next, o.prev, true);
  for (const h of snap.heads) linkFrom(headNode.get(h.addr)!, h.next, h.prev, false);

  // The address the collector was made to write to.
  const v = input.victim !== undefined ? byOp.get(input.victim) : undefined;
  if (input.faultAddress !== undefined && !target(input.faultAddress) && !objects.some((o) => input.faultAddress! >= o.gcAddr && input.faultAddress! < o.gcAddr + 64)) {
    out.push(`  fault [id="fault", class="fault", shape=box, style="filled,bold", fillcolor="#ffeeee", color="#cc0000", fontcolor="#cc0000", label=${q(`${hexCode(input.faultAddress)}: unmapped\n${input.faultText ?? ''}`)}];`);
    if (v && v.gc) {
      const m = decodePrev(p, book, v.prev);
      const why = m.isRefs ? `GC_PREV = _gc_prev & ~3 = ${hexCode(m.pointer)}\n(gc_refs ${m.refs} << 2, not a pointer)` : `GC_PREV = ${hexCode(m.pointer)}`;
      out.push(`  o${v.slot}:prev -> fault [class="bad-pointer", color="#cc0000", penwidth=2, fontcolor="#cc0000", label=${q(why)}];`);
    }
  }
  out.push('}');
  return out.join('\n');
}

/** The objects to draw: GC objects first (the victim always), at most MAX_OBJECTS. */
function pickObjects(snap: HeapSnapshot, victim?: number): ObjectShot[] {
  if (snap.objects.length <= MAX_OBJECTS) return [...snap.objects];
  const v = snap.objects.filter((o) => o.op === victim);
  const rest = snap.objects.filter((o) => o.op !== victim).sort((a, b) => Number(b.gc) - Number(a.gc) || b.slot - a.slot);
  return [...v, ...rest.slice(0, MAX_OBJECTS - v.length)].sort((a, b) => a.slot - b.slot);
}

/** Lays out and renders DOT to SVG with Graphviz (WebAssembly, loaded once). */
export async function renderSvg(dot: string): Promise<string> {
  const { Graphviz } = await import('@hpcc-js/wasm-graphviz');
  const gv = await Graphviz.load();
  return gv.dot(dot, 'svg');
}
