// The media engine on real sockets (127.0.0.1): two dgram "phones" bridged through it, on the
// calling thread (workers: 0) and in a worker thread (workers: 1). Exact bytes where the
// pure core defines them; event-driven waits with bounds, no sleeps.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { alawToUlaw, buildTelephoneEvent, encodeAlaw, holdMusicAudio, parseTelephoneEvent, ulawToAlaw, writeRtpHeader, writeWav } from "@hotline/media";
import { MediaEngine, type EndpointConfig, type MediaEvent } from "./index.js";
import { Phone, testPortRange } from "./testing/phone.js";
import { endpointConfig, engineRig, waitUntil } from "./testing/engine-rig.js";

const MOH_PCM = holdMusicAudio().data as Int16Array;

function rtp(pt: number, sequence: number, timestamp: number, ssrc: number, payload: Uint8Array, marker = false): Uint8Array {
  const out = new Uint8Array(12 + payload.length);
  writeRtpHeader({ marker, payloadType: pt, sequence, timestamp, ssrc }, out);
  out.set(payload, 12);
  return out;
}

const head = (b: Uint8Array) => ({ marker: (b[1]! & 0x80) !== 0, pt: b[1]! & 0x7f, seq: (b[2]! << 8) | b[3]!, ts: ((b[4]! << 24) | (b[5]! << 16) | (b[6]! << 8) | b[7]!) >>> 0, ssrc: ((b[8]! << 24) | (b[9]! << 16) | (b[10]! << 8) | b[11]!) >>> 0 });
const ramp = (n: number, start = 0) => Uint8Array.from({ length: n }, (_, i) => (start + i) & 0xff);

