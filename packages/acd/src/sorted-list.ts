// SortedList: an array kept in order by a total comparator, with binary-search insert and
// remove. The engine keeps each queue's calls in two of them (service order, join order) so a
// decision looks at the head of a few queues instead of sorting every waiting call.
// Insert and remove move array slots (memmove, O(n)), which at 10,000 entries is a few
// microseconds: cheaper in practice than a balanced tree's allocations and pointer chasing.

export class SortedList<T> {
  private readonly items: T[] = [];

  /** `compare` must be a total order over the items present (no two distinct items compare 0). */
  constructor(private readonly compare: (a: T, b: T) => number) {}

  get length(): number {
    return this.items.length;
  }

  at(i: number): T | undefined {
    return this.items[i];
  }

  /** First index whose item is not before `x` (where `x` is, or would go). */
  lowerBound(x: T): number {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compare(this.items[mid]!, x) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Inserts after every item that is not after `x`; returns the index. */
  insert(x: T): number {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compare(this.items[mid]!, x) <= 0) lo = mid + 1;
      else hi = mid;
    }
    // Appending is the common case (a new caller joins last in its class): skip the splice.
    if (lo === this.items.length) this.items.push(x);
    else this.items.splice(lo, 0, x);
    return lo;
  }

  /** Removes `x` (the same object); false when it is not in the list. Its sort key must be the one it was inserted with. */
  remove(x: T): boolean {
    const i = this.lowerBound(x);
    if (this.items[i] !== x) return false;
    this.removeAt(i);
    return true;
  }

  removeAt(i: number): void {
    if (i === 0) this.items.shift();
    else this.items.splice(i, 1);
  }

  [Symbol.iterator](): IterableIterator<T> {
    return this.items[Symbol.iterator]();
  }
}
