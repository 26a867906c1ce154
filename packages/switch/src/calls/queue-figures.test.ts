import { test } from "node:test";
import assert from "node:assert/strict";
import { fromJournal, localDayStart, QueueFigures, toJournal, type FigureEvent, type QueueFiguresConfig } from "./queue-figures.js";
import { seededRandom } from "@hotline/sip/testing";

const DAY = 24 * 3600_000;
/** Days start at UTC midnight in these tests (the fake clock's zone). */
const utcDay = (now: number): number => Math.floor(now / DAY) * DAY;
const T0 = Date.UTC(2026, 10, 22, 9, 0, 0);
const config: QueueFiguresConfig = {
  queues: { "7000": { serviceLevelSeconds: 20, members: ["1001", "1002"] }, "7001": { serviceLevelSeconds: 10, members: ["1002"] } },
  dayStart: utcDay,
};
const available = { kind: "available" } as const;

test("service level, ASA and AHT from answered and ended calls; per-queue threshold", () => {
  const f = new QueueFigures(config, T0);
  const ev: FigureEvent[] = [
    { type: "joined", at: T0, queue: "7000", callId: "a", priority: 0 },
    { type: "joined", at: T0 + 1000, queue: "7000", callId: "b", priority: 0 },
    { type: "joined", at: T0 + 2000, queue: "7001", callId: "c", priority: 0 },
    { type: "answered", at: T0 + 15_000, queue: "7000", callId: "a", agent: "1001", waitMs: 15_000 },
    { type: "answered", at: T0 + 31_000, queue: "7000", callId: "b", agent: "1002", waitMs: 30_000 },
    // 15 s is within 7000's 20 s but not within 7001's 10 s.
    { type: "answered", at: T0 + 17_000, queue: "7001", callId: "c", agent: "1002", waitMs: 15_000 },
    { type: "ended", at: T0 + 75_000, queue: "7000", callId: "a", agent: "1001", handleMs: 60_000 },
  ];
  for (const e of ev) f.apply(e);
  const q = f.queue("7000", T0 + 80_000)!;
  assert.equal(q.offered, 2);
  assert.equal(q.answered, 2);
  assert.equal(q.answeredWithinServiceLevel, 1);
  assert.equal(q.serviceLevelPercent, 50);
  assert.equal(q.averageSpeedOfAnswerSeconds, 22.5);
  assert.equal(q.averageHandleTimeSeconds, 60, "only the ended call counts");
  assert.equal(q.waiting, 0);
  assert.equal(q.oldestWaitSeconds, null);
  const q1 = f.queue("7001", T0 + 80_000)!;
  assert.equal(q1.serviceLevelSeconds, 10);
  assert.equal(q1.serviceLevelPercent, 0);
  assert.equal(q1.averageHandleTimeSeconds, null);
  const a = f.agent("1002", T0 + 80_000)!;
  assert.equal(a.callsAnswered, 2);
  assert.equal(a.talkTimeSeconds, 0);
  assert.deepEqual(a.queues, ["7000", "7001"]);
  assert.equal(f.agent("1001", T0 + 80_000)!.talkTimeSeconds, 60);
});

test("service level boundary: a wait of exactly serviceLevelSeconds counts, 1 ms more does not", () => {
  const f = new QueueFigures(config, T0);
  f.apply({ type: "answered", at: T0, queue: "7000", callId: "a", agent: "1001", waitMs: 20_000 });
  f.apply({ type: "answered", at: T0, queue: "7000", callId: "b", agent: "1001", waitMs: 20_001 });
  const q = f.queue("7000", T0)!;
  assert.deepEqual([q.answered, q.answeredWithinServiceLevel, q.serviceLevelPercent], [2, 1, 50]);
});

