import { test } from "node:test";
import assert from "node:assert/strict";
import { BruteForceGuard, countsAsFailure } from "./brute-force-guard.js";
import type { AuthChallengeReason } from "./digest-authenticator.js";

const T0 = 1_700_000_000_000;
const opts = { maxFailures: 3, windowMs: 60_000, blockMs: 600_000 };

test("blocks after N failures within the window, unblocks after blockMs", () => {
  const g = new BruteForceGuard(opts);
  assert.equal(g.recordFailure("10.0.0.9", T0), false);
  assert.equal(g.recordFailure("10.0.0.9", T0 + 1000), false);
  assert.equal(g.isBlocked("10.0.0.9", T0 + 1000), false);
  assert.equal(g.recordFailure("10.0.0.9", T0 + 2000), true);
  assert.equal(g.isBlocked("10.0.0.9", T0 + 2000), true);
  assert.equal(g.isBlocked("10.0.0.8", T0 + 2000), false);
  assert.deepEqual(g.blocked(T0 + 2000), [{ ip: "10.0.0.9", until: T0 + 602_000, failures: 3 }]);
  // Failures while blocked are not counted and do not extend the block.
  assert.equal(g.recordFailure("10.0.0.9", T0 + 3000), false);
  assert.equal(g.isBlocked("10.0.0.9", T0 + 601_999), true);
  assert.equal(g.isBlocked("10.0.0.9", T0 + 602_000), false);
  assert.deepEqual(g.blocked(T0 + 602_000), []);
  // After the block the count starts from zero.
  assert.equal(g.recordFailure("10.0.0.9", T0 + 602_001), false);
  assert.equal(g.recordFailure("10.0.0.9", T0 + 602_002), false);
  assert.equal(g.recordFailure("10.0.0.9", T0 + 602_003), true);
});

test("the window slides: old failures stop counting", () => {
  const g = new BruteForceGuard(opts);
  g.recordFailure("ip", T0);
  g.recordFailure("ip", T0 + 30_000);
  // T0 is out of the window at T0 + 60 s (a failure counts while now - t < windowMs).
  assert.equal(g.recordFailure("ip", T0 + 60_000), false);
  assert.equal(g.isBlocked("ip", T0 + 60_000), false);
  // T0 + 30 s, T0 + 60 s and this one are within 60 s.
  assert.equal(g.recordFailure("ip", T0 + 89_999), true);
});

test("a success clears failures at most once per window; it never lifts a block", () => {
  const g = new BruteForceGuard(opts);
  g.recordFailure("ip", T0);
  g.recordFailure("ip", T0 + 1);
  g.recordSuccess("ip", T0 + 2); // clears
  g.recordFailure("ip", T0 + 3);
  g.recordFailure("ip", T0 + 4);
  g.recordSuccess("ip", T0 + 5); // too soon after the last reset: ignored
  assert.equal(g.recordFailure("ip", T0 + 6), true);
  g.recordSuccess("ip", T0 + 7);
  assert.equal(g.isBlocked("ip", T0 + 7), true);
});

test("sources are counted separately", () => {
  const g = new BruteForceGuard(opts);
  for (let i = 0; i < 2; i++) {
    g.recordFailure("a", T0 + i);
    g.recordFailure("b", T0 + i);
  }
  assert.equal(g.isBlocked("a", T0 + 5), false);
  assert.equal(g.recordFailure("a", T0 + 5), true);
  assert.equal(g.isBlocked("b", T0 + 5), false);
});

test("loopback is not exempt", () => {
  const g = new BruteForceGuard({ ...opts, maxFailures: 1 });
  assert.equal(g.recordFailure("127.0.0.1", T0), true);
  assert.equal(g.isBlocked("127.0.0.1", T0), true);
});

test("memory is bounded; live blocks outlast idle sources", () => {
  const g = new BruteForceGuard({ ...opts, maxFailures: 2, maxTrackedIps: 4 });
  g.recordFailure("blocked", T0);
  g.recordFailure("blocked", T0);
  for (let i = 0; i < 50; i++) g.recordFailure(`scan-${i}`, T0 + i);
  assert.equal(g.trackedCount, 4);
  assert.equal(g.isBlocked("blocked", T0 + 100), true);
  // When every tracked source is blocked, the least recently active block gives way.
  const h = new BruteForceGuard({ ...opts, maxFailures: 1, maxTrackedIps: 2 });
  h.recordFailure("x", T0);
  h.recordFailure("y", T0 + 1);
  h.recordFailure("z", T0 + 2);
  assert.deepEqual(h.blocked(T0 + 3).map((b) => b.ip), ["y", "z"]);
});

test("prune forgets idle sources only", () => {
  const g = new BruteForceGuard(opts);
  g.recordFailure("idle", T0);
  g.recordFailure("recent", T0 + 59_000);
  for (let i = 0; i < 3; i++) g.recordFailure("blocked", T0 + i);
  g.prune(T0 + 60_000);
  assert.equal(g.trackedCount, 2);
  g.prune(T0 + 700_000);
  assert.equal(g.trackedCount, 0);
});

test("what counts as a failure", () => {
  const c = (reason: AuthChallengeReason): boolean => countsAsFailure({ outcome: "challenge", stale: false, reason });
  assert.equal(c("bad-credentials"), true);
  assert.equal(c("unknown-user"), true);
  assert.equal(c("replay"), true);
  for (const r of ["missing", "stale", "malformed", "realm-mismatch", "uri-mismatch"] as const) assert.equal(c(r), false, r);
  assert.equal(countsAsFailure({ outcome: "ok", username: "1001" }), false);
});

test("configuration errors are reported at construction", () => {
  assert.throws(() => new BruteForceGuard({ ...opts, maxFailures: 0 }), /maxFailures/);
  assert.throws(() => new BruteForceGuard({ ...opts, windowMs: 0 }), /positive/);
});
