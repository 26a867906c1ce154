// Regressions of the second ACD review (issue 4): callbacks to outside callers, announcement
// timers after overflow, callback merges, supervisors in use, overflow loops, shutdown drain.
import { test } from "node:test";
import assert from "node:assert/strict";
import { examplePlan } from "../routing/example-plan.js";
import { inDialog, invite, rig, settle, toTagOf, type Rig } from "../testing/call-rig.js";
import {
  ANNOUNCE,
  CALLBACK,
  QUEUE,
  SRC,
  agentLogsInAndAnswers,
  answerLatest,
  callQueue,
  callbackAnswered,
  invites,
  invitesTo as to,
  pressCallbackDigit,
  promptEnds,
} from "../testing/queue-calls.js";

/** Queue 7000 with callbacks, reachable from carrier-a's DID 7000; agent 1001. */
async function trunkRig(): Promise<Rig> {
  const plan = examplePlan();
  plan.queues = { "7000": { ...QUEUE, members: { "1001": 1 }, callback: CALLBACK } };
  plan.inboundRoutes = [{ trunk: "carrier-a", did: "7000", destination: "7000" }, ...plan.inboundRoutes];
  plan.extensions["1001"]!.followMe = null;
  return rig({ "1001": [5086], "1004": [6001] }, plan);
}

test("callback to an outside caller: dialled back through the trunk it came in on, in its dialling form", async () => {
  const r = await trunkRig();
  // carrier-a (127.0.0.1:5070) sends the caller as +86…: normalised to 01012345678 on arrival.
  const call = await callQueue(r, "+861012345678", 5070);
  assert.equal(call.caller, "01012345678");
  const stored: unknown[] = [];
  r.manager.queues.onCallback = (_id, rec) => void stored.push(rec);
  await pressCallbackDigit(r, call);
  assert.deepEqual(r.recorder.events.filter((e) => e.type === "queue.callback-refused"), []);
  assert.equal((stored.at(-1) as { trunk?: string } | undefined)?.trunk, "carrier-a", "the trunk is stored with the callback");
  await promptEnds(r, call.a.endpoint!.id);
  await agentLogsInAndAnswers(r, "1001");
  const out = to(r, "01012345678");
  assert.equal(out.length, 1, `the citizen is dialled through the trunk (INVITEs: ${invites(r).map((x) => x.request.uri).join(" | ")})`);
  assert.equal(out[0]!.request.uri, "sip:01012345678@127.0.0.1:5070");
  assert.deepEqual(r.recorder.events.filter((e) => e.type === "queue.callback-failed"), [], "no failed attempt");
});

test("callback restored from a record with its trunk: dialled through that trunk", async () => {
  const r = await trunkRig();
  r.manager.onRequest("l1", invite("1001", "*60", { port: 5086 }), SRC(5086));
  await settle();
  r.clock.advance(5000);
  await settle();
  r.manager.queues.restoreCallbacks([{ callId: "old-1", queue: "7000", number: "01012345678", priority: 0, joinedAt: r.clock.now() - 60_000, attempts: 0, notBefore: 0, trunk: "carrier-a" }]);
  await settle();
  await answerLatest(r, "1001", "ag");
  assert.equal(to(r, "01012345678")[0]?.request.uri, "sip:01012345678@127.0.0.1:5070");
});

test("callback digit from a caller with no way back (unknown trunk): refused at once, 'no route'", async () => {
  const r = await trunkRig();
  const call = await callQueue(r, "+861012345678", 5070);
  call.trunk = "gone"; // as if the trunk was removed from the plan by a reload
  await pressCallbackDigit(r, call);
  assert.deepEqual(
    r.recorder.events.filter((e) => e.type === "queue.callback-refused").map((e) => e.data["why"]),
    ["no route"],
  );
  assert.equal(r.manager.queues.engine.calls.get(call.id)?.callback, undefined, "still waiting as a call");
  assert.ok(r.manager.calls.has(call.id), "the caller keeps waiting");
});

test("callback digit from an internal caller: dialled back as the extension", async () => {
  const r = await trunkRig();
  const call = await callQueue(r, "1004", 6001);
  await pressCallbackDigit(r, call);
  await promptEnds(r, call.a.endpoint!.id);
  await agentLogsInAndAnswers(r, "1001");
  assert.equal(to(r, "1004").length, 1);
  assert.match(to(r, "1004")[0]!.request.uri, /^sip:1004@127\.0\.0\.1:6001/);
});

