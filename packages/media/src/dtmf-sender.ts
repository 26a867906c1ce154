/**
 * RFC 4733 sender: the packets that carry one DTMF digit.
 *
 *  - §2.5.1.2: the first packet has the marker bit; all packets carry the event's start
 *    timestamp; an update goes out every packet interval (50 ms by default) with the
 *    duration so far;
 *  - §2.5.1.4: the final packet (E bit, total duration) is sent three times, same timestamp.
 *
 * Cadence (as baresip's telev.c and Asterisk): packet k goes out at k × interval and
 * reports the tone up to the end of its interval, so the first one already says
 * "one interval"; the three end packets follow at the same interval.
 *
 *   digit "5", 120 ms, 8 kHz, 50 ms:   at  0  M  dur 400
 *                                      at 50     dur 800
 *                                      at 100    dur 960
 *                                      at 150 E  dur 960   (× 3: 150, 200, 250)
 *
 * The caller owns the RTP stream: each packet takes the stream's next sequence number
 * (end packets too), the telephone-event payload type and SSRC, and audio pauses while
 * the event plays. Events longer than 0xFFFF units (8.19 s at 8 kHz) would need
 * segments (§2.5.1.3); a DTMF digit never does, so they are refused.
 */
import { buildTelephoneEvent, dtmfEventCode, MAX_EVENT_DURATION, type DtmfDigit, type TelephoneEvent } from "./telephone-event.js";

export interface DtmfSenderOptions {
  /** Clock rate of the telephone-event payload type. Default 8000. */
  clockRate?: number;
  /** Update interval (§2.5.1.2: 50 ms, or the audio packet interval). Default 50. */
  intervalMs?: number;
  /** Power level in −dBm0 (0..63). Default 10. */
  volume?: number;
  /** Times the end packet is sent (§2.5.1.4). Default 3. */
  endRepeats?: number;
}

export interface DtmfPacket {
  /** When to send it, on the caller's clock (the `now` of `send`/`tick`). */
  at: number;
  marker: boolean;
  /** The event's start timestamp, the same in every packet. */
  timestamp: number;
  event: TelephoneEvent;
  /** The 4-octet RTP payload. */
  payload: Uint8Array;
}

/**
 * Every packet of one digit (a DTMF digit, or an event code for other events), with send
 * times from `startAt`. Throws RangeError for what cannot be sent (unknown digit, a
 * duration under one timestamp unit or past 0xFFFF units).
 */
export function planDtmf(digit: DtmfDigit | Lowercase<DtmfDigit> | number, startTimestamp: number, startAt: number, durationMs: number, options: DtmfSenderOptions = {}): DtmfPacket[] {
  const clockRate = options.clockRate ?? 8000;
  const intervalMs = options.intervalMs ?? 50;
  const volume = options.volume ?? 10;
  const endRepeats = options.endRepeats ?? 3;
  const code = typeof digit === "number" ? digit : dtmfEventCode(digit);
  if (code === null) throw new RangeError(`'${String(digit)}' is not a DTMF digit (0-9 * # A-D)`);
  const total = Math.round((durationMs * clockRate) / 1000);
  const step = Math.round((intervalMs * clockRate) / 1000);
  if (total < 1 || total > MAX_EVENT_DURATION) throw new RangeError(`DTMF duration ${durationMs} ms is ${total} units; must be 1..65535`);
  if (step < 1) throw new RangeError(`DTMF interval ${intervalMs} ms is under one timestamp unit`);
  const packets: DtmfPacket[] = [];
  const push = (k: number, duration: number, end: boolean): void => {
    const event: TelephoneEvent = { event: code, end, reserved: false, volume, duration };
    packets.push({ at: startAt + k * intervalMs, marker: k === 0, timestamp: startTimestamp >>> 0, event, payload: buildTelephoneEvent(event) });
  };
  const updates = Math.ceil(total / step);
  for (let k = 0; k < updates; k++) push(k, Math.min((k + 1) * step, total), false);
  for (let j = 0; j < endRepeats; j++) push(updates + j, total, true);
  return packets;
}

/**
 * Sans-IO sender for one stream: `send` a digit, then `tick(now)` at `nextDeadline()`
 * hands out the packets as they fall due. One digit at a time: the caller spaces digits
 * (and picks each one's start timestamp from its stream clock).
 */
export class DtmfSender {
  private plan: DtmfPacket[] = [];
  private nextIndex = 0;

  constructor(private readonly options: DtmfSenderOptions = {}) {}

  /**
   * Starts a digit at `now`; returns the packets due now (the marker packet). Throws if
   * a digit is still being sent (check `busy`) or the digit/duration cannot be sent.
   */
  send(digit: DtmfDigit | Lowercase<DtmfDigit> | number, startTimestamp: number, durationMs: number, now: number): DtmfPacket[] {
    if (this.busy) throw new Error("DtmfSender: a digit is still being sent");
    this.plan = planDtmf(digit, startTimestamp, now, durationMs, this.options);
    this.nextIndex = 0;
    return this.tick(now);
  }

  /** The packets due at `now`, in order (several if the caller ticks late). */
  tick(now: number): DtmfPacket[] {
    const due: DtmfPacket[] = [];
    while (this.nextIndex < this.plan.length && this.plan[this.nextIndex]!.at <= now) due.push(this.plan[this.nextIndex++]!);
    return due;
  }

  nextDeadline(): number | null {
    return this.plan[this.nextIndex]?.at ?? null;
  }

  get busy(): boolean {
    return this.nextIndex < this.plan.length;
  }
}
