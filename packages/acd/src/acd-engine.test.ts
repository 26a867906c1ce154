import { test } from "node:test";
import assert from "node:assert/strict";
import { AcdEngine } from "./acd-engine.js";
import type { AcdAction, AcdConfig, AcdInput } from "./acd-types.js";
import { scriptedRandom } from "./testing/prng.js";

/** Engine with agents logged in, available and registered at t=0; returns a stepper that drops queue-stats. */
function setup(config: AcdConfig, ready: string[] = config.agents.map((a) => a.id)) {
  const e = new AcdEngine(config, scriptedRandom([0]));
  for (const id of ready) {
    e.handle({ type: "agent-registered", agent: id, registered: true }, 0);
    e.handle({ type: "agent-login", agent: id }, 0);
  }
  const step = (input: AcdInput, now: number): AcdAction[] => e.handle(input, now).filter((a) => a.type !== "queue-stats");
  const offers = (acts: AcdAction[]) => acts.filter((a) => a.type === "offer").map((a) => (a.type === "offer" ? `${a.callId}->${a.agents.join("+")}` : ""));
  return { e, step, offers };
}
const join = (queue: string, id: string, priority = 0, caller = `caller-${id}`): AcdInput => ({ type: "call-joined", queue, call: { id, caller, priority } });

test("linear: a call is offered to agent 1; answer → in-call; end → wrap-up → idle at the deadline", () => {
  const { e, step } = setup({
    queues: [{ id: "sales", strategy: "linear", wrapUpMs: 5000 }],
    agents: [
      { id: "a2", memberships: [{ queue: "sales", order: 2 }] },
      { id: "a1", memberships: [{ queue: "sales", order: 1 }] },
    ],
  });
  assert.deepEqual(step(join("sales", "c1"), 1000), [
    { type: "offer", callId: "c1", queue: "sales", caller: "caller-c1", agents: ["a1"], mode: "one", waitedMs: 0 },
    { type: "agent-state-changed", agent: "a1", status: { kind: "available" }, state: "offered" },
  ]);
  assert.equal(e.nextDeadline(), 16_000);
  assert.deepEqual(step({ type: "offer-ringing", agent: "a1" }, 1100), [{ type: "agent-state-changed", agent: "a1", status: { kind: "available" }, state: "ringing" }]);
  assert.deepEqual(step({ type: "offer-answered", agent: "a1" }, 3000), [{ type: "agent-state-changed", agent: "a1", status: { kind: "available" }, state: "in-call" }]);
  assert.equal(e.calls.size, 0);
  assert.deepEqual(step({ type: "call-ended", agent: "a1" }, 63_000), [{ type: "agent-state-changed", agent: "a1", status: { kind: "available" }, state: "wrap-up" }]);
  assert.equal(e.agents.get("a1")!.talkTimeMs, 60_000);
  assert.equal(e.nextDeadline(), 68_000);
  // During wrap-up the next call goes to a2, not a1.
  assert.deepEqual(step(join("sales", "c2"), 64_000)[0], { type: "offer", callId: "c2", queue: "sales", caller: "caller-c2", agents: ["a2"], mode: "one", waitedMs: 0 });
  assert.deepEqual(step({ type: "tick" }, 67_999), []);
  assert.deepEqual(step({ type: "tick" }, 68_000), [{ type: "agent-state-changed", agent: "a1", status: { kind: "available" }, state: "idle" }]);
});

test("an agent is offered only if logged in, available, idle and registered", () => {
  const { e, step, offers } = setup({ queues: [{ id: "q", strategy: "linear" }], agents: [{ id: "a", memberships: [{ queue: "q" }] }] }, []);
  assert.deepEqual(offers(step(join("q", "c1"), 0)), []);
  step({ type: "agent-login", agent: "a" }, 1);
  assert.deepEqual(offers(step({ type: "tick" }, 2)), [], "logged in but not registered");
  assert.deepEqual(offers(step({ type: "agent-registered", agent: "a", registered: true }, 3)), ["c1->a"]);
  // Unregistering while offered withdraws the offer (cancel-offer), the call waits again.
  assert.deepEqual(step({ type: "agent-registered", agent: "a", registered: false }, 4)[0], { type: "cancel-offer", callId: "c1", agents: ["a"] });
  assert.deepEqual(e.waitingCalls("q"), ["c1"]);
  step({ type: "agent-registered", agent: "a", registered: true }, 5);
  assert.deepEqual(step({ type: "agent-break", agent: "a", reason: "lunch" }, 6).slice(0, 1), [{ type: "cancel-offer", callId: "c1", agents: ["a"] }]);
  assert.deepEqual(offers(step({ type: "tick" }, 7)), []);
  assert.deepEqual(offers(step({ type: "agent-available", agent: "a" }, 8)), ["c1->a"]);
});

