// Per-queue indexes the engine keeps beside its maps, so one input costs the queues it touches,
// not every waiting call: calls in service order and in join order, the waiting calls that
// asked to be ranked again, and the member slots that are eligible or logged in right now.
import { SortedList } from "./sorted-list.js";
import type { CallRecord, Member } from "./acd-records.js";
import type { QueueConfig } from "./acd-types.js";

/** Service order: highest priority class first; FIFO (join time, then arrival) within a class. */
export function serviceOrder(x: CallRecord, y: CallRecord): number {
  return y.priority - x.priority || x.joinedAt - y.joinedAt || x.seq - y.seq;
}

/** Join order (oldest first): max wait and the queue's oldest call. */
export function joinOrder(x: CallRecord, y: CallRecord): number {
  return x.joinedAt - y.joinedAt || x.seq - y.seq;
}

export class QueueIndex {
  /** Waiting (not offered) calls in service order. */
  readonly waiting = new SortedList<CallRecord>(serviceOrder);
  /** Every call of the queue, waiting or offered, in join order. */
  readonly calls = new SortedList<CallRecord>(joinOrder);
  /** Waiting calls with a `retryAt` (skill widening, sticky hold). */
  readonly retrying = new Set<CallRecord>();
  /** Callback entries waiting out a retry time (`callback.notBefore` in the future). */
  readonly deferred = new Set<CallRecord>();
  /** Indexes into `members` of the slots whose agent is eligible now. */
  readonly eligible = new Set<number>();
  /** Member slots whose agent is logged in. */
  loggedIn = 0;
  /** First membership slot of each agent (round-robin memory records its order). */
  readonly memberOf = new Map<string, Member>();

  constructor(
    readonly cfg: QueueConfig,
    readonly members: Member[],
  ) {}

  get overflows(): boolean {
    return this.cfg.maxWaitMs !== undefined && this.cfg.overflow !== undefined;
  }

  /** Eligible member slots in membership order (the order `candidates` always had). */
  eligibleMembers(): Member[] {
    const idx = [...this.eligible];
    if (idx.length > 1) idx.sort((a, b) => a - b);
    return idx.map((i) => this.members[i]!);
  }

  /** The oldest waiting call (offered calls and callback entries skipped): when max wait fires next. */
  oldestWaiting(): CallRecord | undefined {
    for (const c of this.calls) if (c.offer === undefined && c.callback === undefined) return c;
    return undefined;
  }

  /** A retry asked for by a call not ranked in this pass lapses, as a ranking with no candidates clears it. */
  lapseRetries(from: CallRecord | undefined): void {
    if (this.retrying.size === 0) return;
    for (const c of this.retrying) {
      if (from !== undefined && serviceOrder(c, from) < 0) continue;
      c.retryAt = undefined;
      this.retrying.delete(c);
    }
  }
}
