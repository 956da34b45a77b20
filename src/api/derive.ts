// The derived traverse and clear (PyO3's `PyGcTraversable` idea, PR #6330): a pyclass spec may
// write `derive: true` (or `derive: 'traverse'` / `derive: 'clear'` for one of them), and the
// slots are generated from the field schema. Correct by construction: the traverse visits each reference the instance owns
// exactly once, in declaration order — a `ref` or `optionalRef` field, a cell's value, every
// list item — and nothing else, on every call; the clear releases every one of them.

import type { Fields } from './types.js';
import type { Visit } from './visit.js';

type AnySelf = Record<string, unknown>;

/** traverse(self, visit) generated from `fields`. */
export function deriveTraverse(fields: Fields): (self: AnySelf, visit: Visit) => undefined {
  const plan = Object.entries(fields).filter(([, f]) => f.kind === 'ref' || f.kind === 'optionalRef' || f.kind === 'cell' || f.kind === 'list');
  return (self, visit) => {
    for (const [k, f] of plan) {
      const v = self[k];
      if (f.kind === 'cell') visit.call((v as { get(): never }).get());
      else if (f.kind === 'list') for (const item of v as Iterable<never>) visit.call(item);
      else visit.call(v as never);
    }
    return undefined;
  };
}

/** clear(self) generated from `fields`: every reference field released. */
export function deriveClear(fields: Fields): (self: AnySelf) => void {
  const plan = Object.entries(fields).filter(([, f]) => f.kind === 'ref' || f.kind === 'optionalRef' || f.kind === 'cell' || f.kind === 'list');
  return (self) => {
    for (const [k, f] of plan) {
      if (f.kind === 'cell' || f.kind === 'list') (self[k] as { clear(): void }).clear();
      // A required `ref` too: the object is garbage, and its dealloc drops nothing twice.
      else if (self[k]) delete self[k];
    }
  };
}