test("priority classes first, FIFO within a class; across queues sharing an agent the longest waiting of the highest class wins", () => {
  const { step, offers } = setup({ queues: [{ id: "q1", strategy: "linear" }, { id: "q2", strategy: "linear" }], agents: [{ id: "a", memberships: [{ queue: "q1" }, { queue: "q2" }] }] }, []);
  step(join("q2", "early-normal"), 10);
  step(join("q2", "mid-normal"), 20);
  step(join("q1", "late-normal"), 30);
  step(join("q1", "emergency", 5), 40);
  step({ type: "agent-registered", agent: "a", registered: true }, 50);
  const order: string[] = [];
  let now = 100;
  let acts = step({ type: "agent-login", agent: "a" }, now);
  for (let i = 0; i < 4; i++) {
    order.push(...offers(acts));
    step({ type: "offer-answered", agent: "a" }, ++now);
    acts = step({ type: "call-ended", agent: "a" }, ++now);
  }
  assert.deepEqual(order, ["emergency->a", "early-normal->a", "mid-normal->a", "late-normal->a"]);
});

test("no-answer policy: ring timeout → cancel-offer, agent on break (no-answer), caller back at the head at raised priority", () => {
  const { e, step, offers } = setup({ queues: [{ id: "q", strategy: "linear", ringTimeoutMs: 10_000 }], agents: [{ id: "a1", memberships: [{ queue: "q", order: 1 }] }, { id: "a2", memberships: [{ queue: "q", order: 2 }] }] });
  assert.deepEqual(offers(step(join("q", "c1"), 0)), ["c1->a1"]);
  assert.deepEqual(offers(step(join("q", "c2"), 1)), ["c2->a2"]);
  step({ type: "offer-answered", agent: "a2" }, 2);
  step(join("q", "c3"), 3);
  assert.deepEqual(e.waitingCalls("q"), ["c3"]);
  assert.deepEqual(step({ type: "tick" }, 10_000), [
    { type: "cancel-offer", callId: "c1", agents: ["a1"] },
    { type: "agent-state-changed", agent: "a1", status: { kind: "available" }, state: "idle" },
    { type: "agent-state-changed", agent: "a1", status: { kind: "on-break", reason: "no-answer" }, state: "idle" },
  ]);
  assert.deepEqual(e.waitingCalls("q"), ["c1", "c3"]);
  assert.equal(e.calls.get("c1")!.priority, 1);
  // a2 frees up: c1 (raised) is served before c3.
  step({ type: "call-ended", agent: "a2" }, 20_000);
  assert.deepEqual(e.calls.get("c1")!.offer?.agents, new Set(["a2"]));
});

test("no-answer after N misses (N=2); busy never breaks when configured so", () => {
  const { e, step } = setup({
    queues: [{ id: "q", strategy: "linear" }],
    agents: [{ id: "a", memberships: [{ queue: "q" }] }],
    failurePolicy: { "no-answer": { breakAfter: 2 }, busy: { breakAfter: null } },
  });
  step(join("q", "c1"), 0);
  step({ type: "offer-failed", agent: "a", reason: "busy" }, 1);
  step({ type: "offer-failed", agent: "a", reason: "busy" }, 2);
  assert.equal(e.agents.get("a")!.status.kind, "available");
  step({ type: "offer-failed", agent: "a", reason: "no-answer" }, 3);
  assert.equal(e.agents.get("a")!.status.kind, "available");
  assert.equal(e.agents.get("a")!.state, "offered", "re-offered straight away");
  step({ type: "offer-failed", agent: "a", reason: "no-answer" }, 4);
  assert.deepEqual(e.agents.get("a")!.status, { kind: "on-break", reason: "no-answer" });
  assert.deepEqual(e.waitingCalls("q"), ["c1"]);
});

