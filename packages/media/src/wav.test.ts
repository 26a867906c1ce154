import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeAlaw, decodeUlaw, encodeAlaw } from "./g711.js";
import { parseWav, writeWav, type ParseWavResult, type WavAudio } from "./wav.js";
import { fromS16le, sox } from "./testing/sox.js";

const dir = mkdtempSync(join(tmpdir(), "hotline-wav-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function parsed(result: ParseWavResult): WavAudio {
  if (!result.ok) assert.fail(`parseWav failed: ${result.error}`);
  return result;
}

function errorOf(result: ParseWavResult): string {
  assert.equal(result.ok, false, "expected a parse error");
  return result.ok ? "" : result.error;
}

/** A 0.1 s 440 Hz tone written by sox to a file (seekable, so its sizes are final). -D: no
 * dither, so the file and the stream below hold the same codes. */
function soxFile(name: string, encoding: readonly string[]): Uint8Array {
  const path = join(dir, name);
  sox(["-D", "-n", "-r", "8000", "-c", "1", ...encoding, path, "synth", "0.1", "sine", "440"]);
  return new Uint8Array(readFileSync(path));
}

/** The same tone written by sox to a pipe: it cannot seek back, so sizes stay 0x7ffff000. */
function soxStream(encoding: readonly string[]): Uint8Array {
  return sox(["-D", "-n", "-r", "8000", "-c", "1", ...encoding, "-t", "wav", "-", "synth", "0.1", "sine", "440"]);
}

/** sox's own decoding of a WAV file to 16-bit samples (interleaved). */
function soxDecode(wav: Uint8Array): Int16Array {
  return fromS16le(sox(["-t", "wav", "-", "-t", "raw", "-e", "signed", "-b", "16", "-"], wav));
}

const tone = new Int16Array(801).map((_, i) => Math.round(12000 * Math.sin((2 * Math.PI * 440 * i) / 8000)));

test("round trip: PCM 16-bit, A-law and µ-law, with an odd length", () => {
  for (const audio of [
    { format: "pcm16", sampleRate: 8000, channels: 1, data: tone },
    { format: "alaw", sampleRate: 8000, channels: 1, data: encodeAlaw(tone) },
    { format: "ulaw", sampleRate: 8000, channels: 1, data: new Uint8Array([0xff, 0x00, 0x7f]) },
    { format: "pcm16", sampleRate: 16000, channels: 2, data: new Int16Array([1, -1, 32767, -32768]) },
    { format: "alaw", sampleRate: 8000, channels: 1, data: new Uint8Array(0) },
  ] satisfies WavAudio[]) {
    const bytes = writeWav(audio);
    assert.equal(bytes.length % 2, 0, "RIFF files have even length");
    assert.deepEqual(parsed(parseWav(bytes)), { ok: true, ...audio });
  }
});

test("writeWav lays out the canonical header (fact chunk for A-law and µ-law)", () => {
  const text = (b: Uint8Array, at: number): string => String.fromCharCode(...b.subarray(at, at + 4));
  const alaw = writeWav({ format: "alaw", sampleRate: 8000, data: new Uint8Array(801) });
  const a = new DataView(alaw.buffer);
  assert.equal(alaw.length, 12 + 26 + 12 + 8 + 802);
  assert.deepEqual([text(alaw, 0), text(alaw, 8), text(alaw, 12), text(alaw, 38), text(alaw, 50)], ["RIFF", "WAVE", "fmt ", "fact", "data"]);
  assert.equal(a.getUint32(4, true), alaw.length - 8);
  assert.equal(a.getUint32(16, true), 18); // fmt size, with cbSize
  assert.deepEqual([a.getUint16(20, true), a.getUint16(22, true), a.getUint32(24, true), a.getUint32(28, true)], [6, 1, 8000, 8000]);
  assert.deepEqual([a.getUint16(32, true), a.getUint16(34, true), a.getUint16(36, true)], [1, 8, 0]);
  assert.equal(a.getUint32(46, true), 801); // fact: samples
  assert.equal(a.getUint32(54, true), 801); // data size excludes the pad byte
  const pcm = writeWav({ format: "pcm16", sampleRate: 8000, data: new Int16Array(3) });
  const p = new DataView(pcm.buffer);
  assert.equal(pcm.length, 44 + 6);
  assert.equal(p.getUint32(16, true), 16);
  assert.deepEqual([p.getUint16(20, true), p.getUint32(28, true), p.getUint16(32, true), p.getUint16(34, true)], [1, 16000, 2, 16]);
  assert.equal(text(pcm, 36), "data");
  assert.equal(writeWav({ format: "ulaw", sampleRate: 8000, data: new Uint8Array(1) }).at(20), 7);
});

test("writeWav rejects arguments no WAV header can hold", () => {
  assert.throws(() => writeWav({ format: "alaw", sampleRate: 0, data: new Uint8Array(1) }), RangeError);
  assert.throws(() => writeWav({ format: "alaw", sampleRate: 8000.5, data: new Uint8Array(1) }), RangeError);
  assert.throws(() => writeWav({ format: "pcm16", sampleRate: 2 ** 31, data: new Int16Array(1) }), RangeError);
  assert.throws(() => writeWav({ format: "alaw", sampleRate: 8000, channels: 0, data: new Uint8Array(1) }), RangeError);
  assert.throws(() => writeWav({ format: "alaw", sampleRate: 8000, channels: 2, data: new Uint8Array(3) }), RangeError);
});

test("files written by sox parse with the right sizes and decode like sox decodes them", () => {
  for (const [name, encoding, format] of [
    ["a.wav", ["-e", "a-law"], "alaw"],
    ["u.wav", ["-e", "mu-law"], "ulaw"],
    ["p.wav", ["-e", "signed", "-b", "16"], "pcm16"],
  ] as const) {
    const bytes = soxFile(name, encoding);
    const audio = parsed(parseWav(bytes));
    assert.equal(audio.format, format);
    assert.equal(audio.sampleRate, 8000);
    assert.equal(audio.channels, 1);
    assert.equal(audio.data.length, 800, name); // 0.1 s at 8 kHz
    const samples = audio.format === "alaw" ? decodeAlaw(audio.data) : audio.format === "ulaw" ? decodeUlaw(audio.data) : audio.data;
    assert.deepEqual(samples, soxDecode(bytes), name);
    const streamed = soxStream(encoding);
    assert.ok(new DataView(streamed.buffer, streamed.byteOffset).getUint32(4, true) > 0x7ffff000, "placeholder RIFF size");
    assert.deepEqual(parsed(parseWav(streamed)), { ok: true, ...audio });
  }
});

test("sox reads what writeWav writes", () => {
  const alaw = encodeAlaw(tone);
  assert.deepEqual(soxDecode(writeWav({ format: "alaw", sampleRate: 8000, data: alaw })), decodeAlaw(alaw));
  const ulaw = new Uint8Array(255).map((_, i) => i);
  assert.deepEqual(soxDecode(writeWav({ format: "ulaw", sampleRate: 8000, data: ulaw })), decodeUlaw(ulaw));
  assert.deepEqual(soxDecode(writeWav({ format: "pcm16", sampleRate: 8000, data: tone })), tone);
});

test("multichannel WAVE_FORMAT_EXTENSIBLE from sox parses interleaved", () => {
  const path = join(dir, "x3.wav");
  sox(["-n", "-r", "8000", "-c", "3", "-e", "signed", "-b", "16", path, "synth", "0.01", "sine", "440"]);
  const bytes = new Uint8Array(readFileSync(path));
  assert.equal(new DataView(bytes.buffer, bytes.byteOffset).getUint16(20, true), 0xfffe, "sox wrote WAVE_FORMAT_EXTENSIBLE");
  const audio = parsed(parseWav(bytes));
  assert.deepEqual([audio.format, audio.channels, audio.data.length], ["pcm16", 3, 240]);
  assert.deepEqual(audio.data, soxDecode(bytes));
});

/** The 44-byte header espeak-ng --stdout writes: 22,050 Hz PCM, sizes left at 0x7ffff000. */
function espeakStyle(samples: Int16Array): Uint8Array {
  const head = [0x52, 0x49, 0x46, 0x46, 0x24, 0xf0, 0xff, 0x7f, 0x57, 0x41, 0x56, 0x45, 0x66, 0x6d, 0x74, 0x20];
  head.push(0x10, 0, 0, 0, 1, 0, 1, 0, 0x22, 0x56, 0, 0, 0x44, 0xac, 0, 0, 2, 0, 0x10, 0, 0x64, 0x61, 0x74, 0x61, 0x00, 0xf0, 0xff, 0x7f);
  const out = new Uint8Array(44 + samples.length * 2);
  out.set(head);
  const view = new DataView(out.buffer);
  samples.forEach((s, i) => view.setInt16(44 + 2 * i, s, true));
  return out;
}

test("espeak-ng-style streamed PCM parses up to the end of the file", () => {
  const audio = parsed(parseWav(espeakStyle(tone)));
  assert.deepEqual(audio, { ok: true, format: "pcm16", sampleRate: 22050, channels: 1, data: tone });
  // Cut mid-sample: whole samples only.
  const cut = espeakStyle(tone).subarray(0, 44 + 11);
  assert.deepEqual(parsed(parseWav(cut)).data, tone.subarray(0, 5));
  // Not aligned in its buffer (as a slice of a larger read would be).
  const shifted = new Uint8Array(espeakStyle(tone).length + 1);
  shifted.set(espeakStyle(tone), 1);
  assert.deepEqual(parsed(parseWav(shifted.subarray(1))).data, tone);
});

/** A WAV assembled from raw chunks (id, body); odd bodies get their pad byte. */
function riff(chunks: readonly (readonly [string, Uint8Array])[], form = "WAVE"): Uint8Array {
  const parts: number[] = [];
  for (const [id, body] of chunks) {
    parts.push(...[...id].map((c) => c.charCodeAt(0)), body.length & 0xff, (body.length >> 8) & 0xff, (body.length >> 16) & 0xff, body.length >>> 24);
    parts.push(...body);
    if (body.length & 1) parts.push(0);
  }
  const size = 4 + parts.length;
  return new Uint8Array([0x52, 0x49, 0x46, 0x46, size & 0xff, (size >> 8) & 0xff, 0, 0, ...[...form].map((c) => c.charCodeAt(0)), ...parts]);
}

function fmt(tag: number, channels: number, rate: number, bits: number, extra: number[] = []): Uint8Array {
  const b = new Uint8Array(16 + extra.length);
  const v = new DataView(b.buffer);
  v.setUint16(0, tag, true);
  v.setUint16(2, channels, true);
  v.setUint32(4, rate, true);
  v.setUint32(8, (rate * channels * bits) / 8, true);
  v.setUint16(12, (channels * bits) / 8, true);
  v.setUint16(14, bits, true);
  b.set(extra, 16);
  return b;
}

const ALAW_FMT = fmt(6, 1, 8000, 8, [0, 0]);
/** cbSize 22, wValidBitsPerSample 16, dwChannelMask 4 (front centre), KSDATAFORMAT_SUBTYPE_PCM. */
const EXTENSIBLE_PCM = [22, 0, 16, 0, 4, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xaa, 0, 0x38, 0x9b, 0x71];
/** One byte per character (code points 0..255). */
const latin1 = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));

