// Plays parsed WAV prompts (see wav.ts) as fixed-size G.711 frames: one prompt, a playlist
// played back to back (digits for say-number), or a looping one (music on hold). Clock-free:
// the caller's adapter pulls one frame per packet time.
//
// Only 8 kHz mono is accepted; other rates are refused rather than resampled here (convert
// offline: `sox in.wav -r 8000 -c 1 -e a-law out.wav`).

import { ALAW_SILENCE, ULAW_SILENCE, alawCodeToUlaw, alawToLinear, linearToAlaw, linearToUlaw, ulawCodeToAlaw, ulawToLinear } from "./g711.js";
import type { WavAudio } from "./wav.js";
import { FRAME_SAMPLES, TONE_SAMPLE_RATE, type G711Law } from "./tones.js";

export interface PromptPlayerOptions {
  /** Output law of `nextFrame()`. */
  law: G711Law;
  /** Start again from the first prompt after the last one (music on hold). Default false. */
  loop?: boolean;
  /** Samples per frame; default 160 (20 ms at 8 kHz). */
  frameSamples?: number;
}

export type CreatePromptPlayerResult = { ok: true; player: PromptPlayer } | { ok: false; error: string };

/** Why a prompt cannot be played, or undefined when it can. `index` names it in a playlist. */
export function checkPrompt(audio: WavAudio, index = 0): string | undefined {
  if (audio.sampleRate !== TONE_SAMPLE_RATE) {
    return `prompt ${index}: ${audio.sampleRate} Hz audio; only ${TONE_SAMPLE_RATE} Hz is played (convert with sox -r ${TONE_SAMPLE_RATE})`;
  }
  if (audio.channels !== 1) return `prompt ${index}: ${audio.channels} channels; only mono is played (convert with sox -c 1)`;
  return undefined;
}

/** Builds a player, or says which prompt is unplayable and why. Never throws. */
export function createPromptPlayer(prompts: readonly WavAudio[], options: PromptPlayerOptions): CreatePromptPlayerResult {
  for (const [i, p] of prompts.entries()) {
    const error = checkPrompt(p, i);
    if (error !== undefined) return { ok: false, error };
  }
  const frameSamples = options.frameSamples ?? FRAME_SAMPLES;
  if (!Number.isInteger(frameSamples) || frameSamples < 1) return { ok: false, error: `frameSamples ${frameSamples} (need a positive integer)` };
  return { ok: true, player: new PromptPlayer(prompts, options) };
}

/** One output code for sample `i` of a prompt, converted to `law`. */
function codeAt(audio: WavAudio, i: number, law: G711Law): number {
  if (audio.format === "pcm16") {
    const s = audio.data[i] ?? 0;
    return law === "alaw" ? linearToAlaw(s) : linearToUlaw(s);
  }
  const code = audio.data[i] ?? 0;
  if (audio.format === law) return code; // same law: bit-transparent
  // G.711 transcoding tables, equal to decode-then-encode.
  return audio.format === "alaw" ? alawCodeToUlaw(code) : ulawCodeToAlaw(code);
}

/** One linear sample `i` of a prompt. */
function sampleAt(audio: WavAudio, i: number): number {
  if (audio.format === "pcm16") return audio.data[i] ?? 0;
  const code = audio.data[i] ?? 0;
  return audio.format === "alaw" ? alawToLinear(code) : ulawToLinear(code);
}

/**
 * Plays prompts in order with no gap between them. Without `loop` the last frame is padded
 * with the law's silence code and every later frame is silence (`finished` is then true).
 * With `loop` the playlist wraps seamlessly inside a frame (no padding); an empty looping
 * playlist plays silence.
 */
export class PromptPlayer {
  readonly law: G711Law;
  readonly loop: boolean;
  readonly frameSamples: number;
  /** Total samples of the playlist (one pass). */
  readonly totalSamples: number;
  private readonly prompts: readonly WavAudio[];
  private promptIndex = 0;
  private offset = 0;
  private played = 0;

  /** Throws RangeError on an unplayable prompt; `createPromptPlayer` returns the error instead. */
  constructor(prompts: readonly WavAudio[], options: PromptPlayerOptions) {
    for (const [i, p] of prompts.entries()) {
      const error = checkPrompt(p, i);
      if (error !== undefined) throw new RangeError(error);
    }
    this.prompts = prompts;
    this.law = options.law;
    this.loop = options.loop ?? false;
    this.frameSamples = options.frameSamples ?? FRAME_SAMPLES;
    if (!Number.isInteger(this.frameSamples) || this.frameSamples < 1) throw new RangeError(`frameSamples ${this.frameSamples} (need a positive integer)`);
    this.totalSamples = prompts.reduce((sum, p) => sum + p.data.length, 0);
  }

  /** Frames one pass of the playlist takes (the last one padded). */
  get framesPerPass(): number {
    return Math.ceil(this.totalSamples / this.frameSamples);
  }

  /** Every prompt sample has been sent (never true when looping over non-empty audio). */
  get finished(): boolean {
    return this.promptIndex >= this.prompts.length && !(this.loop && this.totalSamples > 0);
  }

  /** Index of the prompt the next sample comes from (prompts.length once finished). */
  get currentPrompt(): number {
    return this.promptIndex;
  }

  /** Prompt samples played so far (counting repeats, not padding). */
  get samplesPlayed(): number {
    return this.played;
  }

  /** Next frame in `law` (into `out` when given). */
  nextFrame(out?: Uint8Array): Uint8Array {
    const frame = this.frameOut(out);
    const law = this.law;
    const n = this.fill(frame.length, (i, audio, at) => {
      frame[i] = codeAt(audio, at, law);
    });
    frame.fill(law === "alaw" ? ALAW_SILENCE : ULAW_SILENCE, n);
    return frame;
  }

  /** Next frame as 16-bit linear PCM (silence padded with 0). */
  nextPcmFrame(out?: Int16Array): Int16Array {
    const n = this.frameSamples;
    if (out !== undefined && out.length < n) throw new RangeError(`output holds ${out.length} samples, need ${n}`);
    const frame = out === undefined ? new Int16Array(n) : out.length === n ? out : out.subarray(0, n);
    const filled = this.fill(n, (i, audio, at) => {
      frame[i] = sampleAt(audio, at);
    });
    frame.fill(0, filled);
    return frame;
  }

  private frameOut(out: Uint8Array | undefined): Uint8Array {
    const n = this.frameSamples;
    if (out === undefined) return new Uint8Array(n);
    if (out.length < n) throw new RangeError(`output holds ${out.length} bytes, need ${n}`);
    return out.length === n ? out : out.subarray(0, n);
  }

  /** Writes up to `n` samples through `put`, moving through the playlist; returns how many. */
  private fill(n: number, put: (i: number, audio: WavAudio, at: number) => void): number {
    let i = 0;
    while (i < n) {
      if (this.promptIndex >= this.prompts.length) {
        if (!this.loop || this.totalSamples === 0) break;
        this.promptIndex = 0;
      }
      const audio = this.prompts[this.promptIndex];
      if (audio === undefined) break;
      const run = Math.min(n - i, audio.data.length - this.offset);
      for (let k = 0; k < run; k++) put(i + k, audio, this.offset + k);
      i += run;
      this.offset += run;
      this.played += run;
      if (this.offset >= audio.data.length) {
        this.promptIndex++;
        this.offset = 0;
      }
    }
    return i;
  }
}
