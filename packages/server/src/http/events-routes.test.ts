import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer, get, type ClientRequest, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { EventHub, type LiveFigures } from "./events-routes.js";

/** Two queues; 1001 is in 7000, 1002 in both. Figures are a version number bumped per change. */
function fakeSource(agentPayload = "") {
  const version = { "7000": 0, "7001": 0 } as Record<string, number>;
  const members: Record<string, string[]> = { "1001": ["7000"], "1002": ["7000", "7001"] };
  const source: LiveFigures = {
    queueIds: () => Object.keys(version),
    agentIds: () => Object.keys(members),
    queue: (q) => ({ queue: q, version: version[q] }),
    agent: (a) => ({ agent: a, pad: agentPayload }),
    queuesOf: (a) => members[a] ?? [],
  };
  return { source, version };
}

async function listen(hub: EventHub): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    try {
      if (!hub.serve(req, res, new URL(req.url ?? "/", "http://localhost"))) res.writeHead(404).end();
    } catch (err) {
      res.writeHead((err as { status?: number }).status ?? 500).end((err as Error).message);
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { server, port: (server.address() as AddressInfo).port };
}

interface Sse {
  events: { event: string; data: unknown }[];
  req: ClientRequest;
  res: IncomingMessage;
  text: () => string;
}

function connect(port: number, path: string): Promise<Sse> {
  return new Promise((resolve, reject) => {
    const req = get({ host: "127.0.0.1", port, path }, (res) => {
      let buf = "";
      let all = "";
      const out: Sse = { events: [], req, res, text: () => all };
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        buf += chunk;
        all += chunk;
        let i: number;
        while ((i = buf.indexOf("\n\n")) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event !== undefined && data !== undefined) out.events.push({ event, data: JSON.parse(data) as unknown });
        }
      });
      resolve(out);
    });
    req.on("error", reject);
  });
}

/** Polls `cond` every 10 ms, at most `tries` times. */
async function until(cond: () => boolean, what: string, tries = 300): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail(`timed out waiting for ${what}`);
}

test("snapshot first (every queue, then every agent); changes after; ?queues filters queues, agents and calls", async () => {
  const { source, version } = fakeSource();
  const hub = new EventHub(source, { now: () => 1000, throttleMs: 50, count: () => undefined });
  const { server, port } = await listen(hub);
  try {
    const all = await connect(port, "/api/events");
    const only = await connect(port, "/api/events?queues=7001");
    assert.equal(all.res.headers["content-type"], "text/event-stream; charset=utf-8");
    await until(() => all.events.length >= 4 && only.events.length >= 2, "snapshots");
    assert.deepEqual(all.events, [
      { event: "queue", data: { queue: "7000", version: 0 } },
      { event: "queue", data: { queue: "7001", version: 0 } },
      { event: "agent", data: { agent: "1001", pad: "" } },
      { event: "agent", data: { agent: "1002", pad: "" } },
    ]);
    assert.deepEqual(only.events, [
      { event: "queue", data: { queue: "7001", version: 0 } },
      { event: "agent", data: { agent: "1002", pad: "" } },
    ]);
    version["7000"] = 1;
    hub.publish({ type: "joined", at: 1000, queue: "7000", callId: "c1", priority: 0 });
    hub.publish({ type: "agent", at: 1000, agent: "1001", status: { kind: "available" }, state: "idle" });
    version["7001"] = 1;
    hub.publish({ type: "agent", at: 1000, agent: "1002", status: { kind: "available" }, state: "idle" });
    await until(() => all.events.length >= 4 + 5 && only.events.length >= 2 + 2, "changes");
    assert.deepEqual(all.events.slice(4, 9).map((e) => e.event), ["call", "queue", "agent", "agent", "queue"]);
    assert.deepEqual(all.events[4]?.data, { type: "joined", at: 1000, queue: "7000", callId: "c1", priority: 0 });
    assert.deepEqual(all.events[8]?.data, { queue: "7001", version: 1 });
    // 7001's client: no 7000 call, no 1001; 1002 and 7001's figures.
    assert.deepEqual(only.events.slice(2), [
      { event: "agent", data: { agent: "1002", pad: "" } },
      { event: "queue", data: { queue: "7001", version: 1 } },
    ]);
    const unknown = await new Promise<number>((r) => get({ host: "127.0.0.1", port, path: "/api/events?queues=9999" }, (res) => {
      res.resume();
      r(res.statusCode ?? 0);
    }));
    assert.equal(unknown, 404);
    all.req.destroy();
    only.req.destroy();
  } finally {
    hub.close();
    server.close();
  }
});

