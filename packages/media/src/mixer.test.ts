import { test } from "node:test";
import assert from "node:assert/strict";
import { Mixer, MIXER_FRAME_SAMPLES } from "./mixer.js";

const N = MIXER_FRAME_SAMPLES;

function constant(value: number): Int16Array {
  return new Int16Array(N).fill(value);
}

function sine(freqHz: number, amplitude: number): Int16Array {
  const f = new Int16Array(N);
  for (let i = 0; i < N; i++) f[i] = Math.round(amplitude * Math.sin((2 * Math.PI * freqHz * i) / 8000));
  return f;
}

/** Sample-wise sum of frames, clamped to Int16 (the expected mix). */
function sum(...frames: Int16Array[]): Int16Array {
  const out = new Int16Array(N);
  for (let i = 0; i < N; i++) {
    let v = 0;
    for (const f of frames) v += f[i] ?? 0;
    out[i] = Math.max(-32768, Math.min(32767, v));
  }
  return out;
}

function out(mixed: ReadonlyMap<string, Int16Array>, id: string): Int16Array {
  const frame = mixed.get(id);
  assert.ok(frame, `no output for ${id}`);
  return frame;
}

const SILENCE = new Int16Array(N);

test("three parties: each hears exactly the sum of the other two", () => {
  const m = new Mixer();
  const a = sine(440, 8000);
  const b = sine(1000, 6000);
  const c = constant(-1234);
  for (const id of ["a", "b", "c"]) m.addParticipant(id);
  m.putFrame("a", a);
  m.putFrame("b", b);
  m.putFrame("c", c);
  const mixed = m.mix();
  assert.equal(mixed.size, 3);
  assert.deepEqual(out(mixed, "a"), sum(b, c));
  assert.deepEqual(out(mixed, "b"), sum(a, c));
  assert.deepEqual(out(mixed, "c"), sum(a, b));
});

test("missing frames are silence, and frames are consumed by mix()", () => {
  const m = new Mixer();
  for (const id of ["a", "b", "c"]) m.addParticipant(id);
  const a = constant(100);
  m.putFrame("a", a);
  let mixed = m.mix();
  assert.deepEqual(out(mixed, "a"), SILENCE);
  assert.deepEqual(out(mixed, "b"), a);
  assert.deepEqual(out(mixed, "c"), a);
  mixed = m.mix(); // nobody sent anything this tick
  for (const id of ["a", "b", "c"]) assert.deepEqual(out(mixed, id), SILENCE);
});

test("the sum is clamped to Int16 after subtracting the listener's own audio", () => {
  const m = new Mixer();
  for (const id of ["a", "b", "c"]) m.addParticipant(id);
  m.putFrame("a", constant(30000));
  m.putFrame("b", constant(20000));
  m.putFrame("c", constant(-30000));
  const mixed = m.mix();
  assert.deepEqual(out(mixed, "a"), constant(-10000)); // 20000 − 30000
  assert.deepEqual(out(mixed, "b"), constant(0)); // 30000 − 30000
  assert.deepEqual(out(mixed, "c"), constant(32767)); // 50000 clamped
  m.putFrame("a", constant(-30000));
  m.putFrame("b", constant(-20000));
  assert.deepEqual(out(m.mix(), "c"), constant(-32768));
});

test("a muted party contributes nothing; a deaf party receives silence", () => {
  const m = new Mixer();
  m.addParticipant("a", { muted: true });
  m.addParticipant("b");
  m.addParticipant("c", { deaf: true });
  const a = constant(1000);
  const b = constant(200);
  const c = constant(30);
  const put = (): void => {
    m.putFrame("a", a);
    m.putFrame("b", b);
    m.putFrame("c", c);
  };
  put();
  let mixed = m.mix();
  assert.deepEqual(out(mixed, "a"), sum(b, c)); // muted still hears
  assert.deepEqual(out(mixed, "b"), c); // a is muted
  assert.deepEqual(out(mixed, "c"), SILENCE); // deaf, but still heard by others
  m.setMuted("a", false);
  m.setDeaf("c", false);
  assert.equal(m.isMuted("a"), false);
  assert.equal(m.isDeaf("c"), false);
  put();
  mixed = m.mix();
  assert.deepEqual(out(mixed, "b"), sum(a, c));
  assert.deepEqual(out(mixed, "c"), sum(a, b));
});

