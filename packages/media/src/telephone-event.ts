/**
 * RFC 4733 §2.3 telephone-event payload, one 4-octet event block:
 *
 *    0                   1                   2                   3
 *   |     event     |E|R| volume    |          duration             |
 *
 * and the DTMF event codes 0–15 of §3.2 ("0"–"9", "*", "#", "A"–"D").
 * DtmfReceiver (dtmf-receiver.ts) and DtmfSender (dtmf-sender.ts) use it.
 */
import { readU16, writeU16 } from "./network-order.js";

export const TELEPHONE_EVENT_LENGTH = 4;
/** §2.3.5: duration is 16 bits of timestamp units; longer events are split (§2.5.1.3). */
export const MAX_EVENT_DURATION = 0xffff;

/** §3.2 Table 7, by event code. */
export const DTMF_DIGITS = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "#", "A", "B", "C", "D"] as const;
export type DtmfDigit = (typeof DTMF_DIGITS)[number];

export interface TelephoneEvent {
  /** Event code (§2.3.1); 0–15 are the DTMF digits. */
  event: number;
  /** E: this packet reports the end of the event (§2.3.2). */
  end: boolean;
  /** R: reserved; sent as 0, ignored on receipt (§2.3.3). */
  reserved: boolean;
  /** Power level in −dBm0, 0..63 (§2.3.4). */
  volume: number;
  /** Time since the event began, in timestamp units (§2.3.5). */
  duration: number;
}

/**
 * Reads the first event block of a payload (or the block at `offset`); null if fewer than
 * 4 octets remain. Several blocks in one payload (§2.5.1.5) are read by stepping `offset`.
 */
export function parseTelephoneEvent(payload: Uint8Array, offset = 0): TelephoneEvent | null {
  if (offset < 0 || offset + TELEPHONE_EVENT_LENGTH > payload.length) return null;
  const b1 = payload[offset + 1]!;
  return {
    event: payload[offset]!,
    end: (b1 & 0x80) !== 0,
    reserved: (b1 & 0x40) !== 0,
    volume: b1 & 0x3f,
    duration: readU16(payload, offset + 2),
  };
}

/**
 * Writes one event block into `out` at `offset`; returns 4. Out-of-range fields are
 * caller mistakes and throw RangeError. R is written as given (§2.3.3: senders use 0).
 */
export function writeTelephoneEvent(event: TelephoneEvent, out: Uint8Array, offset = 0): number {
  if (event.event >>> 0 > 0xff) throw new RangeError(`event code ${event.event} is not 0..255`);
  if (event.volume >>> 0 > 0x3f) throw new RangeError(`volume ${event.volume} is not 0..63 (−dBm0)`);
  if (event.duration >>> 0 > MAX_EVENT_DURATION) throw new RangeError(`duration ${event.duration} is not 0..65535`);
  if (offset + TELEPHONE_EVENT_LENGTH > out.length) throw new RangeError(`event block needs 4 bytes at ${offset}; buffer holds ${out.length}`);
  out[offset] = event.event;
  out[offset + 1] = (event.end ? 0x80 : 0) | (event.reserved ? 0x40 : 0) | event.volume;
  writeU16(out, offset + 2, event.duration);
  return TELEPHONE_EVENT_LENGTH;
}

export function buildTelephoneEvent(event: TelephoneEvent): Uint8Array {
  const out = new Uint8Array(TELEPHONE_EVENT_LENGTH);
  writeTelephoneEvent(event, out);
  return out;
}

/** The DTMF digit of an event code, or null for codes past 15 (flash, tones …). */
export function dtmfDigitOf(code: number): DtmfDigit | null {
  return DTMF_DIGITS[code] ?? null;
}

/** The event code of a DTMF digit ("a"–"d" accepted too), or null if it is not one. */
export function dtmfEventCode(digit: string): number | null {
  const i = DTMF_DIGITS.indexOf(digit.toUpperCase() as DtmfDigit);
  return i < 0 ? null : i;
}
