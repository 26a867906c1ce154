// Call-progress tones (ITU-T E.180/Q.35) as data, and a clock-free generator of 20 ms frames.
//
// A TonePlan names tones (dial, ringback, busy, …). Each tone is a set of sine components
// (frequency in Hz, level in dBm0 per component) gated by a cadence of on/off durations.
// The generator is pull-based: `nextPcmFrame()` / `nextFrame()` return the next frame; the
// caller's adapter decides when (every 20 ms of its own clock).
//
// Sources for the built-in plans:
// - cn: ITU-T E.180 Supplement 2 ("Various tones used in national networks") values for China,
//   as carried by Asterisk `indications.conf.sample` [cn] (dial 450 continuous; busy 450
//   0.35/0.35; ring 450 1.0/4.0; congestion 450 0.7/0.7; call waiting 450 0.4/4.0). The
//   Chinese national standard (YD/T, not available here) was not checked. Levels: -10 dBm0,
//   our choice, not a quoted figure.
// - us: ITU-T E.300-series Supplement 3 "North American precise audible tone plan": dial
//   350+440 at -13 dBm0 each; ringback 440+480 at -19 dBm0 each, 2 s on / 4 s off; busy
//   480+620 at -24 dBm0 each, 0.5/0.5; reorder (congestion) 480+620 at -24 dBm0, 0.25/0.25.
//   Call waiting 440 Hz 0.3 s every 10 s is common practice, not checked against the text.
// - eu: ETSI (TR 101 041, ES 201 970 "common" values): 425 Hz; dial continuous; ringback
//   1 s / 4 s; busy 0.5/0.5; congestion 0.25/0.25; call waiting 0.2 on 0.2 off 0.2 on 4.4 off
//   (cadence taken from common CEPT practice; not checked against the ETSI text). Levels:
//   -10 dBm0, our choice.

import { encodeAlaw, encodeUlaw } from "./g711.js";

/** Samples per second on the G.711 line. */
export const TONE_SAMPLE_RATE = 8000;
/** 20 ms at 8 kHz. */
export const FRAME_SAMPLES = 160;

/** Tone names a plan may define (E.180 §3 vocabulary, kebab-case). */
export const TONE_NAMES = ["dial", "ringback", "busy", "congestion", "call-waiting", "special-dial", "special-information"] as const;
export type ToneName = (typeof TONE_NAMES)[number];

/** The companding law a tone level is referenced to, and frames are encoded in. */
export type G711Law = "alaw" | "ulaw";

/**
 * G.711 §3 / Tables 5 and 6: a sine wave of +3.14 dBm0 (A-law) or +3.17 dBm0 (µ-law) just
 * reaches the coder's overload (full scale). Full scale in our 16-bit samples is 4096 × 8
 * (13-bit A-law) and 8159 × 4 (14-bit µ-law, whose largest decision value is 8159). So
 * 0 dBm0 is a sine of peak amplitude fullScale × 10^(-T/20).
 */
export const DBM0_PEAK: Readonly<Record<G711Law, number>> = {
  alaw: 32768 * 10 ** (-3.14 / 20),
  ulaw: 32636 * 10 ** (-3.17 / 20),
};

export interface ToneComponent {
  /** Hz, a whole number in [50, 4000). */
  readonly frequency: number;
  /** dBm0 of this component alone, in [-60, 0]. */
  readonly level: number;
}

/**
 * On/off gating. `pattern` alternates on, off, on, … in milliseconds, starting with on. Each
 * duration must be a whole number of samples (a multiple of 0.125 ms). A repeating pattern
 * has an even length; a one-shot pattern ends in silence.
 */
export type Cadence = { readonly kind: "continuous" } | { readonly kind: "pattern"; readonly pattern: readonly number[]; readonly repeat: boolean };

export interface ToneSpec {
  readonly components: readonly ToneComponent[];
  readonly cadence: Cadence;
}

export interface TonePlan {
  /** Short id: "cn", "us", "eu". */
  readonly id: string;
  readonly description: string;
  readonly tones: Readonly<Partial<Record<ToneName, ToneSpec>>>;
}

const CONTINUOUS: Cadence = { kind: "continuous" };
const on = (pattern: number[], repeat = true): Cadence => ({ kind: "pattern", pattern, repeat });
const single = (frequency: number, level: number): ToneComponent[] => [{ frequency, level }];
const dual = (f1: number, f2: number, level: number): ToneComponent[] => [
  { frequency: f1, level },
  { frequency: f2, level },
];

/** China: E.180 Supplement 2 (see the header for sources). */
export const TONE_PLAN_CN: TonePlan = {
  id: "cn",
  description: "China (450 Hz)",
  tones: {
    dial: { components: single(450, -10), cadence: CONTINUOUS },
    ringback: { components: single(450, -10), cadence: on([1000, 4000]) },
    busy: { components: single(450, -10), cadence: on([350, 350]) },
    congestion: { components: single(450, -10), cadence: on([700, 700]) },
    "call-waiting": { components: single(450, -10), cadence: on([400, 4000]) },
  },
};