test("ring-all: every eligible agent rings; the first answer cancels the others", () => {
  const { e, step } = setup({ queues: [{ id: "q", strategy: "ring-all" }], agents: ["c", "a", "b"].map((id) => ({ id, memberships: [{ queue: "q" }] })) });
  const acts = step(join("q", "x"), 0);
  assert.deepEqual(acts[0], { type: "offer", callId: "x", queue: "q", caller: "caller-x", agents: ["a", "b", "c"], mode: "all", waitedMs: 0 });
  const ans = step({ type: "offer-answered", agent: "b" }, 5);
  assert.deepEqual(ans[0], { type: "cancel-offer", callId: "x", agents: ["a", "c"] });
  assert.deepEqual([...e.agents.values()].map((a) => `${a.cfg.id}:${a.state}`), ["c:idle", "a:idle", "b:in-call"]);
  // A second answer (the race both Asterisk and FreeSWITCH lose) takes nothing.
  assert.deepEqual(step({ type: "offer-answered", agent: "a" }, 6), []);
});

test("round-robin advances only when an offer is made", () => {
  const { step, offers } = setup({ queues: [{ id: "q", strategy: "round-robin" }], agents: ["a1", "a2", "a3"].map((id, i) => ({ id, memberships: [{ queue: "q", order: i }] })) });
  const got: string[] = [];
  for (let i = 0; i < 4; i++) {
    got.push(...offers(step(join("q", `c${i}`), i * 10)));
    const agent = got[got.length - 1]!.split("->")[1]!;
    step({ type: "offer-answered", agent }, i * 10 + 1);
    step({ type: "call-ended", agent }, i * 10 + 2);
  }
  assert.deepEqual(got, ["c0->a1", "c1->a2", "c2->a3", "c3->a1"]);
});

test("max length refuses; max wait overflows; caller leaving cancels the offer", () => {
  const { e, step } = setup({ queues: [{ id: "q", strategy: "linear", maxLength: 2, maxWaitMs: 60_000, overflow: { kind: "voicemail", target: "vm-sales" } }], agents: [{ id: "a", memberships: [{ queue: "q" }] }] });
  step(join("q", "c1"), 0);
  step(join("q", "c2"), 1000);
  assert.deepEqual(step(join("q", "c3"), 2000), [{ type: "call-refused", callId: "c3", queue: "q", reason: "queue-full" }]);
  assert.equal(e.nextDeadline(), 15_000);
  step({ type: "offer-ringing", agent: "a" }, 100);
  assert.deepEqual(step({ type: "call-left", callId: "c1" }, 5000), [
    { type: "cancel-offer", callId: "c1", agents: ["a"] },
    { type: "agent-state-changed", agent: "a", status: { kind: "available" }, state: "idle" },
    { type: "offer", callId: "c2", queue: "q", caller: "caller-c2", agents: ["a"], mode: "one", waitedMs: 4000 },
    { type: "agent-state-changed", agent: "a", status: { kind: "available" }, state: "offered" },
  ]);
  step({ type: "agent-break", agent: "a", reason: "meeting" }, 6000);
  assert.equal(e.nextDeadline(), 61_000);
  assert.deepEqual(step({ type: "tick" }, 61_000), [{ type: "call-overflow", callId: "c2", queue: "q", destination: { kind: "voicemail", target: "vm-sales" } }]);
  const stats = e.handle({ type: "tick" }, 61_001);
  assert.deepEqual(stats, []);
  assert.deepEqual(e.handle(join("q", "c4"), 62_000).find((a) => a.type === "queue-stats"), {
    type: "queue-stats",
    stats: { queue: "q", waiting: 1, offering: 0, oldestJoinedAt: 62_000, loggedIn: 1, available: 0, joined: 3, answered: 0, abandoned: 1, overflowed: 1, refused: 1 },
  });
});

