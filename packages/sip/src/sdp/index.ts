// SDP (RFC 8866) and offer/answer (RFC 3264) for hotline's media-anchoring B2BUA.
export type {
  SdpConnection,
  SdpAttribute,
  SdpOrigin,
  SdpMedia,
  SessionDescription,
  Direction,
  G711Name,
  G711Codec,
  AudioDescription,
} from "./sdp-model.js";
export { DIRECTIONS, G711_STATIC_PT } from "./sdp-model.js";
export { parseSdp, type SdpParseResult } from "./parse-sdp.js";
export { serializeSdp } from "./serialize-sdp.js";
export { rtpMaps, parseRtpmap, fmtpFor, type RtpMap } from "./rtp-map.js";
export { mediaDirection, connectionAddress, rtcpPort, packetTime, findAttribute } from "./sdp-media.js";
export { describeAudio, describeAudioAt } from "./describe-audio.js";
export { DEFAULT_PTIME, TELEPHONE_EVENTS, type LocalOrigin } from "./sdp-build.js";
export { buildOffer, type OfferOptions } from "./build-offer.js";
export { buildAnswer, answerDirection, type AnswerOptions, type AnswerResult } from "./build-answer.js";
export { negotiateAnswer, type NegotiateResult, type NegotiationFailure } from "./negotiate-answer.js";
export { SdpOriginState } from "./origin-state.js";