/** North American precise audible tone plan (E.300-series Supplement 3). */
export const TONE_PLAN_US: TonePlan = {
  id: "us",
  description: "United States / North America (precise tone plan)",
  tones: {
    dial: { components: dual(350, 440, -13), cadence: CONTINUOUS },
    ringback: { components: dual(440, 480, -19), cadence: on([2000, 4000]) },
    busy: { components: dual(480, 620, -24), cadence: on([500, 500]) },
    congestion: { components: dual(480, 620, -24), cadence: on([250, 250]) },
    "call-waiting": { components: single(440, -13), cadence: on([300, 9700]) },
  },
};

/** ETSI common European tones (425 Hz). */
export const TONE_PLAN_EU: TonePlan = {
  id: "eu",
  description: "Europe / ETSI (425 Hz)",
  tones: {
    dial: { components: single(425, -10), cadence: CONTINUOUS },
    ringback: { components: single(425, -10), cadence: on([1000, 4000]) },
    busy: { components: single(425, -10), cadence: on([500, 500]) },
    congestion: { components: single(425, -10), cadence: on([250, 250]) },
    "call-waiting": { components: single(425, -10), cadence: on([200, 200, 200, 4400]) },
  },
};

/** Built-in plans by id. */
export const TONE_PLANS = { cn: TONE_PLAN_CN, us: TONE_PLAN_US, eu: TONE_PLAN_EU } as const;
export type TonePlanId = keyof typeof TONE_PLANS;

// --- Validation ----------------------------------------------------------------------------

const MIN_FREQUENCY = 50;
const NYQUIST = TONE_SAMPLE_RATE / 2;
const MIN_LEVEL = -60;
const MAX_LEVEL = 0;
const SAMPLES_PER_MS = TONE_SAMPLE_RATE / 1000;

function validateTone(where: string, spec: ToneSpec): string[] {
  const errors: string[] = [];
  if (spec.components.length === 0) errors.push(`${where}: no frequency components`);
  spec.components.forEach((c, i) => {
    const at = `${where}: component ${i}`;
    if (!Number.isInteger(c.frequency) || c.frequency < MIN_FREQUENCY || c.frequency >= NYQUIST) {
      errors.push(`${at}: frequency ${c.frequency} Hz (need a whole number of Hz in ${MIN_FREQUENCY}..${NYQUIST - 1}; ${NYQUIST} Hz is the Nyquist limit at 8 kHz)`);
    }
    if (!Number.isFinite(c.level) || c.level < MIN_LEVEL || c.level > MAX_LEVEL) {
      errors.push(`${at}: level ${c.level} dBm0 (need ${MIN_LEVEL}..${MAX_LEVEL})`);
    }
  });
  // Worst case the components add in phase: the peak must still fit a G.711 coder.
  const peak = spec.components.reduce((sum, c) => sum + DBM0_PEAK.ulaw * 10 ** (c.level / 20), 0);
  if (peak > 32767) errors.push(`${where}: components sum to a peak of ${Math.round(peak)}, above 16-bit full scale`);
  const cadence = spec.cadence;
  if (cadence.kind === "pattern") {
    if (cadence.pattern.length === 0) errors.push(`${where}: cadence pattern is empty (use kind "continuous" for a steady tone)`);
    if (cadence.repeat && cadence.pattern.length % 2 !== 0) {
      errors.push(`${where}: a repeating cadence needs on/off pairs, got ${cadence.pattern.length} durations`);
    }
    cadence.pattern.forEach((ms, i) => {
      if (!(ms > 0) || !Number.isInteger(ms * SAMPLES_PER_MS)) {
        errors.push(`${where}: cadence[${i}] = ${ms} ms (need > 0 and a multiple of 0.125 ms, one sample at 8 kHz)`);
      }
    });
  } else if (cadence.kind !== "continuous") {
    errors.push(`${where}: unknown cadence kind ${String((cadence as { kind: unknown }).kind)}`);
  }
  return errors;
}

/** Every problem with a plan, each naming the tone and component; empty when valid. */
export function validateTonePlan(plan: TonePlan): string[] {
  const errors: string[] = [];
  if (plan.id === "") errors.push("tone plan: empty id");
  for (const [name, spec] of Object.entries(plan.tones)) {
    const where = `tone plan '${plan.id}': tone '${name}'`;
    if (!(TONE_NAMES as readonly string[]).includes(name)) errors.push(`${where}: unknown tone name (known: ${TONE_NAMES.join(", ")})`);
    if (spec !== undefined) errors.push(...validateTone(where, spec));
  }
  return errors;
}

// --- Generator -----------------------------------------------------------------------------

/** sin(2π k / 8000) for k in 0..7999: an integer phase accumulator indexes it exactly. */
const SINE = new Float64Array(TONE_SAMPLE_RATE);
for (let k = 0; k < TONE_SAMPLE_RATE; k++) SINE[k] = Math.sin((2 * Math.PI * k) / TONE_SAMPLE_RATE);

