// The item arrays of the built-in containers (a list's `ob_item`, an instance's `__slots__`),
// all in one Int32Array, with each object's start, length and capacity in one small record
// indexed by its heap slot. One flat pool instead of a JavaScript array per object: a
// collection visits every container's items, and each array object behind a pointer costs
// cache misses of its own (bench/gc/access-floor.ts measures the difference).

/** Int32 fields per slot in `ItemStore.index`. */
const STRIDE = 4;
const START = 0;
const LENGTH = 1;
const CAPACITY = 2;

export class ItemStore {
  /** Every item (a PyObject*'s code, 0 for NULL; see addresses.ts), regions back to back. */
  pool: Int32Array = new Int32Array(1024);
  /** Per slot: start in `pool`, length, capacity (STRIDE Int32s). */
  index: Int32Array = new Int32Array(1024 * STRIDE);
  /** End of the used part of `pool`. Regions are never reused: a released or outgrown region
   *  is left behind (a collection-sized run allocates each list's items once). */
  private used = 0;

  length(slot: number): number {
    return slot * STRIDE < this.index.length ? this.index[slot * STRIDE + LENGTH] : 0;
  }

  /** `ob_item[i]`, read now (0 past the end). */
  get(slot: number, i: number): number {
    const r = slot * STRIDE;
    return i < this.index[r + LENGTH] ? this.pool[this.index[r + START] + i] : 0;
  }

  set(slot: number, i: number, value: number): void {
    const r = slot * STRIDE;
    if (!(i >= 0 && i < this.index[r + LENGTH])) throw new RangeError(`item ${i} out of range`);
    checkItem(value);
    this.pool[this.index[r + START] + i] = value;
  }

  /** Gives `slot` a fresh region holding `items` (its old region, if any, is released). */
  assign(slot: number, items: ArrayLike<number>): void {
    const n = items.length;
    for (let i = 0; i < n; i++) checkItem(items[i]);
    const start = this.allocate(slot, n);
    const r = slot * STRIDE;
    this.index[r + START] = start;
    this.index[r + LENGTH] = n;
    this.index[r + CAPACITY] = n;
    for (let i = 0; i < n; i++) this.pool[start + i] = items[i];
  }

  /** Appends (list_resize: a full region moves to a larger one at the end of the pool). */
  push(slot: number, value: number): void {
    checkItem(value);
    this.ensureIndex(slot);
    const r = slot * STRIDE;
    const n = this.index[r + LENGTH];
    if (n === this.index[r + CAPACITY]) {
      const cap = Math.max(4, n * 2);
      const start = this.allocate(slot, cap);
      this.pool.copyWithin(start, this.index[r + START], this.index[r + START] + n);
      this.index[r + START] = start;
      this.index[r + CAPACITY] = cap;
    }
    this.pool[this.index[r + START] + n] = value;
    this.index[r + LENGTH] = n + 1;
  }

  /**
   * Detaches the items of `slot` (it is left empty) and returns a handle to read them with
   * `detachedItem`, as `_list_clear` keeps the detached `ob_item` until it has released every
   * item. The region stays intact (regions are never reused).
   */
  detach(slot: number): { start: number; length: number } {
    if (slot * STRIDE >= this.index.length) return { start: 0, length: 0 };
    const d = { start: this.index[slot * STRIDE + START], length: this.index[slot * STRIDE + LENGTH] };
    this.release(slot);
    return d;
  }

  /** Empties `slot` (list_dealloc's `PyMem_Free(op->ob_item)`): `detach` without a handle. */
  release(slot: number): void {
    if (slot * STRIDE >= this.index.length) return;
    const r = slot * STRIDE;
    this.index[r + START] = 0;
    this.index[r + LENGTH] = 0;
    this.index[r + CAPACITY] = 0;
  }

  detachedItem(d: { readonly start: number }, i: number): number {
    return this.pool[d.start + i];
  }

  /** A copy of the items of `slot`. */
  toArray(slot: number): number[] {
    const n = this.length(slot);
    const out = new Array<number>(n);
    const start = n ? this.index[slot * STRIDE + START] : 0;
    for (let i = 0; i < n; i++) out[i] = this.pool[start + i];
    return out;
  }

  /** Room for `n` items at the end of the pool (growing it), for `slot`. */
  private allocate(slot: number, n: number): number {
    this.ensureIndex(slot);
    if (this.used + n > this.pool.length) {
      let size = this.pool.length * 2;
      while (size < this.used + n) size *= 2;
      const pool = new Int32Array(size);
      pool.set(this.pool.subarray(0, this.used));
      this.pool = pool;
    }
    const start = this.used;
    this.used += n;
    return start;
  }

  private ensureIndex(slot: number): void {
    if (slot * STRIDE < this.index.length) return;
    let size = this.index.length * 2;
    while (size <= slot * STRIDE) size *= 2;
    const index = new Int32Array(size);
    index.set(this.index);
    this.index = index;
  }
}

/** An item is NULL or an object's address, whose code is an int32 (addresses.ts). */
function checkItem(value: number): void {
  if ((value | 0) !== value) throw new RangeError(`item ${value} is not a PyObject* of this heap`);
}
