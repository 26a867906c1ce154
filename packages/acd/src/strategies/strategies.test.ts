import { test } from "node:test";
import assert from "node:assert/strict";
import { STRATEGIES, STRATEGY_IDS, isStrategyId, type AgentCandidate, type StrategyContext, type WaitingCall } from "./index.js";
import { mulberry32, scriptedRandom } from "../testing/prng.js";

function agent(id: string, over: Partial<AgentCandidate> = {}): AgentCandidate {
  return { id, skillLevel: 1, order: 0, weight: 1, callsAnswered: 0, talkTimeMs: 0, idleSince: 0, ...over };
}
const call: WaitingCall = { id: "c1", caller: "+8613800000000", queue: "sales", priority: 0, joinedAt: 100_000 };
function ctx(over: Partial<StrategyContext> = {}): StrategyContext {
  return {
    now: 100_000,
    random: () => 0,
    memory: {},
    settings: { skillWaitMs: 10_000, stickyWindowMs: 3_600_000, stickyHoldMs: 20_000 },
    fallback: STRATEGIES["longest-idle"],
    ...over,
  };
}

test("registry: ten strategies, ids are a closed set", () => {
  assert.deepEqual(STRATEGY_IDS, ["ring-all", "linear", "round-robin", "fewest-calls", "least-talk-time", "longest-idle", "random", "weighted-random", "skill-level", "sticky"]);
  assert.equal(isStrategyId("linear"), true);
  assert.equal(isStrategyId("fastest"), false);
  assert.equal(isStrategyId("toString"), false);
});

test("ring-all: every candidate at once, sorted by id", () => {
  assert.deepEqual(STRATEGIES["ring-all"]([agent("b"), agent("c"), agent("a")], call, ctx()), { mode: "all", agents: ["a", "b", "c"] });
  assert.deepEqual(STRATEGIES["ring-all"]([], call, ctx()), { mode: "all", agents: [] });
});

test("linear: fixed order, ties by id", () => {
  const cs = [agent("x", { order: 3 }), agent("b", { order: 1 }), agent("a", { order: 2 }), agent("c", { order: 1 })];
  assert.deepEqual(STRATEGIES.linear(cs, call, ctx()), { mode: "one", agents: ["b", "c", "a", "x"] });
});

test("round-robin: starts after the last offered agent, even when that agent is not a candidate now", () => {
  const cs = [agent("a1", { order: 1 }), agent("a2", { order: 2 }), agent("a3", { order: 3 }), agent("a4", { order: 4 })];
  const rr = STRATEGIES["round-robin"];
  assert.deepEqual(rr(cs, call, ctx()).agents, ["a1", "a2", "a3", "a4"]);
  assert.deepEqual(rr(cs, call, ctx({ memory: { lastOffered: { id: "a2", order: 2 } } })).agents, ["a3", "a4", "a1", "a2"]);
  assert.deepEqual(rr(cs, call, ctx({ memory: { lastOffered: { id: "a4", order: 4 } } })).agents, ["a1", "a2", "a3", "a4"]);
  const without3 = cs.filter((a) => a.id !== "a3");
  assert.deepEqual(rr(without3, call, ctx({ memory: { lastOffered: { id: "a3", order: 3 } } })).agents, ["a4", "a1", "a2"]);
  // Same order value: the id continues the rotation.
  const same = [agent("p", { order: 1 }), agent("q", { order: 1 }), agent("r", { order: 1 })];
  assert.deepEqual(rr(same, call, ctx({ memory: { lastOffered: { id: "q", order: 1 } } })).agents, ["r", "p", "q"]);
});

test("fewest-calls, least-talk-time, longest-idle: by their figure, ties by id", () => {
  const cs = [
    agent("d", { callsAnswered: 2, talkTimeMs: 50, idleSince: 30 }),
    agent("a", { callsAnswered: 5, talkTimeMs: 10, idleSince: 20 }),
    agent("c", { callsAnswered: 2, talkTimeMs: 10, idleSince: 10 }),
    agent("b", { callsAnswered: 0, talkTimeMs: 90, idleSince: 20 }),
  ];
  assert.deepEqual(STRATEGIES["fewest-calls"](cs, call, ctx()).agents, ["b", "c", "d", "a"]);
  assert.deepEqual(STRATEGIES["least-talk-time"](cs, call, ctx()).agents, ["a", "c", "d", "b"]);
  assert.deepEqual(STRATEGIES["longest-idle"](cs, call, ctx()).agents, ["c", "a", "b", "d"]);
});

test("random: Fisher–Yates over the id-sorted list from the injected draws; input order does not matter", () => {
  const cs = [agent("c"), agent("a"), agent("b"), agent("d")];
  // i=3: j=floor(0.9*4)=3 keep; i=2: j=floor(0*3)=0 swap a,c → c b a d; i=1: j=floor(0.6*2)=1 keep.
  assert.deepEqual(STRATEGIES.random(cs, call, ctx({ random: scriptedRandom([0.9, 0, 0.6]) })).agents, ["c", "b", "a", "d"]);
  assert.deepEqual(STRATEGIES.random([...cs].reverse(), call, ctx({ random: scriptedRandom([0.9, 0, 0.6]) })).agents, ["c", "b", "a", "d"]);
  // Every permutation of 3 shows up, roughly uniformly, over many seeded draws.
  const rnd = mulberry32(7);
  const seen = new Map<string, number>();
  for (let i = 0; i < 6000; i++) {
    const k = STRATEGIES.random(cs.slice(0, 3), call, ctx({ random: rnd.next })).agents.join("");
    seen.set(k, (seen.get(k) ?? 0) + 1);
  }
  assert.equal(seen.size, 6);
  for (const [k, n] of seen) assert.ok(n > 850 && n < 1150, `${k}: ${n}`);
});