export interface ToneGeneratorOptions {
  /** Law of `nextFrame()` and the dBm0 reference (G.711 differs by 0.03 dB). Default "alaw". */
  law?: G711Law;
  /** Samples per frame; default 160 (20 ms). */
  frameSamples?: number;
}

/**
 * Generates one tone of a plan as consecutive frames. The oscillators run through the off
 * periods too, so the waveform is phase-continuous across frames and cadence segments. Phase
 * is an integer (f·n mod 8000) and cadence boundaries are integer sample counts, so nothing
 * drifts however long it runs.
 */
export class ToneGenerator {
  readonly law: G711Law;
  readonly frameSamples: number;
  private readonly frequencies: Int32Array;
  private readonly amplitudes: Float64Array;
  private readonly phases: Int32Array;
  /** Cadence durations in samples (on, off, …); empty for continuous. */
  private readonly segments: readonly number[];
  private readonly repeat: boolean;
  private segment = 0;
  private leftInSegment: number;
  private done = false;
  private generated = 0;

  constructor(plan: TonePlan, tone: ToneName, options: ToneGeneratorOptions = {}) {
    const errors = validateTonePlan(plan);
    if (errors.length > 0) throw new RangeError(errors.join("; "));
    const spec = plan.tones[tone];
    if (spec === undefined) throw new RangeError(`tone plan '${plan.id}' has no tone '${tone}' (it has: ${Object.keys(plan.tones).join(", ")})`);
    this.law = options.law ?? "alaw";
    this.frameSamples = options.frameSamples ?? FRAME_SAMPLES;
    if (!Number.isInteger(this.frameSamples) || this.frameSamples < 1) throw new RangeError(`frameSamples ${this.frameSamples} (need a positive integer)`);
    const reference = DBM0_PEAK[this.law];
    this.frequencies = Int32Array.from(spec.components, (c) => c.frequency);
    this.amplitudes = Float64Array.from(spec.components, (c) => reference * 10 ** (c.level / 20));
    this.phases = new Int32Array(spec.components.length);
    const cadence = spec.cadence;
    this.segments = cadence.kind === "pattern" ? cadence.pattern.map((ms) => ms * SAMPLES_PER_MS) : [];
    this.repeat = cadence.kind === "pattern" ? cadence.repeat : true;
    this.leftInSegment = this.segments[0] ?? Infinity;
  }

  /** Samples produced so far. */
  get samplesGenerated(): number {
    return this.generated;
  }

  /** A one-shot cadence has played out; further frames are silence. */
  get finished(): boolean {
    return this.done;
  }

  /** Next frame as 16-bit linear PCM (into `out` when given). */
  nextPcmFrame(out?: Int16Array): Int16Array {
    const n = this.frameSamples;
    if (out !== undefined && out.length < n) throw new RangeError(`output holds ${out.length} samples, need ${n}`);
    const frame = out === undefined ? new Int16Array(n) : out.length === n ? out : out.subarray(0, n);
    let i = 0;
    while (i < n) {
      const run = Math.min(n - i, this.leftInSegment);
      const sounding = !this.done && this.segment % 2 === 0;
      this.render(frame, i, run, sounding);
      i += run;
      this.leftInSegment -= run;
      if (this.leftInSegment === 0) this.advanceSegment();
    }
    this.generated += n;
    return frame;
  }

  /** Next frame in the generator's G.711 law. */
  nextFrame(out?: Uint8Array): Uint8Array {
    const pcm = this.nextPcmFrame();
    return this.law === "alaw" ? encodeAlaw(pcm, out) : encodeUlaw(pcm, out);
  }

  private render(frame: Int16Array, start: number, count: number, sounding: boolean): void {
    const { frequencies, amplitudes, phases } = this;
    if (!sounding) {
      // The oscillators keep running under the gate, so the next "on" continues the phase.
      frame.fill(0, start, start + count);
      for (let k = 0; k < phases.length; k++) phases[k] = ((phases[k] ?? 0) + (frequencies[k] ?? 0) * count) % TONE_SAMPLE_RATE;
      return;
    }
    for (let i = start; i < start + count; i++) {
      let sum = 0;
      for (let k = 0; k < phases.length; k++) {
        const phase = phases[k] ?? 0;
        sum += (amplitudes[k] ?? 0) * (SINE[phase] ?? 0);
        const next = phase + (frequencies[k] ?? 0);
        phases[k] = next >= TONE_SAMPLE_RATE ? next - TONE_SAMPLE_RATE : next;
      }
      frame[i] = Math.round(sum);
    }
  }

  private advanceSegment(): void {
    this.segment++;
    if (this.segment >= this.segments.length) {
      if (this.repeat) this.segment = 0;
      else {
        this.done = true;
        this.leftInSegment = Infinity;
        return;
      }
    }
    this.leftInSegment = this.segments[this.segment] ?? Infinity;
  }
}
