// SQLite-specific behaviour of the call-record stores (the shared behaviour is in the
// store contract, run by sqlite-store.test.ts): migration, indexes, group commit, crash.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { recoverInterruptedCalls, type CdrRecord } from "@hotline/switch";
import { sampleActiveCall, sampleCdr, sampleLeg } from "@hotline/switch/testing";
import { openSqliteStore, DB_FILE_NAME } from "./sqlite-store.js";
import { MIGRATIONS, migrate } from "./migrations.js";
import { cdrWhere } from "./cdr-store.js";

const tempDirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "hotline-calls-"));
  tempDirs.push(dir);
  return dir;
}
test.after(() => {
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
});

test("a database of schema 1 is migrated to call-records, agent-status and queue-callbacks with its users intact", async () => {
  const dir = tempDir();
  const db = new Database(join(dir, DB_FILE_NAME));
  migrate(db, "v1", MIGRATIONS.slice(0, 1));
  db.prepare("INSERT INTO users VALUES ('1001', NULL, 'hotline.local', ?, ?, 1)").run("0".repeat(32), "1".repeat(64));
  db.close();
  const store = await openSqliteStore(dir);
  assert.equal((await store.users.get("1001"))?.realm, "hotline.local");
  await store.cdrs.write(sampleCdr("c1"));
  assert.deepEqual(await store.cdrs.get("c1"), sampleCdr("c1"));
  await store.close();
  const check = new Database(join(dir, DB_FILE_NAME), { readonly: true });
  assert.deepEqual(check.prepare("SELECT id, name FROM schema_migrations ORDER BY id").all(), [
    { id: 1, name: "users-and-bindings" },
    { id: 2, name: "call-records" },
    { id: 3, name: "agent-status" },
    { id: 4, name: "queue-callbacks" },
    { id: 5, name: "queue-callback-trunk" },
  ]);
  check.close();
});

test("migration 5: callbacks stored before it keep working (no trunk); new ones keep their trunk", async () => {
  const dir = tempDir();
  const db = new Database(join(dir, DB_FILE_NAME));
  migrate(db, "v4", MIGRATIONS.slice(0, 4));
  db.prepare("INSERT INTO queue_callbacks VALUES ('old', '7000', '2009', 0, 5, 1, 0)").run();
  db.close();
  const store = await openSqliteStore(dir);
  assert.deepEqual(await store.queueCallbacks.list(), [{ callId: "old", queue: "7000", number: "2009", priority: 0, joinedAt: 5, attempts: 1, notBefore: 0 }]);
  await store.queueCallbacks.put({ callId: "new", queue: "7000", number: "01012345678", priority: 0, joinedAt: 6, attempts: 0, notBefore: 0, trunk: "carrier-a" });
  assert.equal((await store.queueCallbacks.list()).find((r) => r.callId === "new")?.trunk, "carrier-a");
  await store.close();
});

test("the list queries are answered from indexes, not by scanning tables", () => {
  const db = new Database(":memory:");
  migrate(db, "mem");
  const plan = (sql: string, params: Record<string, unknown> = {}): string =>
    db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params).map((r) => (r as { detail: string }).detail).join(" | ");
  const cdrPlan = (q: Parameters<typeof cdrWhere>[0]): string => {
    const { sql, params } = cdrWhere(q);
    return plan(`SELECT * FROM cdrs ${sql} ORDER BY started_at DESC, call_id DESC LIMIT @limit`, { ...params, limit: 100 });
  };
  // Newest first with no filter walks the time index backwards: no sort, no scan of the table.
  assert.equal(cdrPlan({}), "SCAN cdrs USING INDEX cdrs_started_at");
  assert.match(cdrPlan({ from: 1, to: 2 }), /^SEARCH cdrs USING INDEX cdrs_started_at \(started_at>\? AND started_at<\?\)$/);
  const party = cdrPlan({ party: "1001", from: 1 });
  assert.match(party, /MULTI-INDEX OR/);
  for (const index of ["cdrs_caller", "cdrs_dialed", "cdrs_answered_by"]) assert.match(party, new RegExp(`SEARCH cdrs USING INDEX ${index} \\(\\w+=\\? AND started_at>\\?\\)`));
  assert.match(plan("SELECT * FROM journal WHERE call_id = @c AND seq > 0 ORDER BY seq LIMIT 10", { c: "x" }), /^SEARCH journal USING (COVERING )?INDEX journal_call_id \(call_id=\? AND seq>\?\)$/);
  assert.match(plan("SELECT * FROM missed_calls WHERE handled_at IS NULL ORDER BY at DESC, id DESC LIMIT 10"), /^SCAN missed_calls USING INDEX missed_calls_pending$/);
  assert.match(plan("SELECT * FROM active_calls WHERE node_id = 'n' ORDER BY started_at, call_id"), /SEARCH active_calls USING INDEX active_calls_node \(node_id=\?\)/);
  db.close();
});

test("a resolved CDR write is committed: another connection sees it and its legs", async () => {
  const dir = tempDir();
  const store = await openSqliteStore(dir);
  await store.cdrs.write(sampleCdr("c1"));
  const other = new Database(join(dir, DB_FILE_NAME), { readonly: true });
  assert.deepEqual(other.prepare("SELECT call_id FROM cdrs").pluck().all(), ["c1"]);
  assert.deepEqual(other.prepare("SELECT leg_id FROM cdr_legs WHERE call_id = 'c1' ORDER BY ordinal").pluck().all(), ["c1-a", "c1-b"]);
  other.close();
  await store.close();
});

