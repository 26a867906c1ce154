// Callback details (issue 4) and the regressions queue-service.property.test.ts found.
import { test } from "node:test";
import assert from "node:assert/strict";
import { getHeader, type SipRequest } from "@hotline/sip";
import { examplePlan } from "../routing/example-plan.js";
import { answerSdp, invite, parse, reply, rig, settle, type Rig, type SentRequest } from "../testing/call-rig.js";
import { ANNOUNCE, CALLBACK, QUEUE, SRC, answerLatest, callQueue, callbackAnswered, invitesTo as to, pressCallbackDigit, promptEnds } from "../testing/queue-calls.js";

async function callbackRig(strategy = "linear", members: Record<string, number> = { "1001": 1 }): Promise<Rig> {
  const plan = examplePlan();
  plan.queues = { "7000": { ...QUEUE, strategy, members, callback: CALLBACK } };
  plan.extensions["1001"]!.followMe = null;
  return rig({ "1001": [5086], "1002": [5080], "1004": [6001] }, plan);
}

/** 1004 calls the queue, presses 1 and hears "thank you" (its line not yet released). */
async function requestCallback(r: Rig): Promise<{ endpoint: string; callId: string }> {
  const call = await callQueue(r, "1004", 6001);
  await pressCallbackDigit(r, call);
  return { endpoint: call.a.endpoint!.id, callId: call.id };
}

/** Ring-all 1001 + 1002, both logged in while 1004 hears "thank you": the entry is offered to both once it hangs up. */
async function ringAllCallbackOffered(): Promise<Rig> {
  const r = await callbackRig("ring-all", { "1001": 1, "1002": 1 });
  const { endpoint } = await requestCallback(r);
  r.manager.queues.agentAction("1001", "agent-login");
  r.manager.queues.agentAction("1002", "agent-login");
  await settle();
  await promptEnds(r, endpoint);
  return r;
}

function byeFrom(o: SentRequest, toTag: string, cseq: number): SipRequest {
  return parse(
    [
      "BYE sip:hotline@127.0.0.1:5060 SIP/2.0",
      `Via: SIP/2.0/UDP 127.0.0.1:${o.destination.port};branch=z9hG4bKbye${cseq}`,
      `From: ${getHeader(o.request, "to")};tag=${toTag}`,
      `To: ${getHeader(o.request, "from")}`,
      `Call-ID: ${getHeader(o.request, "call-id")}`,
      `CSeq: ${cseq} BYE`,
      "Content-Length: 0",
      "",
      "",
    ].join("\r\n"),
  );
}

test("callback: the first attempt waits for the thank-you and the hang-up, then follows at once (not after retrySeconds)", async () => {
  const r = await callbackRig();
  const { endpoint, callId } = await requestCallback(r);
  // The agent becomes available while the caller still hears "thank you".
  r.manager.queues.agentAction("1001", "agent-login");
  await settle();
  assert.equal(to(r, "1001").length, 0, "nobody rung while the caller still hears thank-you");
  const thanks = r.media.plays.filter((p) => p.id === endpoint).at(-1)?.source;
  assert.ok(thanks?.kind === "files" && thanks.paths.at(-1)!.endsWith("callback-thanks.wav"));
  // Time passes within the prompt (registration polls, engine ticks): still nobody rung, one journal line.
  r.clock.advance(3_000);
  await settle();
  assert.equal(to(r, "1001").length, 0);
  await promptEnds(r, endpoint);
  assert.equal(r.manager.calls.get(callId), undefined, "the caller's leg is released first");
  assert.equal(to(r, "1001").length, 1, "then the agent is rung, without waiting retrySeconds");
  assert.match(getHeader(to(r, "1001")[0]!.request, "x-hotline-queue") ?? "", /callback=1$/);
  assert.equal(r.recorder.notes.filter((n) => n.type === "queue.callback-deferred").length, 1, "deferred once, journaled once");
});

