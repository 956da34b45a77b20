// `explain FILE --class X` without a state: runs the class's exploration (the check's, with
// the same value hints) and picks the state to replay — the worst verdict reached, on the
// clearest pair (report.ts's evidence order), else the plainest state under guarded.

import { readFileSync } from 'node:fs';
import type { PyClass } from '../../api/pyclass-handle.js';
import type { RuntimeKind, Verdict } from '../../api/index.js';
import type { ComboOutcome, ProfileChoice, Reproducer } from '../explore.js';
import { evidenceRank } from '../report.js';
import { valueHints } from '../value-hints.js';
import type { DistModules } from './load.js';

export interface WorstState {
  /** The reproducer of the worst outcome, or undefined when every state was ok. */
  readonly reproducer?: Reproducer;
  readonly verdict: Verdict;
  /** e.g. "crash under c@3.11". */
  readonly pair?: string;
  /** States explored per pair. */
  readonly states: number;
  readonly pairs: number;
}

const RANK: Record<Verdict, number> = { ok: 0, error: 1, leak: 2, corrupt: 3, crash: 4 };

export function findWorstState(
  dist: DistModules,
  cls: PyClass,
  file: string,
  runtimes: readonly RuntimeKind[],
  profiles: readonly ProfileChoice[],
  setup?: () => unknown,
): WorstState {
  let hints;
  try {
    hints = valueHints(file, readFileSync(file, 'utf8'))[cls.name]?.values;
  } catch {
    hints = undefined;
  }
  const states = dist.explore.explorationStates(cls, { valueHints: hints });
  const outcomes = dist.explore.exploreClass(cls, { runtimes, profiles, file, states, setup: setup as (() => void) | undefined });
  const ranked = (Object.entries(outcomes) as [string, ComboOutcome][])
    .filter(([, o]) => o.reproducer)
    .sort((a, b) => RANK[b[1].verdict] - RANK[a[1].verdict] || evidenceRank([b[0], b[1]]) - evidenceRank([a[0], a[1]]));
  const best = ranked[0];
  return {
    reproducer: best?.[1].reproducer,
    verdict: best?.[1].verdict ?? 'ok',
    pair: best?.[0],
    states: states.length,
    pairs: Object.keys(outcomes).length,
  };
}
