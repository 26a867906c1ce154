/**
 * Messages between the engine (main thread) and a media worker. Control flows one way
 * (allocate/configure/bridge/play/release …); events and replies come back. No packet ever
 * crosses: each worker owns its endpoints' sockets.
 */
import type { EndpointConfig, EndpointStats, MediaEvent } from "@hotline/media";
import type { HostCounters, MediaHostOptions, OpenResult } from "./media-host.js";
import type { MixOptions, PlaySource } from "./types.js";

/** workerData of a media worker. */
export type WorkerInit = MediaHostOptions;

export type WorkerRequest =
  | { op: "open"; req: number; id: string; rtpPort: number; rtcpPort: number }
  | { op: "configure"; id: string; cfg: EndpointConfig }
  | { op: "bridge"; a: string; b: string }
  | { op: "unbridge"; id: string }
  | { op: "play"; id: string; source: PlaySource | null }
  | { op: "mix"; id: string; room: string; options: MixOptions }
  | { op: "unmix"; id: string }
  | { op: "dtmf"; id: string; digit: string; durationMs: number }
  | { op: "stats"; req: number; id: string }
  | { op: "release"; req: number; id: string }
  | { op: "counters"; req: number }
  | { op: "close"; req: number };

export type WorkerReply = OpenResult | EndpointStats | null | boolean | HostCounters | undefined;

export type WorkerMessage = { type: "ready" } | { type: "reply"; req: number; result: WorkerReply } | { type: "event"; event: MediaEvent };
