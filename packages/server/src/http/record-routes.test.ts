// The HTTP API over a real socket on 127.0.0.1, with the in-memory store behind it.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { ExtensionSettingsRecord } from "@hotline/switch";
import { T0, createMemoryStore, sampleCdr, sampleMissedCall, sampleSettings, sampleUser, type MemoryStore } from "@hotline/switch/testing";
import { startHttpApi, type HttpRoutes } from "../http-api.js";

const silent = { warn: () => {} };

interface Answer {
  status: number;
  body: unknown;
  allow: string | null;
}

async function withApi(body: (call: (method: string, path: string, json?: unknown) => Promise<Answer>, ctx: { store: MemoryStore; changed: ExtensionSettingsRecord[]; clock: { now: number } }) => Promise<void>, records = true): Promise<void> {
  const store = createMemoryStore({ users: [sampleUser("1001"), sampleUser("1002")] });
  const changed: ExtensionSettingsRecord[] = [];
  const clock = { now: T0 + 500_000 };
  const routes: HttpRoutes = {
    status: () => ({ running: true }),
    registrations: () => ({ registrations: [] }),
    metrics: () => "up 1\n",
    ...(records ? { records: { store, now: () => clock.now, onExtensionSettingsChanged: (s) => void changed.push(s) } } : {}),
  };
  const server: Server = await startHttpApi("127.0.0.1", 0, routes, silent);
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const call = async (method: string, path: string, json?: unknown): Promise<Answer> => {
    const init: RequestInit = { method };
    if (json !== undefined) init.body = typeof json === "string" ? json : JSON.stringify(json);
    const res = await fetch(base + path, init);
    const text = await res.text();
    const isJson = res.headers.get("content-type") === "application/json";
    return { status: res.status, body: isJson ? (JSON.parse(text) as unknown) : text, allow: res.headers.get("allow") };
  };
  try {
    await body(call, { store, changed, clock });
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

const callIds = (body: unknown): string[] => (body as { cdrs: { callId: string }[] }).cdrs.map((c) => c.callId);

test("GET /api/cdrs: newest first, filters, a next cursor on full pages", async () => {
  await withApi(async (call, { store }) => {
    await store.cdrs.write(sampleCdr("a", 0));
    await store.cdrs.write(sampleCdr("b", 60_000, { caller: "2001", disposition: "busy", answeredBy: null }));
    await store.cdrs.write(sampleCdr("c", 120_000));
    const all = await call("GET", "/api/cdrs");
    assert.equal(all.status, 200);
    assert.deepEqual(all.body, { cdrs: [sampleCdr("c", 120_000), sampleCdr("b", 60_000, { caller: "2001", disposition: "busy", answeredBy: null }), sampleCdr("a", 0)], next: null });
    const page = await call("GET", "/api/cdrs?limit=2");
    assert.deepEqual([callIds(page.body), (page.body as { next: string }).next], [["c", "b"], "b"]);
    assert.deepEqual(callIds((await call("GET", "/api/cdrs?limit=2&before=b")).body), ["a"]);
    // T0 is 2023-11-14T22:13:20Z; both ISO times and ms since the epoch are accepted.
    assert.deepEqual(callIds((await call("GET", "/api/cdrs?from=2023-11-14T22:14:20Z")).body), ["c", "b"]);
    assert.deepEqual(callIds((await call("GET", `/api/cdrs?from=${T0}&to=${T0 + 60_000}`)).body), ["a"]);
    assert.deepEqual(callIds((await call("GET", "/api/cdrs?party=2001")).body), ["b"]);
    assert.deepEqual(callIds((await call("GET", "/api/cdrs?disposition=busy")).body), ["b"]);
  });
});

test("GET /api/cdrs: every bad parameter is a 400 that names it", async () => {
  await withApi(async (call) => {
    const cases: [string, string][] = [
      ["/api/cdrs?from=yesterday", 'from: not an ISO 8601 date or time, e.g. 2025-01-31 or 2025-01-31T14:05:00Z (got "yesterday")'],
      ["/api/cdrs?to=2025-02-30", 'to: not an ISO 8601 date or time, e.g. 2025-01-31 or 2025-01-31T14:05:00Z (got "2025-02-30")'],
      ["/api/cdrs?limit=0", 'limit: must be an integer 1..1000 (got "0")'],
      ["/api/cdrs?limit=1001", 'limit: must be an integer 1..1000 (got "1001")'],
      ["/api/cdrs?disposition=lost", 'disposition: must be one of answered, busy, no-answer, cancelled, rejected, failed, interrupted (got "lost")'],
      ["/api/cdrs?before=nope", 'before: no CDR with callId "nope"'],
      ["/api/cdrs?party=", "party: must not be empty"],
      ["/api/cdrs?frm=1", 'unknown query parameter "frm"; allowed: from, to, party, disposition, limit, before'],
    ];
    for (const [path, error] of cases) assert.deepEqual(await call("GET", path), { status: 400, body: { error }, allow: null }, path);
    assert.deepEqual(await call("DELETE", "/api/cdrs"), { status: 405, body: { error: "method DELETE not allowed; use GET" }, allow: "GET" });
  });
});

test("GET /api/journal: after, callId, limit; `last` is the cursor for the next poll", async () => {
  await withApi(async (call, { store }) => {
    await store.journal.append([
      { at: T0, type: "call.started", callId: "c1", data: { caller: "1001" } },
      { at: T0 + 1, type: "call.started", callId: "c2", data: {} },
      { at: T0 + 2, type: "call.ended", callId: "c1", data: { cause: 16 } },
    ]);
    assert.deepEqual((await call("GET", "/api/journal?limit=1")).body, {
      events: [{ seq: 1, at: T0, type: "call.started", callId: "c1", data: { caller: "1001" } }],
      last: 1,
    });
    const after = (await call("GET", "/api/journal?after=1&callId=c1")).body as { events: { seq: number }[]; last: number };
    assert.deepEqual([after.events.map((e) => e.seq), after.last], [[3], 3]);
    assert.deepEqual((await call("GET", "/api/journal?after=3")).body, { events: [], last: 3 });
    const ended = (await call("GET", "/api/journal?type=call.ended")).body as { events: { seq: number }[] };
    assert.deepEqual(ended.events.map((e) => e.seq), [3], "type filters (the supervisors' audit: type=supervisor.action)");
    assert.deepEqual((await call("GET", "/api/journal?after=-1")).body, { error: 'after: must be a non-negative integer (got "-1")' });
  });
});

test("GET /api/journal?order=newest: newest first; `next` is the `before` cursor for the older page", async () => {
  await withApi(async (call, { store }) => {
    await store.journal.append(Array.from({ length: 5 }, (_, i) => ({ at: T0 + i, type: i === 2 ? "call.started" : "supervisor.action", callId: null, data: { i } })));
    const page = (path: string) => call("GET", path).then((r) => r.body as { events: { seq: number }[]; last: number; next: number | null });
    const first = await page("/api/journal?order=newest&type=supervisor.action&limit=2");
    assert.deepEqual([first.events.map((e) => e.seq), first.last, first.next], [[5, 4], 5, 4]);
    const second = await page(`/api/journal?order=newest&type=supervisor.action&limit=2&before=${first.next}`);
    assert.deepEqual([second.events.map((e) => e.seq), second.next], [[2, 1], 1]);
    const third = await page(`/api/journal?order=newest&type=supervisor.action&limit=2&before=${second.next}`);
    assert.deepEqual([third.events.map((e) => e.seq), third.next], [[], null]);
    const short = await page("/api/journal?order=newest&limit=10");
    assert.deepEqual([short.events.map((e) => e.seq), short.next], [[5, 4, 3, 2, 1], null]);
    const oldest = await page("/api/journal?before=3");
    assert.deepEqual([oldest.events.map((e) => e.seq), oldest.last, "next" in oldest], [[1, 2], 2, false]);
    assert.deepEqual((await call("GET", "/api/journal?order=up")).body, { error: 'order: must be one of oldest, newest (got "up")' });
    assert.deepEqual((await call("GET", "/api/journal?before=x")).body, { error: 'before: must be a non-negative integer (got "x")' });
  });
});

test("missed calls: list pending or all; POST handled once (then 409); bad bodies are 400s", async () => {
  await withApi(async (call, { store, clock }) => {
    await store.missedCalls.add(sampleMissedCall("m1", { at: T0 }));
    await store.missedCalls.add(sampleMissedCall("m2", { at: T0 + 10, reason: "abandoned" }));
    const handled = await call("POST", "/api/missed-calls/1/handled", { by: "alice" });
    assert.deepEqual(handled, { status: 200, body: { id: 1, handledBy: "alice", handledAt: clock.now }, allow: null });
    assert.deepEqual(await call("POST", "/api/missed-calls/1/handled", { by: "bob" }), {
      status: 409,
      body: { error: "missed call 1 is not pending (no such id, or already handled)" },
      allow: null,
    });
    const pending = (await call("GET", "/api/missed-calls?pending=1")).body as { missedCalls: { id: number }[] };
    assert.deepEqual(pending.missedCalls.map((m) => m.id), [2]);
    const all = (await call("GET", "/api/missed-calls")).body as { missedCalls: { id: number; handledBy: string | null }[] };
    assert.deepEqual(all.missedCalls.map((m) => [m.id, m.handledBy]), [[2, null], [1, "alice"]]);
    const bad: [string, unknown, number, string][] = [
      ["/api/missed-calls/2/handled", "{not json", 400, "body: not valid JSON"],
      ["/api/missed-calls/2/handled", {}, 400, "by: must be a string naming who handled the call (got null)"],
      ["/api/missed-calls/2/handled", { by: "  " }, 400, "by: must be 1-128 characters without control characters"],
      ["/api/missed-calls/2/handled", { by: "x", note: 1 }, 400, 'body: unknown field "note"; allowed: by'],
      ["/api/missed-calls/2/handled", [], 400, 'body: expected a JSON object like {"by": "alice"}'],
      ["/api/missed-calls/x/handled", { by: "x" }, 400, 'id: must be a non-negative integer (got "x")'],
      ["/api/missed-calls/2/handled", { by: "x".repeat(70_000) }, 413, "body: larger than 65536 bytes"],
    ];
    for (const [path, body, status, error] of bad) {
      const got = await call("POST", path, body);
      assert.equal(got.status, status, error);
      assert.ok((got.body as { error: string }).error.startsWith(error), `${(got.body as { error: string }).error} ≠ ${error}`);
    }
    assert.deepEqual((await call("GET", "/api/missed-calls?pending=maybe")).body, { error: 'pending: must be 1 or 0 (got "maybe")' });
    assert.equal((await call("GET", "/api/missed-calls/2/handled")).allow, "POST");
  });
});

test("extension settings: defaults, PUT merges and validates every field, unknown extensions are 404", async () => {
  await withApi(async (call, { store, changed, clock }) => {
    assert.deepEqual((await call("GET", "/api/extensions/1001/settings")).body, {
      extension: "1001", dnd: null, callWaiting: null, forwardAlways: null, forwardBusy: null, forwardNoAnswer: null, updatedAt: null,
    });
    const put = await call("PUT", "/api/extensions/1001/settings", { dnd: true, forwardBusy: "1002" });
    assert.deepEqual(put, { status: 200, body: sampleSettings("1001", { dnd: true, forwardBusy: "1002", updatedAt: clock.now }), allow: null });
    clock.now += 1000;
    // Fields left out keep their value; null returns one to the default; "" turns a forward off.
    await call("PUT", "/api/extensions/1001/settings", { forwardBusy: null, forwardNoAnswer: "+4930123456", forwardAlways: "", callWaiting: false });
    const expected = sampleSettings("1001", { dnd: true, callWaiting: false, forwardAlways: "", forwardNoAnswer: "+4930123456", updatedAt: clock.now });
    assert.deepEqual((await call("GET", "/api/extensions/1001/settings")).body, expected);
    assert.deepEqual(await store.extensionSettings.get("1001"), expected);
    assert.deepEqual(changed.map((c) => c.updatedAt), [T0 + 500_000, clock.now]);

    const bad = await call("PUT", "/api/extensions/1001/settings", { dnd: "yes", forwardAlways: "1001", forwardBusy: "bad target", colour: "red", callWaiting: 1 });
    assert.deepEqual(bad.body, {
      error:
        'dnd: must be true, false or null (got "yes"); forwardAlways: must not be the extension itself (a forwarding loop); ' +
        'forwardBusy: "bad target": must be 1-64 characters of letters, digits, ".", "_", "-", "+", starting with a letter, digit or "+"; ' +
        "colour: unknown field; allowed: dnd, callWaiting, forwardAlways, forwardBusy, forwardNoAnswer; callWaiting: must be true, false or null (got 1)",
      errors: [
        'dnd: must be true, false or null (got "yes")',
        "forwardAlways: must not be the extension itself (a forwarding loop)",
        'forwardBusy: "bad target": must be 1-64 characters of letters, digits, ".", "_", "-", "+", starting with a letter, digit or "+"',
        "colour: unknown field; allowed: dnd, callWaiting, forwardAlways, forwardBusy, forwardNoAnswer",
        "callWaiting: must be true, false or null (got 1)",
      ],
    });
    assert.equal(bad.status, 400);
    assert.deepEqual(await store.extensionSettings.get("1001"), expected, "a rejected PUT changes nothing");
    assert.deepEqual((await call("PUT", "/api/extensions/1001/settings", "[1]")).body, {
      error: "body: expected a JSON object with any of dnd, callWaiting, forwardAlways, forwardBusy, forwardNoAnswer",
      errors: ["body: expected a JSON object with any of dnd, callWaiting, forwardAlways, forwardBusy, forwardNoAnswer"],
    });
    assert.deepEqual(await call("GET", "/api/extensions/9999/settings"), { status: 404, body: { error: "no such extension: 9999" }, allow: null });
    assert.equal((await call("PUT", "/api/extensions/9999/settings", { dnd: true })).status, 404);
    assert.equal((await call("GET", "/api/extensions/a%3Ab/settings")).status, 400);
    assert.equal((await call("GET", "/api/extensions/%E0%A4%A/settings")).status, 400);
    assert.deepEqual(await call("DELETE", "/api/extensions/1001/settings"), { status: 405, body: { error: "method DELETE not allowed; use GET or PUT" }, allow: "GET, PUT" });
    assert.equal(changed.length, 2);
  });
});

test("without records deps those paths answer 503; the old routes are unchanged", async () => {
  await withApi(async (call) => {
    assert.deepEqual(await call("GET", "/api/cdrs"), { status: 503, body: { error: "call records are not available in this process" }, allow: null });
    assert.deepEqual((await call("GET", "/api/status")).body, { running: true });
    assert.deepEqual((await call("GET", "/api/registrations")).body, { registrations: [] });
    assert.deepEqual(await call("GET", "/metrics"), { status: 200, body: "up 1\n", allow: null });
    assert.deepEqual(await call("POST", "/api/status"), { status: 405, body: { error: "method POST not allowed; use GET" }, allow: "GET" });
    assert.equal((await call("GET", "/api/nothing")).status, 404);
  }, false);
});