test("waiting and oldest wait; abandoned, overflowed and refused calls leave the queue", () => {
  const f = new QueueFigures(config, T0);
  f.apply({ type: "joined", at: T0, queue: "7000", callId: "a", priority: 0 });
  f.apply({ type: "joined", at: T0 + 5000, queue: "7000", callId: "b", priority: 0 });
  f.apply({ type: "joined", at: T0 + 6000, queue: "7000", callId: "c", priority: 0 });
  f.apply({ type: "joined", at: T0 + 7000, queue: "7000", callId: "d", priority: 0 });
  f.apply({ type: "offered", at: T0 + 7000, queue: "7000", callId: "a", agents: ["1001"], waitedMs: 7000 });
  let q = f.queue("7000", T0 + 10_000)!;
  assert.equal(q.waiting, 4, "a call ringing an agent still waits");
  assert.equal(q.oldestWaitSeconds, 10);
  f.apply({ type: "abandoned", at: T0 + 11_000, queue: "7000", callId: "a", waitMs: 11_000 });
  f.apply({ type: "overflowed", at: T0 + 12_000, queue: "7000", callId: "c", to: "8000", waitMs: 6000 });
  f.apply({ type: "refused", at: T0 + 12_000, queue: "7000", callId: "d", reason: "queue-full" });
  q = f.queue("7000", T0 + 20_000)!;
  assert.deepEqual([q.waiting, q.oldestWaitSeconds, q.offered, q.abandoned, q.overflowed, q.refused, q.answered], [1, 15, 4, 1, 1, 1, 0]);
  assert.equal(q.serviceLevelPercent, null);
  assert.equal(q.averageSpeedOfAnswerSeconds, null);
});

test("agent status and state with their durations; loggedIn, available, onCall per queue", () => {
  const f = new QueueFigures(config, T0);
  f.apply({ type: "agent", at: T0, agent: "1001", status: available, state: "idle" });
  f.apply({ type: "agent", at: T0, agent: "1002", status: available, state: "idle" });
  f.apply({ type: "agent", at: T0 + 30_000, agent: "1002", status: available, state: "in-call" });
  let a = f.agent("1002", T0 + 90_000)!;
  assert.deepEqual([a.status, a.statusSeconds, a.state, a.stateSeconds], [available, 90, "in-call", 60]);
  assert.equal(a.stateSince, new Date(T0 + 30_000).toISOString());
  let q = f.queue("7000", T0 + 90_000)!;
  assert.deepEqual([q.loggedIn, q.available, q.onCall], [2, 1, 1]);
  f.apply({ type: "agent", at: T0 + 100_000, agent: "1001", status: { kind: "on-break", reason: "lunch" }, state: "idle" });
  a = f.agent("1001", T0 + 160_000)!;
  assert.deepEqual([a.status, a.statusSeconds, a.state, a.stateSeconds], [{ kind: "on-break", reason: "lunch" }, 60, "idle", 160]);
  q = f.queue("7000", T0 + 160_000)!;
  assert.deepEqual([q.loggedIn, q.available, q.onCall], [2, 0, 1]);
  assert.equal(f.agent("9999", T0), undefined);
  f.apply({ type: "agent", at: T0, agent: "9999", status: available, state: "idle" }); // unknown: ignored
  assert.equal(f.agent("9999", T0), undefined);
});

test("midnight: counts start again at zero; calls waiting and agent states carry over", () => {
  const f = new QueueFigures(config, T0);
  f.apply({ type: "agent", at: T0, agent: "1001", status: available, state: "in-call" });
  f.apply({ type: "joined", at: T0, queue: "7000", callId: "a", priority: 0 });
  f.apply({ type: "answered", at: T0 + 1000, queue: "7000", callId: "a", agent: "1001", waitMs: 1000 });
  f.apply({ type: "joined", at: T0 + 2000, queue: "7000", callId: "b", priority: 0 });
  const tomorrow = utcDay(T0) + DAY;
  const q = f.queue("7000", tomorrow + 60_000)!;
  assert.deepEqual([q.offered, q.answered, q.waiting, q.since], [0, 0, 1, new Date(tomorrow).toISOString()]);
  assert.equal(f.agent("1001", tomorrow)!.callsAnswered, 0);
  assert.equal(f.agent("1001", tomorrow)!.state, "in-call");
  f.apply({ type: "ended", at: tomorrow + 1000, queue: "7000", callId: "a", agent: "1001", handleMs: 5000 });
  assert.equal(f.queue("7000", tomorrow + 2000)!.averageHandleTimeSeconds, 5, "a call ended after midnight counts in the new day");
});

