/**
 * The sans-IO RTP relay: decides, for every packet received on an endpoint, what goes
 * where. The adapter feeds it datagrams and the clock; it answers through RelayOutput.
 *
 * A received RTP packet (RFC 3550 §5.1), in order:
 *   1. RTCP multiplexed on the RTP port (RFC 5761 §4: second octet 192..223) goes to RTCP.
 *   2. Not valid RTP → dropped. Latch (relay-endpoint.ts): the first source is learned,
 *      later packets from elsewhere are dropped.
 *   3. The peer's SDP said it does not send (recvonly/inactive) → dropped.
 *   4. Telephone-event (the endpoint's dtmfPt, RFC 4733): fed to the DTMF receiver (one
 *      `dtmf` event per digit, bridged or not), then relayed with the peer's dtmfPt, or
 *      dropped if the peer negotiated none (and the peer's sequence numbers close the gap).
 *   5. Audio: the negotiated pt, or either static G.711 type (RFC 3551 §6: 0 PCMU, 8 PCMA;
 *      phones that offered both may switch). Reception statistics (A.1, A.3, A.8).
 *   6. Relayed to the bridged peer when it receives (sendrecv/recvonly) and hears no
 *      prompt/tone/DTMF of ours: transcoded A-law ⇄ µ-law in place through the G.711
 *      tables when the codecs differ, payload type set to the peer's, SSRC/sequence/
 *      timestamp rewritten into the peer's outbound stream (outbound-stream.ts).
 *
 * The packet is rewritten in place and handed to `output.sendRtp`: the relay path
 * allocates nothing (the adapter gives each datagram its own buffer).
 *
 * Mix rooms (mix-room.ts): an endpoint in a room has no peer; at step 6 its audio goes to
 * the room's input buffer instead (looked at only once a packet is known not to be
 * relayed, so bridged calls pay nothing for rooms), and the room sends every member its
 * mix on the 20 ms tick. Telephone-events of a member are reported (step 4), never mixed.
 *
 * Time: `now` is milliseconds on a clock tied to Unix time (fractions welcome; the adapter
 * uses performance.timeOrigin + performance.now()): RTCP's NTP timestamps come from it.
 * `tick(now)` at `nextDeadline()` sends generated media, RTCP, DTMF end timeouts and
 * media timeouts.
 */
import { readU16 } from "../network-order.js";
import { TONE_PLAN_CN, type TonePlan } from "../tones.js";
import type { WavAudio } from "../wav.js";
import { holdMusicAudio } from "../moh.js";
import { createFrameSource } from "./frame-source.js";
import { MIX_LATE, MIX_OVERFLOW } from "./mix-input.js";
import { MixRooms, type MixMember, type MixRoom } from "./mix-room.js";
import { DEFAULT_DTMF_DURATION_MS, nextDueAt, playSlotAt, queueDigit, tickGenerated } from "./relay-generate.js";
import { RelayEndpoint } from "./relay-endpoint.js";
import { buildGoodbye, buildReport, receiveReport } from "./relay-rtcp.js";
import { RtpView } from "./rtp-view.js";
import { ALAW_TO_ULAW, transcodeInPlace, ULAW_TO_ALAW } from "./transcode.js";
import { PCMA_PAYLOAD_TYPE, PCMU_PAYLOAD_TYPE, RELAY_CLOCK_RATE, RELAY_DROP_REASONS, type EndpointConfig, type EndpointStats, type MixOptions, type RelayDropReason, type RelayOutput, type RelayPlaySource } from "./relay-types.js";

export interface RelaySessionOptions {
  output: RelayOutput;
  /** uint32 values for SSRCs and initial sequence numbers/timestamps (RFC 3550 §5.1, §8). */
  random: () => number;
  tonePlan?: TonePlan;
  /** Music on hold; default the generated loop of moh.ts. */
  holdMusic?: WavAudio;
  /** Fixed RTCP report interval (default 5000 ms). */
  rtcpIntervalMs?: number;
  /** No RTP for this long on a bridged sendrecv endpoint → `timeout` (default 60 s; 0 = off). */
  mediaTimeoutMs?: number;
  /** SDES CNAME of our streams (§6.5.1). */
  cname?: string;
}

