import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { T0, sampleCdr, sampleMissedCall } from "@hotline/switch/testing";
import { openSqliteStore } from "../store/sqlite-store.js";
import { freePort, hotline, workspaces } from "../testing/cli-harness.js";
import { formatDuration } from "./record-commands.js";

const spaces = workspaces();
test.after(() => spaces.removeAll());

// T0 = 2023-11-14T22:13:20Z.
async function seededWorkspace(): Promise<string> {
  const dir = spaces.create(await freePort());
  const store = await openSqliteStore(join(dir, "data"));
  await store.cdrs.write(sampleCdr("call-a", 0));
  await store.cdrs.write(sampleCdr("call-b", 3_600_000, { caller: "+4930123456", callerName: "ACME", dialed: "800", answeredBy: "1005", direction: "inbound", talkMs: 3_725_000 }));
  await store.cdrs.write(sampleCdr("call-c", 7_200_000, { answeredBy: null, answeredAt: null, talkMs: 0, disposition: "interrupted", cause: 41 }));
  await store.missedCalls.add(sampleMissedCall("m1", { at: T0 }));
  await store.missedCalls.add(sampleMissedCall("m2", { at: T0 + 60_000, callerName: "ACME", reason: "abandoned", priority: 5 }));
  await store.close();
  return dir;
}

test("formatDuration: m:ss, h:mm:ss from an hour on", () => {
  assert.deepEqual([0, 59_400, 60_000, 3_599_000, 3_725_000].map(formatDuration), ["0:00", "0:59", "1:00", "59:59", "1:02:05"]);
});

test("cdr list: a table newest first, filters, paging hint, JSON; bad options exit 2", async () => {
  const dir = await seededWorkspace();
  const list = await hotline(dir, "cdr", "list");
  assert.equal(list.stderr, "");
  assert.equal(
    list.stdout,
    [
      "STARTED (UTC)        DIRECTION  CALLER              DIALED  ANSWERED BY  DISPOSITION  TALK     CALL ID",
      "2023-11-15 00:13:20  internal   1001 (Desk 1)       1002                 interrupted           call-c",
      "2023-11-14 23:13:20  inbound    +4930123456 (ACME)  800     1005         answered     1:02:05  call-b",
      "2023-11-14 22:13:20  internal   1001 (Desk 1)       1002    1002         answered     1:00     call-a",
      "",
    ].join("\n"),
  );
  const window = await hotline(dir, "cdr", "list", "--from", "2023-11-14T23:00", "--to", "2023-11-15T00:13:20Z");
  assert.deepEqual(window.stdout.split("\n").slice(1, -1).map((l) => l.split(/\s+/).at(-1)), ["call-b"]);
  const party = await hotline(dir, "cdr", "list", "--party", "1005", "--json");
  assert.deepEqual(JSON.parse(party.stdout), [sampleCdr("call-b", 3_600_000, { caller: "+4930123456", callerName: "ACME", dialed: "800", answeredBy: "1005", direction: "inbound", talkMs: 3_725_000 })]);
  const page = await hotline(dir, "cdr", "list", "--limit", "1");
  assert.match(page.stdout, /call-c\n\n1 shown, newest first; older ones: --before call-c\n$/);
  const next = await hotline(dir, "cdr", "list", "--limit", "1", "--before", "call-c");
  assert.match(next.stdout, /call-b\n\n1 shown/);
  assert.equal((await hotline(dir, "cdr", "list", "--disposition", "busy")).stdout, "no CDRs match\n");

  const bad: [string[], string][] = [
    [["--from", "last week"], '--from: not an ISO 8601 date or time, e.g. 2025-01-31 or 2025-01-31T14:05:00Z (got "last week")\n'],
    [["--from", "2025-02-01", "--to", "2025-01-31"], "--from must be before --to (2025-02-01 00:00:00 is not before 2025-01-31 00:00:00 UTC)\n"],
    [["--limit", "5000"], '--limit: must be an integer 1..1000 (got "5000")\n'],
    [["--disposition", "lost"], '--disposition: must be one of answered, busy, no-answer, cancelled, rejected, failed, interrupted (got "lost")\n'],
    [["--before", "nope"], "--before: no CDR with call id nope\n"],
  ];
  for (const [args, stderr] of bad) assert.deepEqual(await hotline(dir, "cdr", "list", ...args), { code: 2, stdout: "", stderr }, args.join(" "));
});

test("missed list shows pending calls; missed done marks one handled once; --all shows who", async () => {
  const dir = await seededWorkspace();
  assert.equal(
    (await hotline(dir, "missed", "list")).stdout,
    [
      "ID  AT (UTC)             CALLER       NAME  DIALED  REASON     PRIORITY",
      "2   2023-11-14 22:14:20  +4930123456  ACME  800     abandoned  5",
      "1   2023-11-14 22:13:20  +4930123456        800     no-answer  0",
      "",
    ].join("\n"),
  );
  assert.deepEqual(await hotline(dir, "missed", "done", "2", "--by", "alice"), { code: 0, stdout: "missed call 2 marked handled by alice\n", stderr: "" });
  assert.deepEqual(await hotline(dir, "missed", "done", "2", "--by", "bob"), {
    code: 1,
    stdout: "",
    stderr: 'missed call 2 is not pending (no such id, or already handled; see "hotline missed list --all")\n',
  });
  assert.deepEqual((await hotline(dir, "missed", "done", "two", "--by", "bob")).code, 2);
  const noBy = await hotline(dir, "missed", "done", "1");
  assert.deepEqual([noBy.code, noBy.stderr], [2, "error: required option '--by <name>' not specified\n"]);

  const pending = JSON.parse((await hotline(dir, "missed", "list", "--json")).stdout) as { id: number }[];
  assert.deepEqual(pending.map((m) => m.id), [1]);
  const all = await hotline(dir, "missed", "list", "--all");
  assert.match(all.stdout, /^ID\s+AT \(UTC\)\s+CALLER\s+NAME\s+DIALED\s+REASON\s+PRIORITY\s+HANDLED\n2\s+.*abandoned\s+5\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d by alice\n1\s+.*no-answer\s+0\s+pending\n$/);
  const store = await openSqliteStore(join(dir, "data"));
  const [handled] = await store.missedCalls.list({ limit: 1 });
  await store.close();
  assert.equal(handled?.handledBy, "alice");
  assert.ok(handled.handledAt !== null && Math.abs(handled.handledAt - Date.now()) < 60_000, "handledAt is the time of the command");
});
