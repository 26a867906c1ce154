/**
 * RTCP packets: RFC 3550 §6.4 (SR, RR and their report blocks), §6.5 (SDES), §6.6 (BYE),
 * §6.7 (APP), read from a compound packet (§6.1) with the validity checks of
 * Appendix A.2. Builders live in rtcp-build.ts.
 *
 * Parsing never throws. A compound packet is accepted whole or refused whole (A.2:
 * a compound that fails the checks is discarded); packet types we do not read (RTPFB,
 * PSFB, XR …) come back as `other` with their body as a view.
 *
 * Not enforced: A.2's "the first packet is SR or RR". RFC 5506 reduced-size RTCP
 * (browsers on WebRTC legs) sends feedback alone, and an RTCP stream is only advisory
 * for us; a caller wanting the strict rule checks `packets[0].type`.
 */
import { readU16, readU32 } from "./network-order.js";
import { decodeUtf8 } from "./utf8-text.js";

export const RTCP_PACKET_TYPES = { SR: 200, RR: 201, SDES: 202, BYE: 203, APP: 204 } as const;

/** §6.5: SDES item types (0 ends a chunk's item list). */
export const SDES_ITEM_TYPES = { END: 0, CNAME: 1, NAME: 2, EMAIL: 3, PHONE: 4, LOC: 5, TOOL: 6, NOTE: 7, PRIV: 8 } as const;

/** §6.4.1: one reception report block, 24 octets. */
export interface ReportBlock {
  /** SSRC of the source this block reports on. */
  ssrc: number;
  /** Packets lost since the previous report / expected, as 8-bit fixed point (×256). */
  fractionLost: number;
  /** Cumulative number of packets lost; signed 24 bits (negative with duplicates). */
  cumulativeLost: number;
  /** Extended highest sequence number received: cycles × 65536 + highest seq, mod 2^32. */
  extendedHighestSequence: number;
  /** Interarrival jitter, in timestamp units. */
  jitter: number;
  /** LSR: middle 32 bits of the NTP timestamp of the last SR from this source, 0 if none. */
  lsr: number;
  /** DLSR: delay since that SR was received, in units of 1/65536 s; 0 if none. */
  dlsr: number;
}

/** §6.4.1 sender info (NTP timestamp as two 32-bit halves; no BigInt on this path). */
export interface SenderInfo {
  ntpSeconds: number;
  ntpFraction: number;
  rtpTimestamp: number;
  packetCount: number;
  octetCount: number;
}

export interface RtcpSenderReport extends SenderInfo {
  type: "sr";
  ssrc: number;
  reports: ReportBlock[];
  /** §6.4.3 profile-specific extension after the blocks, as a view; undefined if none. */
  profileExtension: Uint8Array | undefined;
}

export interface RtcpReceiverReport {
  type: "rr";
  ssrc: number;
  reports: ReportBlock[];
  profileExtension: Uint8Array | undefined;
}

export interface SdesItem {
  /** One of SDES_ITEM_TYPES (1..8), or an unknown type passed through. */
  type: number;
  text: string;
  /** PRIV items only (§6.5.8): the prefix string before the value. */
  prefix?: string;
}

export interface SdesChunk {
  /** SSRC or CSRC the items describe. */
  source: number;
  items: SdesItem[];
}

export interface RtcpSourceDescription {
  type: "sdes";
  chunks: SdesChunk[];
}

export interface RtcpBye {
  type: "bye";
  sources: number[];
  reason: string | undefined;
}

export interface RtcpApp {
  type: "app";
  subtype: number;
  ssrc: number;
  /** Four ASCII characters (§6.7). */
  name: string;
  /** Application-dependent data, a view. */
  data: Uint8Array;
}

/** Any other packet type: its header fields and body (after the 4-byte header) as a view. */
export interface RtcpOther {
  type: "other";
  packetType: number;
  count: number;
  body: Uint8Array;
}

