// @hotline/media: pure media code (no sockets, no timers); see README.md.
export * from "./g711.js";
export * from "./wav.js";
export * from "./rtp-packet.js";
export * from "./rtcp.js";
export * from "./rtcp-build.js";
export * from "./ntp-time.js";
export * from "./receiver-stats.js";
export * from "./telephone-event.js";
export * from "./dtmf-receiver.js";
export * from "./dtmf-sender.js";
export * from "./mixer.js";
export * from "./port-pool.js";
export * from "./tones.js";
export * from "./prompt-player.js";
export * from "./moh.js";
export * from "./relay/index.js";
