import { test } from "node:test";
import assert from "node:assert/strict";
import { parseRtp, writeRtpHeader } from "../rtp-packet.js";
import { xorshift32 } from "../testing/xorshift.js";
import { RtpView } from "./rtp-view.js";

test("RtpView accepts exactly what parseRtp accepts and reads the same fields (random and mutated packets)", () => {
  const next = xorshift32(0x5eed);
  const view = new RtpView();
  let accepted = 0;
  for (let n = 0; n < 20000; n++) {
    let packet: Uint8Array;
    if (n % 2 === 0) {
      // Random bytes with V=2 half of the time.
      packet = Uint8Array.from({ length: next() % 64 }, () => next() & 0xff);
      if (packet.length > 0 && (next() & 1) === 1) packet[0] = (packet[0]! & 0x3f) | 0x80;
    } else {
      // A valid header with CSRCs/extension/padding, then one byte flipped.
      const csrcs = Array.from({ length: next() % 3 }, () => next());
      const ext = (next() & 1) === 1 ? { profile: 0xbede, data: new Uint8Array(4 * (next() % 3)) } : undefined;
      const payload = next() % 40;
      packet = new Uint8Array(12 + 4 * csrcs.length + (ext ? 4 + ext.data.length : 0) + payload);
      const h = writeRtpHeader({ marker: (next() & 1) === 1, payloadType: next() & 0x7f, sequence: next() & 0xffff, timestamp: next(), ssrc: next(), csrcs, headerExtension: ext, padding: payload > 0 && (next() & 1) === 1 }, packet);
      if (payload > 0 && (packet[0]! & 0x20) !== 0) packet[packet.length - 1] = 1 + (next() % payload);
      if ((next() & 3) === 0) packet[next() % (h + payload)] = next() & 0xff;
    }
    const p = parseRtp(packet);
    assert.equal(view.scan(packet), p.ok, `packet ${n}`);
    if (!p.ok) continue;
    accepted++;
    assert.deepEqual(
      [view.marker, view.payloadType, view.sequence, view.timestamp, view.ssrc, view.payloadOffset, view.payloadEnd],
      [p.marker, p.payloadType, p.sequence, p.timestamp, p.ssrc, p.payloadOffset, p.payloadOffset + p.payloadLength],
      `packet ${n}`,
    );
  }
  assert.ok(accepted > 5000, `enough valid packets exercised (${accepted})`);
});
