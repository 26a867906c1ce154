// ServiceHeap: a binary min-heap of queue cursors keyed by the call each cursor points at, in
// service order. Dispatch merges the waiting lists of the queues that can offer through it,
// so calls are ranked in the one service order across queues without sorting them all.
import { serviceOrder, type QueueIndex } from "./queue-index.js";

export interface Cursor {
  readonly qi: QueueIndex;
  /** Position in `qi.waiting` of the next call to rank. */
  pos: number;
}

export class ServiceHeap {
  private readonly h: Cursor[] = [];

  get size(): number {
    return this.h.length;
  }

  peek(): Cursor | undefined {
    return this.h[0];
  }

  push(c: Cursor): void {
    this.h.push(c);
    let i = this.h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.less(p, i)) break;
      this.swap(i, p);
      i = p;
    }
  }

  pop(): Cursor | undefined {
    const top = this.h[0];
    const last = this.h.pop();
    if (this.h.length > 0 && last !== undefined) {
      this.h[0] = last;
      this.siftDown(0);
    }
    return top;
  }

  /** The top cursor moved on (its call was ranked), or its list changed: restore the order. */
  headChanged(): void {
    this.siftDown(0);
  }

  private key(i: number): Parameters<typeof serviceOrder>[0] {
    const c = this.h[i]!;
    return c.qi.waiting.at(c.pos)!;
  }

  private less(i: number, j: number): boolean {
    return serviceOrder(this.key(i), this.key(j)) < 0;
  }

  private siftDown(i: number): void {
    const n = this.h.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.less(l, m)) m = l;
      if (r < n && this.less(r, m)) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }

  private swap(i: number, j: number): void {
    const t = this.h[i]!;
    this.h[i] = this.h[j]!;
    this.h[j] = t;
  }
}
