/**
 * Shared vocabulary of the RTP relay: SDP directions, G.711 codecs, endpoint configuration,
 * play sources, events, statistics and drop reasons. `@hotline/media/node` re-exports the
 * public ones as the media engine's contract.
 */
import type { ToneName } from "../tones.js";
import type { WavAudio } from "../wav.js";
import type { RelayEndpoint } from "./relay-endpoint.js";

/** RFC 3264 §5.1 / RFC 4566 §6 media directions, from the peer's point of view. */
export const DIRECTIONS = ["sendrecv", "sendonly", "recvonly", "inactive"] as const;
export type Direction = (typeof DIRECTIONS)[number];

/** RFC 3551 §4.5.14: PCMA is static payload type 8, PCMU payload type 0. */
export const G711_CODECS = ["PCMA", "PCMU"] as const;
export type G711 = (typeof G711_CODECS)[number];
export const PCMU_PAYLOAD_TYPE = 0;
export const PCMA_PAYLOAD_TYPE = 8;

/** RTP clock rate of G.711 and of telephone-event at 8 kHz (RFC 3551 §4.5.14, RFC 4733 §2.1). */
export const RELAY_CLOCK_RATE = 8000;
/** Packet time of what we generate (tones, prompts, silence): 20 ms, RFC 3551 §4.2's default. */
export const RELAY_FRAME_MS = 20;
export const RELAY_FRAME_SAMPLES = 160;

export interface RemoteAddress {
  address: string;
  port: number;
  /** Default `port + 1` (RFC 3550 §11; RFC 3605 a=rtcp overrides it in SDP). */
  rtcpPort?: number;
}

/** What the peer's SDP negotiated for one endpoint. */
export interface EndpointConfig {
  /** From the peer's SDP; null = unknown yet (latching may still learn it). */
  remote: RemoteAddress | null;
  /** The codec and payload type this peer sends and receives. */
  codec: G711;
  pt: number;
  /** RFC 4733 telephone-event payload type, null when not negotiated. */
  dtmfPt: number | null;
  /** As negotiated, from the peer's point of view: sendonly = the peer only sends. */
  direction: Direction;
  /** Symmetric RTP ("comedia", RFC 4961's idea): send where the peer's RTP comes from. */
  latch: boolean;
}

/** The configuration of an endpoint nobody configured yet: learn the peer, speak PCMA. */
export const DEFAULT_ENDPOINT_CONFIG: Readonly<EndpointConfig> = Object.freeze({
  remote: null,
  codec: "PCMA",
  pt: PCMA_PAYLOAD_TYPE,
  dtmfPt: null,
  direction: "sendrecv",
  latch: true,
});

/** Tones a caller may ask for by name (a subset of tones.ts' TONE_NAMES). */
export type PlayTone = Extract<ToneName, "ringback" | "busy" | "congestion" | "dial">;

/**
 * What the relay core plays towards an endpoint. The adapter resolves files to audio
 * (`prompt`) before handing them over: the core reads no files.
 */
export type RelayPlaySource =
  | { kind: "tone"; tone: PlayTone }
  | { kind: "moh" }
  /** One file, or a playlist played back to back (one play-done after the last when not looping). */
  | { kind: "prompt"; audio: readonly WavAudio[]; loop: boolean }
  | { kind: "silence" };

/**
 * What call control asks the engine to play to an endpoint (the Node engine resolves `file` and
 * `files` to audio, giving the core a RelayPlaySource).
 */
export type PlaySource =
  | { kind: "tone"; tone: PlayTone }
  | { kind: "moh" }
  | { kind: "file"; path: string; loop: boolean }
  /** A playlist played back to back (say-number: "you are caller" + digits + "in the queue"); one play-done after the last file when not looping. */
  | { kind: "files"; paths: readonly string[]; loop: boolean }
  | { kind: "silence" };

/**
 * How an endpoint takes part in a mix room (supervisor listen/whisper/barge, conferences).
 * `listenTo: null` hears every other member; a list hears only those endpoint ids (whisper:
 * the caller listens to the agent only). `muted` contributes nothing (listen).
 */
export interface MixOptions {
  listenTo: readonly string[] | null;
  muted: boolean;
}

export type MediaEvent =
  /** RFC 4733 digit received on endpoint `id`, once per event, when it ends. */
  | { type: "dtmf"; id: string; digit: string; durationMs: number }
  /** A non-looping prompt finished; the endpoint is back to relaying. */
  | { type: "play-done"; id: string }
  /** No RTP for mediaTimeoutMs on a bridged endpoint. */
  | { type: "timeout"; id: string };

export interface EndpointStats {
  packetsIn: number;
  packetsOut: number;
  bytesIn: number;
  bytesOut: number;
  /** RFC 3550 A.3 cumulative lost of the source we hear now (0 before it is valid). */
  lost: number;
  /** RFC 3550 A.8 interarrival jitter of that source, in ms. */
  jitterMs: number;
  /** RFC 4733 digits received (one per event) and sent (forwarded or generated). */
  dtmfIn: number;
  dtmfOut: number;
  /** "ip:port" the RTP is latched to, null when not latched. */
  latchedTo: string | null;
  /** From the peer's RTCP report block about our stream (§6.4.1), null until one came. */
  remoteLoss: number | null;
  remoteJitterMs: number | null;
}

/**
 * Where the core's decisions go. An interface the adapter implements rather than returned
 * action arrays: the per-packet path must allocate nothing (README "Media engine").
 */
export interface RelayOutput {
  /** Send `data` (a whole RTP packet) to `to.rtpAddress:to.rtpPort` from `to`'s RTP port. */
  sendRtp(to: RelayEndpoint, data: Uint8Array): void;
  /** Send a compound RTCP packet to `to.rtcpAddress:to.rtcpPort` from `to`'s RTCP port. */
  sendRtcp(to: RelayEndpoint, data: Uint8Array): void;
  event(event: MediaEvent): void;
}

/** Why a received packet was not forwarded (each is counted; none is an error reply). */
export const RELAY_DROP_REASONS = [
  "not-rtp", // not a valid RTP header (RFC 3550 §5.1 / A.1 checks)
  "foreign-source", // latched: RTP from another address than the latched one
  "direction", // the peer's SDP direction says it must not send (recvonly/inactive)
  "unknown-pt", // payload type neither the negotiated codec, G.711 nor telephone-event
  "not-bridged", // audio on an endpoint that has no peer (IVR, parked): detected, not relayed
  "peer-not-receiving", // the peer is sendonly/inactive, or hears a prompt/tone/DTMF of ours
  "no-destination", // the peer's address is not known yet (no SDP, nothing latched)
  "dtmf-not-negotiated", // telephone-event towards a peer without it (the digit is still reported)
  "bad-rtcp", // an RTCP compound failed RFC 3550 A.2 checks
  "mix-late", // audio for a mix room older than what that member already gave (reordered, duplicate)
  "mix-overflow", // a mix member sent faster than the room mixes: the oldest buffered audio is dropped
] as const;
export type RelayDropReason = (typeof RELAY_DROP_REASONS)[number];