for (const workers of [0, 1]) {
  describe(`media engine, workers: ${workers}`, () => {
    const rig = engineRig({ workers, pairs: 64, tmpPrefix: "hotline-media-" });
    const { events, phones, tmp } = rig;

    /** Two phones bridged through two endpoints of one call. */
    async function call(cfgA: Partial<EndpointConfig> = {}, cfgB: Partial<EndpointConfig> = {}) {
      const [pa, pb] = [await Phone.open(), await Phone.open()];
      phones.push(pa, pb);
      const group = `call-${Math.random()}`;
      const a = await rig.engine.allocate(group);
      const b = await rig.engine.allocate(group);
      rig.engine.configure(a.id, endpointConfig(pa.port, cfgA));
      rig.engine.configure(b.id, endpointConfig(pb.port, cfgB));
      rig.engine.bridge(a.id, b.id);
      return { pa, pb, a, b };
    }

    test("packets flow both ways, as one stream per side with our SSRC and sequence; stats count them", async () => {
      const { pa, pb, a, b } = await call();
      for (let i = 0; i < 5; i++) pa.send(rtp(8, 100 + i, 160 * i, 0x1111, ramp(160, i)), a.rtpPort);
      const atB = await pb.waitFor(5);
      for (let i = 0; i < 3; i++) pb.send(rtp(8, 9000 + i, 160 * i, 0x2222, ramp(160, 50 + i)), b.rtpPort);
      const atA = await pa.waitFor(3);
      const hb = atB.map((p) => head(p.bytes));
      assert.ok(hb.every((h) => h.ssrc === hb[0]!.ssrc && h.ssrc !== 0x1111 && h.pt === 8));
      assert.deepEqual(hb.map((h) => (h.seq - hb[0]!.seq) & 0xffff), [0, 1, 2, 3, 4]);
      assert.deepEqual(hb.map((h) => (h.ts - hb[0]!.ts) >>> 0), [0, 160, 320, 480, 640]);
      assert.deepEqual(atB.map((p) => p.fromPort), [b.rtpPort, b.rtpPort, b.rtpPort, b.rtpPort, b.rtpPort], "sent from b's port (symmetric)");
      assert.deepEqual(new Uint8Array(atB[4]!.bytes.subarray(12)), ramp(160, 4));
      assert.deepEqual(new Uint8Array(atA[2]!.bytes.subarray(12)), ramp(160, 52));
      const [sa, sb] = [await rig.engine.stats(a.id), await rig.engine.stats(b.id)];
      assert.deepEqual([sa?.packetsIn, sa?.bytesIn, sa?.packetsOut, sb?.packetsIn, sb?.packetsOut, sb?.bytesOut], [5, 5 * 172, 3, 3, 5, 5 * 172]);
      assert.equal(sa?.lost, 0);
    });

    test("PCMA on one side, PCMU on the other: the exact G.711 transcoded bytes", async () => {
      const { pa, pb, a, b } = await call({}, { codec: "PCMU", pt: 0 });
      const alaw = ramp(160, 7);
      pa.send(rtp(8, 1, 0, 1, alaw), a.rtpPort);
      const [toB] = await pb.waitFor(1);
      assert.equal(head(toB!.bytes).pt, 0);
      assert.deepEqual(new Uint8Array(toB!.bytes.subarray(12)), alawToUlaw(alaw));
      const ulaw = ramp(160, 99);
      pb.send(rtp(0, 1, 0, 2, ulaw), b.rtpPort);
      const [toA] = await pa.waitFor(1);
      assert.equal(head(toA!.bytes).pt, 8);
      assert.deepEqual(new Uint8Array(toA!.bytes.subarray(12)), ulawToAlaw(ulaw));
    });

    test("RFC 4733 digits: renumbered to the peer's payload type, one dtmf event per digit", async () => {
      const { pa, pb, a } = await call({ dtmfPt: 101 }, { dtmfPt: 96 });
      let seq = 10;
      const digits = [1, 2];
      for (const [k, code] of digits.entries()) {
        const ts = 8000 * (k + 1);
        const durations = [400, 800, 960, 960, 960];
        for (const [i, d] of durations.entries()) {
          pa.send(rtp(101, seq++, ts, 0x3333, buildTelephoneEvent({ event: code, end: i >= 2, reserved: false, volume: 10, duration: d }), i === 0), a.rtpPort);
        }
      }
      const atB = await pb.waitFor(10);
      assert.deepEqual(
        atB.map((p) => [head(p.bytes).pt, parseTelephoneEvent(p.bytes.subarray(12))?.event]),
        [...Array<[number, number]>(5).fill([96, 1]), ...Array<[number, number]>(5).fill([96, 2])],
      );
      await waitUntil(() => events.filter((e) => e.type === "dtmf" && e.id === a.id).length >= 2);
      assert.deepEqual(
        events.filter((e) => e.id === a.id),
        [
          { type: "dtmf", id: a.id, digit: "1", durationMs: 120 },
          { type: "dtmf", id: a.id, digit: "2", durationMs: 120 },
        ],
      );
      assert.equal((await rig.engine.stats(a.id))?.dtmfIn, 2);
    });

    test("hold: 20 ms packets of the music with continuous sequence/timestamp, then relay resumes", async () => {
      const { pa, pb, a, b } = await call();
      pa.send(rtp(8, 1, 0, 0x4444, ramp(160)), a.rtpPort);
      await pb.waitFor(1);
      rig.engine.play(b.id, { kind: "moh" });
      const held = await pb.waitFor(1 + 12);
      rig.engine.play(b.id, null);
      const frames = held.slice(1);
      const last = head(held[0]!.bytes);
      const hs = frames.map((p) => head(p.bytes));
      assert.deepEqual(
        hs.map((h) => (h.seq - last.seq) & 0xffff),
        hs.map((_, i) => i + 1),
        "sequence continues from the relayed packet",
      );
      assert.ok(hs[0]!.marker && hs.slice(1).every((h) => !h.marker));
      assert.ok(((hs[0]!.ts - last.ts) | 0) >= 160, "timestamp moves forward");
      assert.deepEqual(
        hs.map((h) => (h.ts - hs[0]!.ts) >>> 0),
        hs.map((_, i) => 160 * i),
      );
      const music = encodeAlaw(MOH_PCM.subarray(0, 160 * frames.length));
      frames.forEach((p, i) => assert.deepEqual(new Uint8Array(p.bytes.subarray(12)), music.subarray(160 * i, 160 * (i + 1)), `frame ${i}`));
      // Paced at 20 ms from a fixed start: 11 intervals take ~220 ms.
      const span = frames[frames.length - 1]!.at - frames[0]!.at;
      assert.ok(span > 180 && span < 300, `12 frames over ${span.toFixed(1)} ms`);
      // Relay again: the phone's next packet continues our stream.
      const before = pb.received.length;
      pa.send(rtp(8, 2, 160, 0x4444, ramp(160, 9)), a.rtpPort);
      const after = await pb.waitFor(before + 1);
      const resumed = after.slice(before).map((p) => head(p.bytes)).find((h) => h.marker && ((h.seq - hs[hs.length - 1]!.seq) & 0xffff) >= 1);
      assert.ok(resumed !== undefined);
      assert.ok(((resumed.ts - hs[hs.length - 1]!.ts) | 0) >= 160, "no timestamp going back");
      assert.deepEqual(new Uint8Array(after[after.length - 1]!.bytes.subarray(12)), ramp(160, 9));
    });

    test("sendDtmf: RFC 4733 packets towards the endpoint (marker first, three end packets)", async () => {
      const { pb, b } = await call({}, { dtmfPt: 96 });
      rig.engine.sendDtmf(b.id, "#", 100);
      const got = await pb.waitFor(5);
      const evs = got.map((p) => ({ pt: head(p.bytes).pt, m: head(p.bytes).marker, e: parseTelephoneEvent(p.bytes.subarray(12)) }));
      assert.deepEqual(
        evs.map((x) => [x.pt, x.m, x.e?.event, x.e?.end, x.e?.duration]),
        [
          [96, true, 11, false, 400],
          [96, false, 11, false, 800],
          [96, false, 11, true, 800],
          [96, false, 11, true, 800],
          [96, false, 11, true, 800],
        ],
      );
      assert.equal((await rig.engine.stats(b.id))?.dtmfOut, 1);
    });

    test("a non-looping file plays to its end, then play-done", async () => {
      const { pb, b } = await call();
      const path = join(tmp, "prompt.wav");
      writeFileSync(path, writeWav({ format: "alaw", sampleRate: 8000, data: ramp(480, 3) }));
      rig.engine.play(b.id, { kind: "file", path, loop: false });
      const got = await pb.waitFor(3);
      await waitUntil(() => events.some((e) => e.type === "play-done" && e.id === b.id));
      assert.deepEqual(new Uint8Array(got[2]!.bytes.subarray(12)), ramp(160, 3 + 320));
      assert.equal(pb.received.length, 3);
      rig.engine.play(b.id, { kind: "file", path: join(tmp, "missing.wav"), loop: false });
      await waitUntil(() => events.filter((e) => e.type === "play-done" && e.id === b.id).length === 2);
    });

    test("latching: sends to the SDP address until RTP arrives, then to the real source", async () => {
      const decoy = await Phone.open();
      phones.push(decoy);
      const { pa, pb, a, b } = await call({ latch: true }, {});
      rig.engine.configure(a.id, endpointConfig(decoy.port, { latch: true })); // SDP says decoy; the phone sends from pa
      pb.send(rtp(8, 1, 0, 5, ramp(160)), b.rtpPort);
      await decoy.waitFor(1);
      pa.send(rtp(8, 1, 0, 6, ramp(160)), a.rtpPort);
      await pb.waitFor(1);
      pb.send(rtp(8, 2, 160, 5, ramp(160)), b.rtpPort);
      await pa.waitFor(1);
      assert.equal(decoy.received.length, 1);
      assert.equal((await rig.engine.stats(a.id))?.latchedTo, `127.0.0.1:${pa.port}`);
    });

    test("release closes the sockets (the ports bind again) and unknown ids are ignored", async () => {
      const before = rig.engine.endpointCount;
      const e = await rig.engine.allocate("lonely");
      assert.equal(rig.engine.endpointCount, before + 1);
      await rig.engine.release(e.id);
      assert.equal(rig.engine.endpointCount, before);
      for (const port of [e.rtpPort, e.rtcpPort]) {
        const s = createSocket("udp4");
        await new Promise<void>((resolve, reject) => {
          s.once("error", reject);
          s.bind(port, "127.0.0.1", () => resolve());
        });
        await new Promise<void>((resolve) => s.close(() => resolve()));
      }
      rig.engine.configure("nope", endpointConfig(1));
      rig.engine.bridge("nope", e.id);
      rig.engine.unbridge("nope");
      rig.engine.play("nope", { kind: "moh" });
      rig.engine.sendDtmf("nope", "1");
      assert.equal(await rig.engine.stats("nope"), null);
      await rig.engine.release("nope");
      assert.equal((await rig.engine.counters())["unknown-id"], 6);
    });

    test("a pair another process holds is skipped", async () => {
      // Hold the next pairs the pool would hand out by allocating and releasing one to learn it.
      const probe = await rig.engine.allocate("probe");
      await rig.engine.release(probe.id);
      const blockers = [];
      for (let port = probe.rtpPort + 2; port < probe.rtpPort + 6; port++) {
        const s = createSocket("udp4");
        await new Promise<void>((resolve) => s.bind(port, "127.0.0.1", () => resolve()));
        blockers.push(s);
      }
      try {
        const e = await rig.engine.allocate("blocked");
        assert.equal(e.rtpPort, probe.rtpPort + 6, "two held pairs skipped");
        await rig.engine.release(e.id);
      } finally {
        await Promise.all(blockers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
      }
    });
  });
}

test("mohFile replaces the built-in music; bad options and files are refused with the reason", async () => {
  const tmp = mkdtempSync(join(tmpdir(), "hotline-moh-"));
  try {
    const path = join(tmp, "moh.wav");
    writeFileSync(path, writeWav({ format: "alaw", sampleRate: 8000, data: ramp(1600, 17) }));
    const engine = await MediaEngine.start({ bindAddress: "127.0.0.1", ...testPortRange(8), workers: 0, mohFile: path });
    const phone = await Phone.open();
    try {
      const e = await engine.allocate("g");
      engine.configure(e.id, endpointConfig(phone.port));
      engine.play(e.id, { kind: "moh" });
      const got = await phone.waitFor(2);
      assert.deepEqual(new Uint8Array(got[1]!.bytes.subarray(12)), ramp(160, 17 + 160));
    } finally {
      await engine.close();
      await phone.close();
    }
    const bad = join(tmp, "bad.wav");
    writeFileSync(bad, writeWav({ format: "pcm16", sampleRate: 16000, data: new Int16Array(10) }));
    await assert.rejects(MediaEngine.start({ bindAddress: "127.0.0.1", portMin: 30000, portMax: 30009, workers: 0, mohFile: bad }), /bad\.wav: 16000 Hz audio/);
    await assert.rejects(MediaEngine.start({ bindAddress: "127.0.0.1", portMin: 30001, portMax: 30010, workers: -1 }), /min port 30001 is odd.*workers -1/);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test("media timeout: a bridged endpoint that hears nothing reports once", async () => {
  const engine = await MediaEngine.start({ bindAddress: "127.0.0.1", ...testPortRange(8), workers: 0, mediaTimeoutMs: 300 });
  const events: MediaEvent[] = [];
  engine.onEvent((e) => events.push(e));
  try {
    const a = await engine.allocate("t");
    const b = await engine.allocate("t");
    engine.configure(a.id, endpointConfig(9));
    engine.configure(b.id, endpointConfig(11));
    engine.bridge(a.id, b.id);
    await waitUntil(() => events.length >= 2, 2000);
    assert.deepEqual(new Set(events.map((e) => `${e.type}:${e.id}`)), new Set([`timeout:${a.id}`, `timeout:${b.id}`]));
  } finally {
    await engine.close();
  }
});

