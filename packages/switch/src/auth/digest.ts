// The digest response computation of RFC 7616 §3.4.1–3.4.3 (SHA-256, MD5 and their -sess
// variants) and RFC 2617 §3.2.2.1 (no qop: the RFC 2069 compatibility form), starting
// from a stored HA1 (see ha1.ts) rather than from a password.
import { createHash, timingSafeEqual } from "node:crypto";

export const DIGEST_ALGORITHMS = ["MD5", "MD5-sess", "SHA-256", "SHA-256-sess"] as const;
export type DigestAlgorithm = (typeof DIGEST_ALGORITHMS)[number];

/** The hash function under an algorithm, which also names the HA1 it needs. */
export type DigestHash = "MD5" | "SHA-256";

export function hashOf(algorithm: DigestAlgorithm): DigestHash {
  return algorithm === "MD5" || algorithm === "MD5-sess" ? "MD5" : "SHA-256";
}

export function isSessAlgorithm(algorithm: DigestAlgorithm): boolean {
  return algorithm.endsWith("-sess");
}

/** Hex digits in H(): 32 for MD5, 64 for SHA-256. */
export function hexLength(hash: DigestHash): number {
  return hash === "MD5" ? 32 : 64;
}

/**
 * The `algorithm` parameter of a challenge or credentials. RFC 7616 §3.3: absent means MD5.
 * Compared case-insensitively (phones send "md5"); unknown values give null.
 */
export function parseDigestAlgorithm(value: string | undefined): DigestAlgorithm | null {
  if (value === undefined) return "MD5";
  const lower = value.toLowerCase();
  for (const a of DIGEST_ALGORITHMS) if (a.toLowerCase() === lower) return a;
  return null;
}

/** Lower-case hex of H(data), data encoded as UTF-8 (RFC 7616 §3.4.1, charset=UTF-8). */
export function digestHex(hash: DigestHash, data: string): string {
  return createHash(hash === "MD5" ? "md5" : "sha256").update(data, "utf8").digest("hex");
}

export interface DigestInput {
  algorithm: DigestAlgorithm;
  /** hex H(username:realm:password) for the algorithm's hash (ha1Md5 or ha1Sha256). */
  ha1: string;
  method: string;
  /** The digest `uri` parameter exactly as the client sent it: the client hashed that text. */
  uri: string;
  nonce: string;
  /** qop=auth with its nonce count (8 hex digits, as sent) and cnonce; null when the client sent no qop. */
  qop: { qop: string; nc: string; cnonce: string } | null;
}

/**
 * The expected `response` (lower-case hex), or null when the inputs cannot produce one:
 * a -sess algorithm without qop has no cnonce to build A1 from (RFC 2617 §3.2.2: cnonce
 * MUST NOT be sent without qop, and -sess A1 needs it).
 */
export function computeDigestResponse(input: DigestInput): string | null {
  const hash = hashOf(input.algorithm);
  let ha1 = input.ha1.toLowerCase();
  if (isSessAlgorithm(input.algorithm)) {
    // RFC 7616 §3.4.2: A1 = H(user:realm:passwd) ":" nonce ":" cnonce for "-sess".
    if (input.qop === null) return null;
    ha1 = digestHex(hash, `${ha1}:${input.nonce}:${input.qop.cnonce}`);
  }
  // RFC 7616 §3.4.3: A2 = Method ":" request-uri for qop=auth (and for no qop, RFC 2617 §3.2.2.3).
  const ha2 = digestHex(hash, `${input.method}:${input.uri}`);
  if (input.qop === null) {
    // RFC 2617 §3.2.2.1: request-digest = KD(H(A1), nonce ":" H(A2)) when qop is absent.
    return digestHex(hash, `${ha1}:${input.nonce}:${ha2}`);
  }
  // RFC 7616 §3.4.1: response = KD(H(A1), nonce ":" nc ":" cnonce ":" qop ":" H(A2)).
  const { qop, nc, cnonce } = input.qop;
  return digestHex(hash, `${ha1}:${input.nonce}:${nc}:${cnonce}:${qop}:${ha2}`);
}

/**
 * Constant-time comparison of two ASCII strings. Only the lengths (which are public: the
 * algorithm fixes them) affect the running time; unequal lengths still compare a full
 * buffer so the early exit does not show.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const ba = Buffer.from(a, "utf8");
  const bb = Buffer.from(b, "utf8");
  if (ba.length !== bb.length) {
    timingSafeEqual(ba, ba);
    return false;
  }
  return timingSafeEqual(ba, bb);
}

const HEX = /^[0-9a-fA-F]+$/;

/** True for a hex string of exactly the length `hash` produces. */
export function isDigestHex(hash: DigestHash, s: string): boolean {
  return s.length === hexLength(hash) && HEX.test(s);
}
