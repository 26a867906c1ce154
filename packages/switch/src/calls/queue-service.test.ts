import { test } from "node:test";
import assert from "node:assert/strict";
import { getHeader } from "@hotline/sip";
import { examplePlan } from "../routing/example-plan.js";
import { answerSdp, invite, parse, reply, rig, settle } from "../testing/call-rig.js";
import { SRC, callQueue, pressCallbackDigit, promptEnds } from "../testing/queue-calls.js";

async function queueRig() {
  const plan = examplePlan();
  plan.queues = {
    "7000": { name: "hotline", strategy: "linear", members: { "1001": 1, "1002": 1 }, ringSeconds: 15, wrapUpSeconds: 5, maxWaitSeconds: null, overflow: null, maxLength: 2 },
  };
  plan.extensions["1001"]!.followMe = null;
  return rig({ "1001": [5086], "1002": [5080] }, plan);
}

async function login(r: Awaited<ReturnType<typeof queueRig>>, ext: string, port: number, tx: string): Promise<void> {
  r.manager.onRequest(tx, invite(ext, "*60", { port }), SRC(port));
  await settle();
  assert.deepEqual(r.sip.statuses(tx), [100, 200], `${ext} login confirmed`);
}

test("queue: caller answered with music; linear offers 1001 first; no answer in 15 s → CANCEL, 1001 on break, 1002 gets it; bridge", async () => {
  const r = await queueRig();
  await login(r, "1001", 5086, "l1");
  await login(r, "1002", 5080, "l2");
  const invitesBefore = r.sip.requests.filter((x) => x.request.method === "INVITE").length;
  r.manager.onRequest("tx1", invite("1004", "7000", { port: 6001 }), SRC(6001));
  await settle();
  assert.deepEqual(r.sip.statuses("tx1"), [100, 200], "the caller is answered while it waits");
  const call = [...r.manager.calls.values()].find((c) => c.dialed === "7000")!;
  assert.deepEqual(r.media.plays.filter((p) => p.id === call.a.endpoint!.id).at(-1)?.source, { kind: "moh" });
  const offers = r.sip.requests.filter((x) => x.request.method === "INVITE").slice(invitesBefore);
  assert.equal(offers.length, 1);
  assert.equal(offers[0]!.request.uri, "sip:1001@127.0.0.1:5086", "linear: 1001 first");
  assert.equal(getHeader(offers[0]!.request, "x-hotline-queue"), "7000;waited=0", "screen pop: queue and wait");
  offers[0]!.handler.onResponse(reply(offers[0]!.request, 180));
  r.clock.advance(15_000);
  await settle();
  assert.equal(r.sip.lastRequest("CANCEL").request.uri, "sip:1001@127.0.0.1:5086");
  const second = r.sip.lastRequest("INVITE");
  assert.equal(second.request.uri, "sip:1002@127.0.0.1:5080", "then 1002");
  assert.deepEqual(r.manager.queues.engine.agents.get("1001")?.status, { kind: "on-break", reason: "no-answer" });
  second.handler.onResponse(reply(second.request, 200, { sdp: answerSdp(42000) }));
  await settle();
  assert.equal(call.state, "connected");
  assert.equal(call.b?.party, "1002");
  assert.deepEqual(r.media.plays.filter((p) => p.id === call.a.endpoint!.id).at(-1)?.source, null, "music stops");
  // 1002 hangs up: the call ends, 1002 goes into wrap-up.
  const bye = parse([
    "BYE sip:hotline@127.0.0.1:5060 SIP/2.0",
    "Via: SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bKqbye",
    `From: ${getHeader(second.request, "to")};tag=callee-tag`,
    `To: ${getHeader(second.request, "from")}`,
    `Call-ID: ${getHeader(second.request, "call-id")}`,
    "CSeq: 5 BYE",
    "Content-Length: 0",
    "",
    "",
  ].join("\r\n"));
  r.manager.onRequest("tx9", bye, SRC(5080));
  await settle();
  assert.equal(r.manager.calls.size, 0);
  assert.equal(r.manager.queues.engine.agents.get("1002")?.state, "wrap-up");
  // Live figures: answered after 15 s (within the 20 s service level), handled 0 s.
  const report = r.manager.queues.report(r.clock.now()) as { queues: { queue: string; answered: number; serviceLevelPercent: number | null; averageSpeedOfAnswerSeconds: number | null; averageHandleSeconds: number | null }[] };
  assert.deepEqual(report.queues.map((q) => [q.queue, q.answered, q.serviceLevelPercent, q.averageSpeedOfAnswerSeconds, q.averageHandleSeconds]), [["7000", 1, 100, 15, 0]]);
  // Agent-state intervals are journaled (no call id): 1001's break after its miss is among them.
  assert.ok(r.recorder.notes.some((n) => n.type === "agent.state" && n.data["agent"] === "1001" && (n.data["status"] as { kind: string }).kind === "on-break"));
});