export type RtcpPacket = RtcpSenderReport | RtcpReceiverReport | RtcpSourceDescription | RtcpBye | RtcpApp | RtcpOther;

export const RTCP_PARSE_ERRORS = [
  "truncated", // fewer than 4 bytes for a header, or a length field beyond the data
  "bad-version", // V is not 2 (A.2)
  "bad-padding", // P on a packet other than the last (A.2), or a count of 0 or beyond the body
  "report-overrun", // SR/RR: RC report blocks do not fit the length
  "bad-sdes", // SDES: a chunk or item runs past the packet, or no null item ends a chunk
  "bad-bye", // BYE: SC sources or the reason run past the packet
  "bad-app", // APP: shorter than SSRC + name
] as const;
export type RtcpParseError = (typeof RTCP_PARSE_ERRORS)[number];

export type RtcpParseResult =
  | { ok: true; packets: RtcpPacket[] }
  /** `offset`: where the refused packet starts within the compound. */
  | { ok: false; error: RtcpParseError; offset: number };

/**
 * RFC 5761 §4 demultiplexing under rtcp-mux: the second octet of an RTCP packet is its
 * packet type, 192..223 (which, read as RTP, is marker + payload type 64..95).
 */
export function isRtcpPacket(bytes: Uint8Array): boolean {
  if (bytes.length < 4 || bytes[0]! >>> 6 !== 2) return false;
  const pt = bytes[1]!;
  return pt >= 192 && pt <= 223;
}

/** Parses a compound RTCP packet (one or more packets back to back). Never throws. */
export function parseRtcp(data: Uint8Array): RtcpParseResult {
  const packets: RtcpPacket[] = [];
  let start = 0;
  if (data.length === 0) return { ok: false, error: "truncated", offset: 0 };
  while (start < data.length) {
    if (start + 4 > data.length) return { ok: false, error: "truncated", offset: start };
    const b0 = data[start]!;
    if (b0 >>> 6 !== 2) return { ok: false, error: "bad-version", offset: start };
    const next = start + 4 * (readU16(data, start + 2) + 1);
    if (next > data.length) return { ok: false, error: "truncated", offset: start };
    let end = next;
    if ((b0 & 0x20) !== 0) {
      // A.2: only the last packet of a compound may be padded; the count includes itself.
      const pad = data[next - 1]!;
      if (next !== data.length || pad === 0 || pad > next - start - 4) return { ok: false, error: "bad-padding", offset: start };
      end = next - pad;
    }
    const packet = parseOne(data, start, end, b0 & 0x1f, data[start + 1]!);
    if (typeof packet === "string") return { ok: false, error: packet, offset: start };
    packets.push(packet);
    start = next;
  }
  return { ok: true, packets };
}

function parseOne(b: Uint8Array, start: number, end: number, count: number, packetType: number): RtcpPacket | RtcpParseError {
  switch (packetType) {
    case RTCP_PACKET_TYPES.SR:
      return parseSenderReport(b, start, end, count);
    case RTCP_PACKET_TYPES.RR:
      return parseReceiverReport(b, start, end, count);
    case RTCP_PACKET_TYPES.SDES:
      return parseSdes(b, start, end, count) ?? "bad-sdes";
    case RTCP_PACKET_TYPES.BYE:
      return parseBye(b, start, end, count) ?? "bad-bye";
    case RTCP_PACKET_TYPES.APP:
      if (start + 12 > end) return "bad-app";
      return { type: "app", subtype: count, ssrc: readU32(b, start + 4), name: String.fromCharCode(b[start + 8]!, b[start + 9]!, b[start + 10]!, b[start + 11]!), data: b.subarray(start + 12, end) };
    default:
      return { type: "other", packetType, count, body: b.subarray(start + 4, end) };
  }
}

