// Stateless nonces (RFC 7616 §3.3 "nonce", §5.5 "Limited-Use Nonce Values") and the
// nonce-count replay check (RFC 7616 §3.4 "nc", §5.5).
//
// nonce = base64url( issuedAt (8 bytes, big-endian ms) ‖ random (16 bytes)
//                    ‖ HMAC-SHA256(secret, issuedAt ‖ random ‖ realm) (32 bytes) )   → 75 chars
//
// The server keeps no state per challenge: any authentic nonce younger than the TTL is
// valid. What it does keep, bounded, is the highest nonce count seen per *used* nonce.
import { createHmac, timingSafeEqual } from "node:crypto";

export type NonceStatus = "valid" | "stale" | "invalid";

const TIME_BYTES = 8;
const RANDOM_BYTES = 16;
const MAC_BYTES = 32;
const NONCE_BYTES = TIME_BYTES + RANDOM_BYTES + MAC_BYTES;
/** base64url of 56 bytes without padding. */
const NONCE_CHARS = Math.ceil((NONCE_BYTES * 4) / 3);
const NONCE_SYNTAX = new RegExp(`^[A-Za-z0-9_-]{${NONCE_CHARS}}$`);

export interface NonceIssuerOptions {
  /** HMAC key, at least 16 bytes. Keep it across restarts or every phone sees one stale 401. */
  secret: Uint8Array;
  realm: string;
  ttlMs: number;
  randomBytes: (n: number) => Uint8Array;
}

export class NonceIssuer {
  readonly ttlMs: number;
  readonly #secret: Uint8Array;
  readonly #realm: Buffer;
  readonly #randomBytes: (n: number) => Uint8Array;

  constructor(opts: NonceIssuerOptions) {
    if (opts.secret.length < 16) throw new RangeError("nonce secret must be at least 16 bytes");
    if (!(opts.ttlMs > 0) || !Number.isFinite(opts.ttlMs)) throw new RangeError(`nonce TTL must be a positive number of ms, got ${opts.ttlMs}`);
    this.#secret = Uint8Array.from(opts.secret);
    this.#realm = Buffer.from(opts.realm, "utf8");
    this.ttlMs = opts.ttlMs;
    this.#randomBytes = opts.randomBytes;
  }

