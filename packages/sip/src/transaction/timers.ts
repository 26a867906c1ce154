/**
 * Transaction timers, named as in RFC 3261 Table 4 (timerA … timerK) plus RFC 6026's
 * Timer L and Timer M. T1/T2/T4 are per-instance settings, never globals. A timer is a
 * deadline in the caller's clock (milliseconds); nothing here reads a clock.
 */

/** RFC 3261 §17.1.1.1: T1 = RTT estimate, T2 = max non-INVITE retransmit interval, T4 = max time a message stays in the network. */
export interface TimerSettings {
  T1: number;
  T2: number;
  T4: number;
}

export const DEFAULT_TIMER_SETTINGS: Readonly<TimerSettings> = { T1: 500, T2: 4000, T4: 5000 };

export const TIMER_NAMES = [
  "timerA", // INVITE request retransmit interval, UDP only (initially T1)
  "timerB", // INVITE transaction timeout (64*T1)
  "timerC", // proxy INVITE transaction timeout (> 3 min); proxies only, unused by a UA
  "timerD", // wait time for response retransmits (> 32 s UDP, 0 reliable)
  "timerE", // non-INVITE request retransmit interval, UDP only (T1 doubling to T2)
  "timerF", // non-INVITE transaction timeout (64*T1)
  "timerG", // INVITE response retransmit interval (T1 doubling to T2)
  "timerH", // wait time for ACK receipt (64*T1)
  "timerI", // wait time for ACK retransmits (T4 UDP, 0 reliable)
  "timerJ", // wait time for non-INVITE request retransmits (64*T1 UDP, 0 reliable)
  "timerK", // wait time for response retransmits (T4 UDP, 0 reliable)
  "timerL", // RFC 6026: wait time for accepted INVITE request retransmits (64*T1)
  "timerM", // RFC 6026: wait time for retransmission of 2xx to INVITE (64*T1)
  // Not in Table 4: RFC 3261 §17.2.1 "100 (Trying) unless the TU responds within 200 ms".
  "timerTrying",
] as const;

export type TimerName = (typeof TIMER_NAMES)[number];

/** RFC 3261 Table 4: Timer D is "> 32 s for UDP". */
export const TIMER_D_UNRELIABLE = 32_000;
/** RFC 3261 Table 4: Timer C is "> 3 min". */
export const TIMER_C = 180_000;
/** RFC 3261 §17.2.1: the INVITE server transaction sends 100 Trying after 200 ms. */
export const TIMER_TRYING = 200;

/** The initial value of a timer; 0 means "fire at once" (the transaction moves on without waiting). */
export function initialTimerValue(name: TimerName, s: TimerSettings, reliable: boolean): number {
  switch (name) {
    case "timerA":
    case "timerE":
    case "timerG":
      return s.T1;
    case "timerB":
    case "timerF":
    case "timerH":
    case "timerL":
    case "timerM":
      return 64 * s.T1;
    case "timerC":
      return TIMER_C;
    case "timerD":
      return reliable ? 0 : TIMER_D_UNRELIABLE;
    case "timerI":
    case "timerK":
      return reliable ? 0 : s.T4;
    case "timerJ":
      return reliable ? 0 : 64 * s.T1;
    case "timerTrying":
      return TIMER_TRYING;
  }
}

/** Retransmission timers lose ties against the timers that end or time out a transaction. */
const RETRANSMIT: ReadonlySet<TimerName> = new Set<TimerName>(["timerA", "timerE", "timerG", "timerTrying"]);

export interface DueTimer {
  name: TimerName;
  /** The deadline it was set for (≤ now). */
  at: number;
}

/** The running timers of one transaction: name → deadline. */
export class TimerSet {
  private readonly deadlines = new Map<TimerName, number>();

  start(name: TimerName, at: number): void {
    this.deadlines.set(name, at);
  }

  stop(...names: TimerName[]): void {
    for (const n of names) this.deadlines.delete(n);
  }

  clear(): void {
    this.deadlines.clear();
  }

  has(name: TimerName): boolean {
    return this.deadlines.has(name);
  }

  /** The earliest deadline, or null when nothing runs. */
  next(): number | null {
    let min: number | null = null;
    for (const at of this.deadlines.values()) if (min === null || at < min) min = at;
    return min;
  }

  /** Removes and returns the earliest timer due at `now`; terminating timers win ties. */
  takeDue(now: number): DueTimer | null {
    let best: DueTimer | null = null;
    for (const [name, at] of this.deadlines) {
      if (at > now) continue;
      if (best === null || at < best.at || (at === best.at && RETRANSMIT.has(best.name) && !RETRANSMIT.has(name))) best = { name, at };
    }
    if (best !== null) this.deadlines.delete(best.name);
    return best;
  }
}

/**
 * The next firing of a retransmission timer that fired at `firedAt`: counted from the
 * deadline (so the schedule is exact: 500, 1500, 3500 …), but never in the past when
 * the caller ticked late (no burst of catch-up retransmissions).
 */
export function nextFiring(firedAt: number, interval: number, now: number): number {
  const at = firedAt + interval;
  return at > now ? at : now + interval;
}

/** Fires every due timer in deadline order until none is due or `stop()` says the transaction ended. */
export function runDueTimers<A>(timers: TimerSet, now: number, fire: (t: DueTimer) => A[], stop: () => boolean): A[] {
  const out: A[] = [];
  for (let t = timers.takeDue(now); t !== null; t = timers.takeDue(now)) {
    for (const a of fire(t)) out.push(a);
    if (stop()) break;
  }
  return out;
}
