import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeAlaw, decodeUlaw, encodeAlaw, encodeUlaw } from "./g711.js";
import { DBM0_PEAK, TONE_PLANS, TONE_PLAN_CN, TONE_PLAN_EU, TONE_PLAN_US, ToneGenerator, validateTonePlan, type TonePlan, type ToneSpec } from "./tones.js";

const RATE = 8000;

/** Goertzel: amplitude of the `frequency` component of `x` (exact when N·f/8000 is whole). */
function goertzelAmplitude(x: ArrayLike<number>, frequency: number): number {
  const w = (2 * Math.PI * frequency) / RATE;
  const coeff = 2 * Math.cos(w);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < x.length; i++) {
    const s0 = (x[i] ?? 0) + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  return (2 * Math.sqrt(power)) / x.length;
}

const dbm0 = (amplitude: number, law: "alaw" | "ulaw" = "alaw"): number => 20 * Math.log10(amplitude / DBM0_PEAK[law]);

function rmsDbm0(x: ArrayLike<number>, law: "alaw" | "ulaw" = "alaw"): number {
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += (x[i] ?? 0) ** 2;
  return dbm0(Math.sqrt(sum / x.length) * Math.SQRT2, law);
}

/** Decoded samples of `frames` consecutive A-law (or µ-law) frames. */
function collect(gen: ToneGenerator, frames: number): Int16Array {
  const out = new Int16Array(frames * gen.frameSamples);
  for (let f = 0; f < frames; f++) {
    const codes = gen.nextFrame();
    out.set(gen.law === "alaw" ? decodeAlaw(codes) : decodeUlaw(codes), f * gen.frameSamples);
  }
  return out;
}

function collectPcm(gen: ToneGenerator, frames: number): Int16Array {
  const out = new Int16Array(frames * gen.frameSamples);
  for (let f = 0; f < frames; f++) out.set(gen.nextPcmFrame(), f * gen.frameSamples);
  return out;
}

const plan = (id: string, spec: ToneSpec): TonePlan => ({ id, description: id, tones: { dial: spec } });

test("built-in plans are valid", () => {
  for (const p of Object.values(TONE_PLANS)) assert.deepEqual(validateTonePlan(p), [], p.id);
});

test("China dial tone: 450 Hz present, neighbours and US/EU frequencies absent (Goertzel, A-law)", () => {
  const x = collect(new ToneGenerator(TONE_PLAN_CN, "dial"), 10); // 1600 samples: 5 Hz bins
  const at450 = goertzelAmplitude(x, 450);
  assert.ok(Math.abs(dbm0(at450) - -10) < 0.5, `450 Hz at ${dbm0(at450).toFixed(2)} dBm0`);
  for (const f of [350, 400, 425, 440, 480, 500, 620, 900, 1000, 1400]) {
    const rel = 20 * Math.log10(goertzelAmplitude(x, f) / at450);
    assert.ok(rel < -35, `${f} Hz only ${rel.toFixed(1)} dB below 450 Hz`);
  }
});

test("US dial tone: 350 + 440 Hz each at -13 dBm0, 480/620 absent (µ-law)", () => {
  const x = collect(new ToneGenerator(TONE_PLAN_US, "dial", { law: "ulaw" }), 10);
  for (const f of [350, 440]) {
    const level = dbm0(goertzelAmplitude(x, f), "ulaw");
    assert.ok(Math.abs(level - -13) < 0.5, `${f} Hz at ${level.toFixed(2)} dBm0`);
  }
  for (const f of [450, 480, 620]) assert.ok(dbm0(goertzelAmplitude(x, f), "ulaw") < -45, `${f} Hz present`);
  // Two uncorrelated -13 dBm0 components carry -10 dBm0 together.
  assert.ok(Math.abs(rmsDbm0(x, "ulaw") - (-13 + 10 * Math.log10(2))) < 0.5);
});

test("EU dial tone is 425 Hz", () => {
  const x = collect(new ToneGenerator(TONE_PLAN_EU, "dial"), 10);
  assert.ok(Math.abs(dbm0(goertzelAmplitude(x, 425)) - -10) < 0.5);
  assert.ok(dbm0(goertzelAmplitude(x, 450)) < -45);
});

test("levels within ±0.5 dB of the requested dBm0 after G.711 coding, 0 to -40 dBm0", () => {
  for (const law of ["alaw", "ulaw"] as const) {
    for (const level of [0, -3, -10, -20, -30, -40]) {
      const gen = new ToneGenerator(plan("t", { components: [{ frequency: 1000, level }], cadence: { kind: "continuous" } }), "dial", { law });
      const x = collect(gen, 10);
      const measured = rmsDbm0(x, law);
      assert.ok(Math.abs(measured - level) < 0.5, `${law} ${level} dBm0 measured ${measured.toFixed(3)}`);
    }
  }
});