test("callback: the citizen hangs up during the greeting: callback done, the agent goes to wrap-up, nothing left", async () => {
  const r = await callbackRig();
  const stored: (string | null)[] = [];
  r.manager.queues.onCallback = (id, rec) => void stored.push(rec === null ? null : id);
  const { endpoint } = await requestCallback(r);
  const citizen = await callbackAnswered(r, endpoint, "1001", "1004");
  const cb = [...r.manager.calls.values()].find((c) => c.id.startsWith("cb"))!;
  const greeting = r.media.plays.filter((p) => p.id === cb.b!.endpoint!.id).at(-1)?.source;
  assert.ok(greeting?.kind === "files" && greeting.paths[0]!.endsWith("callback-greeting.wav"), "the greeting is playing");
  // The citizen hangs up before the greeting ends.
  r.manager.onRequest("bye1", byeFrom(citizen, "citizen", 10), SRC(6001));
  await settle();
  assert.equal(r.manager.calls.size, 0, "the callback call is over");
  assert.equal(r.manager.queues.engine.agents.get("1001")?.state, "wrap-up", "the agent is freed to wrap-up");
  assert.equal(r.manager.queues.engine.calls.size, 0, "no entry left in the engine");
  assert.equal(stored.at(-1), null, "the stored callback is deleted");
  const journal = r.recorder.events.filter((e) => e.type.startsWith("queue.callback")).map((e) => e.type);
  assert.ok(journal.includes("queue.callback-done"), "answered by the citizen: done");
  assert.ok(!journal.includes("queue.callback-failed"), "not a failed attempt");
  // A late play-done for the released endpoint does nothing (the greeting was forgotten).
  const bridges = r.media.bridges.length;
  r.media.emit({ type: "play-done", id: cb.b!.endpoint!.id });
  assert.equal(r.media.bridges.length, bridges, "no bridge to a released endpoint");
  r.clock.advance(10_000);
  await settle();
  assert.equal(r.manager.queues.engine.agents.get("1001")?.state, "idle");
  const released = new Set(r.media.released);
  assert.deepEqual(r.media.allocated.filter((id) => !released.has(id)), [], "every endpoint released");
});

test("overflow during a position announcement: the announcement is forgotten, the next queue announces", async () => {
  const plan = examplePlan();
  plan.queues = {
    "7000": { ...QUEUE, members: { "1001": 1 }, maxWaitSeconds: 7, overflow: "7001", announce: ANNOUNCE },
    "7001": { ...QUEUE, members: { "1002": 1 }, announce: ANNOUNCE },
  };
  const r = await rig({ "1001": [5086], "1002": [5080] }, plan);
  const call = await callQueue(r, "1004", 6001);
  const ep = call.a.endpoint!.id;
  r.clock.advance(5_000);
  await settle();
  assert.deepEqual(r.recorder.events.filter((e) => e.type === "queue.announcement").map((e) => e.data["queue"]), ["7000"]);
  assert.equal(r.media.plays.filter((p) => p.id === ep).at(-1)?.source?.kind, "files", "7000's announcement is playing");
  // maxWaitSeconds runs out mid-announcement (no play-done ever comes for it).
  r.clock.advance(2_000);
  await settle();
  assert.ok(r.recorder.events.some((e) => e.type === "queue.overflowed" || e.type === "queue.overflow"), "overflowed");
  assert.equal(r.manager.queues.engine.calls.get(call.id)?.queue, "7001");
  r.clock.advance(5_000);
  await settle();
  assert.deepEqual(r.recorder.events.filter((e) => e.type === "queue.announcement").map((e) => e.data["queue"]), ["7000", "7001"], "7001 announces");
  // 7001's prompt ends: music on hold again.
  r.media.emit({ type: "play-done", id: ep });
  assert.deepEqual(r.media.plays.filter((p) => p.id === ep).at(-1)?.source, { kind: "moh" });
});

