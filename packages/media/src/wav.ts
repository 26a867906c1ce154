// WAV (RIFF WAVE) files as bytes: prompts in, recordings out. No file system here; the
// caller reads and writes the bytes.
//
// Layout (Microsoft "Multimedia Programming Interface and Data Specifications 1.0", 1991,
// and RFC 2361): "RIFF" size "WAVE", then chunks of [4-byte id][u32le size][data][pad byte
// if size is odd]. `fmt ` holds WAVEFORMATEX; every format other than PCM carries cbSize and
// a `fact` chunk with the sample count. All integers are little-endian.

/** Sample encodings hotline reads and writes. */
export const WAV_FORMATS = ["pcm16", "alaw", "ulaw"] as const;
export type WavFormat = (typeof WAV_FORMATS)[number];

/** WAVEFORMATEX wFormatTag values (RFC 2361 appendix A). */
export const WAVE_FORMAT_TAG = { pcm16: 0x0001, alaw: 0x0006, ulaw: 0x0007 } as const;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

/** Decoded audio: interleaved samples when channels > 1. */
export type WavAudio =
  | { format: "pcm16"; sampleRate: number; channels: number; data: Int16Array }
  | { format: "alaw" | "ulaw"; sampleRate: number; channels: number; data: Uint8Array };

export type ParseWavResult = ({ ok: true } & WavAudio) | { ok: false; error: string };

/** What writeWav takes: channels defaults to 1 (mono). */
export type WavInput =
  | { format: "pcm16"; sampleRate: number; channels?: number; data: Int16Array }
  | { format: "alaw" | "ulaw"; sampleRate: number; channels?: number; data: Uint8Array };

const RIFF_HEADER_BYTES = 12;
const CHUNK_HEADER_BYTES = 8;
const FMT_PCM_BYTES = 16; // WAVEFORMAT + wBitsPerSample
const FMT_EX_BYTES = 18; // ... + cbSize
const MAX_CHANNELS = 255;

interface FmtChunk {
  format: WavFormat;
  channels: number;
  sampleRate: number;
}

type FmtResult = { ok: true; fmt: FmtChunk } | { ok: false; error: string };

