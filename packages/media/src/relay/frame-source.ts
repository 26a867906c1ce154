/**
 * What an endpoint hears while we play to it: 20 ms G.711 frames from a tone (tones.ts),
 * a prompt or music on hold (prompt-player.ts), or silence. Pull-based and allocation-free
 * per frame: the endpoint owns the payload buffer; the adapter's clock decides when.
 */
import { ALAW_SILENCE, ULAW_SILENCE, encodeAlaw, encodeUlaw } from "../g711.js";
import { PromptPlayer } from "../prompt-player.js";
import { ToneGenerator, type G711Law, type TonePlan } from "../tones.js";
import type { WavAudio } from "../wav.js";
import { RELAY_FRAME_SAMPLES, type PlayTone, type RelayPlaySource } from "./relay-types.js";

export interface FrameSource {
  /**
   * Fills `out` (RELAY_FRAME_SAMPLES codes in the source's law) with the next frame;
   * false when a one-shot source has nothing more (then `out` is untouched).
   */
  next(out: Uint8Array): boolean;
}

class ToneSource implements FrameSource {
  private readonly generator: ToneGenerator;
  private readonly pcm = new Int16Array(RELAY_FRAME_SAMPLES);

  constructor(
    plan: TonePlan,
    tone: PlayTone,
    private readonly law: G711Law,
  ) {
    this.generator = new ToneGenerator(plan, tone, { law, frameSamples: RELAY_FRAME_SAMPLES });
  }

  next(out: Uint8Array): boolean {
    if (this.generator.finished) return false;
    // Into our scratch, then encode: ToneGenerator.nextFrame would allocate the PCM frame.
    this.generator.nextPcmFrame(this.pcm);
    if (this.law === "alaw") encodeAlaw(this.pcm, out);
    else encodeUlaw(this.pcm, out);
    return true;
  }
}

class PromptSource implements FrameSource {
  private readonly player: PromptPlayer;

  constructor(audio: readonly WavAudio[], loop: boolean, law: G711Law) {
    this.player = new PromptPlayer(audio, { law, loop, frameSamples: RELAY_FRAME_SAMPLES });
  }

  next(out: Uint8Array): boolean {
    if (this.player.finished) return false;
    this.player.nextFrame(out);
    return true;
  }
}

class SilenceSource implements FrameSource {
  constructor(private readonly code: number) {}

  next(out: Uint8Array): boolean {
    out.fill(this.code);
    return true;
  }
}

/**
 * A frame source for `source` in `law`. Throws RangeError for audio the player refuses
 * (not 8 kHz mono): the session turns that into an immediate play-done.
 */
export function createFrameSource(source: RelayPlaySource, law: G711Law, plan: TonePlan, holdMusic: WavAudio): FrameSource {
  switch (source.kind) {
    case "tone":
      return new ToneSource(plan, source.tone, law);
    case "moh":
      return new PromptSource([holdMusic], true, law);
    case "prompt":
      return new PromptSource(source.audio, source.loop, law);
    case "silence":
      return new SilenceSource(law === "alaw" ? ALAW_SILENCE : ULAW_SILENCE);
  }
}
