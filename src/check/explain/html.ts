// `traverse-guard explain --html FILE`: the story of the collection as one self-contained page
// (no network: the SVG pictures, the data and the script are inline). Each step — a pass
// starting, a tp_traverse call, a refcount change, a dealloc, the fault — has the story lines it
// added, the heap picture at that moment (picture.ts's Graphviz layout), every collected
// object's PyGC_Head words decoded, and a link to the source line it comes from; previous/next
// controls (and ← →) walk through them. Steps are recorded during the one explained run, from
// the same tracer events the story recorder reads (explain.ts's `observe`).

import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { hexCode } from '../../simulator/addresses.js';
import { describeFault } from '../../simulator/faults.js';
import type { Process, TraceEvent } from '../../simulator/process.js';
import type { Explanation } from './explain.js';
import { heapToDot, renderSvg } from './picture.js';
import { decodeNext, decodePrev, decodeWord3, snapshotHeap, type HeapSnapshot } from './snapshot.js';
import type { StoryRecorder } from './story.js';

export type StepKind = 'pass' | 'traverse' | 'refcount' | 'dealloc' | 'fault' | 'graph-change';

/** One object's header as a step shows it. */
export interface WordsRow {
  readonly label: string;
  readonly address: string;
  readonly refcnt: number;
  readonly next: string;
  readonly prev: string;
  readonly word3?: string;
  readonly freed: boolean;
  readonly victim: boolean;
}

export interface Step {
  readonly kind: StepKind;
  readonly title: string;
  readonly pass: string;
  /** Story lines this step added (and those told before the next step, e.g. at a pass's end). */
  readonly lines: string[];
  /** Index into the page's pictures (deduplicated DOT → SVG), or -1 when not drawn. */
  picture: number;
  readonly words: readonly WordsRow[];
  /** `file:line` of the user code this step comes from, if the story names one. */
  readonly source?: { readonly file: string; readonly line: number };
}

/** Steps kept; beyond it the earliest are dropped (the fault is always last). */
const MAX_STEPS = 1500;
/** Distinct pictures drawn (the latest ones: the steps nearest the fault). */
const MAX_PICTURES = 60;
const SOURCE_REF = /([\w./@-]+\.[cm]?tsx?):(\d+)/;

/** Records the steps of an explained run: pass `observe` to explainRun. */
export class HtmlSteps {
  readonly steps: Step[] = [];
  private readonly dots: string[] = [];
  private readonly passes: string[] = [];
  private lastLines: readonly string[] | null = null;
  private seen = 0;
  dropped = 0;

  constructor(private readonly p: Process) {}

