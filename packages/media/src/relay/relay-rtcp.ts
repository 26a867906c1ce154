/**
 * RTCP of one endpoint (RFC 3550 §6). We terminate RTCP per leg instead of passing the
 * peer's through: we rewrite SSRC, sequence and timestamps, so the other leg's reports
 * would describe a stream this peer never saw.
 *
 *  - Every `rtcpIntervalMs` (fixed; §6.2's randomised interval matters for large sessions,
 *    a leg has two parties) we send a compound (§6.1): an SR when we sent RTP since the last
 *    report, else an RR (§6.4), with a report block on the source we hear (A.3, A.8), then
 *    SDES with our CNAME (§6.5.1).
 *  - From the peer's SR we keep LSR/DLSR (§6.4.1); from any report block about our SSRC,
 *    the cumulative loss and jitter it reports (EndpointStats.remoteLoss/remoteJitterMs).
 *  - On release, an RR and a BYE (§6.6).
 *
 * RTCP is a few packets per leg every few seconds: these functions allocate freely.
 */
import { ntpFromUnixMs } from "../ntp-time.js";
import { parseRtcp, SDES_ITEM_TYPES, type ReportBlock } from "../rtcp.js";
import { buildBye, buildCompound, buildReceiverReport, buildSenderReport, buildSourceDescription } from "../rtcp-build.js";
import type { RelayEndpoint } from "./relay-endpoint.js";
import { RELAY_CLOCK_RATE } from "./relay-types.js";

/**
 * The periodic compound for `ep` at `now` (ms on a clock tied to Unix time: the SR's NTP
 * timestamp comes from it).
 */
export function buildReport(ep: RelayEndpoint, now: number, cname: string): Uint8Array {
  const reports = ep.reception.reportBlocks(now).slice(0, 31);
  const ssrc = ep.outbound.ssrc;
  let head: Uint8Array;
  if (ep.outbound.sentSinceReport) {
    const ntp = ntpFromUnixMs(now);
    head = buildSenderReport({
      ssrc,
      ntpSeconds: ntp.seconds,
      ntpFraction: ntp.fraction,
      rtpTimestamp: ep.outbound.timestampAt(now),
      packetCount: ep.outbound.packetCount,
      octetCount: ep.outbound.octetCount,
      reports,
    });
    ep.outbound.sentSinceReport = false;
  } else {
    head = buildReceiverReport({ ssrc, reports });
  }
  return buildCompound([head, cnameOf(ssrc, cname)]);
}

/** §6.6: what we send when the endpoint is released. */
export function buildGoodbye(ep: RelayEndpoint, cname: string): Uint8Array {
  const ssrc = ep.outbound.ssrc;
  return buildCompound([buildReceiverReport({ ssrc }), cnameOf(ssrc, cname), buildBye([ssrc])]);
}

function cnameOf(ssrc: number, cname: string): Uint8Array {
  return buildSourceDescription([{ source: ssrc, items: [{ type: SDES_ITEM_TYPES.CNAME, text: cname }] }]);
}

/** Reads a compound from the peer; false when it fails RFC 3550 A.2 checks (dropped whole). */
export function receiveReport(ep: RelayEndpoint, data: Uint8Array, now: number): boolean {
  const parsed = parseRtcp(data);
  if (!parsed.ok) return false;
  for (const p of parsed.packets) {
    if (p.type === "sr") {
      ep.reception.senderReport(p.ssrc, p.ntpSeconds, p.ntpFraction, now);
      takeBlocks(ep, p.reports);
    } else if (p.type === "rr") {
      takeBlocks(ep, p.reports);
    }
  }
  return true;
}

function takeBlocks(ep: RelayEndpoint, blocks: readonly ReportBlock[]): void {
  for (const b of blocks) {
    if (b.ssrc !== ep.outbound.ssrc) continue;
    ep.remoteLoss = b.cumulativeLost;
    ep.remoteJitterMs = (b.jitter * 1000) / RELAY_CLOCK_RATE;
  }
}
