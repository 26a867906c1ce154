// The default Store: one SQLite file per node, <dataDir>/hotline.db, via better-sqlite3.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import type { BindingRecord, BindingStore, BindingTransport, Store, UserRecord, UserStore } from "@hotline/switch";
import { GroupCommit, type GroupCommitStats } from "./group-commit.js";
import { migrate } from "./migrations.js";
import { startCheckpointWorker, type Checkpointer } from "./checkpoint-worker.js";
import { sqliteCdrStore } from "./cdr-store.js";
import { sqliteActiveCallStore, sqliteAgentStatusStore, sqliteExtensionSettingsStore, sqliteJournalStore, sqliteMissedCallStore, sqliteQueueCallbackStore } from "./call-state-stores.js";
import { sqliteContext } from "./sqlite-context.js";

export const DB_FILE_NAME = "hotline.db";

export interface SqliteStore extends Store {
  /** Absolute or as-given path of the database file. */
  readonly file: string;
  /** Group-commit counters (exported as metrics; asserted by tests). */
  readonly stats: Readonly<GroupCommitStats>;
}

interface UserRow {
  username: string;
  display_name: string | null;
  realm: string;
  ha1_md5: string;
  ha1_sha256: string;
  created_at: number;
}

interface BindingRow {
  aor: string;
  contact: string;
  call_id: string;
  cseq: number;
  expires_at: number;
  q: number | null;
  transport: BindingTransport;
  source_address: string;
  source_port: number;
  user_agent: string | null;
  instance_id: string | null;
  reg_id: number | null;
  updated_at: number;
}

const toUser = (r: UserRow): UserRecord => ({
  username: r.username,
  displayName: r.display_name,
  realm: r.realm,
  ha1Md5: r.ha1_md5,
  ha1Sha256: r.ha1_sha256,
  createdAt: r.created_at,
});

const toBinding = (r: BindingRow): BindingRecord => ({
  aor: r.aor,
  contact: r.contact,
  callId: r.call_id,
  cseq: r.cseq,
  expiresAt: r.expires_at,
  q: r.q,
  source: { transport: r.transport, address: r.source_address, port: r.source_port },
  userAgent: r.user_agent,
  instanceId: r.instance_id,
  regId: r.reg_id,
  updatedAt: r.updated_at,
});

type UserParams = [string, string | null, string, string, string, number];
const userParams = (u: UserRecord): UserParams => [u.username, u.displayName, u.realm, u.ha1Md5, u.ha1Sha256, u.createdAt];

type BindingParams = [
  string, string, string, number, number, number | null, string, string, number,
  string | null, string | null, number | null, number,
];
const bindingParams = (b: BindingRecord): BindingParams =>
  [
    b.aor, b.contact, b.callId, b.cseq, b.expiresAt, b.q, b.source.transport, b.source.address, b.source.port,
    b.userAgent, b.instanceId, b.regId, b.updatedAt,
  ];

