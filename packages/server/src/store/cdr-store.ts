// CdrStore on SQLite: a cdrs row plus its cdr_legs rows, written in one transaction together
// with the removal of the call's active_calls row (CdrStore.write in @hotline/switch).
import type Database from "better-sqlite3";
import { clampLimit, type CallDirection, type CallDisposition, type CdrLegRecord, type CdrQuery, type CdrRecord, type CdrStore } from "@hotline/switch";
import type { SqliteContext } from "./sqlite-context.js";

interface CdrRow {
  call_id: string;
  sip_call_id: string;
  node_id: string;
  direction: CallDirection;
  caller: string;
  caller_name: string | null;
  dialed: string;
  answered_by: string | null;
  trunk: string | null;
  started_at: number;
  answered_at: number | null;
  ended_at: number;
  talk_ms: number;
  disposition: CallDisposition;
  cause: number;
  sip_status: number | null;
  hangup_by: CdrRecord["hangupBy"];
  priority: number;
  priority_label: string | null;
}

interface LegRow {
  call_id: string;
  ordinal: number;
  leg_id: string;
  role: CdrLegRecord["role"];
  party: string;
  contact: string | null;
  trunk: string | null;
  started_at: number;
  answered_at: number | null;
  ended_at: number;
  sip_status: number | null;
  cause: number;
  codec: string | null;
  packets_in: number;
  packets_out: number;
  packets_lost: number;
  jitter_ms: number;
}

const CDR_COLUMNS = [
  "call_id", "sip_call_id", "node_id", "direction", "caller", "caller_name", "dialed", "answered_by", "trunk",
  "started_at", "answered_at", "ended_at", "talk_ms", "disposition", "cause", "sip_status", "hangup_by", "priority", "priority_label",
] as const;
const LEG_COLUMNS = [
  "call_id", "ordinal", "leg_id", "role", "party", "contact", "trunk", "started_at", "answered_at", "ended_at",
  "sip_status", "cause", "codec", "packets_in", "packets_out", "packets_lost", "jitter_ms",
] as const;

const cdrRow = (c: CdrRecord): CdrRow => ({
  call_id: c.callId, sip_call_id: c.sipCallId, node_id: c.nodeId, direction: c.direction, caller: c.caller,
  caller_name: c.callerName, dialed: c.dialed, answered_by: c.answeredBy, trunk: c.trunk, started_at: c.startedAt,
  answered_at: c.answeredAt, ended_at: c.endedAt, talk_ms: c.talkMs, disposition: c.disposition, cause: c.cause,
  sip_status: c.sipStatus, hangup_by: c.hangupBy, priority: c.priority, priority_label: c.priorityLabel,
});

const legRow = (callId: string, ordinal: number, l: CdrLegRecord): LegRow => ({
  call_id: callId, ordinal, leg_id: l.legId, role: l.role, party: l.party, contact: l.contact, trunk: l.trunk,
  started_at: l.startedAt, answered_at: l.answeredAt, ended_at: l.endedAt, sip_status: l.sipStatus, cause: l.cause,
  codec: l.codec, packets_in: l.packetsIn, packets_out: l.packetsOut, packets_lost: l.packetsLost, jitter_ms: l.jitterMs,
});

const toLeg = (r: LegRow): CdrLegRecord => ({
  legId: r.leg_id, role: r.role, party: r.party, contact: r.contact, trunk: r.trunk, startedAt: r.started_at,
  answeredAt: r.answered_at, endedAt: r.ended_at, sipStatus: r.sip_status, cause: r.cause, codec: r.codec,
  packetsIn: r.packets_in, packetsOut: r.packets_out, packetsLost: r.packets_lost, jitterMs: r.jitter_ms,
});

const toCdr = (r: CdrRow, legs: CdrLegRecord[]): CdrRecord => ({
  callId: r.call_id, sipCallId: r.sip_call_id, nodeId: r.node_id, direction: r.direction, caller: r.caller,
  callerName: r.caller_name, dialed: r.dialed, answeredBy: r.answered_by, trunk: r.trunk, startedAt: r.started_at,
  answeredAt: r.answered_at, endedAt: r.ended_at, talkMs: r.talk_ms, disposition: r.disposition, cause: r.cause,
  sipStatus: r.sip_status, hangupBy: r.hangup_by, priority: r.priority, priorityLabel: r.priority_label, legs,
});