function fourcc(bytes: Uint8Array, offset: number): string {
  let id = "";
  for (let i = offset; i < offset + 4; i++) {
    const b = bytes[i] ?? 0;
    id += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, "0")}`;
  }
  return id;
}

function formatName(tag: number): string {
  return `0x${tag.toString(16).padStart(4, "0")}`;
}

/** Reads a `fmt ` chunk body (already known to lie within the file). */
function parseFmt(view: DataView, offset: number, size: number): FmtResult {
  if (size < FMT_PCM_BYTES) return { ok: false, error: `fmt chunk is ${size} bytes, need at least ${FMT_PCM_BYTES}` };
  let tag = view.getUint16(offset, true);
  const channels = view.getUint16(offset + 2, true);
  const sampleRate = view.getUint32(offset + 4, true);
  const bits = view.getUint16(offset + 14, true);
  if (tag === WAVE_FORMAT_EXTENSIBLE) {
    // WAVEFORMATEXTENSIBLE: cbSize (22), wValidBitsPerSample, dwChannelMask, then the
    // SubFormat GUID whose first two bytes are the real format tag.
    if (size < FMT_EX_BYTES + 22) return { ok: false, error: `fmt chunk is ${size} bytes, too short for WAVE_FORMAT_EXTENSIBLE` };
    tag = view.getUint16(offset + FMT_EX_BYTES + 6, true);
  }
  if (channels === 0 || channels > MAX_CHANNELS) return { ok: false, error: `fmt chunk: ${channels} channels` };
  if (sampleRate === 0) return { ok: false, error: "fmt chunk: sample rate 0" };
  let format: WavFormat;
  let wantBits: number;
  if (tag === WAVE_FORMAT_TAG.pcm16) [format, wantBits] = ["pcm16", 16];
  else if (tag === WAVE_FORMAT_TAG.alaw) [format, wantBits] = ["alaw", 8];
  else if (tag === WAVE_FORMAT_TAG.ulaw) [format, wantBits] = ["ulaw", 8];
  else return { ok: false, error: `unsupported format tag ${formatName(tag)} (supported: 1 PCM, 6 A-law, 7 µ-law)` };
  if (bits !== wantBits) return { ok: false, error: `${format} with ${bits} bits per sample (need ${wantBits})` };
  return { ok: true, fmt: { format, channels, sampleRate } };
}

function audioFrom(fmt: FmtChunk, bytes: Uint8Array, view: DataView, offset: number, size: number): WavAudio {
  const { channels, sampleRate } = fmt;
  if (fmt.format === "pcm16") {
    // Whole frames only; read with DataView because the data may start at an odd offset.
    const count = Math.floor(size / (2 * channels)) * channels;
    const data = new Int16Array(count);
    for (let i = 0; i < count; i++) data[i] = view.getInt16(offset + 2 * i, true);
    return { format: "pcm16", sampleRate, channels, data };
  }
  const count = Math.floor(size / channels) * channels;
  return { format: fmt.format, sampleRate, channels, data: bytes.slice(offset, offset + count) };
}

/**
 * Parses a WAV file. Never throws. Unknown chunks (LIST, fact, cue, …) are skipped, odd-sized
 * chunks are followed by their pad byte, and the RIFF size is not trusted.
 *
 * A `data` chunk that claims more bytes than remain is read up to the end of the file: that is
 * how streamed WAV looks (espeak-ng --stdout and sox writing to a pipe leave 0x7ffff000 there)
 * and how a recording cut short looks. Any other chunk that overruns the file is an error.
 */
export function parseWav(bytes: Uint8Array): ParseWavResult {
  if (bytes.length < RIFF_HEADER_BYTES) return { ok: false, error: `${bytes.length} bytes is too short for a RIFF header` };
  if (fourcc(bytes, 0) !== "RIFF") return { ok: false, error: `not a RIFF file: starts with "${fourcc(bytes, 0)}"` };
  if (fourcc(bytes, 8) !== "WAVE") return { ok: false, error: `RIFF form type is "${fourcc(bytes, 8)}", not "WAVE"` };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let fmt: FmtChunk | undefined;
  let offset = RIFF_HEADER_BYTES;
  while (offset + CHUNK_HEADER_BYTES <= bytes.length) {
    const id = fourcc(bytes, offset);
    const size = view.getUint32(offset + 4, true);
    const body = offset + CHUNK_HEADER_BYTES;
    const remaining = bytes.length - body;
    if (id === "data") {
      if (fmt === undefined) return { ok: false, error: `data chunk at byte ${offset} comes before the fmt chunk` };
      return { ok: true, ...audioFrom(fmt, bytes, view, body, Math.min(size, remaining)) };
    }
    if (size > remaining) {
      return { ok: false, error: `chunk "${id}" at byte ${offset} claims ${size} bytes but only ${remaining} remain` };
    }
    if (id === "fmt ") {
      if (fmt !== undefined) return { ok: false, error: `second fmt chunk at byte ${offset}` };
      const parsed = parseFmt(view, body, size);
      if (!parsed.ok) return parsed;
      fmt = parsed.fmt;
    }
    offset = body + size + (size & 1); // RIFF: odd-sized chunks are padded to an even length
  }
  if (offset < bytes.length) return { ok: false, error: `${bytes.length - offset} stray bytes at byte ${offset}, too short for a chunk header` };
  return { ok: false, error: fmt === undefined ? "no fmt chunk" : "no data chunk" };
}

function checkInput(input: WavInput, channels: number, bytesPerSample: number): void {
  if (!WAV_FORMATS.includes(input.format)) throw new RangeError(`writeWav: unknown format ${String(input.format)}`);
  if (!Number.isInteger(channels) || channels < 1 || channels > MAX_CHANNELS) {
    throw new RangeError(`writeWav: ${channels} channels (need 1..${MAX_CHANNELS})`);
  }
  // nAvgBytesPerSec must fit its 32-bit field too.
  const rate = input.sampleRate;
  if (!Number.isInteger(rate) || rate < 1 || rate * channels * bytesPerSample > 0xffffffff) {
    throw new RangeError(`writeWav: sample rate ${rate} does not fit a WAV header`);
  }
  if (input.data.length % channels !== 0) {
    throw new RangeError(`writeWav: ${input.data.length} samples is not a whole number of ${channels}-channel frames`);
  }
}

/**
 * Writes a canonical WAV file: `fmt ` (16 bytes for PCM; 18 with cbSize = 0 for A-law and
 * µ-law, followed by the `fact` chunk that non-PCM formats require), then `data`, padded to an
 * even length. Throws RangeError on arguments no file could hold (a programming error).
 */
export function writeWav(input: WavInput): Uint8Array {
  const channels = input.channels ?? 1;
  const pcm = input.format === "pcm16";
  const bytesPerSample = pcm ? 2 : 1;
  checkInput(input, channels, bytesPerSample);
  const fmtSize = pcm ? FMT_PCM_BYTES : FMT_EX_BYTES;
  const factSize = pcm ? 0 : CHUNK_HEADER_BYTES + 4;
  const dataSize = input.data.length * bytesPerSample;
  const padded = dataSize + (dataSize & 1);
  const total = RIFF_HEADER_BYTES + CHUNK_HEADER_BYTES + fmtSize + factSize + CHUNK_HEADER_BYTES + padded;
  if (total - CHUNK_HEADER_BYTES > 0xffffffff) throw new RangeError(`writeWav: ${dataSize} bytes of audio exceed the 4 GiB RIFF limit`);

  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let at = 0;
  const id = (text: string): void => {
    for (let i = 0; i < 4; i++) out[at + i] = text.charCodeAt(i);
    at += 4;
  };
  const u32 = (value: number): void => {
    view.setUint32(at, value, true);
    at += 4;
  };
  const u16 = (value: number): void => {
    view.setUint16(at, value, true);
    at += 2;
  };

  id("RIFF");
  u32(total - CHUNK_HEADER_BYTES);
  id("WAVE");
  id("fmt ");
  u32(fmtSize);
  u16(WAVE_FORMAT_TAG[input.format]);
  u16(channels);
  u32(input.sampleRate);
  u32(input.sampleRate * channels * bytesPerSample); // nAvgBytesPerSec
  u16(channels * bytesPerSample); // nBlockAlign
  u16(bytesPerSample * 8); // wBitsPerSample
  if (!pcm) {
    u16(0); // cbSize: no extra format bytes
    id("fact");
    u32(4);
    u32(input.data.length / channels); // dwSampleLength, in frames
  }
  id("data");
  u32(dataSize);
  if (input.format === "pcm16") {
    for (let i = 0; i < input.data.length; i++) view.setInt16(at + 2 * i, input.data[i] ?? 0, true);
  } else {
    out.set(input.data, at);
  }
  return out;
}