export const DEFAULT_RTCP_INTERVAL_MS = 5000;
export const DEFAULT_MEDIA_TIMEOUT_MS = 60_000;
/** How often RTCP, media timeouts and lost DTMF ends are looked at. */
export const HOUSEKEEPING_MS = 100;

// Per-packet drop counters by index (a Map or object keyed by string on the hot path is slower).
const NOT_RTP = 0;
const FOREIGN_SOURCE = 1;
const DIRECTION = 2;
const UNKNOWN_PT = 3;
const NOT_BRIDGED = 4;
const PEER_NOT_RECEIVING = 5;
const NO_DESTINATION = 6;
const DTMF_NOT_NEGOTIATED = 7;
const BAD_RTCP = 8;
const MIX_LATE_DROP = 9;
const MIX_OVERFLOW_DROP = 10;

export class RelaySession {
  private readonly output: RelayOutput;
  private readonly random: () => number;
  private readonly tonePlan: TonePlan;
  private readonly holdMusic: WavAudio;
  private readonly rtcpIntervalMs: number;
  private readonly mediaTimeoutMs: number;
  private readonly cname: string;
  private readonly endpoints: RelayEndpoint[] = [];
  /** Endpoints we generate media for (play or DTMF), ticked every slot. */
  private readonly active: RelayEndpoint[] = [];
  private readonly view = new RtpView();
  private readonly drops = new Float64Array(RELAY_DROP_REASONS.length);
  private readonly rooms = new MixRooms();
  private nextHousekeepingAt = Infinity;

  constructor(options: RelaySessionOptions) {
    this.output = options.output;
    this.random = options.random;
    this.tonePlan = options.tonePlan ?? TONE_PLAN_CN;
    this.holdMusic = options.holdMusic ?? holdMusicAudio();
    this.rtcpIntervalMs = options.rtcpIntervalMs ?? DEFAULT_RTCP_INTERVAL_MS;
    this.mediaTimeoutMs = options.mediaTimeoutMs ?? DEFAULT_MEDIA_TIMEOUT_MS;
    this.cname = options.cname ?? "hotline";
  }

  get size(): number {
    return this.endpoints.length;
  }

  createEndpoint(id: string, now: number): RelayEndpoint {
    const r = this.random;
    const ep = new RelayEndpoint(id, r() >>> 0, r() & 0xffff, r() >>> 0, now, this.rtcpIntervalMs);
    ep.slot = this.endpoints.length;
    this.endpoints.push(ep);
    if (this.nextHousekeepingAt === Infinity) this.nextHousekeepingAt = now + HOUSEKEEPING_MS;
    return ep;
  }

  /** Takes the endpoint out (unbridging it); sends an RTCP BYE (§6.6) if we know where. */
  remove(ep: RelayEndpoint): void {
    if (ep.slot < 0) return;
    this.unbridge(ep);
    this.rooms.leave(ep);
    this.deactivate(ep);
    if (ep.rtcpPort !== 0) this.output.sendRtcp(ep, buildGoodbye(ep, this.cname));
    const last = this.endpoints.pop()!;
    if (last !== ep) {
      this.endpoints[ep.slot] = last;
      last.slot = ep.slot;
    }
    ep.slot = -1;
  }

  /** Applies the peer's negotiated media (validate with checkEndpointConfig first). */
  configure(ep: RelayEndpoint, cfg: EndpointConfig): void {
    ep.configure(cfg);
    ep.outbound.interrupt(); // codec or pt may have changed: the receiver resyncs on the marker
  }

  bridge(a: RelayEndpoint, b: RelayEndpoint, now: number): void {
    if (a === b || (a.peer === b && b.peer === a)) return;
    this.unbridge(a);
    this.unbridge(b);
    this.rooms.leave(a);
    this.rooms.leave(b);
    a.peer = b;
    b.peer = a;
    for (const ep of [a, b]) {
      ep.bridgedAt = now;
      ep.timedOut = false;
      ep.outbound.interrupt();
    }
  }

