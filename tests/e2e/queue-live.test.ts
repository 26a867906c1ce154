// Live ACD figures and events end to end (issue 4, "Live statistics and events"): an SSE
// client (node http.get on GET /api/events) watches queue 7000 while a SIPp agent logs in, a
// SIPp caller hangs up while waiting (abandoned) and another is answered by the agent; the
// stream shows agent, call and queue events in order; GET /api/queues, /api/agents and
// /metrics count what SIPp did; after a restart on the same data folder the day's figures are
// the same (recomputed from the journal).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { get, type ClientRequest } from "node:http";
import { metricValue, runSipp, startHotline, waitFor, type Hotline, type StartOptions, sippMediaPort } from "./harness.ts";
import { creds, dialFeatureCode, putAgentStatus, queueHotlineOptions, queueUsers, registerAgent, restartHotline, show } from "./queue-helpers.ts";

const USERS = queueUsers(["1001", "1009"]);

interface SseEvent {
  event: string;
  data: Record<string, unknown>;
}

/** An SSE client: parses `event:`/`data:` blocks into `events` as they arrive. */
function subscribe(port: number, path: string): { events: SseEvent[]; req: ClientRequest } {
  const events: SseEvent[] = [];
  let buf = "";
  const req = get({ host: "127.0.0.1", port, path }, (res) => {
    res.setEncoding("utf8");
    res.on("data", (chunk: string) => {
      buf += chunk;
      let i: number;
      while ((i = buf.indexOf("\n\n")) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event !== undefined && data !== undefined) events.push({ event, data: JSON.parse(data) as Record<string, unknown> });
      }
    });
  });
  req.on("error", () => undefined); // the stream ends when hotline stops
  return { events, req };
}

/** Index of the first event at or after `from` matching `match`, or -1. */
function indexOf(events: readonly SseEvent[], from: number, match: (e: SseEvent) => boolean): number {
  for (let i = from; i < events.length; i++) if (match(events[i]!)) return i;
  return -1;
}

interface QueueFigures {
  queue: string;
  offered: number;
  answered: number;
  abandoned: number;
  waiting: number;
  answeredWithinServiceLevel: number;
  serviceLevelSeconds: number;
  serviceLevelPercent: number | null;
  averageSpeedOfAnswerSeconds: number | null;
  averageHandleTimeSeconds: number | null;
}