test("extra chunks (LIST, fact, odd sizes with pad bytes, chunks after data) are skipped", () => {
  const data = new Uint8Array([0xd5, 0x55, 0xaa]);
  const file = riff([
    ["LIST", latin1("INFOISFT\x05\x00\x00\x00sox!\x00")], // odd: pad byte follows
    ["fmt ", ALAW_FMT],
    ["fact", new Uint8Array([3, 0, 0, 0])],
    ["junk", new Uint8Array(7)],
    ["data", data],
    ["cue ", new Uint8Array(4)],
  ]);
  assert.deepEqual(parseWav(file), { ok: true, format: "alaw", sampleRate: 8000, channels: 1, data });
});

test("malformed files give the specific error, never an exception", () => {
  const data: readonly [string, Uint8Array] = ["data", new Uint8Array(2)];
  const cases: readonly [Uint8Array, string][] = [
    [new Uint8Array(0), "0 bytes is too short for a RIFF header"],
    [latin1("RIFX\x00\x00\x00\x00WAVE"), 'not a RIFF file: starts with "RIFX"'],
    [riff([], "AVI "), 'RIFF form type is "AVI ", not "WAVE"'],
    [latin1("\x00\xffRIFF\x01\x02WAVEfmt"), 'not a RIFF file: starts with "\\x00\\xffRI"'],
    [riff([data]), "data chunk at byte 12 comes before the fmt chunk"],
    [riff([["fmt ", ALAW_FMT]]), "no data chunk"],
    [riff([["LIST", new Uint8Array(4)]]), "no fmt chunk"],
    [riff([["fmt ", ALAW_FMT.subarray(0, 14)], data]), "fmt chunk is 14 bytes, need at least 16"],
    [riff([["fmt ", fmt(0x55, 1, 8000, 0)], data]), "unsupported format tag 0x0055 (supported: 1 PCM, 6 A-law, 7 µ-law)"],
    [riff([["fmt ", fmt(1, 1, 8000, 8)], data]), "pcm16 with 8 bits per sample (need 16)"],
    [riff([["fmt ", fmt(6, 1, 8000, 16)], data]), "alaw with 16 bits per sample (need 8)"],
    [riff([["fmt ", fmt(7, 0, 8000, 8)], data]), "fmt chunk: 0 channels"],
    [riff([["fmt ", fmt(7, 1, 0, 8)], data]), "fmt chunk: sample rate 0"],
    [riff([["fmt ", fmt(0xfffe, 1, 8000, 16, [22, 0])], data]), "fmt chunk is 18 bytes, too short for WAVE_FORMAT_EXTENSIBLE"],
    [riff([["fmt ", ALAW_FMT], ["fmt ", ALAW_FMT], data]), "second fmt chunk at byte 38"],
    [new Uint8Array([...riff([["fmt ", ALAW_FMT]]), 1, 2, 3]), "3 stray bytes at byte 38, too short for a chunk header"],
  ];
  for (const [bytes, error] of cases) assert.equal(errorOf(parseWav(bytes)), error);

  // A huge size on any chunk but data overruns the file.
  const huge = riff([["LIST", new Uint8Array(4)], ["fmt ", ALAW_FMT], data]);
  new DataView(huge.buffer).setUint32(16, 0xffffffff, true);
  assert.equal(errorOf(parseWav(huge)), 'chunk "LIST" at byte 12 claims 4294967295 bytes but only 40 remain');
  const hugeFmt = riff([["fmt ", ALAW_FMT], data]);
  new DataView(hugeFmt.buffer).setUint32(16, 0x80000000, true);
  assert.equal(errorOf(parseWav(hugeFmt)), 'chunk "fmt " at byte 12 claims 2147483648 bytes but only 28 remain');
});

