/**
 * Payload type → encoding for an RTP m= line: a=rtpmap (RFC 8866 §6.6) or, for static
 * payload types written without one, RFC 3551 Tables 4 and 5.
 */
import { parseDecimal, splitFields } from "./parse-sdp.js";
import type { SdpMedia } from "./sdp-model.js";

export interface RtpMap {
  pt: number;
  /** As written ("PCMA", "opus", "telephone-event"); compare case-insensitively (RFC 4855 §3). */
  encodingName: string;
  clockRate: number;
  /** The encoding-parameters field (channels, for audio), or null when absent. */
  channels: number | null;
}

function staticEntry(pt: number, encodingName: string, clockRate: number, channels: number | null = null): [number, RtpMap] {
  return [pt, { pt, encodingName, clockRate, channels }];
}

/** RFC 3551 §6, Table 4 (audio) and Table 5 (video). */
const STATIC_PAYLOAD_TYPES: ReadonlyMap<number, RtpMap> = new Map([
  staticEntry(0, "PCMU", 8000),
  staticEntry(3, "GSM", 8000),
  staticEntry(4, "G723", 8000),
  staticEntry(5, "DVI4", 8000),
  staticEntry(6, "DVI4", 16000),
  staticEntry(7, "LPC", 8000),
  staticEntry(8, "PCMA", 8000),
  // RFC 3551 §4.5.2: G.722 keeps an 8000 Hz RTP clock although it samples at 16 kHz.
  staticEntry(9, "G722", 8000),
  staticEntry(10, "L16", 44100, 2),
  staticEntry(11, "L16", 44100),
  staticEntry(12, "QCELP", 8000),
  staticEntry(13, "CN", 8000),
  staticEntry(14, "MPA", 90000),
  staticEntry(15, "G728", 8000),
  staticEntry(16, "DVI4", 11025),
  staticEntry(17, "DVI4", 22050),
  staticEntry(18, "G729", 8000),
  staticEntry(25, "CelB", 90000),
  staticEntry(26, "JPEG", 90000),
  staticEntry(28, "nv", 90000),
  staticEntry(31, "H261", 90000),
  staticEntry(32, "MPV", 90000),
  staticEntry(33, "MP2T", 90000),
  staticEntry(34, "H263", 90000),
]);

/** a=rtpmap:<payload type> <encoding name>/<clock rate>[/<encoding parameters>], or null. */
export function parseRtpmap(value: string): RtpMap | null {
  const f = splitFields(value);
  if (f.length < 2) return null;
  const pt = parseDecimal(f[0]!, 3);
  if (pt < 0 || pt > 127) return null;
  const parts = f[1]!.split("/");
  const encodingName = parts[0]!;
  const clockRate = parseDecimal(parts[1] ?? "", 10);
  if (encodingName.length === 0 || clockRate <= 0 || parts.length > 3) return null;
  let channels: number | null = null;
  if (parts.length === 3) {
    channels = parseDecimal(parts[2]!, 3);
    if (channels <= 0) return null;
  }
  return { pt, encodingName, clockRate, channels };
}

/**
 * The payload types of `m` in m= order, each with its encoding. A format with neither an
 * a=rtpmap nor a static assignment (or that is not an RTP payload type) is left out.
 */
export function rtpMaps(m: SdpMedia): RtpMap[] {
  const declared = new Map<number, RtpMap>();
  for (const a of m.attributes) {
    if (a.name !== "rtpmap" || a.value === null) continue;
    const r = parseRtpmap(a.value);
    if (r !== null && !declared.has(r.pt)) declared.set(r.pt, r);
  }
  const out: RtpMap[] = [];
  for (const f of m.formats) {
    const pt = parseDecimal(f, 3);
    if (pt < 0 || pt > 127) continue;
    const r = declared.get(pt) ?? STATIC_PAYLOAD_TYPES.get(pt);
    if (r !== undefined) out.push(r);
  }
  return out;
}

/** The a=fmtp parameters for `pt` (RFC 8866 §6.15), or null. */
export function fmtpFor(m: SdpMedia, pt: number): string | null {
  const prefix = `${pt} `;
  for (const a of m.attributes) {
    if (a.name === "fmtp" && a.value !== null && a.value.startsWith(prefix)) return a.value.slice(prefix.length).trim();
  }
  return null;
}
