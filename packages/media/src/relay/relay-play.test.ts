import { test } from "node:test";
import assert from "node:assert/strict";
import { encodeAlaw, encodeUlaw, ALAW_SILENCE } from "../g711.js";
import { holdMusicAudio } from "../moh.js";
import { parseTelephoneEvent } from "../telephone-event.js";
import { TONE_PLAN_CN, TONE_PLAN_US, ToneGenerator } from "../tones.js";
import { RelaySession } from "./relay-session.js";
import { g711Config, headerOf, ramp, RecordingOutput, rtpPacket, scriptedRandom } from "../testing/relay.js";

const A_SSRC = 0xa0a0a0a0;
const B_SSRC = 0xb0b0b0b0;
const MOH = holdMusicAudio();

function setup(cfgB = g711Config("PCMA", "10.0.0.2", 6000), tonePlan = TONE_PLAN_CN) {
  const out = new RecordingOutput();
  const session = new RelaySession({ output: out, random: scriptedRandom([A_SSRC, 1000, 50000, B_SSRC, 2000, 70000]), mediaTimeoutMs: 0, holdMusic: MOH, tonePlan });
  const a = session.createEndpoint("a", 0);
  const b = session.createEndpoint("b", 0);
  session.configure(a, g711Config("PCMA", "10.0.0.1", 4000, { dtmfPt: 101 }));
  session.configure(b, cfgB);
  session.bridge(a, b, 0);
  return { out, session, a, b };
}

const fromA = (sequence: number, timestamp: number) => rtpPacket({ pt: 8, sequence, timestamp, ssrc: 0x1234, payload: ramp(160) });

test("hold: MOH frames every 20 ms continue the relayed stream; relay resumes after play(null) without a jump", () => {
  const { out, session, a, b } = setup();
  session.receiveRtp(a, fromA(1, 0), "10.0.0.1", 4000, 0);
  session.receiveRtp(a, fromA(2, 160), "10.0.0.1", 4000, 20);
  session.receiveRtp(a, fromA(3, 320), "10.0.0.1", 4000, 40);
  session.play(b, { kind: "moh" }, 50);
  assert.equal(session.nextDeadline(), 50);
  session.tick(50);
  session.receiveRtp(a, fromA(4, 480), "10.0.0.1", 4000, 60); // b hears music, not a
  session.tick(70);
  session.tick(90);
  session.play(b, null, 95);
  session.receiveRtp(a, fromA(6, 800), "10.0.0.1", 4000, 100);
  session.receiveRtp(a, fromA(7, 960), "10.0.0.1", 4000, 120);
  const sent = out.takeRtp();
  assert.deepEqual(
    sent.map((p) => headerOf(p.bytes)),
    [
      { marker: true, pt: 8, sequence: 2000, timestamp: 70000, ssrc: B_SSRC },
      { marker: false, pt: 8, sequence: 2001, timestamp: 70160, ssrc: B_SSRC },
      { marker: false, pt: 8, sequence: 2002, timestamp: 70320, ssrc: B_SSRC },
      // music: next sequence, timestamp advanced by at least the last packet's 160 samples
      { marker: true, pt: 8, sequence: 2003, timestamp: 70480, ssrc: B_SSRC },
      { marker: false, pt: 8, sequence: 2004, timestamp: 70640, ssrc: B_SSRC },
      { marker: false, pt: 8, sequence: 2005, timestamp: 70800, ssrc: B_SSRC },
      // relay again: sequence goes on, timestamp = last frame + 10 ms elapsed, rounded up to its 160 samples
      { marker: true, pt: 8, sequence: 2006, timestamp: 70960, ssrc: B_SSRC },
      { marker: false, pt: 8, sequence: 2007, timestamp: 71120, ssrc: B_SSRC },
    ],
  );
  const music = encodeAlaw(MOH.data.subarray(0, 480) as Int16Array);
  assert.deepEqual(sent[3]!.bytes.subarray(12), music.subarray(0, 160));
  assert.deepEqual(sent[4]!.bytes.subarray(12), music.subarray(160, 320));
  assert.deepEqual(sent[5]!.bytes.subarray(12), music.subarray(320, 480));
  assert.equal(session.counters()["peer-not-receiving"], 1);
  assert.equal(session.stats(b).packetsOut, 8);
});

