import { test } from "node:test";
import assert from "node:assert/strict";
import { SourceStatistics, ReceptionStatistics } from "./receiver-stats.js";
import { ntpFromUnixMs, ntpMiddle32, roundTripTimeMs } from "./ntp-time.js";

const PCMU = { clockRate: 8000 };
const PTIME = 20; // ms
const SPP = 160; // samples per packet at 8 kHz

/** Feeds seqs (with their natural timestamps and on-time arrivals) and returns A.1 verdicts. */
function feed(s: SourceStatistics, seqs: number[], firstSeq = seqs[0]!, ts0 = 0, t0 = 0): boolean[] {
  return seqs.map((seq) => {
    const n = (seq - firstSeq) & 0xffff;
    return s.receive(seq, (ts0 + n * SPP) >>> 0, t0 + n * PTIME);
  });
}

const range = (from: number, count: number): number[] => Array.from({ length: count }, (_, i) => (from + i) & 0xffff);

test("A.1 probation: the first packet is held, the second in sequence validates the source", () => {
  const s = new SourceStatistics(1, PCMU);
  assert.equal(s.receive(1000, 0, 0), false);
  assert.equal(s.valid, false);
  assert.equal(s.receive(1001, 160, 20), true);
  assert.equal(s.valid, true);
  // A.1 init_seq on validation: base_seq is the validating packet, counted once.
  assert.equal(s.received, 1);
  assert.equal(s.expected, 1);
});

test("A.1 probation restarts on an out-of-sequence packet", () => {
  const s = new SourceStatistics(1, PCMU);
  assert.deepEqual([s.receive(10, 0, 0), s.receive(12, 320, 40), s.receive(13, 480, 60)], [false, false, true]);
  assert.equal(s.extendedHighestSequence, 13);
});

test("a clean stream: nothing lost, extended highest seq, fraction 0", () => {
  const s = new SourceStatistics(1, PCMU);
  feed(s, range(1000, 100));
  const b = s.reportBlock(2000);
  assert.equal(s.received, 99);
  assert.equal(s.expected, 99);
  assert.equal(b.cumulativeLost, 0);
  assert.equal(b.fractionLost, 0);
  assert.equal(b.extendedHighestSequence, 1099);
  assert.equal(b.jitter, 0, "on-time arrivals have no jitter");
  assert.equal(b.lsr, 0);
  assert.equal(b.dlsr, 0);
});

test("A.3 loss: cumulative and per-interval fraction lost", () => {
  const s = new SourceStatistics(1, PCMU);
  const first = range(0, 101).filter((seq) => seq % 10 !== 5); // 10 lost among 1..100
  feed(s, first, 0);
  let b = s.reportBlock(2000);
  assert.equal(s.expected, 100);
  assert.equal(b.cumulativeLost, 10);
  assert.equal(b.fractionLost, Math.floor((10 * 256) / 100));
  // Next interval: 101..200 with 25 lost.
  feed(s, range(101, 100).filter((seq) => seq % 4 !== 1), 0);
  b = s.reportBlock(4000);
  assert.equal(b.cumulativeLost, 35);
  assert.equal(b.fractionLost, Math.floor((25 * 256) / 100));
  // A quiet interval: nothing expected, fraction 0, cumulative kept.
  b = s.reportBlock(6000);
  assert.equal(b.fractionLost, 0);
  assert.equal(b.cumulativeLost, 35);
});

test("reordering within the window is not loss; late packets count as received", () => {
  const s = new SourceStatistics(1, PCMU);
  const seqs = [50, 51, 53, 52, 55, 54, 57, 56, 58];
  assert.ok(feed(s, seqs, 50).slice(1).every(Boolean));
  const b = s.reportBlock(1000);
  assert.equal(b.cumulativeLost, 0);
  assert.equal(b.extendedHighestSequence, 58);
});

test("duplicates make the cumulative loss negative (§6.4.1) and the fraction 0", () => {
  const s = new SourceStatistics(1, PCMU);
  feed(s, [...range(0, 20), 5, 6, 7, 8, 9], 0);
  const b = s.reportBlock(1000);
  assert.equal(s.received, 24);
  assert.equal(s.expected, 19);
  assert.equal(b.cumulativeLost, -5);
  assert.equal(b.fractionLost, 0);
});

test("sequence wrap at 65535 counts a cycle in the extended highest sequence", () => {
  const s = new SourceStatistics(1, PCMU);
  feed(s, range(65530, 20));
  const b = s.reportBlock(1000);
  assert.equal(b.extendedHighestSequence, 65536 + 13);
  assert.equal(s.expected, 19);
  assert.equal(b.cumulativeLost, 0);
  // A reordered packet from before the wrap does not count another cycle.
  s.receive(65534, 0, 0);
  assert.equal(s.extendedHighestSequence, 65536 + 13);
});

test("probation straddling 65535 → 0 validates on the second packet (modular max_seq + 1)", () => {
  const s = new SourceStatistics(1, PCMU);
  assert.deepEqual(feed(s, [65535, 0, 1]), [false, true, true]);
  assert.equal(s.extendedHighestSequence, 1, "validated at seq 0, base_seq 0, no cycle yet");
  assert.equal(s.expected, 2);
});

