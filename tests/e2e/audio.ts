// Audio analysis for end-to-end tests: what a real phone (baresip's sndfile module) recorded,
// checked for tones (Goertzel) and for prompts (cross-correlation). Test-only helpers.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

/** ITU-T G.711 A-law → linear (the bundled prompts are A-law WAV files; the root test package does not depend on @hotline/media). */
function alawToLinear(code: number): number {
  const a = code ^ 0x55;
  const exp = (a & 0x70) >> 4;
  let mag = ((a & 0x0f) << 4) + 8;
  if (exp !== 0) mag = (mag + 0x100) << (exp - 1);
  return a & 0x80 ? mag : -mag;
}

export interface WavSamples {
  rate: number;
  /** The first channel, in [-1, 1]. */
  samples: Float32Array;
}

/** The first channel of a PCM16, float32 or A-law WAV, and its sample rate. */
export function readWav(path: string): WavSamples {
  const b = readFileSync(path);
  assert.equal(b.toString("latin1", 0, 4), "RIFF", `${path}: not a WAV file`);
  let at = 12;
  let fmt: { format: number; channels: number; rate: number; bits: number } | null = null;
  while (at + 8 <= b.length) {
    const id = b.toString("latin1", at, at + 4);
    const size = b.readUInt32LE(at + 4);
    const body = at + 8;
    if (id === "fmt ") fmt = { format: b.readUInt16LE(body), channels: b.readUInt16LE(body + 2), rate: b.readUInt32LE(body + 4), bits: b.readUInt16LE(body + 14) };
    if (id === "data" && fmt !== null) {
      // A file still being written may say 0 or too much: take what is there.
      const end = size === 0 || body + size > b.length ? b.length : body + size;
      const step = (fmt.bits / 8) * fmt.channels;
      const n = Math.floor((end - body) / step);
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        const p = body + i * step;
        out[i] = fmt.format === 6 ? alawToLinear(b.readUInt8(p)) / 32768 : fmt.format === 3 ? b.readFloatLE(p) : b.readInt16LE(p) / 32768;
      }
      return { rate: fmt.rate, samples: out };
    }
    at = body + size + (size % 2);
  }
  throw new Error(`${path}: no fmt/data chunk`);
}

/** Down to 8 kHz by averaging (the recorder may run at the player's rate, e.g. 48 kHz). */
export function at8kHz({ rate, samples }: WavSamples): Float32Array {
  const k = Math.max(1, Math.round(rate / 8000));
  if (k === 1) return samples;
  const out = new Float32Array(Math.floor(samples.length / k));
  for (let i = 0; i < out.length; i++) {
    let s = 0;
    for (let j = 0; j < k; j++) s += samples[i * k + j] ?? 0;
    out[i] = s / k;
  }
  return out;
}

/**
 * Per 100 ms window with audio in it: each frequency's amplitude (Goertzel) relative to the
 * amplitude a lone sine of the window's power would have — 1 for a lone tone, ~0.7 each for
 * two equal tones, near 0 for an absent one (music and speech stay low at any one frequency).
 */
export function toneShares({ rate, samples }: WavSamples, freqs: readonly number[]): number[][] {
  const n = Math.floor(rate / 10);
  const windows: number[][] = [];
  for (let start = 0; start + n <= samples.length; start += n) {
    let energy = 0;
    for (let i = 0; i < n; i++) energy += (samples[start + i] ?? 0) ** 2;
    const rms = Math.sqrt(energy / n);
    if (rms < 0.003) continue; // silence (before media, after hangup)
    windows.push(
      freqs.map((f) => {
        const coeff = 2 * Math.cos((2 * Math.PI * f) / rate);
        let s1 = 0;
        let s2 = 0;
        for (let i = 0; i < n; i++) {
          const s0 = (samples[start + i] ?? 0) + coeff * s1 - s2;
          s2 = s1;
          s1 = s0;
        }
        const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
        return (2 * Math.sqrt(Math.max(0, power))) / n / (rms * Math.SQRT2);
      }),
    );
  }
  return windows;
}

/** In how many 100 ms windows a lone tone at `freq` dominates (share above 0.5). */
export function toneWindows(audio: WavSamples, freq: number): number {
  return toneShares(audio, [freq]).filter((w) => (w[0] ?? 0) > 0.5).length;
}

/**
 * The best normalized cross-correlation of `template` anywhere in `signal` (1 = the same
 * waveform at some offset, whatever the level; speech against other audio stays far lower).
 * Offsets where the signal is near silence are skipped.
 */
export function bestCorrelation(signal: Float32Array, template: Float32Array): number {
  const n = template.length;
  let tt = 0;
  for (const x of template) tt += x * x;
  let ss = 0;
  for (let i = 0; i < n && i < signal.length; i++) ss += (signal[i] ?? 0) ** 2;
  let best = 0;
  for (let lag = 0; lag + n <= signal.length; lag++) {
    if (lag > 0) ss += (signal[lag + n - 1] ?? 0) ** 2 - (signal[lag - 1] ?? 0) ** 2;
    if (ss < n * 1e-5) continue;
    let dot = 0;
    for (let i = 0; i < n; i++) dot += (signal[lag + i] ?? 0) * (template[i] ?? 0);
    const c = dot / Math.sqrt(tt * ss);
    if (c > best) best = c;
  }
  return best;
}