test("a caller with a pending callback calls again and is sent away (overflow at join): the callback stays", async () => {
  const plan = examplePlan();
  plan.queues = { "7000": { ...QUEUE, members: { "1001": 1 }, overflow: "1002", joinWhenNoAgents: false, callback: CALLBACK } };
  for (const e of Object.values(plan.extensions)) e.followMe = null;
  const r = await rig({ "1001": [5086], "1002": [5080], "1004": [6001] }, plan);
  const joinedAt = r.clock.now() - 60_000;
  r.manager.queues.restoreCallbacks([{ callId: "old-1", queue: "7000", number: "1004", priority: 0, joinedAt, attempts: 0, notBefore: 0 }]);
  const stored: string[] = [];
  r.manager.queues.onCallback = (id, rec) => void stored.push(`${id}:${rec === null ? "deleted" : "kept"}`);
  r.manager.onRequest("tx1", invite("1004", "7000", { port: 6001 }), SRC(6001));
  await settle();
  assert.equal(to(r, "1002").length, 1, "the new call overflowed to 1002");
  assert.ok(!stored.includes("old-1:deleted"), `the stored callback is kept (${stored.join(", ")})`);
  assert.deepEqual(r.recorder.events.filter((e) => e.type === "queue.callback-merged"), [], "not merged");
  const entry = r.manager.queues.engine.calls.get("old-1");
  assert.equal(entry?.joinedAt, joinedAt, "the callback keeps its place in the engine");
  assert.deepEqual(r.manager.queues.report(r.clock.now()).queues[0]?.waitingCalls.map((w) => [w.callId, w.callback]), [["old-1", true]]);
});

test("a caller with a pending callback calls again and is kept: merged into one entry, the earlier place", async () => {
  const plan = examplePlan();
  plan.queues = { "7000": { ...QUEUE, members: { "1001": 1 }, callback: CALLBACK } };
  for (const e of Object.values(plan.extensions)) e.followMe = null;
  const r = await rig({ "1001": [5086], "1004": [6001] }, plan);
  const joinedAt = r.clock.now() - 60_000;
  r.manager.queues.restoreCallbacks([{ callId: "old-1", queue: "7000", number: "1004", priority: 0, joinedAt, attempts: 0, notBefore: 0 }]);
  const stored: string[] = [];
  r.manager.queues.onCallback = (id, rec) => void stored.push(`${id}:${rec === null ? "deleted" : "kept"}`);
  const call = await callQueue(r, "1004", 6001);
  assert.deepEqual(stored, ["old-1:deleted"]);
  assert.equal(r.recorder.events.filter((e) => e.type === "queue.callback-merged").length, 1);
  assert.equal(r.manager.queues.engine.calls.get("old-1"), undefined);
  assert.equal(r.manager.queues.engine.calls.get(call.id)?.joinedAt, joinedAt, "the new call has the callback's place");
  // Figures: the request is merged (no longer waiting), the new call waits since the request's join.
  const q = r.manager.queues.report(r.clock.now()).queues[0]!;
  assert.deepEqual([q.callbacksMerged, q.waiting], [1, 1]);
  await agentLogsInAndAnswers(r, "1001");
  const answered = r.recorder.events.filter((e) => e.type === "queue.answered");
  assert.equal(answered.length, 1);
  assert.equal(answered[0]!.data["waitMs"], r.clock.now() - joinedAt, "the wait is measured from the request's join");
});

test("figures of a merged callback: offered = outcomes + waiting, the request gets the outcome 'merged'", async () => {
  const plan = examplePlan();
  plan.queues = { "7000": { ...QUEUE, members: { "1001": 1 }, callback: CALLBACK } };
  for (const e of Object.values(plan.extensions)) e.followMe = null;
  const r = await rig({ "1001": [5086], "1004": [6001] }, plan);
  const first = await callQueue(r, "1004", 6001);
  await pressCallbackDigit(r, first);
  await promptEnds(r, first.a.endpoint!.id);
  assert.equal(r.manager.calls.size, 0, "the first call is released after the thank-you");
  r.clock.advance(20_000);
  r.manager.onRequest("tx2", invite("1004", "7000", { port: 6001 }), SRC(6001));
  await settle();
  const q = r.manager.queues.report(r.clock.now()).queues[0]!;
  assert.deepEqual([q.offered, q.callbacksRequested, q.callbacksMerged, q.waiting], [2, 1, 1, 1]);
  assert.equal(q.offered, q.answered + q.abandoned + q.overflowed + q.refused + q.callbacksDropped + q.callbacksMerged + q.waiting, "offered = outcomes + waiting");
  assert.deepEqual(r.manager.queues.report(r.clock.now()).queues[0]!.waitingCalls.map((w) => w.callback), [false], "one entry: the new call");
});

