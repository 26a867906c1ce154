// `hotline queues`, `agents`, `agent` and `audit` against a stand-in for the running switch's
// HTTP endpoint (what they ask for, what they print), and with nothing listening (exit 3).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { freePort, hotline, workspaces } from "../testing/cli-harness.js";
import { agentStatusBody } from "./queue-commands.js";

const spaces = workspaces();
test.after(() => spaces.removeAll());

const T = Date.UTC(2026, 0, 31, 14, 5, 9);

const QUEUES = {
  queues: [
    { queue: "7000", waiting: 2, oldestWaitSeconds: 41.5, available: 1, loggedIn: 3, answered: 17, abandoned: 2, serviceLevelSeconds: 20, serviceLevelPercent: 88.2, averageSpeedOfAnswerSeconds: 9.4, averageHandleTimeSeconds: 182.3 },
    { queue: "7001", waiting: 0, oldestWaitSeconds: null, available: 0, loggedIn: 0, answered: 0, abandoned: 0, serviceLevelSeconds: 30, serviceLevelPercent: null, averageSpeedOfAnswerSeconds: null, averageHandleTimeSeconds: null },
  ],
  agents: [],
};
const AGENTS = {
  agents: [
    { agent: "1001", registered: true, status: { kind: "available" }, statusSince: new Date(T).toISOString(), state: "in-call", stateSince: new Date(T + 60_000).toISOString(), callsAnswered: 4, talkTimeSeconds: 754, queues: ["7000", "7001"] },
    { agent: "1002", registered: false, status: { kind: "on-break", reason: "no-answer" }, statusSince: new Date(T).toISOString(), state: "idle", stateSince: new Date(T).toISOString(), callsAnswered: 0, talkTimeSeconds: 0, queues: ["7000"] },
  ],
};
// The shape supervision.ts writes with recorder.note: the journal entry's own callId is null, the call is in data.
const audit = (seq: number, at: number, action: string, outcome = "done") => ({
  seq,
  at,
  type: "supervisor.action",
  callId: null,
  data: { actor: "1003", agent: "1001", action, via: "api", outcome, reason: outcome === "done" ? null : "not permitted", callId: outcome === "done" ? `c${seq}` : null, queues: ["7000"] },
});

/** A stand-in switch: records each request (method, URL, body) and answers from `answer`. */
async function fakeSwitch(answer: (req: IncomingMessage, body: string) => [number, unknown]) {
  const seen: { method: string; url: string; body: string }[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      seen.push({ method: req.method ?? "", url: req.url ?? "", body });
      const [status, json] = answer(req, body);
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(json));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { seen, dir: spaces.create((server.address() as AddressInfo).port), close: () => server.close() };
}

test("hotline queues: one line per queue with waiting, oldest wait, agents, answered, abandoned, SL, ASA, AHT", async () => {
  const s = await fakeSwitch(() => [200, QUEUES]);
  try {
    const r = await hotline(s.dir, "queues");
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split("\n");
    assert.match(lines[0] ?? "", /^QUEUE\s+WAITING\s+OLDEST\s+AGENTS AVAIL\/IN\s+ANSWERED\s+ABANDONED\s+SL\s+ASA\s+AHT$/);
    assert.match(lines[1] ?? "", /^7000\s+2\s+41\.5s\s+1\/3\s+17\s+2\s+88\.2% \(20s\)\s+9\.4s\s+182\.3s$/);
    assert.match(lines[2] ?? "", /^7001\s+0\s+-\s+0\/0\s+0\s+0\s+-\s+-\s+-$/);
    assert.equal(lines.length, 3);
    assert.deepEqual(JSON.parse((await hotline(s.dir, "queues", "--json")).stdout), QUEUES);
    assert.deepEqual(s.seen.map((x) => `${x.method} ${x.url}`), ["GET /api/queues", "GET /api/queues"]);
  } finally {
    s.close();
  }
});

test("hotline agents: status (with the break reason), state, since when, phone, calls and talk time", async () => {
  const s = await fakeSwitch(() => [200, AGENTS]);
  try {
    const r = await hotline(s.dir, "agents");
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split("\n");
    assert.match(lines[0] ?? "", /^AGENT\s+STATUS\s+STATUS SINCE \(UTC\)\s+STATE\s+STATE SINCE \(UTC\)\s+PHONE\s+CALLS\s+TALK\s+QUEUES$/);
    assert.match(lines[1] ?? "", /^1001\s+available\s+2026-01-31 14:05:09\s+in-call\s+2026-01-31 14:06:09\s+yes\s+4\s+12:34\s+7000,7001$/);
    assert.match(lines[2] ?? "", /^1002\s+on-break \(no-answer\)\s+2026-01-31 14:05:09\s+idle\s+2026-01-31 14:05:09\s+no\s+0\s+0:00\s+7000$/);
    assert.deepEqual(s.seen.map((x) => `${x.method} ${x.url}`), ["GET /api/agents"]);
  } finally {
    s.close();
  }
});

