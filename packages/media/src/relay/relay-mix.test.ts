import { test } from "node:test";
import assert from "node:assert/strict";
import { RelaySession } from "./relay-session.js";
import type { RelayEndpoint } from "./relay-endpoint.js";
import type { G711 } from "./relay-types.js";
import { decodePayload, SineSource, toneAmplitude, tonesPresent } from "../testing/goertzel.js";
import { g711Config, headerOf, RecordingOutput, rtpPacket, type SentPacket } from "../testing/relay.js";
import { xorshift32 } from "../testing/xorshift.js";

// Caller, agent and supervisor each speak their own tone; what each hears tells who it hears.
const CALLER = 440;
const AGENT = 1000;
const SUPERVISOR = 1700;
const FREQS = [CALLER, AGENT, SUPERVISOR];
const AMPLITUDE = 6000;

interface Member {
  ep: RelayEndpoint;
  source: SineSource;
  port: number;
  ssrc: number;
  sequence: number;
  timestamp: number;
  /** Samples per packet it sends (160 = 20 ms). */
  packetSamples: number;
  nextSendAt: number;
  /** Sends nothing while false (a muted phone, a dead leg). */
  talking: boolean;
}

/** A session with phones that send a sine each; a fake clock moved 1 ms at a time. */
class Rig {
  readonly out = new RecordingOutput();
  readonly session = new RelaySession({ output: this.out, random: xorshift32(7), mediaTimeoutMs: 0 });
  readonly members = new Map<string, Member>();
  now = 0;

  add(id: string, codec: G711, freq: number, packetSamples = 160, dtmfPt: number | null = null): RelayEndpoint {
    const ep = this.session.createEndpoint(id, this.now);
    const port = 4000 + 2 * this.members.size;
    this.session.configure(ep, g711Config(codec, "10.0.0.1", port, { dtmfPt }));
    const n = this.members.size;
    this.members.set(id, { ep, source: new SineSource(freq, AMPLITUDE, codec === "PCMU"), port, ssrc: 0x1000 + n, sequence: 100 * n, timestamp: 5000 * n, packetSamples, nextSendAt: 3 + 4 * n, talking: true });
    return ep;
  }

  member(id: string): Member {
    const m = this.members.get(id);
    assert.ok(m !== undefined, id);
    return m;
  }

  /** Moves the clock `ms` on: phones send when due (in arrival order), the session ticks when due. */
  run(ms: number): void {
    const end = this.now + ms;
    for (; this.now < end; this.now++) {
      for (const m of this.members.values()) {
        if (m.nextSendAt > this.now) continue;
        m.nextSendAt += m.packetSamples / 8;
        m.sequence = (m.sequence + 1) & 0xffff;
        m.timestamp = (m.timestamp + m.packetSamples) >>> 0;
        const payload = m.source.next(m.packetSamples);
        const pt = m.ep.pt;
        if (m.talking && m.ep.slot >= 0) this.session.receiveRtp(m.ep, rtpPacket({ pt, sequence: m.sequence, timestamp: m.timestamp, ssrc: m.ssrc, payload }), "10.0.0.1", m.port, this.now);
      }
      for (let guard = 0; guard < 10 && this.session.nextDeadline() <= this.now; guard++) this.session.tick(this.now);
    }
  }

  /** Settles `settleMs` (buffers fill, old mode's audio drains), then records `ms` of what each endpoint is sent. */
  listen(ms = 400, settleMs = 100): Map<string, SentPacket[]> {
    this.run(settleMs);
    this.out.takeRtp();
    this.run(ms);
    const byEp = new Map<string, SentPacket[]>();
    for (const p of this.out.takeRtp()) byEp.set(p.to, [...(byEp.get(p.to) ?? []), p]);
    return byEp;
  }
}