  unbridge(ep: RelayEndpoint): void {
    const peer = ep.peer;
    if (peer === null) return;
    ep.peer = null;
    peer.peer = null;
    ep.outbound.interrupt();
    peer.outbound.interrupt();
  }

  /**
   * Puts `ep` in mix room `name` (created by its first member), leaving any bridge (the
   * former peer is then not bridged) or other room; for a member already there, new
   * options. False (nothing changed) when the room is full.
   */
  mix(ep: RelayEndpoint, name: string, options: MixOptions, now: number): boolean {
    const current = ep.mix;
    if (current !== null && current.room.name === name) {
      current.room.update(current, options);
      return true;
    }
    const room = this.rooms.open(name, now);
    if (room === null) return false;
    this.unbridge(ep);
    this.rooms.leave(ep);
    ep.mix = room.add(ep, options);
    ep.bridgedAt = now; // the media timeout counts from here
    ep.timedOut = false;
    ep.outbound.interrupt();
    return true;
  }

  /** Takes `ep` out of its mix room (a room without members is gone); it then hears nothing. */
  unmix(ep: RelayEndpoint): void {
    if (ep.mix === null) return;
    this.rooms.leave(ep);
    ep.outbound.interrupt();
  }

  /** Mix rooms by name (tests and diagnostics). */
  room(name: string): MixRoom | undefined {
    return this.rooms.get(name);
  }

  /** Plays `source` to `ep` (replacing any play); null goes back to relaying. */
  play(ep: RelayEndpoint, source: RelayPlaySource | null, now: number): void {
    const wasPlaying = ep.frameSource !== null;
    if (source === null) {
      ep.frameSource = null;
    } else {
      try {
        ep.frameSource = createFrameSource(source, ep.law, this.tonePlan, this.holdMusic);
      } catch {
        // Audio the player refuses (not 8 kHz mono) or a tone the plan lacks: nothing to play.
        ep.frameSource = null;
        this.updateGenerating(ep);
        this.output.event({ type: "play-done", id: ep.id });
        return;
      }
      // A new source replacing one keeps the 20 ms grid (and the stream runs on without a marker).
      if (!wasPlaying) ep.nextFrameAt = playSlotAt(now);
    }
    this.updateGenerating(ep);
  }

  /** Sends one RFC 4733 digit to `ep` (queued behind digits in progress); false if it can't. */
  sendDtmf(ep: RelayEndpoint, digit: string, durationMs = DEFAULT_DTMF_DURATION_MS): boolean {
    if (!queueDigit(ep, digit, durationMs)) return false;
    this.updateGenerating(ep);
    return true;
  }

  receiveRtp(ep: RelayEndpoint, packet: Uint8Array, address: string, port: number, now: number): void {
    const b1 = packet[1]!;
    if (b1 >= 192 && b1 <= 223) {
      this.receiveRtcp(ep, packet, address, port, now); // RFC 5761 §4 rtcp-mux
      return;
    }
    ep.packetsIn++;
    ep.bytesIn += packet.length;
    ep.lastRtpAt = now;
    ep.timedOut = false;
    const v = this.view;
    if (!v.scan(packet)) {
      this.drop(NOT_RTP);
      return;
    }
    if (ep.latch) {
      if (!ep.latched) ep.latchTo(address, port);
      else if (port !== ep.rtpPort || address !== ep.rtpAddress) {
        this.drop(FOREIGN_SOURCE);
        return;
      }
    }
    if (!ep.sends) {
      this.drop(DIRECTION);
      return;
    }
    const pt = v.payloadType;
    if (pt === ep.dtmfPt) {
      this.receiveEvent(ep, packet, now);
      return;
    }
    let ulaw: boolean;
    if (pt === ep.pt) ulaw = ep.ulaw;
    else if (pt === PCMA_PAYLOAD_TYPE) ulaw = false;
    else if (pt === PCMU_PAYLOAD_TYPE) ulaw = true;
    else {
      this.drop(UNKNOWN_PT);
      return;
    }
    ep.lastSsrc = v.ssrc;
    ep.reception.receive(v.ssrc, v.sequence, v.timestamp, now);
    const peer = this.forwardTarget(ep);
    if (peer === null) {
      if (ep.mix !== null) this.feedMix(ep.mix, packet, ulaw);
      return;
    }
    const start = v.payloadOffset;
    const end = v.payloadEnd;
    if (ulaw !== peer.ulaw) transcodeInPlace(packet, ulaw ? ULAW_TO_ALAW : ALAW_TO_ULAW, start, end);
    packet[1] = (b1 & 0x80) | peer.pt;
    peer.outbound.relay(packet, v.ssrc, v.sequence, v.timestamp, end - start, 0, end - start, now);
    peer.packetsOut++;
    peer.bytesOut += packet.length;
    this.output.sendRtp(peer, packet);
  }

