/**
 * What call control needs from the outside world, as small interfaces the server
 * implements: the SIP transaction layer (SipPort), the RTP media plane (MediaPort), a clock
 * with timers (Scheduler) and the durable record of calls (CallRecorder). Tests give fakes.
 * No Node types here: the switch stays portable (ARCHITECTURE.md).
 */
import type { EndpointConfig, EndpointStats, MediaEvent, MixOptions, PlaySource } from "@hotline/media";
import type { FlowEndpoint, SipMessage, SipRequest, SipResponse, TransportKind } from "@hotline/sip";

export interface ClientTransactionHandler {
  onResponse(response: SipResponse): void;
  /** Timer B/F or a transport error: act as if a 408 arrived (RFC 3261 §8.1.3.1). */
  onFailure(reason: "timeout" | "transport-error"): void;
}

export interface SipPort {
  /** A response of server transaction `txId` (1xx, 2xx incl. our 2xx retransmissions, final). */
  respond(txId: string, response: SipResponse): void;
  /** A request in a new client transaction towards `destination`. */
  sendRequest(request: SipRequest, destination: FlowEndpoint, handler: ClientTransactionHandler): void;
  /** Outside any transaction: the ACK for a 2xx (RFC 3261 §13.2.2.4). */
  sendStateless(message: SipMessage, destination: FlowEndpoint): void;
  /** The INVITE server transaction a CANCEL targets (RFC 3261 §9.2), if it still exists. */
  inviteTransactionFor(cancel: SipRequest): string | null;
  /** Our Via sent-by ("host:port") for a transport, or null when we don't listen on it. */
  sentBy(transport: TransportKind): string | null;
  /** A fresh RFC 3261 branch ("z9hG4bK…"). */
  newBranch(): string;
  /** A fresh random token (tags, Call-IDs): at least 32 random bits (§19.3). */
  newToken(): string;
}

// The media plane's value types are @hotline/media's own (the Node engine uses the same ones):
// call control only renames two of them for readability here.
export type { Direction, G711, MediaEvent, MixOptions, PlaySource } from "@hotline/media";
export type MediaEndpointConfig = EndpointConfig;
export type MediaStats = EndpointStats;

export interface MediaEndpoint {
  id: string;
  address: string;
  rtpPort: number;
  rtcpPort: number;
}

/** The media plane (implemented by @hotline/media/node's MediaEngine). */
export interface MediaPort {
  allocate(group: string): Promise<MediaEndpoint>;
  configure(id: string, cfg: MediaEndpointConfig): void;
  bridge(a: string, b: string): void;
  unbridge(id: string): void;
  play(id: string, source: PlaySource | null): void;
  /**
   * Puts endpoint `id` in mix room `room` (created by its first member), leaving any bridge:
   * what it receives is mixed, what it is sent is the mix of the members it listens to.
   * Called again for a member it changes the options (listen → whisper → barge).
   */
  mix(id: string, room: string, options: MixOptions): void;
  /** Takes `id` out of its room (a room without members is gone); it then hears silence until bridged or played to. */
  unmix(id: string): void;
  sendDtmf(id: string, digit: string, durationMs?: number): void;
  onEvent(listener: (e: MediaEvent) => void): void;
  stats(id: string): Promise<MediaStats | null>;
  release(id: string): Promise<void>;
}

/** A cancel function for one scheduled callback. */
export type CancelTimer = () => void;

export interface Scheduler {
  now(): number;
  /** Runs `fn` once after `ms`; the returned function cancels it (idempotent). */
  after(ms: number, fn: () => void): CancelTimer;
}
