// Supervisor routes over a real socket on 127.0.0.1: Basic auth against stored HA1, the
// switch's answer mapped to HTTP, and PUT status without Authorization left to queue-routes.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { BruteForceGuard, ha1Md5, ha1Sha256, type SupervisorResult, type UserRecord } from "@hotline/switch";
import { startHttpApi, type HttpRoutes } from "../http-api.js";

const REALM = "hotline.test";

function user(username: string, password: string, realm = REALM): UserRecord {
  return { username, displayName: null, realm, ha1Md5: ha1Md5(username, realm, password), ha1Sha256: ha1Sha256(username, realm, password), createdAt: 0 };
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
  challenge: string | null;
}

type Calls = string[];

/** The guard the server shares with SIP digest; 3 failures in a minute block for 10 minutes; `clock.now` is moved by tests. */
interface GuardRig {
  guard: BruteForceGuard;
  clock: { now: number };
  blocked: string[];
}

async function withApi(body: (call: (method: string, path: string, opts?: { auth?: string; json?: unknown }) => Promise<Answer>, calls: Calls, g: GuardRig) => Promise<void>): Promise<void> {
  const g: GuardRig = { guard: new BruteForceGuard({ maxFailures: 3, windowMs: 60_000, blockMs: 600_000 }), clock: { now: 1_000_000 }, blocked: [] };
  const users = new Map([["1003", user("1003", "boss-secret")], ["1005", user("1005", "other")], ["1009", user("1009", "x", "elsewhere")]]);
  const calls: Calls = [];
  const allowed = (actor: string, agent: string): SupervisorResult | null => {
    if (agent !== "1002") return { ok: false, why: "not-an-agent", reason: `${agent} is not a member of any queue` };
    if (actor !== "1003") return { ok: false, why: "not-permitted", reason: `${actor} is not a supervisor of any queue ${agent} is a member of` };
    return null;
  };
  const routes: HttpRoutes = {
    status: () => ({}),
    registrations: () => ({}),
    metrics: () => "",
    queues: {
      report: () => ({}),
      isAgent: (a) => a === "1002",
      agentAction: (a, action) => (calls.push(`own ${a} ${action}`), true),
      journal: (type, data) => calls.push(`journal ${type} ${JSON.stringify(data)}`),
    },
    supervisor: {
      realm: REALM,
      guard: { failures: g.guard, now: () => g.clock.now, onBlocked: (key) => g.blocked.push(key) },
      user: async (u) => users.get(u) ?? null,
      monitor: (actor, agent, mode) => allowed(actor, agent) ?? (calls.push(`monitor ${actor} ${agent} ${mode}`), { ok: true, callId: "s1" }),
      takeOver: (actor, agent) => allowed(actor, agent) ?? (calls.push(`take-over ${actor} ${agent}`), { ok: true, callId: "s2" }),
      hangup: (actor, agent) => allowed(actor, agent) ?? { ok: false, why: "agent-not-in-call", reason: `agent ${agent} is not in a queue call` },
      forceStatus: (actor, agent, action) => allowed(actor, agent) ?? (calls.push(`force ${actor} ${agent} ${action}`), { ok: true, callId: null }),
    },
  };
  const server: Server = await startHttpApi("127.0.0.1", 0, routes, { warn: () => undefined });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const call = async (method: string, path: string, opts: { auth?: string; json?: unknown } = {}): Promise<Answer> => {
    const headers: Record<string, string> = {};
    if (opts.auth !== undefined) headers["authorization"] = `Basic ${Buffer.from(opts.auth).toString("base64")}`;
    const res = await fetch(base + path, { method, headers, ...(opts.json !== undefined && { body: JSON.stringify(opts.json) }) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown>, challenge: res.headers.get("www-authenticate") };
  };
  try {
    await body(call, calls, g);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

test("monitor: 202 for a supervisor of the agent; the mode is checked; the switch hears who asked", async () => {
  await withApi(async (call, calls) => {
    const ok = await call("POST", "/api/agents/1002/monitor", { auth: "1003:boss-secret", json: { mode: "whisper" } });
    assert.deepEqual([ok.status, ok.body], [202, { agent: "1002", action: "monitor", supervisor: "1003", callId: "s1" }]);
    const bad = await call("POST", "/api/agents/1002/monitor", { auth: "1003:boss-secret", json: { mode: "spy" } });
    assert.deepEqual([bad.status, bad.body], [400, { error: 'mode: must be one of listen, whisper, barge (got "spy")' }]);
    const take = await call("POST", "/api/agents/1002/take-over", { auth: "1003:boss-secret" });
    assert.equal(take.status, 202);
    assert.deepEqual(calls, ["monitor 1003 1002 whisper", "take-over 1003 1002"]);
  });
});

test("401 with a Basic challenge without credentials, with a wrong password, an unknown user or another realm's user", async () => {
  await withApi(async (call, calls) => {
    for (const auth of [undefined, "1003:wrong", "nobody:x", "1009:x", "1003"]) {
      const r = await call("POST", "/api/agents/1002/hangup", auth === undefined ? {} : { auth });
      assert.equal(r.status, 401, `auth ${auth}`);
      assert.match(r.challenge ?? "", /^Basic realm="hotline supervisor"/);
    }
    assert.deepEqual(calls, []);
  });
});

test("403 for an extension that does not supervise the agent, 404 for a non-agent, 409 when the agent is not in a call", async () => {
  await withApi(async (call) => {
    const denied = await call("POST", "/api/agents/1002/monitor", { auth: "1005:other", json: { mode: "listen" } });
    assert.deepEqual([denied.status, denied.body], [403, { error: "monitor of agent 1002 by 1005: 1005 is not a supervisor of any queue 1002 is a member of" }]);
    const unknown = await call("POST", "/api/agents/1004/take-over", { auth: "1003:boss-secret" });
    assert.equal(unknown.status, 404);
    const idle = await call("POST", "/api/agents/1002/hangup", { auth: "1003:boss-secret" });
    assert.deepEqual([idle.status, idle.body], [409, { error: "hangup of agent 1002 by 1003: agent 1002 is not in a queue call" }]);
    const method = await call("GET", "/api/agents/1002/monitor", { auth: "1003:boss-secret" });
    assert.equal(method.status, 405);
  });
});

test("PUT status: with Authorization a permission-checked force, without it the operator route as before", async () => {
  await withApi(async (call, calls) => {
    const forced = await call("PUT", "/api/agents/1002/status", { auth: "1003:boss-secret", json: { status: "on-break" } });
    assert.deepEqual([forced.status, forced.body], [200, { agent: "1002", status: "on-break", forcedBy: "1003" }]);
    const denied = await call("PUT", "/api/agents/1002/status", { auth: "1005:other", json: { status: "logged-out" } });
    assert.equal(denied.status, 403);
    const login = await call("PUT", "/api/agents/1002/status", { auth: "1003:boss-secret", json: { status: "logged-in" } });
    assert.deepEqual([login.status, login.body], [400, { error: 'status: a supervisor can force one of available, on-break, logged-out (got "logged-in")' }]);
    const wrong = await call("PUT", "/api/agents/1002/status", { auth: "1003:nope", json: { status: "available" } });
    assert.equal(wrong.status, 401);
    const own = await call("PUT", "/api/agents/1002/status", { json: { status: "available" } });
    assert.deepEqual([own.status, own.body], [200, { agent: "1002", status: "available" }]);
    const breakWithReason = await call("PUT", "/api/agents/1002/status", { json: { status: "on-break", reason: "lunch" } });
    assert.equal(breakWithReason.status, 200);
    assert.deepEqual(calls, [
      "force 1003 1002 force-break",
      "own 1002 agent-available",
      'journal agent.status {"agent":"1002","action":"agent-available","via":"api"}',
      "own 1002 agent-break",
      'journal agent.status {"agent":"1002","action":"agent-break","reason":"lunch","via":"api"}',
    ]);
  });
});

test("wrong passwords count in the brute-force guard per address and username: blocked → 429 without checking the password, even the right one", async () => {
  await withApi(async (call, calls, g) => {
    for (let i = 1; i <= 3; i++) {
      const wrong = await call("POST", "/api/agents/1002/hangup", { auth: `1003:guess-${i}` });
      assert.equal(wrong.status, 401, `guess ${i}`);
    }
    assert.deepEqual(g.blocked, ['127.0.0.1 http-basic "1003"'], "the third failure starts the block, reported once");
    const right = await call("POST", "/api/agents/1002/monitor", { auth: "1003:boss-secret", json: { mode: "listen" } });
    assert.deepEqual([right.status, right.body], [429, { error: "authorization: too many wrong passwords for this extension from this address; try again later" }]);
    const forced = await call("PUT", "/api/agents/1002/status", { auth: "1003:boss-secret", json: { status: "on-break" } });
    assert.equal(forced.status, 429, "the forced-status route is guarded too");
    // Another extension from the same address is not blocked; a missing header is no failure.
    const other = await call("POST", "/api/agents/1002/monitor", { auth: "1005:other", json: { mode: "listen" } });
    assert.equal(other.status, 403);
    assert.equal((await call("POST", "/api/agents/1002/hangup")).status, 401);
    assert.deepEqual(calls, [], "nothing reached the switch while blocked");
    // The block ends after blockMs; the right password works again.
    g.clock.now += 600_000;
    const later = await call("POST", "/api/agents/1002/monitor", { auth: "1003:boss-secret", json: { mode: "listen" } });
    assert.equal(later.status, 202);
  });
});

test("wrong passwords spread wider than the window do not block", async () => {
  await withApi(async (call, _calls, g) => {
    for (let i = 0; i < 4; i++) {
      assert.equal((await call("POST", "/api/agents/1002/hangup", { auth: "1003:nope" })).status, 401);
      g.clock.now += 30_001;
    }
    assert.deepEqual(g.blocked, [], "at most 2 failures inside any 60 s");
  });
});
