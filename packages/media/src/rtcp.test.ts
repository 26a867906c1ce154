import { test } from "node:test";
import assert from "node:assert/strict";
import { parseRtcp, isRtcpPacket, RTCP_PARSE_ERRORS, SDES_ITEM_TYPES, type RtcpPacket, type ReportBlock } from "./rtcp.js";
import { buildSenderReport, buildReceiverReport, buildSourceDescription, buildBye, buildCompound } from "./rtcp-build.js";
import { ntpFromUnixMs, ntpMiddle32, roundTripTimeMs } from "./ntp-time.js";
import { xorshift32 } from "./testing/xorshift.js";

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/\s+/g, ""), "hex"));

function packets(bytes: Uint8Array): RtcpPacket[] {
  const r = parseRtcp(bytes);
  assert.ok(r.ok, r.ok ? "" : `${r.error} at ${r.offset}`);
  return r.packets;
}

function failure(bytes: Uint8Array): { error: string; offset: number } {
  const r = parseRtcp(bytes);
  assert.equal(r.ok, false);
  return r.ok ? { error: "", offset: -1 } : { error: r.error, offset: r.offset };
}

const block = (over: Partial<ReportBlock> = {}): ReportBlock => ({
  ssrc: 0x11223344,
  fractionLost: 25,
  cumulativeLost: 1234,
  extendedHighestSequence: 0x0001ffff,
  jitter: 77,
  lsr: 0xb7052000,
  dlsr: 0x00054000,
  ...over,
});

test("SR with two report blocks: wire layout and round trip", () => {
  const sr = {
    ssrc: 0xcafe0001,
    ntpSeconds: 0xb44db705,
    ntpFraction: 0x20000000,
    rtpTimestamp: 160000,
    packetCount: 1000,
    octetCount: 160000,
    reports: [block(), block({ ssrc: 2, fractionLost: 0, cumulativeLost: -3 })],
  };
  const bytes = buildSenderReport(sr);
  assert.equal(bytes.length, 28 + 48);
  assert.deepEqual([...bytes.subarray(0, 4)], [0x82, 200, 0, 18], "V=2 RC=2, PT=200, length 19 words − 1");
  const [p] = packets(bytes);
  assert.ok(p?.type === "sr");
  assert.equal(p.ssrc, sr.ssrc);
  assert.equal(p.ntpSeconds, sr.ntpSeconds);
  assert.equal(p.ntpFraction, sr.ntpFraction);
  assert.equal(p.rtpTimestamp, sr.rtpTimestamp);
  assert.equal(p.packetCount, 1000);
  assert.equal(p.octetCount, 160000);
  assert.deepEqual(p.reports, sr.reports);
  assert.equal(p.profileExtension, undefined);
});

test("the empty RR that heads a compound when nothing was received", () => {
  const bytes = buildReceiverReport({ ssrc: 0x01020304 });
  assert.deepEqual([...bytes], [0x80, 201, 0, 1, 1, 2, 3, 4]);
  assert.deepEqual(packets(bytes), [{ type: "rr", ssrc: 0x01020304, reports: [], profileExtension: undefined }]);
});

test("cumulative lost is signed 24 bits and clamped, not wrapped (A.3)", () => {
  const bytes = buildReceiverReport({
    ssrc: 1,
    reports: [block({ cumulativeLost: -5 }), block({ cumulativeLost: 9_000_000 }), block({ cumulativeLost: -9_000_000 })],
  });
  assert.deepEqual([...bytes.subarray(12, 16)], [25, 0xff, 0xff, 0xfb]);
  const [p] = packets(bytes);
  assert.ok(p?.type === "rr");
  assert.deepEqual(
    p.reports.map((r) => r.cumulativeLost),
    [-5, 0x7fffff, -0x800000],
  );
});

