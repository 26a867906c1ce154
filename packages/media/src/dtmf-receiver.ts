/**
 * RFC 4733 receiver: turns the telephone-event packets of one RTP stream into exactly one
 * digit per event, however many packets carry it. Sans-IO (STYLE.md §1): packets and
 * `now` come in, actions come out; `nextDeadline()`/`tick(now)` end an event whose end
 * packets were all lost.
 *
 * The rules, by clause:
 *  - §2.5.1.2: every packet of an event carries the event's start timestamp; updates and
 *    retransmitted updates repeat it with a growing duration. Same timestamp = same event.
 *  - The marker bit marks an event's first packet (§2.2, §2.5.1.2); but a lost start
 *    packet must not lose the digit, so any new timestamp starts one, marker or not.
 *  - §2.5.1.4: the end packet (E bit) is sent three times with the same timestamp; the
 *    first one received ends the event, the rest (and late updates) are dropped.
 *  - §2.5.1.3: an event longer than 0xFFFF timestamp units continues in a new segment,
 *    timestamp advanced by the previous segment's duration, no marker: same event.
 *  - A packet with an older timestamp than the newest event is late or reordered: dropped.
 *  - A new SSRC is a new stream: an event in progress on the old one ends.
 *
 * How long to wait for a lost end is the receiver's choice: `endTimeoutMs` after the last
 * packet of an event, it ends. Packets with several event blocks (§2.5.1.5) are read by
 * their first block only: DTMF from phones and gateways never packs events.
 *
 * Not handled: a sender that reuses one timestamp for two successive events (against
 * §2.5.1.2) gets its second event dropped as a repeat of the first.
 */
import { timestampDistance } from "./rtp-packet.js";
import { dtmfDigitOf, MAX_EVENT_DURATION, parseTelephoneEvent, type DtmfDigit, type TelephoneEvent } from "./telephone-event.js";

/** The RTP header fields the receiver needs (a parsed RtpPacket fits). */
export interface RtpEventHeader {
  marker: boolean;
  timestamp: number;
  ssrc: number;
}

export interface DtmfReceiverOptions {
  /** Clock rate of the telephone-event payload type (its rtpmap). Default 8000. */
  clockRate?: number;
  /** Silence after which an event without end packets is over. Default 250 ms (5 updates). */
  endTimeoutMs?: number;
}

export const DTMF_ENDINGS = ["end-bit", "timeout", "superseded"] as const;
/** What ended an event: its E bit, the timeout, or a newer event / new SSRC arriving first. */
export type DtmfEnding = (typeof DTMF_ENDINGS)[number];

export type DtmfReceiverAction =
  /** First packet of an event seen (for barge-in); one per event. */
  | { type: "dtmf-begin"; code: number; digit: DtmfDigit | null; timestamp: number }
  /** The event is over; exactly one per event, after its dtmf-begin. */
  | {
      type: "dtmf-digit";
      code: number;
      /** Null for event codes past 15 (§3.2 covers 0–15 as DTMF). */
      digit: DtmfDigit | null;
      timestamp: number;
      /** Timestamp units, all segments together. */
      duration: number;
      durationMs: number;
      volume: number;
      ending: DtmfEnding;
    };

interface ActiveEvent {
  code: number;
  /** Timestamp of the first segment: the event's identity for the caller. */
  startTimestamp: number;
  /** Timestamp units covered by the segments before the current one (§2.5.1.3). */
  priorSegments: number;
  segmentDuration: number;
  volume: number;
  lastPacketAt: number;
}

export const DEFAULT_DTMF_END_TIMEOUT_MS = 250;
/** A timestamp this far behind the newest event is a reset stream, not a late packet. */
const STALE_WINDOW_MS = 10_000;

export class DtmfReceiver {
  private readonly clockRate: number;
  private readonly endTimeoutMs: number;
  private active: ActiveEvent | null = null;
  /** Identity of the newest event seen, active or ended. */
  private newest: { ssrc: number; timestamp: number } | null = null;

