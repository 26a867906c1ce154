/**
 * The SDP model (RFC 8866 §5). Values stay as written on the wire unless a field has an
 * obvious numeric meaning (version, port); nothing is normalised, so a parsed description
 * serializes back to the same lines (in RFC 8866 §5 order).
 */

/** c=<nettype> <addrtype> <connection-address> (RFC 8866 §5.7); address may carry /ttl. */
export interface SdpConnection {
  netType: string;
  addrType: string;
  address: string;
}

/** a=<name> or a=<name>:<value> (RFC 8866 §5.13); value is null for property attributes. */
export interface SdpAttribute {
  name: string;
  value: string | null;
}

/** o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address> (RFC 8866 §5.2). */
export interface SdpOrigin {
  username: string;
  /** Kept as text: RFC 3264 §5 allows 64-bit values, past Number's exact range. */
  sessionId: string;
  sessionVersion: string;
  netType: string;
  addrType: string;
  address: string;
}

/** One media description: m= and the lines after it (RFC 8866 §5.14). */
export interface SdpMedia {
  media: string;
  port: number;
  /** The "/<number of ports>" suffix of m=, or null when absent. */
  portCount: number | null;
  proto: string;
  formats: string[];
  /** i= (media title). */
  title: string | null;
  connection: SdpConnection | null;
  /** Raw b= values, e.g. "AS:64", "TIAS:64000". */
  bandwidths: string[];
  attributes: SdpAttribute[];
  /**
   * k= and lines with a type letter we do not know, raw ("k=clear"), kept so serialization
   * is faithful; written just before the a= lines, where k= sits in RFC 8866 §5. Absent
   * when there are none.
   */
  otherLines?: string[];
}

export interface SessionDescription {
  /** v= (RFC 8866 §5.1): always 0. */
  version: number;
  origin: SdpOrigin;
  /** s= (RFC 8866 §5.3); devices send "-", " " or even an empty value. */
  sessionName: string;
  info: string | null;
  uri: string | null;
  emails: string[];
  phones: string[];
  connection: SdpConnection | null;
  bandwidths: string[];
  /**
   * The timing lines, raw and whole, in order: "t=0 0", and any "r=…" and "z=…" lines
   * (RFC 8866 §5.9–5.11). Whole lines, because a bare value would not say whether it was
   * a t= or an r=.
   */
  times: string[];
  attributes: SdpAttribute[];
  media: SdpMedia[];
  /** k= and unknown type letters at session level, raw; see SdpMedia.otherLines. */
  otherLines?: string[];
}

/** RFC 3264 §5.1 / RFC 8866 §6.7: the stream direction attributes. */
export type Direction = "sendrecv" | "sendonly" | "recvonly" | "inactive";

export const DIRECTIONS: readonly Direction[] = ["sendrecv", "sendonly", "recvonly", "inactive"];

/** The codecs hotline's media layer speaks (G.711, RFC 3551 §4.5.14). */
export type G711Name = "PCMA" | "PCMU";

/** RFC 3551 Table 4: the static payload types of G.711. */
export const G711_STATIC_PT: Readonly<Record<G711Name, number>> = { PCMU: 0, PCMA: 8 };

export interface G711Codec {
  pt: number;
  name: G711Name;
  clockRate: 8000;
}

/** What hotline needs to know about a peer's audio stream. */
export interface AudioDescription {
  /** Index of the m= line in SessionDescription.media. */
  index: number;
  address: string;
  port: number;
  rtcpPort: number;
  /** G.711 codecs only, in the order the m= line lists them. */
  codecs: G711Codec[];
  /** RFC 4733 telephone-event, preferring the 8000 Hz one that pairs with G.711. */
  telephoneEvent: { pt: number; clockRate: number } | null;
  /** The sender's direction, with the RFC 3264 §8.4 c=0.0.0.0 rule applied. */
  direction: Direction;
  ptime: number | null;
  /** The peer does not want to receive media (sendonly/inactive, or c=0.0.0.0). */
  hold: boolean;
}
