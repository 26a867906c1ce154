// The glue between sockets and the switch: every inbound datagram or framed stream message
// is classified (parse + sanity), answered statelessly or fed to the transaction layer,
// and the transaction layer's actions are carried out here. One timer drives every
// transaction deadline. Nothing thrown or rejected here may escape to the event loop.
import {
  classifyInbound,
  createResponse,
  getHeaderValues,
  headerField,
  isReliable,
  parseVia,
  responseDestination,
  responseFallback,
  addReceivedRport,
  serializeMessage,
  TransactionLayer,
  type FlowEndpoint,
  type SipMessage,
  type SipRequest,
  type SipResponse,
  type TransactionLayerAction,
  type TransactionRef,
} from "@hotline/sip";
import type { InboundMessage, TransportManager } from "@hotline/sip/node";
import type { Metrics, SipService } from "@hotline/switch";
import type { Logger } from "pino";

/**
 * Answered without a server transaction (RFC 3261 §8.2.7 stateless UAS), as Kamailio's
 * registrar does with sl_send_reply: a retransmission is simply processed again (the
 * registrar treats an equal Call-ID + CSeq as a retransmission). A transaction would hold
 * each REGISTER and its answer for Timer J (32 s over UDP): 2,000 registrations/s kept
 * 128,000 transactions alive and hit the server-transaction cap in the register bench.
 */
const STATELESS_METHODS: ReadonlySet<string> = new Set(["REGISTER", "OPTIONS"]);

/** Actions run after the transaction's sends (see SipCore.run). */
const LATE: ReadonlySet<TransactionLayerAction["type"]> = new Set(["response", "timeout", "transport-error", "terminated"]);

export interface ClientRequestHandler {
  onResponse(response: SipResponse): void;
  onFailure(reason: "timeout" | "transport-error"): void;
}

/** The transaction user for calls (the B2BUA): INVITE and everything in call dialogs. */
export interface CallTu {
  readonly methods: ReadonlySet<string>;
  onRequest(txId: string, request: SipRequest, source: FlowEndpoint): void;
  /** An ACK for a 2xx (no transaction of its own to match, RFC 3261 §17.1.1.3). */
  onAck(request: SipRequest): void;
}

export interface SipCoreDeps {
  transports: TransportManager;
  service: SipService;
  /**
   * Cap on live server transactions (beyond it new requests get 503). Each INVITE and BYE
   * lives 32 s over UDP (Timer L, RFC 6026; Timer J): a call rate R needs about 64·R.
   */
  maxServerTransactions?: number;
  /** Set once the call manager exists (it needs the core as its SIP port). */
  calls?: CallTu;
  metrics: Metrics;
  log: Logger;
  newTag: () => string;
  /** Requests from these sources are dropped before a transaction exists (brute-force block). */
  isBlocked: (address: string, now: number) => boolean;
}

export class SipCore {
  readonly transactions: TransactionLayer;
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Infinity;
  private readonly clients = new Map<string, ClientRequestHandler>();
  private lastDropLog = 0;
  private suppressedDropLogs = 0;

  constructor(readonly deps: SipCoreDeps) {
    this.transactions = new TransactionLayer({ maxServerTransactions: deps.maxServerTransactions ?? 100_000 });
    deps.transports.onMessage((m) => this.onInbound(m));
  }

  private onInbound(m: InboundMessage): void {
    const now = Date.now();
    const inbound = classifyInbound(m.bytes, { stream: false });
    if ((inbound.type === "request" || inbound.type === "reject") && this.deps.isBlocked(m.source.address, now)) {
      // Silence for a blocked source (see BruteForceGuard): no transaction, no answer, not
      // even a stateless 400 to a malformed request (any answer shows the switch is there).
      this.deps.metrics.inc("auth_blocked_drops_total");
      return;
    }
    switch (inbound.type) {
      case "drop":
        this.countDrop(inbound.reason, m.source, inbound.detail);
        return;
      case "reject":
        this.countDrop(inbound.reason, m.source, inbound.detail, inbound.status);
        this.sendStatelessReject(inbound.status, inbound.reason, inbound.headers, inbound.extraHeaders, m.source);
        return;
      case "request":
        addReceivedRport(inbound.request, m.source);
        if (STATELESS_METHODS.has(inbound.request.method)) this.dispatchStateless(inbound.request, m.source);
        else this.run(this.transactions.receiveRequest(inbound.request, m.source, now));
        return;
      case "response":
        this.run(this.transactions.receiveResponse(inbound.response, m.source, now));
        return;
    }
  }

