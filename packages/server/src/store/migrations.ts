// Numbered schema migrations (ARCHITECTURE.md "Where state lives"). Append only: a released
// migration is never edited, because databases in the field have already run it.
import type Database from "better-sqlite3";

export interface Migration {
  id: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    name: "users-and-bindings",
    sql: `
      CREATE TABLE users (
        username     TEXT PRIMARY KEY,
        display_name TEXT,
        realm        TEXT NOT NULL,
        ha1_md5      TEXT NOT NULL,
        ha1_sha256   TEXT NOT NULL,
        created_at   INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE bindings (
        aor            TEXT NOT NULL,
        contact        TEXT NOT NULL,
        call_id        TEXT NOT NULL,
        cseq           INTEGER NOT NULL,
        expires_at     INTEGER NOT NULL,
        q              REAL,
        transport      TEXT NOT NULL CHECK (transport IN ('udp', 'tcp', 'tls', 'ws', 'wss')),
        source_address TEXT NOT NULL,
        source_port    INTEGER NOT NULL,
        user_agent     TEXT,
        instance_id    TEXT,
        reg_id         INTEGER,
        updated_at     INTEGER NOT NULL,
        PRIMARY KEY (aor, contact)
      ) STRICT, WITHOUT ROWID;

      -- removeExpired scans by expiry; without this it reads every binding.
      CREATE INDEX bindings_expires_at ON bindings (expires_at);
    `,
  },
  {
    id: 2,
    name: "call-records",
    sql: `
      CREATE TABLE cdrs (
        call_id        TEXT PRIMARY KEY,
        sip_call_id    TEXT NOT NULL,
        node_id        TEXT NOT NULL,
        direction      TEXT NOT NULL CHECK (direction IN ('internal', 'inbound', 'outbound')),
        caller         TEXT NOT NULL,
        caller_name    TEXT,
        dialed         TEXT NOT NULL,
        answered_by    TEXT,
        trunk          TEXT,
        started_at     INTEGER NOT NULL,
        answered_at    INTEGER,
        ended_at       INTEGER NOT NULL,
        talk_ms        INTEGER NOT NULL,
        disposition    TEXT NOT NULL CHECK (disposition IN
                         ('answered', 'busy', 'no-answer', 'cancelled', 'rejected', 'failed', 'interrupted')),
        cause          INTEGER NOT NULL,
        sip_status     INTEGER,
        hangup_by      TEXT CHECK (hangup_by IN ('caller', 'callee', 'system')),
        priority       INTEGER NOT NULL,
        priority_label TEXT
      ) STRICT;

      -- CdrStore.list: newest first, optionally from/to on started_at; the (started_at,
      -- call_id) order is also the before-cursor's. A party filter (caller OR dialed OR
      -- answered_by) uses one index per column, each ordered by time.
      CREATE INDEX cdrs_started_at ON cdrs (started_at, call_id);
      CREATE INDEX cdrs_caller ON cdrs (caller, started_at);
      CREATE INDEX cdrs_dialed ON cdrs (dialed, started_at);
      CREATE INDEX cdrs_answered_by ON cdrs (answered_by, started_at) WHERE answered_by IS NOT NULL;

      CREATE TABLE cdr_legs (
        call_id      TEXT NOT NULL REFERENCES cdrs (call_id) ON DELETE CASCADE,
        ordinal      INTEGER NOT NULL,
        leg_id       TEXT NOT NULL,
        role         TEXT NOT NULL CHECK (role IN ('inbound', 'outbound')),
        party        TEXT NOT NULL,
        contact      TEXT,
        trunk        TEXT,
        started_at   INTEGER NOT NULL,
        answered_at  INTEGER,
        ended_at     INTEGER NOT NULL,
        sip_status   INTEGER,
        cause        INTEGER NOT NULL,
        codec        TEXT,
        packets_in   INTEGER NOT NULL,
        packets_out  INTEGER NOT NULL,
        packets_lost INTEGER NOT NULL,
        jitter_ms    REAL NOT NULL,
        PRIMARY KEY (call_id, ordinal)
      ) STRICT, WITHOUT ROWID;

      -- AUTOINCREMENT: a seq is never reused, even after the newest rows are deleted, so a
      -- reader's afterSeq cursor never skips an event.
      CREATE TABLE journal (
        seq     INTEGER PRIMARY KEY AUTOINCREMENT,
        at      INTEGER NOT NULL,
        type    TEXT NOT NULL,
        call_id TEXT,
        data    TEXT NOT NULL CHECK (json_valid(data))
      ) STRICT;
      CREATE INDEX journal_call_id ON journal (call_id, seq) WHERE call_id IS NOT NULL;

      CREATE TABLE missed_calls (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        call_id     TEXT NOT NULL,
        caller      TEXT NOT NULL,
        caller_name TEXT,
        dialed      TEXT NOT NULL,
        at          INTEGER NOT NULL,
        reason      TEXT NOT NULL CHECK (reason IN ('no-answer', 'abandoned', 'busy', 'rejected')),
        priority    INTEGER NOT NULL,
        handled_at  INTEGER,
        handled_by  TEXT
      ) STRICT;
      CREATE INDEX missed_calls_at ON missed_calls (at, id);
      CREATE INDEX missed_calls_pending ON missed_calls (at, id) WHERE handled_at IS NULL;

      CREATE TABLE active_calls (
        call_id     TEXT PRIMARY KEY,
        node_id     TEXT NOT NULL,
        sip_call_id TEXT NOT NULL,
        caller      TEXT NOT NULL,
        dialed      TEXT NOT NULL,
        direction   TEXT NOT NULL CHECK (direction IN ('internal', 'inbound', 'outbound')),
        started_at  INTEGER NOT NULL,
        answered_at INTEGER,
        answered_by TEXT
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX active_calls_node ON active_calls (node_id, started_at);

      -- NULL in a setting column means "use the configured default".
      CREATE TABLE extension_settings (
        extension         TEXT PRIMARY KEY,
        dnd               INTEGER CHECK (dnd IN (0, 1)),
        call_waiting      INTEGER CHECK (call_waiting IN (0, 1)),
        forward_always    TEXT,
        forward_busy      TEXT,
        forward_no_answer TEXT,
        updated_at        INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;
    `,
  },
  {
    id: 3,
    name: "agent-status",
    sql: `
      -- ACD agents' operator-set status, restored at start (issue 4).
      CREATE TABLE agent_status (
        agent      TEXT PRIMARY KEY,
        status     TEXT NOT NULL CHECK (status IN ('logged-out', 'available', 'on-break')),
        reason     TEXT,
        updated_at INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;
    `,
  },
  {
    id: 4,
    name: "queue-callbacks",
    sql: `
      -- Callbacks promised to callers ("press 1", issue 4): re-joined at start in their place
      -- (join time, priority); a row is deleted when the callback is completed or dropped.
      CREATE TABLE queue_callbacks (
        call_id    TEXT PRIMARY KEY,
        queue      TEXT NOT NULL,
        number     TEXT NOT NULL,
        priority   INTEGER NOT NULL,
        joined_at  INTEGER NOT NULL,
        attempts   INTEGER NOT NULL CHECK (attempts >= 0),
        not_before INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;
    `,
  },
  {
    id: 5,
    name: "queue-callback-trunk",
    sql: `
      -- The trunk an outside caller came in on: its callback is dialled back through it (NULL:
      -- an internal caller, or a row stored before this migration).
      ALTER TABLE queue_callbacks ADD COLUMN trunk TEXT;
    `,
  },
];

