/**
 * RTP fixed header: RFC 3550 §5.1 (with the header extension of §5.3.1).
 *
 *    0                   1                   2                   3
 *   |V=2|P|X|  CC   |M|     PT      |       sequence number         |
 *   |                           timestamp                           |
 *   |           synchronization source (SSRC) identifier            |
 *   |            contributing source (CSRC) identifiers (CC of them) |
 *   | defined by profile (X)        |           length (X)          |
 *   |                        header extension (X)                   |
 *
 * Hot path: `parseRtp` copies nothing (the payload is `payloadOffset`/`payloadLength`
 * into the caller's bytes) and allocates one result object; CSRC lists and header
 * extensions (rare on telephony legs) cost one more each, only when present. Bad
 * input is answered with a shared, frozen failure object: a flood of garbage allocates
 * nothing. The `setRtp*` helpers rewrite a received packet in place for the relay,
 * which remaps SSRC, sequence, timestamp and payload type per leg.
 */
import { readU16, readU32, writeU16, writeU32 } from "./network-order.js";

export const RTP_VERSION = 2;
/** Fixed header without CSRCs (§5.1). */
export const RTP_HEADER_LENGTH = 12;
export const RTP_MAX_CSRC_COUNT = 15;

export const RTP_PARSE_ERRORS = [
  "truncated", // shorter than the 12-byte fixed header
  "bad-version", // V is not 2
  "csrc-overrun", // CC CSRCs do not fit in the packet
  "extension-overrun", // X set, extension header or its length beyond the packet
  "bad-padding", // P set, padding count 0 or beyond the payload (RFC 3550 A.1)
] as const;
export type RtpParseError = (typeof RTP_PARSE_ERRORS)[number];

/** §5.3.1: 16 profile-defined bits, then `length` 32-bit words of data. */
export interface RtpHeaderExtension {
  profile: number;
  /** A view into the packet (not a copy), length a multiple of 4. */
  data: Uint8Array;
}

/** The header fields a sender chooses (`writeRtpHeader` input). */
export interface RtpHeaderFields {
  /** P: the payload ends with padding whose last octet counts it (§5.1). */
  padding?: boolean;
  marker: boolean;
  payloadType: number;
  sequence: number;
  timestamp: number;
  ssrc: number;
  csrcs?: readonly number[];
  headerExtension?: RtpHeaderExtension;
}

/** A parsed packet; all offsets index the Uint8Array given to `parseRtp`. */
export interface RtpPacket {
  ok: true;
  version: number;
  padding: boolean;
  extension: boolean;
  csrcCount: number;
  marker: boolean;
  payloadType: number;
  sequence: number;
  timestamp: number;
  ssrc: number;
  /** Present when csrcCount > 0. */
  csrcs: number[] | undefined;
  /** Present when the X bit is set. */
  headerExtension: RtpHeaderExtension | undefined;
  payloadOffset: number;
  /** Payload octets, padding excluded. */
  payloadLength: number;
  /** Padding octets at the end (0 when P is clear). */
  paddingLength: number;
}

export interface RtpParseFailure {
  ok: false;
  error: RtpParseError;
}

export type RtpParseResult = RtpPacket | RtpParseFailure;

const FAILURES: Readonly<Record<RtpParseError, RtpParseFailure>> = Object.freeze({
  truncated: Object.freeze({ ok: false, error: "truncated" }),
  "bad-version": Object.freeze({ ok: false, error: "bad-version" }),
  "csrc-overrun": Object.freeze({ ok: false, error: "csrc-overrun" }),
  "extension-overrun": Object.freeze({ ok: false, error: "extension-overrun" }),
  "bad-padding": Object.freeze({ ok: false, error: "bad-padding" }),
});

/** Parses one RTP packet; never throws, whatever the bytes. */
export function parseRtp(packet: Uint8Array): RtpParseResult {
  const length = packet.length;
  if (length < RTP_HEADER_LENGTH) return FAILURES.truncated;
  const b0 = packet[0]!;
  if (b0 >>> 6 !== RTP_VERSION) return FAILURES["bad-version"];
  const csrcCount = b0 & 0x0f;
  let offset = RTP_HEADER_LENGTH + 4 * csrcCount;
  if (offset > length) return FAILURES["csrc-overrun"];
  let csrcs: number[] | undefined;
  if (csrcCount > 0) {
    csrcs = new Array<number>(csrcCount);
    for (let i = 0; i < csrcCount; i++) csrcs[i] = readU32(packet, RTP_HEADER_LENGTH + 4 * i);
  }
  const extension = (b0 & 0x10) !== 0;
  let headerExtension: RtpHeaderExtension | undefined;
  if (extension) {
    if (offset + 4 > length) return FAILURES["extension-overrun"];
    const end = offset + 4 + 4 * readU16(packet, offset + 2);
    if (end > length) return FAILURES["extension-overrun"];
    headerExtension = { profile: readU16(packet, offset), data: packet.subarray(offset + 4, end) };
    offset = end;
  }
  const padding = (b0 & 0x20) !== 0;
  let paddingLength = 0;
  if (padding) {
    // RFC 3550 A.1: the count includes itself, so 0 is invalid; it cannot eat the header.
    paddingLength = packet[length - 1]!;
    if (paddingLength === 0 || paddingLength > length - offset) return FAILURES["bad-padding"];
  }
  const b1 = packet[1]!;
  return {
    ok: true,
    version: RTP_VERSION,
    padding,
    extension,
    csrcCount,
    marker: (b1 & 0x80) !== 0,
    payloadType: b1 & 0x7f,
    sequence: readU16(packet, 2),
    timestamp: readU32(packet, 4),
    ssrc: readU32(packet, 8),
    csrcs,
    headerExtension,
    payloadOffset: offset,
    payloadLength: length - offset - paddingLength,
    paddingLength,
  };
}