test("group commit: CDRs, journal events, missed calls and active-call changes of one turn share one transaction", async () => {
  const store = await openSqliteStore(tempDir());
  const before = store.stats.transactions;
  await Promise.all([
    store.activeCalls.put(sampleActiveCall("a1")),
    store.cdrs.write(sampleCdr("c1")),
    store.journal.append([{ at: 1, type: "call.ended", callId: "c1", data: {} }]),
    store.missedCalls.add({ callId: "m1", caller: "1001", callerName: null, dialed: "800", at: 1, reason: "busy", priority: 0 }),
    store.activeCalls.update("a1", { answeredAt: 5 }),
  ]);
  assert.equal(store.stats.transactions - before, 1);
  await store.close();
});

test("a CDR write that fails rolls back alone: no CDR, no legs, the active row stays; its neighbours are stored", async () => {
  const store = await openSqliteStore(tempDir());
  await store.activeCalls.put(sampleActiveCall("bad"));
  const bad: CdrRecord = sampleCdr("bad", 0, { legs: [sampleLeg("ok"), { ...sampleLeg("broken"), role: "sideways" as "inbound" }] });
  const results = await Promise.allSettled([store.cdrs.write(sampleCdr("c1")), store.cdrs.write(bad), store.cdrs.write(sampleCdr("c2"))]);
  assert.deepEqual(results.map((r) => r.status), ["fulfilled", "rejected", "fulfilled"]);
  assert.equal(await store.cdrs.get("bad"), null);
  assert.deepEqual((await store.cdrs.list({})).map((c) => c.callId), ["c2", "c1"]);
  assert.deepEqual((await store.activeCalls.listForNode("node1")).map((a) => a.callId), ["bad"]);
  await store.close();
});

test("kill -9 mid-stream: every acknowledged CDR survives, no call has both a CDR and an active row, recovery closes the rest", { timeout: 60_000 }, async () => {
  const dir = tempDir();
  const child = spawn(
    process.execPath,
    ["--conditions=hotline-source", "--import", "tsx", fileURLToPath(new URL("../testing/crash-cdr-writer.ts", import.meta.url)), dir],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  let text = "";
  let cdrsAcknowledged = 0;
  // A varying kill point, so over many runs the kill lands at different phases of a batch.
  const killAt = 3_000 + Math.floor(Math.random() * 2_000);
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  child.stdout.on("data", (chunk: Buffer) => {
    const s = chunk.toString();
    text += s;
    cdrsAcknowledged += s.split("\nc ").length - 1;
    // Killed as soon as the ack of a CDR write arrives, i.e. right after its promise resolved.
    if (cdrsAcknowledged >= killAt && child.exitCode === null && !child.killed) child.kill("SIGKILL");
  });
  await exited;
  assert.equal(child.signalCode, "SIGKILL", "the writer must be killed, not exit on its own");
  // The last line may be cut off by the kill; only complete lines were acknowledged.
  const lines = text.split("\n").slice(0, -1);
  const acked = (kind: string) => lines.filter((l) => l.startsWith(`${kind} `)).map((l) => `crash-${l.slice(2)}`);
  const activeAcked = acked("a");
  const cdrAcked = acked("c");
  assert.ok(cdrAcked.length >= 3_000, `only ${cdrAcked.length} CDRs acknowledged`);

  const store = await openSqliteStore(dir);
  const db = new Database(join(dir, DB_FILE_NAME), { readonly: true });
  const cdrIds = new Set(db.prepare<[], string>("SELECT call_id FROM cdrs").pluck().all());
  const activeIds = new Set(db.prepare<[], string>("SELECT call_id FROM active_calls").pluck().all());
  const legless = db.prepare<[], number>("SELECT count(*) FROM cdrs WHERE (SELECT count(*) FROM cdr_legs l WHERE l.call_id = cdrs.call_id) <> 2").pluck().get();
  db.close();
  const lost = cdrAcked.filter((id) => !cdrIds.has(id));
  assert.deepEqual(lost.slice(0, 10), [], `${lost.length} acknowledged CDRs missing`);
  assert.equal(legless, 0, "every stored CDR has both its legs");
  const both = [...cdrIds].filter((id) => activeIds.has(id));
  assert.deepEqual(both.slice(0, 10), [], "a CDR write removes the active row in the same transaction");
  const neither = activeAcked.filter((id) => !cdrIds.has(id) && !activeIds.has(id));
  assert.deepEqual(neither.slice(0, 10), [], "an acknowledged call is either active or has its CDR");

  const interrupted = activeIds.size;
  // Calls are pipelined (active row, journal, CDR), so some are always between start and end.
  assert.ok(interrupted > 0, "the kill interrupted calls in progress");
  assert.equal(await recoverInterruptedCalls(store, "node1", Date.now()), interrupted);
  assert.deepEqual(await store.activeCalls.listForNode("node1"), []);
  await store.close();
  const after = new Database(join(dir, DB_FILE_NAME), { readonly: true });
  const count = (sql: string) => after.prepare<[], number>(sql).pluck().get();
  assert.equal(count("SELECT count(*) FROM cdrs WHERE disposition = 'interrupted'"), interrupted);
  assert.equal(count("SELECT count(*) FROM journal WHERE type = 'call.interrupted'"), interrupted);
  after.close();
});