test("localDayStart: midnight in the given zone", () => {
  const shanghai = localDayStart("Asia/Shanghai");
  // 2026-11-22 09:00 UTC is 17:00 in Shanghai (UTC+8): the day began at 16:00 UTC the day before.
  assert.equal(shanghai(T0), Date.UTC(2026, 10, 21, 16, 0, 0));
  assert.equal(localDayStart("UTC")(T0 + 123), utcDay(T0));
  const ny = localDayStart("America/New_York");
  assert.equal(ny(Date.UTC(2026, 6, 1, 3, 30)), Date.UTC(2026, 5, 30, 4, 0), "EDT (UTC-4), before UTC midnight");
});

test("journal round trip: every event type comes back as itself; others and incomplete ones are skipped", () => {
  const events: FigureEvent[] = [
    { type: "joined", at: 1, queue: "7000", callId: "a", priority: 2 },
    { type: "offered", at: 2, queue: "7000", callId: "a", agents: ["1001", "1002"], waitedMs: 1 },
    { type: "answered", at: 3, queue: "7000", callId: "a", agent: "1001", waitMs: 2 },
    { type: "abandoned", at: 4, queue: "7000", callId: "b", waitMs: 3 },
    { type: "overflowed", at: 5, queue: "7000", callId: "c", to: "8000", waitMs: 4 },
    { type: "refused", at: 6, queue: "7000", callId: "d", reason: "queue-full" },
    { type: "ended", at: 7, queue: "7000", callId: "a", agent: "1001", handleMs: 5 },
    { type: "taken-over", at: 7, queue: "7000", callId: "e", agent: "1002", supervisor: "1003", handleMs: 6 },
    { type: "agent", at: 8, agent: "1001", status: { kind: "on-break", reason: "lunch" }, state: "wrap-up" },
    { type: "callback-requested", at: 9, queue: "7000", callId: "e", waitMs: 6 },
    { type: "callback-answered", at: 10, queue: "7000", callId: "e", agent: "1002", waitMs: 9 },
    { type: "callback-dropped", at: 11, queue: "7000", callId: "f", attempts: 3 },
    { type: "callback-merged", at: 12, queue: "7000", callId: "g", into: "h" },
  ];
  for (const e of events) {
    const j = toJournal(e);
    // Through JSON, as the store keeps it.
    assert.deepEqual(fromJournal({ at: e.at, type: j.type, callId: j.callId, data: JSON.parse(JSON.stringify(j.data)) as Record<string, unknown> }), e);
  }
  assert.equal(fromJournal({ at: 1, type: "call.started", callId: "a", data: {} }), null);
  // The answer and the drop of a callback are journaled on the callback call: the request's id is in the data.
  assert.deepEqual(fromJournal({ at: 1, type: "queue.callback-done", callId: "cb-1", data: { queue: "7000", requestCallId: "e", agent: "1001", waitMs: 5, number: "2001" } }), { type: "callback-answered", at: 1, queue: "7000", callId: "e", agent: "1001", waitMs: 5 });
  // A queue.offer written before it carried the queue (older journals) is skipped.
  assert.equal(fromJournal({ at: 1, type: "queue.offer", callId: "a", data: { agents: ["1001"], waitedMs: 0 } }), null);
  assert.equal(fromJournal({ at: 1, type: "queue.answered", callId: "a", data: { queue: "7000", agent: "1001" } }), null);
});


