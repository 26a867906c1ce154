import { test } from "node:test";
import assert from "node:assert/strict";
import { DtmfReceiver, type DtmfReceiverAction, type RtpEventHeader } from "./dtmf-receiver.js";
import { buildTelephoneEvent } from "./telephone-event.js";
import { xorshift32 } from "./testing/xorshift.js";

const SSRC = 0x1234;

interface Pkt {
  header: RtpEventHeader;
  payload: Uint8Array;
}

function pkt(timestamp: number, code: number, duration: number, opts: { end?: boolean; marker?: boolean; ssrc?: number; volume?: number } = {}): Pkt {
  return {
    header: { marker: opts.marker ?? false, timestamp, ssrc: opts.ssrc ?? SSRC },
    payload: buildTelephoneEvent({ event: code, end: opts.end ?? false, reserved: false, volume: opts.volume ?? 10, duration }),
  };
}

/** A receiver with a fake clock: `at(t, packet)` delivers at time t. */
function harness(options = {}): { rx: DtmfReceiver; at: (t: number, p: Pkt) => DtmfReceiverAction[]; all: DtmfReceiverAction[]; digits: () => string } {
  const rx = new DtmfReceiver(options);
  const all: DtmfReceiverAction[] = [];
  return {
    rx,
    all,
    at: (t, p) => {
      const out = rx.receive(p.header, p.payload, t);
      all.push(...out);
      return out;
    },
    digits: () =>
      all
        .filter((a) => a.type === "dtmf-digit")
        .map((a) => a.digit ?? "?")
        .join(""),
  };
}

/** The usual event at 8 kHz / 50 ms: start, updates to `updates × 400`, three ends. */
function event(ts: number, code: number, updates: number): Pkt[] {
  const out = [pkt(ts, code, 400, { marker: true })];
  for (let k = 2; k <= updates; k++) out.push(pkt(ts, code, 400 * k));
  for (let j = 0; j < 3; j++) out.push(pkt(ts, code, 400 * updates, { end: true }));
  return out;
}

test("one digit per event despite updates and the three end packets (§2.5.1.2, §2.5.1.4)", () => {
  const h = harness();
  const packets = event(8000, 5, 3);
  const first = h.at(0, packets[0]!);
  assert.deepEqual(first, [{ type: "dtmf-begin", code: 5, digit: "5", timestamp: 8000 }]);
  packets.slice(1).forEach((p, i) => h.at(50 * (i + 1), p));
  const digits = h.all.filter((a) => a.type === "dtmf-digit");
  assert.deepEqual(digits, [{ type: "dtmf-digit", code: 5, digit: "5", timestamp: 8000, duration: 1200, durationMs: 150, volume: 10, ending: "end-bit" }]);
  assert.equal(h.rx.busy, false);
  assert.equal(h.rx.nextDeadline(), null);
});

test("the digit comes on the first end packet; the repeats say nothing", () => {
  const h = harness();
  const [start, end1, end2, end3] = [pkt(0, 1, 400, { marker: true }), pkt(0, 1, 800, { end: true }), pkt(0, 1, 800, { end: true }), pkt(0, 1, 800, { end: true })];
  h.at(0, start);
  assert.equal(h.at(50, end1)[0]?.type, "dtmf-digit");
  assert.deepEqual(h.at(100, end2), []);
  assert.deepEqual(h.at(150, end3), []);
});

test("retransmitted and reordered updates of the same timestamp are the same event", () => {
  const h = harness();
  h.at(0, pkt(0, 9, 400, { marker: true }));
  h.at(1, pkt(0, 9, 400, { marker: true })); // start sent twice
  h.at(50, pkt(0, 9, 1200));
  h.at(51, pkt(0, 9, 800)); // reordered: duration only grows
  h.at(100, pkt(0, 9, 1200, { end: true }));
  h.at(120, pkt(0, 9, 800)); // an update overtaken by the end
  assert.equal(h.digits(), "9");
  assert.equal(h.all.filter((a) => a.type === "dtmf-begin").length, 1);
  const d = h.all.find((a) => a.type === "dtmf-digit");
  assert.equal(d?.type === "dtmf-digit" && d.duration, 1200);
});

