// Join/leave when no member agent is logged in (issue 4): joinWhenNoAgents and leaveWhenNoAgents.
import { test } from "node:test";
import assert from "node:assert/strict";
import { AcdEngine } from "./acd-engine.js";
import type { AcdAction, AcdConfig, AcdInput, QueueConfig } from "./acd-types.js";
import { scriptedRandom } from "./testing/prng.js";

const overflow = { kind: "number", target: "8000" } as const;

function setup(queue: Omit<QueueConfig, "id" | "strategy">, agents: string[] = ["a1", "a2"]) {
  const config: AcdConfig = { queues: [{ id: "q", strategy: "linear", ...queue }], agents: agents.map((id) => ({ id, memberships: [{ queue: "q" }] })) };
  const e = new AcdEngine(config, scriptedRandom([0]));
  for (const id of agents) e.handle({ type: "agent-registered", agent: id, registered: true }, 0);
  const step = (input: AcdInput, now: number): AcdAction[] => e.handle(input, now).filter((a) => a.type !== "queue-stats" && a.type !== "agent-state-changed");
  return { e, step };
}
const join = (id: string, callback?: string, joinedAt?: number): AcdInput => ({
  type: "call-joined",
  queue: "q",
  call: { id, caller: `caller-${id}`, ...(joinedAt !== undefined && { joinedAt }), ...(callback !== undefined && { callback: { number: callback } }) },
});

test("joinWhenNoAgents default (true): a caller joins an empty queue and waits", () => {
  const { e, step } = setup({ overflow });
  assert.deepEqual(step(join("c1"), 0), []);
  assert.deepEqual(e.waitingCalls("q"), ["c1"]);
});

test("joinWhenNoAgents false: no agent logged in → overflow when the queue has one, else refused no-agents", () => {
  const withOverflow = setup({ joinWhenNoAgents: false, overflow });
  assert.deepEqual(withOverflow.step(join("c1"), 0), [{ type: "call-overflow", callId: "c1", queue: "q", destination: overflow }]);
  assert.equal(withOverflow.e.calls.size, 0);
  assert.deepEqual(withOverflow.e.counters.get("q"), { joined: 1, answered: 0, abandoned: 0, overflowed: 1, refused: 0 });
  const without = setup({ joinWhenNoAgents: false });
  assert.deepEqual(without.step(join("c1"), 0), [{ type: "call-refused", callId: "c1", queue: "q", reason: "no-agents" }]);
  assert.deepEqual(without.e.counters.get("q"), { joined: 0, answered: 0, abandoned: 0, overflowed: 0, refused: 1 });
  // An agent on break is logged in: the caller joins and waits for them.
  const onBreak = setup({ joinWhenNoAgents: false, overflow });
  onBreak.step({ type: "agent-login", agent: "a1" }, 0);
  onBreak.step({ type: "agent-break", agent: "a1", reason: "lunch" }, 0);
  assert.deepEqual(onBreak.step(join("c1"), 1), []);
  assert.deepEqual(onBreak.e.waitingCalls("q"), ["c1"]);
  // A promised callback re-joining is never refused nor sent away.
  assert.deepEqual(without.step(join("cb", "555", 0), 5), []);
  assert.deepEqual(without.e.waitingCalls("q"), ["cb"]);
});

test("leaveWhenNoAgents: the last agent's logout sends the waiting callers to overflow, oldest first; callbacks stay", () => {
  const { e, step } = setup({ leaveWhenNoAgents: true, overflow });
  step({ type: "agent-login", agent: "a1" }, 0);
  step({ type: "agent-login", agent: "a2" }, 0);
  step({ type: "agent-break", agent: "a1", reason: "lunch" }, 0);
  step({ type: "agent-break", agent: "a2", reason: "lunch" }, 0);
  step(join("c1"), 1000);
  step(join("cb", "555"), 2000);
  step(join("c2"), 3000);
  // One agent left logged in: nothing moves.
  assert.deepEqual(step({ type: "agent-logout", agent: "a1" }, 4000), []);
  assert.deepEqual(e.waitingCalls("q"), ["c1", "cb", "c2"]);
  assert.deepEqual(step({ type: "agent-logout", agent: "a2" }, 5000), [
    { type: "call-overflow", callId: "c1", queue: "q", destination: overflow },
    { type: "call-overflow", callId: "c2", queue: "q", destination: overflow },
  ]);
  assert.deepEqual(e.waitingCalls("q"), ["cb"], "the callback entry keeps its place");
  assert.deepEqual(e.counters.get("q"), { joined: 3, answered: 0, abandoned: 0, overflowed: 2, refused: 0 });
  // A second logout of a logged-out agent is no "last agent leaving": nothing happens.
  step(join("c3"), 6000);
  assert.deepEqual(step({ type: "agent-logout", agent: "a2" }, 7000), []);
  assert.deepEqual(e.waitingCalls("q"), ["cb", "c3"]);
});

test("leaveWhenNoAgents without overflow: the waiting callers are refused no-agents-left; a break is not leaving", () => {
  const { e, step } = setup({ leaveWhenNoAgents: true }, ["a1"]);
  step({ type: "agent-login", agent: "a1" }, 0);
  step({ type: "agent-break", agent: "a1", reason: "lunch" }, 0);
  step(join("c1"), 1000);
  assert.deepEqual(step({ type: "agent-break", agent: "a1", reason: "meeting" }, 2000), []);
  assert.deepEqual(step({ type: "agent-registered", agent: "a1", registered: false }, 2500), []);
  assert.deepEqual(step({ type: "agent-logout", agent: "a1" }, 3000), [{ type: "call-refused", callId: "c1", queue: "q", reason: "no-agents-left" }]);
  assert.equal(e.calls.size, 0);
  assert.deepEqual(e.counters.get("q"), { joined: 1, answered: 0, abandoned: 0, overflowed: 0, refused: 1 });
});

test("leaveWhenNoAgents: a call being offered to the last agent who logs out is withdrawn and leaves too", () => {
  const { e, step } = setup({ leaveWhenNoAgents: true, overflow }, ["a1"]);
  step({ type: "agent-login", agent: "a1" }, 0);
  assert.equal(step(join("c1"), 1000)[0]?.type, "offer");
  assert.deepEqual(step({ type: "agent-logout", agent: "a1" }, 2000), [
    { type: "cancel-offer", callId: "c1", agents: ["a1"] },
    { type: "call-overflow", callId: "c1", queue: "q", destination: overflow },
  ]);
  assert.equal(e.calls.size, 0);
  assert.equal(e.agents.get("a1")!.state, "idle");
});