test("callback call ended while its agent rings: the offer is withdrawn (no miss charged), the entry keeps its place", async () => {
  const r = await callbackRig();
  const { endpoint, callId } = await requestCallback(r);
  const joinedAt = r.manager.queues.engine.calls.get(callId)?.joinedAt;
  await promptEnds(r, endpoint);
  r.manager.queues.agentAction("1001", "agent-login");
  await settle();
  const cb = [...r.manager.calls.values()].find((c) => c.id.startsWith("cb"))!;
  assert.equal(r.manager.queues.engine.agents.get("1001")?.state, "offered");
  // Hung up from the console while 1001 is being rung.
  await r.manager.endCall(cb, "system", 16, "hung up by operator");
  await settle();
  const a = r.manager.queues.engine.agents.get("1001")!;
  assert.equal(a.misses["no-answer"] + a.misses.busy + a.misses.rejected, 0, "no miss charged");
  assert.deepEqual(a.status, { kind: "available" }, "not put on break");
  // The entry re-joined at once: 1001 (still available) is offered it again by a new callback call.
  const again = [...r.manager.calls.values()].filter((c) => c.id.startsWith("cb") && !c.isEnded());
  assert.equal(a.state, "offered");
  assert.equal(again.length, 1);
  assert.notEqual(again[0], cb);
  assert.equal(to(r, "1001").length, 2, "rung again by the new call");
  assert.equal(r.manager.queues.engine.calls.get(callId)?.joinedAt, joinedAt, "the entry keeps its place (its join time)");
});

test("ring-all callback: one agent's 603 is its own (the others ring on; the engine hears it at once)", async () => {
  const r = await ringAllCallbackOffered();
  const cbCalls = [...r.manager.calls.values()].filter((c) => c.id.startsWith("cb"));
  assert.equal(cbCalls.length, 1);
  const offered = [...r.manager.queues.engine.agents.values()].filter((a) => a.state === "offered").map((a) => a.cfg.id);
  const toA = to(r, offered[0]!).at(-1)!;
  if (offered.length === 2) {
    toA.handler.onResponse(reply(toA.request, 603));
    await settle();
    const other = offered[1]!;
    assert.equal(r.manager.queues.engine.agents.get(offered[0]!)?.state, "idle", "the engine hears the 603 at once");
    assert.equal(r.manager.queues.engine.agents.get(other)?.state, "offered", "the other agent is still offered");
    assert.equal(r.sip.requests.filter((x) => x.request.method === "CANCEL" && x.request.uri.startsWith(`sip:${other}@`)).length, 0, "and its phone still rings");
    await answerLatest(r, other, "b");
    assert.equal(r.manager.queues.engine.agents.get(other)?.state, "in-call");
    assert.equal(to(r, "1004").length, 1, "the citizen is dialled");
  } else assert.fail(`expected a ring-all offer to both agents, got ${offered.join(", ")}`);
});

