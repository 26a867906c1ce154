// Queue keys of the ACD review (issue 4): requeuePriorityRaise, breakAfter { busy, rejected }
// and the members' `order`; from YAML through the dial plan to the engine, with precise errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { AcdEngine } from "@hotline/acd";
import { acdConfig } from "@hotline/switch";
import { configFixture } from "../testing/config-fixture.js";

const { planOf, errorsOf } = configFixture("hotline-queue-policy-");

test("requeuePriorityRaise and breakAfter default to 1 and reach the engine; null = never", () => {
  const plan = planOf(
    'queues:\n  "7000": { strategy: linear, members: { "1001": 1 } }\n  "7001": { strategy: linear, members: { "1001": 1 }, requeuePriorityRaise: 0, breakAfter: { busy: 3, rejected: null } }\n',
  );
  const [a, b] = acdConfig(plan.queues, plan.agents ?? {}).queues;
  assert.deepEqual([a?.requeuePriorityRaise, a?.breakAfter], [1, { busy: 1, rejected: 1 }]);
  assert.deepEqual([b?.requeuePriorityRaise, b?.breakAfter], [0, { busy: 3, rejected: null }]);
});

test("member order sets linear order; equal orders go by extension", () => {
  const plan = planOf('queues:\n  "7000": { strategy: linear, members: { "1001": { order: 3 }, "1002": 1, "1003": { skill: 1, order: 1 } } }\n');
  assert.deepEqual(plan.queues["7000"]?.orders, { "1001": 3, "1003": 1 });
  const cfg = acdConfig(plan.queues, plan.agents ?? {});
  const e = new AcdEngine(cfg, () => 0);
  const offered: string[] = [];
  for (const id of ["1001", "1002", "1003"]) {
    e.handle({ type: "agent-registered", agent: id, registered: true }, 0);
    e.handle({ type: "agent-login", agent: id }, 0);
  }
  // Each call is answered, so the next goes to the next agent in order: 1002 (0), 1003 (1), 1001 (3).
  for (let i = 0; i < 3; i++) {
    for (const act of e.handle({ type: "call-joined", queue: "7000", call: { id: `c${i}`, caller: "x" } }, 10 * i + 1)) {
      if (act.type === "offer") offered.push(...act.agents);
    }
    e.handle({ type: "offer-answered", agent: offered.at(-1)! }, 10 * i + 2);
  }
  assert.deepEqual(offered, ["1002", "1003", "1001"]);
});

test("requeuePriorityRaise: 0 puts a failed caller back at the head of its own class, behind priority callers", () => {
  const yaml = (raise: number) => `queues:\n  "7000": { strategy: linear, members: { "1001": 1 }, requeuePriorityRaise: ${raise} }\nagents:\n  "1001": { maxMisses: 0 }\n`;
  const order = (raise: number): string[] => {
    const e = new AcdEngine(acdConfig(planOf(yaml(raise)).queues, planOf(yaml(raise)).agents ?? {}), () => 0);
    e.handle({ type: "agent-registered", agent: "1001", registered: true }, 0);
    e.handle({ type: "agent-login", agent: "1001" }, 0);
    e.handle({ type: "call-joined", queue: "7000", call: { id: "normal", caller: "a" } }, 0);
    e.handle({ type: "call-joined", queue: "7000", call: { id: "vip", caller: "b", priority: 1 } }, 500);
    const acts = e.handle({ type: "offer-failed", agent: "1001", reason: "no-answer" }, 1000);
    return acts.flatMap((a) => (a.type === "offer" ? [a.callId] : []));
  };
  // Raise 1: the requeued caller ties with priority 1 and joined earlier: served first.
  assert.deepEqual(order(1), ["normal"]);
  assert.deepEqual(order(0), ["vip"]);
});

test("errors name the key", () => {
  assert.deepEqual(errorsOf('queues:\n  "7000": { strategy: linear, members: { "1001": { order: -1 } }, requeuePriorityRaise: -1, breakAfter: { busy: 0, noAnswer: 1 } }\n'), [
    "hotline.yaml:2:59: queues.7000.members.1001.order: must be an integer 0..10000 (got -1)",
    "hotline.yaml:2:89: queues.7000.requeuePriorityRaise: must be an integer 0..100 (got -1)",
    "hotline.yaml:2:113: queues.7000.breakAfter.busy: must be an integer 1..100 (got 0)",
    "hotline.yaml:2:116: queues.7000.breakAfter.noAnswer: unknown key",
  ]);
});
