/**
 * NTP timestamps as RTCP uses them (RFC 3550 §4, §6.4.1): seconds since 1 Jan 1900 and a
 * 32-bit binary fraction, both unsigned 32-bit numbers (no BigInt). The wall clock comes
 * in as an argument; this module never reads one.
 */

/** Seconds from 1900-01-01 (NTP epoch) to 1970-01-01 (Unix epoch). */
export const NTP_UNIX_OFFSET_SECONDS = 2208988800;

export interface NtpTimestamp {
  /** Seconds since 1900, modulo 2^32 (era 1 starts in 2036; §4 says wrap, and we do). */
  seconds: number;
  /** Fraction of a second × 2^32. */
  fraction: number;
}

/** Converts a Unix time in milliseconds (fractions allowed) to an NTP timestamp. */
export function ntpFromUnixMs(unixMs: number): NtpTimestamp {
  const wholeSeconds = Math.floor(unixMs / 1000);
  const fraction = Math.floor(((unixMs - wholeSeconds * 1000) / 1000) * 0x100000000);
  return { seconds: (wholeSeconds + NTP_UNIX_OFFSET_SECONDS) >>> 0, fraction: Math.min(fraction, 0xffffffff) >>> 0 };
}

/** §6.4.1: the middle 32 bits of a 64-bit NTP timestamp (LSR, and A in the RTT formula). */
export function ntpMiddle32(seconds: number, fraction: number): number {
  return (((seconds & 0xffff) << 16) | (fraction >>> 16)) >>> 0;
}

/**
 * §6.4.1 round-trip time from a report block received at `arrival` (middle 32 bits of
 * the NTP time of arrival): A − LSR − DLSR, in milliseconds. Null when the block has
 * no LSR (the reporter has had no SR from us yet); 0 if clock error makes it negative.
 */
export function roundTripTimeMs(arrival: number, lsr: number, dlsr: number): number | null {
  if (lsr === 0) return null;
  const delay = (arrival - lsr - dlsr) | 0;
  return delay <= 0 ? 0 : (delay * 1000) / 65536;
}