test("A.1 very large jump: one stray packet is ignored; two in sequence re-sync", () => {
  const s = new SourceStatistics(1, PCMU);
  feed(s, range(100, 50));
  assert.equal(s.receive(40000, 0, 1000), false, "stray: not counted");
  assert.equal(s.receive(150, 50 * SPP, 1000), true, "stream continues");
  assert.equal(s.received, 50);
  assert.equal(s.receive(30000, 0, 1020), false);
  assert.equal(s.receive(30001, 160, 1040), true, "sender restarted: re-sync");
  assert.equal(s.received, 1);
  assert.equal(s.expected, 1);
  assert.equal(s.extendedHighestSequence, 30001);
});

test("a gap under MAX_DROPOUT is loss, not a restart", () => {
  const s = new SourceStatistics(1, PCMU);
  feed(s, [...range(0, 10), ...range(2000, 10)], 0);
  assert.equal(s.cumulativeLost, 2000 - 10);
});

test("A.8 jitter: constant transit gives 0; alternating 10 ms delay converges on 80 units", () => {
  const s = new SourceStatistics(1, PCMU);
  let expected = 0;
  for (let i = 0; i < 300; i++) {
    const late = i % 2 === 1 ? 10 : 0;
    s.receive(i, i * SPP, i * PTIME + late);
    // First accepted packet (i = 1) only sets the reference; each later one has |D| = 80.
    if (i >= 2) expected += (80 - expected) / 16;
    assert.ok(Math.abs(s.jitter - expected) < 1e-9, `packet ${i}: ${s.jitter} vs ${expected}`);
  }
  assert.ok(Math.abs(s.jitter - 80) < 1e-6);
  assert.equal(s.reportBlock(0).jitter, 79, "reported as the integer part of the estimate");
});

test("A.8 jitter across the 32-bit timestamp wrap, and arrival times with fractions", () => {
  const s = new SourceStatistics(1, PCMU);
  const ts0 = 0xffffffff - 5 * SPP;
  for (let i = 0; i < 20; i++) s.receive(i, (ts0 + i * SPP) >>> 0, 1e9 + i * PTIME + 0.25);
  assert.ok(Math.abs(s.jitter) < 1e-6, `jitter ${s.jitter}`);
});

test("packets excluded from jitter (RFC 4733 events keep their start timestamp) leave it alone", () => {
  const s = new SourceStatistics(1, PCMU);
  for (let i = 0; i < 10; i++) s.receive(i, i * SPP, i * PTIME);
  for (let i = 10; i < 20; i++) s.receive(i, 10 * SPP, i * PTIME, false); // a DTMF event
  for (let i = 20; i < 30; i++) s.receive(i, i * SPP, i * PTIME);
  assert.equal(s.jitter, 0);
  assert.equal(s.received, 29);
});

test("LSR/DLSR from the SR of the source (§6.4.1, the numbers of Figure 2)", () => {
  const s = new SourceStatistics(1, PCMU);
  feed(s, range(0, 10));
  const t = 1_000_000;
  s.senderReport(0xb44db705, 0x20000000, t);
  const b = s.reportBlock(t + 5250);
  assert.equal(b.lsr, 0xb7052000);
  assert.equal(b.dlsr, 0x00054000, "5.250 s");
  // Back at the SR's sender: the RR arrives at 11:33:36.5 UTC.
  const a = ntpFromUnixMs(Date.UTC(1995, 10, 10, 11, 33, 36, 500));
  assert.equal(roundTripTimeMs(ntpMiddle32(a.seconds, a.fraction), b.lsr, b.dlsr), 6125);
});

test("ReceptionStatistics: SSRC change starts a new source on probation; reports cover sources heard", () => {
  const r = new ReceptionStatistics(PCMU);
  for (let i = 0; i < 50; i++) r.receive(0xaaaa, 1000 + i, 5000 + i * SPP, i * PTIME);
  assert.equal(r.receive(0xbbbb, 7, 90000, 1000), false, "new SSRC: probation");
  assert.equal(r.receive(0xbbbb, 8, 90160, 1020), true);
  for (let i = 9; i < 30; i++) r.receive(0xbbbb, i, 90000 + (i - 7) * SPP, 1000 + (i - 7) * PTIME);
  assert.equal(r.size, 2);
  let blocks = r.reportBlocks(2000);
  assert.deepEqual(
    blocks.map((b) => [b.ssrc, b.extendedHighestSequence, b.cumulativeLost]),
    [
      [0xaaaa, 1049, 0],
      [0xbbbb, 29, 0],
    ],
  );
  r.receive(0xbbbb, 30, 90000 + 23 * SPP, 1460);
  blocks = r.reportBlocks(3000);
  assert.deepEqual(
    blocks.map((b) => b.ssrc),
    [0xbbbb],
    "the old SSRC went quiet",
  );
  assert.equal(r.source(0xaaaa)?.received, 49, "its statistics stay until removed");
  assert.equal(r.remove(0xaaaa), true);
  assert.equal(r.source(0xaaaa), undefined);
  assert.equal(r.size, 1);
});

test("ReceptionStatistics: a source on probation or heard only by SR gets no block", () => {
  const r = new ReceptionStatistics(PCMU);
  r.senderReport(0xcccc, 1, 2, 0);
  r.receive(0xdddd, 1, 0, 0);
  assert.deepEqual(r.reportBlocks(100), []);
  r.receive(0xcccc, 1, 0, 10);
  r.receive(0xcccc, 2, 160, 30);
  const [b] = r.reportBlocks(1030);
  assert.equal(b?.ssrc, 0xcccc);
  assert.equal(b?.lsr, ntpMiddle32(1, 2));
  assert.equal(b?.dlsr, Math.floor(1.03 * 65536));
});
