// QueueService offers (issue 4 review): per-agent ring-all, transfers free the agent,
// overflow cycles, unreachable agents, the registration poll's stop().
import { test } from "node:test";
import assert from "node:assert/strict";
import { getHeader } from "@hotline/sip";
import type { QueueEntry } from "../routing/index.js";
import { examplePlan } from "../routing/example-plan.js";
import { answerSdp, invite, parse, reply, rig, settle, type Rig, type SentRequest } from "../testing/call-rig.js";
import { SRC, callQueue, invites, pressCallbackDigit, promptEnds } from "../testing/queue-calls.js";
const QUEUE = { ringSeconds: 15, wrapUpSeconds: 0, maxWaitSeconds: null, overflow: null, maxLength: null } as const;

async function queueRig(queues: Record<string, QueueEntry>): Promise<Rig> {
  const plan = examplePlan();
  plan.queues = queues;
  plan.extensions["1001"]!.followMe = null;
  const r = await rig({ "1001": [5086], "1002": [5080] }, plan);
  r.manager.queues.agentAction("1001", "agent-login");
  r.manager.queues.agentAction("1002", "agent-login");
  await settle();
  return r;
}

const ringAll = (): Promise<Rig> => queueRig({ "7000": { ...QUEUE, name: "q", strategy: "ring-all", members: { "1001": 1, "1002": 1 } } });

/** Each agent's "status[/reason]:state". */
function states(r: Rig): string {
  return ["1001", "1002"]
    .filter((a) => r.manager.queues.engine.agents.has(a))
    .map((a) => {
      const x = r.manager.queues.engine.agents.get(a)!;
      return `${a}:${x.status.kind}${x.status.kind === "on-break" ? "/" + x.status.reason : ""}:${x.state}`;
    })
    .join(" ");
}

/** A caller joins 7000; returns the offers sent, each answered 180. */
async function callAndRing(r: Rig): Promise<SentRequest[]> {
  const before = invites(r).length;
  r.manager.onRequest("tx1", invite("1004", "7000", { port: 6001 }), SRC(6001));
  await settle();
  const offers = invites(r).slice(before);
  for (const o of offers) o.handler.onResponse(reply(o.request, 180));
  await settle();
  return offers;
}

const offerTo = (offers: SentRequest[], ext: string): SentRequest => offers.find((o) => o.request.uri.includes(ext))!;

test("ring-all: an agent going on break stops only its own phone; the other rings on and can answer", async () => {
  const r = await ringAll();
  const offers = await callAndRing(r);
  assert.equal(offers.length, 2);
  assert.equal(states(r), "1001:available:ringing 1002:available:ringing");
  r.manager.queues.agentAction("1001", "agent-break");
  await settle();
  assert.deepEqual(r.sip.requests.filter((x) => x.request.method === "CANCEL").map((x) => x.request.uri), ["sip:1001@127.0.0.1:5086"]);
  assert.equal(states(r), "1001:on-break/break:idle 1002:available:ringing");
  const o2 = offerTo(offers, "1002");
  o2.handler.onResponse(reply(o2.request, 200, { sdp: answerSdp(42000) }));
  await settle();
  assert.equal(states(r), "1001:on-break/break:idle 1002:available:in-call");
  const call = [...r.manager.calls.values()].find((c) => c.dialed === "7000")!;
  assert.equal(call.state, "connected");
  assert.equal(call.b?.party, "1002");
});

test("ring-all: one agent's 603 puts only that agent on break 'rejected'; the other rings on", async () => {
  const r = await ringAll();
  const offers = await callAndRing(r);
  const o2 = offerTo(offers, "1002");
  o2.handler.onResponse(reply(o2.request, 603));
  await settle();
  assert.equal(states(r), "1001:available:ringing 1002:on-break/rejected:idle");
  assert.deepEqual(r.sip.requests.filter((x) => x.request.method === "CANCEL").map((x) => x.request.uri), [], "1001's phone is not cancelled");
});

test("ring-all: one agent's 486 is reported at once as that agent's busy; the other's no-answer is its own", async () => {
  const r = await ringAll();
  const offers = await callAndRing(r);
  const o2 = offerTo(offers, "1002");
  o2.handler.onResponse(reply(o2.request, 486));
  await settle();
  assert.equal(states(r), "1001:available:ringing 1002:on-break/busy:idle");
  r.clock.advance(15_000);
  await settle();
  assert.equal(states(r), "1001:on-break/no-answer:idle 1002:on-break/busy:idle");
});

