/**
 * Reading one media description in the context of its session: direction, address, RTCP
 * port and packetization time, with media-level lines overriding session-level ones
 * (RFC 8866 §5.7, §6.7).
 */
import { parseDecimal, splitFields } from "./parse-sdp.js";
import { DIRECTIONS, type Direction, type SdpAttribute, type SdpMedia, type SessionDescription } from "./sdp-model.js";

/** The first attribute called `name`, or undefined. */
export function findAttribute(attrs: readonly SdpAttribute[], name: string): SdpAttribute | undefined {
  for (const a of attrs) if (a.name === name) return a;
  return undefined;
}

function directionAttribute(attrs: readonly SdpAttribute[]): Direction | null {
  for (const a of attrs) {
    if (a.value === null && (DIRECTIONS as readonly string[]).includes(a.name)) return a.name as Direction;
  }
  return null;
}

/**
 * The direction the author of `sdp` declares for `m`: the media-level attribute, else the
 * session-level one, else sendrecv (RFC 8866 §6.7, RFC 3264 §5.1).
 *
 * RFC 3264 §8.4: a connection address of 0.0.0.0 (the RFC 2543 way to hold) means "send
 * neither RTP nor RTCP to me", so the author does not receive: sendrecv → sendonly,
 * recvonly → inactive. Not applied when the description uses ICE (a=ice-ufrag), where
 * 0.0.0.0 with port 9 is Trickle ICE's placeholder for "no candidate yet" (RFC 8838,
 * RFC 8840), not hold.
 */
export function mediaDirection(sdp: SessionDescription, m: SdpMedia): Direction {
  const declared = directionAttribute(m.attributes) ?? directionAttribute(sdp.attributes) ?? "sendrecv";
  if (!isNullAddressHold(sdp, m)) return declared;
  if (declared === "sendrecv") return "sendonly";
  if (declared === "recvonly") return "inactive";
  return declared;
}

function isNullAddressHold(sdp: SessionDescription, m: SdpMedia): boolean {
  const address = connectionAddress(sdp, m);
  // "::" is the IPv6 spelling some stacks use for the same legacy hold.
  if (address !== "0.0.0.0" && address !== "::") return false;
  return findAttribute(m.attributes, "ice-ufrag") === undefined && findAttribute(sdp.attributes, "ice-ufrag") === undefined;
}

/**
 * The address to send `m`'s media to: the media-level c=, else the session-level one
 * (RFC 8866 §5.7), without a multicast "/ttl[/count]" suffix; null if neither exists.
 */
export function connectionAddress(sdp: SessionDescription, m: SdpMedia): string | null {
  const c = m.connection ?? sdp.connection;
  if (c === null) return null;
  const slash = c.address.indexOf("/");
  return slash === -1 ? c.address : c.address.slice(0, slash);
}

/**
 * The RTCP port for `m`: a=rtcp (RFC 3605 §2.1) when present and valid, else the RTP port
 * plus one (RFC 3550 §11). A rejected stream (port 0) has no RTCP: 0.
 */
export function rtcpPort(m: SdpMedia): number {
  if (m.port === 0) return 0;
  const a = findAttribute(m.attributes, "rtcp");
  if (a !== undefined && a.value !== null) {
    const port = parseDecimal(splitFields(a.value)[0] ?? "", 5);
    if (port > 0 && port <= 65535) return port;
  }
  return m.port + 1;
}

/** a=ptime in milliseconds (RFC 8866 §6.4), media-level first, else session-level; null if absent or invalid. */
export function packetTime(sdp: SessionDescription, m: SdpMedia): number | null {
  const a = findAttribute(m.attributes, "ptime") ?? findAttribute(sdp.attributes, "ptime");
  if (a === undefined || a.value === null) return null;
  const v = Number(a.value.trim());
  return Number.isFinite(v) && v > 0 ? v : null;
}
