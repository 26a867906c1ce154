/**
 * What the TransactionLayer returns to its callers (the transport adapter and the
 * TransactionUser), its options and its counters.
 */
import type { SipMessage, SipRequest, SipResponse } from "../message.js";
import type { Endpoint } from "../transport-types.js";
import type { TimerName, TimerSettings } from "./timers.js";
import type { TransactionRef } from "./transaction-types.js";

export type TransactionLayerAction =
  /**
   * For the adapter: put `message` on the wire. Requests (and ACKs for non-2xx) go to the
   * destination given to sendRequest. Responses go to the `source` the request came from;
   * the adapter applies RFC 3261 §18.2.2 / RFC 3581 (same connection when reliable, else
   * the top Via's received/rport or sent-by port) from that and the response's top Via.
   * `tx` is null for sendStateless.
   */
  | { type: "send"; message: SipMessage; destination: Endpoint; tx: TransactionRef | null }
  /** For the TU: a new server transaction; answer it with sendResponse(tx.id, …). */
  | { type: "request"; tx: TransactionRef; request: SipRequest; source: Endpoint }
  /**
   * For the TU: a new server transaction for a merged request (RFC 3261 §8.2.2.2); the TU
   * SHOULD answer it 482 Loop Detected through sendResponse(tx.id, …).
   */
  | { type: "merged-request"; tx: TransactionRef; request: SipRequest; source: Endpoint }
  /**
   * For the TU: an ACK that is not for a non-2xx of ours: either matched to an INVITE
   * server transaction in Accepted (RFC 6026 §8.7, `tx` set) or matching no transaction at
   * all (`tx` null: the ACK for a 2xx has its own branch, §17.1.1.3). The dialog layer
   * matches it; a stray one is dropped there.
   */
  | { type: "ack-2xx"; request: SipRequest; source: Endpoint; tx: TransactionRef | null }
  /** For the TU: a response of one of its client transactions (1xx, 2xx incl. retransmissions in Accepted, the first non-2xx). */
  | { type: "response"; tx: TransactionRef; response: SipResponse }
  /** For the TU: Timer B/F (client: act as if 408 arrived, §8.1.3.1) or Timer H (server: no ACK came). */
  | { type: "timeout"; tx: TransactionRef; timer: TimerName }
  /** For the TU: the adapter reported a transport failure for this transaction (§17.1.4, §17.2.4). */
  | { type: "transport-error"; tx: TransactionRef }
  /** The transaction is gone: the layer forgot it, its id is no longer valid. */
  | { type: "terminated"; tx: TransactionRef }
  /**
   * A response matching no client transaction (§18.1.2: dropped, and counted). Given to
   * the TU anyway: a 2xx retransmission after Timer M still needs its ACK resent (§13.2.2.4).
   */
  | { type: "stray-response"; response: SipResponse; source: Endpoint }
  /**
   * A new request refused because maxServerTransactions are open: no transaction was
   * created; the TU answers 503 statelessly (sendStateless) or drops it.
   */
  | { type: "overload"; request: SipRequest; source: Endpoint };

export type TransactionLayerActionType = TransactionLayerAction["type"];

export interface TransactionLayerOptions {
  /** T1/T2/T4 for every transaction of this layer; defaults 500/4000/5000 ms. */
  timers?: Partial<TimerSettings>;
  /** Cap on concurrent server transactions; beyond it new requests yield "overload". */
  maxServerTransactions?: number;
}

export const DEFAULT_MAX_SERVER_TRANSACTIONS = 20_000;

/** Monotonic counters, for the metrics endpoint (STYLE.md §6: every drop has a counter). */
export interface TransactionCounters {
  /** Responses matching no client transaction (§18.1.2). */
  strayResponses: number;
  /** ACKs matching no server transaction (passed to the TU as ack-2xx with tx null). */
  acksWithoutTransaction: number;
  /** Requests detected as merged (§8.2.2.2). */
  mergedRequests: number;
  /** New requests refused by maxServerTransactions. */
  serverTransactionsRejected: number;
  /** Messages without the Via/From/To/Call-ID/CSeq needed to match them (sanity should have dropped them). */
  unmatchable: number;
  /** sendResponse/transportError for an id that is no longer (or never was) a transaction. */
  unknownTransaction: number;
  /** Timer B/F/H expiries. */
  timeouts: number;
  /** Transactions created, per side. */
  clientTransactionsCreated: number;
  serverTransactionsCreated: number;
}
