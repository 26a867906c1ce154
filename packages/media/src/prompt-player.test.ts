import { test } from "node:test";
import assert from "node:assert/strict";
import { ALAW_SILENCE, ULAW_SILENCE, decodeAlaw, decodeUlaw, encodeAlaw, encodeUlaw } from "./g711.js";
import { parseWav, writeWav, type WavAudio, type WavInput } from "./wav.js";
import { PromptPlayer, createPromptPlayer } from "./prompt-player.js";

/** A prompt as the server gets it: written to WAV bytes and parsed back. */
function wav(input: WavInput): WavAudio {
  const parsed = parseWav(writeWav(input));
  assert.ok(parsed.ok, parsed.ok ? "" : parsed.error);
  const { ok: _ok, ...audio } = parsed;
  return audio;
}

/** Distinct, non-silent codes/samples so order and offsets are visible. */
const ramp = (n: number, from = 0): Int16Array => Int16Array.from({ length: n }, (_, i) => (from + i) * 16 - 8000);
const alawPrompt = (n: number, from = 0): WavAudio => wav({ format: "alaw", sampleRate: 8000, data: encodeAlaw(ramp(n, from)) });

function drain(player: PromptPlayer, frames: number): Uint8Array[] {
  return Array.from({ length: frames }, () => player.nextFrame());
}

test("frame count and silence padding: 400 samples → 3 frames, the last padded with 80 silence codes", () => {
  const prompt = alawPrompt(400);
  const player = new PromptPlayer([prompt], { law: "alaw" });
  assert.equal(player.framesPerPass, 3);
  const [a, b, c] = drain(player, 3);
  assert.ok(a !== undefined && b !== undefined && c !== undefined);
  assert.deepEqual(a, prompt.data.subarray(0, 160));
  assert.deepEqual(b, prompt.data.subarray(160, 320));
  assert.deepEqual(c.subarray(0, 80), prompt.data.subarray(320, 400));
  assert.ok(c.subarray(80).every((x) => x === ALAW_SILENCE));
  assert.equal(player.finished, true);
  assert.equal(player.samplesPlayed, 400);
  assert.ok(player.nextFrame().every((x) => x === ALAW_SILENCE), "after the end: silence frames");
});

test("an exact multiple of 160 samples needs no padding; µ-law pads with 0xff", () => {
  const player = new PromptPlayer([alawPrompt(320)], { law: "ulaw" });
  assert.equal(player.framesPerPass, 2);
  drain(player, 2);
  assert.equal(player.finished, true);
  const tail = new PromptPlayer([alawPrompt(10)], { law: "ulaw" }).nextFrame();
  assert.ok(tail.subarray(10).every((x) => x === ULAW_SILENCE));
});

test("loop (music on hold) wraps seamlessly inside a frame and never finishes", () => {
  const prompt = alawPrompt(200);
  const player = new PromptPlayer([prompt], { law: "alaw", loop: true });
  const frames = drain(player, 5); // 800 samples = 4 passes
  const joined = new Uint8Array(800);
  frames.forEach((f, i) => joined.set(f, i * 160));
  for (let i = 0; i < 800; i++) assert.equal(joined[i], prompt.data[i % 200], `sample ${i}`);
  assert.equal(player.finished, false);
  assert.equal(player.samplesPlayed, 800);
});

test("an empty looping playlist plays silence instead of spinning", () => {
  const player = new PromptPlayer([], { law: "alaw", loop: true });
  assert.ok(player.nextFrame().every((x) => x === ALAW_SILENCE));
  assert.equal(player.finished, true);
});

test("playlist: prompts back to back in order, padding only after the last", () => {
  const digits = [
    wav({ format: "pcm16", sampleRate: 8000, data: ramp(100, 0) }),
    wav({ format: "pcm16", sampleRate: 8000, data: ramp(150, 1000) }),
    wav({ format: "pcm16", sampleRate: 8000, data: ramp(30, 2000) }),
  ];
  const player = new PromptPlayer(digits, { law: "alaw" });
  assert.equal(player.framesPerPass, 2); // 280 samples
  assert.equal(player.currentPrompt, 0);
  const pcm = new Int16Array(320);
  pcm.set(player.nextPcmFrame(), 0);
  assert.equal(player.currentPrompt, 1);
  pcm.set(player.nextPcmFrame(), 160);
  assert.equal(player.currentPrompt, 3);
  assert.equal(player.finished, true);
  const expected = new Int16Array(320);
  expected.set(ramp(100, 0), 0);
  expected.set(ramp(150, 1000), 100);
  expected.set(ramp(30, 2000), 250);
  assert.deepEqual(pcm, expected);
});

test("law conversion equals g711 encode of the decoded samples; same law is bit-transparent", () => {
  // Every code value, so the µ-law negative zero (0x7f) and the extremes are covered.
  const codes = Uint8Array.from({ length: 256 }, (_, i) => i);
  const cases = [
    { from: "alaw", to: "ulaw", expected: encodeUlaw(decodeAlaw(codes)) },
    { from: "ulaw", to: "alaw", expected: encodeAlaw(decodeUlaw(codes)) },
    { from: "alaw", to: "alaw", expected: codes },
    { from: "ulaw", to: "ulaw", expected: codes },
  ] as const;
  for (const { from, to, expected } of cases) {
    const player = new PromptPlayer([wav({ format: from, sampleRate: 8000, data: codes })], { law: to, frameSamples: 256 });
    assert.deepEqual(player.nextFrame(), expected, `${from} → ${to}`);
  }
  const pcm = ramp(160, 3);
  for (const law of ["alaw", "ulaw"] as const) {
    const frame = new PromptPlayer([wav({ format: "pcm16", sampleRate: 8000, data: pcm })], { law }).nextFrame();
    assert.deepEqual(frame, law === "alaw" ? encodeAlaw(pcm) : encodeUlaw(pcm), `pcm16 → ${law}`);
  }
  const decoded = new PromptPlayer([wav({ format: "ulaw", sampleRate: 8000, data: codes })], { law: "alaw", frameSamples: 256 }).nextPcmFrame();
  assert.deepEqual(decoded, decodeUlaw(codes));
});

test("refuses other sample rates and stereo, naming the prompt", () => {
  const wide = wav({ format: "pcm16", sampleRate: 16000, data: ramp(320) });
  const stereo = wav({ format: "alaw", sampleRate: 8000, channels: 2, data: new Uint8Array(320) });
  const r1 = createPromptPlayer([alawPrompt(10), wide], { law: "alaw" });
  assert.deepEqual(r1, { ok: false, error: "prompt 1: 16000 Hz audio; only 8000 Hz is played (convert with sox -r 8000)" });
  const r2 = createPromptPlayer([stereo], { law: "alaw" });
  assert.ok(!r2.ok && /prompt 0: 2 channels; only mono/.test(r2.error));
  assert.throws(() => new PromptPlayer([wide], { law: "ulaw" }), /16000 Hz audio/);
  const r3 = createPromptPlayer([alawPrompt(10)], { law: "alaw" });
  assert.ok(r3.ok);
});

test("writes into a caller's buffer without allocating", () => {
  const player = new PromptPlayer([alawPrompt(400)], { law: "alaw" });
  const out = new Uint8Array(160);
  assert.equal(player.nextFrame(out), out);
  assert.throws(() => player.nextFrame(new Uint8Array(100)), RangeError);
});