/** Thrown when the database was written by a newer (or different) hotline build. */
export class SchemaVersionError extends Error {
  override name = "SchemaVersionError";
}

function checkOrder(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.id !== i + 1) throw new Error(`migration list is not numbered 1..n: entry ${i} has id ${m.id}`);
  });
}

/**
 * Brings the schema up to the last migration. Each migration runs in its own IMMEDIATE
 * transaction and re-checks whether it was applied, so two processes opening the same
 * database at once (the server and a CLI command) cannot both apply it.
 * Returns the ids applied by this call.
 */
export function migrate(db: Database.Database, file: string, migrations: readonly Migration[] = MIGRATIONS): number[] {
  checkOrder(migrations);
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT`);
  const applied = db.prepare<[], { id: number; name: string }>("SELECT id, name FROM schema_migrations ORDER BY id").all();
  const known = migrations.length;
  const newest = applied.at(-1);
  if (newest && newest.id > known) {
    throw new SchemaVersionError(
      `${file}: database schema version ${newest.id} ("${newest.name}") is newer than this hotline build knows (${known}); ` +
        `run a hotline version at least as new as the one that last opened it, or restore a backup`,
    );
  }
  for (const row of applied) {
    const m = migrations[row.id - 1];
    if (m && m.name !== row.name) {
      throw new SchemaVersionError(`${file}: database migration ${row.id} is "${row.name}" but this build's migration ${row.id} is "${m.name}"`);
    }
  }
  const isApplied = db.prepare<[number], { id: number }>("SELECT id FROM schema_migrations WHERE id = ?");
  const record = db.prepare<[number, string, number]>("INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)");
  const done: number[] = [];
  for (const m of migrations) {
    const apply = db.transaction(() => {
      if (isApplied.get(m.id)) return;
      db.exec(m.sql);
      record.run(m.id, m.name, Date.now());
      done.push(m.id);
    });
    apply.immediate();
  }
  return done;
}
