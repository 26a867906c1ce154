// Mix rooms and playlists of the media engine on real sockets (127.0.0.1): three dgram
// "phones" each sending a sine as 20 ms RTP; what each phone gets back is checked for exactly
// the expected tones (Goertzel). Bounded: each phase sends a fixed number of packets.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { alawToLinear, linearToAlaw, linearToUlaw, ulawToLinear, writeRtpHeader, writeWav } from "@hotline/media";
import { MediaEngine, type EndpointDescription } from "./index.js";
import { Phone, testPortRange, type Arrival } from "./testing/phone.js";
import { endpointConfig, engineRig, waitUntil } from "./testing/engine-rig.js";

const CALLER = 440;
const AGENT = 1000;
const SUPERVISOR = 1700;
const FREQS = [CALLER, AGENT, SUPERVISOR];
const AMPLITUDE = 6000;
/** Packets each phone sends per phase (20 ms apart). */
const PHASE_PACKETS = 40;

// Test-local copies of the Goertzel helpers (src/testing is not part of the package exports).
function toneAmplitude(samples: Int16Array, freq: number): number {
  const coeff = 2 * Math.cos((2 * Math.PI * freq) / 8000);
  let s1 = 0;
  let s2 = 0;
  for (const x of samples) {
    const s0 = x + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return (2 * Math.sqrt(Math.max(0, s1 * s1 + s2 * s2 - coeff * s1 * s2))) / Math.max(1, samples.length);
}

const tones = (samples: Int16Array): number[] => FREQS.filter((f) => toneAmplitude(samples, f) >= AMPLITUDE / 3);

function decode(arrivals: readonly Arrival[], expectPt: number): Int16Array {
  const out: number[] = [];
  for (const a of arrivals) {
    const pt = a.bytes[1]! & 0x7f;
    assert.equal(pt, expectPt, "sent in the member's own codec");
    for (const code of a.bytes.subarray(12)) out.push(pt === 0 ? ulawToLinear(code) : alawToLinear(code));
  }
  return Int16Array.from(out);
}

const linearToCode = (s: number, ulaw: boolean): number => (ulaw ? linearToUlaw(s) : linearToAlaw(s));

class Talker {
  private n = 0;
  private seq = 0;
  private readonly ssrc = (Math.random() * 0x100000000) >>> 0;
  constructor(
    readonly phone: Phone,
    readonly ep: EndpointDescription,
    readonly freq: number,
    readonly ulaw: boolean,
  ) {}

  sendOne(): void {
    const payload = new Uint8Array(160);
    for (let i = 0; i < 160; i++, this.n++) payload[i] = linearToCode(Math.round(AMPLITUDE * Math.sin((2 * Math.PI * this.freq * this.n) / 8000)), this.ulaw);
    const packet = new Uint8Array(172);
    writeRtpHeader({ marker: this.seq === 0, payloadType: this.ulaw ? 0 : 8, sequence: this.seq, timestamp: this.seq * 160, ssrc: this.ssrc }, packet);
    packet.set(payload, 12);
    this.seq++;
    this.phone.send(packet, this.ep.rtpPort);
  }
}

/** All talkers send PHASE_PACKETS packets 20 ms apart; returns what each phone got in the second half. */
async function phase(talkers: readonly Talker[]): Promise<Arrival[][]> {
  const starts = talkers.map((t) => t.phone.received.length);
  const t0 = performance.now();
  for (let i = 0; i < PHASE_PACKETS; i++) {
    for (const t of talkers) t.sendOne();
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, t0 + 20 * (i + 1) - performance.now())));
  }
  const half = t0 + 10 * PHASE_PACKETS;
  return talkers.map((t, k) => t.phone.received.slice(starts[k]).filter((a) => a.at >= half));
}