test("a lost start packet: the first update (no marker) begins the event", () => {
  const h = harness();
  const out = h.at(50, pkt(160, 0, 800));
  assert.deepEqual(out, [{ type: "dtmf-begin", code: 0, digit: "0", timestamp: 160 }]);
  h.at(100, pkt(160, 0, 1200, { end: true }));
  assert.equal(h.digits(), "0");
});

test("only end packets arrive: begin and digit at once, one digit", () => {
  const h = harness();
  const out = h.at(0, pkt(320, 11, 800, { end: true }));
  assert.deepEqual(
    out.map((a) => a.type),
    ["dtmf-begin", "dtmf-digit"],
  );
  h.at(50, pkt(320, 11, 800, { end: true }));
  assert.equal(h.digits(), "#");
});

test("all end packets lost: the timeout ends the event at nextDeadline, once", () => {
  const h = harness();
  h.at(0, pkt(0, 7, 400, { marker: true }));
  h.at(50, pkt(0, 7, 800));
  assert.equal(h.rx.nextDeadline(), 300, "250 ms after the last packet");
  assert.deepEqual(h.rx.tick(299), []);
  const out = h.rx.tick(300);
  assert.deepEqual(out, [{ type: "dtmf-digit", code: 7, digit: "7", timestamp: 0, duration: 800, durationMs: 100, volume: 10, ending: "timeout" }]);
  assert.equal(h.rx.nextDeadline(), null);
  assert.deepEqual(h.rx.tick(1000), []);
  // An end packet straggling in later belongs to the finished event.
  assert.deepEqual(h.at(400, pkt(0, 7, 800, { end: true })), []);
});

test("a configured end timeout is honoured; updates push the deadline", () => {
  const h = harness({ endTimeoutMs: 1000 });
  h.at(0, pkt(0, 3, 400, { marker: true }));
  assert.equal(h.rx.nextDeadline(), 1000);
  h.at(600, pkt(0, 3, 4800));
  assert.equal(h.rx.nextDeadline(), 1600);
  assert.deepEqual(h.rx.tick(1599), []);
  assert.equal(h.rx.tick(1600)[0]?.type, "dtmf-digit");
});

test("a timeout noticed by the next packet is reported before that packet's actions", () => {
  const h = harness();
  h.at(0, pkt(0, 2, 400, { marker: true }));
  const out = h.at(1000, pkt(8000, 4, 400, { marker: true }));
  assert.deepEqual(
    out.map((a) => [a.type, a.type === "dtmf-digit" ? a.ending : a.digit]),
    [
      ["dtmf-digit", "timeout"],
      ["dtmf-begin", "4"],
    ],
  );
});

test("the same digit twice is two events: different timestamps", () => {
  const h = harness();
  let t = 0;
  for (const p of [...event(0, 5, 2), ...event(1600, 5, 2)]) h.at((t += 50), p);
  assert.equal(h.digits(), "55");
});

test("a new event while the previous one's ends were lost: the old one is superseded", () => {
  const h = harness();
  h.at(0, pkt(0, 1, 400, { marker: true }));
  h.at(50, pkt(0, 1, 800));
  const out = h.at(120, pkt(1200, 2, 400, { marker: true }));
  assert.deepEqual(
    out.map((a) => [a.type, a.digit, a.type === "dtmf-digit" ? a.ending : null]),
    [
      ["dtmf-digit", "1", "superseded"],
      ["dtmf-begin", "2", null],
    ],
  );
  h.at(170, pkt(1200, 2, 800, { end: true }));
  assert.equal(h.digits(), "12");
});

test("late packets of an older event after a newer one began are dropped", () => {
  const h = harness();
  h.at(0, pkt(0, 1, 400, { marker: true }));
  h.at(50, pkt(0, 1, 800, { end: true }));
  h.at(100, pkt(1600, 2, 400, { marker: true }));
  assert.deepEqual(h.at(110, pkt(0, 1, 800, { end: true })), [], "retransmitted end of '1', reordered");
  assert.deepEqual(h.at(120, pkt(0, 1, 400, { marker: true })), [], "its start, very late");
  h.at(150, pkt(1600, 2, 800, { end: true }));
  assert.equal(h.digits(), "12");
});

test("timestamps wrap modulo 2^32 without confusing old and new", () => {
  const h = harness();
  let t = 0;
  for (const p of [...event(0xffffff00, 6, 2), ...event(0x00000300, 8, 2)]) h.at((t += 50), p);
  assert.equal(h.digits(), "68");
  assert.deepEqual(h.at(t + 50, pkt(0xffffff00, 6, 800, { end: true })), []);
});