const insertSql = (table: string, columns: readonly string[], conflict: string): string =>
  `INSERT INTO ${table} (${columns.join(", ")}) VALUES (${columns.map((c) => `@${c}`).join(", ")}) ${conflict}`;

/** The WHERE clause and named parameters of a CdrQuery (the limit is bound separately). */
export function cdrWhere(q: CdrQuery): { sql: string; params: Record<string, string | number> } {
  const terms: string[] = [];
  const params: Record<string, string | number> = {};
  const add = (term: string, name: string, value: string | number | undefined): void => {
    if (value === undefined) return;
    terms.push(term);
    params[name] = value;
  };
  add("started_at >= @from", "from", q.from);
  add("started_at < @to", "to", q.to);
  add("(caller = @party OR dialed = @party OR answered_by = @party)", "party", q.party);
  add("disposition = @disposition", "disposition", q.disposition);
  // Row-value comparison in the newest-first order; an unknown cursor compares with NULL: no rows.
  add("(started_at, call_id) < (SELECT started_at, call_id FROM cdrs WHERE call_id = @before)", "before", q.before);
  return { sql: terms.length === 0 ? "" : `WHERE ${terms.join(" AND ")}`, params };
}

function statements(db: Database.Database) {
  return {
    insertCdr: db.prepare<[CdrRow]>(insertSql("cdrs", CDR_COLUMNS, "ON CONFLICT (call_id) DO NOTHING")),
    insertLeg: db.prepare<[LegRow]>(insertSql("cdr_legs", LEG_COLUMNS, "")),
    removeActive: db.prepare<[string]>("DELETE FROM active_calls WHERE call_id = ?"),
    getCdr: db.prepare<[string], CdrRow>("SELECT * FROM cdrs WHERE call_id = ?"),
    legsOf: db.prepare<[string], LegRow>("SELECT * FROM cdr_legs WHERE call_id = ? ORDER BY ordinal"),
    legsOfMany: db.prepare<[string], LegRow>(
      "SELECT * FROM cdr_legs WHERE call_id IN (SELECT value FROM json_each(?)) ORDER BY call_id, ordinal",
    ),
  };
}

export function sqliteCdrStore({ db, commits, query }: SqliteContext): CdrStore {
  const st = statements(db);
  // One prepared statement per filter combination (at most 2^5), made on first use.
  const listStatements = new Map<string, Database.Statement<[Record<string, string | number>], CdrRow>>();
  const listStatement = (where: string) => {
    let s = listStatements.get(where);
    if (!s) {
      s = db.prepare<[Record<string, string | number>], CdrRow>(`SELECT * FROM cdrs ${where} ORDER BY started_at DESC, call_id DESC LIMIT @limit`);
      listStatements.set(where, s);
    }
    return s;
  };
  return {
    write(cdr) {
      const row = cdrRow(cdr);
      const legs = cdr.legs.map((l, i) => legRow(cdr.callId, i, l));
      return commits.run(() => {
        // Idempotent on call_id: the first CDR (and its legs) stays.
        if (st.insertCdr.run(row).changes === 1) for (const l of legs) st.insertLeg.run(l);
        st.removeActive.run(cdr.callId);
      });
    },
    get: (callId) =>
      query(() => {
        const row = st.getCdr.get(callId);
        return row ? toCdr(row, st.legsOf.all(callId).map(toLeg)) : null;
      }),
    list: (q) =>
      query(() => {
        const { sql, params } = cdrWhere(q);
        const rows = listStatement(sql).all({ ...params, limit: clampLimit(q.limit) });
        const legs = new Map<string, CdrLegRecord[]>();
        for (const l of st.legsOfMany.all(JSON.stringify(rows.map((r) => r.call_id)))) {
          const list = legs.get(l.call_id) ?? [];
          list.push(toLeg(l));
          legs.set(l.call_id, list);
        }
        return rows.map((r) => toCdr(r, legs.get(r.call_id) ?? []));
      }),
  };
}
