// What each SQLite sub-store needs: the connection (to prepare its statements), the group
// commit every write goes through, and a way to read that sees every queued write.
import type Database from "better-sqlite3";
import type { GroupCommit } from "./group-commit.js";

export interface SqliteContext {
  db: Database.Database;
  /** Every write goes through here: its promise resolves only after COMMIT. */
  commits: GroupCommit;
  /** Commits queued writes, then runs the query; rejects once the database is closed. */
  query<T>(q: () => T): Promise<T>;
}

export function sqliteContext(db: Database.Database, commits: GroupCommit): SqliteContext {
  return {
    db,
    commits,
    query<T>(q: () => T): Promise<T> {
      if (!db.open) return Promise.reject(new Error("store is closed"));
      try {
        commits.flush();
        return Promise.resolve(q());
      } catch (error) {
        return Promise.reject(error as Error);
      }
    },
  };
}

/** SQLite has no boolean: 0/1, NULL kept. */
export const toFlag = (b: boolean | null): number | null => (b === null ? null : b ? 1 : 0);
export const fromFlag = (n: number | null): boolean | null => (n === null ? null : n !== 0);

/** Runs `prepare` before queuing, so bad input (e.g. unserializable JSON) rejects at once with nothing queued. */
export function queue<T>(commits: GroupCommit, prepare: () => () => T): Promise<T> {
  let op: () => T;
  try {
    op = prepare();
  } catch (error) {
    return Promise.reject(error as Error);
  }
  return commits.run(op);
}