test("compound RR + SDES CNAME + BYE with reason parses into three packets", () => {
  const compound = buildCompound([
    buildReceiverReport({ ssrc: 7, reports: [block()] }),
    buildSourceDescription([{ source: 7, items: [{ type: SDES_ITEM_TYPES.CNAME, text: "hotline@192.0.2.1" }] }]),
    buildBye([7], "call ended"),
  ]);
  assert.equal(compound.length % 4, 0);
  const ps = packets(compound);
  assert.deepEqual(
    ps.map((p) => p.type),
    ["rr", "sdes", "bye"],
  );
  assert.deepEqual(ps[1], { type: "sdes", chunks: [{ source: 7, items: [{ type: 1, text: "hotline@192.0.2.1" }] }] });
  assert.deepEqual(ps[2], { type: "bye", sources: [7], reason: "call ended" });
});

test("SDES chunks align to 32 bits for every item length; several chunks and items", () => {
  for (let n = 0; n < 9; n++) {
    const text = "x".repeat(n);
    const chunks = [
      { source: 1, items: [{ type: SDES_ITEM_TYPES.CNAME, text }] },
      { source: 2, items: [{ type: SDES_ITEM_TYPES.NAME, text: "Agent 007 ✓" }, { type: SDES_ITEM_TYPES.TOOL, text }] },
      { source: 3, items: [] },
    ];
    const bytes = buildSourceDescription(chunks);
    assert.equal(bytes.length % 4, 0);
    assert.equal(bytes[0], 0x83);
    assert.deepEqual(packets(bytes), [{ type: "sdes", chunks }]);
  }
});

test("SDES PRIV item (§6.5.8): prefix and value", () => {
  // chunk SSRC 9: PRIV len 7 = prefix len 2 "ab" + "xyzw", null, padding
  const bytes = hex("81ca 0004 00000009 08 07 02 6162 78797a77 00 0000");
  const [p] = packets(bytes);
  assert.deepEqual(p, { type: "sdes", chunks: [{ source: 9, items: [{ type: 8, prefix: "ab", text: "xyzw" }] }] });
});

test("APP (§6.7) and unknown packet types (RTPFB 205) come back, bodies as views", () => {
  const bytes = hex("85cc 0003 00000042 48544c4e 01020304" + "8fcd 0002 00000001 00000002");
  const [app, fb] = packets(bytes);
  assert.ok(app?.type === "app");
  assert.equal(app.subtype, 5);
  assert.equal(app.ssrc, 0x42);
  assert.equal(app.name, "HTLN");
  assert.deepEqual([...app.data], [1, 2, 3, 4]);
  assert.ok(fb?.type === "other");
  assert.equal(fb.packetType, 205);
  assert.equal(fb.count, 15);
  assert.deepEqual([...fb.body], [0, 0, 0, 1, 0, 0, 0, 2]);
});

test("BYE without a reason, and padding on the last packet only (A.2)", () => {
  // RR, then a BYE with P set: 2 sources + 4 padding octets (count 4)
  const bytes = hex("8001 0001 00000001" + "a2cb 0003 0000000a 0000000b 00000004");
  const [, bye] = packets(bytes);
  assert.deepEqual(bye, { type: "bye", sources: [10, 11], reason: undefined });
});

test("an SR with a profile-specific extension after its blocks keeps it as a view", () => {
  const sr = buildSenderReport({ ssrc: 1, ntpSeconds: 2, ntpFraction: 3, rtpTimestamp: 4, packetCount: 5, octetCount: 6 });
  const withExt = new Uint8Array(sr.length + 8);
  withExt.set(sr);
  withExt.set([0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4], sr.length);
  withExt[3] = withExt.length / 4 - 1;
  const [p] = packets(withExt);
  assert.ok(p?.type === "sr");
  assert.deepEqual([...(p.profileExtension ?? [])], [0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4]);
});