function parseSenderReport(b: Uint8Array, start: number, end: number, count: number): RtcpSenderReport | RtcpParseError {
  const blocksAt = start + 28;
  if (blocksAt + 24 * count > end) return "report-overrun";
  return {
    type: "sr",
    ssrc: readU32(b, start + 4),
    ntpSeconds: readU32(b, start + 8),
    ntpFraction: readU32(b, start + 12),
    rtpTimestamp: readU32(b, start + 16),
    packetCount: readU32(b, start + 20),
    octetCount: readU32(b, start + 24),
    reports: readReportBlocks(b, blocksAt, count),
    profileExtension: extensionAfter(b, blocksAt + 24 * count, end),
  };
}

function parseReceiverReport(b: Uint8Array, start: number, end: number, count: number): RtcpReceiverReport | RtcpParseError {
  const blocksAt = start + 8;
  if (blocksAt + 24 * count > end) return "report-overrun";
  return { type: "rr", ssrc: readU32(b, start + 4), reports: readReportBlocks(b, blocksAt, count), profileExtension: extensionAfter(b, blocksAt + 24 * count, end) };
}

function extensionAfter(b: Uint8Array, at: number, end: number): Uint8Array | undefined {
  return at < end ? b.subarray(at, end) : undefined;
}

function readReportBlocks(b: Uint8Array, at: number, count: number): ReportBlock[] {
  const blocks: ReportBlock[] = [];
  for (let i = 0; i < count; i++, at += 24) {
    blocks.push({
      ssrc: readU32(b, at),
      fractionLost: b[at + 4]!,
      // 24-bit two's complement, sign-extended through the top byte.
      cumulativeLost: (readU32(b, at + 4) << 8) >> 8,
      extendedHighestSequence: readU32(b, at + 8),
      jitter: readU32(b, at + 12),
      lsr: readU32(b, at + 16),
      dlsr: readU32(b, at + 20),
    });
  }
  return blocks;
}

/** §6.5: SC chunks, each an SSRC/CSRC and items ended by a null octet, padded to 32 bits. */
function parseSdes(b: Uint8Array, start: number, end: number, count: number): RtcpSourceDescription | null {
  const chunks: SdesChunk[] = [];
  let at = start + 4;
  for (let c = 0; c < count; c++) {
    if (at + 4 > end) return null;
    const chunk: SdesChunk = { source: readU32(b, at), items: [] };
    at += 4;
    for (;;) {
      if (at >= end) return null; // no null item before the end
      const type = b[at]!;
      if (type === SDES_ITEM_TYPES.END) {
        at = start + ((at - start + 4) & ~3); // past the null octet, to the next 32-bit boundary
        break;
      }
      const valueEnd = at + 2 + (b[at + 1] ?? 0);
      if (at + 2 > end || valueEnd > end) return null;
      chunk.items.push(sdesItem(type, b.subarray(at + 2, valueEnd)));
      at = valueEnd;
    }
    chunks.push(chunk);
  }
  return { type: "sdes", chunks };
}

function sdesItem(type: number, value: Uint8Array): SdesItem {
  if (type === SDES_ITEM_TYPES.PRIV && value.length > 0 && 1 + value[0]! <= value.length) {
    // §6.5.8: prefix length, prefix string, value string.
    const prefixEnd = 1 + value[0]!;
    return { type, prefix: decodeUtf8(value.subarray(1, prefixEnd)), text: decodeUtf8(value.subarray(prefixEnd)) };
  }
  return { type, text: decodeUtf8(value) };
}

/** §6.6: SC SSRC/CSRC identifiers, then optionally a length-prefixed reason. */
function parseBye(b: Uint8Array, start: number, end: number, count: number): RtcpBye | null {
  let at = start + 4;
  if (at + 4 * count > end) return null;
  const sources: number[] = [];
  for (let i = 0; i < count; i++, at += 4) sources.push(readU32(b, at));
  let reason: string | undefined;
  if (at < end) {
    const reasonEnd = at + 1 + b[at]!;
    if (reasonEnd > end) return null;
    reason = decodeUtf8(b.subarray(at + 1, reasonEnd));
  }
  return { type: "bye", sources, reason };
}