  readonly observe = (e: TraceEvent, rec: StoryRecorder): void => {
    const p = this.p;
    // The story lines added since the last step (a new collection starts a new list).
    const all = rec.currentLines;
    if (all !== this.lastLines) {
      this.lastLines = all;
      this.seen = 0;
    }
    const lines = all.slice(this.seen).map((l) => l.replace(/^\s{2}/, ''));
    this.seen = all.length;
    const quiet = (e.kind === 'pass' && e.phase === 'end') || (e.kind !== 'fault' && e.kind !== 'pass' && !p.gc.collecting) || (e.kind === 'refcount' && lines.length === 0);
    if (e.kind === 'pass' && e.phase === 'end') {
      const i = this.passes.lastIndexOf(e.pass!);
      if (i >= 0) this.passes.length = i;
    } else if (e.kind === 'pass') {
      this.passes.push(e.pass!);
    }
    if (quiet) {
      // Not a step of its own (a pass ending, an INCREF/DECREF pair the story keeps quiet
      // about): what the story told goes with the step before.
      this.steps.at(-1)?.lines.push(...lines);
      return;
    }
    const book = rec.book;
    const label = e.op !== undefined ? book.label(e.op) : '';
    const title =
      e.kind === 'pass'
        ? `${e.pass} starts`
        : e.kind === 'traverse'
          ? `${e.type}_traverse(${label})`
          : e.kind === 'refcount'
            ? `${e.delta! > 0 ? 'Py_INCREF' : 'Py_DECREF'} ${label}: ob_refcnt → ${p.mem.refcnt[p.mem.objSlot(e.op!)]}`
            : e.kind === 'dealloc'
              ? `${e.type}_dealloc(${label})`
              : e.kind === 'graph-change'
                ? `${e.type}_traverse(${label}) returned with the graph changed`
                : `${e.fault!.signal} ${describeFault(e.fault!)}`;
    const moment = e.kind === 'fault' ? rec.moment : null;
    const snapshot = moment?.snapshot ?? snapshotHeap(p, book, rec.freedDuringCollection);
    const fault = e.kind === 'fault' ? e.fault! : undefined;
    const dot = heapToDot(p, book, {
      snapshot,
      // The same words for every step of a pass: an unchanged heap is drawn once.
      title: fault ? `${fault.signal} ${describeFault(fault)}` : 'traverse-guard explain',
      subtitle: this.passes.length ? `during ${this.passes[this.passes.length - 1]}` : 'outside the collector',
      when: e.kind === 'fault' ? 'at the fault' : 'at this step',
      victim: moment?.victim,
      dying: moment?.dying,
    });
    let picture = this.dots.lastIndexOf(dot);
    if (picture < 0) picture = this.dots.push(dot) - 1;
    const prevSource = this.steps.at(-1)?.source;
    const m = lines.map((l) => SOURCE_REF.exec(l)).find((x) => x !== null);
    this.steps.push({
      kind: e.kind,
      title,
      pass: this.passes[this.passes.length - 1] ?? '',
      lines,
      picture,
      words: wordsOf(p, book, snapshot, moment?.victim),
      source: m ? { file: m[1], line: Number(m[2]) } : prevSource,
    });
    if (this.steps.length > MAX_STEPS) {
      this.steps.shift();
      this.dropped++;
    }
  };

  /** Renders the kept pictures (the latest MAX_PICTURES distinct ones) to SVG. */
  async pictures(): Promise<string[]> {
    const used = [...new Set(this.steps.map((s) => s.picture))].sort((a, b) => a - b).slice(-MAX_PICTURES);
    const index = new Map(used.map((d, i) => [d, i]));
    for (const s of this.steps) s.picture = index.get(s.picture) ?? -1;
    const out: string[] = [];
    for (const d of used) out.push(stripXml(await renderSvg(this.dots[d])));
    return out;
  }
}

function wordsOf(p: Process, book: StoryRecorder['book'], snap: HeapSnapshot, victim: number | undefined): WordsRow[] {
  return snap.objects
    .filter((o) => o.gc)
    .map((o) => {
      const freed = o.state === 'freed';
      return {
        label: o.label,
        address: hexCode(o.op),
        refcnt: o.refcnt,
        next: decodeNext(p, book, o.next, freed),
        prev: decodePrev(p, book, o.prev).text,
        word3: o.word3 !== undefined ? decodeWord3(o.word3) : undefined,
        freed,
        victim: o.op === victim,
      };
    });
}

function stripXml(svg: string): string {
  return svg.slice(svg.indexOf('<svg'));
}

