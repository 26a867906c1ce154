// The durable-state port of the switch. Async on purpose (ARCHITECTURE.md "Growing past one
// machine"): SQLite answers synchronously today, PostgreSQL will not, and callers must not be
// able to tell. No Node types here, so any backend (or an in-memory fake) can implement it.
// Call records (CDRs, journal, missed calls, active calls, extension settings) are declared
// in call-records.ts and re-exported here.
import type { ActiveCallStore, AgentStatusStore, CdrStore, ExtensionSettingsStore, JournalStore, MissedCallStore, QueueCallbackStore } from "./cdr/call-records.js";

export * from "./cdr/call-records.js";
export { recoverInterruptedCalls } from "./cdr/recover-interrupted-calls.js";

/** A SIP user (an extension's credentials). Passwords are never stored, only HA1 digests. */
export interface UserRecord {
  username: string;
  displayName: string | null;
  /** The realm the HA1 values were computed for; HA1 is useless for any other realm. */
  realm: string;
  /** hex(MD5("username:realm:password")), RFC 7616 §3.4.2. */
  ha1Md5: string;
  /** hex(SHA-256("username:realm:password")), RFC 7616 §3.4.2. */
  ha1Sha256: string;
  /** ms since the epoch. */
  createdAt: number;
}

export const BINDING_TRANSPORTS = ["udp", "tcp", "tls", "ws", "wss"] as const;
export type BindingTransport = (typeof BINDING_TRANSPORTS)[number];

/** Where a REGISTER came from: the flow a request to this binding must go back over. */
export interface BindingSource {
  transport: BindingTransport;
  address: string;
  port: number;
  /**
   * The connection a stream-transport REGISTER arrived on, so requests to the contact
   * reuse it (RFC 5626 §5.3, RFC 3261 §18). Process-local: stores need not persist it.
   */
  connectionId?: string;
}

/** One registered contact of an address-of-record (RFC 3261 §10). Keyed by (aor, contact). */
export interface BindingRecord {
  /** Canonical address-of-record, e.g. "sip:1001@hotline.local". */
  aor: string;
  /** The Contact URI exactly as registered. */
  contact: string;
  callId: string;
  cseq: number;
  /** ms since the epoch. */
  expiresAt: number;
  q: number | null;
  source: BindingSource;
  userAgent: string | null;
  /** RFC 5626 +sip.instance and reg-id (outbound); both null for plain registrations. */
  instanceId: string | null;
  regId: number | null;
  /** ms since the epoch. */
  updatedAt: number;
}

export interface UserStore {
  get(username: string): Promise<UserRecord | null>;
  /** All users, ordered by username. */
  list(): Promise<UserRecord[]>;
  /** Insert or replace. */
  put(user: UserRecord): Promise<void>;
  /** Insert or replace all, atomically: either every record is stored or none is. */
  putMany(users: readonly UserRecord[]): Promise<void>;
  /** true when a user was removed. */
  remove(username: string): Promise<boolean>;
}

export interface BindingStore {
  listAll(): Promise<BindingRecord[]>;
  /** Insert or replace the binding with the same (aor, contact). */
  upsert(binding: BindingRecord): Promise<void>;
  remove(aor: string, contact: string): Promise<void>;
  removeAor(aor: string): Promise<void>;
  /** Removes bindings with expiresAt <= now; returns how many. */
  removeExpired(now: number): Promise<number>;
}

/**
 * A resolved write promise means the write is durable (it survives a crash of the process);
 * implementations may batch writes but must not answer before the batch is committed.
 */
export interface Store {
  users: UserStore;
  bindings: BindingStore;
  cdrs: CdrStore;
  journal: JournalStore;
  missedCalls: MissedCallStore;
  activeCalls: ActiveCallStore;
  extensionSettings: ExtensionSettingsStore;
  agentStatus: AgentStatusStore;
  queueCallbacks: QueueCallbackStore;
  /** Commits pending writes, then releases the backend. Later calls reject. */
  close(): Promise<void>;
}
