// The call-record half of the in-memory Store. Same orderings, limits and edge cases as the
// SQLite store (store-contract.ts checks both), records copied in and out.
import {
  clampLimit,
  type ActiveCallRecord,
  type ActiveCallStore,
  type AgentStatusRecord,
  type AgentStatusStore,
  type CdrRecord,
  type CdrStore,
  type ExtensionSettingsRecord,
  type ExtensionSettingsStore,
  type JournalStore,
  type MissedCallRecord,
  type MissedCallStore,
  type QueueCallbackRecord,
  type QueueCallbackStore,
  type StoredJournalEvent,
} from "../cdr/call-records.js";

export interface Guards {
  /** Throws when the store is closed. */
  open(): void;
  /** open() and counts a write. */
  write(): void;
}

const copyCdr = (c: CdrRecord): CdrRecord => ({ ...c, legs: c.legs.map((l) => ({ ...l })) });
// Journal data is stored as JSON text in SQLite; a JSON round trip here behaves the same.
const copyJson = (data: Record<string, unknown>): Record<string, unknown> => JSON.parse(JSON.stringify(data)) as Record<string, unknown>;
const cmp = (a: string | number, b: string | number): number => (a < b ? -1 : a > b ? 1 : 0);
/** Newest first: startedAt desc, callId desc (CdrStore.list). */
const newestFirst = (a: CdrRecord, b: CdrRecord): number => cmp(b.startedAt, a.startedAt) || cmp(b.callId, a.callId);

export interface MemoryCallRecords {
  cdrs: CdrStore;
  journal: JournalStore;
  missedCalls: MissedCallStore;
  activeCalls: ActiveCallStore;
  extensionSettings: ExtensionSettingsStore;
  agentStatus: AgentStatusStore;
  queueCallbacks: QueueCallbackStore;
}

function cdrStore(g: Guards, active: Map<string, ActiveCallRecord>): CdrStore {
  const cdrs = new Map<string, CdrRecord>();
  return {
    async write(cdr) {
      g.write();
      if (!cdrs.has(cdr.callId)) cdrs.set(cdr.callId, copyCdr(cdr));
      active.delete(cdr.callId);
    },
    async get(callId) {
      g.open();
      const c = cdrs.get(callId);
      return c ? copyCdr(c) : null;
    },
    async list(q) {
      g.open();
      let rows = [...cdrs.values()].sort(newestFirst);
      if (q.before !== undefined) {
        const cursor = cdrs.get(q.before);
        if (!cursor) return [];
        rows = rows.filter((c) => newestFirst(cursor, c) < 0);
      }
      const { from, to, party, disposition } = q;
      rows = rows.filter(
        (c) =>
          (from === undefined || c.startedAt >= from) &&
          (to === undefined || c.startedAt < to) &&
          (party === undefined || c.caller === party || c.dialed === party || c.answeredBy === party) &&
          (disposition === undefined || c.disposition === disposition),
      );
      return rows.slice(0, clampLimit(q.limit)).map(copyCdr);
    },
  };
}

function journalStore(g: Guards): JournalStore {
  const events: StoredJournalEvent[] = [];
  let seq = 0;
  return {
    async append(list) {
      g.write();
      // Copy all first: a value JSON cannot hold rejects the whole append, as in SQLite.
      const copies = list.map((e) => ({ at: e.at, type: e.type, callId: e.callId, data: copyJson(e.data) }));
      for (const e of copies) events.push({ seq: ++seq, ...e });
    },
    async list(q) {
      g.open();
      const { afterSeq, beforeSeq, callId, type } = q;
      const matching = events.filter(
        (e) => (afterSeq === undefined || e.seq > afterSeq) && (beforeSeq === undefined || e.seq < beforeSeq) && (callId === undefined || e.callId === callId) && (type === undefined || e.type === type),
      );
      return (q.newestFirst === true ? matching.reverse() : matching)
        .slice(0, clampLimit(q.limit))
        .map((e) => ({ ...e, data: copyJson(e.data) }));
    },
  };
}

function missedCallStore(g: Guards): MissedCallStore {
  const missed = new Map<number, MissedCallRecord>();
  let nextId = 0;
  return {
    async add(r) {
      g.write();
      const id = ++nextId;
      missed.set(id, { ...r, id, handledAt: null, handledBy: null });
      return id;
    },
    async list(q) {
      g.open();
      return [...missed.values()]
        .filter((m) => !q.pending || m.handledAt === null)
        .sort((a, b) => cmp(b.at, a.at) || b.id - a.id)
        .slice(0, clampLimit(q.limit))
        .map((m) => ({ ...m }));
    },
    async markHandled(id, by, at) {
      g.write();
      const m = missed.get(id);
      if (!m || m.handledAt !== null) return false;
      m.handledAt = at;
      m.handledBy = by;
      return true;
    },
  };
}

function activeCallStore(g: Guards, active: Map<string, ActiveCallRecord>): ActiveCallStore {
  return {
    async put(r) {
      g.write();
      active.set(r.callId, { ...r });
    },
    async update(callId, patch) {
      g.write();
      const a = active.get(callId);
      if (!a) return;
      if (patch.answeredAt !== undefined) a.answeredAt = patch.answeredAt;
      if (patch.answeredBy !== undefined) a.answeredBy = patch.answeredBy;
    },
    async remove(callId) {
      g.write();
      active.delete(callId);
    },
    async listForNode(nodeId) {
      g.open();
      return [...active.values()]
        .filter((a) => a.nodeId === nodeId)
        .sort((a, b) => cmp(a.startedAt, b.startedAt) || cmp(a.callId, b.callId))
        .map((a) => ({ ...a }));
    },
  };
}

function extensionSettingsStore(g: Guards): ExtensionSettingsStore {
  const settings = new Map<string, ExtensionSettingsRecord>();
  return {
    async get(extension) {
      g.open();
      const s = settings.get(extension);
      return s ? { ...s } : null;
    },
    async list() {
      g.open();
      return [...settings.values()].sort((a, b) => cmp(a.extension, b.extension)).map((s) => ({ ...s }));
    },
    async put(r) {
      g.write();
      settings.set(r.extension, { ...r });
    },
  };
}

function agentStatusStore(g: Guards): AgentStatusStore {
  const rows = new Map<string, AgentStatusRecord>();
  return {
    async list() {
      g.open();
      return [...rows.values()].sort((a, b) => cmp(a.agent, b.agent)).map((r) => ({ ...r }));
    },
    async put(r) {
      g.write();
      rows.set(r.agent, { ...r });
    },
  };
}

function queueCallbackStore(g: Guards): QueueCallbackStore {
  const rows = new Map<string, QueueCallbackRecord>();
  return {
    async list() {
      g.open();
      return [...rows.values()].sort((a, b) => cmp(a.joinedAt, b.joinedAt) || cmp(a.callId, b.callId)).map((r) => ({ ...r }));
    },
    async put(r) {
      g.write();
      rows.set(r.callId, { ...r });
    },
    async remove(callId) {
      g.write();
      rows.delete(callId);
    },
  };
}

export function createMemoryCallRecords(g: Guards): MemoryCallRecords {
  // Shared: CdrStore.write removes the active-call row of the same call.
  const active = new Map<string, ActiveCallRecord>();
  return {
    cdrs: cdrStore(g, active),
    journal: journalStore(g),
    missedCalls: missedCallStore(g),
    activeCalls: activeCallStore(g, active),
    extensionSettings: extensionSettingsStore(g),
    agentStatus: agentStatusStore(g),
    queueCallbacks: queueCallbackStore(g),
  };
}