/** A plausible random day: calls join, get offered, answered/abandoned/overflowed/refused, end; agents change. */
function randomDay(rnd: () => number, start: number): FigureEvent[] {
  const out: FigureEvent[] = [];
  const queues = ["7000", "7001"];
  const agents = ["1001", "1002"];
  const open = new Map<string, { queue: string; at: number; agent: string | null; answeredAt: number; callback?: boolean }>();
  let now = start;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  for (let i = 0; i < 200; i++) {
    now += Math.floor(rnd() * 40_000);
    const r = rnd();
    const waiting = [...open].filter(([, c]) => c.agent === null);
    const talking = [...open].filter(([, c]) => c.agent !== null);
    if (r < 0.3) {
      const id = `c${i}`;
      const queue = pick(queues);
      out.push({ type: "joined", at: now, queue, callId: id, priority: 0 });
      if (rnd() < 0.1) out.push({ type: "refused", at: now, queue, callId: id, reason: "queue-full" });
      else open.set(id, { queue, at: now, agent: null, answeredAt: 0 });
    } else if (r < 0.5 && waiting.length > 0) {
      const [id, c] = pick(waiting);
      const agent = pick(agents);
      out.push({ type: "offered", at: now, queue: c.queue, callId: id, agents: [agent], waitedMs: now - c.at });
      out.push({ type: "answered", at: now, queue: c.queue, callId: id, agent, waitMs: now - c.at });
      Object.assign(c, { agent, answeredAt: now });
    } else if (r < 0.6 && waiting.length > 0) {
      const [id, c] = pick(waiting);
      open.delete(id);
      out.push(rnd() < 0.5 ? { type: "abandoned", at: now, queue: c.queue, callId: id, waitMs: now - c.at } : { type: "overflowed", at: now, queue: c.queue, callId: id, to: "8000", waitMs: now - c.at });
    } else if (r < 0.65 && waiting.length > 0) {
      // Callbacks: a waiting caller asks for one; a callback entry is answered (wait from the join) or dropped.
      const [id, c] = pick(waiting);
      if (c.callback !== true) {
        c.callback = true;
        out.push({ type: "callback-requested", at: now, queue: c.queue, callId: id, waitMs: now - c.at });
      } else if (rnd() < 0.2) {
        // The caller calls again: the new call takes the request's place, the request is merged.
        const into = `m${i}`;
        open.delete(id);
        out.push({ type: "joined", at: now, queue: c.queue, callId: into, priority: 0 });
        out.push({ type: "callback-merged", at: now, queue: c.queue, callId: id, into });
        open.set(into, { queue: c.queue, at: c.at, agent: null, answeredAt: 0 });
      } else if (rnd() < 0.7) {
        const agent = pick(agents);
        out.push({ type: "callback-answered", at: now, queue: c.queue, callId: id, agent, waitMs: now - c.at });
        Object.assign(c, { agent, answeredAt: now });
      } else {
        open.delete(id);
        out.push({ type: "callback-dropped", at: now, queue: c.queue, callId: id, attempts: 3 });
      }
    } else if (r < 0.8 && talking.length > 0) {
      const [id, c] = pick(talking);
      open.delete(id);
      out.push({ type: "ended", at: now, queue: c.queue, callId: id, agent: c.agent!, handleMs: now - c.answeredAt });
    } else {
      const status = pick([{ kind: "available" }, { kind: "logged-out" }, { kind: "on-break", reason: "break" }] as const);
      out.push({ type: "agent", at: now, agent: pick(agents), status, state: pick(["idle", "ringing", "in-call", "wrap-up"] as const) });
    }
  }
  return out;
}

/** The queue of each call of `events` that joined and has no outcome yet (still waiting or a pending callback). */
function open(events: readonly FigureEvent[]): string[] {
  const waiting = new Map<string, string>();
  for (const e of events) {
    if (e.type === "joined") waiting.set(e.callId, e.queue);
    else if (e.type === "answered" || e.type === "abandoned" || e.type === "overflowed" || e.type === "refused" || e.type === "callback-answered" || e.type === "callback-dropped" || e.type === "callback-merged") waiting.delete(e.callId);
  }
  return [...waiting.values()];
}