test("blind transfer: a second REFER from the transferor (already transferred away) is refused 403, no second transfer", async () => {
  const plan = examplePlan();
  plan.queues = { "7000": { ...QUEUE, members: { "1001": 1 } } };
  plan.extensions["1001"]!.followMe = null;
  const r = await rig({ "1001": [5086], "1004": [6001], "1005": [6003] }, plan);
  r.manager.queues.agentAction("1001", "agent-login");
  r.manager.onRequest("tx1", invite("1003", "7000", { port: 6005 }), SRC(6005));
  await settle();
  const offer = await answerLatest(r, "1001", "ag");
  const refer = (cseq: number, target: string): SipRequest =>
    parse(
      [
        "REFER sip:hotline@127.0.0.1:5060 SIP/2.0",
        `Via: SIP/2.0/UDP 127.0.0.1:5086;branch=z9hG4bKrefer${cseq}`,
        `From: ${getHeader(offer.request, "to")};tag=ag`,
        `To: ${getHeader(offer.request, "from")}`,
        `Call-ID: ${getHeader(offer.request, "call-id")}`,
        `CSeq: ${cseq} REFER`,
        "Contact: <sip:1001@127.0.0.1:5086>",
        `Refer-To: <sip:${target}@hotline.test>`,
        "Content-Length: 0",
        "",
        "",
      ].join("\r\n"),
    );
  r.manager.onRequest("ref1", refer(20, "1004"), SRC(5086));
  await settle();
  assert.deepEqual(r.sip.statuses("ref1"), [202]);
  r.manager.onRequest("ref2", refer(21, "1005"), SRC(5086));
  await settle();
  assert.deepEqual(r.sip.statuses("ref2"), [403], "the transferor is no party to the call any more");
  assert.equal(to(r, "1005").length, 0, "1005 is never rung");
  assert.equal(to(r, "1004").length, 1);
  assert.equal(r.manager.queues.engine.agents.get("1001")?.state, "wrap-up", "1001 is freed by the first transfer");
});

test("ring-all callback: the first agent to answer gets it; the others stop ringing and the citizen is dialled", async () => {
  const r = await ringAllCallbackOffered();
  const toA = to(r, "1001").at(-1)!;
  const toB = to(r, "1002").at(-1)!;
  toB.handler.onResponse(reply(toB.request, 180, { toTag: "b" }));
  toA.handler.onResponse(reply(toA.request, 200, { toTag: "a", sdp: answerSdp(42000) }));
  await settle();
  const cb = [...r.manager.calls.values()].find((c) => c.id.startsWith("cb"));
  assert.ok(cb !== undefined && !cb.isEnded(), "the callback call goes on with 1001");
  assert.equal(r.manager.queues.engine.agents.get("1001")?.state, "in-call");
  assert.equal(r.manager.queues.engine.agents.get("1002")?.state, "idle");
  assert.equal(r.sip.requests.filter((x) => x.request.method === "CANCEL" && x.request.uri.startsWith("sip:1002@")).length, 1, "1002 stops ringing");
  assert.equal(to(r, "1004").length, 1, "the citizen is dialled");
});

test("callback offer to an agent whose phone has no registered contact: 'unreachable' (no break, not an attempt); offered again after the next poll", async () => {
  const r = await callbackRig();
  const { endpoint } = await requestCallback(r);
  r.manager.queues.agentAction("1001", "agent-login");
  await settle();
  // The registration lapses after the last poll: the offer finds no contact, so no leg starts.
  const contactTargets = r.manager.contactTargets.bind(r.manager);
  r.manager.contactTargets = (call, ext) => (ext === "1001" ? [] : contactTargets(call, ext));
  r.media.emit({ type: "play-done", id: endpoint });
  for (let i = 0; i < 3; i++) await settle();
  assert.equal(to(r, "1001").length, 0, "no contact, nobody rung");
  const agent = r.manager.queues.engine.agents.get("1001");
  assert.equal(agent?.status.kind, "available", "unreachable is the phone's failure, not the agent's: no break");
  assert.equal(agent?.misses.unreachable, 1);
  assert.equal(agent?.misses["no-answer"], 0);
  assert.equal(agent?.registered, false, "counted unregistered until the next poll (no re-offer loop)");
  assert.equal(r.recorder.events.filter((e) => e.type === "queue.callback-failed").length, 0, "not an attempt");
  assert.equal(r.manager.queues.report(r.clock.now()).queues[0]?.waitingCalls[0]?.callback, true, "the entry keeps its place");
  r.manager.contactTargets = contactTargets;
  r.clock.advance(2_000);
  for (let i = 0; i < 3; i++) await settle();
  assert.equal(to(r, "1001").length, 1, "offered again once the poll saw the phone registered");
  assert.match(getHeader(to(r, "1001")[0]!.request, "x-hotline-queue") ?? "", /callback=1$/);
});