test("tones follow the plan in the endpoint's law (US ringback, PCMU)", () => {
  const { out, session, b } = setup(g711Config("PCMU", "10.0.0.2", 6000), TONE_PLAN_US);
  session.play(b, { kind: "tone", tone: "ringback" }, 1000);
  for (let t = 1000; t < 1100; t += 20) session.tick(t);
  const sent = out.takeRtp();
  const reference = new ToneGenerator(TONE_PLAN_US, "ringback", { law: "ulaw" });
  assert.equal(sent.length, 5);
  sent.forEach((p, i) => {
    assert.deepEqual(p.bytes.subarray(12), encodeUlaw(reference.nextPcmFrame()), `frame ${i}`);
    assert.deepEqual(headerOf(p.bytes), { marker: i === 0, pt: 0, sequence: 2000 + i, timestamp: 70000 + 160 * i, ssrc: B_SSRC });
  });
});

test("a non-looping prompt plays its frames, pads the last, reports play-done once and goes back to relaying", () => {
  const { out, session, a, b } = setup();
  const prompt = { format: "alaw" as const, sampleRate: 8000, channels: 1, data: ramp(400, 1) };
  session.play(b, { kind: "prompt", audio: [prompt], loop: false }, 0);
  for (let t = 0; t <= 80; t += 20) session.tick(t);
  const sent = out.takeRtp();
  assert.equal(sent.length, 3);
  assert.deepEqual(sent[2]!.bytes.subarray(12), Uint8Array.from([...ramp(80, 1 + 320)].concat(new Array<number>(80).fill(ALAW_SILENCE))));
  assert.deepEqual(out.events, [{ type: "play-done", id: "b" }]);
  assert.equal(b.generating, false);
  session.receiveRtp(a, fromA(1, 0), "10.0.0.1", 4000, 90);
  // 50 ms after the last frame (sent at 40 ms, timestamp 70320): 400 samples on
  assert.deepEqual(headerOf(out.takeRtp()[0]!.bytes), { marker: true, pt: 8, sequence: 2003, timestamp: 70720, ssrc: B_SSRC });
});

test("an unplayable prompt (16 kHz) ends at once with play-done", () => {
  const { out, session, b } = setup();
  session.play(b, { kind: "prompt", audio: [{ format: "pcm16", sampleRate: 16000, channels: 1, data: new Int16Array(320) }], loop: false }, 0);
  assert.deepEqual(out.events, [{ type: "play-done", id: "b" }]);
  assert.equal(b.generating, false);
});

test("a late timer: three frames at once, the rest skipped as a timestamp gap, on the same 20 ms grid", () => {
  const { out, session, b } = setup();
  session.play(b, { kind: "silence" }, 3); // starts on the 5 ms grid
  session.tick(5);
  session.tick(205); // frames due at 25 … 205: send 25, 45, 65; skip 85 … 205
  assert.equal(session.nextDeadline(), 225);
  session.tick(225);
  assert.deepEqual(
    out.takeRtp().map((p) => [headerOf(p.bytes).sequence, headerOf(p.bytes).timestamp]),
    [
      [2000, 70000],
      [2001, 70160],
      [2002, 70320],
      [2003, 70480],
      [2004, 70000 + 160 * 11], // 7 frames (85 … 205) not sent
    ],
  );
});