test("hotline agent <ext> available|break [reason]|logout|login: PUT /api/agents/:ext/status; the API's refusal is shown (exit 2)", async () => {
  const s = await fakeSwitch((req, body) => {
    if (req.url === "/api/agents/1009/status") return [404, { error: "agent 1009: not a member of any queue" }];
    return [200, { agent: "1001", ...(JSON.parse(body) as object) }];
  });
  try {
    for (const [args, out] of [
      [["available"], "agent 1001: available\n"],
      [["break", "lunch"], "agent 1001: on-break (lunch)\n"],
      [["break"], "agent 1001: on-break\n"],
      [["logout"], "agent 1001: logged-out\n"],
      [["login"], "agent 1001: logged-in\n"],
    ] as const) {
      const r = await hotline(s.dir, "agent", "1001", ...args);
      assert.deepEqual([r.code, r.stdout, r.stderr], [0, out, ""], args.join(" "));
    }
    assert.deepEqual(
      s.seen.map((x) => [x.method, x.url, JSON.parse(x.body) as unknown]),
      [
        ["PUT", "/api/agents/1001/status", { status: "available" }],
        ["PUT", "/api/agents/1001/status", { status: "on-break", reason: "lunch" }],
        ["PUT", "/api/agents/1001/status", { status: "on-break" }],
        ["PUT", "/api/agents/1001/status", { status: "logged-out" }],
        ["PUT", "/api/agents/1001/status", { status: "logged-in" }],
      ],
    );
    const unknown = await hotline(s.dir, "agent", "1009", "available");
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /answered 404: agent 1009: not a member of any queue/);
    const bad = await hotline(s.dir, "agent", "1001", "sleep");
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /unknown action "sleep"; use available, break \[reason\], logout or login/);
    assert.equal(s.seen.length, 6, "a bad action is refused before asking the switch");
  } finally {
    s.close();
  }
  assert.deepEqual(agentStatusBody("break", "training"), { status: "on-break", reason: "training" });
  assert.throws(() => agentStatusBody("logout", "lunch"), /a reason goes with "break" only/);
});

test("hotline audit: supervisor.action entries, the newest --limit of them read from the journal's end, --since, the call from data.callId", async () => {
  const entries = Array.from({ length: 2500 }, (_, i) => audit(i + 1, T + i * 1000, i % 2 === 0 ? "listen" : "barge", i === 2499 ? "denied" : "done"));
  // The journal route with order=newest: newest first, `before` pages back, `next` when the page is full.
  const s = await fakeSwitch((req) => {
    const q = new URL(req.url ?? "", "http://x").searchParams;
    if (q.get("order") !== "newest" || q.get("type") !== "supervisor.action") return [400, { error: "the test's journal expects order=newest&type=supervisor.action" }];
    const before = Number(q.get("before") ?? Infinity);
    const limit = Number(q.get("limit") ?? 100);
    const page = entries.filter((e) => e.seq < before).reverse().slice(0, limit);
    return [200, { events: page, last: page[0]?.seq ?? 0, next: page.length === limit ? (page.at(-1)?.seq ?? null) : null }];
  });
  try {
    const r = await hotline(s.dir, "audit", "--limit", "2");
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split("\n");
    assert.match(lines[0] ?? "", /^TIME \(UTC\)\s+SUPERVISOR\s+ACTION\s+AGENT\s+VIA\s+OUTCOME\s+REASON\s+CALL$/);
    assert.match(lines[1] ?? "", /^2026-01-31 14:46:47\s+1003\s+listen\s+1001\s+api\s+done\s+c2499$/);
    assert.match(lines[2] ?? "", /^2026-01-31 14:46:48\s+1003\s+barge\s+1001\s+api\s+denied\s+not permitted$/);
    assert.equal(lines.length, 3);
    assert.deepEqual(s.seen.map((x) => x.url), ["/api/journal?type=supervisor.action&order=newest&limit=2"]);
    // However long the journal, one page from its end: --limit is at most the page size.
    s.seen.length = 0;
    const most = JSON.parse((await hotline(s.dir, "audit", "--limit", "1000", "--json")).stdout) as { seq: number }[];
    assert.deepEqual([most.length, most[0]?.seq, most.at(-1)?.seq], [1000, 1501, 2500]);
    assert.deepEqual(s.seen.map((x) => x.url), ["/api/journal?type=supervisor.action&order=newest&limit=1000"]);
    const tooMany = await hotline(s.dir, "audit", "--limit", "1001");
    assert.equal(tooMany.code, 2);
    assert.match(tooMany.stderr, /--limit: must be an integer 1\.\.1000/);
    s.seen.length = 0;
    const since = JSON.parse((await hotline(s.dir, "audit", "--since", "2026-01-31T14:46:35Z", "--json")).stdout) as { seq: number }[];
    assert.deepEqual(since.map((e) => e.seq), [2487, 2488, 2489, 2490, 2491, 2492, 2493, 2494, 2495, 2496, 2497, 2498, 2499, 2500]);
    assert.deepEqual(s.seen.map((x) => x.url), ["/api/journal?type=supervisor.action&order=newest&limit=50"]);
    const badSince = await hotline(s.dir, "audit", "--since", "yesterday");
    assert.equal(badSince.code, 2);
    assert.match(badSince.stderr, /--since: not an ISO 8601 date/);
  } finally {
    s.close();
  }
});

test("queues, agents, agent and audit with nothing listening: not running, exit 3", async () => {
  const dir = spaces.create(await freePort());
  for (const args of [["queues"], ["agents"], ["agent", "1001", "available"], ["audit"]]) {
    const r = await hotline(dir, ...args);
    assert.equal(r.code, 3, args.join(" "));
    assert.match(r.stdout, /^hotline is not running \(http:\/\/127\.0\.0\.1:\d+\/api\/\S+: ECONNREFUSED\)$/m, args.join(" "));
  }
});
