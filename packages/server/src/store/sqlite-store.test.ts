import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { storeContract, sampleBinding, sampleUser } from "@hotline/switch/testing";
import type { BindingRecord } from "@hotline/switch";
import { openSqliteStore, DB_FILE_NAME } from "./sqlite-store.js";
import { MIGRATIONS, migrate, SchemaVersionError } from "./migrations.js";

const tempDirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "hotline-store-"));
  tempDirs.push(dir);
  return dir;
}
test.after(() => {
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
});

storeContract("sqlite store", () => openSqliteStore(tempDir()));

test("data survives close and reopen", async () => {
  const dir = tempDir();
  const a = await openSqliteStore(dir);
  await a.users.put(sampleUser("1001"));
  await a.bindings.upsert(sampleBinding("1001", 5060));
  await a.close();
  const b = await openSqliteStore(dir);
  assert.deepEqual(await b.users.get("1001"), sampleUser("1001"));
  assert.deepEqual(await b.bindings.listAll(), [sampleBinding("1001", 5060)]);
  await b.close();
});

test("the database file is in WAL mode", async () => {
  const dir = tempDir();
  const store = await openSqliteStore(dir);
  await store.close();
  const db = new Database(join(dir, DB_FILE_NAME));
  assert.equal(db.pragma("journal_mode", { simple: true }), "wal");
  db.close();
});

test("migrations are idempotent", async () => {
  const dir = tempDir();
  await (await openSqliteStore(dir)).close();
  await (await openSqliteStore(dir)).close();
  const db = new Database(join(dir, DB_FILE_NAME));
  assert.deepEqual(migrate(db, "x.db"), []);
  const rows = db.prepare("SELECT id, name FROM schema_migrations").all();
  assert.deepEqual(rows, MIGRATIONS.map((m) => ({ id: m.id, name: m.name })));
  db.close();
});

test("a later migration applies on top; a failing one rolls back alone", () => {
  const db = new Database(":memory:");
  const n = MIGRATIONS.length;
  assert.deepEqual(migrate(db, "mem"), MIGRATIONS.map((m) => m.id));
  const extra = [...MIGRATIONS, { id: n + 1, name: "notes", sql: "CREATE TABLE notes (id INTEGER PRIMARY KEY)" }];
  assert.deepEqual(migrate(db, "mem", extra), [n + 1]);
  const broken = [...extra, { id: n + 2, name: "broken", sql: "CREATE TABLE half (id INTEGER); SELECT * FROM missing_table" }];
  assert.throws(() => migrate(db, "mem", broken), /no such table: missing_table/);
  const version = db.prepare<[], { v: number }>("SELECT max(id) AS v FROM schema_migrations").get();
  assert.equal(version?.v, n + 1);
  assert.equal(db.prepare("SELECT name FROM sqlite_master WHERE name = 'half'").get(), undefined);
  db.close();
});

test("a database from a newer hotline is refused with a clear error", async () => {
  const dir = tempDir();
  await (await openSqliteStore(dir)).close();
  const db = new Database(join(dir, DB_FILE_NAME));
  db.prepare("INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)").run(MIGRATIONS.length + 1, "from-the-future", 0);
  db.close();
  await assert.rejects(openSqliteStore(dir), (error: Error) => {
    assert.ok(error instanceof SchemaVersionError);
    const n = MIGRATIONS.length;
    assert.ok(error.message.includes(`hotline.db: database schema version ${n + 1} ("from-the-future") is newer than this hotline build knows (${n})`), error.message);
    return true;
  });
});

test("group commit: 1,000 concurrent upserts share one transaction and are all stored", async () => {
  const store = await openSqliteStore(tempDir());
  const before = store.stats.transactions;
  const writes = Array.from({ length: 1000 }, (_, i) => store.bindings.upsert(sampleBinding(String(i), 5060)));
  await Promise.all(writes);
  assert.ok(store.stats.transactions - before <= 2, `${store.stats.transactions - before} transactions`);
  assert.equal(store.stats.largestBatch, 1000);
  assert.equal((await store.bindings.listAll()).length, 1000);
  await store.close();
});

test("group commit: a failing write rejects only its own caller", async () => {
  const store = await openSqliteStore(tempDir());
  const bad = { ...sampleBinding("9", 1), source: { transport: "carrier-pigeon", address: "x", port: 1 } } as unknown as BindingRecord;
  const results = await Promise.allSettled([
    store.bindings.upsert(sampleBinding("1", 1)),
    store.bindings.upsert(bad),
    store.bindings.upsert(sampleBinding("2", 1)),
  ]);
  assert.deepEqual(results.map((r) => r.status), ["fulfilled", "rejected", "fulfilled"]);
  assert.equal(store.stats.transactions, 1);
  assert.deepEqual((await store.bindings.listAll()).map((b) => b.aor), ["sip:1@hotline.local", "sip:2@hotline.local"]);
  await store.close();
});

