import { test } from "node:test";
import assert from "node:assert/strict";
import { alawToUlaw, ulawToAlaw } from "../g711.js";
import { buildTelephoneEvent } from "../telephone-event.js";
import { RelaySession } from "./relay-session.js";
import { checkEndpointConfig } from "./relay-endpoint.js";
import { g711Config, headerOf, ramp, RecordingOutput, rtpPacket, scriptedRandom } from "../testing/relay.js";

// Endpoint "a": our SSRC 0xA0A0A0A0, first sequence 1000, first timestamp 50000;
// endpoint "b": 0xB0B0B0B0, 2000, 70000.
const A_SSRC = 0xa0a0a0a0;
const B_SSRC = 0xb0b0b0b0;

function setup(cfgA = g711Config("PCMA", "10.0.0.1", 4000), cfgB = g711Config("PCMA", "10.0.0.2", 6000)) {
  const out = new RecordingOutput();
  const session = new RelaySession({ output: out, random: scriptedRandom([A_SSRC, 1000, 50000, B_SSRC, 2000, 70000]), mediaTimeoutMs: 0 });
  const a = session.createEndpoint("a", 0);
  const b = session.createEndpoint("b", 0);
  session.configure(a, cfgA);
  session.configure(b, cfgB);
  session.bridge(a, b, 0);
  return { out, session, a, b };
}

const fromA = (sequence: number, timestamp: number, payload: Uint8Array | number[] = ramp(160), pt = 8, ssrc = 0x1234) => rtpPacket({ pt, sequence, timestamp, ssrc, payload });

test("relays both ways with our SSRC, our sequence and timestamp spaces, to the SDP addresses", () => {
  const { out, session, a, b } = setup();
  session.receiveRtp(a, fromA(5, 1600), "10.0.0.1", 4000, 0);
  session.receiveRtp(a, fromA(6, 1760, ramp(160, 7)), "10.0.0.1", 4000, 20);
  session.receiveRtp(b, rtpPacket({ pt: 8, sequence: 60000, timestamp: 9, ssrc: 0x5678, payload: ramp(160, 3) }), "10.0.0.2", 6000, 21);
  const sent = out.takeRtp();
  assert.deepEqual(
    sent.map((p) => [p.to, p.address, p.port, headerOf(p.bytes)]),
    [
      ["b", "10.0.0.2", 6000, { marker: true, pt: 8, sequence: 2000, timestamp: 70000, ssrc: B_SSRC }],
      ["b", "10.0.0.2", 6000, { marker: false, pt: 8, sequence: 2001, timestamp: 70160, ssrc: B_SSRC }],
      ["a", "10.0.0.1", 4000, { marker: true, pt: 8, sequence: 1000, timestamp: 50000, ssrc: A_SSRC }],
    ],
  );
  assert.deepEqual(sent[1]!.bytes.subarray(12), ramp(160, 7), "payload untouched when both sides speak PCMA");
  assert.deepEqual(
    [session.stats(a), session.stats(b)].map((s) => [s.packetsIn, s.bytesIn, s.packetsOut, s.bytesOut]),
    [
      [2, 344, 1, 172],
      [1, 172, 2, 344],
    ],
  );
});

test("the peer's gaps and reordering pass through; its new SSRC continues our stream with a marker", () => {
  const { out, session, a } = setup();
  session.receiveRtp(a, fromA(10, 0), "10.0.0.1", 4000, 0);
  session.receiveRtp(a, fromA(13, 480), "10.0.0.1", 4000, 60); // 11 and 12 lost
  session.receiveRtp(a, fromA(12, 320), "10.0.0.1", 4000, 61); // 12 late
  session.receiveRtp(a, fromA(500, 90000, ramp(160), 8, 0x9999), "10.0.0.1", 4000, 80); // the phone restarted its stream
  assert.deepEqual(
    out.takeRtp().map((p) => headerOf(p.bytes)),
    [
      { marker: true, pt: 8, sequence: 2000, timestamp: 70000, ssrc: B_SSRC },
      { marker: false, pt: 8, sequence: 2003, timestamp: 70480, ssrc: B_SSRC },
      { marker: false, pt: 8, sequence: 2002, timestamp: 70320, ssrc: B_SSRC },
      // next sequence after 2003; timestamp 70480 + max(160, 20 ms × 8)
      { marker: true, pt: 8, sequence: 2004, timestamp: 70640, ssrc: B_SSRC },
    ],
  );
});

