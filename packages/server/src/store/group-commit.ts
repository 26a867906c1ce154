// Group commit: every write queued during one event-loop turn is committed in ONE SQLite
// transaction, flushed from setImmediate. A REGISTER storm of thousands of upserts per second
// then costs a handful of commits instead of one fsync-bound commit each, and every caller's
// promise still resolves only after its own transaction committed ("answered" ⇒ durable).
import type Database from "better-sqlite3";

interface Pending {
  op: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

interface Outcome {
  ok: boolean;
  value: unknown;
}

export interface GroupCommitStats {
  /** Committed (or attempted) batch transactions. */
  transactions: number;
  /** Write operations executed. */
  writes: number;
  /** Largest number of writes in one transaction so far. */
  largestBatch: number;
}

export class GroupCommit {
  readonly stats: GroupCommitStats = { transactions: 0, writes: 0, largestBatch: 0 };
  #queue: Pending[] = [];
  #timer: NodeJS.Immediate | null = null;
  readonly #db: Database.Database;
  readonly #onFlushed: () => void;
  readonly #batch: Database.Transaction<(ops: Pending[]) => Outcome[]>;
  readonly #fastBatch: Database.Transaction<(ops: Pending[]) => Outcome[]>;

  constructor(db: Database.Database, onFlushed: () => void = () => {}) {
    this.#db = db;
    this.#onFlushed = onFlushed;
    // Nested better-sqlite3 transactions are SAVEPOINTs: a failing write rolls back alone
    // and rejects only its own caller instead of taking the whole batch down with it.
    const one = db.transaction((op: () => unknown) => op());
    // The common case: every write succeeds, so no savepoint per write (two statements
    // each). If any write throws, the whole batch rolls back and is redone with savepoints
    // so only the failing write's caller hears about it.
    this.#fastBatch = db.transaction((ops: Pending[]) => ops.map((p): Outcome => ({ ok: true, value: p.op() })));
    this.#batch = db.transaction((ops: Pending[]) =>
      ops.map((p): Outcome => {
        try {
          return { ok: true, value: one(p.op) };
        } catch (error) {
          return { ok: false, value: error };
        }
      }),
    );
  }

  get pending(): number {
    return this.#queue.length;
  }

  /** Queues a write; `op` runs inside the batch transaction and its result resolves the promise. */
  run<T>(op: () => T): Promise<T> {
    if (!this.#db.open) return Promise.reject(new Error("store is closed"));
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ op, resolve: resolve as (v: unknown) => void, reject });
      this.#timer ??= setImmediate(() => this.flush());
    });
  }

  /** Commits everything queued now, synchronously (used before reads and on close). */
  flush(): void {
    if (this.#timer) clearImmediate(this.#timer);
    this.#timer = null;
    const ops = this.#queue;
    if (ops.length === 0) return;
    this.#queue = [];
    this.stats.transactions++;
    this.stats.writes += ops.length;
    this.stats.largestBatch = Math.max(this.stats.largestBatch, ops.length);
    let outcomes: Outcome[];
    try {
      try {
        outcomes = this.#fastBatch.immediate(ops);
      } catch {
        outcomes = this.#batch.immediate(ops);
      }
    } catch (error) {
      // The COMMIT itself failed (disk full, database locked past busy_timeout): nothing in
      // the batch is durable, so every caller hears about it.
      this.#onFlushed();
      for (const p of ops) p.reject(error);
      return;
    }
    this.#onFlushed();
    ops.forEach((p, i) => {
      const o = outcomes[i];
      if (o?.ok) p.resolve(o.value);
      else p.reject(o?.value ?? new Error("write lost"));
    });
  }
}