test("property: figures recomputed from the journal equal the live figures (counts), over random days incl. midnight", () => {
  let callbacksSeen = 0;
  let merges = 0;
  for (let seed = 1; seed <= 200; seed++) {
    const rnd = seededRandom(seed);
    // Some runs start late in the day, so their events cross midnight.
    const start = utcDay(T0) + Math.floor(rnd() * DAY);
    const events = randomDay(rnd, start);
    const end = (events.at(-1)?.at ?? start) + 1000;
    const live = new QueueFigures(config, start);
    for (const e of events) live.apply(e);
    // What loadDay does: the journal's events of the day containing `end`, through JSON.
    const journal = events.map((e) => ({ at: e.at, ...toJournal(e) })).map((j) => ({ ...j, data: JSON.parse(JSON.stringify(j.data)) as Record<string, unknown> }));
    const replay = new QueueFigures(config, end);
    for (const j of journal.filter((x) => x.at >= utcDay(end))) {
      const e = fromJournal(j);
      assert.notEqual(e, null, `seed ${seed}: ${j.type} read back`);
      replay.apply(e!);
    }
    const counts = (f: QueueFigures) => ({
      queues: f.queueIds.map((q) => {
        const s = f.queue(q, end)!;
        return [s.offered, s.answered, s.abandoned, s.overflowed, s.refused, s.callbacksRequested, s.callbacksAnswered, s.callbacksDropped, s.callbacksMerged, s.answeredWithinServiceLevel, s.serviceLevelPercent, s.averageSpeedOfAnswerSeconds, s.averageHandleTimeSeconds, s.since];
      }),
      agents: f.agentIds.map((a) => {
        const s = f.agent(a, end)!;
        return [s.callsAnswered, s.talkTimeSeconds];
      }),
    });
    assert.deepEqual(counts(replay), counts(live), `seed ${seed}`);
    // The invariant holds on every day: each joined call has exactly one outcome or still waits.
    for (const q of live.queueIds) {
      const s = live.queue(q, end)!;
      if (events.every((e) => e.at >= utcDay(end))) assert.equal(s.offered, s.answered + s.abandoned + s.overflowed + s.refused + s.callbacksDropped + s.callbacksMerged + s.waiting, `seed ${seed}: ${q} invariant`);
    }
    merges += live.queueIds.reduce((n, q) => n + live.queue(q, end)!.callbacksMerged, 0);
    // The counts are not trivially zero: the generator produces answered calls.
    if (seed === 1) assert.ok(live.queueIds.some((q) => live.queue(q, end)!.offered > 0));
    // No leak: the calls the figures still count as in the queue are the ones the day left open.
    const stillOpen = (q: string) => [...open(events)].filter((x) => x === q).length;
    for (const q of live.queueIds) assert.equal(live.queue(q, end)!.waiting, stillOpen(q), `seed ${seed}: ${q} waiting`);
    callbacksSeen += live.queueIds.reduce((n, q) => n + live.queue(q, end)!.callbacksAnswered + live.queue(q, end)!.callbacksDropped, 0);
  }
  assert.ok(callbacksSeen > 50, `callback outcomes generated: ${callbacksSeen}`);
  assert.ok(merges > 10, `callback merges generated: ${merges}`);
});

test("callbacks: the request stays in the queue; answered counts as answered with its wait from the join; dropped is its own figure", () => {
  const f = new QueueFigures(config, T0);
  f.apply({ type: "joined", at: T0, queue: "7000", callId: "a", priority: 0 });
  f.apply({ type: "joined", at: T0, queue: "7000", callId: "b", priority: 0 });
  f.apply({ type: "callback-requested", at: T0 + 5000, queue: "7000", callId: "a", waitMs: 5000 });
  f.apply({ type: "callback-requested", at: T0 + 6000, queue: "7000", callId: "b", waitMs: 6000 });
  let q = f.queue("7000", T0 + 10_000)!;
  assert.deepEqual([q.waiting, q.callbacksRequested, q.answered, q.abandoned], [2, 2, 0, 0], "callback entries still wait (the caller's line is gone, the place is not)");
  f.apply({ type: "callback-answered", at: T0 + 30_000, queue: "7000", callId: "a", agent: "1001", waitMs: 30_000 });
  f.apply({ type: "callback-dropped", at: T0 + 40_000, queue: "7000", callId: "b", attempts: 3 });
  q = f.queue("7000", T0 + 50_000)!;
  assert.deepEqual(
    [q.waiting, q.oldestWaitSeconds, q.answered, q.callbacksAnswered, q.callbacksDropped, q.abandoned, q.averageSpeedOfAnswerSeconds, q.serviceLevelPercent],
    [0, null, 1, 1, 1, 0, 30, 0],
  );
  assert.equal(f.agent("1001", T0 + 50_000)!.callsAnswered, 1);
  // offered = answered + abandoned + overflowed + refused + callbacksDropped + still waiting.
  assert.equal(q.offered, q.answered + q.abandoned + q.overflowed + q.refused + q.callbacksDropped + q.waiting);
});
