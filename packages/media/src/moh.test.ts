import { test } from "node:test";
import assert from "node:assert/strict";
import { generateHoldMusic, holdMusicAudio, midiToHz } from "./moh.js";

/** Goertzel power of `f` Hz over samples [from, to) at 8 kHz, normalised by length². */
function power(x: Int16Array, f: number, from: number, to: number): number {
  const w = (2 * Math.PI * f) / 8000;
  const c = 2 * Math.cos(w);
  let s1 = 0;
  let s2 = 0;
  for (let i = from; i < to; i++) {
    const s = x[i]! + c * s1 - s2;
    s2 = s1;
    s1 = s;
  }
  return (s1 * s1 + s2 * s2 - c * s1 * s2) / ((to - from) * (to - from));
}

test("hold music: 8 s at 8 kHz, deterministic, below -12 dBFS, a seamless loop", () => {
  const m = generateHoldMusic();
  assert.equal(m.length, 64000);
  assert.deepEqual(generateHoldMusic(), m);
  let peak = 0;
  let maxStep = 0;
  for (let i = 0; i < m.length; i++) {
    peak = Math.max(peak, Math.abs(m[i]!));
    maxStep = Math.max(maxStep, Math.abs(m[i]! - m[(i + 1) % m.length]!));
  }
  assert.ok(peak > 2000 && peak < 8192, `peak ${peak}`);
  // The wrap from the last sample to the first is no bigger a step than the music takes anyway.
  assert.ok(Math.abs(m[0]! - m[m.length - 1]!) < maxStep / 10, `wrap step ${m[0]! - m[m.length - 1]!} vs max ${maxStep}`);
  const audio = holdMusicAudio();
  assert.deepEqual([audio.format, audio.sampleRate, audio.channels], ["pcm16", 8000, 1]);
});

test("hold music: each 2 s carries its chord (C, Am, F, G): the chord's root is strong, a foreign note is not", () => {
  const m = generateHoldMusic();
  const roots = [60, 57, 65, 67];
  const foreign = [61, 58, 66, 68]; // a semitone up: in none of the chords
  roots.forEach((root, c) => {
    const from = c * 16000 + 2000;
    const to = from + 12000;
    assert.ok(power(m, midiToHz(root), from, to) > 100 * power(m, midiToHz(foreign[c]!), from, to), `chord ${c}`);
  });
});
