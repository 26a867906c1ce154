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