test("skill-level widens over time through nextDeadline; sticky prefers the caller's last agent", () => {
  const { e, step, offers } = setup({ queues: [{ id: "q", strategy: "skill-level", skillWaitMs: 10_000 }], agents: [{ id: "expert", memberships: [{ queue: "q", skillLevel: 1 }] }, { id: "novice", memberships: [{ queue: "q", skillLevel: 2 }] }] }, ["novice"]);
  assert.deepEqual(offers(step(join("q", "c1"), 0)), []);
  assert.equal(e.nextDeadline(), 10_000);
  assert.deepEqual(offers(step({ type: "tick" }, 10_000)), ["c1->novice"]);

  const s = setup({ queues: [{ id: "q", strategy: "sticky", fallbackStrategy: "linear", stickyWindowMs: 3_600_000, stickyHoldMs: 20_000 }], agents: [{ id: "a1", memberships: [{ queue: "q", order: 1 }] }, { id: "a2", memberships: [{ queue: "q", order: 2 }] }] });
  s.step(join("q", "x", 0, "alice"), 0);
  s.step({ type: "agent-break", agent: "a1", reason: "coffee" }, 1); // withdraws: the call goes to a2
  s.step({ type: "offer-answered", agent: "a2" }, 2);
  s.step({ type: "call-ended", agent: "a2" }, 3);
  s.step({ type: "agent-available", agent: "a1" }, 4);
  s.step({ type: "offer-answered", agent: "a2" }, 5); // stray: ignored
  s.step(join("q", "y", 0, "bob"), 6);
  s.step({ type: "offer-answered", agent: "a1" }, 7); // bob takes a1 (linear fallback, no history)
  s.step({ type: "call-ended", agent: "a1" }, 8);
  // alice calls back with both free: a2, her last agent, although linear would pick a1.
  assert.deepEqual(s.offers(s.step(join("q", "z", 0, "alice"), 100)), ["z->a2"]);
  // bob calls back while a1 is busy: he waits for a1 (a2 is free) until the hold ends at 200 + 20 000.
  s.step({ type: "offer-answered", agent: "a2" }, 150);
  s.step({ type: "call-ended", agent: "a2" }, 160);
  s.step(join("q", "w", 0, "carol"), 170);
  s.step({ type: "offer-answered", agent: "a1" }, 180); // carol takes a1 (linear)
  assert.deepEqual(s.offers(s.step(join("q", "v", 0, "bob"), 200)), []);
  assert.equal(s.e.nextDeadline(), 20_200);
  assert.deepEqual(s.offers(s.step({ type: "tick" }, 20_199)), []);
  assert.deepEqual(s.offers(s.step({ type: "tick" }, 20_200)), ["v->a2"]);
});

test("ring-all: when every ringing agent fails, the caller is requeued once at raised priority, not per agent", () => {
  const { e, step } = setup({
    queues: [{ id: "q", strategy: "ring-all", ringTimeoutMs: 8000, requeuePriorityRaise: 3 }],
    agents: ["a", "b"].map((id) => ({ id, memberships: [{ queue: "q" }] })),
    failurePolicy: { "no-answer": { breakAfter: null } },
  });
  step(join("q", "x", 1), 0);
  step({ type: "offer-failed", agent: "a", reason: "rejected" }, 100);
  assert.equal(e.calls.get("x")!.priority, 1, "b still rings: not requeued yet");
  assert.deepEqual(e.agents.get("a")!.status, { kind: "on-break", reason: "rejected" });
  const acts = step({ type: "tick" }, 8000);
  assert.deepEqual(acts.slice(0, 2), [
    { type: "cancel-offer", callId: "x", agents: ["b"] },
    { type: "agent-state-changed", agent: "b", status: { kind: "available" }, state: "idle" },
  ]);
  assert.equal(e.calls.get("x")!.priority, 4);
  // b stayed available (no-answer never breaks here), so it is offered again at once.
  assert.deepEqual(acts[2], { type: "offer", callId: "x", queue: "q", caller: "caller-x", agents: ["b"], mode: "all", waitedMs: 8000 });
});

