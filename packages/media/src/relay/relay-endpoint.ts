/**
 * One RTP endpoint of the relay: the state of one call leg's media on our side. Plain
 * fields, read and written by RelaySession (relay-session.ts) and the adapter, so the
 * per-packet path is field loads, not method calls through maps.
 *
 * Where we send (RFC 3264 §5: the address in the peer's SDP; symmetric RTP: where the
 * peer's RTP comes from):
 *  - latch off: the SDP address, always. RTP is accepted from any source (a peer may send
 *    from another port than it receives on; RFC 4961 only recommends symmetry).
 *  - latch on: the SDP address until the first valid RTP packet arrives, then that
 *    packet's source ("ip:port") for RTP, and its port + 1 for RTCP until RTCP arrives
 *    itself. From then on RTP from any other source is dropped (`foreign-source`): the
 *    stream is locked to what it learned, as Asterisk's strictrtp does after learning.
 *    A configure() whose remote differs from the previous one (a re-INVITE moved the
 *    peer) or that turns latching on re-opens learning. Simple on purpose: no re-learning
 *    on an SSRC change, so an injected stream from elsewhere cannot take the leg over,
 *    and the adapter can connect its socket to the latched source (faster sends; the
 *    kernel then enforces the lock).
 */
import { DtmfReceiver } from "../dtmf-receiver.js";
import type { DtmfSender } from "../dtmf-sender.js";
import { ReceptionStatistics } from "../receiver-stats.js";
import type { G711Law } from "../tones.js";
import type { FrameSource } from "./frame-source.js";
import type { MixMember } from "./mix-room.js";
import { OutboundStream } from "./outbound-stream.js";
import { DIRECTIONS, G711_CODECS, RELAY_CLOCK_RATE, RELAY_FRAME_SAMPLES, type Direction, type EndpointConfig, type G711, type RemoteAddress } from "./relay-types.js";

export interface QueuedDigit {
  /** RFC 4733 §3.2 event code. */
  code: number;
  durationMs: number;
}

export class RelayEndpoint {
  /** Index in the session's endpoint list; -1 once removed. */
  slot = -1;
  /** Index in the session's list of endpoints we generate media for; -1 when not there. */
  activeSlot = -1;
  /** The adapter's own state for this endpoint (its sockets): reached without a lookup per packet. */
  io: unknown = null;

  // --- negotiated (configure) ---
  codec: G711 = "PCMA";
  law: G711Law = "alaw";
  ulaw = false;
  pt = 8;
  /** Telephone-event payload type, -1 when none was negotiated. */
  dtmfPt = -1;
  direction: Direction = "sendrecv";
  latch = true;
  /** The peer receives media (sendrecv, recvonly): we may send RTP to it. */
  receives = true;
  /** The peer sends media (sendrecv, sendonly): we accept its RTP. */
  sends = true;
  private remote: RemoteAddress | null = null;

  // --- where we send; the adapter reads these ---
  rtpAddress = "";
  /** 0 while unknown: nothing is sent. */
  rtpPort = 0;
  rtcpAddress = "";
  rtcpPort = 0;
  /** Bumped whenever rtpAddress/rtpPort change, so the adapter can (re)connect its socket. */
  destinationVersion = 0;
  /** RTP destination learned from the peer's packets (latch on). */
  latched = false;
  private rtcpLatched = false;

  // --- media ---
  peer: RelayEndpoint | null = null;
  /** Its place in a mix room (mix-room.ts), null when not mixed; never set together with `peer`. */
  mix: MixMember | null = null;
  readonly outbound: OutboundStream;
  readonly reception = new ReceptionStatistics({ clockRate: RELAY_CLOCK_RATE });
  readonly dtmfReceiver = new DtmfReceiver({ clockRate: RELAY_CLOCK_RATE });
  /** SSRC of the newest packet heard (the source `stats` reports on); -1 before any. */
  lastSsrc = -1;
  /** We play or send DTMF to it: the bridged peer's media towards it is held back. */
  generating = false;
  frameSource: FrameSource | null = null;
  /** When the next generated frame is due (the play's 20 ms grid, not the timer's). */
  nextFrameAt = 0;
  /** Header + one 20 ms frame, reused for every generated frame. */
  readonly frame = new Uint8Array(12 + RELAY_FRAME_SAMPLES);
  readonly framePayload = this.frame.subarray(12);
  dtmfSender: DtmfSender | null = null;
  readonly dtmfQueue: QueuedDigit[] = [];
  dtmfEventTimestamp = 0;
  dtmfStartedAt = 0;

  // --- statistics (EndpointStats) ---
  packetsIn = 0;
  bytesIn = 0;
  packetsOut = 0;
  bytesOut = 0;
  dtmfIn = 0;
  dtmfOut = 0;
  remoteLoss: number | null = null;
  remoteJitterMs: number | null = null;