  issue(now: number): string {
    const buf = Buffer.alloc(NONCE_BYTES);
    writeTime(buf, now);
    const random = this.#randomBytes(RANDOM_BYTES);
    if (random.length !== RANDOM_BYTES) throw new RangeError(`randomBytes(${RANDOM_BYTES}) returned ${random.length} bytes`);
    buf.set(random, TIME_BYTES);
    buf.set(this.#mac(buf.subarray(0, TIME_BYTES + RANDOM_BYTES)), TIME_BYTES + RANDOM_BYTES);
    return buf.toString("base64url");
  }

  /**
   * `valid`: authentic and issued at most ttlMs ago. `stale`: authentic but older than the
   * TTL, or dated more than ttlMs in the future (the clock stepped back) — the client gets
   * a fresh nonce with stale=true (RFC 7616 §3.3). `invalid`: not one of ours (wrong
   * syntax, wrong MAC, another realm, or a previous secret).
   */
  verifyNonce(nonce: string, now: number): NonceStatus {
    const bytes = decodeNonce(nonce);
    if (bytes === null) return "invalid";
    const expected = this.#mac(bytes.subarray(0, TIME_BYTES + RANDOM_BYTES));
    if (!timingSafeEqual(expected, bytes.subarray(TIME_BYTES + RANDOM_BYTES))) return "invalid";
    const age = now - readTime(bytes);
    return age > this.ttlMs || age < -this.ttlMs ? "stale" : "valid";
  }

  #mac(timeAndRandom: Uint8Array): Buffer {
    return createHmac("sha256", this.#secret).update(timeAndRandom).update(this.#realm).digest();
  }
}

/**
 * The issue time written in a nonce, or null if it is not nonce-shaped. Says nothing about
 * authenticity: call it only on nonces `verifyNonce` accepted.
 */
export function nonceIssuedAt(nonce: string): number | null {
  const bytes = decodeNonce(nonce);
  return bytes === null ? null : readTime(bytes);
}

function decodeNonce(nonce: string): Buffer | null {
  if (typeof nonce !== "string" || !NONCE_SYNTAX.test(nonce)) return null;
  const bytes = Buffer.from(nonce, "base64url");
  // Only the canonical spelling is ours: the last character carries 2 spare bits, and two
  // spellings of one nonce would be two keys in the nonce-count table.
  if (bytes.length !== NONCE_BYTES || bytes.toString("base64url") !== nonce) return null;
  return bytes;
}

function writeTime(buf: Buffer, now: number): void {
  const t = Math.max(0, Math.floor(now));
  if (!Number.isSafeInteger(t)) throw new RangeError(`bad clock value ${now}`);
  buf.writeUInt32BE(Math.floor(t / 2 ** 32), 0);
  buf.writeUInt32BE(t % 2 ** 32, 4);
}

function readTime(bytes: Buffer): number {
  return (bytes.readUInt32BE(0) * 2 ** 32) + bytes.readUInt32BE(4);
}

export type NonceCountVerdict = "ok" | "replay";

interface NonceUse {
  /** Highest nc accepted; Infinity once the nonce was used without qop. */
  nc: number;
  issuedAt: number;
}

export interface NonceCountTrackerOptions {
  ttlMs: number;
  /** Bound on remembered nonces (default 100,000: a few tens of MB at worst). */
  maxEntries?: number;
}

/**
 * Highest nonce count seen per nonce, in a bounded LRU (RFC 7616 §3.4: the server checks nc
 * "to detect request replays"; §5.5). Feed it only credentials whose response verified,
 * so that nobody without the password can poison a nonce's count.
 *
 * - With qop, nc must strictly increase per nonce. Requests arriving out of order on one
 *   nonce therefore see the late one refused as a replay; the authenticator answers a
 *   replay of a correct digest with stale=true, so an honest client just retries.
 * - Without qop (RFC 2069 / RFC 2617 §3.2.2.1 compatibility) there is no counter, so the
 *   safe reading is "each nonce authenticates one request": a second use of the nonce, with
 *   or without qop, is a replay. Such clients take a 401 before every request.
 * - Eviction must not reopen a nonce: evicting a live entry raises a floor, and any nonce
 *   issued at or before the floor that is not in the table counts as a replay. Honest
 *   clients holding such a nonce get one stale=true 401; nothing old is ever accepted twice.
 */
export class NonceCountTracker {
  readonly #ttlMs: number;
  readonly #max: number;
  readonly #uses = new Map<string, NonceUse>();
  #floor = Number.NEGATIVE_INFINITY;

  constructor(opts: NonceCountTrackerOptions) {
    this.#ttlMs = opts.ttlMs;
    this.#max = Math.max(1, opts.maxEntries ?? 100_000);
  }

  get size(): number {
    return this.#uses.size;
  }

  /**
   * `nonce` identifies the counter (the authenticator passes username + nonce); `nc` is the
   * parsed nonce count, or null for credentials without qop.
   */
  use(nonce: string, issuedAt: number, nc: number | null, now: number): NonceCountVerdict {
    const seen = this.#uses.get(nonce);
    if (seen === undefined) {
      if (issuedAt <= this.#floor) return "replay";
    } else if (nc === null || nc <= seen.nc) {
      return "replay";
    }
    this.#uses.delete(nonce); // re-insert at the tail: Map order is the LRU order
    this.#uses.set(nonce, { nc: nc ?? Number.POSITIVE_INFINITY, issuedAt });
    this.#evict(now);
    return "ok";
  }

  #evict(now: number): void {
    // Drop up to two expired entries from the LRU head on every use, so the table shrinks
    // back after a burst without a timer; then enforce the bound.
    for (let k = 0; k < 2; k++) {
      const head = this.#uses.entries().next();
      if (head.done === true || this.#isLive(head.value[1], now)) break;
      this.#uses.delete(head.value[0]);
    }
    while (this.#uses.size > this.#max) {
      const head = this.#uses.entries().next();
      if (head.done === true) break;
      const [nonce, use] = head.value;
      // An expired nonce is refused as stale anyway, so forgetting it needs no floor.
      if (this.#isLive(use, now)) this.#floor = Math.max(this.#floor, use.issuedAt);
      this.#uses.delete(nonce);
    }
  }

  #isLive(use: NonceUse, now: number): boolean {
    const age = now - use.issuedAt;
    return age <= this.#ttlMs && age >= -this.#ttlMs;
  }
}
