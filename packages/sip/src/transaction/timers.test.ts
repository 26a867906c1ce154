import { test } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_TIMER_SETTINGS, initialTimerValue, nextFiring, TIMER_NAMES, TimerSet } from "./timers.js";

test("Table 4 values with T1 = 500, T2 = 4000, T4 = 5000, unreliable and reliable", () => {
  const s = DEFAULT_TIMER_SETTINGS;
  const udp = Object.fromEntries(TIMER_NAMES.map((n) => [n, initialTimerValue(n, s, false)]));
  const tcp = Object.fromEntries(TIMER_NAMES.map((n) => [n, initialTimerValue(n, s, true)]));
  assert.deepEqual(udp, {
    timerA: 500, timerB: 32_000, timerC: 180_000, timerD: 32_000, timerE: 500, timerF: 32_000, timerG: 500,
    timerH: 32_000, timerI: 5000, timerJ: 32_000, timerK: 5000, timerL: 32_000, timerM: 32_000, timerTrying: 200,
  });
  assert.deepEqual(tcp, { ...udp, timerD: 0, timerI: 0, timerJ: 0, timerK: 0 });
});

test("TimerSet: earliest first; a timeout wins a tie with a retransmission", () => {
  const t = new TimerSet();
  t.start("timerE", 8000);
  t.start("timerF", 8000);
  t.start("timerA", 100);
  assert.equal(t.next(), 100);
  assert.equal(t.takeDue(50), null);
  assert.deepEqual(t.takeDue(9000), { name: "timerA", at: 100 });
  assert.deepEqual(t.takeDue(9000), { name: "timerF", at: 8000 });
  assert.deepEqual(t.takeDue(9000), { name: "timerE", at: 8000 });
  assert.equal(t.next(), null);
});

test("nextFiring keeps the schedule exact when on time and never lands in the past", () => {
  assert.equal(nextFiring(500, 1000, 500), 1500);
  assert.equal(nextFiring(500, 1000, 600), 1500);
  assert.equal(nextFiring(500, 1000, 2000), 3000);
});
