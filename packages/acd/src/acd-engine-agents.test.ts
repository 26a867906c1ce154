// Per-agent settings (ring time, misses before a break, weight per membership) and ring-in-use:
// an agent in another call is skipped by queues that do not ring in use.
import { test } from "node:test";
import assert from "node:assert/strict";
import { AcdEngine } from "./acd-engine.js";
import type { AcdAction, AcdConfig, AcdInput } from "./acd-types.js";
import { scriptedRandom } from "./testing/prng.js";

function setup(config: AcdConfig, random: () => number = scriptedRandom([0])) {
  const e = new AcdEngine(config, random);
  for (const a of config.agents) {
    e.handle({ type: "agent-registered", agent: a.id, registered: true }, 0);
    e.handle({ type: "agent-login", agent: a.id }, 0);
  }
  const step = (input: AcdInput, now: number): AcdAction[] => e.handle(input, now).filter((a) => a.type !== "queue-stats");
  const offers = (acts: AcdAction[]) => acts.flatMap((a) => (a.type === "offer" ? [`${a.callId}->${a.agents.join("+")}`] : []));
  return { e, step, offers };
}
const join = (queue: string, id: string, caller = `caller-${id}`): AcdInput => ({ type: "call-joined", queue, call: { id, caller } });

test("an agent's own ring time replaces the queue's for offers to them; ring-all waits for the longest", () => {
  const { e, step, offers } = setup({
    queues: [{ id: "q", strategy: "linear", ringTimeoutMs: 10_000 }, { id: "all", strategy: "ring-all", ringTimeoutMs: 10_000 }],
    agents: [
      { id: "a1", memberships: [{ queue: "q", order: 1 }, { queue: "all" }], ringTimeoutMs: 4000 },
      { id: "a2", memberships: [{ queue: "q", order: 2 }, { queue: "all" }] },
    ],
  });
  assert.deepEqual(offers(step(join("q", "c1"), 1000)), ["c1->a1"]);
  assert.equal(e.nextDeadline(), 5000);
  const timedOut = step({ type: "tick" }, 5000);
  assert.deepEqual(timedOut[0], { type: "cancel-offer", callId: "c1", agents: ["a1"] });
  // a1 went on break (no answer); the call goes on to a2 with the queue's 10 s.
  assert.deepEqual(offers(timedOut), ["c1->a2"]);
  assert.equal(e.nextDeadline(), 15_000);
  step({ type: "offer-answered", agent: "a2" }, 6000);
  step({ type: "call-ended", agent: "a2" }, 7000);
  step({ type: "agent-available", agent: "a1" }, 7000);
  assert.deepEqual(offers(step(join("all", "c2"), 8000)), ["c2->a1+a2"]);
  assert.equal(e.nextDeadline(), 18_000, "max(4 s, 10 s) after the offer");
});

test("maxMisses: 2 puts the agent on break at the second consecutive no-answer; null never; an answer resets the count", () => {
  const { e, step, offers } = setup({
    queues: [{ id: "q", strategy: "linear", ringTimeoutMs: 1000 }],
    agents: [
      { id: "a1", memberships: [{ queue: "q", order: 1 }], maxMisses: 2 },
      { id: "a2", memberships: [{ queue: "q", order: 2 }], maxMisses: null },
    ],
  });
  const status = (id: string) => e.agents.get(id)!.status;
  step(join("q", "c1"), 0);
  step({ type: "offer-failed", agent: "a1", reason: "no-answer" }, 100); // miss 1 → c1 goes to a2
  assert.deepEqual(status("a1"), { kind: "available" });
  step({ type: "offer-failed", agent: "a2", reason: "no-answer" }, 200); // a2 never breaks → c1 back to a1
  assert.deepEqual(status("a2"), { kind: "available" });
  assert.deepEqual(offers(step({ type: "offer-answered", agent: "a1" }, 300)), []);
  step({ type: "call-ended", agent: "a1" }, 400); // the answer reset a1's count
  step(join("q", "c2"), 500);
  step({ type: "offer-failed", agent: "a1", reason: "no-answer" }, 600);
  assert.deepEqual(status("a1"), { kind: "available" }, "one miss after an answer is not two");
  step({ type: "offer-failed", agent: "a2", reason: "no-answer" }, 700);
  step({ type: "offer-failed", agent: "a1", reason: "no-answer" }, 800);
  assert.deepEqual(status("a1"), { kind: "on-break", reason: "no-answer" });
  for (let t = 900; t < 2000; t += 100) step({ type: "offer-failed", agent: "a2", reason: "no-answer" }, t);
  assert.deepEqual(status("a2"), { kind: "available" });
  // maxMisses covers no-answer only: busy keeps the failure policy (break after 1).
  step({ type: "offer-failed", agent: "a2", reason: "busy" }, 2000);
  assert.deepEqual(status("a2"), { kind: "on-break", reason: "busy" });
});

test("ring-in-use: an agent in another call is skipped unless the queue rings in use; free again, they get the waiting call", () => {
  const { step, offers } = setup({
    queues: [{ id: "q", strategy: "linear" }, { id: "any", strategy: "linear", ringInUse: true }],
    agents: [
      { id: "a1", memberships: [{ queue: "q", order: 1 }, { queue: "any", order: 1 }] },
      { id: "a2", memberships: [{ queue: "q", order: 2 }] },
    ],
  });
  step({ type: "agent-in-use", agent: "a1", inUse: true }, 0);
  assert.deepEqual(offers(step(join("q", "c1"), 10)), ["c1->a2"], "a1 is first in order but on a call");
  assert.deepEqual(offers(step(join("any", "c2"), 20)), ["c2->a1"], "this queue rings agents in use");
  step({ type: "offer-answered", agent: "a1" }, 30);
  step({ type: "call-ended", agent: "a1" }, 40);
  step({ type: "offer-answered", agent: "a2" }, 50);
  assert.deepEqual(offers(step(join("q", "c3"), 60)), [], "a2 in a queue call, a1 still in its direct call");
  assert.deepEqual(offers(step({ type: "agent-in-use", agent: "a1", inUse: false }, 70)), ["c3->a1"]);
});

test("weighted-random reads each membership's weight, else the agent's", () => {
  // Draw 0.5 of total 4 = 2: under weights a1=1, a2=3 (id order) it lands in a2's share.
  const { offers, step } = setup(
    {
      queues: [{ id: "w", strategy: "weighted-random" }, { id: "v", strategy: "weighted-random" }],
      agents: [
        { id: "a1", memberships: [{ queue: "w", weight: 1 }, { queue: "v" }], weight: 3 },
        { id: "a2", memberships: [{ queue: "w", weight: 3 }, { queue: "v" }] },
      ],
    },
    scriptedRandom([0.5]),
  );
  assert.deepEqual(offers(step(join("w", "c1"), 0)), ["c1->a2"]);
  step({ type: "call-left", callId: "c1" }, 1);
  // In v the weights are the agents' own: a1=3, a2=1; 2 of 4 falls in a1's share.
  assert.deepEqual(offers(step(join("v", "c2"), 2)), ["c2->a1"]);
});
