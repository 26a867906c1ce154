// The strategy and agent keys of queues (issue 4): skill/weight members, skill-level and sticky
// timing, fallbackStrategy, ringInUse, and agents.<ext> overrides; with precise errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { acdConfig } from "@hotline/switch";
import { configFixture } from "../testing/config-fixture.js";

const { planOf, errorsOf } = configFixture("hotline-queue-strategy-");

test("members take a skill level or { skill, weight }; the switch gets levels and the weights that are not 1", () => {
  const plan = planOf('queues:\n  "7000": { strategy: weighted-random, members: { "1001": { weight: 3 }, "1002": 2, "1003": { skill: 2, weight: 1 } } }\n');
  const q = plan.queues["7000"]!;
  assert.deepEqual(q.members, { "1001": 1, "1002": 2, "1003": 2 });
  assert.deepEqual(q.weights, { "1001": 3 });
  const acd = acdConfig(plan.queues, plan.agents ?? {});
  assert.deepEqual(
    acd.agents.map((a) => [a.id, a.memberships[0]?.weight]),
    [["1001", 3], ["1002", 1], ["1003", 1]],
  );
});

test("strategy keys default (skill wait 30 s, sticky window 1 day, hold 15 s, fallback longest-idle, ringInUse false) and reach the engine", () => {
  const plan = planOf('queues:\n  "7000": { strategy: sticky, members: { "1001": 1 } }\n  "7001": { strategy: sticky, members: { "1001": 1 }, stickyWindowSeconds: 600, stickyHoldSeconds: 5, fallbackStrategy: round-robin, skillWaitSeconds: 0, ringInUse: true }\n');
  const [a, b] = acdConfig(plan.queues).queues;
  assert.deepEqual(
    { skillWaitMs: a?.skillWaitMs, stickyWindowMs: a?.stickyWindowMs, stickyHoldMs: a?.stickyHoldMs, fallbackStrategy: a?.fallbackStrategy, ringInUse: a?.ringInUse },
    { skillWaitMs: 30_000, stickyWindowMs: 86_400_000, stickyHoldMs: 15_000, fallbackStrategy: "longest-idle", ringInUse: false },
  );
  assert.deepEqual(
    { skillWaitMs: b?.skillWaitMs, stickyWindowMs: b?.stickyWindowMs, stickyHoldMs: b?.stickyHoldMs, fallbackStrategy: b?.fallbackStrategy, ringInUse: b?.ringInUse },
    { skillWaitMs: 0, stickyWindowMs: 600_000, stickyHoldMs: 5000, fallbackStrategy: "round-robin", ringInUse: true },
  );
});

test("agents.<ext>: wrap-up, ring time and misses per agent; 0 misses = never on break; absent keys keep the queue's", () => {
  const plan = planOf('queues:\n  "7000": { strategy: linear, members: { "1001": 1, "1002": 1 } }\nagents:\n  "1001": { wrapUpSeconds: 30, ringSeconds: 8, maxMisses: 3 }\n  "1002": { maxMisses: 0 }\n');
  assert.deepEqual(plan.agents, { "1001": { wrapUpSeconds: 30, ringSeconds: 8, maxMisses: 3 }, "1002": { wrapUpSeconds: null, ringSeconds: null, maxMisses: 0 } });
  const agents = acdConfig(plan.queues, plan.agents ?? {}).agents;
  assert.deepEqual(agents.find((x) => x.id === "1001"), { id: "1001", memberships: [{ queue: "7000", skillLevel: 1, weight: 1, order: 0 }], wrapUpMs: 30_000, ringTimeoutMs: 8000, maxMisses: 3 });
  assert.deepEqual(agents.find((x) => x.id === "1002"), { id: "1002", memberships: [{ queue: "7000", skillLevel: 1, weight: 1, order: 0 }], maxMisses: null });
});

