/**
 * SDP offer/answer on behalf of a leg, and the matching media endpoint configuration.
 * hotline anchors media: every SDP it sends carries its own address and the leg's RTP
 * port (RFC 3264 §5, §6), and the endpoint is told what the peer negotiated: codec,
 * telephone-event payload type (RFC 4733 §2.1: per leg, mapped by the relay) and direction.
 */
import {
  buildAnswer,
  buildOffer,
  describeAudio,
  negotiateAnswer,
  type SessionDescription,
} from "@hotline/sip";
import type { Leg } from "./leg.js";
import type { Direction, G711, MediaPort } from "./ports.js";

/** Our telephone-event payload type in offers (dynamic range, RFC 3551 §3). */
export const DTMF_PT = 101;
const SUPPORTED: G711[] = ["PCMA", "PCMU"];

export class MediaSession {
  constructor(
    private readonly media: MediaPort,
    /** The address written into our SDP (c=, o=). */
    readonly address: string,
  ) {}

  /** Our answer to the peer's offer on `leg`; configures the leg's endpoint. null → 488. */
  answer(leg: Leg, offer: SessionDescription, direction: Direction = "sendrecv"): SessionDescription | null {
    if (leg.endpoint === null) return null;
    const result = buildAnswer(offer, {
      origin: this.origin(leg, true),
      address: this.address,
      port: leg.endpoint.rtpPort,
      supported: SUPPORTED,
      direction,
    });
    if (!result.ok) return null;
    const remote = result.remote;
    leg.remoteHold = remote.direction === "sendonly" || remote.direction === "inactive" || remote.hold;
    leg.mediaConfig = {
      remote: remote.port === 0 ? null : { address: remote.address, port: remote.port, rtcpPort: remote.rtcpPort },
      codec: result.codec.name,
      pt: result.codec.pt,
      dtmfPt: result.telephoneEventPt,
      direction: remote.direction,
      latch: true,
    };
    this.media.configure(leg.endpoint.id, leg.mediaConfig);
    leg.localSdp = result.sdp;
    return result.sdp;
  }

  /** Our offer on `leg`, preferring `first` (the codec the other side already uses). */
  offer(leg: Leg, first: G711 | null, direction: Direction = "sendrecv"): SessionDescription | null {
    if (leg.endpoint === null) return null;
    const codecs = first === null ? SUPPORTED : [first, ...SUPPORTED.filter((c) => c !== first)];
    const sdp = buildOffer({ origin: this.origin(leg, true), address: this.address, port: leg.endpoint.rtpPort, codecs, telephoneEventPt: DTMF_PT, direction });
    leg.localSdp = sdp;
    return sdp;
  }

  /** The peer's answer to our offer on `leg`; configures the endpoint. false → unusable. */
  applyAnswer(leg: Leg, offer: SessionDescription, answer: SessionDescription): boolean {
    if (leg.endpoint === null) return false;
    const n = negotiateAnswer(offer, answer);
    if (!n.ok) return false;
    leg.remoteHold = n.direction === "sendonly" || n.direction === "inactive";
    leg.mediaConfig = {
      remote: n.port === 0 ? null : { address: n.address, port: n.port, rtcpPort: n.rtcpPort },
      codec: n.codec.name,
      pt: n.codec.pt,
      dtmfPt: n.telephoneEventPt,
      direction: n.direction,
      latch: true,
    };
    this.media.configure(leg.endpoint.id, leg.mediaConfig);
    return true;
  }

  /** The codec the peer sends on `leg`, if negotiated. */
  static codecOf(leg: Leg | null): G711 | null {
    return leg?.mediaConfig?.codec ?? null;
  }

  /** The first G.711 codec of an offer we have not answered yet. */
  static preferredIn(offer: SessionDescription | null): G711 | null {
    if (offer === null) return null;
    return describeAudio(offer)?.codecs[0]?.name ?? null;
  }

  private origin(leg: Leg, changed: boolean): ReturnType<Leg["origin"]["next"]> {
    return leg.origin.next(changed);
  }
}