test("PCMA on one side, PCMU on the other: payload transcoded through the G.711 tables, pt renumbered", () => {
  const { out, session, a, b } = setup(g711Config("PCMA", "10.0.0.1", 4000), g711Config("PCMU", "10.0.0.2", 6000));
  const alaw = ramp(160, 40);
  const ulaw = ramp(160, 200);
  session.receiveRtp(a, fromA(1, 0, alaw), "10.0.0.1", 4000, 0);
  session.receiveRtp(b, rtpPacket({ pt: 0, sequence: 1, timestamp: 0, ssrc: 7, payload: ulaw }), "10.0.0.2", 6000, 0);
  const [toB, toA] = out.takeRtp();
  assert.equal(headerOf(toB!.bytes).pt, 0);
  assert.deepEqual(toB!.bytes.subarray(12), alawToUlaw(alaw));
  assert.equal(headerOf(toA!.bytes).pt, 8);
  assert.deepEqual(toA!.bytes.subarray(12), ulawToAlaw(ulaw));
});

test("payload types: dynamic pt mapped per peer, the other static G.711 type accepted, others dropped", () => {
  const { out, session, a } = setup(g711Config("PCMA", "10.0.0.1", 4000, { pt: 8 }), g711Config("PCMU", "10.0.0.2", 6000, { pt: 0 }));
  session.receiveRtp(a, fromA(1, 0, ramp(160), 0), "10.0.0.1", 4000, 0); // µ-law though PCMA was negotiated
  session.receiveRtp(a, fromA(2, 160, ramp(160), 18), "10.0.0.1", 4000, 20); // G.729: not ours
  session.receiveRtp(a, Uint8Array.of(0x40, 8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1), "10.0.0.1", 4000, 30); // version 1
  const sent = out.takeRtp();
  assert.equal(sent.length, 1);
  assert.deepEqual(sent[0]!.bytes.subarray(12), ramp(160), "PCMU to a PCMU peer: no transcoding");
  const c = session.counters();
  assert.equal(c["unknown-pt"], 1);
  assert.equal(c["not-rtp"], 1);
});

test("RFC 4733: digits detected once, renumbered to the peer's pt, in the same continuous stream", () => {
  const { out, session, a, b } = setup(g711Config("PCMA", "10.0.0.1", 4000, { dtmfPt: 101 }), g711Config("PCMA", "10.0.0.2", 6000, { dtmfPt: 96 }));
  const ev = (duration: number, end: boolean) => buildTelephoneEvent({ event: 5, end, reserved: false, volume: 10, duration });
  session.receiveRtp(a, fromA(10, 1600), "10.0.0.1", 4000, 0);
  const dtmf = [ev(400, false), ev(800, false), ev(960, true), ev(960, true), ev(960, true)];
  dtmf.forEach((payload, i) => session.receiveRtp(a, rtpPacket({ pt: 101, sequence: 11 + i, timestamp: 1760, ssrc: 0x1234, marker: i === 0, payload }), "10.0.0.1", 4000, 20 + 50 * i));
  session.receiveRtp(a, fromA(16, 2720), "10.0.0.1", 4000, 240);
  const sent = out.takeRtp();
  assert.deepEqual(
    sent.map((p) => headerOf(p.bytes)),
    [
      { marker: true, pt: 8, sequence: 2000, timestamp: 70000, ssrc: B_SSRC },
      { marker: true, pt: 96, sequence: 2001, timestamp: 70160, ssrc: B_SSRC },
      { marker: false, pt: 96, sequence: 2002, timestamp: 70160, ssrc: B_SSRC },
      { marker: false, pt: 96, sequence: 2003, timestamp: 70160, ssrc: B_SSRC },
      { marker: false, pt: 96, sequence: 2004, timestamp: 70160, ssrc: B_SSRC },
      { marker: false, pt: 96, sequence: 2005, timestamp: 70160, ssrc: B_SSRC },
      { marker: false, pt: 8, sequence: 2006, timestamp: 71120, ssrc: B_SSRC },
    ],
  );
  assert.deepEqual(sent[2]!.bytes.subarray(12), ev(800, false), "event payload relayed as is");
  assert.deepEqual(out.events, [{ type: "dtmf", id: "a", digit: "5", durationMs: 120 }]);
  assert.equal(session.stats(a).dtmfIn, 1);
  assert.equal(session.stats(b).dtmfOut, 1);
});