test("every truncation of a file: an error in the headers, whole samples in the data", () => {
  const full = writeWav({ format: "alaw", sampleRate: 8000, data: encodeAlaw(tone.subarray(0, 21)) });
  const dataStart = 12 + 26 + 12 + 8;
  for (let cut = 0; cut <= full.length; cut++) {
    const result = parseWav(full.subarray(0, cut));
    if (cut < dataStart) assert.equal(result.ok, false, `cut at ${cut}`);
    else assert.equal(parsed(result).data.length, Math.min(21, cut - dataStart), `cut at ${cut}`);
  }
  const pcm = writeWav({ format: "pcm16", sampleRate: 8000, channels: 2, data: tone.subarray(0, 20) });
  for (let cut = 44; cut <= pcm.length; cut++) {
    assert.equal(parsed(parseWav(pcm.subarray(0, cut))).data.length, 2 * Math.floor((cut - 44) / 4), `cut at ${cut}`);
  }
});

/** mulberry32: a seeded PRNG so the fuzz run is reproducible. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test("fuzz: mutated, truncated and random inputs never throw", () => {
  const random = seeded(0x5eed);
  const int = (n: number): number => Math.floor(random() * n);
  const seeds = [
    writeWav({ format: "alaw", sampleRate: 8000, data: encodeAlaw(tone.subarray(0, 50)) }),
    writeWav({ format: "pcm16", sampleRate: 8000, channels: 2, data: tone.subarray(0, 50) }),
    riff([["LIST", latin1("INFO!")], ["fmt ", fmt(0xfffe, 1, 8000, 16, EXTENSIBLE_PCM)], ["data", new Uint8Array(9)]]),
  ];
  let ok = 0;
  for (let round = 0; round < 3000; round++) {
    const base = seeds[round % seeds.length] ?? new Uint8Array(0);
    const bytes = base.slice(0, int(3) === 0 ? int(base.length + 1) : base.length);
    for (let flips = int(4); flips >= 0 && bytes.length > 0; flips--) {
      const at = int(bytes.length);
      bytes[at] = int(3) === 0 ? 0xff : int(256); // 0xff bytes make huge sizes
    }
    if (round % 10 === 0) bytes.set(latin1("RIFF\xff\xff\xff\xffWAVE").subarray(0, Math.min(12, bytes.length)));
    let result: ParseWavResult;
    try {
      result = parseWav(bytes);
    } catch (error) {
      assert.fail(`round ${round} threw: ${String(error)}`);
    }
    if (result.ok) {
      ok++;
      assert.equal(result.data.length % result.channels, 0);
      assert.ok(result.sampleRate > 0);
    } else assert.ok(result.error.length > 0);
  }
  for (let round = 0; round < 500; round++) {
    const noise = new Uint8Array(int(80)).map(() => int(256));
    assert.doesNotThrow(() => parseWav(noise));
  }
  assert.ok(ok > 100 && ok < 3000, `a mix of accepted and rejected inputs (${ok} accepted)`);
});