test("refusals: duplicate call id, no agent logged in when joinWhenNoAgents is false, unknown queue", () => {
  const { step } = setup({ queues: [{ id: "q", strategy: "linear", joinWhenNoAgents: false }, { id: "open", strategy: "linear" }], agents: [{ id: "a", memberships: [{ queue: "q" }] }] }, []);
  assert.deepEqual(step(join("q", "c1"), 0), [{ type: "call-refused", callId: "c1", queue: "q", reason: "no-agents" }]);
  assert.deepEqual(step(join("nope", "c1"), 0), [{ type: "call-refused", callId: "c1", queue: "nope", reason: "unknown-queue" }]);
  assert.deepEqual(step(join("open", "c2"), 0), []);
  assert.deepEqual(step(join("open", "c2"), 0), [{ type: "call-refused", callId: "c2", queue: "open", reason: "duplicate-call" }]);
  step({ type: "agent-login", agent: "a" }, 1); // logged in (not registered): joining is allowed again
  assert.deepEqual(step(join("q", "c3"), 2), []);
});

test("status and state stay apart: logout during a call keeps in-call, then wrap-up, never offered again until login", () => {
  const { e, step, offers } = setup({ queues: [{ id: "q", strategy: "linear" }], agents: [{ id: "a", wrapUpMs: 2000, memberships: [{ queue: "q" }] }] });
  step(join("q", "c1"), 0);
  step({ type: "offer-answered", agent: "a" }, 1);
  assert.deepEqual(step({ type: "agent-logout", agent: "a" }, 2), [{ type: "agent-state-changed", agent: "a", status: { kind: "logged-out" }, state: "in-call" }]);
  step(join("q", "c2"), 3);
  assert.deepEqual(step({ type: "call-ended", agent: "a" }, 10), [{ type: "agent-state-changed", agent: "a", status: { kind: "logged-out" }, state: "wrap-up" }]);
  assert.deepEqual(offers(step({ type: "tick" }, 2010)), []);
  assert.equal(e.agents.get("a")!.state, "idle");
  assert.deepEqual(offers(step({ type: "agent-login", agent: "a" }, 3000)), ["c2->a"]);
});

test("a retry lapses when the queue's last eligible agent is taken earlier in the same pass by another queue's call", () => {
  const { e, step, offers } = setup({
    queues: [{ id: "q", strategy: "skill-level", skillWaitMs: 10_000 }, { id: "q2", strategy: "linear" }],
    agents: [{ id: "lo", memberships: [{ queue: "q", skillLevel: 2 }, { queue: "q2" }] }],
  });
  assert.deepEqual(offers(step(join("q", "c1"), 0)), []);
  assert.equal(e.calls.get("c1")!.retryAt, 10_000, "lo joins at level 2 after 10 s");
  // c2 (priority 1) comes first in service order and takes lo: c1 is then ranked with nobody.
  assert.deepEqual(offers(step(join("q2", "c2", 1), 1)), ["c2->lo"]);
  assert.equal(e.calls.get("c1")!.retryAt, undefined);
  assert.equal(e.nextDeadline(), 15_001, "the ring timeout, not the lapsed retry");
});

test("at scale: a freed agent gets the highest-priority, longest-waiting call of its queues", () => {
  const queues = Array.from({ length: 20 }, (_, i) => ({ id: `q${i}`, strategy: "longest-idle" as const }));
  const { e, step, offers } = setup({ queues, agents: [{ id: "a", memberships: [{ queue: "q3" }, { queue: "q17" }] }] });
  assert.deepEqual(offers(step(join("q0", "first"), 0)), []);
  step({ type: "agent-break", agent: "a", reason: "x" }, 1);
  for (let i = 0; i < 2000; i++) step(join(`q${i % 20}`, `c${i}`, i % 97 === 0 ? 1 : 0), 10 + i);
  // Priority 1: c0 (q0), c97 (q17), c194 (q14), … The first of q3 or q17 is c97.
  assert.deepEqual(offers(step({ type: "agent-available", agent: "a" }, 5000)), ["c97->a"]);
  step({ type: "offer-failed", agent: "a", reason: "busy" }, 5001);
  assert.equal(e.waitingCalls("q17")[0], "c97", "back at the head, raised");
  assert.equal(e.calls.get("c97")!.priority, 2);
});

