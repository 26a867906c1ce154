import { test } from "node:test";
import assert from "node:assert/strict";
import { OutboundStream } from "./outbound-stream.js";
import { headerOf, ramp, rtpPacket } from "../testing/relay.js";

const relayed = (s: OutboundStream, sequence: number, timestamp: number, now: number, ssrc = 5) => {
  const p = rtpPacket({ pt: 8, sequence, timestamp, ssrc, payload: ramp(160) });
  s.relay(p, ssrc, sequence, timestamp, 160, 0, 160, now);
  return headerOf(p);
};

test("sequence numbers wrap modulo 2^16 and timestamps modulo 2^32 (RFC 3550 §5.1)", () => {
  const s = new OutboundStream(0x01020304, 65535, 0xffffffa0);
  assert.deepEqual(relayed(s, 100, 0, 0), { marker: true, pt: 8, sequence: 65535, timestamp: 0xffffffa0, ssrc: 0x01020304 });
  assert.deepEqual(relayed(s, 101, 160, 20), { marker: false, pt: 8, sequence: 0, timestamp: 0x40, ssrc: 0x01020304 });
});

test("timestampAt follows the clock from the newest packet; late packets don't move it back", () => {
  const s = new OutboundStream(1, 0, 1000);
  assert.equal(s.timestampAt(0), 1000, "nothing sent yet: the initial timestamp");
  relayed(s, 10, 0, 100);
  relayed(s, 12, 320, 140);
  relayed(s, 11, 160, 141); // reordered
  assert.equal(s.timestampAt(140), 1320);
  assert.equal(s.timestampAt(1140), 1320 + 8000);
  assert.deepEqual([s.packetCount, s.octetCount, s.sequence], [3, 480, 2]);
});

test("frames: marker on the first, exactly 160 units apart, skip() leaves a timestamp gap", () => {
  const s = new OutboundStream(9, 500, 7000);
  const frame = new Uint8Array(172);
  const headers = [];
  for (let i = 0; i < 3; i++) {
    s.writeFrameHeader(frame, 0, 160, 20 * i + 3); // timer jitter does not matter
    headers.push(headerOf(frame));
  }
  s.skip(320);
  s.writeFrameHeader(frame, 0, 160, 100);
  headers.push(headerOf(frame));
  assert.deepEqual(
    headers.map((h) => [h.marker, h.sequence, h.timestamp]),
    [
      [true, 500, 7000],
      [false, 501, 7160],
      [false, 502, 7320],
      [false, 503, 7800],
    ],
  );
});

test("omit closes the sequence gap of a packet dropped on purpose", () => {
  const s = new OutboundStream(1, 100, 0);
  relayed(s, 10, 0, 0);
  s.omit(5, 11);
  s.omit(5, 12);
  s.omit(6, 13); // another source: not ours to close
  assert.equal(relayed(s, 13, 480, 60).sequence, 101);
});
