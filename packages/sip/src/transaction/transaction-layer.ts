/**
 * The transaction layer (RFC 3261 §17): creates, matches, times and forgets the four
 * kinds of transactions, sans-IO. Every input takes `now`; the adapter calls tick(now)
 * at nextDeadline() and carries out the returned actions (TransactionLayerAction).
 *
 * The layer adds nothing to messages: Via, branch, tags and Max-Forwards are the TU's.
 */
import type { SipMessage, SipRequest, SipResponse } from "../message.js";
import { summarize, type MessageSummary } from "../summary.js";
import { isReliable, type Endpoint } from "../transport-types.js";
import { DeadlineQueue } from "./deadline-queue.js";
import { InviteClientTransaction } from "./invite-client-transaction.js";
import { InviteServerTransaction } from "./invite-server-transaction.js";
import { NonInviteClientTransaction } from "./non-invite-client-transaction.js";
import { NonInviteServerTransaction } from "./non-invite-server-transaction.js";
import { ServerTransactionIndex } from "./server-transaction-index.js";
import { DEFAULT_TIMER_SETTINGS, type TimerSettings } from "./timers.js";
import { clientTransactionKey } from "./transaction-key.js";
import {
  DEFAULT_MAX_SERVER_TRANSACTIONS,
  type TransactionCounters,
  type TransactionLayerAction,
  type TransactionLayerOptions,
} from "./transaction-layer-types.js";
import type { TransactionAction, TransactionKind, TransactionRef } from "./transaction-types.js";

interface ClientEntry {
  side: "client";
  ref: TransactionRef;
  machine: InviteClientTransaction | NonInviteClientTransaction;
  /** Where requests (and our ACKs) go. */
  peer: Endpoint;
  key: string;
  scheduledAt: number | null;
}

interface ServerEntry {
  side: "server";
  ref: TransactionRef;
  machine: InviteServerTransaction | NonInviteServerTransaction;
  /** Where the request came from: responses go back there (§18.2.2, applied by the adapter). */
  peer: Endpoint;
  request: SipRequest;
  summary: MessageSummary;
  lastResponse(): SipResponse | null;
  scheduledAt: number | null;
}

type Entry = ClientEntry | ServerEntry;

export class TransactionLayer {
  readonly timers: Readonly<TimerSettings>;
  readonly maxServerTransactions: number;
  readonly counters: TransactionCounters = {
    strayResponses: 0,
    acksWithoutTransaction: 0,
    mergedRequests: 0,
    serverTransactionsRejected: 0,
    unmatchable: 0,
    unknownTransaction: 0,
    timeouts: 0,
    clientTransactionsCreated: 0,
    serverTransactionsCreated: 0,
  };
  private readonly byId = new Map<string, Entry>();
  private readonly clients = new Map<string, ClientEntry>();
  private readonly servers = new ServerTransactionIndex<ServerEntry>();
  private readonly deadlines = new DeadlineQueue<Entry>();
  private nextId = 1;

  constructor(options: TransactionLayerOptions = {}) {
    this.timers = { ...DEFAULT_TIMER_SETTINGS, ...options.timers };
    this.maxServerTransactions = options.maxServerTransactions ?? DEFAULT_MAX_SERVER_TRANSACTIONS;
  }

  /** Open transactions, per side. */
  get clientCount(): number {
    return this.clients.size;
  }

  get serverCount(): number {
    return this.servers.size;
  }

  /** The state of a live transaction ("Proceeding", …), or undefined once it is gone. */
  stateOf(txId: string): string | undefined {
    return this.byId.get(txId)?.machine.state;
  }

  /** A request that passed sanity checks arrived from `source`. */
  receiveRequest(request: SipRequest, source: Endpoint, now: number): TransactionLayerAction[] {
    const summary = summarize(request);
    if (summary === null) {
      this.counters.unmatchable++;
      return [];
    }
    const existing = this.servers.match(request, summary);
    if (request.method === "ACK") {
      if (existing !== undefined) return this.apply(existing, existing.machine.handle({ type: "ack", request }, now), source);
      this.counters.acksWithoutTransaction++;
      return [{ type: "ack-2xx", request, source, tx: null }];
    }
    if (existing !== undefined) return this.apply(existing, existing.machine.handle({ type: "request", request }, now), source);
    if (this.servers.size >= this.maxServerTransactions) {
      this.counters.serverTransactionsRejected++;
      return [{ type: "overload", request, source }];
    }
    return this.createServer(request, summary, source, now);
  }

