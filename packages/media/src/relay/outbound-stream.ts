/**
 * The one RTP stream we send to an endpoint (RFC 3550 §5.1), whatever feeds it: packets
 * relayed from the bridged peer, frames of a prompt/tone/MOH, or RFC 4733 events we
 * generate. Each endpoint's receiver sees one SSRC (ours), one sequence-number space and
 * one timestamp clock, so switching sources never looks like a jump back or a restart:
 *
 *  - Relay: sequence and timestamp are the peer's plus a fixed offset (`seqDelta`,
 *    `tsDelta`), so the peer's gaps (loss) and reordering pass through unchanged.
 *  - A new feed (relay ↔ play ↔ DTMF, or the peer's SSRC changing, or a new bridge)
 *    "rebases": the next packet takes sequence last+1 and the timestamp the stream's clock
 *    has reached by now (§5.1: the timestamp reflects the sampling instant; never less than
 *    the end of what was last sent), and audio gets the marker bit, which tells the
 *    receiver's jitter buffer to resynchronise (RFC 3551 §4.1, start of a talkspurt).
 *  - Generated frames follow each other at exactly 160 timestamp units.
 *
 * Initial SSRC, sequence and timestamp are random (§5.1, §8) and come from the caller.
 */
import { writeU16, writeU32 } from "../network-order.js";
import { sequenceDistance, timestampDistance } from "../rtp-packet.js";

/** What fed the last packet; a change rebases the stream. */
export const FEED_NONE = 0;
export const FEED_RELAY = 1;
export const FEED_PLAY = 2;
export const FEED_DTMF = 3;

export class OutboundStream {
  readonly ssrc: number;
  /** Last sequence number sent (the newest, in modulo-2^16 order). */
  sequence: number;
  /** Newest media instant covered, in timestamp units, and the local time (ms) it maps to. */
  private lastTs: number;
  private lastTsAt = 0;
  /** Timestamp units the newest packet covers (its samples; 0 for events). */
  private lastDuration = 0;
  private started = false;
  private feed = FEED_NONE;
  private relaySsrc = 0;
  private seqDelta = 0;
  private tsDelta = 0;
  /** §6.4.1 sender's packet and payload octet counts, for our SR. */
  packetCount = 0;
  octetCount = 0;
  /** Sent anything since the last RTCP report (§6.4: then the report is an SR). */
  sentSinceReport = false;

  constructor(
    ssrc: number,
    initialSequence: number,
    initialTimestamp: number,
    private readonly unitsPerMs = 8,
  ) {
    this.ssrc = ssrc >>> 0;
    this.sequence = (initialSequence - 1) & 0xffff; // the first packet takes initialSequence
    this.lastTs = initialTimestamp >>> 0;
  }

  /** The next packet starts a new feed whatever it is (bridge, unbridge, configure). */
  interrupt(): void {
    this.feed = FEED_NONE;
  }

  /** The stream's timestamp for local time `now` (SR's RTP timestamp, §6.4.1). */
  timestampAt(now: number): number {
    if (!this.started) return this.lastTs;
    return (this.lastTs + Math.max(0, Math.round((now - this.lastTsAt) * this.unitsPerMs))) >>> 0;
  }

  /**
   * Rewrites a relayed packet in place: our SSRC, the peer's sequence and timestamp
   * shifted into our spaces. `audioUnits` is the packet's duration for audio (G.711: its
   * payload length) or -1 for a telephone-event packet, whose timestamp is the event's
   * start and whose `eventDuration` tells how far it reaches (RFC 4733 §2.3.5).
   */
  relay(packet: Uint8Array, inSsrc: number, inSequence: number, inTimestamp: number, audioUnits: number, eventDuration: number, payloadLength: number, now: number): void {
    if (this.feed !== FEED_RELAY || this.relaySsrc !== inSsrc) {
      const nextTs = this.rebase(FEED_RELAY, now);
      this.relaySsrc = inSsrc;
      this.seqDelta = (this.sequence + 1 - inSequence) & 0xffff;
      this.tsDelta = (nextTs - inTimestamp) >>> 0;
      if (audioUnits >= 0) packet[1] = packet[1]! | 0x80; // marker: the receiver resyncs
    }
    const seq = (inSequence + this.seqDelta) & 0xffff;
    const ts = (inTimestamp + this.tsDelta) >>> 0;
    writeU16(packet, 2, seq);
    writeU32(packet, 4, ts);
    writeU32(packet, 8, this.ssrc);
    if (sequenceDistance(seq, this.sequence) > 0) this.sequence = seq;
    if (audioUnits >= 0) this.advance(ts, audioUnits, now);
    else this.advance((ts + eventDuration) >>> 0, 0, now); // the event reaches this far so far
    this.count(payloadLength);
  }