  /** Sends a request in a new client transaction; the handler hears the outcome. */
  sendRequest(request: SipRequest, destination: FlowEndpoint, handler: ClientRequestHandler): void {
    const { tx, actions } = this.transactions.sendRequest(request, destination, Date.now());
    this.clients.set(tx.id, handler);
    this.run(actions);
  }

  /** Carries out transaction-layer actions, then re-arms the deadline timer. */
  private run(actions: TransactionLayerAction[]): void {
    // Responses reach the TU after the transaction's own sends: the ACK for a 407 must be
    // on the wire before the TU's re-INVITE with credentials (RFC 3261 §17.1.1.3, §22.2).
    // Endings (timeout, terminated) come after the responses they follow, or the TU's
    // handler would be forgotten before it heard the final response.
    for (const a of actions) if (!LATE.has(a.type)) this.guarded(a);
    for (const a of actions) if (a.type === "response") this.guarded(a);
    for (const a of actions) if (LATE.has(a.type) && a.type !== "response") this.guarded(a);
    this.arm();
  }

  private guarded(a: TransactionLayerAction): void {
    try {
      this.apply(a);
    } catch (err) {
      this.deps.log.error({ err, action: a.type }, "transaction action failed");
      this.deps.metrics.inc("sip_internal_errors_total");
    }
  }

  private apply(a: TransactionLayerAction): void {
    switch (a.type) {
      case "send":
        this.send(a.message, a.destination, a.tx);
        return;
      case "request":
        this.dispatch(a.tx, a.request, a.source);
        return;
      case "merged-request":
        // RFC 3261 §8.2.2.2: the same request reached us twice by different paths.
        this.respond(a.tx, createResponse(a.request, 482, { toTag: this.deps.newTag() }));
        return;
      case "overload":
        this.deps.metrics.inc("sip_overload_rejects_total");
        this.run(this.transactions.sendStateless(createResponse(a.request, 503, { toTag: this.deps.newTag(), headers: [headerField("Retry-After", "5")] }), a.source));
        return;
      case "response":
        this.clients.get(a.tx.id)?.onResponse(a.response);
        return;
      case "timeout":
      case "transport-error":
        this.clients.get(a.tx.id)?.onFailure(a.type === "timeout" ? "timeout" : "transport-error");
        this.clients.delete(a.tx.id);
        return;
      case "terminated":
        this.clients.delete(a.tx.id);
        return;
      case "ack-2xx":
        if (this.deps.calls !== undefined) this.deps.calls.onAck(a.request);
        else this.deps.metrics.inc("sip_unmatched_total", { kind: a.type });
        return;
      case "stray-response":
        this.deps.metrics.inc("sip_unmatched_total", { kind: a.type });
        return;
    }
  }

  private dispatch(tx: TransactionRef, request: SipRequest, source: FlowEndpoint): void {
    const calls = this.deps.calls;
    if (calls !== undefined && calls.methods.has(request.method)) {
      this.deps.metrics.inc("sip_requests_total", { method: request.method });
      try {
        calls.onRequest(tx.id, request, source);
      } catch (err) {
        this.deps.log.error({ err, method: request.method }, "call handling failed");
        this.deps.metrics.inc("sip_internal_errors_total");
        this.respond(tx, createResponse(request, 500, { toTag: this.deps.newTag() }));
      }
      return;
    }
    this.answer(request, source, (response) => this.respond(tx, response));
  }

  private dispatchStateless(request: SipRequest, source: FlowEndpoint): void {
    this.answer(request, source, (response) => this.sendResponseBytes(serializeMessage(response), response, source));
  }