test("whisper: agent hears supervisor and caller, caller hears only the agent, supervisor hears both", () => {
  const m = new Mixer();
  m.addParticipant("caller", { listenTo: ["agent"] });
  m.addParticipant("agent");
  m.addParticipant("supervisor");
  const caller = sine(300, 5000);
  const agent = sine(700, 4000);
  const supervisor = constant(777);
  m.putFrame("caller", caller);
  m.putFrame("agent", agent);
  m.putFrame("supervisor", supervisor);
  let mixed = m.mix();
  assert.deepEqual(out(mixed, "agent"), sum(caller, supervisor));
  assert.deepEqual(out(mixed, "caller"), agent);
  assert.deepEqual(out(mixed, "supervisor"), sum(caller, agent));
  assert.deepEqual(m.listenTo("caller"), ["agent"]);

  // Barge: the caller hears everyone again.
  m.setListenTo("caller", null);
  assert.equal(m.listenTo("caller"), null);
  m.putFrame("caller", caller);
  m.putFrame("agent", agent);
  m.putFrame("supervisor", supervisor);
  mixed = m.mix();
  assert.deepEqual(out(mixed, "caller"), sum(agent, supervisor));
});

test("listen sets: own id ignored, absent ids take effect on join, removal drops a source", () => {
  const m = new Mixer();
  m.addParticipant("a", { listenTo: ["a", "b", "later"] });
  m.addParticipant("b");
  m.putFrame("a", constant(5));
  m.putFrame("b", constant(7));
  assert.deepEqual(out(m.mix(), "a"), constant(7));
  m.addParticipant("later");
  m.putFrame("b", constant(7));
  m.putFrame("later", constant(11));
  assert.deepEqual(out(m.mix(), "a"), constant(18));
  assert.equal(m.removeParticipant("b"), true);
  assert.equal(m.removeParticipant("b"), false);
  m.putFrame("later", constant(11));
  const mixed = m.mix();
  assert.deepEqual(out(mixed, "a"), constant(11));
  assert.equal(mixed.has("b"), false);
  assert.equal(m.size, 2);
});

test("60 parties: each hears the sum of the other 59", () => {
  const m = new Mixer();
  const frames: Int16Array[] = [];
  for (let k = 0; k < 60; k++) {
    m.addParticipant(`p${k}`);
    frames.push(sine(200 + 50 * k, 300 + 7 * k));
  }
  // Some parties send nothing, one is muted, one whispers to p0 only.
  m.setMuted("p3", true);
  m.setListenTo("p59", ["p0"]);
  for (let tick = 0; tick < 3; tick++) {
    frames.forEach((f, k) => {
      if (k % 10 !== 9) m.putFrame(`p${k}`, f);
    });
    const mixed = m.mix();
    assert.equal(mixed.size, 60);
    const heard = frames.filter((_, k) => k % 10 !== 9 && k !== 3);
    for (let k = 0; k < 60; k++) {
      const f = frames[k] ?? SILENCE;
      const expected = k === 59 ? (frames[0] ?? SILENCE) : sum(...heard.filter((h) => h !== f));
      assert.deepEqual(out(mixed, `p${k}`), expected, `p${k} tick ${tick}`);
    }
  }
  assert.throws(() => m.addParticipant("p60"), /full \(60 participants\)/);
});

test("outputs and the Map are reused between ticks (allocation-free)", () => {
  const m = new Mixer();
  m.addParticipant("a");
  m.addParticipant("b");
  m.putFrame("a", constant(1));
  const first = m.mix();
  const firstB = first.get("b");
  m.putFrame("a", constant(2));
  const second = m.mix();
  assert.equal(second, first);
  assert.equal(second.get("b"), firstB);
  assert.deepEqual(second.get("b"), constant(2));
});

test("putFrame copies, pads short frames, refuses long frames and unknown ids", () => {
  const m = new Mixer();
  m.addParticipant("a");
  m.addParticipant("b");
  const frame = constant(9);
  m.putFrame("a", frame);
  frame.fill(0); // the caller reuses its buffer
  assert.deepEqual(out(m.mix(), "b"), constant(9));
  m.putFrame("a", constant(9));
  m.mix();
  m.putFrame("a", new Int16Array(80).fill(4)); // 10 ms: the rest is silence
  const half = out(m.mix(), "b");
  assert.equal(half[79], 4);
  assert.equal(half[80], 0);
  assert.throws(() => m.putFrame("a", new Int16Array(161)), /161 samples, at most 160/);
  assert.throws(() => m.putFrame("nobody", constant(1)), /no participant 'nobody'/);
  assert.throws(() => m.addParticipant("a"), /'a' already present/);
  assert.throws(() => new Mixer({ frameSamples: 0 }), /frameSamples/);
});
