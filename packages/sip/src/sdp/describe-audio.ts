/**
 * The audio summary hotline works from: where to send, which G.711 codecs and which
 * telephone-event payload type the peer offers, and whether it is holding the call.
 * Codecs other than G.711 are ignored: hotline's media layer only does A-law and µ-law.
 */
import { rtpMaps } from "./rtp-map.js";
import { connectionAddress, mediaDirection, packetTime, rtcpPort } from "./sdp-media.js";
import type { AudioDescription, G711Codec, SessionDescription } from "./sdp-model.js";

/** The first audio m= line that is not rejected (port 0, RFC 3264 §6), summarised; null if none. */
export function describeAudio(sdp: SessionDescription): AudioDescription | null {
  for (let i = 0; i < sdp.media.length; i++) {
    const m = sdp.media[i]!;
    if (m.media === "audio" && m.port !== 0) return describeAudioAt(sdp, i);
  }
  return null;
}

/** The m= line at `index` summarised as audio; null if there is none or it has no address (no c=). */
export function describeAudioAt(sdp: SessionDescription, index: number): AudioDescription | null {
  const m = sdp.media[index];
  if (m === undefined) return null;
  const address = connectionAddress(sdp, m);
  if (address === null) return null;
  const codecs: G711Codec[] = [];
  let event8000: { pt: number; clockRate: number } | null = null;
  let eventOther: { pt: number; clockRate: number } | null = null;
  for (const r of rtpMaps(m)) {
    const name = r.encodingName.toUpperCase();
    if (name === "PCMA" || name === "PCMU") {
      // RFC 3551 §4.5.14: G.711 is 8000 Hz mono; anything else is not a codec we can run.
      if (r.clockRate === 8000 && (r.channels === null || r.channels === 1)) codecs.push({ pt: r.pt, name, clockRate: 8000 });
    } else if (name === "TELEPHONE-EVENT") {
      // RFC 4733 recommends events share the RTP clock rate of the audio they accompany,
      // so the 8000 Hz one goes with G.711; Chrome and Linphone also offer 16000/48000 ones.
      if (r.clockRate === 8000) event8000 ??= { pt: r.pt, clockRate: 8000 };
      else eventOther ??= { pt: r.pt, clockRate: r.clockRate };
    }
  }
  const direction = mediaDirection(sdp, m);
  return {
    index,
    address,
    port: m.port,
    rtcpPort: rtcpPort(m),
    codecs,
    telephoneEvent: event8000 ?? eventOther,
    direction,
    ptime: packetTime(sdp, m),
    hold: direction === "sendonly" || direction === "inactive",
  };
}