test("RFC 4733 towards a peer without telephone-event: reported, not forwarded, no sequence gap", () => {
  const { out, session, a } = setup(g711Config("PCMA", "10.0.0.1", 4000, { dtmfPt: 101 }), g711Config("PCMA", "10.0.0.2", 6000));
  session.receiveRtp(a, fromA(10, 1600), "10.0.0.1", 4000, 0);
  for (let i = 0; i < 5; i++) {
    const payload = buildTelephoneEvent({ event: 11, end: i >= 2, reserved: false, volume: 10, duration: i === 0 ? 400 : 800 });
    session.receiveRtp(a, rtpPacket({ pt: 101, sequence: 11 + i, timestamp: 1760, ssrc: 0x1234, marker: i === 0, payload }), "10.0.0.1", 4000, 20 + 50 * i);
  }
  session.receiveRtp(a, fromA(16, 2560), "10.0.0.1", 4000, 240);
  assert.deepEqual(
    out.takeRtp().map((p) => headerOf(p.bytes)),
    [
      { marker: true, pt: 8, sequence: 2000, timestamp: 70000, ssrc: B_SSRC },
      { marker: false, pt: 8, sequence: 2001, timestamp: 70960, ssrc: B_SSRC },
    ],
  );
  assert.deepEqual(out.events, [{ type: "dtmf", id: "a", digit: "#", durationMs: 100 }]);
  assert.equal(session.counters()["dtmf-not-negotiated"], 5);
});

test("digits on an unbridged endpoint (IVR) are detected; a lost end is closed by the 250 ms timeout", () => {
  const out = new RecordingOutput();
  const session = new RelaySession({ output: out, random: scriptedRandom([1, 2, 3]), mediaTimeoutMs: 0 });
  const a = session.createEndpoint("ivr", 0);
  session.configure(a, g711Config("PCMU", "10.0.0.1", 4000, { dtmfPt: 101 }));
  const payload = buildTelephoneEvent({ event: 1, end: false, reserved: false, volume: 10, duration: 400 });
  session.receiveRtp(a, rtpPacket({ pt: 101, sequence: 1, timestamp: 0, ssrc: 9, marker: true, payload }), "10.0.0.1", 4000, 1000);
  session.tick(1200);
  assert.deepEqual(out.events, []);
  session.tick(1300);
  assert.deepEqual(out.events, [{ type: "dtmf", id: "ivr", digit: "1", durationMs: 50 }]);
  session.tick(1400);
  assert.equal(out.events.length, 1);
  assert.equal(out.rtp.length, 0);
});

test("latch: send to the SDP address until RTP arrives, then to its source; other sources dropped until the remote changes", () => {
  const { out, session, a, b } = setup(g711Config("PCMA", "10.0.0.1", 4000, { latch: true }));
  const fromB = (sequence: number) => rtpPacket({ pt: 8, sequence, timestamp: sequence * 160, ssrc: 5, payload: ramp(160) });
  session.receiveRtp(b, fromB(1), "10.0.0.2", 6000, 0);
  assert.equal(session.stats(a).latchedTo, null);
  const version = a.destinationVersion;
  session.receiveRtp(a, fromA(1, 0), "192.168.1.5", 30000, 10); // NAT: not the SDP address
  session.receiveRtp(b, fromB(2), "10.0.0.2", 6000, 20);
  session.receiveRtp(a, fromA(2, 160, ramp(160), 8, 0x4444), "192.168.1.6", 30000, 30); // someone else
  session.receiveRtp(a, fromA(2, 160), "192.168.1.5", 30000, 40);
  assert.deepEqual(
    out.takeRtp().map((p) => [p.to, `${p.address}:${p.port}`, headerOf(p.bytes).sequence]),
    [
      ["a", "10.0.0.1:4000", 1000],
      ["b", "10.0.0.2:6000", 2000],
      ["a", "192.168.1.5:30000", 1001],
      ["b", "10.0.0.2:6000", 2001],
    ],
  );
  assert.equal(session.stats(a).latchedTo, "192.168.1.5:30000");
  assert.equal(a.destinationVersion, version + 1);
  assert.deepEqual([a.rtcpAddress, a.rtcpPort], ["192.168.1.5", 30001]);
  assert.equal(session.counters()["foreign-source"], 1);
  // Same SDP again (a re-INVITE for hold, say): stays latched.
  session.configure(a, g711Config("PCMA", "10.0.0.1", 4000, { latch: true }));
  assert.equal(session.stats(a).latchedTo, "192.168.1.5:30000");
  // The peer moved (new SDP address): learning starts again.
  session.configure(a, g711Config("PCMA", "10.0.0.9", 4002, { latch: true }));
  assert.deepEqual([session.stats(a).latchedTo, a.rtpAddress, a.rtpPort], [null, "10.0.0.9", 4002]);
  session.receiveRtp(a, fromA(4, 480), "192.168.1.6", 30002, 60);
  assert.equal(session.stats(a).latchedTo, "192.168.1.6:30002");
});