  constructor(options: DtmfReceiverOptions = {}) {
    this.clockRate = options.clockRate ?? 8000;
    this.endTimeoutMs = options.endTimeoutMs ?? DEFAULT_DTMF_END_TIMEOUT_MS;
  }

  /** Feeds one telephone-event packet (its header fields and payload) received at `now`. */
  receive(header: RtpEventHeader, payload: Uint8Array, now: number): DtmfReceiverAction[] {
    const actions = this.tick(now);
    const event = parseTelephoneEvent(payload);
    if (event === null) return actions; // shorter than one event block: nothing to say
    if (this.newest !== null && this.newest.ssrc !== header.ssrc) {
      this.finish("superseded", actions);
      this.newest = null;
    }
    const d = this.newest === null ? 1 : timestampDistance(header.timestamp, this.newest.timestamp);
    if (d === 0) {
      if (this.active !== null) this.update(event, now, actions); // else: a repeat of an ended event
      return actions;
    }
    if (d < 0 && -d <= (STALE_WINDOW_MS * this.clockRate) / 1000) return actions; // late, reordered
    if (this.isNextSegment(header, event, d)) {
      const a = this.active!;
      a.priorSegments += d;
      a.segmentDuration = 0;
      this.newest = { ssrc: header.ssrc, timestamp: header.timestamp };
      this.update(event, now, actions);
      return actions;
    }
    this.finish("superseded", actions);
    this.begin(header, event, now, actions);
    return actions;
  }

  /** Ends an event whose packets stopped `endTimeoutMs` ago. */
  tick(now: number): DtmfReceiverAction[] {
    const actions: DtmfReceiverAction[] = [];
    if (this.active !== null && now >= this.active.lastPacketAt + this.endTimeoutMs) this.finish("timeout", actions);
    return actions;
  }

  nextDeadline(): number | null {
    return this.active === null ? null : this.active.lastPacketAt + this.endTimeoutMs;
  }

  /** An event is in progress (begun, not yet ended). */
  get busy(): boolean {
    return this.active !== null;
  }

  private begin(header: RtpEventHeader, event: TelephoneEvent, now: number, actions: DtmfReceiverAction[]): void {
    this.newest = { ssrc: header.ssrc, timestamp: header.timestamp };
    this.active = { code: event.event, startTimestamp: header.timestamp, priorSegments: 0, segmentDuration: 0, volume: event.volume, lastPacketAt: now };
    actions.push({ type: "dtmf-begin", code: event.event, digit: dtmfDigitOf(event.event), timestamp: header.timestamp });
    this.update(event, now, actions);
  }

  private update(event: TelephoneEvent, now: number, actions: DtmfReceiverAction[]): void {
    const a = this.active!;
    // Updates can arrive reordered: the duration only grows.
    a.segmentDuration = Math.max(a.segmentDuration, event.duration);
    a.volume = event.volume;
    a.lastPacketAt = now;
    if (event.end) this.finish("end-bit", actions);
  }

  /**
   * §2.5.1.3: the next segment of a long event has the same code, no marker, and starts
   * where the previous one (nearly 0xFFFF long) stopped; lost updates near the segment
   * end are tolerated up to the end timeout's worth of units.
   */
  private isNextSegment(header: RtpEventHeader, event: TelephoneEvent, d: number): boolean {
    const a = this.active;
    if (a === null || header.marker || event.event !== a.code || d > MAX_EVENT_DURATION) return false;
    const slack = (this.endTimeoutMs * this.clockRate) / 1000;
    return a.segmentDuration >= MAX_EVENT_DURATION - slack && d >= a.segmentDuration;
  }

  private finish(ending: DtmfEnding, actions: DtmfReceiverAction[]): void {
    const a = this.active;
    if (a === null) return;
    this.active = null;
    const duration = a.priorSegments + a.segmentDuration;
    actions.push({
      type: "dtmf-digit",
      code: a.code,
      digit: dtmfDigitOf(a.code),
      timestamp: a.startTimestamp,
      duration,
      durationMs: (duration * 1000) / this.clockRate,
      volume: a.volume,
      ending,
    });
  }
}