test("a stream whose timestamps jump far back (reset, same SSRC) is still heard", () => {
  const h = harness();
  let t = 0;
  for (const p of [...event(5_000_000, 1, 2), ...event(1000, 2, 2)]) h.at((t += 50), p);
  assert.equal(h.digits(), "12");
});

test("SSRC change: the event in progress ends, the new stream's events count from scratch", () => {
  const h = harness();
  h.at(0, pkt(90000, 4, 400, { marker: true }));
  const out = h.at(50, pkt(100, 4, 400, { marker: true, ssrc: 0x9999 }));
  assert.deepEqual(
    out.map((a) => [a.type, a.type === "dtmf-digit" ? a.ending : a.timestamp]),
    [
      ["dtmf-digit", "superseded"],
      ["dtmf-begin", 100],
    ],
  );
  h.at(100, pkt(100, 4, 800, { end: true, ssrc: 0x9999 }));
  assert.equal(h.digits(), "44");
});

test("long-duration event (§2.5.1.3): the next segment continues the same digit", () => {
  const h = harness();
  let t = 0;
  h.at(t, pkt(1000, 0, 400, { marker: true }));
  for (let d = 800; d <= 0xffff; d += 400) h.at((t += 50), pkt(1000, 0, d));
  h.at((t += 50), pkt(1000, 0, 0xffff));
  // New segment: timestamp + 0xFFFF, no marker, same code.
  const seg2 = 1000 + 0xffff;
  assert.deepEqual(h.at((t += 50), pkt(seg2, 0, 400)), []);
  h.at(t + 50, pkt(seg2, 0, 800, { end: true }));
  const digits = h.all.filter((a) => a.type === "dtmf-digit");
  assert.equal(digits.length, 1);
  assert.equal(digits[0]?.type === "dtmf-digit" && digits[0].duration, 0xffff + 800);
  assert.equal(digits[0]?.timestamp, 1000);
  assert.equal(h.all.filter((a) => a.type === "dtmf-begin").length, 1);
});

test("events past code 15 are reported with their code and no digit; volume is passed on", () => {
  const h = harness();
  const out = h.at(0, pkt(0, 16, 800, { end: true, volume: 20 }));
  assert.deepEqual(out[1], { type: "dtmf-digit", code: 16, digit: null, timestamp: 0, duration: 800, durationMs: 100, volume: 20, ending: "end-bit" });
});

test("a payload shorter than one event block is ignored, never thrown on", () => {
  const h = harness();
  assert.deepEqual(h.rx.receive({ marker: true, timestamp: 0, ssrc: SSRC }, new Uint8Array(3), 0), []);
  assert.deepEqual(h.rx.receive({ marker: true, timestamp: 0, ssrc: SSRC }, new Uint8Array(0), 0), []);
  assert.equal(h.rx.busy, false);
});

test("a 16 kHz telephone-event clock gives durations in ms accordingly", () => {
  const h = harness({ clockRate: 16000 });
  h.at(0, pkt(0, 1, 1600, { end: true }));
  const d = h.all.find((a) => a.type === "dtmf-digit");
  assert.equal(d?.type === "dtmf-digit" && d.durationMs, 100);
});

test("property: under random packets, begins and digits pair up, one digit per begin", () => {
  const next = xorshift32(0xdecaf);
  const rx = new DtmfReceiver();
  let open = 0;
  let now = 0;
  let ts = 0;
  const account = (actions: DtmfReceiverAction[]): void => {
    for (const a of actions) {
      open += a.type === "dtmf-begin" ? 1 : -1;
      assert.ok(open === 0 || open === 1, `open events ${open}`);
    }
  };
  for (let i = 0; i < 20000; i++) {
    now += next() % 120;
    if (next() % 8 === 0) ts = (ts + (next() % 3000) - 500) >>> 0;
    const payload = new Uint8Array(next() % 6);
    for (let j = 0; j < payload.length; j++) payload[j] = next();
    account(rx.receive({ marker: next() % 4 === 0, timestamp: ts, ssrc: next() % 50 === 0 ? 2 : 1 }, payload, now));
    if (next() % 10 === 0) account(rx.tick(now));
  }
  account(rx.tick(now + 1e6));
  assert.equal(open, 0, "every begun event ended exactly once");
});
