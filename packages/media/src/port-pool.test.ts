import { test } from "node:test";
import assert from "node:assert/strict";
import { checkPortPoolOptions, PortPool, type PortAllocateResult, type PortAllocation } from "./port-pool.js";

function ok(result: PortAllocateResult): PortAllocation {
  assert.ok(result.ok, result.ok ? "" : result.message);
  return result;
}

test("pair mode: even RTP ports with RTCP = RTP + 1, ascending", () => {
  const pool = new PortPool({ min: 20000, max: 29999 });
  assert.equal(pool.capacity, 5000);
  assert.equal(pool.available, 5000);
  const a = ok(pool.allocate(0));
  const b = ok(pool.allocate(0));
  const c = ok(pool.allocate(0));
  assert.deepEqual([a.rtpPort, a.rtcpPort], [20000, 20001]);
  assert.deepEqual([b.rtpPort, b.rtcpPort], [20002, 20003]);
  assert.deepEqual([c.rtpPort, c.rtcpPort], [20004, 20005]);
  assert.equal(pool.inUse, 3);
  assert.equal(pool.available, 4997);
});

test("every pair of a small range once, then a clear exhaustion error", () => {
  const pool = new PortPool({ min: 30000, max: 30007, quarantineMs: 1000 });
  const ports = [0, 1, 2, 3].map(() => ok(pool.allocate(0)).rtpPort);
  assert.deepEqual(ports, [30000, 30002, 30004, 30006]);
  const r = pool.allocate(0);
  assert.equal(r.ok, false);
  assert.ok(!r.ok);
  assert.equal(r.error, "exhausted");
  assert.equal(r.message, "RTP port pool 30000–30007 exhausted: 4 pairs, 4 in use, 0 in quarantine, 0 unusable");
  pool.release(30002, 500);
  const again = pool.allocate(600);
  assert.ok(!again.ok);
  assert.match(again.message, /3 in use, 1 in quarantine, 0 unusable; next frees at t=1500 ms/);
});

test("quarantine: a released pair comes back after quarantineMs, least recently released first", () => {
  const pool = new PortPool({ min: 40000, max: 40005, quarantineMs: 2000 });
  const a = ok(pool.allocate(0)).rtpPort; // 40000
  ok(pool.allocate(0)); // 40002
  pool.release(a, 100);
  assert.equal(pool.inUse, 1);
  assert.equal(pool.quarantined, 1);
  assert.equal(ok(pool.allocate(200)).rtpPort, 40004); // 40000 is still quarantined
  assert.equal(pool.allocate(2099).ok, false); // 1 ms early
  assert.equal(ok(pool.allocate(2100)).rtpPort, 40000);
  assert.equal(pool.quarantined, 0);

  // Reuse order follows release order, not port order.
  pool.release(40004, 3000);
  pool.release(40000, 3001);
  pool.release(40002, 3002);
  pool.reclaim(10_000);
  assert.equal(pool.available, 3);
  assert.deepEqual([0, 1, 2].map(() => ok(pool.allocate(10_000)).rtpPort), [40004, 40000, 40002]);
});

test("ports never allocated come before released ones", () => {
  const pool = new PortPool({ min: 20000, max: 20005, quarantineMs: 0 });
  const a = ok(pool.allocate(0)).rtpPort;
  pool.release(a, 0);
  assert.equal(ok(pool.allocate(0)).rtpPort, 20002);
  assert.equal(ok(pool.allocate(0)).rtpPort, 20004);
  assert.equal(ok(pool.allocate(0)).rtpPort, 20000);
});

test("markUnusable skips a pair a foreign process holds, until unusableMs", () => {
  const pool = new PortPool({ min: 20000, max: 20003, quarantineMs: 10, unusableMs: 60_000 });
  const a = ok(pool.allocate(0));
  pool.markUnusable(a.rtpPort, 0); // bind failed: retry with the next pair
  assert.equal(pool.unusable, 1);
  assert.equal(pool.inUse, 0);
  const b = ok(pool.allocate(0));
  assert.equal(b.rtpPort, 20002);
  pool.release(b.rtpPort, 5);
  assert.equal(ok(pool.allocate(100)).rtpPort, 20002); // quarantine over, 20000 still unusable
  const r = pool.allocate(100);
  assert.ok(!r.ok);
  assert.match(r.message, /1 in use, 0 in quarantine, 1 unusable; next frees at t=60000 ms/);
  assert.equal(ok(pool.allocate(60_000)).rtpPort, 20000);
  assert.equal(pool.unusable, 0);
});

test("release and markUnusable refuse ports that are not allocated", () => {
  const pool = new PortPool({ min: 20000, max: 20003 });
  const a = ok(pool.allocate(0)).rtpPort;
  assert.throws(() => pool.release(20002, 0), /release\(20002\): port is not allocated \(free\)/);
  assert.throws(() => pool.release(20001, 0), /not an RTP port of this pool \(RTCP port of pair 20000\?\)/);
  assert.throws(() => pool.release(19998, 0), /port outside the pool/);
  pool.release(a, 0);
  assert.throws(() => pool.release(a, 1), /not allocated \(in quarantine after release\)/);
  assert.throws(() => pool.markUnusable(a, 1), /markUnusable\(20000\): port is not allocated/);
});

test("single-port (rtcp-mux) mode uses every port, RTCP on the same port", () => {
  const pool = new PortPool({ min: 20001, max: 20003, mode: "single" });
  assert.equal(pool.capacity, 3);
  const a = ok(pool.allocate(0));
  assert.deepEqual([a.rtpPort, a.rtcpPort], [20001, 20001]);
  assert.equal(ok(pool.allocate(0)).rtpPort, 20002);
  assert.equal(ok(pool.allocate(0)).rtpPort, 20003);
  const r = pool.allocate(0);
  assert.ok(!r.ok);
  assert.match(r.message, /exhausted: 3 ports, 3 in use/);
});

test("invalid ranges are refused with a reason", () => {
  assert.deepEqual(checkPortPoolOptions({ min: 20000, max: 29999 }), []);
  assert.deepEqual(checkPortPoolOptions({ min: 20001, max: 29999 }), ["min port 20001 is odd: RTP ports are even (RFC 3550 §11), start at 20002 or 20000"]);
  assert.deepEqual(checkPortPoolOptions({ min: 20000, max: 30000 }), ["max port 30000 is even: the last pair needs its odd RTCP port (RFC 3550 §11), end at 30001 or 29999"]);
  assert.deepEqual(checkPortPoolOptions({ min: 30000, max: 20001 }), ["range 30000–20001 is reversed (min > max)"]);
  assert.deepEqual(checkPortPoolOptions({ min: 1000, max: 70001 }), ["min port 1000 outside 1024–65535", "max port 70001 outside 1024–65535"]);
  assert.deepEqual(checkPortPoolOptions({ min: 20000.5, max: 20003 }), ["min port 20000.5 outside 1024–65535"]);
  assert.deepEqual(checkPortPoolOptions({ min: 20001, max: 20001, mode: "single" }), []);
  assert.deepEqual(checkPortPoolOptions({ min: 20000, max: 20001, quarantineMs: -1 }), ["quarantineMs must be a finite number ≥ 0, got -1"]);
  assert.throws(() => new PortPool({ min: 20001, max: 29999 }), { name: "RangeError", message: /^RTP port pool 20001–29999: min port 20001 is odd/ });
  assert.throws(() => new PortPool({ min: 1024, max: 65536 }), /max port 65536 outside 1024–65535/);
  const full = new PortPool({ min: 1024, max: 65535 });
  assert.equal(full.capacity, 32256);
});
