/**
 * Transports and endpoints as the pure core sees them (RFC 3261 §18; RFC 7118 for
 * WebSocket). Reliability is an explicit input to the transaction layer: timers A, E and
 * G retransmit only over unreliable transports (RFC 3261 §17.1.1.2, §17.1.2.2, §17.2.1).
 */

export const TRANSPORT_KINDS = ["udp", "tcp", "tls", "ws", "wss"] as const;

export type TransportKind = (typeof TRANSPORT_KINDS)[number];

/** One side of a flow: the transport and the remote (or local) address and port. */
export interface Endpoint {
  transport: TransportKind;
  address: string;
  port: number;
}

/** TCP, TLS and WebSocket deliver or fail; only UDP loses and duplicates packets. */
export function isReliable(kind: TransportKind): boolean {
  return kind !== "udp";
}

/** The TransportKind for a Via sent-protocol transport ("UDP", "wss"), or null (SCTP, extensions). */
export function transportKindFromVia(transport: string): TransportKind | null {
  const t = transport.toLowerCase();
  return (TRANSPORT_KINDS as readonly string[]).includes(t) ? (t as TransportKind) : null;
}
