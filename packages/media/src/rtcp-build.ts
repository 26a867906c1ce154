/**
 * Builders for the RTCP packets we send: SR and RR with report blocks (RFC 3550 §6.4),
 * SDES (§6.5, at least the CNAME every compound must carry, §6.1), BYE (§6.6) and the
 * compound that joins them (§6.1). RTCP goes out every few seconds per leg, so these
 * return fresh arrays; the RTP hot path is elsewhere.
 *
 * Throw RangeError on caller mistakes (more than 31 report blocks or sources, an SDES
 * item longer than 255 octets): split the report or shorten the text.
 */
import { writeU16, writeU32 } from "./network-order.js";
import { RTCP_PACKET_TYPES, type ReportBlock, type SenderInfo } from "./rtcp.js";
import { encodeUtf8 } from "./utf8-text.js";

/** RC and SC are 5-bit fields (§6.4.1). */
export const RTCP_MAX_COUNT = 31;

export interface SenderReportInit extends SenderInfo {
  ssrc: number;
  reports?: readonly ReportBlock[];
}

export interface ReceiverReportInit {
  ssrc: number;
  reports?: readonly ReportBlock[];
}

export interface SdesChunkInit {
  source: number;
  /** Items in order; `type` from SDES_ITEM_TYPES (1..7; PRIV is not built here). */
  items: readonly { type: number; text: string }[];
}

export function buildSenderReport(sr: SenderReportInit): Uint8Array {
  const reports = sr.reports ?? [];
  checkCount(reports.length, "report blocks");
  const out = new Uint8Array(28 + 24 * reports.length);
  writeHeader(out, reports.length, RTCP_PACKET_TYPES.SR);
  writeU32(out, 4, sr.ssrc);
  writeU32(out, 8, sr.ntpSeconds);
  writeU32(out, 12, sr.ntpFraction);
  writeU32(out, 16, sr.rtpTimestamp);
  writeU32(out, 20, sr.packetCount);
  writeU32(out, 24, sr.octetCount);
  writeReportBlocks(out, 28, reports);
  return out;
}

/** An RR; with no blocks it is the empty RR that heads a compound when nothing was received. */
export function buildReceiverReport(rr: ReceiverReportInit): Uint8Array {
  const reports = rr.reports ?? [];
  checkCount(reports.length, "report blocks");
  const out = new Uint8Array(8 + 24 * reports.length);
  writeHeader(out, reports.length, RTCP_PACKET_TYPES.RR);
  writeU32(out, 4, rr.ssrc);
  writeReportBlocks(out, 8, reports);
  return out;
}

export function buildSourceDescription(chunks: readonly SdesChunkInit[]): Uint8Array {
  checkCount(chunks.length, "SDES chunks");
  const encoded = chunks.map((c) => c.items.map((item) => ({ type: item.type, value: encodeUtf8(item.text) })));
  let length = 4;
  for (const items of encoded) {
    let chunk = 4 + 1; // SSRC/CSRC and the null item
    for (const item of items) {
      if (item.type < 1 || item.type > 255) throw new RangeError(`SDES item type ${item.type} is not 1..255 (0 ends the list)`);
      if (item.value.length > 255) throw new RangeError(`SDES item type ${item.type} is ${item.value.length} octets; at most 255`);
      chunk += 2 + item.value.length;
    }
    length += (chunk + 3) & ~3; // §6.5: null octets pad each chunk to a 32-bit boundary
  }
  const out = new Uint8Array(length);
  writeHeader(out, chunks.length, RTCP_PACKET_TYPES.SDES);
  let at = 4;
  chunks.forEach((chunk, i) => {
    const chunkStart = at;
    writeU32(out, at, chunk.source);
    at += 4;
    for (const item of encoded[i]!) {
      out[at] = item.type;
      out[at + 1] = item.value.length;
      out.set(item.value, at + 2);
      at += 2 + item.value.length;
    }
    at = chunkStart + ((at - chunkStart + 1 + 3) & ~3); // null item and padding are already 0
  });
  return out;
}

/** BYE for `sources`, with an optional reason (at most 255 octets of UTF-8). */
export function buildBye(sources: readonly number[], reason?: string): Uint8Array {
  checkCount(sources.length, "BYE sources");
  const text = reason === undefined ? undefined : encodeUtf8(reason);
  if (text !== undefined && text.length > 255) throw new RangeError(`BYE reason is ${text.length} octets; at most 255`);
  const reasonLength = text === undefined ? 0 : (1 + text.length + 3) & ~3;
  const out = new Uint8Array(4 + 4 * sources.length + reasonLength);
  writeHeader(out, sources.length, RTCP_PACKET_TYPES.BYE);
  sources.forEach((s, i) => writeU32(out, 4 + 4 * i, s));
  if (text !== undefined) {
    const at = 4 + 4 * sources.length;
    out[at] = text.length;
    out.set(text, at + 1);
  }
  return out;
}

/** §6.1: a compound packet is its packets back to back (SR/RR first, then SDES CNAME …). */
export function buildCompound(packets: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of packets) length += p.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of packets) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function checkCount(count: number, what: string): void {
  if (count > RTCP_MAX_COUNT) throw new RangeError(`${count} ${what}; at most ${RTCP_MAX_COUNT} per packet (split it)`);
}

/** V=2, P=0, count, packet type, length in 32-bit words minus one (§6.4.1). */
function writeHeader(out: Uint8Array, count: number, packetType: number): void {
  out[0] = 0x80 | count;
  out[1] = packetType;
  writeU16(out, 2, out.length / 4 - 1);
}

function writeReportBlocks(out: Uint8Array, at: number, reports: readonly ReportBlock[]): void {
  for (const r of reports) {
    writeU32(out, at, r.ssrc);
    // A.3: clamp, don't wrap, the signed 24-bit cumulative loss.
    const lost = Math.max(-0x800000, Math.min(0x7fffff, Math.trunc(r.cumulativeLost)));
    writeU32(out, at + 4, (((r.fractionLost & 0xff) << 24) | (lost & 0xffffff)) >>> 0);
    writeU32(out, at + 8, r.extendedHighestSequence);
    writeU32(out, at + 12, r.jitter);
    writeU32(out, at + 16, r.lsr);
    writeU32(out, at + 20, r.dlsr);
    at += 24;
  }
}
