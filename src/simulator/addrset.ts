// A set of heap object addresses (PyObject*) with Set<number>'s insertion order and
// add/has/size/iteration, backed by one flag byte per heap slot: the collector adds every
// object it clears (up to millions per collection), and a hashed Set costs far more per add
// than a flag byte (hundreds of nanoseconds while addresses were doubles). Addresses that are
// not object addresses (never produced by the collector) go to an ordinary Set.

import type { Memory } from './memory.js';

export class AddressSet implements Iterable<number> {
  private flags = new Uint8Array(0);
  private readonly order: number[] = [];
  private readonly other = new Set<number>();

  constructor(private readonly mem: Memory) {}

  add(op: number): this {
    const s = this.mem.objSlot(op);
    if (s < 0) {
      if (!this.other.has(op)) {
        this.other.add(op);
        this.order.push(op);
      }
      return this;
    }
    if (s >= this.flags.length) {
      const f = new Uint8Array(Math.max(this.mem.capacity, s + 1));
      f.set(this.flags);
      this.flags = f;
    }
    if (!this.flags[s]) {
      this.flags[s] = 1;
      this.order.push(op);
    }
    return this;
  }

  has(op: number): boolean {
    const s = this.mem.objSlot(op);
    return s < 0 ? this.other.has(op) : s < this.flags.length && this.flags[s] === 1;
  }

  get size(): number {
    return this.order.length;
  }

  [Symbol.iterator](): Iterator<number> {
    return this.order[Symbol.iterator]();
  }
}
