// The sans-IO RTP relay (README "Media engine"); @hotline/media/node runs it on sockets.
export * from "./relay-types.js";
export { RtpView } from "./rtp-view.js";
export { OutboundStream, FEED_NONE, FEED_RELAY, FEED_PLAY, FEED_DTMF } from "./outbound-stream.js";
export { createFrameSource, type FrameSource } from "./frame-source.js";
export { RelayEndpoint, checkEndpointConfig, type QueuedDigit } from "./relay-endpoint.js";
export { buildReport, buildGoodbye, receiveReport } from "./relay-rtcp.js";
export { MAX_CATCH_UP_FRAMES, PLAY_SLOT_MS, DEFAULT_DTMF_DURATION_MS, playSlotAt } from "./relay-generate.js";
export { RelaySession, DEFAULT_MEDIA_TIMEOUT_MS, DEFAULT_RTCP_INTERVAL_MS, HOUSEKEEPING_MS, type RelaySessionOptions } from "./relay-session.js";
export { MixRoom, MixRooms, MixMember, MIX_ROOM_MAX_MEMBERS } from "./mix-room.js";
export { MixInput, MIX_PRIME_SAMPLES, MIX_BUFFER_SAMPLES } from "./mix-input.js";
