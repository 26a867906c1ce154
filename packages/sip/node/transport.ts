/**
 * The contract between SIP transports (UDP, TCP, TLS, WS, WSS) and their consumer.
 * Transports move bytes: they frame stream input into messages and deliver each
 * message's bytes with where and when it arrived. Parsing happens in the consumer.
 */
import type { FlowEndpoint, TransportKind } from "@hotline/sip";

export type { FlowEndpoint };

/** One received SIP message (or the bytes of one datagram). */
export interface InboundMessage {
  bytes: Uint8Array;
  /** Sender; `connectionId` is set for connection-oriented transports (RFC 5626 flows). */
  source: FlowEndpoint;
  /** `now()` of the transport when the message was framed (ms, Date.now by default). */
  receivedAt: number;
}

export type MessageHandler = (message: InboundMessage) => void;

/** Where a transport listens once bound (port 0 resolved to the real port). */
export interface BoundAddress {
  transport: TransportKind;
  address: string;
  port: number;
}

/** The subset of a pino logger the transports use. */
export interface TransportLog {
  warn(obj: Record<string, unknown>, msg: string): void;
}

/** Every drop has a reason and a counter (STYLE.md §6). */
export const DROP_REASONS = [
  /** A datagram, stream message or WebSocket message over maxMessageSize. */
  "oversize",
  /** A stream whose Content-Length is missing or malformed (RFC 3261 §18.3); closed. */
  "bad-framing",
  /** A connection refused: the remote IP already has maxConnectionsPerIp. */
  "connection-limit",
  /** A WebSocket handshake without the `sip` subprotocol (RFC 7118 §4.1). */
  "no-sip-subprotocol",
  /** send(): no such connection (closed, unknown id), bad destination, or transport closed. */
  "unroutable",
  /** send(): the connection's write buffer is over its limit (a peer not reading). */
  "write-buffer-full",
  /** An outbound connection could not be established; what was queued on it is lost. */
  "connect-failed",
  /** The OS refused a datagram (EMSGSIZE, EHOSTUNREACH, …) or a socket write failed. */
  "send-error",
  /** The last-resort guard caught an exception while serving input (STYLE.md §4). */
  "handler-error",
  /** A TLS handshake failed or timed out (not TLS, certificate refused, too slow). */
  "tls-handshake",
] as const;

export type DropReason = (typeof DROP_REASONS)[number];

/** Per-transport counters, a plain object for the server to render as Prometheus text. */
export interface TransportCounters {
  /** Datagrams received (UDP) or messages framed (TCP/TLS/WS). */
  packets_in: number;
  packets_out: number;
  bytes_in: number;
  bytes_out: number;
  /** Gauge: connections currently open (always 0 for UDP). */
  connections_open: number;
  /** Connections closed for lack of traffic (idleTimeoutMs). */
  connections_idle_closed: number;
  /** Keep-alives received: CRLFCRLF pings (answered with CRLF, RFC 5626 §3.5.1), CRLF-only datagrams. */
  keepalives: number;
  drops: Record<DropReason, number>;
}

export interface SipTransport {
  readonly kind: TransportKind;
  /** Binds the socket/server; resolves with the bound address. */
  listen(): Promise<BoundAddress>;
  /**
   * Sends one message. Over TCP/TLS/WS: on `destination.connectionId` if given (false if
   * that connection is gone: RFC 5626 flows are not re-created towards the UA), else on
   * an open connection to address:port, else on a new outbound connection.
   * Returns false (and counts a drop) when the message cannot be routed now;
   * asynchronous failures (connect refused) are counted, not reported.
   */
  send(bytes: Uint8Array, destination: FlowEndpoint): boolean;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
  /** Sets the (single) consumer of received messages. */
  onMessage(handler: MessageHandler): void;
  /** A snapshot of the counters. */
  counters(): TransportCounters;
}

/** Options every transport takes. */
export interface TransportOptions {
  /** Address to bind: "127.0.0.1", "0.0.0.0", "::", … */
  address: string;
  /** Port to bind; 0 picks a free one (tests). */
  port: number;
  /** Largest datagram or message accepted, in bytes. Default 65535. */
  maxMessageSize?: number;
  /**
   * UDP only: SO_RCVBUF requested, in bytes (the kernel doubles it for bookkeeping and caps
   * it at net.core.rmem_max). Default 256 KiB, as Kamailio's default maxbuffer: the buffer
   * is what absorbs a burst while the event loop is busy.
   */
  receiveBufferBytes?: number;
  log?: TransportLog;
  /** Clock for receivedAt and idle timeouts. Default Date.now. */
  now?: () => number;
}

/** Client-side TLS settings for outbound TLS/WSS connections. */
export interface ClientTlsOptions {
  /** PEM file of the CAs to trust instead of Node's defaults. */
  caPath?: string;
  /** Default true; false accepts any certificate (tests, lab setups only). */
  rejectUnauthorized?: boolean;
}

/** Server certificate for TLS/WSS listeners. */
export interface ServerTlsOptions {
  /** PEM certificate (chain) file. */
  certPath: string;
  /** PEM private key file. */
  keyPath: string;
}

/** Options of connection-oriented transports (TCP, TLS, WS, WSS). */
export interface ConnectionTransportOptions extends TransportOptions {
  /** Inbound connections allowed per remote IP; more are refused. Default 500. */
  maxConnectionsPerIp?: number;
  /** Close a connection after this long without traffic either way. Default 3 900 000 (65 min). */
  idleTimeoutMs?: number;
  /** Refuse to queue more when a connection has this many unsent bytes. Default 1 MiB. */
  maxWriteBuffer?: number;
  /** For outbound TLS/WSS connections. */
  clientTls?: ClientTlsOptions;
}

export const DEFAULT_MAX_CONNECTIONS_PER_IP = 500;
/** Longer than the common 3600 s registration, so a registered UA's flow survives. */
export const DEFAULT_IDLE_TIMEOUT_MS = 3_900_000;
export const DEFAULT_MAX_WRITE_BUFFER = 1 << 20;