  /** A response that passed sanity checks arrived from `source`. */
  receiveResponse(response: SipResponse, source: Endpoint, now: number): TransactionLayerAction[] {
    const summary = summarize(response);
    if (summary === null) {
      this.counters.unmatchable++;
      return [];
    }
    const branch = summary.topVia.branch;
    const entry = branch === null ? undefined : this.clients.get(clientTransactionKey(branch, summary.cseq.method));
    if (entry === undefined) {
      this.counters.strayResponses++;
      return [{ type: "stray-response", response, source }];
    }
    return this.apply(entry, entry.machine.handle({ type: "response", response }, now), source);
  }

  /**
   * Starts a client transaction for `request` (its top Via branch and CSeq method identify
   * it, §17.1.3) towards `destination`. Throws on misuse: an ACK (never a transaction, use
   * sendStateless), a request without the headers a transaction needs, or a branch already
   * in use (§8.1.1.7).
   */
  sendRequest(request: SipRequest, destination: Endpoint, now: number): { tx: TransactionRef; actions: TransactionLayerAction[] } {
    if (request.method === "ACK") throw new Error("sendRequest: ACK has no client transaction (RFC 3261 §17.1.1.3); use sendStateless");
    const summary = summarize(request);
    if (summary === null) throw new Error(`sendRequest: ${request.method} lacks a valid Via, From, To, Call-ID or CSeq`);
    const branch = summary.topVia.branch;
    if (branch === null) throw new Error(`sendRequest: ${request.method} has no branch on its top Via (RFC 3261 §8.1.1.7)`);
    const key = clientTransactionKey(branch, request.method);
    if (this.clients.has(key)) throw new Error(`sendRequest: a ${request.method} client transaction with branch ${branch} already exists`);
    const invite = request.method === "INVITE";
    const ref = this.newRef(invite ? "invite-client" : "non-invite-client", request.method);
    const options = { request, reliable: isReliable(destination.transport), timers: this.timers };
    const machine = invite ? new InviteClientTransaction(options) : new NonInviteClientTransaction(options);
    const entry: ClientEntry = { side: "client", ref, machine, peer: destination, key, scheduledAt: null };
    this.clients.set(key, entry);
    this.byId.set(ref.id, entry);
    this.counters.clientTransactionsCreated++;
    return { tx: ref, actions: this.apply(entry, machine.handle({ type: "start" }, now), null) };
  }

  /** The TU's response for server transaction `txId`; [] (and counted) if it is gone. */
  sendResponse(txId: string, response: SipResponse, now: number): TransactionLayerAction[] {
    const entry = this.byId.get(txId);
    if (entry === undefined) {
      this.counters.unknownTransaction++;
      return [];
    }
    if (entry.side !== "server") throw new Error(`sendResponse: ${txId} is a client transaction`);
    return this.apply(entry, entry.machine.handle({ type: "response", response }, now), null);
  }

  /** A message outside any transaction: the ACK for a 2xx (§13.2.2.4), a stateless 503/400. */
  sendStateless(message: SipMessage, destination: Endpoint): TransactionLayerAction[] {
    return [{ type: "send", message, destination, tx: null }];
  }

  /** The adapter could not send a message of transaction `txId` (§17.1.4, §17.2.4). */
  transportError(txId: string, now: number): TransactionLayerAction[] {
    const entry = this.byId.get(txId);
    if (entry === undefined) {
      this.counters.unknownTransaction++;
      return [];
    }
    return this.apply(entry, entry.machine.handle({ type: "transport-error" }, now), null);
  }

  /** §9.2: the INVITE server transaction a received CANCEL targets, if it is still there. */
  findInviteServerTransactionForCancel(cancel: SipRequest): TransactionRef | null {
    const summary = summarize(cancel);
    if (summary === null) return null;
    return this.servers.matchInviteForCancel(cancel, summary)?.ref ?? null;
  }

