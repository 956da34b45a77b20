// A characterization digest of the simulator, for performance work: the complete state after
// collections on 120 seeded random heap graphs, some with a type whose traverse drops the
// references it holds (so faults, backtraces and heap damage are exercised), hashed per
// profile, release and debug. Run it on two commits and compare: a change that only makes
// the simulator faster must leave every line as it was.
//
//   npx tsx bench/gc/state-digest.ts > after.txt
//   git worktree add /tmp/before <commit> && ln -s "$PWD/node_modules" /tmp/before/
//   DIGEST_ROOT=/tmp/before npx tsx bench/gc/state-digest.ts > before.txt && diff before.txt after.txt
//
// DIGEST_ROOT loads the simulator of another checkout with this script (backtraces name the
// script, so it must be the same file on both sides).
//
// Hashed: verdict, collect() results, fault (signal, address, backtrace), audit, anomalies,
// stats, unraisable messages, every slot's header words, refcount, type and state, the free
// list, writes into freed memory, and each object's items or payload (words and addresses as
// real values, so that checkouts with different internal representations compare).
// DIGEST_STATE_ONLY=1 leaves out the verdict, audit and anomalies: the memory state alone, to
// show that a change to how runs are judged changed no state.

import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Simulator from '../../src/simulator/index.js';
import type * as RandomGraphs from './random-heapgraph.js';
import type * as GraphText from './heapgraph-text.js';

const root = resolve(process.env.DIGEST_ROOT ?? new URL('../../', import.meta.url).pathname);
const load = async <T>(path: string): Promise<T> => (await import(pathToFileURL(resolve(root, path)).href)) as T;
const sim = await load<typeof Simulator>('src/simulator/index.ts');
const { randomHeapGraph } = await load<typeof RandomGraphs>('bench/gc/random-heapgraph.ts');
const { formatHeapGraph, rng } = await load<typeof GraphText>('bench/gc/heapgraph-text.ts');
/** A word or address as the real process holds it (the simulator computes with small-integer
 *  codes since its Int32 words; before them, words were the real values). */
const real: (word: number) => number = (sim as { realValue?: (word: number) => number }).realValue ?? ((w) => w);

/** A guard, so that a simulator bug cannot hang the digest: a run past this many traverse
 *  calls is walking a list in a cycle (3.7 did, when a traverse freed its own object, until
 *  pymalloc's fresh block at the end of the free list was set aside). */
const TRAVERSE_LIMIT = 200_000;

function digestOne(python: string, debug: boolean, seed: number, h: ReturnType<typeof createHash>): void {
  const g = sim.parseHeapGraph(formatHeapGraph(randomHeapGraph(seed)));
  const s = sim.createSimulation({ python, debug, capacity: 64 });
  const p = s.process;
  const r = rng(seed * 7919 + 3);
  // Dropper holds references in its payload; on its k-th traverse it drops one (mode 1) or
  // all (modes 2, 3) of them with Py_DECREF, then visits what is left. Mode 0 never drops.
  let calls = 0;
  const k = Math.floor(r() * 40);
  const mode = seed % 4;
  const held = (op: number) => p.payload[p.slot(op)] as number[];
  const dropAll = (op: number) => {
    const a = held(op);
    for (let i = 0; i < a.length; i++) {
      const x = a[i];
      if (x) {
        a[i] = 0;
        p.Py_DECREF(x);
      }
    }
  };
  const dropper = p.defineType({
    name: 'Dropper',
    gc: true,
    traverse: (op, visit, arg) => {
      const a = held(op);
      if (mode && ++calls === k) {
        for (let i = 0; i < a.length; i++) {
          const x = a[i];
          if (!x) continue;
          a[i] = 0;
          p.Py_DECREF(x);
          if (mode === 1) break;
        }
      }
      for (const x of a) {
        if (x) {
          const rr = visit(x, arg);
          if (rr) return rr;
        }
      }
      return 0;
    },
    clear: (op) => {
      dropAll(op);
      return 0;
    },
    dealloc: (op) => {
      p.PyObject_GC_UnTrack(op);
      dropAll(op);
      p.PyObject_GC_Del(op);
    },
    referents: (op) => held(op).filter(Boolean),
  });
  let traverses = 0;
  p.tracer = (e) => {
    if (e.kind === 'traverse' && ++traverses > TRAVERSE_LIMIT) throw new Error('traverse limit');
  };
  const res = sim.runSimulation(s, () => {
    s.gc.disable();
    const rootList = sim.buildHeapGraph(s, g);
    const items = [...sim.listItems(p, rootList)]; // a copy (older checkouts return the list itself)
    const droppers = Math.floor(r() * 4);
    for (let d = 0; d < droppers && items.length; d++) {
      const x = items[Math.floor(r() * items.length)];
      p.Py_INCREF(x);
      const op = p.gcNew(dropper, [x, 0]);
      p.PyObject_GC_Track(op);
      if (r() < 0.5) {
        p.Py_INCREF(op);
        held(op)[1] = op; // a self-cycle
      }
      if (r() < 0.5) p.Py_DECREF(op);
      else {
        sim.listAppend(p, rootList, op); // held by the graph's root list
        items.push(op);
        p.Py_DECREF(op);
      }
    }
    const results: number[] = [];
    for (const gen of [2, 0, 1, 2]) results.push(s.gc.collect(gen));
    if (r() < 0.5) {
      p.Py_DECREF(rootList);
      results.push(s.gc.collect());
    }
    return results;
  });
  const m = p.mem;
  const freed = m.freedWrites.map((w) => ({ address: real(w.address), slot: w.slot }));
  const judged = process.env.DIGEST_STATE_ONLY ? [] : [res.verdict, res.audit, res.anomalies];
  h.update(JSON.stringify([...judged, res.value, res.fault, res.stats, res.unraisable, String(res.error ?? ''), m.top, real(m.freeListHead), freed, m.misalignedWrites.map(real)]));
  for (const a of [m.gcNext, m.gcPrev, m.gcRefs, m.refcnt]) h.update(new Uint8Array(Float64Array.from(a.subarray(0, m.top), real).buffer));
  h.update(new Uint8Array(m.typeId.buffer, 0, m.top * 4));
  h.update(m.state.subarray(0, m.top));
  const contents: unknown[] = [];
  const containers = new Set([s.builtins.list.id, s.builtins.slots.id]);
  // (`p.items` is absent before the flat item store: then a container's items are its payload.)
  const store = (p as { items?: { toArray(slot: number): number[] } }).items;
  for (let slot = 0; slot < m.top; slot++) {
    const c = store && containers.has(m.typeId[slot]) ? store.toArray(slot) : p.payload[slot];
    contents.push(Array.isArray(c) ? c.map((x) => (typeof x === 'number' ? real(x) : x)) : c);
  }
  h.update(JSON.stringify(contents));
}

for (const python of sim.PROFILE_NAMES) {
  for (const debug of [false, true]) {
    const h = createHash('sha256');
    for (let seed = 1; seed <= 120; seed++) digestOne(python, debug, seed, h);
    console.log(`${python}${debug ? ' debug' : ''} ${h.digest('hex').slice(0, 16)}`);
  }
}