describe("live queue figures and events", () => {
  let h: Hotline;
  let opts: StartOptions;
  before(async () => {
    opts = await queueHotlineOptions({
      users: USERS,
      media: { portMin: 34000, portMax: 34999 },
      authenticateInvites: false,
      queues: ['  "7000": { name: "Citizen hotline", strategy: linear, members: { "1001": 1 }, ringSeconds: 10, wrapUpSeconds: 0, serviceLevelSeconds: 30 }'],
    });
    h = await startHotline(opts);
  });
  after(async () => {
    await h.stop();
  });

  test("SSE shows agent, call and queue events in order; JSON and metrics count what SIPp did; a restart keeps the day's figures", async () => {
    const sse = subscribe(h.httpPort, "/api/events?queues=7000");
    try {
      // The snapshot comes first: the queue, then its agent (logged out).
      await waitFor(() => sse.events.length >= 2, 5000, () => `no snapshot: ${JSON.stringify(sse.events)}`);
      assert.deepEqual(sse.events.slice(0, 2).map((e) => [e.event, e.data["queue"] ?? e.data["agent"]]), [["queue", "7000"], ["agent", "1001"]]);
      assert.deepEqual(sse.events[1]!.data["status"], { kind: "logged-out" });

      const p1 = await registerAgent(h, "1001");
      await dialFeatureCode(h, "1001", "*60");
      const put = (status: string) => putAgentStatus(h, "1001", { status });

      // 1: the agent is on break; the caller waits with music, then hangs up: abandoned.
      assert.equal((await put("on-break")).status, 200);
      const abandoned = await runSipp({ scenario: "uac-call-expect-200-rtp-bye.xml", port: h.sipPort, injection: creds("1009"), extra: ["-s", "7000", "-d", "1000"], timeoutSeconds: 20 });
      assert.equal(abandoned.code, 0, show(abandoned));

      // 2: the agent is back; the next caller is answered by 1001 and hangs up after 1.5 s.
      assert.equal((await put("available")).status, 200);
      const agent = runSipp({ scenario: "uas-answer-expect-bye.xml", port: h.sipPort, localPort: p1, extra: ["-mp", String(await sippMediaPort())], timeoutSeconds: 20 });
      const caller = await runSipp({ scenario: "uac-call-expect-200-rtp-bye.xml", port: h.sipPort, injection: creds("1009"), extra: ["-s", "7000", "-d", "1500"], timeoutSeconds: 20 });
      assert.equal(caller.code, 0, show(caller));
      assert.equal((await agent).code, 0, show(await agent));

      // The stream, in order: available → on break → joined → abandoned → queue figures with
      // the abandoned call → available → joined → offered → answered → in-call → ended →
      // queue figures with the answered call.
      const isAgent = (kind: string, state?: string) => (e: SseEvent) => e.event === "agent" && (e.data["status"] as { kind: string }).kind === kind && (state === undefined || e.data["state"] === state);
      const isCall = (type: string) => (e: SseEvent) => e.event === "call" && e.data["type"] === type;
      const isQueue = (field: string, n: number) => (e: SseEvent) => e.event === "queue" && e.data[field] === n;
      const steps: [string, (e: SseEvent) => boolean][] = [
        ["agent available", isAgent("available")],
        ["agent on break", isAgent("on-break")],
        ["call joined", isCall("joined")],
        ["call abandoned", isCall("abandoned")],
        ["queue abandoned=1", isQueue("abandoned", 1)],
        ["agent available again", isAgent("available")],
        ["call joined", isCall("joined")],
        ["call offered", isCall("offered")],
        ["call answered", isCall("answered")],
        ["agent in call", isAgent("available", "in-call")],
        ["call ended", isCall("ended")],
        ["queue answered=1", isQueue("answered", 1)],
      ];
      await waitFor(
        () => {
          let at = 2;
          for (const [, match] of steps) {
            at = indexOf(sse.events, at, match);
            if (at < 0) return false;
            at++;
          }
          return true;
        },
        5000,
        () => `events not in order:\n${sse.events.map((e) => `${e.event} ${JSON.stringify(e.data).slice(0, 160)}`).join("\n")}`,
      );
      const answeredEvent = sse.events.find(isCall("answered"))!;
      assert.equal(answeredEvent.data["agent"], "1001");
      assert.equal(answeredEvent.data["queue"], "7000");

      const figures = async (): Promise<QueueFigures> => h.api<QueueFigures>("/api/queues/7000");
      let q = await figures();
      await waitFor(async () => (q = await figures()).averageHandleTimeSeconds !== null, 5000, () => JSON.stringify(q));
      assert.deepEqual(
        [q.offered, q.answered, q.abandoned, q.waiting, q.answeredWithinServiceLevel, q.serviceLevelSeconds, q.serviceLevelPercent],
        [2, 1, 1, 0, 1, 30, 100],
      );
      assert.ok(q.averageSpeedOfAnswerSeconds !== null && q.averageSpeedOfAnswerSeconds < 30, JSON.stringify(q));
      assert.ok(q.averageHandleTimeSeconds! > 0, JSON.stringify(q));
      const pick = (x: QueueFigures) => [x.offered, x.answered, x.abandoned, x.answeredWithinServiceLevel, x.serviceLevelPercent, x.averageSpeedOfAnswerSeconds, x.averageHandleTimeSeconds];
      const all = await h.api<{ queues: QueueFigures[] }>("/api/queues");
      assert.deepEqual(all.queues.map((x) => [x.queue, ...pick(x)]), [["7000", ...pick(q)]], "GET /api/queues has the same figures");
      const agents = await h.api<{ agents: { agent: string; callsAnswered: number; talkTimeSeconds: number; queues: string[]; status: { kind: string } }[] }>("/api/agents");
      const a1001 = agents.agents.find((a) => a.agent === "1001")!;
      assert.deepEqual([a1001.callsAnswered, a1001.queues, a1001.status.kind], [1, ["7000"], "available"]);
      assert.equal(a1001.talkTimeSeconds, q.averageHandleTimeSeconds, "one call: its handle time is the agent's talk time");
      const m = await h.metrics();
      assert.equal(metricValue(m, "hotline_queue_answered_total", { queue: "7000" }), 1);
      assert.equal(metricValue(m, "hotline_queue_abandoned_total", { queue: "7000" }), 1);
      assert.equal(metricValue(m, "hotline_queue_waiting", { queue: "7000" }), 0);
      assert.equal(metricValue(m, "hotline_queue_agents_available", { queue: "7000" }), 1);
      assert.equal((await fetch(`http://127.0.0.1:${h.httpPort}/api/queues/7999`)).status, 404);

      // Restart on the same data folder: the day's figures come back from the journal.
      sse.req.destroy();
      const before = q;
      h = await restartHotline(h, opts);
      const again = await figures();
      assert.deepEqual(pick(again), pick(before));
      const agentsAgain = await h.api<{ agents: { agent: string; callsAnswered: number; talkTimeSeconds: number }[] }>("/api/agents");
      const b1001 = agentsAgain.agents.find((a) => a.agent === "1001")!;
      assert.deepEqual([b1001.callsAnswered, b1001.talkTimeSeconds], [a1001.callsAnswered, a1001.talkTimeSeconds]);
    } finally {
      sse.req.destroy();
    }
  });
});
