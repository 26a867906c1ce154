import { test } from "node:test";
import assert from "node:assert/strict";
import {
  ALAW_SILENCE,
  ULAW_SILENCE,
  alawCodeToUlaw,
  alawToLinear,
  alawToUlaw,
  decodeAlaw,
  decodeUlaw,
  encodeAlaw,
  encodeUlaw,
  linearToAlaw,
  linearToUlaw,
  ulawCodeToAlaw,
  ulawToAlaw,
  ulawToLinear,
} from "./g711.js";
import { RAW_ALAW, RAW_S16, RAW_ULAW, everyCode, everySample, fromS16le, s16le, sox } from "./testing/sox.js";

// How the 65,536-input comparison with sox works.
//
// sox's quantizer is the Sun/CCITT one (libsox g711.c) and it decodes exactly like G.191,
// but on the way in it *rounds* a 16-bit sample to the codec's grid ((x + 4) >> 3 for the
// 13-bit A-law grid, (x + 2) >> 2 for the 14-bit µ-law grid), where G.191 *truncates*
// (x >> 3, x >> 2). So sox encoding the sample x − 4 (A-law) or x − 2 (µ-law) quantizes exactly
// the value G.191 quantizes for x, and every one of our 65,536 codes is compared with a code
// sox produced.
//
// Negative µ-law samples: G.191 takes the one's complement (~x, G.711's decision values are
// symmetric about −½), Sun's encoder the two's complement (−x), so sox's negative half is
// one grid step off G.191 and never emits 0x7F. G.191's negative half is the positive half
// with the sign bit cleared, which is what we compare against (and check as a property below).

/** sox's code for sample s, clamped to the 16-bit range. */
function codeAt(soxCodes: Uint8Array, s: number): number {
  const value = soxCodes[Math.max(-32768, Math.min(32767, s)) + 32768];
  assert.ok(value !== undefined);
  return value;
}

function mismatches(expected: (s: number) => number, actual: Uint8Array): string[] {
  const bad: string[] = [];
  for (let s = -32768; s <= 32767; s++) {
    const want = expected(s);
    const got = actual[s + 32768];
    if (got !== want && bad.length < 10) bad.push(`sample ${s}: got 0x${got?.toString(16)}, want 0x${want.toString(16)}`);
  }
  return bad;
}

test("A-law encoding of all 65,536 samples matches sox", () => {
  const soxCodes = sox(["-D", ...RAW_S16, "-", ...RAW_ALAW, "-"], s16le(everySample()));
  assert.equal(soxCodes.length, 65536);
  const ours = encodeAlaw(everySample());
  assert.deepEqual(mismatches((s) => codeAt(soxCodes, s - 4), ours), []);
  // On the grid itself (multiples of 8) rounding and truncation agree: no shift needed.
  for (let s = -32768; s < 32764; s += 8) assert.equal(ours[s + 32768], soxCodes[s + 32768], `sample ${s}`);
});

test("µ-law encoding of all 65,536 samples matches sox", () => {
  const soxCodes = sox(["-D", ...RAW_S16, "-", ...RAW_ULAW, "-"], s16le(everySample()));
  assert.equal(soxCodes.length, 65536);
  const ours = encodeUlaw(everySample());
  const expected = (s: number): number => (s >= 0 ? codeAt(soxCodes, s - 2) : codeAt(soxCodes, ~s - 2) & 0x7f);
  assert.deepEqual(mismatches(expected, ours), []);
  // On the grid (multiples of 4), non-negative samples need no shift.
  for (let s = 0; s < 32764; s += 4) assert.equal(ours[s + 32768], soxCodes[s + 32768], `sample ${s}`);
});

test("negative samples mirror positive ones about -1/2 (G.191 one's complement)", () => {
  for (let s = -32768; s < 0; s++) {
    assert.equal(linearToAlaw(s), linearToAlaw(~s) & 0x7f, `A-law ${s}`);
    assert.equal(linearToUlaw(s), linearToUlaw(~s) & 0x7f, `µ-law ${s}`);
  }
});

test("A-law decoding of all 256 codes matches sox", () => {
  const soxSamples = fromS16le(sox([...RAW_ALAW, "-", ...RAW_S16, "-"], everyCode()));
  assert.deepEqual(decodeAlaw(everyCode()), soxSamples);
  for (let c = 0; c < 256; c++) assert.equal(alawToLinear(c), soxSamples[c]);
});

test("µ-law decoding of all 256 codes matches sox", () => {
  const soxSamples = fromS16le(sox([...RAW_ULAW, "-", ...RAW_S16, "-"], everyCode()));
  assert.deepEqual(decodeUlaw(everyCode()), soxSamples);
  for (let c = 0; c < 256; c++) assert.equal(ulawToLinear(c), soxSamples[c]);
});