test("agents.<ext>: null wrap-up and ring time keep the queue's; maxMisses null is refused (0 = never)", () => {
  const plan = planOf('queues:\n  "7000": { strategy: linear, members: { "1001": 1 }, ringSeconds: 12, wrapUpSeconds: 7 }\nagents:\n  "1001": { wrapUpSeconds: null, ringSeconds: null }\n');
  assert.deepEqual(plan.agents, { "1001": { wrapUpSeconds: null, ringSeconds: null, maxMisses: 1 } });
  assert.deepEqual(acdConfig(plan.queues, plan.agents ?? {}).agents.find((x) => x.id === "1001"), { id: "1001", memberships: [{ queue: "7000", skillLevel: 1, weight: 1, order: 0 }], maxMisses: 1 });
  assert.deepEqual(errorsOf('queues:\n  "7000": { strategy: linear, members: { "1001": 1 } }\nagents:\n  "1001": { maxMisses: null }\n'), [
    "hotline.yaml:4:24: agents.1001.maxMisses: must be an integer 0..100 (0 = never put on break; null is not allowed) (got null)",
  ]);
});

test("errors say which key and why", () => {
  assert.deepEqual(errorsOf('queues:\n  "7000": { strategy: linear, members: { "1001": { skill: 0, weight: -1 }, "1002": { skil: 1 }, "1003": [1] } }\n'), [
    "hotline.yaml:2:59: queues.7000.members.1001.skill: must be an integer 1..100 (got 0)",
    "hotline.yaml:2:70: queues.7000.members.1001.weight: must be an integer 0..1000 (got -1)",
    "hotline.yaml:2:92: queues.7000.members.1002.skil: unknown key (expected skill, weight, order) (got 1)",
    "hotline.yaml:2:105: queues.7000.members.1003: must be an integer 1..100 (got a list)",
  ]);
  assert.deepEqual(errorsOf('queues:\n  "7000": { strategy: sticky, members: { "1001": 1 }, fallbackStrategy: sticky, skillWaitSeconds: -1 }\n'), [
    "hotline.yaml:2:73: queues.7000.fallbackStrategy: must be one of: ring-all, linear, round-robin, fewest-calls, least-talk-time, longest-idle, random, weighted-random, skill-level (got \"sticky\")",
    "hotline.yaml:2:99: queues.7000.skillWaitSeconds: must be an integer 0..3600 (got -1)",
  ]);
  assert.deepEqual(errorsOf('queues:\n  "7000": { strategy: linear, members: { "1001": 1 } }\nagents:\n  "1001": { ringSeconds: 0, wrapUp: 5 }\n'), [
    "hotline.yaml:4:26: agents.1001.ringSeconds: must be an integer 1..600 (got 0)",
    "hotline.yaml:4:29: agents.1001.wrapUp: unknown key",
  ]);
  // Cross-key checks (after the shapes pass): an agent entry must be some queue's member.
  assert.deepEqual(errorsOf('queues:\n  "7000": { strategy: linear, members: { "1001": 1 } }\nagents:\n  "1002": {}\n  "1009": {}\n'), [
    "hotline.yaml:4:3: agents.1002: '1002' is not a member of any queue",
    "hotline.yaml:5:3: agents.1009: '1009' is not an extension (no user or extensions entry)",
  ]);
});

test("joinWhenNoAgents, leaveWhenNoAgents and an overflow without maxWaitSeconds reach the engine", () => {
  const plan = planOf('queues:\n  "7000": { strategy: linear, members: { "1001": 1 }, joinWhenNoAgents: false, leaveWhenNoAgents: true, overflow: "1002" }\n  "7001": { strategy: linear, members: { "1001": 1 } }\n');
  const [a, b] = acdConfig(plan.queues, plan.agents ?? {}).queues;
  assert.deepEqual(
    { join: a?.joinWhenNoAgents, leave: a?.leaveWhenNoAgents, overflow: a?.overflow, maxWaitMs: a?.maxWaitMs },
    { join: false, leave: true, overflow: { kind: "number", target: "1002" }, maxWaitMs: undefined },
  );
  assert.deepEqual({ join: b?.joinWhenNoAgents, leave: b?.leaveWhenNoAgents, overflow: b?.overflow }, { join: true, leave: false, overflow: undefined });
});