test("the 0 dBm0 reference agrees with the G.711 Table 5/6 digital milliwatt sequences", () => {
  // G.711 Table 5 (A-law) and Table 6 (µ-law): eight codes repeated give a 1 kHz sine at 0 dBm0.
  const alawDmw = decodeAlaw(Uint8Array.from([0x34, 0x21, 0x21, 0x34, 0xb4, 0xa1, 0xa1, 0xb4]));
  const ulawDmw = decodeUlaw(Uint8Array.from([0x1e, 0x0b, 0x0b, 0x1e, 0x9e, 0x8b, 0x8b, 0x9e]));
  assert.ok(Math.abs(rmsDbm0(alawDmw, "alaw")) < 0.1, `A-law DMW at ${rmsDbm0(alawDmw, "alaw").toFixed(3)} dBm0`);
  assert.ok(Math.abs(rmsDbm0(ulawDmw, "ulaw")) < 0.1, `µ-law DMW at ${rmsDbm0(ulawDmw, "ulaw").toFixed(3)} dBm0`);
});

/** What the generator must produce for a single-component cadenced tone: exact on/off samples. */
function reference(frequency: number, level: number, onSamples: number, period: number, i: number): number {
  if (i % period >= onSamples) return 0;
  return Math.round(DBM0_PEAK.alaw * 10 ** (level / 20) * Math.sin((2 * Math.PI * ((frequency * i) % RATE)) / RATE));
}

test("China cadences: exact on/off sample counts over 10 cycles, phase continuing through the gaps", () => {
  const cases = [
    ["busy", 350, 350],
    ["congestion", 700, 700],
    ["ringback", 1000, 4000],
    ["call-waiting", 400, 4000],
  ] as const;
  for (const [name, onMs, offMs] of cases) {
    const on = onMs * 8;
    const period = (onMs + offMs) * 8;
    const gen = new ToneGenerator(TONE_PLAN_CN, name);
    const x = collectPcm(gen, (10 * period) / 160);
    let onCount = 0;
    for (let i = 0; i < x.length; i++) {
      assert.equal(x[i], reference(450, -10, on, period, i), `${name}: sample ${i}`);
      if (i % period < on) onCount++;
    }
    assert.equal(onCount, 10 * on);
    // Off runs are exactly `period - on` zeros, starting exactly at sample `on` of each cycle.
    for (let c = 0; c < 10; c++) {
      const start = c * period + on;
      assert.ok(x.subarray(start, start + period - on).every((s) => s === 0), `${name} cycle ${c} off`);
      assert.notEqual(x[start - 1], 0, `${name} cycle ${c}: last on sample`);
    }
  }
});

test("no drift over an hour: ringback cycle 720 starts on sample 3595 × 8000", () => {
  const gen = new ToneGenerator(TONE_PLAN_CN, "ringback");
  const frames = (3600 * RATE) / 160;
  const pcm = new Int16Array(160);
  let lastOn = -1;
  let firstOnOfLastCycle = -1;
  for (let f = 0; f < frames; f++) {
    gen.nextPcmFrame(pcm);
    if (f >= frames - 250) {
      for (let i = 0; i < 160; i++) {
        const n = f * 160 + i;
        if (pcm[i] !== 0) {
          if (firstOnOfLastCycle < 0) firstOnOfLastCycle = n;
          lastOn = n;
        }
      }
    }
  }
  assert.equal(gen.samplesGenerated, 3600 * RATE);
  // Sample 3595·8000 is at phase 0 (sin 0 = 0), so the first non-zero one is the next.
  assert.equal(firstOnOfLastCycle, 3595 * RATE + 1);
  assert.equal(lastOn, 3596 * RATE - 1);
});

test("phase continuity: frame boundaries step no more than one sample's worth of slope", () => {
  for (const [p, name] of [
    [TONE_PLAN_CN, "dial"],
    [TONE_PLAN_US, "dial"],
    [TONE_PLAN_US, "ringback"],
    [TONE_PLAN_EU, "call-waiting"],
  ] as const) {
    const gen = new ToneGenerator(p, name);
    const spec = p.tones[name];
    assert.ok(spec !== undefined);
    // Largest possible change between consecutive samples: Σ A·2πf/8000, plus rounding.
    const maxStep = spec.components.reduce((s, c) => s + DBM0_PEAK.alaw * 10 ** (c.level / 20) * ((2 * Math.PI * c.frequency) / RATE), 0) + 1;
    let prev: Int16Array | undefined;
    let boundaries = 0;
    for (let f = 0; f < 500; f++) {
      const frame = gen.nextPcmFrame();
      // A boundary inside a sounding stretch (zero crossings may land on it: 450 Hz repeats
      // every 160 samples, so each frame starts at phase 0).
      const last = prev?.[159];
      const first = frame[0] ?? 0;
      const sounding = prev !== undefined && prev.subarray(150).some((v) => v !== 0) && frame.subarray(0, 10).some((v) => v !== 0);
      if (last !== undefined && sounding) {
        boundaries++;
        assert.ok(Math.abs(first - last) <= maxStep, `${p.id} ${name} frame ${f}: jump ${first - last} > ${maxStep.toFixed(1)}`);
      }
      prev = frame;
    }
    assert.ok(boundaries > 20, `${p.id} ${name}: only ${boundaries} sounding boundaries checked`);
  }
});