test("play towards a sendonly peer sends nothing, yet the prompt runs on and ends on time", () => {
  const { out, session, b } = setup(g711Config("PCMA", "10.0.0.2", 6000, { direction: "sendonly" }));
  session.play(b, { kind: "prompt", audio: [{ format: "alaw", sampleRate: 8000, channels: 1, data: ramp(320) }], loop: false }, 0);
  for (let t = 0; t <= 40; t += 20) session.tick(t);
  assert.equal(out.rtp.length, 0);
  assert.deepEqual(out.events, [{ type: "play-done", id: "b" }]);
});

test("sendDtmf: RFC 4733 packets in the endpoint's stream, relay held back, then resumed without a jump", () => {
  const { out, session, a, b } = setup(g711Config("PCMA", "10.0.0.2", 6000, { dtmfPt: 96 }));
  session.receiveRtp(a, fromA(1, 0), "10.0.0.1", 4000, 0);
  assert.equal(session.sendDtmf(b, "7", 100), true);
  assert.equal(session.nextDeadline(), -Infinity, "due at once");
  session.tick(10);
  session.receiveRtp(a, fromA(2, 160), "10.0.0.1", 4000, 20); // not forwarded during the digit
  for (let t = 60; t <= 210; t += 50) session.tick(t);
  session.receiveRtp(a, fromA(12, 1760), "10.0.0.1", 4000, 230);
  const sent = out.takeRtp();
  const digitTs = 70000 + 160; // 10 ms after a 160-sample packet
  assert.deepEqual(
    sent.map((p) => headerOf(p.bytes)),
    [
      { marker: true, pt: 8, sequence: 2000, timestamp: 70000, ssrc: B_SSRC },
      { marker: true, pt: 96, sequence: 2001, timestamp: digitTs, ssrc: B_SSRC },
      { marker: false, pt: 96, sequence: 2002, timestamp: digitTs, ssrc: B_SSRC },
      { marker: false, pt: 96, sequence: 2003, timestamp: digitTs, ssrc: B_SSRC },
      { marker: false, pt: 96, sequence: 2004, timestamp: digitTs, ssrc: B_SSRC },
      { marker: false, pt: 96, sequence: 2005, timestamp: digitTs, ssrc: B_SSRC },
      // relay: 220 ms after the digit started (at 10 ms) → 1760 samples on
      { marker: true, pt: 8, sequence: 2006, timestamp: digitTs + 1760, ssrc: B_SSRC },
    ],
  );
  assert.deepEqual(
    sent.slice(1, 6).map((p) => parseTelephoneEvent(p.bytes.subarray(12))),
    [400, 800, 800, 800, 800].map((duration, i) => ({ event: 7, end: i >= 2, reserved: false, volume: 10, duration })),
  );
  assert.equal(session.stats(b).dtmfOut, 1);
  assert.equal(session.sendDtmf(a, "x"), false, "not a digit");
  assert.equal(session.sendDtmf(setup().b, "1"), false, "no telephone-event negotiated");
});

test("digits queue behind each other and pause a play, which resumes on its grid", () => {
  const { out, session, b } = setup(g711Config("PCMA", "10.0.0.2", 6000, { dtmfPt: 96 }));
  session.play(b, { kind: "silence" }, 0);
  session.tick(0);
  session.sendDtmf(b, "1", 40);
  session.sendDtmf(b, "2", 40);
  for (let t = 5; t <= 400; t += 5) session.tick(t);
  const sent = out.takeRtp();
  const kinds = sent.map((p) => {
    const h = headerOf(p.bytes);
    return h.pt === 96 ? `${parseTelephoneEvent(p.bytes.subarray(12))!.event}${h.marker ? "M" : ""}` : "s";
  });
  // digit of 40 ms: one update and three end packets, 50 ms apart; the second digit starts right after
  assert.deepEqual(kinds.slice(0, 10), ["s", "1M", "1", "1", "1", "2M", "2", "2", "2", "s"]);
  assert.deepEqual(
    sent.map((p) => headerOf(p.bytes).sequence),
    sent.map((_, i) => 2000 + i),
    "one sequence space, no gaps",
  );
});
