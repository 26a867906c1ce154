import { test } from "node:test";
import assert from "node:assert/strict";
import { xorshift32 } from "./testing/xorshift.js";
import {
  parseRtp,
  rtpPayload,
  writeRtpHeader,
  rtpHeaderLength,
  readRtpSequence,
  readRtpTimestamp,
  readRtpSsrc,
  readRtpPayloadType,
  setRtpSequence,
  setRtpTimestamp,
  setRtpSsrc,
  setRtpPayloadType,
  setRtpMarker,
  sequenceDistance,
  timestampDistance,
  RTP_PARSE_ERRORS,
  type RtpHeaderFields,
  type RtpPacket,
} from "./rtp-packet.js";

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/\s+/g, ""), "hex"));

function parsed(bytes: Uint8Array): RtpPacket {
  const r = parseRtp(bytes);
  assert.ok(r.ok, `expected a packet, got ${r.ok ? "" : r.error}`);
  return r;
}

const rng = xorshift32;

test("parses a PCMU packet: fixed header fields and payload view", () => {
  // V=2, M=1, PT=0, seq 0x1234, ts 0xdeadbeef, SSRC 0x01020304, 4 payload bytes
  const bytes = hex("80 80 1234 deadbeef 01020304 ff fe fd fc");
  const p = parsed(bytes);
  assert.equal(p.version, 2);
  assert.equal(p.padding, false);
  assert.equal(p.extension, false);
  assert.equal(p.csrcCount, 0);
  assert.equal(p.marker, true);
  assert.equal(p.payloadType, 0);
  assert.equal(p.sequence, 0x1234);
  assert.equal(p.timestamp, 0xdeadbeef);
  assert.equal(p.ssrc, 0x01020304);
  assert.equal(p.csrcs, undefined);
  assert.equal(p.headerExtension, undefined);
  assert.equal(p.payloadOffset, 12);
  assert.equal(p.payloadLength, 4);
  const payload = rtpPayload(bytes, p);
  assert.deepEqual([...payload], [0xff, 0xfe, 0xfd, 0xfc]);
  assert.equal(payload.buffer, bytes.buffer, "payload is a view, not a copy");
});

test("PCMA payload type 8 with the marker clear; an empty payload is valid", () => {
  const p = parsed(hex("80 08 0001 00000000 00000001"));
  assert.equal(p.marker, false);
  assert.equal(p.payloadType, 8);
  assert.equal(p.payloadLength, 0);
});

test("CSRC list (§5.1 CC) is read and skipped", () => {
  const p = parsed(hex("82 00 0001 00000010 0000abcd 11111111 22222222 aa"));
  assert.equal(p.csrcCount, 2);
  assert.deepEqual(p.csrcs, [0x11111111, 0x22222222]);
  assert.equal(p.payloadOffset, 20);
  assert.equal(p.payloadLength, 1);
});

test("header extension (§5.3.1): profile, data view, payload after it", () => {
  const bytes = hex("90 00 0001 00000010 0000abcd bede 0002 10ff0000 20aabb00 77 88");
  const p = parsed(bytes);
  assert.equal(p.extension, true);
  assert.equal(p.headerExtension?.profile, 0xbede);
  assert.deepEqual([...(p.headerExtension?.data ?? [])], [0x10, 0xff, 0, 0, 0x20, 0xaa, 0xbb, 0]);
  assert.equal(p.payloadOffset, 24);
  assert.equal(p.payloadLength, 2);
});

test("padding (§5.1 P): the last octet counts the padding, itself included", () => {
  const p = parsed(hex("a0 00 0001 00000010 0000abcd 01 02 03 00 00 03"));
  assert.equal(p.padding, true);
  assert.equal(p.paddingLength, 3);
  assert.equal(p.payloadLength, 3);
});

test("offsets index the view given, also when it is a window into a bigger buffer", () => {
  const big = new Uint8Array(64).fill(0xee);
  big.set(hex("80 00 0007 00000001 00000002 41 42"), 10);
  const view = big.subarray(10, 24);
  const p = parsed(view);
  assert.equal(p.sequence, 7);
  assert.equal(p.payloadOffset, 12);
  assert.deepEqual([...rtpPayload(view, p)], [0x41, 0x42]);
});

test("each malformed shape gets its own error, never an exception", () => {
  const cases: [string, string][] = [
    ["", "truncated"],
    ["80 00 0001 00000001 000000", "truncated"],
    ["40 00 0001 00000001 00000001", "bad-version"],
    ["c0 00 0001 00000001 00000001", "bad-version"],
    ["81 00 0001 00000001 00000001 1111", "csrc-overrun"],
    ["8f 00 0001 00000001 00000001", "csrc-overrun"],
    ["90 00 0001 00000001 00000001 bede", "extension-overrun"],
    ["90 00 0001 00000001 00000001 bede 0002 00000000", "extension-overrun"],
    ["a0 00 0001 00000001 00000001 01 00", "bad-padding"],
    ["a0 00 0001 00000001 00000001 01 03", "bad-padding"],
    ["a0 00 0001 00000001 00000001", "bad-padding"],
  ];
  for (const [bytes, error] of cases) {
    const r = parseRtp(hex(bytes));
    assert.equal(r.ok, false, bytes);
    if (!r.ok) assert.equal(r.error, error, bytes);
  }
  assert.equal(RTP_PARSE_ERRORS.length, 5);
});

