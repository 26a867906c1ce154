// The call-record part of the Store port (re-exported by store.ts): what call control keeps
// durably about calls. Times are ms since the epoch; every record is plain JSON data.

/**
 * How a call ended, from the caller's point of view.
 * - answered: someone answered (whatever happened afterwards).
 * - busy: every target was busy (486/600, Q.850 cause 17).
 * - no-answer: targets rang until the ring timeout (Q.850 cause 19).
 * - cancelled: the caller hung up before anyone answered (CANCEL, RFC 3261 §9).
 * - rejected: a target or a rule declined the call (603, blacklist, DND; Q.850 cause 21).
 * - failed: the call could not be set up (no route, trunk down, 4xx/5xx; Q.850 per status).
 * - interrupted: the process died during the call; written on the next start by
 *   recoverInterruptedCalls (Q.850 cause 41, endedAt = the recovery time).
 */
export const CALL_DISPOSITIONS = ["answered", "busy", "no-answer", "cancelled", "rejected", "failed", "interrupted"] as const;
export type CallDisposition = (typeof CALL_DISPOSITIONS)[number];

export const CALL_DIRECTIONS = ["internal", "inbound", "outbound"] as const;
/** internal: extension to extension; inbound: trunk to us; outbound: us to a trunk. */
export type CallDirection = (typeof CALL_DIRECTIONS)[number];

export const MISSED_CALL_REASONS = ["no-answer", "abandoned", "busy", "rejected"] as const;
/** no-answer: rang out; abandoned: the caller hung up while ringing or queued; busy; rejected. */
export type MissedCallReason = (typeof MISSED_CALL_REASONS)[number];

/** Q.850 cause 41 "temporary failure": what an interrupted call's CDR carries. */
export const Q850_TEMPORARY_FAILURE = 41;

/** One leg of a B2BUA call (a dialog on one side), in the order the legs were created. */
export interface CdrLegRecord {
  legId: string;
  /** inbound: the leg the call arrived on; outbound: a leg we created towards a target. */
  role: "inbound" | "outbound";
  /** The extension, AOR or number on the far side of this leg. */
  party: string;
  /** The Contact URI the leg was sent to or came from; null when not known. */
  contact: string | null;
  /** The trunk the leg ran over; null for a leg to or from a registered phone. */
  trunk: string | null;
  startedAt: number;
  answeredAt: number | null;
  endedAt: number;
  /** The final SIP response status of the leg's INVITE; null when none was received/sent. */
  sipStatus: number | null;
  /** Q.850 cause value (RFC 3326 Reason header), 16 = normal clearing. */
  cause: number;
  /** The negotiated codec (e.g. "PCMA"); null when media never started. */
  codec: string | null;
  packetsIn: number;
  packetsOut: number;
  /** RTP packets lost as counted by RFC 3550 §6.4.1 cumulative lost. */
  packetsLost: number;
  /** RFC 3550 §6.4.1 interarrival jitter, in ms. */
  jitterMs: number;
}

/** The call detail record written once when a call ends. Keyed by callId. */
export interface CdrRecord {
  /** hotline's id for the call (not the SIP Call-ID: a B2BUA call has one per leg). */
  callId: string;
  /** The Call-ID of the inbound leg. */
  sipCallId: string;
  /** The node that handled the call (ARCHITECTURE.md: node identity is explicit). */
  nodeId: string;
  direction: CallDirection;
  caller: string;
  callerName: string | null;
  /** What the caller dialed (the Request-URI user part), before any routing. */
  dialed: string;
  /** The extension or number that answered; null when nobody did. */
  answeredBy: string | null;
  trunk: string | null;
  startedAt: number;
  answeredAt: number | null;
  endedAt: number;
  /** endedAt − answeredAt for answered calls, else 0. */
  talkMs: number;
  disposition: CallDisposition;
  /** Q.850 cause of the call as a whole. */
  cause: number;
  sipStatus: number | null;
  /** Who hung up; null when nobody did (the call never connected and the system gave up). */
  hangupBy: "caller" | "callee" | "system" | null;
  /** Priority the call was routed with (higher first; e.g. emergency handsets). */
  priority: number;
  priorityLabel: string | null;
  legs: CdrLegRecord[];
}

