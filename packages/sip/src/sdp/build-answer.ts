/**
 * The answer hotline gives to an offer on an inbound leg (RFC 3264 §6). hotline anchors
 * media, so the answer carries hotline's own address and port, one G.711 codec and, if
 * offered, telephone-event; every other stream is rejected.
 */
import { describeAudioAt } from "./describe-audio.js";
import { audioMedia, DEFAULT_PTIME, sessionWith, type LocalOrigin } from "./sdp-build.js";
import type { AudioDescription, Direction, G711Name, SdpMedia, SessionDescription } from "./sdp-model.js";

export interface AnswerOptions {
  origin: LocalOrigin;
  address: string;
  port: number;
  /** The codecs hotline accepts (preference order, used only to filter: see buildAnswer). */
  supported: readonly G711Name[];
  /** hotline's own wish, e.g. "sendonly" while it plays music on hold; defaults to sendrecv. */
  direction?: Direction;
  /** Milliseconds; defaults to 20. */
  ptime?: number;
}

export type AnswerResult =
  | { ok: true; sdp: SessionDescription; codec: { pt: number; name: G711Name }; telephoneEventPt: number | null; remote: AudioDescription }
  | { ok: false; reason: "no-audio" | "no-common-codec"; status: 488 };

/** The RTP profiles hotline can answer in: plain RTP, and AVPF with no feedback negotiated. */
const ANSWERABLE_PROTOS: readonly string[] = ["RTP/AVP", "RTP/AVPF"];

/**
 * RFC 3264 §6.1 direction table: the answer may only send if the offerer receives and only
 * receive if the offerer sends; within that, hotline's own `local` wish applies.
 * sendonly → recvonly, recvonly → sendonly, inactive → inactive, sendrecv → local.
 */
export function answerDirection(offered: Direction, local: Direction = "sendrecv"): Direction {
  const send = receives(offered) && sends(local);
  const recv = sends(offered) && receives(local);
  return send ? (recv ? "sendrecv" : "sendonly") : recv ? "recvonly" : "inactive";
}

function sends(d: Direction): boolean {
  return d === "sendrecv" || d === "sendonly";
}

function receives(d: Direction): boolean {
  return d === "sendrecv" || d === "recvonly";
}

/**
 * Answers `offer`. The accepted stream is the first audio m= line that is not rejected,
 * uses RTP/AVP(F), has an address and shares a G.711 codec with `supported`; its codec is
 * the first in the *offer's* order that hotline supports (the answerer honours the
 * offerer's preference, RFC 3264 §6.1), answered with the offerer's payload type numbers.
 * Every other m= line is answered with port 0 (RFC 3264 §6: same count, same order).
 * No usable stream gives 488 Not Acceptable Here (RFC 3261 §21.4.26).
 */
export function buildAnswer(offer: SessionDescription, local: AnswerOptions): AnswerResult {
  let sawAudio = false;
  for (let i = 0; i < offer.media.length; i++) {
    const m = offer.media[i]!;
    if (m.media !== "audio" || m.port === 0 || !ANSWERABLE_PROTOS.includes(m.proto)) continue;
    const remote = describeAudioAt(offer, i);
    if (remote === null) continue;
    sawAudio = true;
    const codec = remote.codecs.find((c) => local.supported.includes(c.name));
    if (codec === undefined) continue;
    const te = remote.telephoneEvent !== null && remote.telephoneEvent.clockRate === 8000 ? remote.telephoneEvent.pt : null;
    const accepted = audioMedia({
      port: local.port,
      proto: m.proto,
      codecs: [{ pt: codec.pt, name: codec.name }],
      telephoneEventPt: te,
      ptime: local.ptime ?? DEFAULT_PTIME,
      direction: answerDirection(remote.direction, local.direction),
    });
    const media = offer.media.map((other, j) => (j === i ? accepted : rejected(other)));
    return { ok: true, sdp: sessionWith(local.origin, local.address, media), codec: { pt: codec.pt, name: codec.name }, telephoneEventPt: te, remote };
  }
  return { ok: false, reason: sawAudio ? "no-common-codec" : "no-audio", status: 488 };
}

/** RFC 3264 §6: a rejected stream keeps its media, proto and formats, with port 0. */
function rejected(m: SdpMedia): SdpMedia {
  return { media: m.media, port: 0, portCount: null, proto: m.proto, formats: [...m.formats], title: null, connection: null, bandwidths: [], attributes: [] };
}
