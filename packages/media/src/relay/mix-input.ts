/**
 * The audio one mix-room member sends us, waiting to be mixed: decoded G.711 samples in a
 * small FIFO that the room drains 160 samples (20 ms) per tick.
 *
 * Why a FIFO and not "the last packet": peers may send 10, 30 or 40 ms packets (RFC 3551
 * §4.2 lets the sender choose the packet time), and even 20 ms packets arrive with jitter
 * against our tick. The FIFO first fills to MIX_PRIME_SAMPLES (two frames: 20 ms of
 * jitter absorbed, 20–40 ms of delay), then gives a frame per tick. When it runs dry (a
 * lost or late packet, the peer stopped) the member contributes what is left padded with
 * silence, and the FIFO primes again. It never holds more than MIX_BUFFER_SAMPLES: a peer
 * whose clock runs fast (or a burst) loses its oldest audio rather than adding delay.
 *
 * Packets older than the newest one taken (RFC 3550 §A.1 sequence order: reordered or
 * duplicated) are refused: their moment has passed.
 */
import { alawToLinear, ulawToLinear } from "../g711.js";
import { sequenceDistance } from "../rtp-packet.js";
import { RELAY_FRAME_SAMPLES } from "./relay-types.js";

export const MIX_PRIME_SAMPLES = 2 * RELAY_FRAME_SAMPLES;
export const MIX_BUFFER_SAMPLES = 6 * RELAY_FRAME_SAMPLES;
/** A sequence number this far behind the newest is a restarted stream, not a late packet. */
const RESTART_DISTANCE = 1000;

const ALAW_LINEAR = Int16Array.from({ length: 256 }, (_, code) => alawToLinear(code));
const ULAW_LINEAR = Int16Array.from({ length: 256 }, (_, code) => ulawToLinear(code));

/** What `push` did with a packet. */
export const MIX_TAKEN = 0;
export const MIX_LATE = 1;
/** Taken, but older buffered audio was dropped to make room. */
export const MIX_OVERFLOW = 2;

export class MixInput {
  private readonly ring = new Int16Array(MIX_BUFFER_SAMPLES);
  private readPos = 0;
  /** Samples buffered. */
  private count = 0;
  private primed = false;
  private ssrc = -1;
  private sequence = 0;

  /** Buffers the G.711 payload `packet[start..end)` of a packet with `ssrc`/`sequence`. */
  push(packet: Uint8Array, start: number, end: number, ulaw: boolean, ssrc: number, sequence: number): number {
    if (ssrc === this.ssrc) {
      const d = sequenceDistance(sequence, this.sequence);
      if (d <= 0 && d > -RESTART_DISTANCE) return MIX_LATE;
    }
    this.ssrc = ssrc;
    this.sequence = sequence;
    const table = ulaw ? ULAW_LINEAR : ALAW_LINEAR;
    const ring = this.ring;
    const size = ring.length;
    // A packet longer than the whole buffer keeps only its newest samples.
    if (end - start > size) start = end - size;
    let result = MIX_TAKEN;
    const overflow = this.count + (end - start) - size;
    if (overflow > 0) {
      this.readPos = (this.readPos + overflow) % size;
      this.count -= overflow;
      result = MIX_OVERFLOW;
    }
    let w = (this.readPos + this.count) % size;
    for (let i = start; i < end; i++) {
      ring[w] = table[packet[i]!]!;
      w = w + 1 === size ? 0 : w + 1;
    }
    this.count += end - start;
    if (this.count >= MIX_PRIME_SAMPLES) this.primed = true;
    return result;
  }

  /**
   * Takes this tick's frame into `out` (RELAY_FRAME_SAMPLES long). Returns how many samples
   * are real audio (the rest of `out` is silence); 0 when the member contributes nothing.
   */
  pull(out: Int16Array): number {
    if (!this.primed) return 0;
    const n = Math.min(this.count, out.length);
    const ring = this.ring;
    const size = ring.length;
    let r = this.readPos;
    for (let i = 0; i < n; i++) {
      out[i] = ring[r]!;
      r = r + 1 === size ? 0 : r + 1;
    }
    if (n < out.length) {
      out.fill(0, n);
      this.primed = false; // ran dry: wait for two frames again
    }
    this.readPos = r;
    this.count -= n;
    return n;
  }

  /** Forgets `samples` of buffered audio (the room skipped ticks it could not send in time). */
  discard(samples: number): void {
    const n = Math.min(samples, this.count);
    this.readPos = (this.readPos + n) % this.ring.length;
    this.count -= n;
  }

  get buffered(): number {
    return this.count;
  }
}