/** Filters for CdrStore.list; every field is optional and they combine with AND. */
export interface CdrQuery {
  /** startedAt >= from. */
  from?: number;
  /** startedAt < to. */
  to?: number;
  /** Matches caller, dialed or answeredBy exactly. */
  party?: string;
  disposition?: CallDisposition;
  /** Default 100, clamped to 1..1000 (see clampLimit). */
  limit?: number;
  /** Cursor: only CDRs that come after this callId in the newest-first order. Unknown id → []. */
  before?: string;
}

/** One entry of the append-only event journal (ARCHITECTURE.md "How a call flows" 6). */
export interface JournalEvent {
  at: number;
  /** Dotted event type, e.g. "call.started", "call.interrupted". */
  type: string;
  callId: string | null;
  /** Plain JSON: stored as JSON text, so undefined members are dropped as by JSON.stringify. */
  data: Record<string, unknown>;
}

/** A journal event as stored: seq is assigned by the store, strictly increasing, never reused. */
export interface StoredJournalEvent extends JournalEvent {
  seq: number;
}

export interface JournalQuery {
  /** Only events with seq > afterSeq (a tailing reader passes the last seq it saw). */
  afterSeq?: number;
  /** Only events with seq < beforeSeq (a reader paging back from the end passes the smallest seq it saw). */
  beforeSeq?: number;
  /**
   * Newest first (seq descending), so "the newest N" of a long journal is one query
   * (`hotline audit`); default false: oldest first, as a tailing reader wants.
   */
  newestFirst?: boolean;
  callId?: string;
  /** Only events of this type, e.g. "supervisor.action" (the audit log). */
  type?: string;
  /** Default 100, clamped to 1..1000. */
  limit?: number;
}

/** A call nobody answered, kept for callback until someone marks it handled. */
export interface MissedCallRecord {
  /** Assigned by the store. */
  id: number;
  callId: string;
  caller: string;
  callerName: string | null;
  dialed: string;
  at: number;
  reason: MissedCallReason;
  priority: number;
  handledAt: number | null;
  /** Who called back or dismissed it (an agent or operator name). */
  handledBy: string | null;
}

export interface MissedCallQuery {
  /** true: only calls not yet handled. */
  pending?: boolean;
  /** Default 100, clamped to 1..1000. */
  limit?: number;
}

/**
 * A call in progress on a node. Written when the call starts and removed when its CDR is
 * written, so rows left after a crash are exactly the calls that crash interrupted.
 */
export interface ActiveCallRecord {
  callId: string;
  nodeId: string;
  sipCallId: string;
  caller: string;
  dialed: string;
  direction: CallDirection;
  startedAt: number;
  answeredAt: number | null;
  answeredBy: string | null;
}

/**
 * Per-extension call settings users change at runtime (API, feature codes). null means
 * "use the configured default", so a later change of the default reaches them. In the
 * forward fields "" means "off", overriding a forward the configuration sets.
 */
export interface ExtensionSettingsRecord {
  extension: string;
  /** Do not disturb: new calls are not offered to the extension's phones. */
  dnd: boolean | null;
  /** Offer a second call while the extension is in a call. */
  callWaiting: boolean | null;
  /** Forward every call to this target (an extension or number). */
  forwardAlways: string | null;
  /** Forward when busy. */
  forwardBusy: string | null;
  /** Forward when the ring timeout expires. */
  forwardNoAnswer: string | null;
  updatedAt: number;
}

export interface CdrStore {
  /**
   * Stores the CDR with its legs in one transaction, and in the same transaction removes the
   * active-call row with the same callId (so a crash can never leave both, or neither).
   * Idempotent on callId: when a CDR with this callId exists, the first one is kept and this
   * write only removes the active-call row.
   */
  write(cdr: CdrRecord): Promise<void>;
  get(callId: string): Promise<CdrRecord | null>;
  /** Newest first: by startedAt descending, then callId descending. */
  list(q: CdrQuery): Promise<CdrRecord[]>;
}