test("queue events are throttled per queue: a burst gives one now and one after the period, with the latest figures", async () => {
  const { source, version } = fakeSource();
  // The clock does not move: every change in the burst falls inside the same period.
  const hub = new EventHub(source, { now: () => 5000, throttleMs: 30, count: () => undefined });
  const { server, port } = await listen(hub);
  try {
    const c = await connect(port, "/api/events?queues=7000");
    await until(() => c.events.length >= 3, "snapshot");
    for (let i = 1; i <= 10; i++) {
      version["7000"] = i;
      hub.publish({ type: "joined", at: 5000, queue: "7000", callId: `c${i}`, priority: 0 });
    }
    await until(() => c.events.filter((e) => e.event === "queue").length >= 3, "the held-back queue event");
    const queues = c.events.slice(3).filter((e) => e.event === "queue").map((e) => e.data);
    assert.deepEqual(queues, [{ queue: "7000", version: 1 }, { queue: "7000", version: 10 }]);
    assert.equal(c.events.slice(3).filter((e) => e.event === "call").length, 10, "call events are not throttled");
    c.req.destroy();
  } finally {
    hub.close();
    server.close();
  }
});

test("refresh (no journaled event): an agent's report now, with its queues; a queue's figures, throttled", async () => {
  const { source, version } = fakeSource();
  let now = 7000;
  const hub = new EventHub(source, { now: () => now, throttleMs: 30, count: () => undefined });
  const { server, port } = await listen(hub);
  try {
    const c = await connect(port, "/api/events?queues=7001");
    await until(() => c.events.length >= 2, "snapshot");
    hub.refresh({ kind: "agent", agent: "1001" }); // not a member of 7001: not sent to this client
    version["7001"] = 1;
    hub.refresh({ kind: "agent", agent: "1002" });
    await until(() => c.events.length >= 4, "the agent refresh");
    assert.deepEqual(c.events.slice(2), [
      { event: "agent", data: { agent: "1002", pad: "" } },
      { event: "queue", data: { queue: "7001", version: 1 } },
    ]);
    now += 1000;
    version["7001"] = 2;
    hub.refresh({ kind: "queue", queue: "7001" });
    await until(() => c.events.length >= 5, "the queue refresh");
    assert.deepEqual(c.events[4], { event: "queue", data: { queue: "7001", version: 2 } });
    c.req.destroy();
  } finally {
    hub.close();
    server.close();
  }
});

test("a client that disconnects is forgotten", async () => {
  const { source } = fakeSource();
  const hub = new EventHub(source, { now: () => 0, count: () => undefined });
  const { server, port } = await listen(hub);
  try {
    const a = await connect(port, "/api/events");
    const b = await connect(port, "/api/events");
    await until(() => hub.clientCount === 2, "two clients");
    a.req.destroy();
    await until(() => hub.clientCount === 1, "one client left");
    b.req.destroy();
    await until(() => hub.clientCount === 0, "no client left");
    hub.publish({ type: "agent", at: 0, agent: "1001", status: { kind: "available" }, state: "idle" }); // nobody to write to: no error
  } finally {
    hub.close();
    server.close();
  }
});

test("a client that does not read is dropped once its unsent bytes pass the cap, and counted; others go on", async () => {
  const { source } = fakeSource("x".repeat(64 * 1024));
  const dropped: string[] = [];
  const hub = new EventHub(source, { now: () => 0, maxBufferedBytes: 256 * 1024, count: (name, labels) => dropped.push(`${name}:${labels["reason"] ?? ""}`) });
  const { server, port } = await listen(hub);
  try {
    const reader = await connect(port, "/api/events");
    const slow = await connect(port, "/api/events");
    slow.res.pause();
    slow.res.socket.pause();
    await until(() => hub.clientCount === 2, "two clients");
    // Bounded: at most 2000 × 64 KiB, stopping as soon as the slow client is dropped.
    for (let i = 0; i < 2000 && dropped.length === 0; i++) {
      hub.publish({ type: "agent", at: 0, agent: "1001", status: { kind: "available" }, state: "idle" });
      await new Promise((r) => setImmediate(r));
    }
    assert.deepEqual(dropped, ["sse_clients_dropped_total:slow"]);
    assert.equal(hub.clientCount, 1, "the reading client stays");
    await until(() => reader.events.some((e) => e.event === "agent"), "the reader still gets events");
    reader.req.destroy();
    slow.req.destroy();
  } finally {
    hub.close();
    server.close();
  }
});