test("malformed compounds are refused with the reason and the offending packet's offset", () => {
  const rr = "8001 0001 00000001";
  const cases: [string, string, number][] = [
    ["", "truncated", 0],
    ["80c9", "truncated", 0],
    [rr + "80", "truncated", 8],
    ["80c9 0002 00000001", "truncated", 0],
    ["40c9 0001 00000001", "bad-version", 0],
    [rr + "40c9 0001 00000001", "bad-version", 8],
    ["a0c9 0001 00000001" + rr, "bad-padding", 0],
    ["a0c9 0001 00000000", "bad-padding", 0],
    ["a0c9 0001 00000009", "bad-padding", 0],
    ["82c8 000c" + "00".repeat(24 + 24), "report-overrun", 0],
    ["81c9 0001 00000001", "report-overrun", 0],
    ["81ca 0002 00000001 01026162", "bad-sdes", 0],
    ["81ca 0002 00000001 01056162", "bad-sdes", 0],
    ["82ca 0002 00000001 00000000", "bad-sdes", 0],
    ["82cb 0001 00000001", "bad-bye", 0],
    ["81cb 0002 00000001 09616263", "bad-bye", 0],
    ["80cc 0001 00000001", "bad-app", 0],
  ];
  for (const [bytes, error, offset] of cases) assert.deepEqual(failure(hex(bytes)), { error, offset }, bytes);
  assert.equal(RTCP_PARSE_ERRORS.length, 7);
});

test("fuzz: random and mutated compounds never throw", () => {
  const next = xorshift32(0x1234567);
  const seed = buildCompound([
    buildSenderReport({ ssrc: 1, ntpSeconds: 2, ntpFraction: 3, rtpTimestamp: 4, packetCount: 5, octetCount: 6, reports: [block()] }),
    buildSourceDescription([{ source: 1, items: [{ type: 1, text: "a@b" }, { type: 8, text: "\u0002zzq" }] }]),
    buildBye([1, 2], "bye"),
  ]);
  let accepted = 0;
  for (let i = 0; i < 20000; i++) {
    const bytes = i % 2 === 0 ? new Uint8Array(next() % 64) : Uint8Array.from(seed);
    if (i % 2 === 0) for (let j = 0; j < bytes.length; j++) bytes[j] = next();
    else for (let k = 0; k < 2; k++) bytes[next() % bytes.length] = next();
    if (parseRtcp(bytes).ok) accepted++;
  }
  assert.ok(accepted > 500, `only ${accepted} accepted`);
});

test("rtcp-mux demultiplexing (RFC 5761 §4): PT 192..223 is RTCP", () => {
  assert.equal(isRtcpPacket(buildReceiverReport({ ssrc: 1 })), true);
  assert.equal(isRtcpPacket(hex("80 00 0001 00000000 00000001")), false, "PCMU");
  assert.equal(isRtcpPacket(hex("80 e5 0001 00000000 00000001")), false, "marker + PT 101");
  assert.equal(isRtcpPacket(hex("80c8")), false, "too short");
});

test("builders refuse what cannot be encoded", () => {
  assert.throws(() => buildReceiverReport({ ssrc: 1, reports: new Array<ReportBlock>(32).fill(block()) }), RangeError);
  assert.throws(() => buildSourceDescription([{ source: 1, items: [{ type: 1, text: "x".repeat(256) }] }]), RangeError);
  assert.throws(() => buildSourceDescription([{ source: 1, items: [{ type: 0, text: "x" }] }]), RangeError);
  assert.throws(() => buildBye([1], "x".repeat(256)), RangeError);
});

test("RFC 3550 §6.4.1 Figure 2: NTP of the SR, LSR, and the round-trip time 6.125 s", () => {
  // SR sent 10 Nov 1995 11:33:25.125 UTC: ntp_sec = 0xb44db705, ntp_frac = 0x20000000
  const sent = ntpFromUnixMs(Date.UTC(1995, 10, 10, 11, 33, 25, 125));
  assert.deepEqual(sent, { seconds: 0xb44db705, fraction: 0x20000000 });
  assert.equal(ntpMiddle32(sent.seconds, sent.fraction), 0xb7052000, "LSR = 0xb705:2000");
  // RR arrives 10 Nov 1995 11:33:36.5 UTC: A = 0xb710:8000
  const arrived = ntpFromUnixMs(Date.UTC(1995, 10, 10, 11, 33, 36, 500));
  const a = ntpMiddle32(arrived.seconds, arrived.fraction);
  assert.equal(a, 0xb7108000);
  assert.equal(roundTripTimeMs(a, 0xb7052000, 0x00054000), 6125);
  assert.equal(roundTripTimeMs(a, 0, 0), null, "no SR received by the reporter yet");
  assert.equal(roundTripTimeMs(0xb7052000, 0xb7052000, 0x00054000), 0, "clock error never gives a negative RTT");
});
