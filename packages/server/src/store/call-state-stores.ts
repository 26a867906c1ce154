// Journal, missed calls, active calls, extension settings and agent status on SQLite. Every write goes
// through the group commit (its promise resolves after COMMIT); every read first commits
// what is queued, so it sees the caller's own earlier writes.
import {
  clampLimit,
  type ActiveCallRecord,
  type ActiveCallStore,
  type AgentStatusRecord,
  type AgentStatusStore,
  type QueueCallbackStore,
  type CallDirection,
  type ExtensionSettingsRecord,
  type ExtensionSettingsStore,
  type JournalStore,
  type MissedCallReason,
  type MissedCallRecord,
  type MissedCallStore,
  type StoredJournalEvent,
} from "@hotline/switch";
import { fromFlag, queue, toFlag, type SqliteContext } from "./sqlite-context.js";

interface JournalRow {
  seq: number;
  at: number;
  type: string;
  call_id: string | null;
  data: string;
}

const toEvent = (r: JournalRow): StoredJournalEvent => ({
  seq: r.seq,
  at: r.at,
  type: r.type,
  callId: r.call_id,
  data: JSON.parse(r.data) as Record<string, unknown>,
});

export function sqliteJournalStore({ db, commits, query }: SqliteContext): JournalStore {
  const insert = db.prepare<[number, string, string | null, string]>("INSERT INTO journal (at, type, call_id, data) VALUES (?, ?, ?, ?)");
  type ListParams = { afterSeq: number; beforeSeq: number | null; callId: string | null; type: string | null; limit: number };
  const where = "seq > @afterSeq AND (@beforeSeq IS NULL OR seq < @beforeSeq) AND (@type IS NULL OR type = @type)";
  // One statement per order (ORDER BY cannot be a parameter); both walk the seq primary key.
  const list = {
    asc: db.prepare<ListParams, JournalRow>(`SELECT * FROM journal WHERE ${where} AND (@callId IS NULL OR call_id = @callId) ORDER BY seq LIMIT @limit`),
    desc: db.prepare<ListParams, JournalRow>(`SELECT * FROM journal WHERE ${where} AND (@callId IS NULL OR call_id = @callId) ORDER BY seq DESC LIMIT @limit`),
  };
  const listByCall = {
    asc: db.prepare<ListParams, JournalRow>(`SELECT * FROM journal WHERE call_id = @callId AND ${where} ORDER BY seq LIMIT @limit`),
    desc: db.prepare<ListParams, JournalRow>(`SELECT * FROM journal WHERE call_id = @callId AND ${where} ORDER BY seq DESC LIMIT @limit`),
  };
  return {
    append: (events) =>
      queue(commits, () => {
        // Serialized before queuing: a value JSON cannot hold (a BigInt, a cycle) rejects
        // this append alone, and none of its events is stored.
        const rows = events.map((e) => [e.at, e.type, e.callId, JSON.stringify(e.data)] as const);
        return () => {
          for (const r of rows) insert.run(...r);
        };
      }),
    list: (q) =>
      query(() => {
        const params = { afterSeq: q.afterSeq ?? 0, beforeSeq: q.beforeSeq ?? null, type: q.type ?? null, limit: clampLimit(q.limit) };
        const order = q.newestFirst === true ? "desc" : "asc";
        // A separate statement for callId, so the planner uses journal_call_id.
        const rows = q.callId === undefined ? list[order].all({ ...params, callId: null }) : listByCall[order].all({ ...params, callId: q.callId });
        return rows.map(toEvent);
      }),
  };
}

interface MissedRow {
  id: number;
  call_id: string;
  caller: string;
  caller_name: string | null;
  dialed: string;
  at: number;
  reason: MissedCallReason;
  priority: number;
  handled_at: number | null;
  handled_by: string | null;
}

const toMissed = (r: MissedRow): MissedCallRecord => ({
  id: r.id,
  callId: r.call_id,
  caller: r.caller,
  callerName: r.caller_name,
  dialed: r.dialed,
  at: r.at,
  reason: r.reason,
  priority: r.priority,
  handledAt: r.handled_at,
  handledBy: r.handled_by,
});

export function sqliteMissedCallStore({ db, commits, query }: SqliteContext): MissedCallStore {
  const insert = db.prepare<[string, string, string | null, string, number, string, number]>(
    "INSERT INTO missed_calls (call_id, caller, caller_name, dialed, at, reason, priority) VALUES (?, ?, ?, ?, ?, ?, ?)",
  );
  const listAll = db.prepare<[number], MissedRow>("SELECT * FROM missed_calls ORDER BY at DESC, id DESC LIMIT ?");
  const listPending = db.prepare<[number], MissedRow>("SELECT * FROM missed_calls WHERE handled_at IS NULL ORDER BY at DESC, id DESC LIMIT ?");
  const markHandled = db.prepare<[number, string, number]>("UPDATE missed_calls SET handled_at = ?, handled_by = ? WHERE id = ? AND handled_at IS NULL");
  return {
    add: (r) => {
      const params = [r.callId, r.caller, r.callerName, r.dialed, r.at, r.reason, r.priority] as const;
      return commits.run(() => Number(insert.run(...params).lastInsertRowid));
    },
    list: (q) => query(() => (q.pending ? listPending : listAll).all(clampLimit(q.limit)).map(toMissed)),
    markHandled: (id, by, at) => commits.run(() => markHandled.run(at, by, id).changes > 0),
  };
}

interface ActiveRow {
  call_id: string;
  node_id: string;
  sip_call_id: string;
  caller: string;
  dialed: string;
  direction: CallDirection;
  started_at: number;
  answered_at: number | null;
  answered_by: string | null;
}

