import { test } from "node:test";
import assert from "node:assert/strict";
import { NonceCountTracker, NonceIssuer, nonceIssuedAt } from "./nonce.js";

/** Deterministic randomness: a counter spread over the requested bytes. */
function counterRandom(): (n: number) => Uint8Array {
  let k = 0;
  return (n) => Uint8Array.from({ length: n }, (_, i) => (k * 31 + i * 7 + 1) & 0xff, k++);
}

const secret = new Uint8Array(32).fill(7);
const T0 = 1_700_000_000_000;
const TTL = 30_000;

function issuer(overrides: Partial<{ secret: Uint8Array; realm: string }> = {}): NonceIssuer {
  return new NonceIssuer({ secret, realm: "hotline", ttlMs: TTL, randomBytes: counterRandom(), ...overrides });
}

test("a fresh nonce is valid, base64url, 75 chars, and carries its issue time", () => {
  const n = issuer().issue(T0);
  assert.match(n, /^[A-Za-z0-9_-]{75}$/);
  assert.equal(nonceIssuedAt(n), T0);
  assert.equal(issuer().verifyNonce(n, T0), "valid");
  assert.equal(issuer().verifyNonce(n, T0 + TTL), "valid");
});

test("nonces differ by randomness; deterministic random gives reproducible nonces", () => {
  const a = issuer();
  assert.notEqual(a.issue(T0), a.issue(T0));
  assert.equal(issuer().issue(T0), issuer().issue(T0));
});

test("after the TTL an authentic nonce is stale; far-future ones too", () => {
  const n = issuer().issue(T0);
  assert.equal(issuer().verifyNonce(n, T0 + TTL + 1), "stale");
  assert.equal(issuer().verifyNonce(n, T0 - TTL - 1), "stale");
  assert.equal(issuer().verifyNonce(n, T0 - 1000), "valid");
});

test("tampered, foreign or malformed nonces are invalid", () => {
  const n = issuer().issue(T0);
  const flip = (i: number): string => n.slice(0, i) + (n[i] === "A" ? "B" : "A") + n.slice(i + 1);
  assert.equal(issuer().verifyNonce(flip(3), T0), "invalid"); // the time
  assert.equal(issuer().verifyNonce(flip(20), T0), "invalid"); // the random part
  assert.equal(issuer().verifyNonce(flip(60), T0), "invalid"); // the MAC
  assert.equal(issuer({ secret: new Uint8Array(32).fill(8) }).verifyNonce(n, T0), "invalid");
  assert.equal(issuer({ realm: "other" }).verifyNonce(n, T0), "invalid");
  for (const bad of ["", "abc", `${n}A`, n.slice(1), n.replace(/.$/, "+"), "dcd98b7102dd2f0e8b11d0f600bfb0c093"]) {
    assert.equal(issuer().verifyNonce(bad, T0), "invalid", bad);
  }
});

test("only the canonical base64url spelling is accepted", () => {
  const n = issuer().issue(T0);
  // The last of 75 chars carries 4 data bits and 2 spare bits; set a spare bit.
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const last = alphabet.indexOf(n.slice(-1));
  const variant = n.slice(0, -1) + alphabet[last ^ 1];
  assert.equal(Buffer.from(variant, "base64url").equals(Buffer.from(n, "base64url")), true);
  assert.equal(issuer().verifyNonce(variant, T0), "invalid");
});

test("configuration errors are reported at construction", () => {
  assert.throws(() => new NonceIssuer({ secret: new Uint8Array(8), realm: "r", ttlMs: TTL, randomBytes: counterRandom() }), /16 bytes/);
  assert.throws(() => new NonceIssuer({ secret, realm: "r", ttlMs: 0, randomBytes: counterRandom() }), /TTL/);
  assert.throws(() => new NonceIssuer({ secret, realm: "r", ttlMs: TTL, randomBytes: () => new Uint8Array(3) }).issue(T0), /returned 3/);
});

test("nc must increase per nonce; a repeat or a lower nc is a replay", () => {
  const t = new NonceCountTracker({ ttlMs: TTL });
  assert.equal(t.use("n1", T0, 1, T0), "ok");
  assert.equal(t.use("n1", T0, 2, T0), "ok");
  assert.equal(t.use("n1", T0, 2, T0), "replay");
  assert.equal(t.use("n1", T0, 1, T0), "replay");
  assert.equal(t.use("n1", T0, 5, T0), "ok"); // gaps are fine
  assert.equal(t.use("n2", T0, 1, T0), "ok"); // counts are per nonce
});

test("without qop a nonce authenticates one request only", () => {
  const t = new NonceCountTracker({ ttlMs: TTL });
  assert.equal(t.use("n", T0, null, T0), "ok");
  assert.equal(t.use("n", T0, null, T0), "replay");
  assert.equal(t.use("n", T0, 9, T0), "replay");
  assert.equal(t.use("m", T0, 1, T0), "ok");
  assert.equal(t.use("m", T0, null, T0), "replay");
});

test("the table is bounded and eviction never reopens a nonce", () => {
  const t = new NonceCountTracker({ ttlMs: TTL, maxEntries: 3 });
  for (let i = 0; i < 5; i++) assert.equal(t.use(`n${i}`, T0 + i, 1, T0 + 10), "ok");
  assert.equal(t.size, 3);
  // n0 and n1 were evicted while live: replaying them is refused...
  assert.equal(t.use("n0", T0, 1, T0 + 10), "replay");
  assert.equal(t.use("n1", T0 + 1, 2, T0 + 10), "replay");
  // ...and so is any unseen nonce issued no later than the newest evicted one,
  assert.equal(t.use("older", T0 - 5, 1, T0 + 10), "replay");
  // while newer nonces are unaffected.
  assert.equal(t.use("n9", T0 + 9, 1, T0 + 10), "ok");
});

test("expired entries drain from the LRU head without raising the floor", () => {
  const t = new NonceCountTracker({ ttlMs: TTL, maxEntries: 100 });
  for (let i = 0; i < 10; i++) t.use(`old${i}`, T0, 1, T0);
  const later = T0 + TTL + 1;
  for (let i = 0; i < 5; i++) t.use(`new${i}`, later, 1, later);
  assert.equal(t.size, 5); // each use dropped up to two expired heads
  assert.equal(t.use("fresh", later - 1, 1, later), "ok"); // no floor was raised
});
