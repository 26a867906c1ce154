/**
 * A binary min-heap of (deadline, item), so the TransactionLayer finds due transactions
 * without scanning all of them. Entries are never updated in place: a moved deadline is
 * pushed again and the caller discards stale entries when they surface.
 */

export interface DeadlineEntry<T> {
  at: number;
  item: T;
  /** Insertion order, so equal deadlines pop first-in first-out. */
  seq: number;
}

export class DeadlineQueue<T> {
  private readonly heap: DeadlineEntry<T>[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  push(at: number, item: T): void {
    const h = this.heap;
    h.push({ at, item, seq: this.seq++ });
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i]!, h[parent]!)) break;
      swap(h, i, parent);
      i = parent;
    }
  }

  peek(): DeadlineEntry<T> | undefined {
    return this.heap[0];
  }

  pop(): DeadlineEntry<T> | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (top === undefined || last === undefined || h.length === 0) return top;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && before(h[l]!, h[m]!)) m = l;
      if (r < h.length && before(h[r]!, h[m]!)) m = r;
      if (m === i) break;
      swap(h, i, m);
      i = m;
    }
    return top;
  }
}

function before<T>(a: DeadlineEntry<T>, b: DeadlineEntry<T>): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

function swap<T>(h: T[], i: number, j: number): void {
  const t = h[i]!;
  h[i] = h[j]!;
  h[j] = t;
}