  receiveRtcp(ep: RelayEndpoint, packet: Uint8Array, address: string, port: number, now: number): void {
    if (!receiveReport(ep, packet, now)) {
      this.drop(BAD_RTCP);
      return;
    }
    if (ep.latch && (!ep.latched || address === ep.rtpAddress)) ep.latchRtcpTo(address, port);
  }

  /** Sends what is due: generated frames and digits, then (every 100 ms) RTCP and timeouts. */
  tick(now: number): void {
    const active = this.active;
    for (let i = 0; i < active.length; ) {
      const ep = active[i]!;
      if (!tickGenerated(ep, now, this.output)) {
        ep.frameSource = null; // a one-shot prompt ran out: back to relaying
        this.output.event({ type: "play-done", id: ep.id });
      }
      this.updateGenerating(ep);
      if (active[i] === ep) i++; // else it was swapped out: look at the one moved here
    }
    this.rooms.tick(now, this.output);
    if (now >= this.nextHousekeepingAt) {
      // Nothing to look after without endpoints: no deadline until the next one comes.
      this.nextHousekeepingAt = this.endpoints.length === 0 ? Infinity : now + HOUSEKEEPING_MS;
      this.housekeeping(now);
    }
  }

  /** When `tick` is next needed. */
  nextDeadline(): number {
    let next = this.nextHousekeepingAt;
    for (const ep of this.active) next = Math.min(next, nextDueAt(ep));
    return Math.min(next, this.rooms.nextDeadline());
  }

  stats(ep: RelayEndpoint): EndpointStats {
    const source = ep.lastSsrc < 0 ? undefined : ep.reception.source(ep.lastSsrc);
    const valid = source !== undefined && source.valid;
    return {
      packetsIn: ep.packetsIn,
      packetsOut: ep.packetsOut,
      bytesIn: ep.bytesIn,
      bytesOut: ep.bytesOut,
      lost: valid ? Math.max(0, source.cumulativeLost) : 0,
      jitterMs: valid ? (source.jitter * 1000) / RELAY_CLOCK_RATE : 0,
      dtmfIn: ep.dtmfIn,
      dtmfOut: ep.dtmfOut,
      latchedTo: ep.latchedTo,
      remoteLoss: ep.remoteLoss,
      remoteJitterMs: ep.remoteJitterMs,
    };
  }

  /** Packets not forwarded, by reason, since the session started. */
  counters(): Record<RelayDropReason, number> {
    const out = {} as Record<RelayDropReason, number>;
    RELAY_DROP_REASONS.forEach((reason, i) => (out[reason] = this.drops[i] ?? 0));
    return out;
  }

  /** The bridged peer if this packet may go to it, counting why not otherwise. */
  private forwardTarget(ep: RelayEndpoint): RelayEndpoint | null {
    const peer = ep.peer;
    if (peer === null) {
      if (ep.mix === null) this.drop(NOT_BRIDGED); // a mix member's audio is mixed, not dropped
    }
    else if (!peer.receives || peer.generating) this.drop(PEER_NOT_RECEIVING);
    else if (peer.rtpPort === 0) this.drop(NO_DESTINATION);
    else return peer;
    return null;
  }

