/**
 * Building blocks shared by buildOffer and buildAnswer: the session lines hotline writes
 * (one session-level c= with its anchored media address, t=0 0 for an unbounded session)
 * and its single G.711 audio m= line.
 */
import { G711_STATIC_PT, type Direction, type G711Name, type SdpAttribute, type SdpMedia, type SdpOrigin, type SessionDescription } from "./sdp-model.js";

/** The origin fields hotline chooses; an SdpOrigin (e.g. from SdpOriginState) fits too. */
export interface LocalOrigin {
  username: string;
  sessionId: string;
  sessionVersion: number | string;
  address: string;
}

/** The packetization hotline's media layer sends (20 ms of G.711 = 160 bytes). */
export const DEFAULT_PTIME = 20;

/** RFC 4733 §3.2: DTMF 0-9 * # A-D are events 0-15; 16 is hook flash. */
export const TELEPHONE_EVENTS = "0-16";

export function addrTypeOf(address: string): "IP4" | "IP6" {
  return address.includes(":") ? "IP6" : "IP4";
}

export function sdpOrigin(o: LocalOrigin): SdpOrigin {
  return { username: o.username, sessionId: o.sessionId, sessionVersion: String(o.sessionVersion), netType: "IN", addrType: addrTypeOf(o.address), address: o.address };
}

export function sessionWith(origin: LocalOrigin, address: string, media: SdpMedia[]): SessionDescription {
  return {
    version: 0,
    origin: sdpOrigin(origin),
    // RFC 8866 §5.3: s= must not be empty; "-" is the customary "no name".
    sessionName: "-",
    info: null,
    uri: null,
    emails: [],
    phones: [],
    connection: { netType: "IN", addrType: addrTypeOf(address), address },
    bandwidths: [],
    times: ["t=0 0"],
    attributes: [],
    media,
  };
}

export interface AudioLine {
  port: number;
  proto: string;
  codecs: readonly { pt: number; name: G711Name }[];
  telephoneEventPt: number | null;
  ptime: number;
  direction: Direction;
}

/** One audio m= line with an a=rtpmap for every payload type (static ones too, for clarity). */
export function audioMedia(a: AudioLine): SdpMedia {
  const formats: string[] = [];
  const attributes: SdpAttribute[] = [];
  for (const c of a.codecs) {
    formats.push(String(c.pt));
    attributes.push({ name: "rtpmap", value: `${c.pt} ${c.name}/8000` });
  }
  if (a.telephoneEventPt !== null) {
    formats.push(String(a.telephoneEventPt));
    attributes.push({ name: "rtpmap", value: `${a.telephoneEventPt} telephone-event/8000` });
    attributes.push({ name: "fmtp", value: `${a.telephoneEventPt} ${TELEPHONE_EVENTS}` });
  }
  attributes.push({ name: "ptime", value: String(a.ptime) });
  attributes.push({ name: a.direction, value: null });
  return { media: "audio", port: a.port, portCount: null, proto: a.proto, formats, title: null, connection: null, bandwidths: [], attributes };
}

export function staticCodec(name: G711Name): { pt: number; name: G711Name } {
  return { pt: G711_STATIC_PT[name], name };
}