  /** Runs the TU; a failing store or a bug answers 500 instead of leaving the phone to time out. */
  private answer(request: SipRequest, source: FlowEndpoint, send: (response: SipResponse) => void): void {
    this.deps.service
      .handle(request, { ...source }, Date.now())
      .then((decision) => send(decision.response))
      .catch((err: unknown) => {
        this.deps.log.error({ err, method: request.method }, "request handling failed");
        this.deps.metrics.inc("sip_internal_errors_total");
        send(createResponse(request, 500, { toTag: this.deps.newTag() }));
      });
  }

  private respond(tx: TransactionRef, response: SipResponse): void {
    this.respondTo(tx.id, response);
  }

  /** A response for server transaction `txId` (the call manager's SipPort.respond). */
  respondTo(txId: string, response: SipResponse): void {
    this.run(this.transactions.sendResponse(txId, response, Date.now()));
  }

  /** A message outside any transaction (the ACK for a 2xx, RFC 3261 §13.2.2.4). */
  sendStateless(message: SipMessage, destination: FlowEndpoint): void {
    this.run(this.transactions.sendStateless(message, destination));
  }

  private send(message: SipMessage, destination: FlowEndpoint, tx: TransactionRef | null): void {
    const bytes = serializeMessage(message);
    if (message.kind === "request") {
      const sent = this.deps.transports.send(bytes, destination);
      // RFC 3261 §17.1.4: a transport failure is reported to the transaction (a closed TCP
      // flow fails now rather than after Timer F). Deferred so actions are not re-entered.
      if (!sent && tx !== null && isReliable(destination.transport)) {
        queueMicrotask(() => this.run(this.transactions.transportError(tx.id, Date.now())));
      }
      return;
    }
    this.sendResponseBytes(bytes, message, destination);
  }

  /** RFC 3261 §18.2.2 / RFC 3581: responses follow the top Via, over the same flow if any. */
  private sendResponseBytes(bytes: Uint8Array, message: SipMessage, source: FlowEndpoint): void {
    const top = getHeaderValues(message, "via")[0];
    const via = top === undefined ? null : parseVia(top);
    if (via === null || !via.ok) {
      this.deps.transports.send(bytes, source); // unreadable Via: answer the packet's source
      return;
    }
    if (this.deps.transports.send(bytes, responseDestination(via.value, source))) return;
    const fallback = isReliable(source.transport) ? responseFallback(via.value, source) : null;
    if (fallback !== null) this.deps.transports.send(bytes, fallback);
  }

  private sendStatelessReject(status: number, reason: string, headers: SipMessage["headers"], extra: SipMessage["headers"], source: FlowEndpoint): void {
    const response = createResponse({ headers }, status, { reason, toTag: this.deps.newTag(), headers: extra });
    this.deps.metrics.inc("sip_responses_total", { status });
    this.sendResponseBytes(serializeMessage(response), response, source);
  }

  private countDrop(reason: string, source: FlowEndpoint, detail?: string, status?: number): void {
    this.deps.metrics.inc("sip_bad_message_total", { reason });
    // Malformed-input logs are rate-limited (Kamailio sip_parser_log): one per second.
    const now = Date.now();
    if (now - this.lastDropLog < 1000) {
      this.suppressedDropLogs++;
      return;
    }
    this.deps.log.warn({ reason, detail, status, source: `${source.transport}:${source.address}:${source.port}`, suppressed: this.suppressedDropLogs }, status === undefined ? "dropped bad message" : "answered bad request");
    this.lastDropLog = now;
    this.suppressedDropLogs = 0;
  }

  private arm(): void {
    const next = this.transactions.nextDeadline();
    if (next === null || next >= this.timerAt) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timerAt = next;
    this.timer = setTimeout(() => this.fire(), Math.max(0, next - Date.now()));
  }

  private fire(): void {
    this.timer = null;
    this.timerAt = Infinity;
    this.run(this.transactions.tick(Date.now()));
  }

  close(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