test("an agent who blind-transfers a queue call into another queue is free at once; the new agent's call ends normally", async () => {
  const r = await queueRig({
    "7000": { ...QUEUE, name: "q", strategy: "linear", members: { "1001": 1 } },
    "7001": { ...QUEUE, name: "q2", strategy: "linear", members: { "1002": 1 } },
  });
  r.manager.onRequest("tx1", invite("1004", "7000", { port: 6001 }), SRC(6001));
  await settle();
  const out = r.sip.lastRequest("INVITE");
  out.handler.onResponse(reply(out.request, 200, { sdp: answerSdp(41000), toTag: "b1" }));
  await settle();
  assert.equal(states(r), "1001:available:in-call 1002:available:idle");
  const refer = parse(
    [
      "REFER sip:hotline@127.0.0.1:5060 SIP/2.0",
      "Via: SIP/2.0/UDP 127.0.0.1:5086;branch=z9hG4bKrefer1",
      `From: ${getHeader(out.request, "to")};tag=b1`,
      `To: ${getHeader(out.request, "from")}`,
      `Call-ID: ${getHeader(out.request, "call-id")}`,
      "CSeq: 1 REFER",
      "Contact: <sip:1001@127.0.0.1:5086>",
      "Refer-To: <sip:7001@hotline.test>",
      "Content-Length: 0",
      "",
      "",
    ].join("\r\n"),
  );
  r.manager.onRequest("tx5", refer, SRC(5086));
  await settle();
  assert.deepEqual(r.sip.statuses("tx5"), [202]);
  assert.equal(states(r), "1001:available:idle 1002:available:offered", "1001 is free (wrap-up 0) once it transferred");
  const call = [...r.manager.calls.values()][0]!;
  const ended = r.recorder.events.filter((e) => e.type === "queue.ended" && e.callId === call.id);
  assert.deepEqual(ended.map((e) => [e.data["agent"], e.data["why"]]), [["1001", "transferred"]], "1001's handle time ends at the transfer");
  const o2 = r.sip.lastRequest("INVITE");
  assert.equal(o2.request.uri, "sip:1002@127.0.0.1:5080");
  o2.handler.onResponse(reply(o2.request, 200, { sdp: answerSdp(42000), toTag: "c1" }));
  await settle();
  assert.equal(states(r), "1001:available:idle 1002:available:in-call");
  await r.manager.endCall(call, "caller", 16, "bye");
  await settle();
  assert.equal(states(r), "1001:available:idle 1002:available:idle");
});

test("overflow cycle: queues overflowing to each other (joinWhenNoAgents false) end the caller with 480, journaled", async () => {
  const plan = examplePlan();
  plan.queues = {
    "7000": { ...QUEUE, name: "a", strategy: "linear", members: { "1001": 1 }, overflow: "7001", joinWhenNoAgents: false },
    "7001": { ...QUEUE, name: "b", strategy: "linear", members: { "1002": 1 }, overflow: "7000", joinWhenNoAgents: false },
  };
  const r = await rig({ "1001": [5086], "1002": [5080] }, plan);
  r.manager.onRequest("tx1", invite("1004", "7000", { port: 6001 }), SRC(6001));
  for (let i = 0; i < 5; i++) await settle();
  assert.deepEqual(r.sip.statuses("tx1"), [100, 480]);
  assert.equal(r.manager.calls.size, 0);
  const loop = r.recorder.events.find((e) => e.type === "queue.overflow-loop");
  assert.deepEqual(loop?.data, { queue: "7001", to: "7000", path: ["7000", "7001"] });
});

test("overflow cycle with maxWaitSeconds: the caller bounces once, then gets 480 instead of bouncing forever", async () => {
  const plan = examplePlan();
  plan.queues = {
    "7000": { ...QUEUE, name: "a", strategy: "linear", members: { "1001": 1 }, maxWaitSeconds: 10, overflow: "7001" },
    "7001": { ...QUEUE, name: "b", strategy: "linear", members: { "1002": 1 }, maxWaitSeconds: 10, overflow: "7000" },
  };
  const r = await rig({ "1001": [5086], "1002": [5080] }, plan);
  r.manager.onRequest("tx1", invite("1004", "7000", { port: 6001 }), SRC(6001));
  await settle();
  for (let i = 0; i < 10; i++) {
    r.clock.advance(5_000);
    await settle();
  }
  assert.equal(r.manager.calls.size, 0, "the call ended");
  assert.equal(r.recorder.events.filter((e) => e.type === "queue.overflow").length, 2);
  assert.equal(r.recorder.endedCalls[0]?.failureStatus, 480);
});

test("an agent whose registration lapsed since the last poll is 'unreachable' (no break); the next agent gets the call", async () => {
  const r = await queueRig({ "7000": { ...QUEUE, name: "q", strategy: "linear", members: { "1001": 1, "1002": 1 } } });
  const lookup = r.registrar.lookup.bind(r.registrar);
  r.registrar.lookup = (aor, now) => (aor.startsWith("sip:1001@") ? [] : lookup(aor, now));
  const before = invites(r).length;
  r.manager.onRequest("tx1", invite("1004", "7000", { port: 6001 }), SRC(6001));
  for (let i = 0; i < 3; i++) await settle();
  assert.deepEqual(invites(r).slice(before).map((o) => o.request.uri), ["sip:1002@127.0.0.1:5080"]);
  assert.equal(states(r), "1001:available:idle 1002:available:offered", "1001 not on break 'no-answer'");
  assert.equal(r.manager.queues.engine.agents.get("1001")?.registered, false);
});