test("reads see writes that are still queued", async () => {
  const store = await openSqliteStore(tempDir());
  const pending = store.bindings.upsert(sampleBinding("1001", 5060));
  assert.equal((await store.bindings.listAll()).length, 1);
  await pending;
  const removal = store.users.put(sampleUser("1001"));
  assert.equal((await store.users.list()).length, 1);
  await removal;
  await store.close();
});

test("close commits queued writes first", async () => {
  const dir = tempDir();
  const store = await openSqliteStore(dir);
  const pending = store.users.put(sampleUser("1001"));
  await store.close();
  await pending;
  const again = await openSqliteStore(dir);
  assert.equal((await again.users.get("1001"))?.username, "1001");
  await again.close();
});

test("kill -9 mid-stream loses no write whose promise had resolved", { timeout: 60_000 }, async () => {
  const dir = tempDir();
  const child = spawn(
    process.execPath,
    ["--conditions=hotline-source", "--import", "tsx", fileURLToPath(new URL("../testing/crash-writer.ts", import.meta.url)), dir],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  let text = "";
  let acknowledged = 0;
  // A varying kill point, so over many runs the kill lands at different phases of a batch.
  const killAt = 20_000 + Math.floor(Math.random() * 10_000);
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  child.stdout.on("data", (chunk: Buffer) => {
    text += chunk.toString();
    acknowledged = text.split("\n").length - 2;
    if (acknowledged >= killAt && child.exitCode === null && !child.killed) child.kill("SIGKILL");
  });
  await exited;
  assert.equal(child.signalCode, "SIGKILL", "the writer must be killed, not exit on its own");
  // The last line may be cut off by the kill; only complete lines were acknowledged.
  const ids = text.split("\n").slice(0, -1).filter((l) => l !== "ready").map(Number);
  assert.ok(ids.length >= 20_000, `only ${ids.length} ids acknowledged`);
  const store = await openSqliteStore(dir);
  const stored = new Set((await store.bindings.listAll()).map((b) => b.aor));
  const missing = ids.filter((id) => !stored.has(`sip:crash-${id}@hotline.local`));
  assert.deepEqual(missing.slice(0, 10), [], `${missing.length} acknowledged writes missing`);
  await store.close();
});

test("with the checkpoint worker, WAL pages are checkpointed off-thread and truncated on close", async () => {
  const dir = mkdtempSync(join(tmpdir(), "hotline-ckpt-"));
  try {
    const errors: string[] = [];
    const store = await openSqliteStore(dir, { checkpointWorker: { intervalMs: 100, onError: (m) => errors.push(m) } });
    await Promise.all(Array.from({ length: 3000 }, (_, i) => store.bindings.upsert(sampleBinding(`u${i}`, 5000 + (i % 1000)))));
    const wal = join(dir, `${DB_FILE_NAME}-wal`);
    // The worker's PASSIVE checkpoints copy the WAL into the database while we keep going.
    let checkpointed = false;
    for (let i = 0; i < 50 && !checkpointed; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const probe = new Database(join(dir, DB_FILE_NAME), { readonly: true });
      // Reading the header of the main file: once pages moved there, page_count covers the rows.
      checkpointed = (probe.pragma("page_count", { simple: true }) as number) > 10;
      probe.close();
    }
    assert.ok(checkpointed, "rows reached the main database file without an on-commit checkpoint");
    await store.close();
    assert.equal(statSync(wal, { throwIfNoEntry: false })?.size ?? 0, 0, "TRUNCATE checkpoint on close");
    const again = await openSqliteStore(dir);
    assert.equal((await again.bindings.listAll()).length, 3000);
    await again.close();
    assert.deepEqual(errors, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("cached users follow changes committed by another connection (the CLI) on the next lookup", async () => {
  const dir = mkdtempSync(join(tmpdir(), "hotline-ucache-"));
  try {
    const store = await openSqliteStore(dir);
    await store.users.put(sampleUser("2001", { ha1Md5: "a".repeat(32) }));
    assert.equal((await store.users.get("2001"))?.ha1Md5, "a".repeat(32)); // now cached
    const other = new Database(join(dir, DB_FILE_NAME));
    other.prepare("UPDATE users SET ha1_md5 = ? WHERE username = ?").run("b".repeat(32), "2001");
    assert.equal((await store.users.get("2001"))?.ha1Md5, "b".repeat(32), "a password changed from the CLI takes effect");
    other.prepare("DELETE FROM users WHERE username = ?").run("2001");
    assert.equal(await store.users.get("2001"), null, "a user removed from the CLI is gone");
    other.close();
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