test("fuzz: random and mutated bytes never throw; accepted packets are self-consistent", () => {
  const next = rng(0x5eed);
  const seed = hex("b2 e1 fffe 12345678 9abcdef0 11111111 22222222 bede 0001 01020304 99 98 00 02");
  let accepted = 0;
  for (let i = 0; i < 20000; i++) {
    const bytes = i % 2 === 0 ? new Uint8Array(next() % 40) : Uint8Array.from(seed);
    if (i % 2 === 0) for (let j = 0; j < bytes.length; j++) bytes[j] = next();
    else for (let k = 0; k < 3; k++) bytes[next() % bytes.length] = next();
    const r = parseRtp(bytes);
    if (!r.ok) continue;
    accepted++;
    assert.equal(r.payloadOffset + r.payloadLength + r.paddingLength, bytes.length);
    assert.ok(r.payloadLength >= 0);
  }
  assert.ok(accepted > 1000, `only ${accepted} accepted: the mutations are too blunt`);
});

test("write → parse round-trips every header field", () => {
  const next = rng(42);
  for (let i = 0; i < 500; i++) {
    const csrcs = Array.from({ length: next() % 16 }, () => next());
    const fields: RtpHeaderFields = {
      marker: next() % 2 === 0,
      payloadType: next() % 128,
      sequence: next() % 65536,
      timestamp: next(),
      ssrc: next(),
      csrcs,
      ...(i % 3 === 0 ? { headerExtension: { profile: 0xbede, data: new Uint8Array(4 * (next() % 4)).fill(7) } } : {}),
    };
    const out = new Uint8Array(rtpHeaderLength(fields) + 3);
    const n = writeRtpHeader(fields, out);
    assert.equal(n, rtpHeaderLength(fields));
    const p = parsed(out);
    assert.equal(p.marker, fields.marker);
    assert.equal(p.payloadType, fields.payloadType);
    assert.equal(p.sequence, fields.sequence);
    assert.equal(p.timestamp, fields.timestamp);
    assert.equal(p.ssrc, fields.ssrc);
    assert.deepEqual(p.csrcs ?? [], csrcs);
    assert.deepEqual(p.headerExtension?.data, fields.headerExtension?.data);
    assert.equal(p.payloadOffset, n);
    assert.equal(p.payloadLength, 3);
  }
});

test("writeRtpHeader writes at an offset and sets the padding bit on request", () => {
  const out = new Uint8Array(20);
  const n = writeRtpHeader({ padding: true, marker: false, payloadType: 101, sequence: 1, timestamp: 2, ssrc: 3 }, out, 4);
  assert.equal(n, 12);
  assert.deepEqual([...out.subarray(0, 16)], [0, 0, 0, 0, 0xa0, 101, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3]);
});

test("writeRtpHeader refuses caller mistakes with RangeError", () => {
  const base = { marker: false, payloadType: 0, sequence: 0, timestamp: 0, ssrc: 0 };
  assert.throws(() => writeRtpHeader(base, new Uint8Array(11)), RangeError);
  assert.throws(() => writeRtpHeader({ ...base, payloadType: 128 }, new Uint8Array(12)), RangeError);
  assert.throws(() => writeRtpHeader({ ...base, payloadType: -1 }, new Uint8Array(12)), RangeError);
  assert.throws(() => writeRtpHeader({ ...base, csrcs: new Array<number>(16).fill(1) }, new Uint8Array(80)), RangeError);
  assert.throws(() => writeRtpHeader({ ...base, headerExtension: { profile: 1, data: new Uint8Array(3) } }, new Uint8Array(80)), RangeError);
});

test("in-place remap for the relay: SSRC, sequence, timestamp, payload type; marker kept", () => {
  const bytes = hex("80 88 fffe 00000010 0000abcd 01 02");
  setRtpSsrc(bytes, 0xcafebabe);
  setRtpSequence(bytes, (readRtpSequence(bytes) + 5) & 0xffff);
  setRtpTimestamp(bytes, (readRtpTimestamp(bytes) + 0xfffffff8) >>> 0);
  setRtpPayloadType(bytes, 0);
  const p = parsed(bytes);
  assert.equal(p.ssrc, 0xcafebabe);
  assert.equal(readRtpSsrc(bytes), 0xcafebabe);
  assert.equal(p.sequence, 3, "wrapped past 65535");
  assert.equal(p.timestamp, 8, "wrapped past 2^32");
  assert.equal(p.payloadType, 0);
  assert.equal(readRtpPayloadType(bytes), 0);
  assert.equal(p.marker, true, "payload type rewrite keeps the marker");
  setRtpMarker(bytes, false);
  assert.equal(parsed(bytes).marker, false);
  assert.equal(readRtpPayloadType(bytes), 0);
  setRtpMarker(bytes, true);
  assert.equal(bytes[1], 0x80);
  assert.deepEqual([...bytes.subarray(12)], [1, 2], "payload untouched");
});

test("sequence and timestamp distances are modular and signed", () => {
  assert.equal(sequenceDistance(2, 65534), 4);
  assert.equal(sequenceDistance(65534, 2), -4);
  assert.equal(sequenceDistance(100, 100), 0);
  assert.equal(timestampDistance(5, 0xfffffffb), 10);
  assert.equal(timestampDistance(0xfffffffb, 5), -10);
});