function openDatabase(file: string): Database.Database {
  const db = new Database(file);
  try {
    // WAL + synchronous=NORMAL: a commit appends to the WAL with write(2) but is not fsynced
    // until the next checkpoint. The appended pages are in the kernel's page cache, so a crash
    // or kill -9 of this process never loses a committed transaction; only an OS crash or
    // power cut can drop the last few commits (never corrupting the file). That is the
    // trade SQLite documents for WAL, and it is what makes thousands of commits/s cheap.
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.pragma("foreign_keys = ON");
    // The CLI and the server may write at the same time; wait for the lock instead of failing.
    db.pragma("busy_timeout = 5000");
    migrate(db, file);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

function statements(db: Database.Database) {
  return {
    getUser: db.prepare<[string], UserRow>("SELECT * FROM users WHERE username = ?"),
    dataVersion: db.prepare<[], number>("PRAGMA data_version").pluck(),
    listUsers: db.prepare<[], UserRow>("SELECT * FROM users ORDER BY username"),
    putUser: db.prepare<UserParams>(
      `INSERT INTO users (username, display_name, realm, ha1_md5, ha1_sha256, created_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (username) DO UPDATE SET display_name = excluded.display_name, realm = excluded.realm,
         ha1_md5 = excluded.ha1_md5, ha1_sha256 = excluded.ha1_sha256, created_at = excluded.created_at`,
    ),
    removeUser: db.prepare<[string]>("DELETE FROM users WHERE username = ?"),
    listBindings: db.prepare<[], BindingRow>("SELECT * FROM bindings ORDER BY aor, contact"),
    upsertBinding: db.prepare<BindingParams>(
      `INSERT OR REPLACE INTO bindings (aor, contact, call_id, cseq, expires_at, q, transport, source_address,
         source_port, user_agent, instance_id, reg_id, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    removeBinding: db.prepare<[string, string]>("DELETE FROM bindings WHERE aor = ? AND contact = ?"),
    removeAor: db.prepare<[string]>("DELETE FROM bindings WHERE aor = ?"),
    removeExpired: db.prepare<[number]>("DELETE FROM bindings WHERE expires_at <= ?"),
  };
}

type Statements = ReturnType<typeof statements>;

interface Context {
  st: Statements;
  commits: GroupCommit;
  /** Runs a synchronous query as a promise; rejects once the database is closed. */
  read: <T>(query: () => T) => Promise<T>;
}

/** Bound on cached users; past it the cache starts over (a site has thousands, not millions). */
const USER_CACHE_LIMIT = 200_000;

function userStore({ st, commits, read }: Context, pendingUsers: Map<string, UserRecord | null>): UserStore {
  // Every REGISTER looks its user up. Known users are cached; PRAGMA data_version changes
  // whenever another connection (the `hotline user` CLI) commits, which empties the cache,
  // so a password changed from the CLI takes effect on the next request. Unknown names are
  // not cached: a scan for extensions must not grow memory.
  const cache = new Map<string, UserRecord>();
  let seenVersion = st.dataVersion.get();
  const cached = (username: string): UserRecord | undefined => {
    const version = st.dataVersion.get();
    if (version !== seenVersion) {
      seenVersion = version;
      cache.clear();
    }
    return cache.get(username);
  };
  return {
    get: (username) =>
      read(() => {
        const pending = pendingUsers.get(username);
        if (pending !== undefined) return pending && { ...pending };
        const hit = cached(username);
        if (hit !== undefined) return { ...hit };
        const row = st.getUser.get(username);
        if (!row) return null;
        const user = toUser(row);
        if (cache.size >= USER_CACHE_LIMIT) cache.clear();
        cache.set(username, user);
        return { ...user };
      }),
    list: () =>
      read(() => {
        commits.flush();
        return st.listUsers.all().map(toUser);
      }),
    put: (u) => {
      cache.delete(u.username);
      const params = userParams(u);
      const promise = commits.run(() => void st.putUser.run(...params));
      pendingUsers.set(u.username, { ...u });
      return promise;
    },
    putMany: (list) => {
      const copy = list.map((u) => ({ ...u }));
      for (const u of copy) cache.delete(u.username);
      const promise = commits.run(() => {
        for (const u of copy) st.putUser.run(...userParams(u));
      });
      for (const u of copy) pendingUsers.set(u.username, u);
      return promise;
    },
    remove: (username) => {
      cache.delete(username);
      const promise = commits.run(() => st.removeUser.run(username).changes > 0);
      pendingUsers.set(username, null);
      return promise;
    },
  };
}

function bindingStore({ st, commits, read }: Context): BindingStore {
  return {
    listAll: () =>
      read(() => {
        commits.flush();
        return st.listBindings.all().map(toBinding);
      }),
    upsert: (b) => {
      const params = bindingParams(b);
      return commits.run(() => void st.upsertBinding.run(...params));
    },
    remove: (aor, contact) => commits.run(() => void st.removeBinding.run(aor, contact)),
    removeAor: (aor) => commits.run(() => void st.removeAor.run(aor)),
    removeExpired: (now) => commits.run(() => st.removeExpired.run(now).changes),
  };
}

/**
 * Opens (creating and migrating if needed) `<dir>/hotline.db`. Rejects with a
 * SchemaVersionError when the file was written by a newer hotline.
 */
export interface SqliteStoreOptions {
  /**
   * Run WAL checkpoints on a worker thread instead of on commit (the server sets this; a
   * short-lived CLI command keeps SQLite's automatic checkpoints).
   */
  checkpointWorker?: { intervalMs: number; onError: (message: string) => void };
}

export async function openSqliteStore(dir: string, options: SqliteStoreOptions = {}): Promise<SqliteStore> {
  // The users table holds HA1 digests, which are password-equivalent for digest auth:
  // a directory we create is readable by our user only.
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, DB_FILE_NAME);
  const db = openDatabase(file);
  let checkpointer: Checkpointer | null = null;
  if (options.checkpointWorker !== undefined) {
    db.pragma("wal_autocheckpoint = 0");
    checkpointer = startCheckpointWorker(file, options.checkpointWorker.intervalMs, options.checkpointWorker.onError);
  }
  // Users written but not yet committed, so a read in the same turn sees them without forcing
  // an early flush (the registrar reads a user and writes a binding for every REGISTER, and
  // flushing on each read would undo group commit). null marks a pending removal.
  const pendingUsers = new Map<string, UserRecord | null>();
  const commits = new GroupCommit(db, () => pendingUsers.clear());
  const read = <T>(query: () => T): Promise<T> => {
    if (!db.open) return Promise.reject(new Error("store is closed"));
    try {
      return Promise.resolve(query());
    } catch (error) {
      return Promise.reject(error as Error);
    }
  };
  const context: Context = { st: statements(db), commits, read };
  const calls = sqliteContext(db, commits);
  return {
    file,
    stats: commits.stats,
    users: userStore(context, pendingUsers),
    bindings: bindingStore(context),
    cdrs: sqliteCdrStore(calls),
    journal: sqliteJournalStore(calls),
    missedCalls: sqliteMissedCallStore(calls),
    activeCalls: sqliteActiveCallStore(calls),
    extensionSettings: sqliteExtensionSettingsStore(calls),
    agentStatus: sqliteAgentStatusStore(calls),
    queueCallbacks: sqliteQueueCallbackStore(calls),
    async close() {
      if (!db.open) return;
      commits.flush();
      await checkpointer?.stop();
      db.close();
    },
  };
}
