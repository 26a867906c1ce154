/**
 * When hotline was the offerer: read the peer's answer against the offer hotline sent
 * (RFC 3264 §7) and say what to send, where, and with which payload types.
 */
import { describeAudioAt } from "./describe-audio.js";
import type { AudioDescription, Direction, G711Name, SessionDescription } from "./sdp-model.js";

export type NegotiationFailure =
  /** RFC 3264 §6: the answer must have as many m= lines as the offer. */
  | "m-line-count"
  /** The offer had no audio stream, or the answer turned it into another media type. */
  | "no-audio"
  /** The answerer rejected the audio stream (port 0, RFC 3264 §6). */
  | "rejected"
  /** Neither the answer's m= line nor its session has a c= line. */
  | "no-connection"
  /** The answer lists no G.711 codec at all. */
  | "no-common-codec"
  /** The answer's G.711 codecs are not among those offered (RFC 3264 §6.1 forbids it). */
  | "codec-not-offered";

export type NegotiateResult =
  | {
      ok: true;
      /** The codec to send: the first G.711 one in the answer that was offered. */
      codec: { pt: number; name: G711Name };
      /**
       * Payload type to send RFC 4733 events with: the answer's number, because each side
       * sends with the numbers the receiver declared (RFC 3264 §5.1); null if not agreed.
       */
      telephoneEventPt: number | null;
      address: string;
      port: number;
      rtcpPort: number;
      /** The answerer's direction as written (its point of view), c=0.0.0.0 rule applied. */
      direction: Direction;
      remote: AudioDescription;
    }
  | { ok: false; reason: NegotiationFailure; error: string };

export function negotiateAnswer(offer: SessionDescription, answer: SessionDescription): NegotiateResult {
  if (answer.media.length !== offer.media.length) {
    return failure("m-line-count", `answer has ${answer.media.length} m= lines, offer had ${offer.media.length}`);
  }
  const index = offer.media.findIndex((m) => m.media === "audio" && m.port !== 0);
  const offered = index === -1 ? null : describeAudioAt(offer, index);
  if (offered === null) return failure("no-audio", "the offer has no audio stream");
  const m = answer.media[index]!;
  if (m.media !== "audio") return failure("no-audio", `answer m= line ${index} is ${m.media}, offer was audio`);
  if (m.port === 0) return failure("rejected", `answer rejected the audio stream (m= line ${index}, port 0)`);
  const remote = describeAudioAt(answer, index);
  if (remote === null) return failure("no-connection", `answer has no c= line for m= line ${index}`);
  if (remote.codecs.length === 0) return failure("no-common-codec", "answer lists no G.711 codec");
  const codec = remote.codecs.find((c) => offered.codecs.some((o) => o.name === c.name));
  if (codec === undefined) return failure("codec-not-offered", `answer codec ${remote.codecs.map((c) => c.name).join(",")} was not offered`);
  const te = offered.telephoneEvent !== null && remote.telephoneEvent !== null && remote.telephoneEvent.clockRate === 8000 ? remote.telephoneEvent.pt : null;
  return {
    ok: true,
    codec: { pt: codec.pt, name: codec.name },
    telephoneEventPt: te,
    address: remote.address,
    port: remote.port,
    rtcpPort: remote.rtcpPort,
    direction: remote.direction,
    remote,
  };
}

function failure(reason: NegotiationFailure, error: string): NegotiateResult {
  return { ok: false, reason, error };
}