  /**
   * A packet of the relayed feed is dropped on purpose (telephone-event to a peer without
   * it): later packets move down one so the receiver sees no sequence gap, i.e. no loss.
   */
  omit(inSsrc: number, inSequence: number): void {
    if (this.feed !== FEED_RELAY || this.relaySsrc !== inSsrc) return;
    if (sequenceDistance((inSequence + this.seqDelta) & 0xffff, this.sequence) > 0) this.seqDelta = (this.seqDelta - 1) & 0xffff;
  }

  /**
   * Writes the 12-byte header of the next generated audio frame of `units` samples into
   * `out` (offset 0) with payload type `pt`.
   */
  writeFrameHeader(out: Uint8Array, pt: number, units: number, now: number): void {
    let marker = 0;
    let ts: number;
    if (this.feed !== FEED_PLAY) {
      ts = this.rebase(FEED_PLAY, now);
      marker = 0x80;
    } else {
      ts = (this.lastTs + this.lastDuration) >>> 0;
      // Frames keep the timestamp grid; lastTsAt follows it so timestampAt stays right.
      now = this.lastTsAt + this.lastDuration / this.unitsPerMs;
    }
    this.sequence = (this.sequence + 1) & 0xffff;
    writeHeader(out, marker, pt, this.sequence, ts, this.ssrc);
    this.lastTs = ts;
    this.lastTsAt = now;
    this.lastDuration = units;
    this.count(units);
  }

  /**
   * The generated frames fell behind (the adapter's timer ran late): `units` of time pass
   * without packets, a timestamp gap like silence suppression, not a sequence gap.
   */
  skip(units: number): void {
    this.lastTs = (this.lastTs + units) >>> 0;
    this.lastTsAt += units / this.unitsPerMs;
  }

  /** The timestamp an RFC 4733 event starting now takes (it rebases the stream). */
  startEvent(now: number): number {
    return this.rebase(FEED_DTMF, now);
  }

  /**
   * Writes the header of one packet of a generated event (timestamp = the event's start,
   * RFC 4733 §2.5.1.2) and records how far the event reaches (`startedAt` + duration).
   */
  writeEventHeader(out: Uint8Array, pt: number, marker: boolean, eventTimestamp: number, duration: number, startedAt: number, payloadLength: number): void {
    this.sequence = (this.sequence + 1) & 0xffff;
    writeHeader(out, marker ? 0x80 : 0, pt, this.sequence, eventTimestamp, this.ssrc);
    this.feed = FEED_DTMF;
    this.lastTs = (eventTimestamp + duration) >>> 0;
    this.lastTsAt = startedAt + duration / this.unitsPerMs;
    this.lastDuration = 0;
    this.count(payloadLength);
  }

  /** Starts feed `feed`: returns the timestamp its first packet takes. */
  private rebase(feed: number, now: number): number {
    this.feed = feed;
    if (!this.started) {
      this.started = true;
      this.lastTsAt = now;
      return this.lastTs;
    }
    const elapsed = Math.round((now - this.lastTsAt) * this.unitsPerMs);
    return (this.lastTs + Math.max(this.lastDuration, elapsed)) >>> 0;
  }

  /** Records the newest media instant sent (`startTs`, lasting `duration`); late packets don't move it back. */
  private advance(startTs: number, duration: number, now: number): void {
    if (timestampDistance(startTs, this.lastTs) >= 0) {
      this.lastTs = startTs;
      this.lastTsAt = now;
      this.lastDuration = duration;
    }
  }

  private count(payloadLength: number): void {
    this.packetCount = (this.packetCount + 1) >>> 0;
    this.octetCount = (this.octetCount + payloadLength) >>> 0;
    this.sentSinceReport = true;
  }
}

function writeHeader(out: Uint8Array, marker: number, pt: number, sequence: number, timestamp: number, ssrc: number): void {
  out[0] = 0x80; // V=2, no padding, extension or CSRCs
  out[1] = marker | (pt & 0x7f);
  writeU16(out, 2, sequence);
  writeU32(out, 4, timestamp);
  writeU32(out, 8, ssrc);
}
