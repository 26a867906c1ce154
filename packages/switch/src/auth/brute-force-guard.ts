// Blocks a source address after repeated authentication failures (password guessing,
// extension scanning), in a sliding window.
//
// How the switch uses it: before authenticating, `isBlocked(source)` → the request is
// dropped silently: no response at all, not 403, not 503. SIPVicious svcrack treats any
// answer to a wrong password other than 401/407 as a hit ("password found"), and any answer
// at all confirms that the box is alive and listening. After verification, a failure
// (see `countsAsFailure`) is recorded; `recordFailure` returning true is the moment to log
// "blocked" once. Loopback is not exempt by default: a scanner on the same host, or a local
// relay (reverse proxy, SBC) that hides the real source, is still a scanner; an operator
// who wants an exemption lists addresses in configuration and skips the guard for them.
// IPv6 callers may pass the /64 prefix as `ip`: one host owns a whole /64.
import type { AuthResult } from "./digest-authenticator.js";

export interface BruteForceGuardOptions {
  /** Failures within `windowMs` that block the source. */
  maxFailures: number;
  windowMs: number;
  blockMs: number;
  /** Bound on tracked sources (default 10,000); the least recently active are forgotten first. */
  maxTrackedIps?: number;
}

interface Entry {
  /** Failure times still inside the window, oldest first (at most maxFailures - 1). */
  failures: number[];
  /** Blocked until this time (exclusive); 0 when not blocked. */
  blockedUntil: number;
  /** Failures counted when the block started (for `status`). */
  blockedFailures: number;
  /** Last time a success cleared the failures (see recordSuccess). */
  lastReset: number;
}

export interface BlockedSource {
  ip: string;
  until: number;
  failures: number;
}

/**
 * A failure is credentials presented and wrong. A missing Authorization header is not one
 * (every first REGISTER lacks it); neither are malformed, realm-mismatch, uri-mismatch or
 * stale results (a broken or slow phone, not a guess).
 */
export function countsAsFailure(result: AuthResult): boolean {
  return result.outcome === "challenge" && (result.reason === "bad-credentials" || result.reason === "unknown-user" || result.reason === "replay");
}

export class BruteForceGuard {
  readonly #maxFailures: number;
  readonly #windowMs: number;
  readonly #blockMs: number;
  readonly #maxTracked: number;
  /** Map order is recency order: every update re-inserts the entry at the tail. */
  readonly #entries = new Map<string, Entry>();

  constructor(opts: BruteForceGuardOptions) {
    if (!(opts.maxFailures >= 1)) throw new RangeError(`maxFailures must be at least 1, got ${opts.maxFailures}`);
    if (!(opts.windowMs > 0) || !(opts.blockMs > 0)) throw new RangeError("windowMs and blockMs must be positive");
    this.#maxFailures = Math.floor(opts.maxFailures);
    this.#windowMs = opts.windowMs;
    this.#blockMs = opts.blockMs;
    this.#maxTracked = Math.max(1, opts.maxTrackedIps ?? 10_000);
  }

  get trackedCount(): number {
    return this.#entries.size;
  }

  isBlocked(ip: string, now: number): boolean {
    const e = this.#entries.get(ip);
    return e !== undefined && e.blockedUntil > now;
  }

  /** Returns true when this failure starts a block. Failures while blocked are not counted. */
  recordFailure(ip: string, now: number): boolean {
    const e = this.#current(ip, now) ?? { failures: [], blockedUntil: 0, blockedFailures: 0, lastReset: Number.NEGATIVE_INFINITY };
    if (e.blockedUntil > now) return false;
    e.failures.push(now);
    let blocked = false;
    if (e.failures.length >= this.#maxFailures) {
      e.blockedUntil = now + this.#blockMs;
      e.blockedFailures = e.failures.length;
      e.failures = [];
      blocked = true;
    }
    this.#touch(ip, e, now);
    return blocked;
  }

  /**
   * A phone that fixed its password starts clean — but at most once per window per source,
   * so an attacker holding one valid account cannot interleave successes to reset the count
   * (that bounds guesses to 2 × (maxFailures − 1) per window). Never lifts a block.
   */
  recordSuccess(ip: string, now: number): void {
    const e = this.#current(ip, now);
    if (e === undefined || e.blockedUntil > now || e.failures.length === 0) return;
    if (now - e.lastReset < this.#windowMs) return;
    e.failures = [];
    e.lastReset = now;
    this.#touch(ip, e, now);
  }

  /** Sources blocked at `now`, soonest unblocked first (for `hotline status`). */
  blocked(now: number): BlockedSource[] {
    const out: BlockedSource[] = [];
    for (const [ip, e] of this.#entries) if (e.blockedUntil > now) out.push({ ip, until: e.blockedUntil, failures: e.blockedFailures });
    return out.sort((a, b) => a.until - b.until || (a.ip < b.ip ? -1 : 1));
  }

  /** Forgets sources with no block and no failure in the window. O(tracked); call now and then. */
  prune(now: number): void {
    for (const [ip, e] of this.#entries) if (this.#isIdle(e, now)) this.#entries.delete(ip);
  }

  /** The entry with failures outside the window dropped and an expired block lifted. */
  #current(ip: string, now: number): Entry | undefined {
    const e = this.#entries.get(ip);
    if (e === undefined) return undefined;
    if (e.blockedUntil !== 0 && e.blockedUntil <= now) {
      e.blockedUntil = 0;
      e.blockedFailures = 0;
    }
    // Sliding window: a failure at t counts while now - t < windowMs.
    let k = 0;
    while (k < e.failures.length && now - (e.failures[k] ?? now) >= this.#windowMs) k++;
    if (k > 0) e.failures.splice(0, k);
    return e;
  }

  #isIdle(e: Entry, now: number): boolean {
    return e.blockedUntil <= now && e.failures.every((t) => now - t >= this.#windowMs);
  }

  #touch(ip: string, e: Entry, now: number): void {
    this.#entries.delete(ip);
    this.#entries.set(ip, e);
    // Bounded memory: over the bound, forget the least recently active source that is not
    // blocked; only when every other tracked source is blocked, the least recently active
    // block. Deleting while iterating a Map is safe.
    for (const pass of ["unblocked", "any"] as const) {
      for (const [k, v] of this.#entries) {
        if (this.#entries.size <= this.#maxTracked) return;
        if (k !== ip && (pass === "any" || v.blockedUntil <= now)) this.#entries.delete(k);
      }
    }
  }
}