export interface JournalStore {
  /** Appends the events in order, atomically; each gets the next seq. */
  append(events: readonly JournalEvent[]): Promise<void>;
  /** Oldest first (seq ascending). */
  list(q: JournalQuery): Promise<StoredJournalEvent[]>;
}

export interface MissedCallStore {
  /** Returns the new record's id. */
  add(r: Omit<MissedCallRecord, "id" | "handledAt" | "handledBy">): Promise<number>;
  /** Newest first (at descending, then id descending). */
  list(q: MissedCallQuery): Promise<MissedCallRecord[]>;
  /**
   * Marks a pending missed call handled. false when there is no such id or it was already
   * handled: the first agent to claim a callback wins, a second one is told.
   */
  markHandled(id: number, by: string, at: number): Promise<boolean>;
}

export interface ActiveCallStore {
  /** Insert or replace by callId. */
  put(r: ActiveCallRecord): Promise<void>;
  /** Sets the given fields; no-op when the call is not (or no longer) active. */
  update(callId: string, patch: { answeredAt?: number; answeredBy?: string }): Promise<void>;
  remove(callId: string): Promise<void>;
  /** The node's active calls, oldest first (startedAt, then callId). */
  listForNode(nodeId: string): Promise<ActiveCallRecord[]>;
}

export interface ExtensionSettingsStore {
  get(extension: string): Promise<ExtensionSettingsRecord | null>;
  /** Ordered by extension. */
  list(): Promise<ExtensionSettingsRecord[]>;
  /** Insert or replace by extension. */
  put(r: ExtensionSettingsRecord): Promise<void>;
}

/** An ACD agent's operator-set status (STYLE.md §2), kept so it survives a restart. */
export const STORED_AGENT_STATUSES = ["logged-out", "available", "on-break"] as const;
export interface AgentStatusRecord {
  agent: string;
  status: (typeof STORED_AGENT_STATUSES)[number];
  /** The break reason ("no-answer", "break", …); null unless on-break. */
  reason: string | null;
  updatedAt: number;
}

export interface AgentStatusStore {
  /** Ordered by agent. */
  list(): Promise<AgentStatusRecord[]>;
  /** Insert or replace by agent. */
  put(r: AgentStatusRecord): Promise<void>;
}

/** A queued callback (issue 4): a citizen was promised a call, so it survives a restart. */
export interface QueueCallbackRecord {
  /** The queue entry's id (the original call's id). */
  callId: string;
  queue: string;
  /** Where to call back: an extension or an outside number. */
  number: string;
  /** The join priority and time: the entry's place in the queue. */
  priority: number;
  joinedAt: number;
  /** Dialling attempts made so far. */
  attempts: number;
  /** Not dialled again before this time (ms since the epoch). */
  notBefore: number;
  /**
   * The trunk an outside caller came in on: `number` is dialled back through it. Absent for an
   * internal caller (dialled as an extension) and for records stored before it was kept.
   */
  trunk?: string;
}

export interface QueueCallbackStore {
  /** Ordered by joinedAt, then callId. */
  list(): Promise<QueueCallbackRecord[]>;
  /** Insert or replace by callId. */
  put(r: QueueCallbackRecord): Promise<void>;
  /** Completed or dropped. */
  remove(callId: string): Promise<void>;
}

export const DEFAULT_LIST_LIMIT = 100;
export const MAX_LIST_LIMIT = 1000;

/** The limit a store applies: undefined → 100; otherwise truncated and clamped to 1..1000. */
export function clampLimit(limit: number | undefined): number {
  if (limit === undefined || Number.isNaN(limit)) return DEFAULT_LIST_LIMIT;
  return Math.min(MAX_LIST_LIMIT, Math.max(1, Math.trunc(limit)));
}