function audioOf(packets: readonly SentPacket[]): Int16Array {
  const parts = packets.map((p) => decodePayload(headerOf(p.bytes).pt, p.bytes.subarray(12)));
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The tones `id` heard (sorted), after checking its stream: own pt, one SSRC, no gap, 160 per frame. */
function heard(rig: Rig, packets: Map<string, SentPacket[]>, id: string): number[] {
  const sent = packets.get(id) ?? [];
  const ep = rig.member(id).ep;
  assert.ok(sent.length >= 15, `${id}: ${sent.length} packets in the window`);
  const headers = sent.map((p) => headerOf(p.bytes));
  for (let i = 1; i < headers.length; i++) {
    const h = headers[i]!;
    const prev = headers[i - 1]!;
    assert.equal(h.pt, ep.pt, `${id}: payload type of its own codec`);
    assert.equal(h.ssrc, ep.outbound.ssrc, `${id}: our SSRC for it`);
    assert.equal(h.sequence, (prev.sequence + 1) & 0xffff, `${id}: sequence continues`);
    assert.equal(h.timestamp, (prev.timestamp + 160) >>> 0, `${id}: timestamp steps 160`);
  }
  return tonesPresent(audioOf(sent), FREQS, AMPLITUDE);
}

function threeParty(): { rig: Rig; caller: RelayEndpoint; agent: RelayEndpoint; supervisor: RelayEndpoint } {
  const rig = new Rig();
  // Mixed laws: the agent speaks PCMU, the others PCMA.
  const caller = rig.add("caller", "PCMA", CALLER, 160, 101);
  const agent = rig.add("agent", "PCMU", AGENT);
  const supervisor = rig.add("supervisor", "PCMA", SUPERVISOR);
  return { rig, caller, agent, supervisor };
}

test("listen, whisper, barge: each member hears exactly whom its options say, in its own law", () => {
  const { rig, caller, agent, supervisor } = threeParty();
  const { session } = rig;
  session.bridge(caller, agent, 0);
  // Listen: supervisor muted; caller and agent hear each other only.
  session.mix(caller, "room1", { listenTo: ["agent"], muted: false }, rig.now);
  session.mix(agent, "room1", { listenTo: ["caller"], muted: false }, rig.now);
  session.mix(supervisor, "room1", { listenTo: null, muted: true }, rig.now);
  let p = rig.listen();
  assert.deepEqual(heard(rig, p, "caller"), [AGENT]);
  assert.deepEqual(heard(rig, p, "agent"), [CALLER]);
  assert.deepEqual(heard(rig, p, "supervisor"), [CALLER, AGENT]);
  assert.equal(headerOf(p.get("agent")![0]!.bytes).pt, 0);
  assert.equal(headerOf(p.get("caller")![0]!.bytes).pt, 8);

  // Whisper: the supervisor speaks; the caller still hears the agent only.
  session.mix(supervisor, "room1", { listenTo: null, muted: false }, rig.now);
  session.mix(agent, "room1", { listenTo: null, muted: false }, rig.now);
  p = rig.listen();
  assert.deepEqual(heard(rig, p, "caller"), [AGENT]);
  assert.deepEqual(heard(rig, p, "agent"), [CALLER, SUPERVISOR]);
  assert.deepEqual(heard(rig, p, "supervisor"), [CALLER, AGENT]);

  // Barge: everyone hears everyone else (and never itself).
  session.mix(caller, "room1", { listenTo: null, muted: false }, rig.now);
  p = rig.listen();
  assert.deepEqual(heard(rig, p, "caller"), [AGENT, SUPERVISOR]);
  assert.deepEqual(heard(rig, p, "agent"), [CALLER, SUPERVISOR]);
  assert.deepEqual(heard(rig, p, "supervisor"), [CALLER, AGENT]);

  // The mixed sum keeps each voice at its level (no attenuation, no clipping at three).
  const agentHears = audioOf(p.get("agent")!);
  assert.ok(Math.abs(toneAmplitude(agentHears, CALLER) - AMPLITUDE) < AMPLITUDE / 10);
  assert.equal(session.counters()["not-bridged"], 0, "mixed audio is not counted as dropped");
});

test("joining a room leaves the bridge: the former peer is no longer bridged and hears nothing relayed", () => {
  const rig = new Rig();
  const a = rig.add("a", "PCMA", CALLER);
  const b = rig.add("b", "PCMA", AGENT);
  rig.session.bridge(a, b, 0);
  rig.session.mix(a, "r", { listenTo: null, muted: false }, 0);
  assert.equal(a.peer, null);
  assert.equal(b.peer, null);
  const p = rig.listen();
  assert.deepEqual(heard(rig, p, "a"), [], "alone in the room: silence frames");
  assert.equal(p.get("b"), undefined, "b is sent nothing");
  assert.ok(rig.session.counters()["not-bridged"] > 0, "b's audio has nowhere to go");
});

test("a play overrides the mix for that member only, and the mix comes back after it", () => {
  const { rig, caller, agent, supervisor } = threeParty();
  const { session } = rig;
  for (const ep of [caller, agent, supervisor]) session.mix(ep, "r", { listenTo: null, muted: false }, 0);
  rig.listen();
  // A 2500 Hz prompt, looping, to the caller.
  const prompt = new SineSource(2500, AMPLITUDE, false).next(8000);
  session.play(caller, { kind: "prompt", audio: [{ format: "alaw", sampleRate: 8000, channels: 1, data: prompt }], loop: true }, rig.now);
  let p = rig.listen();
  const callerHears = audioOf(p.get("caller")!);
  assert.ok(toneAmplitude(callerHears, 2500) > AMPLITUDE / 2, "the caller hears the prompt");
  assert.deepEqual(tonesPresent(callerHears, FREQS, AMPLITUDE), [], "and no mix");
  assert.deepEqual(heard(rig, p, "agent"), [CALLER, SUPERVISOR], "the caller's voice is still mixed");

  session.play(caller, null, rig.now);
  p = rig.listen();
  assert.deepEqual(heard(rig, p, "caller"), [AGENT, SUPERVISOR]);
  // The stream went on through both switches: one SSRC, no sequence gap, a marker at each.
  assert.equal(headerOf(p.get("caller")![0]!.bytes).ssrc, caller.outbound.ssrc);
});

test("a play-done of a one-shot prompt returns the member to the mix", () => {
  const { rig, caller, agent } = threeParty();
  rig.session.mix(caller, "r", { listenTo: null, muted: false }, 0);
  rig.session.mix(agent, "r", { listenTo: null, muted: false }, 0);
  rig.session.play(caller, { kind: "prompt", audio: [{ format: "pcm16", sampleRate: 8000, channels: 1, data: new Int16Array(800) }], loop: false }, 0);
  rig.run(200);
  assert.deepEqual(rig.out.events, [{ type: "play-done", id: "caller" }]);
  assert.deepEqual(heard(rig, rig.listen(), "caller"), [AGENT]);
});

test("unmix leaves the room: the others stop hearing it, it is sent nothing; the last one out removes the room", () => {
  const { rig, caller, agent, supervisor } = threeParty();
  const { session } = rig;
  for (const ep of [caller, agent, supervisor]) session.mix(ep, "r", { listenTo: null, muted: false }, 0);
  rig.listen();
  session.unmix(supervisor);
  assert.equal(supervisor.mix, null);
  const p = rig.listen();
  assert.deepEqual(heard(rig, p, "caller"), [AGENT]);
  assert.deepEqual(heard(rig, p, "agent"), [CALLER]);
  assert.equal(p.get("supervisor"), undefined);
  assert.equal(session.room("r")?.size, 2);
  session.unmix(caller);
  session.unmix(agent);
  assert.equal(session.room("r"), undefined);
  rig.listen();
  assert.equal(rig.out.rtp.length, 0, "nothing is sent to anyone");
});

test("releasing a member removes it from its room", () => {
  const { rig, caller, agent, supervisor } = threeParty();
  const { session } = rig;
  for (const ep of [caller, agent, supervisor]) session.mix(ep, "r", { listenTo: null, muted: false }, 0);
  rig.listen();
  session.remove(caller);
  const p = rig.listen();
  assert.deepEqual(heard(rig, p, "agent"), [SUPERVISOR]);
  assert.deepEqual(heard(rig, p, "supervisor"), [AGENT]);
  assert.equal(session.room("r")?.size, 2);
  session.remove(agent);
  session.remove(supervisor);
  assert.equal(session.room("r"), undefined);
});

test("a member's RFC 4733 digits are reported as dtmf events and not mixed", () => {
  const { rig, caller, agent } = threeParty();
  rig.session.mix(caller, "r", { listenTo: null, muted: false }, 0);
  rig.session.mix(agent, "r", { listenTo: null, muted: false }, 0);
  rig.run(100);
  const c = rig.member("caller");
  c.talking = false;
  // Digit 5, three end packets (RFC 4733 §2.5.1.4), the sender's audio stopped meanwhile.
  for (let i = 0; i < 3; i++) {
    const payload = [5, 0x80 | 10, 0x03, 0x20];
    rig.session.receiveRtp(caller, rtpPacket({ pt: 101, sequence: c.sequence + 1 + i, timestamp: c.timestamp, ssrc: c.ssrc, marker: i === 0, payload }), "10.0.0.1", c.port, rig.now);
  }
  c.sequence += 3;
  assert.deepEqual(rig.out.events, [{ type: "dtmf", id: "caller", digit: "5", durationMs: 100 }]);
  const p = rig.listen();
  assert.deepEqual(heard(rig, p, "agent"), [], "the agent hears no event bytes decoded as audio");
});

test("30 ms packets, lost and reordered packets: the mix goes on (late ones dropped and counted)", () => {
  const rig = new Rig();
  const a = rig.add("a", "PCMU", CALLER, 240);
  const b = rig.add("b", "PCMA", AGENT);
  rig.session.mix(a, "r", { listenTo: null, muted: false }, 0);
  rig.session.mix(b, "r", { listenTo: null, muted: false }, 0);
  const p = rig.listen();
  const bHears = audioOf(p.get("b")!);
  assert.deepEqual(tonesPresent(bHears, FREQS, AMPLITUDE), [CALLER]);
  assert.ok(toneAmplitude(bHears, CALLER) > AMPLITUDE * 0.9, "30 ms packets are heard without gaps");
  // A duplicate of the last packet is late: dropped, counted.
  const m = rig.member("a");
  rig.session.receiveRtp(a, rtpPacket({ pt: 0, sequence: m.sequence, timestamp: m.timestamp, ssrc: m.ssrc, payload: new Uint8Array(240) }), "10.0.0.1", m.port, rig.now);
  assert.equal(rig.session.counters()["mix-late"], 1);
  // a goes silent (lost packets): b gets silence frames, the stream goes on.
  m.talking = false;
  const q = rig.listen();
  assert.deepEqual(heard(rig, q, "b"), []);
});

test("a full room refuses another member and leaves it where it was", () => {
  const rig = new Rig();
  const eps = Array.from({ length: 65 }, (_, i) => rig.session.createEndpoint(`e${i}`, 0));
  const results = eps.map((ep) => rig.session.mix(ep, "big", { listenTo: null, muted: false }, 0));
  assert.equal(results.filter((r) => r).length, 64);
  assert.equal(results[64], false);
  assert.equal(eps[64]!.mix, null);
});
