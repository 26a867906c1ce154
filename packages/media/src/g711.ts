// ITU-T G.711 A-law and µ-law by lookup table, bit-exact to the ITU-T G.191 (STL) reference
// `g711.c` (alaw_compress / alaw_expand / ulaw_compress / ulaw_expand, version 3.01).
//
// The tables are built once at module load by running the reference algorithm, transcribed
// below step for step, over every input: 65,536 16-bit samples per encoder and 256 codes per
// decoder. Hot paths are then a single indexed load.
//
// RFC 3551 §4.5.14: PCMA (A-law) is static payload type 8, PCMU (µ-law) is payload type 0.

/** A-law code of a zero sample (G.711: positive zero with the even bits inverted). */
export const ALAW_SILENCE = 0xd5;
/** µ-law code of a zero sample (G.711: positive zero with all bits inverted). */
export const ULAW_SILENCE = 0xff;

// --- The G.191 reference, one sample at a time (used only to fill the tables) ---------------

/** G.191 alaw_compress: the 12 most significant bits of a 16-bit sample → 8-bit A-law code. */
function g191AlawCompress(sample: number): number {
  // Negative samples use the one's complement, so the decision thresholds are symmetric
  // around -0.5 (G.711 Table 1a): 0 <= ix < 2048.
  let ix = sample < 0 ? ~sample >> 4 : sample >> 4;
  if (ix > 15) {
    // Segment (exponent) 1..7: shift the magnitude down until only the leading '1' and the
    // four mantissa bits remain, then drop the leading '1'.
    let exponent = 1;
    while (ix > 16 + 15) {
      ix >>= 1;
      exponent++;
    }
    ix -= 16;
    ix += exponent << 4;
  }
  if (sample >= 0) ix |= 0x80; // sign bit: 1 = positive
  return ix ^ 0x55; // G.711 §A: the even bits are inverted on the line
}

/** G.191 alaw_expand: 8-bit A-law code → 16-bit sample (13 bits left-justified). */
function g191AlawExpand(code: number): number {
  const ix = (code ^ 0x55) & 0x7f;
  const exponent = ix >> 4;
  let mantissa = ix & 0x0f;
  if (exponent > 0) mantissa += 16; // restore the leading '1'
  mantissa = (mantissa << 4) + 0x08; // left-justify and add half a quantization step
  if (exponent > 1) mantissa <<= exponent - 1;
  return code > 127 ? mantissa : -mantissa;
}

/** G.191 ulaw_compress: the 14 most significant bits of a 16-bit sample → 8-bit µ-law code. */
function g191UlawCompress(sample: number): number {
  // One's complement for negatives (as for A-law), then the µ-law bias of 33, which is the
  // offset between the A-law and µ-law decision thresholds.
  let absno = (sample < 0 ? ~sample >> 2 : sample >> 2) + 33;
  if (absno > 0x1fff) absno = 0x1fff;
  let segment = 1;
  for (let i = absno >> 6; i !== 0; i >>= 1) segment++;
  const highNibble = 0x08 - segment;
  const lowNibble = 0x0f - ((absno >> segment) & 0x0f);
  let code = (highNibble << 4) | lowNibble;
  if (sample >= 0) code |= 0x80;
  return code;
}

/** G.191 ulaw_expand: 8-bit µ-law code → 16-bit sample (14 bits left-justified). */
function g191UlawExpand(code: number): number {
  const sign = code < 0x80 ? -1 : 1;
  const inverted = ~code; // µ-law transmits every bit inverted
  const exponent = (inverted >> 4) & 0x07;
  const mantissa = inverted & 0x0f;
  const step = 4 << (exponent + 1); // one quantization step in this segment
  return sign * ((0x80 << exponent) + step * mantissa + step / 2 - 4 * 33);
}

// --- Tables --------------------------------------------------------------------------------

/** Encoder tables are indexed by the sample's 16-bit two's-complement pattern (`s & 0xffff`). */
const ALAW_ENCODE = new Uint8Array(65536);
const ULAW_ENCODE = new Uint8Array(65536);
const ALAW_DECODE = new Int16Array(256);
const ULAW_DECODE = new Int16Array(256);
/** Direct transcoding: exactly decode with one law, encode with the other. */
const ALAW_TO_ULAW = new Uint8Array(256);
const ULAW_TO_ALAW = new Uint8Array(256);

for (let sample = -32768; sample <= 32767; sample++) {
  ALAW_ENCODE[sample & 0xffff] = g191AlawCompress(sample);
  ULAW_ENCODE[sample & 0xffff] = g191UlawCompress(sample);
}
for (let code = 0; code < 256; code++) {
  ALAW_DECODE[code] = g191AlawExpand(code);
  ULAW_DECODE[code] = g191UlawExpand(code);
}
for (let code = 0; code < 256; code++) {
  ALAW_TO_ULAW[code] = ULAW_ENCODE[(ALAW_DECODE[code] ?? 0) & 0xffff] ?? ULAW_SILENCE;
  ULAW_TO_ALAW[code] = ALAW_ENCODE[(ULAW_DECODE[code] ?? 0) & 0xffff] ?? ALAW_SILENCE;
}

