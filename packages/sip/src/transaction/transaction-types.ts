/**
 * Inputs and actions of the four transaction state machines (RFC 3261 §17). A machine
 * never knows where its peer is: the TransactionLayer adds destinations and transaction
 * references to what a machine returns.
 */
import type { SipMessage, SipRequest, SipResponse } from "../message.js";
import type { TimerName, TimerSettings } from "./timers.js";

export type TransactionKind = "invite-client" | "non-invite-client" | "invite-server" | "non-invite-server";

/** What a transaction user holds on to: a stable id, the kind, and the method that created it. */
export interface TransactionRef {
  readonly id: string;
  readonly kind: TransactionKind;
  readonly method: string;
}

export interface TransactionOptions {
  /** Whether the transport is reliable (TCP/TLS/WS): no A/E/G retransmissions, D/I/J/K = 0. */
  reliable: boolean;
  timers: TimerSettings;
}

export interface ClientTransactionOptions extends TransactionOptions {
  /** The request as the TU built it; the transaction adds nothing to it. */
  request: SipRequest;
}

export interface ServerTransactionOptions extends TransactionOptions {
  /** The request that created the transaction. */
  request: SipRequest;
}

export type ClientTransactionInput =
  /** The TU hands the request over: send it and start the timers. Once. */
  | { type: "start" }
  /** A response matched to this transaction (RFC 3261 §17.1.3). */
  | { type: "response"; response: SipResponse }
  /** `now` reached nextDeadline(). */
  | { type: "tick" }
  /** The transport failed to send one of our messages (RFC 3261 §17.1.4). */
  | { type: "transport-error" };

export type ServerTransactionInput =
  /** The transaction was created for a received request: start the timers. Once. */
  | { type: "start" }
  /** A retransmission of the request that created the transaction. */
  | { type: "request"; request: SipRequest }
  /** An ACK matched to this (INVITE) transaction (RFC 3261 §17.2.3). */
  | { type: "ack"; request: SipRequest }
  /** The TU's response to send. */
  | { type: "response"; response: SipResponse }
  | { type: "tick" }
  | { type: "transport-error" };

export type TransactionAction =
  /** Hand a message to the transport, towards this transaction's peer. */
  | { type: "send"; message: SipMessage }
  /** Client transactions: pass a response up to the TU. */
  | { type: "response"; response: SipResponse }
  /** INVITE server transaction in Accepted: pass an ACK (for a 2xx) up to the TU (RFC 6026 §8.7). */
  | { type: "ack-2xx"; request: SipRequest }
  /** The transaction timed out (Timer B, F or H); the TU reacts (a client TU acts as if it got 408, RFC 3261 §8.1.3.1). */
  | { type: "timeout"; timer: TimerName }
  | { type: "transport-error" }
  /** The machine reached Terminated; it will produce nothing more. */
  | { type: "terminated" };

/** The inputs every machine handles alike (TransactionMachine). */
export type CommonTransactionInput = Extract<ClientTransactionInput | ServerTransactionInput, { type: "start" | "tick" | "transport-error" }>;
/** The rest: what each client machine handles its own way (a response). */
export type ClientMessageInput = Exclude<ClientTransactionInput, CommonTransactionInput>;
/** The rest: what each server machine handles its own way (a retransmission, an ACK, the TU's response). */
export type ServerMessageInput = Exclude<ServerTransactionInput, CommonTransactionInput>;

export function statusClass(status: number): "provisional" | "success" | "final-failure" {
  if (status < 200) return "provisional";
  return status < 300 ? "success" : "final-failure";
}
