/** Node adapters for the media core (`@hotline/media/node`): the media engine on UDP sockets and worker threads. */
export { MediaEngine, checkEngineOptions } from "./media-engine.js";
export type { Direction, G711, EndpointConfig, EndpointStats, MediaEvent, RemoteAddress, MediaEngineOptions, EndpointDescription, PlaySource, TonePlanName } from "./types.js";
export { TONE_PLAN_IDS } from "./types.js";
export type { HostCounters } from "./media-host.js";