test("overflow 7000 → 7001: 7000's announcement timers stop; 7001 announces on its own schedule", async () => {
  const plan = examplePlan();
  plan.queues = {
    "7000": { ...QUEUE, members: { "1001": 1 }, maxWaitSeconds: 30, overflow: "7001", announce: { ...ANNOUNCE, firstAfterSeconds: 15, positionEverySeconds: 60 } },
    "7001": { ...QUEUE, members: { "1001": 1 }, announce: { ...ANNOUNCE, language: "zh" as const, firstAfterSeconds: 500, positionEverySeconds: 600 } },
  };
  plan.extensions["1001"]!.followMe = null;
  const r = await rig({ "1001": [5086], "1004": [6001] }, plan);
  const inv = invite("1004", "7000", { port: 6001 });
  r.manager.onRequest("tx1", inv, SRC(6001));
  await settle();
  const ok = r.sip.responses.find((x) => x.txId === "tx1" && x.response.status === 200)!.response;
  r.manager.onAck(inDialog("ACK", inv, toTagOf(ok), 1));
  const call = [...r.manager.calls.values()].find((c) => c.dialed === "7000")!;
  // 200 s in 5 s steps (bounded): 7000 announces at 15 s, overflows at 30 s; 7001's first is at 530 s.
  for (let i = 0; i < 40; i++) {
    r.clock.advance(5000);
    await settle();
    const ep = call.a.endpoint?.id;
    if (ep !== undefined) r.media.emit({ type: "play-done", id: ep });
    await settle();
  }
  assert.equal(r.manager.queues.engine.calls.get(call.id)?.queue, "7001", "overflowed to 7001");
  assert.deepEqual(r.recorder.events.filter((e) => e.type === "queue.announcement").map((e) => e.data["queue"]), ["7000"], "no 7000 announcement after the overflow");
});

test("a supervisor who is also an agent is in use while monitoring: not offered queue calls until it ends", async () => {
  const plan = examplePlan();
  plan.queues = { "7000": { ...QUEUE, members: { "1002": 1, "1003": 1 }, wrapUpSeconds: 0, supervisors: ["1003"] } };
  for (const e of Object.values(plan.extensions)) e.followMe = null;
  const ports: Record<string, number> = { "1002": 5080, "1003": 5090, "1004": 6001, "1005": 6002 };
  const r = await rig(Object.fromEntries(Object.entries(ports).map(([e, p]) => [e, [p]])), plan);
  let tx = 0;
  const dial = async (from: string, num: string): Promise<string> => {
    const id = `t${++tx}`;
    r.manager.onRequest(id, invite(from, num, { port: ports[from]! }), SRC(ports[from]!));
    await settle();
    return id;
  };
  await dial("1002", "*60");
  r.clock.advance(5000);
  await settle();
  await dial("1004", "7000");
  await answerLatest(r, "1002", "agent-tag");
  await dial("1003", "*60");
  await dial("1003", "*511002");
  assert.equal(r.manager.supervision.supervising().has("1003"), true, "1003 is monitoring 1002");
  r.clock.advance(3000);
  await settle();
  await dial("1005", "7000");
  r.clock.advance(1000);
  await settle();
  assert.equal(to(r, "1003").length, 0, "the monitoring supervisor is not offered the second caller");
  assert.equal(r.manager.queues.report(r.clock.now()).agents.find((a) => a.agent === "1003")?.inUse, true);
});

test("shutdown drain: ending an agent's call offers no waiting caller; a new queue call gets 503", async () => {
  const plan = examplePlan();
  plan.queues = { "7000": { ...QUEUE, members: { "1001": 1 }, wrapUpSeconds: 0 } };
  plan.extensions["1001"]!.followMe = null;
  const r = await rig({ "1001": [5086], "1004": [6001], "1005": [6002] }, plan);
  r.manager.queues.agentAction("1001", "agent-login");
  r.clock.advance(5000);
  await settle();
  r.manager.onRequest("tx1", invite("1004", "7000", { port: 6001 }), SRC(6001));
  await settle();
  await answerLatest(r, "1001", "agent-tag");
  r.manager.onRequest("tx2", invite("1005", "7000", { port: 6002 }), SRC(6002));
  await settle();
  assert.equal(to(r, "1001").length, 1, "the second caller waits (the agent is busy)");
  r.manager.queues.drain();
  // As start-calls.ts close(): end every call, until none is left (bounded).
  for (let round = 0; round < 10 && r.manager.calls.size > 0; round++) {
    for (const call of [...r.manager.calls.values()]) await r.manager.endCall(call, "system", 41, "Switch shutting down");
    await settle();
  }
  assert.equal(r.manager.calls.size, 0, "no call left");
  assert.equal(to(r, "1001").length, 1, "the waiting caller was not offered to the freed agent");
  r.manager.onRequest("tx3", invite("1004", "7000", { port: 6001 }), SRC(6001));
  await settle();
  assert.ok(r.sip.statuses("tx3").includes(503), `503 while draining (${r.sip.statuses("tx3").join(",")})`);
});