const toActive = (r: ActiveRow): ActiveCallRecord => ({
  callId: r.call_id,
  nodeId: r.node_id,
  sipCallId: r.sip_call_id,
  caller: r.caller,
  dialed: r.dialed,
  direction: r.direction,
  startedAt: r.started_at,
  answeredAt: r.answered_at,
  answeredBy: r.answered_by,
});

export function sqliteActiveCallStore({ db, commits, query }: SqliteContext): ActiveCallStore {
  const put = db.prepare<[string, string, string, string, string, string, number, number | null, string | null]>(
    `INSERT OR REPLACE INTO active_calls (call_id, node_id, sip_call_id, caller, dialed, direction, started_at, answered_at, answered_by)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  // A field left out of the patch is bound as NULL and keeps its stored value.
  const update = db.prepare<[number | null, string | null, string]>(
    "UPDATE active_calls SET answered_at = coalesce(?, answered_at), answered_by = coalesce(?, answered_by) WHERE call_id = ?",
  );
  const remove = db.prepare<[string]>("DELETE FROM active_calls WHERE call_id = ?");
  const listForNode = db.prepare<[string], ActiveRow>("SELECT * FROM active_calls WHERE node_id = ? ORDER BY started_at, call_id");
  return {
    put: (r) => {
      const params = [r.callId, r.nodeId, r.sipCallId, r.caller, r.dialed, r.direction, r.startedAt, r.answeredAt, r.answeredBy] as const;
      return commits.run(() => void put.run(...params));
    },
    update: (callId, patch) => {
      const params = [patch.answeredAt ?? null, patch.answeredBy ?? null, callId] as const;
      return commits.run(() => void update.run(...params));
    },
    remove: (callId) => commits.run(() => void remove.run(callId)),
    listForNode: (nodeId) => query(() => listForNode.all(nodeId).map(toActive)),
  };
}

interface SettingsRow {
  extension: string;
  dnd: number | null;
  call_waiting: number | null;
  forward_always: string | null;
  forward_busy: string | null;
  forward_no_answer: string | null;
  updated_at: number;
}

const toSettings = (r: SettingsRow): ExtensionSettingsRecord => ({
  extension: r.extension,
  dnd: fromFlag(r.dnd),
  callWaiting: fromFlag(r.call_waiting),
  forwardAlways: r.forward_always,
  forwardBusy: r.forward_busy,
  forwardNoAnswer: r.forward_no_answer,
  updatedAt: r.updated_at,
});

export function sqliteExtensionSettingsStore({ db, commits, query }: SqliteContext): ExtensionSettingsStore {
  const get = db.prepare<[string], SettingsRow>("SELECT * FROM extension_settings WHERE extension = ?");
  const list = db.prepare<[], SettingsRow>("SELECT * FROM extension_settings ORDER BY extension");
  const put = db.prepare<[string, number | null, number | null, string | null, string | null, string | null, number]>(
    `INSERT OR REPLACE INTO extension_settings (extension, dnd, call_waiting, forward_always, forward_busy, forward_no_answer, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  return {
    get: (extension) => query(() => {
      const row = get.get(extension);
      return row ? toSettings(row) : null;
    }),
    list: () => query(() => list.all().map(toSettings)),
    put: (r) => {
      const params = [r.extension, toFlag(r.dnd), toFlag(r.callWaiting), r.forwardAlways, r.forwardBusy, r.forwardNoAnswer, r.updatedAt] as const;
      return commits.run(() => void put.run(...params));
    },
  };
}

interface AgentStatusRow {
  agent: string;
  status: AgentStatusRecord["status"];
  reason: string | null;
  updated_at: number;
}

export function sqliteAgentStatusStore({ db, commits, query }: SqliteContext): AgentStatusStore {
  const list = db.prepare<[], AgentStatusRow>("SELECT * FROM agent_status ORDER BY agent");
  const put = db.prepare<[string, string, string | null, number]>("INSERT OR REPLACE INTO agent_status (agent, status, reason, updated_at) VALUES (?, ?, ?, ?)");
  return {
    list: () => query(() => list.all().map((r) => ({ agent: r.agent, status: r.status, reason: r.reason, updatedAt: r.updated_at }))),
    put: (r) => commits.run(() => void put.run(r.agent, r.status, r.reason, r.updatedAt)),
  };
}

interface QueueCallbackRow {
  call_id: string;
  queue: string;
  number: string;
  priority: number;
  joined_at: number;
  attempts: number;
  not_before: number;
  trunk: string | null;
}

export function sqliteQueueCallbackStore({ db, commits, query }: SqliteContext): QueueCallbackStore {
  const list = db.prepare<[], QueueCallbackRow>("SELECT * FROM queue_callbacks ORDER BY joined_at, call_id");
  const put = db.prepare<[string, string, string, number, number, number, number, string | null]>(
    "INSERT OR REPLACE INTO queue_callbacks (call_id, queue, number, priority, joined_at, attempts, not_before, trunk) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
  );
  const remove = db.prepare<[string]>("DELETE FROM queue_callbacks WHERE call_id = ?");
  return {
    list: () =>
      query(() =>
        list.all().map((r) => ({ callId: r.call_id, queue: r.queue, number: r.number, priority: r.priority, joinedAt: r.joined_at, attempts: r.attempts, notBefore: r.not_before, ...(r.trunk !== null && { trunk: r.trunk }) })),
      ),
    put: (r) => commits.run(() => void put.run(r.callId, r.queue, r.number, r.priority, r.joinedAt, r.attempts, r.notBefore, r.trunk ?? null)),
    remove: (callId) => commits.run(() => void remove.run(callId)),
  };
}