// --- One value at a time -------------------------------------------------------------------
// Samples are 16-bit signed integers; other numbers are first wrapped to 16 bits (as an
// Int16Array store would). Codes are taken modulo 256.

/** Encodes one 16-bit linear sample to an A-law code. */
export function linearToAlaw(sample: number): number {
  return ALAW_ENCODE[sample & 0xffff] ?? ALAW_SILENCE;
}

/** Decodes one A-law code to a 16-bit linear sample. */
export function alawToLinear(code: number): number {
  return ALAW_DECODE[code & 0xff] ?? 0;
}

/** Encodes one 16-bit linear sample to a µ-law code. */
export function linearToUlaw(sample: number): number {
  return ULAW_ENCODE[sample & 0xffff] ?? ULAW_SILENCE;
}

/** Decodes one µ-law code to a 16-bit linear sample. */
export function ulawToLinear(code: number): number {
  return ULAW_DECODE[code & 0xff] ?? 0;
}

/** Transcodes one A-law code to µ-law (equal to decode then encode). */
export function alawCodeToUlaw(code: number): number {
  return ALAW_TO_ULAW[code & 0xff] ?? ULAW_SILENCE;
}

/** Transcodes one µ-law code to A-law (equal to decode then encode). */
export function ulawCodeToAlaw(code: number): number {
  return ULAW_TO_ALAW[code & 0xff] ?? ALAW_SILENCE;
}

// --- Bulk ----------------------------------------------------------------------------------
// With `out` given, nothing is allocated: `out` must hold at least `input.length` elements and
// the first `input.length` are written; the return value is a view of exactly that prefix
// (`out` itself when the lengths match). Transcoding may run in place (`out === codes`).

function outputBytes(length: number, out: Uint8Array | undefined): Uint8Array {
  if (out === undefined) return new Uint8Array(length);
  if (out.length < length) throw new RangeError(`output holds ${out.length} bytes, need ${length}`);
  return out.length === length ? out : out.subarray(0, length);
}

function outputSamples(length: number, out: Int16Array | undefined): Int16Array {
  if (out === undefined) return new Int16Array(length);
  if (out.length < length) throw new RangeError(`output holds ${out.length} samples, need ${length}`);
  return out.length === length ? out : out.subarray(0, length);
}

function encodeWith(table: Uint8Array, pcm: Int16Array, out: Uint8Array | undefined): Uint8Array {
  const result = outputBytes(pcm.length, out);
  for (let i = 0; i < pcm.length; i++) result[i] = table[(pcm[i] ?? 0) & 0xffff] ?? 0;
  return result;
}

function decodeWith(table: Int16Array, codes: Uint8Array, out: Int16Array | undefined): Int16Array {
  const result = outputSamples(codes.length, out);
  for (let i = 0; i < codes.length; i++) result[i] = table[codes[i] ?? 0] ?? 0;
  return result;
}

function mapBytes(table: Uint8Array, codes: Uint8Array, out: Uint8Array | undefined): Uint8Array {
  const result = outputBytes(codes.length, out);
  for (let i = 0; i < codes.length; i++) result[i] = table[codes[i] ?? 0] ?? 0;
  return result;
}

/** Encodes 16-bit PCM to A-law (PCMA). */
export function encodeAlaw(pcm: Int16Array, out?: Uint8Array): Uint8Array {
  return encodeWith(ALAW_ENCODE, pcm, out);
}

/** Decodes A-law (PCMA) to 16-bit PCM. */
export function decodeAlaw(codes: Uint8Array, out?: Int16Array): Int16Array {
  return decodeWith(ALAW_DECODE, codes, out);
}

/** Encodes 16-bit PCM to µ-law (PCMU). */
export function encodeUlaw(pcm: Int16Array, out?: Uint8Array): Uint8Array {
  return encodeWith(ULAW_ENCODE, pcm, out);
}

/** Decodes µ-law (PCMU) to 16-bit PCM. */
export function decodeUlaw(codes: Uint8Array, out?: Int16Array): Int16Array {
  return decodeWith(ULAW_DECODE, codes, out);
}

/** Transcodes A-law (PCMA, PT 8) to µ-law (PCMU, PT 0) for bridged legs that differ. */
export function alawToUlaw(codes: Uint8Array, out?: Uint8Array): Uint8Array {
  return mapBytes(ALAW_TO_ULAW, codes, out);
}

/** Transcodes µ-law (PCMU, PT 0) to A-law (PCMA, PT 8) for bridged legs that differ. */
export function ulawToAlaw(codes: Uint8Array, out?: Uint8Array): Uint8Array {
  return mapBytes(ULAW_TO_ALAW, codes, out);
}