  /** RFC 4733 packet on `ep` (the view holds its header). */
  private receiveEvent(ep: RelayEndpoint, packet: Uint8Array, now: number): void {
    const v = this.view;
    const { ssrc, sequence, timestamp, payloadOffset, payloadEnd } = v;
    ep.lastSsrc = ssrc;
    // §2.5.1.2: an event's packets keep its start timestamp, so they say nothing about jitter.
    ep.reception.receive(ssrc, sequence, timestamp, now, false);
    let begins = false;
    for (const a of ep.dtmfReceiver.receive({ marker: v.marker, timestamp, ssrc }, packet.subarray(payloadOffset, payloadEnd), now)) {
      if (a.type === "dtmf-begin") begins = true;
      else this.digit(ep, a.digit, a.durationMs);
    }
    const peer = this.forwardTarget(ep);
    if (peer === null) return;
    if (peer.dtmfPt < 0) {
      this.drop(DTMF_NOT_NEGOTIATED);
      peer.outbound.omit(ssrc, sequence);
      return;
    }
    if (begins) peer.dtmfOut++;
    packet[1] = (packet[1]! & 0x80) | peer.dtmfPt;
    const length = payloadEnd - payloadOffset;
    const duration = length >= 4 ? readU16(packet, payloadOffset + 2) : 0;
    peer.outbound.relay(packet, ssrc, sequence, timestamp, -1, duration, length, now);
    peer.packetsOut++;
    peer.bytesOut += packet.length;
    this.output.sendRtp(peer, packet);
  }

  private digit(ep: RelayEndpoint, digit: string | null, durationMs: number): void {
    if (digit === null) return; // events past 15 (flash, tones) are not DTMF digits
    ep.dtmfIn++;
    this.output.event({ type: "dtmf", id: ep.id, digit, durationMs });
  }

  private housekeeping(now: number): void {
    const timeout = this.mediaTimeoutMs;
    for (const ep of this.endpoints) {
      if (ep.dtmfReceiver.busy) for (const a of ep.dtmfReceiver.tick(now)) if (a.type === "dtmf-digit") this.digit(ep, a.digit, a.durationMs);
      // Only a live two-way leg must carry RTP: a held (sendonly/recvonly) or inactive peer may be silent.
      if (timeout > 0 && !ep.timedOut && (ep.peer !== null || ep.mix !== null) && ep.direction === "sendrecv" && now - Math.max(ep.lastRtpAt, ep.bridgedAt) >= timeout) {
        ep.timedOut = true;
        this.output.event({ type: "timeout", id: ep.id });
      }
      if (now >= ep.nextRtcpAt) {
        ep.nextRtcpAt = now + this.rtcpIntervalMs;
        if (ep.rtcpPort !== 0) this.output.sendRtcp(ep, buildReport(ep, now, this.cname));
      }
    }
  }

  /** Audio of a mix member (the view holds its header): into the room's input buffer. */
  private feedMix(m: MixMember, packet: Uint8Array, ulaw: boolean): void {
    const v = this.view;
    const r = m.input.push(packet, v.payloadOffset, v.payloadEnd, ulaw, v.ssrc, v.sequence);
    if (r === MIX_LATE) this.drop(MIX_LATE_DROP);
    else if (r === MIX_OVERFLOW) this.drop(MIX_OVERFLOW_DROP);
  }

  private drop(reason: number): void {
    this.drops[reason] = this.drops[reason]! + 1;
  }

  private updateGenerating(ep: RelayEndpoint): void {
    const generating = ep.frameSource !== null || ep.dtmfSender !== null || ep.dtmfQueue.length > 0;
    if (generating === ep.generating) return;
    ep.generating = generating;
    // Whatever feeds the stream next (relay or generated) starts with a rebase.
    ep.outbound.interrupt();
    if (generating) {
      ep.activeSlot = this.active.length;
      this.active.push(ep);
    } else {
      this.deactivate(ep);
    }
  }

  private deactivate(ep: RelayEndpoint): void {
    const slot = ep.activeSlot;
    if (slot < 0) return;
    const last = this.active.pop()!;
    if (last !== ep) {
      this.active[slot] = last;
      last.activeSlot = slot;
    }
    ep.activeSlot = -1;
    ep.generating = false;
  }
}
