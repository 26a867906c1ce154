import { test } from "node:test";
import assert from "node:assert/strict";
import { parseTelephoneEvent, writeTelephoneEvent, buildTelephoneEvent, dtmfDigitOf, dtmfEventCode, DTMF_DIGITS } from "./telephone-event.js";

test("§2.3 layout: event, E, R, volume, duration", () => {
  const bytes = buildTelephoneEvent({ event: 11, end: true, reserved: false, volume: 10, duration: 1600 });
  assert.deepEqual([...bytes], [11, 0x8a, 0x06, 0x40]);
  assert.deepEqual(parseTelephoneEvent(bytes), { event: 11, end: true, reserved: false, volume: 10, duration: 1600 });
});

test("R bit and the extremes of every field survive a round trip", () => {
  for (const ev of [
    { event: 0, end: false, reserved: true, volume: 0, duration: 0 },
    { event: 255, end: true, reserved: true, volume: 63, duration: 0xffff },
  ]) {
    assert.deepEqual(parseTelephoneEvent(buildTelephoneEvent(ev)), ev);
  }
});

test("parse reads the block at an offset, and refuses short input without throwing", () => {
  const two = new Uint8Array([1, 0x0a, 0, 160, 2, 0x8a, 1, 64]);
  assert.equal(parseTelephoneEvent(two, 4)?.event, 2);
  assert.equal(parseTelephoneEvent(new Uint8Array(3)), null);
  assert.equal(parseTelephoneEvent(two, 5), null);
  assert.equal(parseTelephoneEvent(two, -1), null);
});

test("write refuses out-of-range fields", () => {
  const ok = { event: 1, end: false, reserved: false, volume: 10, duration: 400 };
  assert.throws(() => writeTelephoneEvent({ ...ok, event: 256 }, new Uint8Array(4)), RangeError);
  assert.throws(() => writeTelephoneEvent({ ...ok, volume: 64 }, new Uint8Array(4)), RangeError);
  assert.throws(() => writeTelephoneEvent({ ...ok, duration: 0x10000 }, new Uint8Array(4)), RangeError);
  assert.throws(() => writeTelephoneEvent(ok, new Uint8Array(4), 1), RangeError);
  assert.equal(writeTelephoneEvent(ok, new Uint8Array(8), 4), 4);
});

test("§3.2: event codes 0–15 are 0-9 * # A-D; others have no digit", () => {
  assert.equal(DTMF_DIGITS.join(""), "0123456789*#ABCD");
  for (let code = 0; code < 16; code++) {
    const digit = dtmfDigitOf(code);
    assert.equal(digit, "0123456789*#ABCD"[code]);
    assert.equal(dtmfEventCode(digit!), code);
  }
  assert.equal(dtmfDigitOf(16), null, "flash");
  assert.equal(dtmfDigitOf(-1), null);
  assert.equal(dtmfEventCode("a"), 12);
  assert.equal(dtmfEventCode("d"), 15);
  assert.equal(dtmfEventCode("E"), null);
  assert.equal(dtmfEventCode(""), null);
  assert.equal(dtmfEventCode("12"), null);
});
