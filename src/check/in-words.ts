// What a broken run means, in words, for the check's table and explanations: "the collector
// followed a pointer into an object freed during the collection" rather than only
// "SIGSEGV reading 0xb8 in subtract_refs". Reads the fault's place and the audit's message.

import type { VerdictEntry } from './report.js';

const LIST_OPS = /GC_UnTrack|gc_list_|_PyObject_GC_UNTRACK/;
const WALKS = /subtract_refs|visit_decref|visit_reachable|move_unreachable|update_refs|tp_traverse|_traverse$/;

/** One clause saying what happened in a crash, corruption or guarded stop. */
export function inWords(v: Pick<VerdictEntry, 'verdict' | 'detail' | 'fault'>): string {
  const d = v.detail ?? '';
  if (v.verdict === 'crash') {
    const f = v.fault;
    if (f?.signal === 'SIGABRT') return `a CPython debug-build assertion failed${f.message ? ` (${f.message})` : ''}`;
    const where = f?.where ?? '';
    if (LIST_OPS.test(where) || LIST_OPS.test(d)) return 'an object was freed in the middle of the collection, and unlinking it wrote through a list pointer that then held a gc_refs count, not an address';
    if (WALKS.test(where) || WALKS.test(d)) return 'the collector followed a pointer into an object freed during the collection';
    return `the process died in ${where || 'the collector'}`;
  }
  if (v.verdict === 'corrupt') {
    if (/refcount .* but \d+ references/.test(d)) return 'a reference was released once too often: an object has fewer references counted than exist';
    if (/a double visit\)/.test(d)) return 'the collector cleared an object still in use: a traverse visited the same reference twice';
    if (/a foreign visit\)/.test(d)) return 'the collector cleared an object still in use: a traverse visited a reference it does not own';
    if (/still referenced from outside/.test(d)) return 'the collector freed an object still in use: the traverse visited a reference it does not own, or the same reference twice';
    if (/still refers to freed/.test(d)) return 'an object kept a pointer to an object that was freed';
    if (/write into freed memory/.test(d)) return 'the program wrote into freed memory';
    if (/misaligned|not a PyGC_Head|does not point back|does not return|PREV_MASK|in no generation|walking the list/.test(d)) return "the collector's object lists were damaged";
    return 'the heap audit found damage after the collection';
  }
  if (v.verdict === 'leak') {
    if (/never visited/.test(d)) return 'a garbage cycle was never collected: the traverse does not visit a reference the object holds';
    if (/released none/.test(d)) return 'a garbage cycle was never freed: clear releases none of the references the traverse visits';
    if (/wrapped below zero/.test(d)) return 'a garbage cycle was never collected: a double or foreign visit wrapped gc_refs below zero';
    return 'a garbage cycle was never collected: the traverse visits differently from one call to the next';
  }
  if (v.verdict === 'error') return `the guarded runtime stopped the misuse with a clean error, the heap intact${d ? ` (${d})` : ''}`;
  return 'nothing went wrong';
}