/** The payload of a parsed packet as a view (no copy). */
export function rtpPayload(packet: Uint8Array, parsed: RtpPacket): Uint8Array {
  return packet.subarray(parsed.payloadOffset, parsed.payloadOffset + parsed.payloadLength);
}

/** Header length `writeRtpHeader` will write for these fields. */
export function rtpHeaderLength(fields: RtpHeaderFields): number {
  const csrcs = fields.csrcs?.length ?? 0;
  const ext = fields.headerExtension === undefined ? 0 : 4 + fields.headerExtension.data.length;
  return RTP_HEADER_LENGTH + 4 * csrcs + ext;
}

/**
 * Writes the header into `out` at `offset` and returns its length; the payload goes
 * right after it. Throws RangeError on caller mistakes (payload type beyond 7 bits,
 * more than 15 CSRCs, extension data not a whole number of words, `out` too small):
 * these are programming errors, not input.
 */
export function writeRtpHeader(fields: RtpHeaderFields, out: Uint8Array, offset = 0): number {
  const csrcs = fields.csrcs;
  const csrcCount = csrcs?.length ?? 0;
  const ext = fields.headerExtension;
  if (fields.payloadType >>> 0 > 0x7f) throw new RangeError(`RTP payload type ${fields.payloadType} is not 0..127`);
  if (csrcCount > RTP_MAX_CSRC_COUNT) throw new RangeError(`${csrcCount} CSRCs; at most ${RTP_MAX_CSRC_COUNT}`);
  if (ext !== undefined && ext.data.length % 4 !== 0) throw new RangeError(`header extension of ${ext.data.length} bytes is not whole 32-bit words`);
  const length = rtpHeaderLength(fields);
  if (offset + length > out.length) throw new RangeError(`RTP header needs ${length} bytes at ${offset}; buffer holds ${out.length}`);
  out[offset] = (RTP_VERSION << 6) | (fields.padding === true ? 0x20 : 0) | (ext !== undefined ? 0x10 : 0) | csrcCount;
  out[offset + 1] = (fields.marker ? 0x80 : 0) | fields.payloadType;
  writeU16(out, offset + 2, fields.sequence);
  writeU32(out, offset + 4, fields.timestamp);
  writeU32(out, offset + 8, fields.ssrc);
  let at = offset + RTP_HEADER_LENGTH;
  for (let i = 0; i < csrcCount; i++, at += 4) writeU32(out, at, csrcs![i]!);
  if (ext !== undefined) {
    writeU16(out, at, ext.profile);
    writeU16(out, at + 2, ext.data.length / 4);
    out.set(ext.data, at + 4);
  }
  return length;
}

// In-place accessors on a packet already accepted by parseRtp (at least 12 bytes, from
// index 0 of the view). The relay path: read, remap, write, send the same bytes.

export function readRtpSequence(packet: Uint8Array): number {
  return readU16(packet, 2);
}

export function readRtpTimestamp(packet: Uint8Array): number {
  return readU32(packet, 4);
}

export function readRtpSsrc(packet: Uint8Array): number {
  return readU32(packet, 8);
}

export function readRtpPayloadType(packet: Uint8Array): number {
  return packet[1]! & 0x7f;
}

export function setRtpSequence(packet: Uint8Array, sequence: number): void {
  writeU16(packet, 2, sequence);
}

export function setRtpTimestamp(packet: Uint8Array, timestamp: number): void {
  writeU32(packet, 4, timestamp);
}

export function setRtpSsrc(packet: Uint8Array, ssrc: number): void {
  writeU32(packet, 8, ssrc);
}

/** Rewrites PT and keeps the marker bit. */
export function setRtpPayloadType(packet: Uint8Array, payloadType: number): void {
  packet[1] = (packet[1]! & 0x80) | (payloadType & 0x7f);
}

export function setRtpMarker(packet: Uint8Array, marker: boolean): void {
  packet[1] = marker ? packet[1]! | 0x80 : packet[1]! & 0x7f;
}

/** Modulo-2^16 sequence arithmetic: `a - b` as a signed distance in -32768..32767. */
export function sequenceDistance(a: number, b: number): number {
  return (((a - b) & 0xffff) << 16) >> 16;
}

/** Modulo-2^32 timestamp arithmetic: `a - b` as a signed 32-bit distance. */
export function timestampDistance(a: number, b: number): number {
  return (a - b) | 0;
}