test("callback: the entry keeps its place (join time, priority); its offer says callback; position counts it", () => {
  const { e, step, offers } = setup({ queues: [{ id: "q", strategy: "linear", ringTimeoutMs: 10_000 }], agents: [{ id: "a1", memberships: [{ queue: "q" }] }] }, []);
  step(join("q", "A"), 1000);
  step(join("q", "B"), 2000);
  step(join("q", "V", 1), 3000); // a priority caller: ahead of both
  assert.deepEqual(["A", "B", "V"].map((id) => e.position(id)), [2, 3, 1]);
  assert.deepEqual(step({ type: "call-to-callback", callId: "A", number: "2009" }, 4000), [{ type: "callback-queued", callId: "A", queue: "q", number: "2009", joinedAt: 1000, priority: 0 }]);
  assert.equal(e.position("A"), 2, "still ahead of B");
  step({ type: "call-left", callId: "V" }, 4500);
  e.handle({ type: "agent-registered", agent: "a1", registered: true }, 5000);
  const acts = step({ type: "agent-login", agent: "a1" }, 5000);
  assert.deepEqual(acts.find((a) => a.type === "offer"), { type: "offer", callId: "A", queue: "q", caller: "caller-A", agents: ["a1"], mode: "one", waitedMs: 4000, callback: { number: "2009" } });
  assert.equal(e.position("A"), undefined, "being offered");
  assert.equal(e.position("B"), 1);
  // The agent answered, the citizen did not: the switch re-joins A in its old place, not before 60 s.
  step({ type: "offer-answered", agent: "a1" }, 6000);
  step({ type: "call-ended", agent: "a1" }, 20_000);
  assert.deepEqual(offers(step({ type: "call-left", callId: "B" }, 20_500)), []);
  step(join("q", "C"), 21_000);
  const rejoin: AcdInput = { type: "call-joined", queue: "q", call: { id: "A", caller: "2009", joinedAt: 1000, callback: { number: "2009", notBefore: 80_000 } } };
  e.handle({ type: "agent-break", agent: "a1", reason: "x" }, 21_000);
  step(rejoin, 21_500);
  assert.equal(e.position("A"), 1, "back at its place, ahead of C");
  assert.equal(e.counters.get("q")!.joined, 4, "a re-join is not a new caller");
  const freed = step({ type: "agent-available", agent: "a1" }, 22_000);
  assert.deepEqual(offers(freed), ["C->a1"], "A waits out its retry time; C is served meanwhile");
  step({ type: "offer-answered", agent: "a1" }, 23_000);
  step({ type: "call-ended", agent: "a1" }, 24_000);
  assert.equal(e.nextDeadline(), 80_000);
  assert.deepEqual(offers(step({ type: "tick" }, 80_000)), ["A->a1"]);
});

test("callback: an offer in progress is withdrawn without penalty; a callback never overflows", () => {
  const { e, step } = setup({ queues: [{ id: "q", strategy: "linear", maxWaitMs: 30_000, overflow: { kind: "number", target: "9" } }], agents: [{ id: "a1", memberships: [{ queue: "q" }] }] });
  step(join("q", "A"), 0);
  assert.deepEqual(step({ type: "call-to-callback", callId: "A", number: "55" }, 100).slice(0, 3), [
    { type: "cancel-offer", callId: "A", agents: ["a1"] },
    { type: "agent-state-changed", agent: "a1", status: { kind: "available" }, state: "idle" },
    { type: "callback-queued", callId: "A", queue: "q", number: "55", joinedAt: 0, priority: 0 },
  ]);
  // Re-offered at once as a callback (the agent was freed), then the agent goes on break.
  assert.equal(e.calls.get("A")!.offer !== undefined, true);
  step({ type: "agent-break", agent: "a1", reason: "x" }, 200);
  assert.deepEqual(step({ type: "tick" }, 40_000), []);
  assert.equal(e.position("A"), 1);
});
