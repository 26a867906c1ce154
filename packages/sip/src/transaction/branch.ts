/**
 * Via branch parameters (RFC 3261 §8.1.1.7): unique across space and time for every
 * request a UA sends (except CANCEL and the ACK for a non-2xx, which reuse the INVITE's),
 * and starting with the magic cookie "z9hG4bK". Randomness is an input.
 */
import { BRANCH_MAGIC_COOKIE } from "../parse-via.js";

const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/** A uniform random number in [0, 1), like Math.random; the adapter passes a CSPRNG-backed one. */
export type RandomSource = () => number;

/** "z9hG4bK" + `length` random characters (20 × log2(62) ≈ 119 bits by default). */
export function createBranch(random: RandomSource, length = 20): string {
  let out = BRANCH_MAGIC_COOKIE;
  for (let i = 0; i < length; i++) out += ALPHABET[Math.floor(random() * ALPHABET.length) % ALPHABET.length];
  return out;
}

/**
 * True when the branch identifies the transaction on its own (RFC 3261 §17.2.3). A branch
 * that is only the cookie carries no identifier (RFC 4475 §3.1.3.1 "badbranch"): we fall
 * back to RFC 2543 matching for it, as that clause allows. The comparison ignores case
 * (RFC 3261 §7.3.1: parameter values are case-insensitive unless stated otherwise).
 */
export function isRfc3261Branch(branch: string | null): branch is string {
  return branch !== null && branch.length > BRANCH_MAGIC_COOKIE.length && branch.slice(0, BRANCH_MAGIC_COOKIE.length).toLowerCase() === BRANCH_MAGIC_COOKIE.toLowerCase();
}