  // --- timers ---
  lastRtpAt: number;
  bridgedAt = 0;
  timedOut = false;
  nextRtcpAt: number;

  constructor(
    readonly id: string,
    ssrc: number,
    initialSequence: number,
    initialTimestamp: number,
    now: number,
    rtcpIntervalMs: number,
  ) {
    this.outbound = new OutboundStream(ssrc, initialSequence, initialTimestamp, RELAY_CLOCK_RATE / 1000);
    this.lastRtpAt = now;
    this.nextRtcpAt = now + rtcpIntervalMs;
  }

  /** Applies a checked configuration (see checkEndpointConfig). */
  configure(cfg: EndpointConfig): void {
    this.codec = cfg.codec;
    this.ulaw = cfg.codec === "PCMU";
    this.law = this.ulaw ? "ulaw" : "alaw";
    this.pt = cfg.pt;
    this.dtmfPt = cfg.dtmfPt ?? -1;
    this.direction = cfg.direction;
    this.receives = cfg.direction === "sendrecv" || cfg.direction === "recvonly";
    this.sends = cfg.direction === "sendrecv" || cfg.direction === "sendonly";
    const moved = !sameRemote(this.remote, cfg.remote);
    const relearn = moved || !cfg.latch || !this.latch;
    this.latch = cfg.latch;
    this.remote = cfg.remote === null ? null : { ...cfg.remote };
    if (relearn) {
      this.latched = false;
      this.rtcpLatched = false;
      const r = cfg.remote;
      this.setRtpDestination(r?.address ?? "", r?.port ?? 0);
      this.rtcpAddress = r?.address ?? "";
      this.rtcpPort = r === null ? 0 : (r.rtcpPort ?? r.port + 1);
    }
  }

  /** Latch on and this packet source is the first valid RTP heard: send there from now on. */
  latchTo(address: string, port: number): void {
    this.latched = true;
    this.setRtpDestination(address, port);
    if (!this.rtcpLatched) {
      // RFC 3550 §11: RTCP on the next port up, until the peer's RTCP shows where it is.
      this.rtcpAddress = address;
      this.rtcpPort = port + 1;
    }
  }

  /** RTCP arrived from this source (latch on): answer there. */
  latchRtcpTo(address: string, port: number): void {
    this.rtcpLatched = true;
    this.rtcpAddress = address;
    this.rtcpPort = port;
  }

  get latchedTo(): string | null {
    return this.latched ? `${this.rtpAddress}:${this.rtpPort}` : null;
  }

  private setRtpDestination(address: string, port: number): void {
    if (address === this.rtpAddress && port === this.rtpPort) return;
    this.rtpAddress = address;
    this.rtpPort = port;
    this.destinationVersion++;
  }
}

function sameRemote(a: RemoteAddress | null, b: RemoteAddress | null): boolean {
  if (a === null || b === null) return a === b;
  return a.address === b.address && a.port === b.port && (a.rtcpPort ?? a.port + 1) === (b.rtcpPort ?? b.port + 1);
}

/** What is wrong with a configuration, one message per problem; empty when usable. */
export function checkEndpointConfig(cfg: EndpointConfig): string[] {
  const errors: string[] = [];
  if (!(G711_CODECS as readonly string[]).includes(cfg.codec)) errors.push(`codec '${String(cfg.codec)}' is not one of ${G711_CODECS.join(", ")}`);
  if (!isPayloadType(cfg.pt)) errors.push(`pt ${String(cfg.pt)} is not an RTP payload type (0..127)`);
  if (cfg.dtmfPt !== null && !isPayloadType(cfg.dtmfPt)) errors.push(`dtmfPt ${String(cfg.dtmfPt)} is not an RTP payload type (0..127) or null`);
  if (cfg.dtmfPt !== null && cfg.dtmfPt === cfg.pt) errors.push(`dtmfPt ${cfg.dtmfPt} equals the audio pt`);
  if (!(DIRECTIONS as readonly string[]).includes(cfg.direction)) errors.push(`direction '${String(cfg.direction)}' is not one of ${DIRECTIONS.join(", ")}`);
  if (typeof cfg.latch !== "boolean") errors.push(`latch must be true or false`);
  const r = cfg.remote;
  if (r !== null) {
    if (typeof r.address !== "string" || r.address === "") errors.push(`remote.address must be a non-empty IP address`);
    if (!isPort(r.port)) errors.push(`remote.port ${String(r.port)} is not 1..65535`);
    if (r.rtcpPort !== undefined && !isPort(r.rtcpPort)) errors.push(`remote.rtcpPort ${String(r.rtcpPort)} is not 1..65535`);
  }
  return errors;
}

function isPayloadType(pt: unknown): pt is number {
  return typeof pt === "number" && Number.isInteger(pt) && pt >= 0 && pt <= 127;
}

function isPort(port: unknown): boolean {
  return typeof port === "number" && Number.isInteger(port) && port >= 1 && port <= 65535;
}