test("no leg could be started (no media port): 'unreachable', not a miss; the agent is offered again after the next poll", async () => {
  const r = await queueRig({ "7000": { ...QUEUE, name: "q", strategy: "linear", members: { "1001": 1 } } });
  r.manager.onRequest("tx1", invite("1004", "7000", { port: 6001 }), SRC(6001));
  await settle();
  const first = r.sip.lastRequest("INVITE");
  first.handler.onResponse(reply(first.request, 180));
  // The offer to 1001 fails; while the media server has no ports, the re-offer cannot start a leg.
  const allocate = r.media.allocate.bind(r.media);
  r.media.allocate = () => Promise.reject(new Error("no ports"));
  first.handler.onResponse(reply(first.request, 480));
  for (let i = 0; i < 3; i++) await settle();
  assert.equal(states(r), "1001:on-break/no-answer:idle");
  r.manager.queues.agentAction("1001", "agent-available");
  for (let i = 0; i < 3; i++) await settle();
  assert.equal(states(r), "1001:available:idle", "unreachable: no break");
  r.media.allocate = allocate;
  const before = invites(r).length;
  r.clock.advance(2_000);
  for (let i = 0; i < 3; i++) await settle();
  assert.deepEqual(invites(r).slice(before).map((o) => o.request.uri), ["sip:1001@127.0.0.1:5086"], "offered again once the poll saw it registered");
});

test("stop() ends the registration poll", async () => {
  const r = await queueRig({ "7000": { ...QUEUE, name: "q", strategy: "linear", members: { "1001": 1 } } });
  let lookups = 0;
  const lookup = r.registrar.lookup.bind(r.registrar);
  r.registrar.lookup = (aor, now) => (lookups++, lookup(aor, now));
  r.clock.advance(4_000);
  assert.ok(lookups > 0, "polling");
  r.manager.queues.stop();
  lookups = 0;
  r.clock.advance(10_000);
  assert.equal(lookups, 0);
});

async function callbackRig(): Promise<Rig> {
  const plan = examplePlan();
  plan.queues = {
    "7000": {
      ...QUEUE, name: "hotline", strategy: "linear", members: { "1001": 1 },
      callback: { enabled: true, digit: "1", maxAttempts: 3, retrySeconds: 120, ringSeconds: 30 },
    },
  };
  plan.extensions["1001"]!.followMe = null;
  return rig({ "1001": [5086], "1004": [6001] }, plan);
}

test("callback digit: refused (journaled, still waiting) for a caller whose number cannot be dialled", async () => {
  const r = await callbackRig();
  const call = await callQueue(r, "anonymous", 6001);
  await pressCallbackDigit(r, call);
  assert.deepEqual(r.recorder.events.filter((e) => e.type === "queue.callback-refused").map((e) => e.data["number"]), ["anonymous"]);
  assert.equal(call.isEnded(), false);
  assert.equal(r.manager.queues.report(r.clock.now()).queues[0]?.waitingCalls[0]?.callback, false);
});

test("callback: not dialled while the number is still in a call (no attempt counted); a new call from it merges the entry", async () => {
  const r = await callbackRig();
  const call = await callQueue(r, "1004", 6001);
  const joinedAt = r.clock.now();
  r.clock.advance(5_000);
  await pressCallbackDigit(r, call);
  // 1001 becomes available while 1004 still hears "thank you": no offer, deferred.
  const before = invites(r).length;
  r.manager.queues.agentAction("1001", "agent-login");
  await settle();
  assert.equal(invites(r).length, before, "nobody rung while the citizen's line is in use");
  assert.equal(r.recorder.notes.filter((n) => n.type === "queue.callback-deferred").length, 1);
  await promptEnds(r, call.a.endpoint!.id);
  assert.equal(call.isEnded(), true);
  // 1004 calls again before the retry: one entry, in the earlier place.
  r.manager.queues.agentAction("1001", "agent-break");
  r.clock.advance(10_000);
  r.manager.onRequest("tx2", invite("1004", "7000", { port: 6001, callId: "again" }), SRC(6001));
  await settle();
  const again = [...r.manager.calls.values()].find((c) => c.dialed === "7000" && !c.isEnded())!;
  assert.ok(r.recorder.events.some((e) => e.type === "queue.callback-merged" && e.callId === again.id));
  const waiting = r.manager.queues.report(r.clock.now()).queues[0]?.waitingCalls ?? [];
  assert.deepEqual(waiting.map((w) => [w.callId, w.callback]), [[again.id, false]]);
  assert.equal(r.manager.queues.engine.calls.get(again.id)?.joinedAt, joinedAt, "the better (earlier) place");
});