test("overflow back into the same queue through a numbers entry: 480 overflow loop at once, offered counted once", async () => {
  const plan = examplePlan();
  plan.queues = { "7000": { ...QUEUE, members: { "1001": 1 }, overflow: "8800", joinWhenNoAgents: false } };
  plan.numbers = { ...plan.numbers, "8800": { destination: "7000" } };
  for (const e of Object.values(plan.extensions)) e.followMe = null;
  const r = await rig({ "1001": [5086], "1004": [6001] }, plan);
  r.manager.onRequest("tx1", invite("1004", "7000", { port: 6001 }), SRC(6001));
  await settle();
  assert.ok(r.sip.statuses("tx1").includes(480), `480 (${r.sip.statuses("tx1").join(",")})`);
  assert.ok(!r.sip.statuses("tx1").includes(482), "not the routing depth limit");
  assert.equal(r.recorder.events.filter((e) => e.type === "queue.overflow-loop").length, 1);
  assert.equal(r.recorder.events.filter((e) => e.type === "queue.joined").length, 1, "joined once");
  assert.equal(r.manager.queues.report(r.clock.now()).queues[0]?.offered, 1);
  assert.equal(r.manager.calls.size, 0);
});

test("callback greeting ends while a supervisor listens: the greeting's end does not bridge over the monitor", async () => {
  const plan = examplePlan();
  plan.queues = { "7000": { ...QUEUE, members: { "1001": 1 }, callback: CALLBACK, supervisors: ["1003"] } };
  for (const e of Object.values(plan.extensions)) e.followMe = null;
  const r = await rig({ "1001": [5086], "1003": [5090], "1004": [6001] }, plan);
  const first = await callQueue(r, "1004", 6001);
  await pressCallbackDigit(r, first);
  await callbackAnswered(r, first.a.endpoint!.id, "1001", "1004");
  const cb = [...r.manager.calls.values()].find((c) => c.id.startsWith("cb"))!;
  const citizenEp = cb.b!.endpoint!.id;
  // The supervisor starts listening during the greeting.
  r.manager.onRequest("sup1", invite("1003", "*511001", { port: 5090 }), SRC(5090));
  await settle();
  assert.equal(r.manager.supervision.sessionOf(cb)?.action, "listen", "the supervisor listens");
  const bridges = r.media.bridges.length;
  r.media.emit({ type: "play-done", id: citizenEp });
  await settle();
  assert.equal(r.media.bridges.length, bridges, "no bridge over the supervisor's room");
});

test("refresh events: registration and in-use changes, a deferred callback, midnight (none journaled)", async () => {
  const plan = examplePlan();
  plan.queues = { "7000": { ...QUEUE, members: { "1001": 1, "1002": 1 }, callback: CALLBACK } };
  for (const e of Object.values(plan.extensions)) e.followMe = null;
  const r = await rig({ "1001": [5086], "1002": [5080], "1004": [6001] }, plan);
  const refreshes: string[] = [];
  r.manager.queues.onRefresh = (x) => void refreshes.push(x.kind === "agent" ? `agent ${x.agent}` : `queue ${x.queue}`);
  // 1001 in a direct call: in use.
  r.manager.onRequest("d1", invite("1004", "1001", { port: 6001 }), SRC(6001));
  await settle();
  r.clock.advance(2000);
  await settle();
  assert.ok(refreshes.includes("agent 1001"), `in use → agent refresh (${refreshes.join(", ")})`);
  assert.equal(r.manager.queues.report(r.clock.now()).agents[0]?.inUse, true);
  // A callback request whose number is still in a call (the thank-you): deferred → queue refresh.
  // (1002 is free and is offered it; the number 1004 is busy calling 1001.)
  refreshes.length = 0;
  r.manager.queues.agentAction("1002", "agent-login");
  r.manager.queues.restoreCallbacks([{ callId: "old-1", queue: "7000", number: "1004", priority: 0, joinedAt: r.clock.now() - 1000, attempts: 0, notBefore: 0 }]);
  await settle();
  assert.equal(r.recorder.notes.filter((n) => n.type === "queue.callback-deferred").length, 1, "deferred");
  assert.ok(refreshes.includes("queue 7000"), `deferred → queue refresh (${refreshes.join(", ")})`);
  // Midnight: every queue and agent.
  refreshes.length = 0;
  r.clock.advance(25 * 3_600_000);
  await settle();
  assert.ok(refreshes.includes("queue 7000") && refreshes.includes("agent 1001"), `midnight refresh (${refreshes.join(", ")})`);
  assert.equal(r.recorder.events.filter((e) => e.type === "queue.refresh").length, 0);
});