test("directions: nothing flows that the SDP says must not", () => {
  const cases = [
    // [a's direction, b's direction, a→b forwarded, b→a forwarded]
    ["sendrecv", "sendrecv", true, true],
    ["sendonly", "sendrecv", true, false], // a only sends (a holds b): b's audio not sent to a
    ["recvonly", "sendrecv", false, true], // a only receives
    ["inactive", "sendrecv", false, false],
    ["sendrecv", "sendonly", false, true],
  ] as const;
  for (const [da, db, ab, ba] of cases) {
    const { out, session, a, b } = setup(g711Config("PCMA", "10.0.0.1", 4000, { direction: da }), g711Config("PCMA", "10.0.0.2", 6000, { direction: db }));
    session.receiveRtp(a, fromA(1, 0), "10.0.0.1", 4000, 0);
    session.receiveRtp(b, fromA(1, 0), "10.0.0.2", 6000, 0);
    const sent = out.takeRtp().map((p) => p.to);
    assert.deepEqual(sent, [...(ab ? ["b"] : []), ...(ba ? ["a"] : [])], `${da}/${db}`);
  }
});

test("unbridged, unconfigured and unknown destinations: counted, not sent", () => {
  const out = new RecordingOutput();
  const session = new RelaySession({ output: out, random: scriptedRandom([1, 2, 3, 4, 5, 6]), mediaTimeoutMs: 0 });
  const a = session.createEndpoint("a", 0);
  const b = session.createEndpoint("b", 0);
  session.receiveRtp(a, fromA(1, 0), "10.0.0.1", 4000, 0); // not bridged (learns a's source: latch is on by default)
  session.bridge(a, b, 0);
  session.receiveRtp(a, fromA(2, 160), "10.0.0.1", 4000, 20); // b's address unknown
  session.receiveRtp(b, fromA(1, 0), "10.0.0.2", 6000, 30); // b latches, a's address was learned
  assert.deepEqual(
    out.takeRtp().map((p) => [p.to, p.address, p.port]),
    [["a", "10.0.0.1", 4000]],
  );
  const c = session.counters();
  assert.deepEqual([c["not-bridged"], c["no-destination"]], [1, 1]);
  session.unbridge(b);
  assert.equal(a.peer, null);
  session.remove(a);
  session.remove(b);
  assert.equal(session.size, 0);
});

test("RTCP multiplexed on the RTP port (RFC 5761) is read as RTCP, not relayed", () => {
  const { out, session, a } = setup();
  const rr = Uint8Array.of(0x81, 201, 0, 7, 0, 0, 0x12, 0x34, ...[0xb0, 0xb0, 0xb0, 0xb0], 0x02, 0, 0, 3, 0, 0, 0, 9, 0, 0, 0, 80, 0, 0, 0, 0, 0, 0, 0, 0);
  session.receiveRtp(a, rr, "10.0.0.1", 4000, 0);
  assert.equal(out.rtp.length, 0);
  assert.equal(session.stats(a).packetsIn, 0);
  // The block was about b's stream (0xB0B0B0B0), not a's: a's remote figures stay unknown.
  assert.deepEqual([session.stats(a).remoteLoss, session.stats(a).remoteJitterMs], [null, null]);
});

test("checkEndpointConfig says what is wrong", () => {
  assert.deepEqual(checkEndpointConfig(g711Config("PCMA", "10.0.0.1", 4000)), []);
  assert.deepEqual(checkEndpointConfig({ remote: { address: "", port: 70000 }, codec: "G729" as "PCMA", pt: 128, dtmfPt: 128, direction: "both" as "sendrecv", latch: true }), [
    "codec 'G729' is not one of PCMA, PCMU",
    "pt 128 is not an RTP payload type (0..127)",
    "dtmfPt 128 is not an RTP payload type (0..127) or null",
    "dtmfPt 128 equals the audio pt",
    "direction 'both' is not one of sendrecv, sendonly, recvonly, inactive",
    "remote.address must be a non-empty IP address",
    "remote.port 70000 is not 1..65535",
  ]);
});