for (const workers of [0, 1]) {
  describe(`media engine mix rooms, workers: ${workers}`, () => {
    const rig = engineRig({ workers, pairs: 32, tmpPrefix: "hotline-mix-" });
    const { events, phones, tmp } = rig;

    async function endpoint(group: string, ulaw: boolean): Promise<{ phone: Phone; ep: EndpointDescription }> {
      const phone = await Phone.open();
      phones.push(phone);
      const ep = await rig.engine.allocate(group);
      rig.engine.configure(ep.id, endpointConfig(phone.port, ulaw ? { codec: "PCMU", pt: 0 } : {}));
      return { phone, ep };
    }

    test("listen then whisper then unmix over real RTP: each phone hears exactly the expected tones", async () => {
      const c = await endpoint("call", false);
      const a = await endpoint("call", true);
      const s = await endpoint("supervisor-call", false);
      rig.engine.bridge(c.ep.id, a.ep.id);
      const caller = new Talker(c.phone, c.ep, CALLER, false);
      const agent = new Talker(a.phone, a.ep, AGENT, true);
      const supervisor = new Talker(s.phone, s.ep, SUPERVISOR, false);
      const all = [caller, agent, supervisor];

      // Listen: the supervisor is muted; caller and agent hear each other.
      rig.engine.mix(c.ep.id, "room", { listenTo: [a.ep.id], muted: false });
      rig.engine.mix(a.ep.id, "room", { listenTo: [c.ep.id], muted: false });
      rig.engine.mix(s.ep.id, "room", { listenTo: null, muted: true });
      let [toC, toA, toS] = await phase(all);
      assert.deepEqual(tones(decode(toC!, 8)), [AGENT]);
      assert.deepEqual(tones(decode(toA!, 0)), [CALLER]);
      assert.deepEqual(tones(decode(toS!, 8)), [CALLER, AGENT]);

      // Whisper: the supervisor speaks to the agent; the caller still hears only the agent.
      rig.engine.mix(s.ep.id, "room", { listenTo: null, muted: false });
      rig.engine.mix(a.ep.id, "room", { listenTo: null, muted: false });
      [toC, toA, toS] = await phase(all);
      assert.deepEqual(tones(decode(toC!, 8)), [AGENT]);
      assert.deepEqual(tones(decode(toA!, 0)), [CALLER, SUPERVISOR]);
      assert.deepEqual(tones(decode(toS!, 8)), [CALLER, AGENT]);

      // Each phone got one continuous stream: one SSRC, consecutive sequence numbers.
      for (const got of [toC!, toA!, toS!]) {
        const ssrcs = new Set(got.map((g) => g.bytes.readUInt32BE(8)));
        assert.equal(ssrcs.size, 1);
        const seqs = got.map((g) => g.bytes.readUInt16BE(2));
        for (let i = 1; i < seqs.length; i++) assert.equal(seqs[i], (seqs[i - 1]! + 1) & 0xffff);
      }

      // The supervisor leaves: caller and agent hear each other, the supervisor gets nothing.
      rig.engine.unmix(s.ep.id);
      rig.engine.mix(c.ep.id, "room", { listenTo: null, muted: false });
      [toC, toA, toS] = await phase(all);
      assert.deepEqual(tones(decode(toC!, 8)), [AGENT]);
      assert.deepEqual(tones(decode(toA!, 0)), [CALLER]);
      assert.equal(toS!.length, 0);
      await Promise.all([c, a, s].map((x) => rig.engine.release(x.ep.id)));
    });

    test("a playlist plays its files back to back, then one play-done; an unreadable file ends it at once", async () => {
      const e = await endpoint("playlist", false);
      const first = join(tmp, "first.wav");
      const second = join(tmp, "second.wav");
      const ramp = (n: number, start: number) => Uint8Array.from({ length: n }, (_, i) => (start + i) & 0xff);
      writeFileSync(first, writeWav({ format: "alaw", sampleRate: 8000, data: ramp(320, 3) }));
      writeFileSync(second, writeWav({ format: "alaw", sampleRate: 8000, data: ramp(160, 100) }));
      rig.engine.play(e.ep.id, { kind: "files", paths: [first, second], loop: false });
      const got = await e.phone.waitFor(3);
      await waitUntil(() => events.some((x) => x.type === "play-done" && x.id === e.ep.id));
      const payload = Buffer.concat(got.map((g) => g.bytes.subarray(12)));
      assert.deepEqual(new Uint8Array(payload), new Uint8Array([...ramp(320, 3), ...ramp(160, 100)]));
      // One play-done only, and nothing after the last frame: wait for a later event to be sure.
      rig.engine.play(e.ep.id, { kind: "files", paths: [first, join(tmp, "missing.wav")], loop: false });
      await waitUntil(() => events.filter((x) => x.type === "play-done" && x.id === e.ep.id).length === 2);
      assert.equal(e.phone.received.length, 3, "the broken playlist sent nothing");
      assert.equal((await rig.engine.counters())["file-error"], 1);
      assert.throws(() => rig.engine.play(e.ep.id, { kind: "files", paths: [], loop: false }), /without paths/);
      await rig.engine.release(e.ep.id);
    });
  });
}

describe("media engine mix rooms, workers: 2", () => {
  test("a room's members must share a worker: a member from another worker is refused and counted", async () => {
    const engine = await MediaEngine.start({ bindAddress: "127.0.0.1", ...testPortRange(8), workers: 2, mediaTimeoutMs: 0 });
    try {
      const x = await engine.allocate("g1");
      const y = await engine.allocate("g2"); // the other worker (fewest endpoints)
      const z = await engine.allocate("g1");
      engine.mix(x.id, "r", { listenTo: null, muted: false });
      engine.mix(y.id, "r", { listenTo: null, muted: false });
      engine.mix(z.id, "r", { listenTo: null, muted: false });
      assert.equal((await engine.counters())["cross-worker-mix"], 1);
    } finally {
      await engine.close();
    }
  });
});

