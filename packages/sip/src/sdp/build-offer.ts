/**
 * The offer hotline sends on an outbound leg (or in a re-INVITE): one RTP/AVP audio
 * stream at hotline's own anchored address and port (RFC 3264 §5).
 */
import { audioMedia, DEFAULT_PTIME, sessionWith, staticCodec, type LocalOrigin } from "./sdp-build.js";
import type { Direction, G711Name, SessionDescription } from "./sdp-model.js";

export interface OfferOptions {
  origin: LocalOrigin;
  /** hotline's media address (session-level c=). */
  address: string;
  /** hotline's RTP port for this leg; RTCP is on port + 1 (RFC 3550 §11), so no a=rtcp. */
  port: number;
  /** In preference order; each uses its RFC 3551 static payload type (PCMU 0, PCMA 8). */
  codecs: readonly G711Name[];
  /** A dynamic payload type (96–127) for RFC 4733 telephone-event/8000, or null for none. */
  telephoneEventPt: number | null;
  direction: Direction;
  /** Milliseconds; defaults to 20. */
  ptime?: number;
}

/**
 * Builds the offer. Throws RangeError on a programming error (no codec, a telephone-event
 * payload type outside the dynamic range 96–127 of RFC 3551 §3, or a bad port): those are
 * bugs in the caller, not bad input from the network.
 */
export function buildOffer(opts: OfferOptions): SessionDescription {
  const names = [...new Set(opts.codecs)];
  if (names.length === 0) throw new RangeError("buildOffer: codecs must not be empty");
  const te = opts.telephoneEventPt;
  if (te !== null && !(Number.isInteger(te) && te >= 96 && te <= 127)) throw new RangeError(`buildOffer: telephoneEventPt ${te} is not a dynamic payload type (96-127)`);
  if (!(Number.isInteger(opts.port) && opts.port > 0 && opts.port <= 65535)) throw new RangeError(`buildOffer: bad port ${opts.port}`);
  const audio = audioMedia({
    port: opts.port,
    proto: "RTP/AVP",
    codecs: names.map(staticCodec),
    telephoneEventPt: te,
    ptime: opts.ptime ?? DEFAULT_PTIME,
    direction: opts.direction,
  });
  return sessionWith(opts.origin, opts.address, [audio]);
}