test("G.191 landmarks: silence, full scale, smallest steps", () => {
  assert.equal(linearToAlaw(0), ALAW_SILENCE);
  assert.equal(linearToUlaw(0), ULAW_SILENCE);
  assert.equal(alawToLinear(ALAW_SILENCE), 8);
  assert.equal(ulawToLinear(ULAW_SILENCE), 0);
  assert.equal(linearToAlaw(-1), 0x55);
  assert.equal(linearToUlaw(-1), 0x7f);
  assert.equal(alawToLinear(0xaa), 32256);
  assert.equal(alawToLinear(0x2a), -32256);
  assert.equal(ulawToLinear(0x80), 32124);
  assert.equal(ulawToLinear(0x00), -32124);
  assert.equal(linearToAlaw(32767), 0xaa);
  assert.equal(linearToAlaw(-32768), 0x2a);
  assert.equal(linearToUlaw(32767), 0x80);
  assert.equal(linearToUlaw(-32768), 0x00);
  // Samples wrap to 16 bits and codes to 8, as typed-array stores would.
  assert.equal(linearToAlaw(65536 + 1000), linearToAlaw(1000));
  assert.equal(alawToLinear(0x100 + 0x12), alawToLinear(0x12));
});

test("encoding a decoded code gives the code back", () => {
  for (let c = 0; c < 256; c++) {
    assert.equal(linearToAlaw(alawToLinear(c)), c, `A-law 0x${c.toString(16)}`);
    // µ-law has two zeros; 0x7F (-0) decodes to 0, which encodes as +0 (0xFF).
    assert.equal(linearToUlaw(ulawToLinear(c)), c === 0x7f ? 0xff : c, `µ-law 0x${c.toString(16)}`);
  }
});

test("transcoding tables equal decode then encode for all 256 codes", () => {
  const codes = everyCode();
  const aToU = alawToUlaw(codes);
  const uToA = ulawToAlaw(codes);
  assert.deepEqual(aToU, encodeUlaw(decodeAlaw(codes)));
  assert.deepEqual(uToA, encodeAlaw(decodeUlaw(codes)));
  for (let c = 0; c < 256; c++) {
    assert.equal(alawCodeToUlaw(c), linearToUlaw(alawToLinear(c)));
    assert.equal(ulawCodeToAlaw(c), linearToAlaw(ulawToLinear(c)));
  }
  // A-law has no zero level: its silence decodes to +8, which µ-law can represent exactly.
  assert.equal(alawCodeToUlaw(ALAW_SILENCE), 0xfe);
  assert.equal(ulawToLinear(0xfe), 8);
  assert.equal(ulawCodeToAlaw(ULAW_SILENCE), ALAW_SILENCE);
  // In place is allowed.
  const inPlace = everyCode();
  assert.equal(alawToUlaw(inPlace, inPlace), inPlace);
  assert.deepEqual(inPlace, aToU);
});

test("bulk functions match the one-sample functions", () => {
  const pcm = everySample();
  const a = encodeAlaw(pcm);
  const u = encodeUlaw(pcm);
  for (let i = 0; i < pcm.length; i++) {
    const s = pcm[i] ?? 0;
    assert.equal(a[i], linearToAlaw(s));
    assert.equal(u[i], linearToUlaw(s));
  }
  assert.equal(encodeAlaw(new Int16Array(0)).length, 0);
  assert.equal(decodeUlaw(new Uint8Array(0)).length, 0);
});

test("bulk functions write into `out` without allocating a result", () => {
  const frame = new Int16Array(160).map((_, i) => Math.round(8000 * Math.sin(i / 5)));
  const codes = new Uint8Array(160);
  assert.equal(encodeAlaw(frame, codes), codes);
  assert.deepEqual(codes, encodeAlaw(frame));
  const samples = new Int16Array(160);
  assert.equal(decodeAlaw(codes, samples), samples);
  assert.deepEqual(samples, decodeAlaw(codes));
  assert.equal(encodeUlaw(frame, codes), codes);
  assert.equal(decodeUlaw(codes, samples), samples);
  const transcoded = new Uint8Array(160);
  assert.equal(ulawToAlaw(codes, transcoded), transcoded);

  // A larger `out`: the prefix is written and returned as a view; the rest is untouched.
  const big = new Uint8Array(200).fill(0xee);
  const view = encodeUlaw(frame, big);
  assert.equal(view.length, 160);
  assert.equal(view.buffer, big.buffer);
  assert.equal(view.byteOffset, 0);
  assert.deepEqual(big.subarray(0, 160), encodeUlaw(frame));
  assert.ok(big.subarray(160).every((b) => b === 0xee));

  assert.throws(() => encodeAlaw(frame, new Uint8Array(159)), RangeError);
  assert.throws(() => decodeAlaw(codes, new Int16Array(10)), RangeError);
  assert.throws(() => alawToUlaw(codes, new Uint8Array(0)), RangeError);
});
