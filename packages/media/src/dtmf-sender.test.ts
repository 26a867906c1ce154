import { test } from "node:test";
import assert from "node:assert/strict";
import { planDtmf, DtmfSender, type DtmfPacket } from "./dtmf-sender.js";
import { DtmfReceiver } from "./dtmf-receiver.js";
import { parseTelephoneEvent } from "./telephone-event.js";

const summary = (ps: DtmfPacket[]): [number, boolean, number, boolean][] => ps.map((p) => [p.at, p.marker, p.event.duration, p.event.end]);

test("digit '5' for 120 ms at 8 kHz: marker start, 50 ms updates, three end packets", () => {
  const ps = planDtmf("5", 48000, 1000, 120);
  assert.deepEqual(summary(ps), [
    [1000, true, 400, false],
    [1050, false, 800, false],
    [1100, false, 960, false],
    [1150, false, 960, true],
    [1200, false, 960, true],
    [1250, false, 960, true],
  ]);
  for (const p of ps) {
    assert.equal(p.timestamp, 48000, "every packet carries the start timestamp");
    assert.equal(p.event.event, 5);
    assert.equal(p.event.volume, 10);
    assert.deepEqual(parseTelephoneEvent(p.payload), p.event);
  }
  assert.deepEqual([...ps[0]!.payload], [5, 10, 0x01, 0x90]);
  assert.deepEqual([...ps[3]!.payload], [5, 0x8a, 0x03, 0xc0]);
});

test("options: 16 kHz clock, 20 ms interval, volume, end repeats", () => {
  const ps = planDtmf("#", 0, 0, 60, { clockRate: 16000, intervalMs: 20, volume: 6, endRepeats: 2 });
  assert.deepEqual(summary(ps), [
    [0, true, 320, false],
    [20, false, 640, false],
    [40, false, 960, false],
    [60, false, 960, true],
    [80, false, 960, true],
  ]);
  assert.ok(ps.every((p) => p.event.event === 11 && p.event.volume === 6));
});

test("a digit shorter than one interval is one start packet and the ends", () => {
  assert.deepEqual(summary(planDtmf("0", 0, 0, 40)), [
    [0, true, 320, false],
    [50, false, 320, true],
    [100, false, 320, true],
    [150, false, 320, true],
  ]);
});

test("what cannot be sent is refused", () => {
  assert.throws(() => planDtmf("X" as "1", 0, 0, 100), RangeError);
  assert.throws(() => planDtmf("1", 0, 0, 0), RangeError);
  assert.throws(() => planDtmf("1", 0, 0, 8200), RangeError, "over 0xFFFF units at 8 kHz");
  assert.throws(() => planDtmf("1", 0, 0, 100, { intervalMs: 0 }), RangeError);
  assert.throws(() => planDtmf(300, 0, 0, 100), RangeError);
  assert.equal(planDtmf(16, 0, 0, 100)[0]?.event.event, 16, "non-DTMF event codes by number");
  assert.equal(planDtmf("a", 0, 0, 100)[0]?.event.event, 12);
});

test("DtmfSender hands out packets as they fall due (fake clock)", () => {
  const tx = new DtmfSender();
  const first = tx.send("9", 160, 100, 5000);
  assert.deepEqual(summary(first), [[5000, true, 400, false]]);
  assert.equal(tx.busy, true);
  assert.equal(tx.nextDeadline(), 5050);
  assert.deepEqual(tx.tick(5049), []);
  assert.deepEqual(summary(tx.tick(5050)), [[5050, false, 800, false]]);
  assert.equal(tx.nextDeadline(), 5100);
  assert.throws(() => tx.send("1", 0, 100, 5060), /still being sent/);
  // A late tick hands out everything that fell due, in order.
  assert.deepEqual(summary(tx.tick(5210)), [
    [5100, false, 800, true],
    [5150, false, 800, true],
    [5200, false, 800, true],
  ]);
  assert.equal(tx.busy, false);
  assert.equal(tx.nextDeadline(), null);
  assert.equal(tx.send("1", 2000, 100, 6000)[0]?.event.event, 1, "ready for the next digit");
});

test("sender → receiver: one digit per event for every single lost packet, and when all ends but one are lost", () => {
  const plan = planDtmf("7", 8000, 0, 200);
  const patterns: number[][] = plan.map((_, i) => [i]); // lose packet i
  patterns.push([plan.length - 3, plan.length - 2], [0, 1, 2, 3, plan.length - 1]);
  for (const lost of patterns) {
    const rx = new DtmfReceiver();
    const digits: string[] = [];
    plan.forEach((p, i) => {
      if (lost.includes(i)) return;
      for (const a of rx.receive({ marker: p.marker, timestamp: p.timestamp, ssrc: 1 }, p.payload, p.at)) if (a.type === "dtmf-digit") digits.push(`${a.digit}:${a.duration}`);
    });
    assert.deepEqual(digits, ["7:1600"], `lost ${lost.join(",")}`);
  }
});

test("sender → receiver: every end packet lost, the timeout still gives the digit once", () => {
  const plan = planDtmf("*", 0, 0, 100).filter((p) => !p.event.end);
  const rx = new DtmfReceiver();
  const actions = plan.flatMap((p) => rx.receive({ marker: p.marker, timestamp: p.timestamp, ssrc: 1 }, p.payload, p.at));
  const deadline = rx.nextDeadline();
  assert.equal(deadline, 50 + 250);
  actions.push(...rx.tick(deadline!));
  assert.deepEqual(
    actions.filter((a) => a.type === "dtmf-digit").map((a) => [a.digit, a.ending]),
    [["*", "timeout"]],
  );
});