test("phase continuity across a gap: an on/off/on cadence equals the ungated oscillator", () => {
  const gated = new ToneGenerator(plan("g", { components: [{ frequency: 440, level: -10 }], cadence: { kind: "pattern", pattern: [12.5, 7.5], repeat: true } }), "dial");
  const steady = new ToneGenerator(plan("s", { components: [{ frequency: 440, level: -10 }], cadence: { kind: "continuous" } }), "dial");
  const g = collectPcm(gated, 50);
  const s = collectPcm(steady, 50);
  for (let i = 0; i < g.length; i++) assert.equal(g[i], i % 160 < 100 ? s[i] : 0, `sample ${i}`);
});

test("frames: 160 samples; nextFrame equals the g711 encoding of nextPcmFrame", () => {
  for (const law of ["alaw", "ulaw"] as const) {
    const a = new ToneGenerator(TONE_PLAN_US, "busy", { law });
    const b = new ToneGenerator(TONE_PLAN_US, "busy", { law });
    for (let f = 0; f < 60; f++) {
      const codes = a.nextFrame();
      const pcm = b.nextPcmFrame();
      assert.equal(codes.length, 160);
      assert.equal(pcm.length, 160);
      assert.deepEqual(codes, law === "alaw" ? encodeAlaw(pcm) : encodeUlaw(pcm));
    }
  }
});

test("one-shot cadence ends in silence and reports finished", () => {
  const gen = new ToneGenerator(plan("o", { components: [{ frequency: 1000, level: -10 }], cadence: { kind: "pattern", pattern: [30], repeat: false } }), "dial");
  const first = gen.nextPcmFrame();
  assert.equal(gen.finished, false);
  const second = gen.nextPcmFrame();
  assert.ok(first.some((s) => s !== 0));
  assert.ok(second.subarray(0, 80).some((s) => s !== 0));
  assert.ok(second.subarray(80).every((s) => s === 0));
  assert.equal(gen.finished, true);
  assert.ok(gen.nextPcmFrame().every((s) => s === 0));
});

test("validation names the tone, component and problem", () => {
  const bad = (spec: ToneSpec): string[] => validateTonePlan(plan("x", spec));
  const cont = { kind: "continuous" } as const;
  assert.match(bad({ components: [{ frequency: 30, level: -10 }], cadence: cont }).join(), /tone 'dial': component 0: frequency 30 Hz/);
  assert.match(bad({ components: [{ frequency: 4000, level: -10 }], cadence: cont }).join(), /frequency 4000 Hz .*Nyquist/);
  assert.match(bad({ components: [{ frequency: 440.5, level: -10 }], cadence: cont }).join(), /whole number of Hz/);
  assert.match(bad({ components: [{ frequency: 440, level: 3 }], cadence: cont }).join(), /level 3 dBm0/);
  assert.match(bad({ components: [{ frequency: 440, level: Number.NaN }], cadence: cont }).join(), /level NaN dBm0/);
  assert.match(bad({ components: [], cadence: cont }).join(), /no frequency components/);
  assert.match(bad({ components: [{ frequency: 440, level: -10 }], cadence: { kind: "pattern", pattern: [], repeat: true } }).join(), /cadence pattern is empty/);
  assert.match(bad({ components: [{ frequency: 440, level: -10 }], cadence: { kind: "pattern", pattern: [100, 100, 100], repeat: true } }).join(), /on\/off pairs/);
  assert.match(bad({ components: [{ frequency: 440, level: -10 }], cadence: { kind: "pattern", pattern: [100, 0.1], repeat: true } }).join(), /cadence\[1\] = 0\.1 ms/);
  const loud = Array.from({ length: 3 }, (_, i) => ({ frequency: 400 + 100 * i, level: 0 }));
  assert.match(bad({ components: loud, cadence: cont }).join(), /above 16-bit full scale/);
  assert.match(validateTonePlan({ id: "x", description: "", tones: { ["hum" as "dial"]: { components: [{ frequency: 440, level: -10 }], cadence: cont } } }).join(), /'hum': unknown tone name/);
  assert.throws(() => new ToneGenerator(plan("x", { components: [{ frequency: 30, level: -10 }], cadence: cont }), "dial"), RangeError);
  assert.throws(() => new ToneGenerator(TONE_PLAN_CN, "special-information"), /tone plan 'cn' has no tone 'special-information'/);
});