/** `<`, `&`: safe inside <script type="application/json">. */
function jsonForScript(v: unknown): string {
  return JSON.stringify(v).replace(/</g, '\\u003c').replace(/&/g, '\\u0026').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The source files the steps point at (read relative to the working directory). */
function sourcesOf(steps: readonly Step[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const s of steps) {
    if (!s.source || s.source.file in out) continue;
    try {
      const abs = isAbsolute(s.source.file) ? s.source.file : resolve(s.source.file);
      out[s.source.file] = readFileSync(abs, 'utf8').split('\n');
    } catch {
      out[s.source.file] = [];
    }
  }
  return out;
}

export interface HtmlInput {
  readonly explanation: Explanation;
  readonly steps: HtmlSteps;
}

/** The whole page. */
export async function renderExplainHtml({ explanation, steps }: HtmlInput): Promise<string> {
  const pictures = await steps.pictures();
  // A step before any user line is named links to the first one the story names.
  const first = steps.steps.find((s) => s.source)?.source;
  const all = steps.steps.map((s) => (s.source || !first ? s : { ...s, source: first }));
  const data = {
    verdict: explanation.verdictLine,
    what: explanation.lines[1] ?? '',
    victim: explanation.victim ?? null,
    dropped: steps.dropped,
    steps: all,
    pictures,
    sources: sourcesOf(all),
    report: explanation.lines.join('\n'),
  };
  return PAGE.replace('%TITLE%', esc(explanation.verdictLine)).replace('%DATA%', () => jsonForScript(data));
}

const PAGE = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>%TITLE%</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #222; }
  header { padding: 10px 16px; background: #f4f4f6; border-bottom: 1px solid #ccc; }
  header h1 { font-size: 16px; margin: 0 0 4px; }
  header .what { color: #555; font-size: 12px; }
  .crash h1, .corrupt h1 { color: #b00000; }
  nav { display: flex; gap: 8px; align-items: center; padding: 8px 16px; border-bottom: 1px solid #ddd; position: sticky; top: 0; background: #fff; z-index: 2; }
  nav button { font: inherit; padding: 3px 10px; }
  #counter { min-width: 90px; }
  #step-title { font-weight: 600; }
  main { display: grid; grid-template-columns: 300px 1fr; min-height: 70vh; }
  #steps { list-style: none; margin: 0; padding: 0; border-right: 1px solid #ddd; overflow-y: auto; max-height: 85vh; font-size: 12px; }
  #steps li { padding: 3px 8px; cursor: pointer; border-bottom: 1px solid #f0f0f0; font-family: ui-monospace, monospace; }
  #steps li.current { background: #dde8ff; }
  #steps li.kind-fault { color: #b00000; font-weight: 700; }
  #steps li.kind-pass { font-weight: 700; }
  #steps li .k { display: inline-block; width: 62px; color: #777; }
  section#detail { padding: 10px 16px; overflow-x: auto; }
  pre { background: #fafafa; border: 1px solid #eee; padding: 6px 8px; white-space: pre-wrap; font-size: 12px; }
  #picture { border: 1px solid #eee; overflow: auto; max-height: 70vh; }
  #picture svg { max-width: 100%; height: auto; }
  table.words { border-collapse: collapse; font-family: ui-monospace, monospace; font-size: 12px; }
  table.words td, table.words th { border: 1px solid #ddd; padding: 2px 6px; text-align: left; }
  table.words tr.victim { background: #ffd6d6; font-weight: 700; }
  table.words tr.freed { color: #888; }
  #source-file table { border-collapse: collapse; font-family: ui-monospace, monospace; font-size: 12px; }
  #source-file td { white-space: pre; }
  #source-file td.n { color: #999; text-align: right; padding-right: 8px; user-select: none; }
  #source-file tr.current { background: #fff2a8; }
  a.src { font-family: ui-monospace, monospace; }
</style>
</head>
<body>
<script type="application/json" id="explain-data">%DATA%</script>
<header id="head"><h1 id="verdict"></h1><div class="what" id="what"></div></header>
<nav>
  <button id="first" title="first step">first</button>
  <button id="prev" title="previous step (←)">◀ previous</button>
  <button id="next" title="next step (→)">next ▶</button>
  <button id="to-fault" title="the last step">last</button>
  <span id="counter"></span>
  <span id="step-title"></span>
</nav>
<main>
  <ol id="steps"></ol>
  <section id="detail">
    <div>pass: <b id="pass"></b> · source: <a id="source-link" class="src" href="#source"></a></div>
    <pre id="lines"></pre>
    <h3>The heap at this step</h3>
    <div id="picture"></div>
    <h3>PyGC_Head words, decoded</h3>
    <table class="words" id="words"><thead><tr><th>object</th><th>address</th><th>ob_refcnt</th><th>_gc_next</th><th>_gc_prev</th><th>gc_refs word</th></tr></thead><tbody></tbody></table>
    <h3 id="source">Source</h3>
    <div id="source-file"></div>
    <details><summary>The whole text report</summary><pre id="report"></pre></details>
  </section>
</main>
<script>
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('explain-data').textContent);
  var steps = data.steps;
  var cur = 0;
  var $ = function (id) { return document.getElementById(id); };
  $('verdict').textContent = data.verdict;
  $('what').textContent = data.what + (data.dropped ? ' (the first ' + data.dropped + ' steps are not shown)' : '');
  $('report').textContent = data.report;
  var kind = /^verdict: (\\w+)/.exec(data.verdict);
  if (kind) $('head').className = kind[1];
  var list = $('steps');
  steps.forEach(function (s, i) {
    var li = document.createElement('li');
    li.className = 'kind-' + s.kind;
    li.id = 'step-' + i;
    var k = document.createElement('span');
    k.className = 'k';
    k.textContent = s.kind;
    li.appendChild(k);
    li.appendChild(document.createTextNode(s.title));
    li.addEventListener('click', function () { show(i); });
    list.appendChild(li);
  });
  function sourceTable(file, line) {
    var holder = $('source-file');
    holder.textContent = '';
    var lines = data.sources[file] || [];
    var title = document.createElement('div');
    title.textContent = file + (lines.length ? '' : ' (not readable when the page was made)');
    holder.appendChild(title);
    var table = document.createElement('table');
    var from = Math.max(1, line - 12), to = Math.min(lines.length, line + 12);
    for (var n = from; n <= to; n++) {
      var tr = document.createElement('tr');
      tr.id = 'src-L' + n;
      if (n === line) tr.className = 'current';
      var a = document.createElement('td'); a.className = 'n'; a.textContent = String(n);
      var b = document.createElement('td'); b.textContent = lines[n - 1];
      tr.appendChild(a); tr.appendChild(b);
      table.appendChild(tr);
    }
    holder.appendChild(table);
  }
  function show(i) {
    if (!steps.length) return;
    cur = Math.max(0, Math.min(steps.length - 1, i));
    var s = steps[cur];
    var old = list.querySelector('li.current');
    if (old) old.classList.remove('current');
    var li = $('step-' + cur);
    li.classList.add('current');
    li.scrollIntoView({ block: 'nearest' });
    $('counter').textContent = 'step ' + (cur + 1) + ' / ' + steps.length;
    $('step-title').textContent = s.title;
    $('pass').textContent = s.pass || '—';
    $('lines').textContent = s.lines.join('\\n') || '(nothing new in the story)';
    $('picture').innerHTML = s.picture >= 0 ? data.pictures[s.picture] : '<p>(no picture for this step: only the ' + data.pictures.length + ' pictures nearest the end are kept)</p>';
    var body = $('words').tBodies[0];
    body.textContent = '';
    s.words.forEach(function (w) {
      var tr = document.createElement('tr');
      if (w.victim) tr.className = 'victim';
      else if (w.freed) tr.className = 'freed';
      tr.dataset.label = w.label;
      [w.label + (w.victim ? ' — VICTIM' : w.freed ? ' (freed)' : ''), w.address, String(w.refcnt), w.next, w.prev, w.word3 || '—'].forEach(function (t) {
        var td = document.createElement('td'); td.textContent = t; tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    var link = $('source-link');
    if (s.source) {
      link.textContent = s.source.file + ':' + s.source.line;
      link.href = '#src-L' + s.source.line;
      sourceTable(s.source.file, s.source.line);
    } else {
      link.textContent = '—';
      link.href = '#source';
      $('source-file').textContent = '(no source line for this step)';
    }
    $('prev').disabled = cur === 0;
    $('first').disabled = cur === 0;
    $('next').disabled = cur === steps.length - 1;
    $('to-fault').disabled = cur === steps.length - 1;
  }
  $('prev').addEventListener('click', function () { show(cur - 1); });
  $('next').addEventListener('click', function () { show(cur + 1); });
  $('first').addEventListener('click', function () { show(0); });
  $('to-fault').addEventListener('click', function () { show(steps.length - 1); });
  document.addEventListener('keydown', function (e) {
    if (e.key === 'ArrowLeft') show(cur - 1);
    else if (e.key === 'ArrowRight') show(cur + 1);
  });
  window.explainPage = { show: show, current: function () { return cur; }, count: steps.length };
  show(0);
})();
</script>
</body>
</html>
`;
