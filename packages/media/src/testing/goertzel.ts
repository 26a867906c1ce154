// Tone detection for mixing tests: which frequencies a decoded signal contains (Goertzel's
// algorithm, one DFT bin at any frequency), and sine sources in G.711 to feed the relay.
import { alawToLinear, linearToAlaw, linearToUlaw, ulawToLinear } from "../g711.js";

const SAMPLE_RATE = 8000;

/** Amplitude of the `freq` component of `samples` (a pure sine of amplitude A gives ≈ A). */
export function toneAmplitude(samples: ArrayLike<number>, freq: number): number {
  const n = samples.length;
  if (n === 0) return 0;
  const w = (2 * Math.PI * freq) / SAMPLE_RATE;
  const coeff = 2 * Math.cos(w);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    const s0 = (samples[i] ?? 0) + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  return (2 * Math.sqrt(Math.max(0, power))) / n;
}

/**
 * The frequencies among `candidates` present in `samples`: amplitude at least a third of
 * `amplitude` (the sources' level). Absent ones sit far below (leakage, G.711 noise), so
 * the split is not a fine line.
 */
export function tonesPresent(samples: ArrayLike<number>, candidates: readonly number[], amplitude: number): number[] {
  return candidates.filter((f) => toneAmplitude(samples, f) >= amplitude / 3);
}

/** A continuous sine, taken in G.711 chunks of any length. */
export class SineSource {
  private n = 0;

  constructor(
    readonly freq: number,
    readonly amplitude: number,
    private readonly ulaw: boolean,
  ) {}

  next(samples: number): Uint8Array {
    const out = new Uint8Array(samples);
    for (let i = 0; i < samples; i++, this.n++) {
      const s = Math.round(this.amplitude * Math.sin((2 * Math.PI * this.freq * this.n) / SAMPLE_RATE));
      out[i] = this.ulaw ? linearToUlaw(s) : linearToAlaw(s);
    }
    return out;
  }
}

/** G.711 payload → linear samples, by RTP payload type (0 PCMU, 8 PCMA). */
export function decodePayload(pt: number, payload: Uint8Array): Int16Array {
  const out = new Int16Array(payload.length);
  for (let i = 0; i < payload.length; i++) out[i] = pt === 0 ? ulawToLinear(payload[i]!) : alawToLinear(payload[i]!);
  return out;
}
