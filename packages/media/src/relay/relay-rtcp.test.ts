import { test } from "node:test";
import assert from "node:assert/strict";
import { ntpFromUnixMs, ntpMiddle32 } from "../ntp-time.js";
import { parseRtcp, type RtcpPacket } from "../rtcp.js";
import { buildCompound, buildReceiverReport, buildSenderReport, buildSourceDescription } from "../rtcp-build.js";
import { RelaySession } from "./relay-session.js";
import { g711Config, ramp, RecordingOutput, rtpPacket, scriptedRandom } from "../testing/relay.js";

const A_SSRC = 0xa0a0a0a0;
const B_SSRC = 0xb0b0b0b0;
const PHONE_A = 0x1234;

function setup(mediaTimeoutMs = 0, directionB: "sendrecv" | "sendonly" = "sendrecv") {
  const out = new RecordingOutput();
  const session = new RelaySession({ output: out, random: scriptedRandom([A_SSRC, 1000, 50000, B_SSRC, 2000, 70000, 0xc0c0c0c0, 3000, 90000]), mediaTimeoutMs, cname: "hotline@test" });
  const a = session.createEndpoint("a", 0);
  const b = session.createEndpoint("b", 0);
  session.configure(a, g711Config("PCMA", "10.0.0.1", 4000));
  session.configure(b, g711Config("PCMA", "10.0.0.2", 6000, { direction: directionB }));
  session.bridge(a, b, 0);
  return { out, session, a, b };
}

const fromA = (sequence: number, timestamp: number) => rtpPacket({ pt: 8, sequence, timestamp, ssrc: PHONE_A, payload: ramp(160) });

function packetsOf(bytes: Uint8Array): RtcpPacket[] {
  const parsed = parseRtcp(bytes);
  assert.ok(parsed.ok, "our RTCP parses");
  return parsed.packets;
}

test("every interval: an SR towards the side we sent to, an RR with a report block from the side we heard", () => {
  const { out, session, a } = setup();
  for (let i = 0; i < 3; i++) session.receiveRtp(a, fromA(1 + i, 160 * i), "10.0.0.1", 4000, 20 * i);
  session.tick(4900); // RTCP is looked at every 100 ms (HOUSEKEEPING_MS)
  assert.equal(out.rtcp.length, 0);
  session.tick(5000);
  const byId = new Map(out.rtcp.map((p) => [p.to, p]));
  assert.deepEqual([byId.get("a")!.address, byId.get("a")!.port, byId.get("b")!.address, byId.get("b")!.port], ["10.0.0.1", 4001, "10.0.0.2", 6001]);
  const ntp = ntpFromUnixMs(5000);
  assert.deepEqual(packetsOf(byId.get("b")!.bytes), [
    // 3 packets of 160 octets; RTP timestamp of 5000 ms: last packet (40 ms, 70320) + 4960 ms × 8
    { type: "sr", ssrc: B_SSRC, ntpSeconds: ntp.seconds, ntpFraction: ntp.fraction, rtpTimestamp: 110000, packetCount: 3, octetCount: 480, reports: [], profileExtension: undefined },
    { type: "sdes", chunks: [{ source: B_SSRC, items: [{ type: 1, text: "hotline@test" }] }] },
  ]);
  assert.deepEqual(packetsOf(byId.get("a")!.bytes), [
    // A.1: valid after 2 in sequence, counted from there: 2 received, 2 expected
    { type: "rr", ssrc: A_SSRC, reports: [{ ssrc: PHONE_A, fractionLost: 0, cumulativeLost: 0, extendedHighestSequence: 3, jitter: 0, lsr: 0, dlsr: 0 }], profileExtension: undefined },
    { type: "sdes", chunks: [{ source: A_SSRC, items: [{ type: 1, text: "hotline@test" }] }] },
  ]);
});

test("the peer's reports: loss and jitter about our stream, LSR/DLSR from its SR", () => {
  const { out, session, a, b } = setup();
  const block = { ssrc: B_SSRC, fractionLost: 12, cumulativeLost: 2, extendedHighestSequence: 2010, jitter: 80, lsr: 0, dlsr: 0 };
  session.receiveRtcp(b, buildCompound([buildReceiverReport({ ssrc: 77, reports: [block] })]), "10.0.0.2", 6001, 100);
  assert.deepEqual([session.stats(b).remoteLoss, session.stats(b).remoteJitterMs], [2, 10]);
  session.receiveRtp(a, fromA(1, 0), "10.0.0.1", 4000, 5000);
  session.receiveRtp(a, fromA(2, 160), "10.0.0.1", 4000, 5020);
  const sr = buildSenderReport({ ssrc: PHONE_A, ntpSeconds: 0x11223344, ntpFraction: 0x55667788, rtpTimestamp: 1, packetCount: 2, octetCount: 320 });
  session.receiveRtcp(a, buildCompound([sr, buildSourceDescription([{ source: PHONE_A, items: [{ type: 1, text: "phone" }] }])]), "10.0.0.1", 4001, 5100);
  session.tick(5100); // first report (due at 5000)
  session.receiveRtp(a, fromA(3, 320), "10.0.0.1", 4000, 5200);
  out.rtcp.length = 0;
  session.tick(10100); // the next, 5 s later
  const rr = packetsOf(out.rtcp.find((p) => p.to === "a")!.bytes)[0]!;
  assert.equal(rr.type, "rr");
  // §6.4.1: LSR = middle 32 bits of the SR's NTP time; DLSR = 5 s in 1/65536 s
  assert.deepEqual(rr.type === "rr" ? [rr.reports[0]!.lsr, rr.reports[0]!.dlsr] : [], [ntpMiddle32(0x11223344, 0x55667788), 5 * 65536]);
  session.receiveRtcp(a, Uint8Array.of(0x80, 200, 0, 9), "10.0.0.1", 4001, 10001);
  assert.equal(session.counters()["bad-rtcp"], 1);
});

test("release sends RR + SDES + BYE (RFC 3550 §6.6)", () => {
  const { out, session, a } = setup();
  session.remove(a);
  assert.deepEqual(
    packetsOf(out.rtcp[0]!.bytes).map((p) => p.type),
    ["rr", "sdes", "bye"],
  );
  assert.deepEqual(packetsOf(out.rtcp[0]!.bytes)[2], { type: "bye", sources: [A_SSRC], reason: undefined });
});

test("media timeout: once per silence, only on bridged two-way endpoints", () => {
  const { out, session, a, b } = setup(1000);
  const c = session.createEndpoint("c", 0); // not bridged: never times out
  session.configure(c, g711Config("PCMA", "10.0.0.3", 8000));
  session.receiveRtp(a, fromA(1, 0), "10.0.0.1", 4000, 500);
  session.receiveRtp(a, fromA(2, 160), "10.0.0.1", 4000, 1000);
  session.tick(999);
  session.tick(1000);
  session.tick(1100);
  assert.deepEqual(out.events, [{ type: "timeout", id: "b" }]);
  session.receiveRtp(b, fromA(1, 0), "10.0.0.2", 6000, 1200);
  session.tick(2300);
  assert.deepEqual(out.events.slice(1), [
    { type: "timeout", id: "a" },
    { type: "timeout", id: "b" },
  ]);
  session.configure(b, g711Config("PCMA", "10.0.0.2", 6000, { direction: "sendonly" }));
  session.tick(9000);
  assert.deepEqual(out.events.length, 3);
  void a;
});

test("a held (sendonly) peer does not time out", () => {
  const { out, session } = setup(1000, "sendonly");
  session.tick(5000);
  assert.deepEqual(out.events, [{ type: "timeout", id: "a" }]);
});