test("weighted-random: draws in proportion to weight; zero weights last by id", () => {
  const cs = [agent("a", { weight: 1 }), agent("b", { weight: 3 }), agent("z", { weight: 0 }), agent("c", { weight: 6 })];
  // Pool a(1) b(3) c(6), total 10: r=0.05*10=0.5 → a. Then b(3) c(6): r=0.5*9=4.5 → c. Then b.
  assert.deepEqual(STRATEGIES["weighted-random"](cs, call, ctx({ random: scriptedRandom([0.05, 0.5]) })).agents, ["a", "c", "b", "z"]);
  // r=0.35*10=3.5 → b (1 < 3.5 ≤ 4); then a(1) c(6): r=0.1*7=0.7 → a; then c.
  assert.deepEqual(STRATEGIES["weighted-random"](cs, call, ctx({ random: scriptedRandom([0.35, 0.1]) })).agents, ["b", "a", "c", "z"]);
  const rnd = mulberry32(11);
  const first = new Map<string, number>();
  for (let i = 0; i < 10_000; i++) {
    const k = STRATEGIES["weighted-random"](cs, call, ctx({ random: rnd.next })).agents[0]!;
    first.set(k, (first.get(k) ?? 0) + 1);
  }
  assert.equal(first.get("z"), undefined);
  assert.ok(Math.abs((first.get("a") ?? 0) - 1000) < 150, `a first ${first.get("a")}`);
  assert.ok(Math.abs((first.get("b") ?? 0) - 3000) < 250, `b first ${first.get("b")}`);
  assert.ok(Math.abs((first.get("c") ?? 0) - 6000) < 300, `c first ${first.get("c")}`);
});

test("skill-level: levels widen every skillWaitMs; best level, then longest idle, then id", () => {
  const cs = [agent("l3", { skillLevel: 3 }), agent("l2b", { skillLevel: 2, idleSince: 5 }), agent("l2a", { skillLevel: 2, idleSince: 5 }), agent("l1", { skillLevel: 1, idleSince: 9 }), agent("l1x", { skillLevel: 1, idleSince: 1 })];
  const sl = STRATEGIES["skill-level"];
  assert.deepEqual(sl(cs, call, ctx({ now: 100_000 })), { mode: "one", agents: ["l1x", "l1"], retryAt: 110_000 });
  assert.deepEqual(sl(cs, call, ctx({ now: 109_999 })), { mode: "one", agents: ["l1x", "l1"], retryAt: 110_000 });
  assert.deepEqual(sl(cs, call, ctx({ now: 110_000 })), { mode: "one", agents: ["l1x", "l1", "l2a", "l2b"], retryAt: 120_000 });
  assert.deepEqual(sl(cs, call, ctx({ now: 120_000 })), { mode: "one", agents: ["l1x", "l1", "l2a", "l2b", "l3"] });
  // Only a level-3 agent free: nothing to offer until the call has waited two steps.
  assert.deepEqual(sl([agent("l3", { skillLevel: 3 })], call, ctx({ now: 105_000 })), { mode: "one", agents: [], retryAt: 120_000 });
});

test("sticky: the caller's last agent alone during the hold, then the fallback strategy", () => {
  const cs = [agent("a", { idleSince: 50 }), agent("b", { idleSince: 10 }), agent("c", { idleSince: 30 })];
  const st = STRATEGIES.sticky;
  const lastServed = { agentId: "c", at: 40_000 };
  assert.deepEqual(st(cs, call, ctx({ lastServed })), { mode: "one", agents: ["c"], retryAt: 120_000 });
  // Sticky agent busy: wait for it (nothing offered) until the hold ends.
  assert.deepEqual(st(cs.filter((a) => a.id !== "c"), call, ctx({ lastServed })), { mode: "one", agents: [], retryAt: 120_000 });
  // Hold over: fallback (longest-idle here).
  assert.deepEqual(st(cs, call, ctx({ lastServed, now: 120_000 })), { mode: "one", agents: ["b", "c", "a"] });
  // Served too long ago: fallback at once.
  assert.deepEqual(st(cs, call, ctx({ lastServed, settings: { skillWaitMs: 0, stickyWindowMs: 59_999, stickyHoldMs: 20_000 } })), { mode: "one", agents: ["b", "c", "a"] });
  // Never served: fallback.
  assert.deepEqual(st(cs, call, ctx()), { mode: "one", agents: ["b", "c", "a"] });
});

test("strategies are pure: same input, same output, input untouched", () => {
  const cs = Object.freeze([agent("b", { order: 2, weight: 2 }), agent("a", { order: 1, weight: 1 })]);
  for (const id of STRATEGY_IDS) {
    const r1 = STRATEGIES[id](cs, call, ctx({ random: scriptedRandom([0.3, 0.7]) }));
    const r2 = STRATEGIES[id](cs, call, ctx({ random: scriptedRandom([0.3, 0.7]) }));
    assert.deepEqual(r1, r2, id);
    assert.deepEqual(cs.map((a) => a.id), ["b", "a"], id);
  }
});