test("queue: an unregistered agent is never offered; a full queue answers 486; the caller hanging up leaves the queue", async () => {
  const r = await queueRig();
  await login(r, "1001", 5086, "l1");
  // 1002 logs in but its phone is not registered any more.
  await login(r, "1002", 5080, "l2");
  await r.registrar.expire(Number.MAX_SAFE_INTEGER);
  r.clock.advance(2000); // registration poll
  await settle();
  r.manager.onRequest("tx1", invite("1004", "7000", { port: 6001 }), SRC(6001));
  r.manager.onRequest("tx2", invite("1005", "7000", { port: 6003 }), SRC(6003));
  r.manager.onRequest("tx3", invite("1003", "7000", { port: 6005 }), SRC(6005));
  await settle();
  const offered = r.sip.requests.filter((x) => x.request.method === "INVITE" && /@127\.0\.0\.1:50(80|86)$/.test(x.request.uri));
  assert.equal(offered.length, 0, "nobody registered: no offer");
  assert.deepEqual(r.sip.statuses("tx3"), [100, 486], "maxLength 2: the third caller is refused busy");
  const waiting = [...r.manager.calls.values()].filter((c) => c.state === "queued");
  assert.equal(waiting.length, 2);
  await r.manager.endCall(waiting[0]!, "caller", 16, "hung up");
  assert.deepEqual(r.manager.queues.engine.waitingCalls("7000"), [waiting[1]!.id]);
  void answerSdp;
});

test("queue callback: announcement playlist, digit 1 keeps the place; agent rung first (callback=1), then the caller dialled, greeted and bridged", async () => {
  const plan = examplePlan();
  plan.queues = {
    "7000": {
      name: "hotline", strategy: "linear", members: { "1001": 1 }, ringSeconds: 15, wrapUpSeconds: 0, maxWaitSeconds: null, overflow: null, maxLength: null,
      announce: { language: "zh+en", positionEverySeconds: 60, firstAfterSeconds: 15, periodicFile: null, periodicEverySeconds: null },
      callback: { enabled: true, digit: "1", maxAttempts: 3, retrySeconds: 120, ringSeconds: 30 },
    },
  };
  plan.extensions["1001"]!.followMe = null;
  const r = await rig({ "1001": [5086], "1004": [6001] }, plan);
  const stored: (string | null)[] = [];
  r.manager.queues.onCallback = (id, rec) => void stored.push(rec === null ? null : `${id}:${rec.number}:${rec.joinedAt}`);
  const call = await callQueue(r, "1004", 6001);
  const ep = call.a.endpoint!.id;
  const joinedAt = r.clock.now();
  r.clock.advance(15_000);
  await settle();
  const played = r.media.plays.filter((p) => p.id === ep).at(-1)?.source;
  assert.equal(played?.kind, "files");
  const names = played?.kind === "files" ? played.paths.map((p) => p.split("/").slice(-2).join("/").replace(".wav", "")) : [];
  assert.deepEqual(names.slice(0, 3), ["zh/caller-number", "zh/1", "zh/in-queue"], "position 1 in Mandarin first");
  assert.equal(names.at(-1), "en/press-1-callback");
  assert.equal(r.manager.queues.report(r.clock.now()).queues[0]?.waitingCalls[0]?.position, 1);
  r.media.emit({ type: "play-done", id: ep });
  assert.deepEqual(r.media.plays.filter((p) => p.id === ep).at(-1)?.source, { kind: "moh" }, "back to music on hold");
  // The caller presses 1: thanked, then its line is released; the entry stays with its join time.
  await pressCallbackDigit(r, call);
  assert.deepEqual(stored, [`${call.id}:1004:${joinedAt}`]);
  const thanks = r.media.plays.filter((p) => p.id === ep).at(-1)?.source;
  assert.ok(thanks?.kind === "files" && thanks.paths.at(-1)!.endsWith("en/callback-thanks.wav"));
  await promptEnds(r, ep);
  assert.equal(call.isEnded(), true, "the caller's leg is hung up");
  assert.equal(r.manager.queues.engine.position(call.id), 1, "the callback keeps its place");
  // The agent logs in: rung first, with the citizen's number in From and callback=1.
  await login(r, "1001", 5086, "l1");
  r.clock.advance(2000); // the *60 call is over: the next registration poll frees the agent
  await settle();
  const toAgent = r.sip.lastRequest("INVITE");
  assert.equal(toAgent.request.uri, "sip:1001@127.0.0.1:5086");
  assert.match(getHeader(toAgent.request, "x-hotline-queue") ?? "", /^7000;waited=\d+;callback=1$/);
  assert.match(getHeader(toAgent.request, "from") ?? "", /sip:1004@/);
  toAgent.handler.onResponse(reply(toAgent.request, 200, { sdp: answerSdp(42000) }));
  await settle();
  assert.equal(r.manager.queues.engine.agents.get("1001")?.state, "in-call");
  const toCaller = r.sip.lastRequest("INVITE");
  assert.equal(toCaller.request.uri, "sip:1004@127.0.0.1:6001", "then the citizen is dialled");
  assert.match(getHeader(toCaller.request, "from") ?? "", /sip:7000@/, "caller ID = the queue number");
  toCaller.handler.onResponse(reply(toCaller.request, 200, { sdp: answerSdp(42002) }));
  await settle();
  assert.deepEqual(stored.at(-1), null, "done: the stored callback is deleted");
  const cb = [...r.manager.calls.values()].find((c) => c.id.startsWith("cb"))!;
  const citizenEp = cb.b!.endpoint!.id;
  const greeting = r.media.plays.filter((p) => p.id === citizenEp).at(-1)?.source;
  assert.ok(greeting?.kind === "files" && greeting.paths[0]!.endsWith("zh/callback-greeting.wav"));
  r.media.emit({ type: "play-done", id: citizenEp });
  assert.deepEqual(r.media.bridges.at(-1), [cb.a.endpoint!.id, citizenEp], "agent and citizen bridged");
});
