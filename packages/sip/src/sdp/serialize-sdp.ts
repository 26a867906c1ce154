/**
 * SDP serializer: CRLF line ends (RFC 8866 §5) and the §5 line order —
 * session: v o s i u e* p* c b* (t r*)+ z k a*; media: m i c b* k a*.
 * Timing and unknown lines are written as the model holds them (raw, whole lines).
 */
import type { SdpAttribute, SdpConnection, SdpMedia, SdpOrigin, SessionDescription } from "./sdp-model.js";

export function serializeSdp(sdp: SessionDescription): string {
  let out = `v=${sdp.version}\r\no=${originValue(sdp.origin)}\r\ns=${sdp.sessionName}\r\n`;
  if (sdp.info !== null) out += `i=${sdp.info}\r\n`;
  if (sdp.uri !== null) out += `u=${sdp.uri}\r\n`;
  for (const e of sdp.emails) out += `e=${e}\r\n`;
  for (const p of sdp.phones) out += `p=${p}\r\n`;
  if (sdp.connection !== null) out += `c=${connectionValue(sdp.connection)}\r\n`;
  for (const b of sdp.bandwidths) out += `b=${b}\r\n`;
  for (const t of sdp.times) out += `${t}\r\n`;
  if (sdp.otherLines !== undefined) for (const l of sdp.otherLines) out += `${l}\r\n`;
  out += attributeLines(sdp.attributes);
  for (const m of sdp.media) out += mediaLines(m);
  return out;
}

export function originValue(o: SdpOrigin): string {
  return `${o.username} ${o.sessionId} ${o.sessionVersion} ${o.netType} ${o.addrType} ${o.address}`;
}

export function connectionValue(c: SdpConnection): string {
  return `${c.netType} ${c.addrType} ${c.address}`;
}

function mediaLines(m: SdpMedia): string {
  let out = `m=${m.media} ${m.port}${m.portCount === null ? "" : `/${m.portCount}`} ${m.proto}`;
  for (const f of m.formats) out += ` ${f}`;
  out += "\r\n";
  if (m.title !== null) out += `i=${m.title}\r\n`;
  if (m.connection !== null) out += `c=${connectionValue(m.connection)}\r\n`;
  for (const b of m.bandwidths) out += `b=${b}\r\n`;
  if (m.otherLines !== undefined) for (const l of m.otherLines) out += `${l}\r\n`;
  return out + attributeLines(m.attributes);
}

function attributeLines(attrs: readonly SdpAttribute[]): string {
  let out = "";
  for (const a of attrs) out += a.value === null ? `a=${a.name}\r\n` : `a=${a.name}:${a.value}\r\n`;
  return out;
}