  /** Fires every timer due at `now`. */
  tick(now: number): TransactionLayerAction[] {
    const out: TransactionLayerAction[] = [];
    const fired = new Set<Entry>();
    for (let top = this.liveTop(); top !== undefined && top.at <= now; top = this.liveTop()) {
      this.deadlines.pop();
      const entry = top.item;
      entry.scheduledAt = null;
      // A machine drains all its due timers in one tick; never run one twice per tick.
      if (fired.has(entry)) continue;
      fired.add(entry);
      for (const a of this.apply(entry, entry.machine.handle({ type: "tick" }, now), null)) out.push(a);
    }
    return out;
  }

  /** The earliest time tick() has work to do, or null. */
  nextDeadline(): number | null {
    return this.liveTop()?.at ?? null;
  }

  private createServer(request: SipRequest, summary: MessageSummary, source: Endpoint, now: number): TransactionLayerAction[] {
    const merged = this.servers.isMerged(summary);
    if (merged) this.counters.mergedRequests++;
    const invite = request.method === "INVITE";
    const ref = this.newRef(invite ? "invite-server" : "non-invite-server", request.method);
    const options = { request, reliable: isReliable(source.transport), timers: this.timers };
    const machine = invite ? new InviteServerTransaction(options) : new NonInviteServerTransaction(options);
    const entry: ServerEntry = {
      side: "server",
      ref,
      machine,
      peer: source,
      request,
      summary,
      lastResponse: () => machine.lastResponse,
      scheduledAt: null,
    };
    this.servers.add(entry);
    this.byId.set(ref.id, entry);
    this.counters.serverTransactionsCreated++;
    const head: TransactionLayerAction = merged ? { type: "merged-request", tx: ref, request, source } : { type: "request", tx: ref, request, source };
    return [head, ...this.apply(entry, machine.handle({ type: "start" }, now), source)];
  }

  /** Turns a machine's actions into layer actions, forgets terminated transactions, re-arms the deadline queue. */
  private apply(entry: Entry, actions: TransactionAction[], source: Endpoint | null): TransactionLayerAction[] {
    const tx = entry.ref;
    const out: TransactionLayerAction[] = [];
    for (const a of actions) {
      switch (a.type) {
        case "send":
          out.push({ type: "send", message: a.message, destination: entry.peer, tx });
          break;
        case "response":
          out.push({ type: "response", tx, response: a.response });
          break;
        case "ack-2xx":
          out.push({ type: "ack-2xx", request: a.request, source: source ?? entry.peer, tx });
          break;
        case "timeout":
          this.counters.timeouts++;
          out.push({ type: "timeout", tx, timer: a.timer });
          break;
        case "transport-error":
          out.push({ type: "transport-error", tx });
          break;
        case "terminated":
          this.forget(entry);
          out.push({ type: "terminated", tx });
          break;
      }
    }
    this.schedule(entry);
    return out;
  }

  private schedule(entry: Entry): void {
    if (this.byId.get(entry.ref.id) !== entry) return;
    const at = entry.machine.nextDeadline();
    if (at === null || at === entry.scheduledAt) return;
    entry.scheduledAt = at;
    this.deadlines.push(at, entry);
  }

  /** The earliest queue entry that is still a live transaction's current deadline; stale ones are dropped. */
  private liveTop(): { at: number; item: Entry } | undefined {
    for (let top = this.deadlines.peek(); top !== undefined; top = this.deadlines.peek()) {
      const e = top.item;
      if (this.byId.get(e.ref.id) === e && e.machine.nextDeadline() === top.at) return top;
      this.deadlines.pop();
      if (e.scheduledAt === top.at) e.scheduledAt = null;
    }
    return undefined;
  }

  private forget(entry: Entry): void {
    this.byId.delete(entry.ref.id);
    if (entry.side === "client") this.clients.delete(entry.key);
    else this.servers.remove(entry);
  }

  private newRef(kind: TransactionKind, method: string): TransactionRef {
    return Object.freeze({ id: `${KIND_PREFIX[kind]}-${this.nextId++}`, kind, method });
  }
}

const KIND_PREFIX: Readonly<Record<TransactionKind, string>> = {
  "invite-client": "ict",
  "non-invite-client": "nict",
  "invite-server": "ist",
  "non-invite-server": "nist",
};
