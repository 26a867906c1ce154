import { test } from "node:test";
import assert from "node:assert/strict";
import { getHeader, type SipRequest, type SipResponse } from "@hotline/sip";
import { examplePlan } from "../routing/example-plan.js";
import { answerSdp, inDialog, invite, parse, reply, rig, settle, toTagOf, type Rig } from "../testing/call-rig.js";
import type { Call } from "./call.js";
import { mixPlan } from "./supervision.js";

const SRC = (port: number) => ({ transport: "udp" as const, address: "127.0.0.1", port });
const PORTS = { "1001": 5086, "1002": 5080, "1003": 5090, "1005": 5092 } as const;

/** Queue 7000 with agents 1001 and 1002; 1003 supervises it, 1005 does not. */
async function supervisedRig(): Promise<Rig> {
  const plan = examplePlan();
  plan.queues = {
    "7000": { name: "hotline", strategy: "linear", members: { "1001": 1, "1002": 1 }, ringSeconds: 15, wrapUpSeconds: 5, maxWaitSeconds: null, overflow: null, maxLength: null, supervisors: ["1003"] },
  };
  for (const e of Object.values(plan.extensions)) e.followMe = null;
  return rig(Object.fromEntries(Object.entries(PORTS).map(([e, p]) => [e, [p]])), plan);
}

let txn = 0;
/** `from` dials `to`; returns the transaction id and the INVITE. */
async function dial(r: Rig, from: keyof typeof PORTS | "1004", to: string) {
  const tx = `t${++txn}`;
  const port = from === "1004" ? 6001 : PORTS[from];
  const inv = invite(from, to, { port });
  r.manager.onRequest(tx, inv, SRC(port));
  await settle();
  return { tx, inv };
}

function finalOf(r: Rig, tx: string): SipResponse | undefined {
  return r.sip.responses.filter((x) => x.txId === tx && x.response.status >= 200).at(-1)?.response;
}

/** 1002 logs in, 1004 calls the queue, 1002 answers: the agent's call. */
async function agentCall(r: Rig): Promise<Call> {
  const login = await dial(r, "1002", "*60");
  assert.deepEqual(r.sip.statuses(login.tx), [100, 200]);
  await dial(r, "1004", "7000");
  const offer = r.sip.lastRequest("INVITE");
  assert.equal(offer.request.uri, "sip:1002@127.0.0.1:5080");
  offer.handler.onResponse(reply(offer.request, 200, { sdp: answerSdp(42000), toTag: "agent-tag" }));
  await settle();
  const call = [...r.manager.calls.values()].find((c) => c.dialed === "7000");
  assert.ok(call !== undefined && call.state === "connected" && call.b?.party === "1002");
  return call;
}

function audits(r: Rig): Record<string, unknown>[] {
  return r.recorder.notes.filter((n) => n.type === "supervisor.action").map((n) => n.data);
}

test("mixPlan: who hears whom in listen, whisper and barge", () => {
  assert.deepEqual(mixPlan("listen", "c", "a"), { caller: { listenTo: ["a"], muted: false }, agent: { listenTo: ["c"], muted: false }, supervisor: { listenTo: null, muted: true } });
  assert.deepEqual(mixPlan("whisper", "c", "a"), { caller: { listenTo: ["a"], muted: false }, agent: { listenTo: null, muted: false }, supervisor: { listenTo: null, muted: false } });
  assert.deepEqual(mixPlan("barge", "c", "a"), { caller: { listenTo: null, muted: false }, agent: { listenTo: null, muted: false }, supervisor: { listenTo: null, muted: false } });
});

test("*51 listen: the three endpoints share one room; DTMF 5/6/4 switch modes; the supervisor's BYE bridges caller and agent again", async () => {
  const r = await supervisedRig();
  const call = await agentCall(r);
  const callerEp = call.a.endpoint!.id;
  const agentEp = call.b!.endpoint!.id;
  const sup = await dial(r, "1003", "*511002");
  assert.deepEqual(r.sip.statuses(sup.tx), [100, 200], "the supervisor's call is answered");
  const supCall = [...r.manager.calls.values()].find((c) => c.dialed === "*511002")!;
  const supEp = supCall.a.endpoint!.id;
  const room = `sup:${call.id}`;
  const expect = (mode: "listen" | "whisper" | "barge") => {
    const p = mixPlan(mode, callerEp, agentEp);
    assert.deepEqual(r.media.mixes.get(callerEp), { room, options: p.caller }, `${mode}: caller side`);
    assert.deepEqual(r.media.mixes.get(agentEp), { room, options: p.agent }, `${mode}: agent side`);
    assert.deepEqual(r.media.mixes.get(supEp), { room, options: p.supervisor }, `${mode}: supervisor`);
  };
  expect("listen");
  assert.deepEqual(audits(r).at(-1), { actor: "1003", agent: "1002", action: "listen", via: "feature-code", outcome: "done", reason: null, callId: call.id, queues: ["7000"] });
  r.media.emit({ type: "dtmf", id: supEp, digit: "5", durationMs: 100 });
  expect("whisper");
  r.media.emit({ type: "dtmf", id: supEp, digit: "6", durationMs: 100 });
  expect("barge");
  r.media.emit({ type: "dtmf", id: supEp, digit: "9", durationMs: 100 });
  expect("barge");
  r.media.emit({ type: "dtmf", id: supEp, digit: "4", durationMs: 100 });
  expect("listen");
  assert.deepEqual(audits(r).slice(-3).map((a) => [a["action"], a["via"]]), [["whisper", "dtmf"], ["barge", "dtmf"], ["listen", "dtmf"]]);
  // A second supervisor (even a permitted one) is refused while the call is supervised.
  r.manager.deps.routing.queues["7000"]!.supervisors!.push("1005");
  const second = await dial(r, "1005", "*521002");
  assert.deepEqual(r.sip.statuses(second.tx), [100, 486]);
  // The supervisor hangs up: room dissolved, caller and agent bridged again, the call goes on.
  const bridgesBefore = r.media.bridges.length;
  r.manager.onRequest("bye1", inDialog("BYE", sup.inv, toTagOf(finalOf(r, sup.tx)!), 2), SRC(5090));
  await settle();
  assert.equal(r.media.mixes.size, 0, "nobody is mixed any more");
  assert.deepEqual(r.media.bridges.slice(bridgesBefore), [[callerEp, agentEp]]);
  assert.equal(call.state, "connected");
  assert.equal(r.manager.calls.has(supCall.id), false);
});

test("the monitored call ending sends the supervisor a BYE", async () => {
  const r = await supervisedRig();
  const call = await agentCall(r);
  await dial(r, "1003", "*531002");
  const supCall = [...r.manager.calls.values()].find((c) => c.dialed === "*531002")!;
  assert.equal(r.media.mixes.get(supCall.a.endpoint!.id)?.options.muted, false, "barge: the supervisor speaks");
  const byes = r.sip.requests.filter((x) => x.request.method === "BYE").length;
  await r.manager.endCall(call, "caller", 16, "caller hung up");
  await settle();
  assert.equal(supCall.state, "ended");
  const sent = r.sip.requests.filter((x) => x.request.method === "BYE").slice(byes);
  assert.ok(sent.some((x) => x.destination.port === 5090), "BYE to the supervisor");
});

test("refusals: not a supervisor 403, agent not in a call 480, no agent given 484, each audited", async () => {
  const r = await supervisedRig();
  await agentCall(r);
  const denied = await dial(r, "1005", "*511002");
  assert.deepEqual(r.sip.statuses(denied.tx), [100, 403]);
  assert.deepEqual(audits(r).at(-1), { actor: "1005", agent: "1002", action: "listen", via: "feature-code", outcome: "denied", reason: "1005 is not a supervisor of any queue 1002 is a member of", callId: null, queues: ["7000"] });
  const notAgent = await dial(r, "1003", "*551004");
  assert.deepEqual(r.sip.statuses(notAgent.tx), [100, 403]);
  assert.equal(audits(r).at(-1)?.["reason"], "1004 is not a member of any queue");
  const idle = await dial(r, "1003", "*511001");
  assert.deepEqual(r.sip.statuses(idle.tx), [100, 480]);
  assert.deepEqual(audits(r).at(-1), { actor: "1003", agent: "1001", action: "listen", via: "feature-code", outcome: "failed", reason: "agent 1001 is not in a queue call", callId: null, queues: ["7000"] });
  const bare = await dial(r, "1003", "*51");
  assert.deepEqual(r.sip.statuses(bare.tx), [100, 484]);
  assert.equal(r.media.mixes.size, 0);
});

test("*54 take over: the agent gets BYE with Reason take-over, the caller is bridged to the supervisor, the agent is free", async () => {
  const r = await supervisedRig();
  const call = await agentCall(r);
  const callerEp = call.a.endpoint!.id;
  const agentLeg = call.b!;
  const sup = await dial(r, "1003", "*541002");
  assert.deepEqual(r.sip.statuses(sup.tx), [100, 200]);
  const bye = r.sip.lastRequest("BYE");
  assert.equal(bye.destination.port, 5080, "BYE to the agent");
  assert.match(getHeader(bye.request, "reason") ?? "", /Q\.850;cause=16;text="take-over"/);
  assert.equal(call.b?.party, "1003");
  assert.ok(call.legs.includes(agentLeg) && agentLeg.ended, "the agent's leg stays in the CDR");
  assert.deepEqual(r.media.bridges.at(-1), [callerEp, call.b!.endpoint!.id]);
  assert.equal(r.manager.queues.engine.agents.get("1002")?.state, "wrap-up", "the agent's queue call is over");
  assert.ok(r.recorder.events.some((e) => e.callId === call.id && e.type === "call.taken-over" && e.data["supervisor"] === "1003"));
  assert.equal(audits(r).at(-1)?.["action"], "take-over");
  // The supervisor's own (empty) call is gone; the caller and supervisor talk on.
  assert.equal([...r.manager.calls.values()].filter((c) => c.dialed === "*541002").length, 0);
  assert.equal(call.state, "connected");
});

test("take-over accounting: the agent's handle and talk time end at the take-over (queue.taken-over); the supervisor's part is not counted", async () => {
  const r = await supervisedRig();
  const call = await agentCall(r);
  r.clock.advance(5000);
  await dial(r, "1003", "*541002");
  assert.equal(call.b?.party, "1003");
  r.clock.advance(7000);
  void r.manager.endCall(call, "system", 16, "Normal call clearing");
  await settle();
  const taken = r.recorder.events.filter((e) => e.callId === call.id && e.type === "queue.taken-over");
  assert.deepEqual(taken.map((e) => e.data), [{ queue: "7000", agent: "1002", supervisor: "1003", handleMs: 5000 }]);
  assert.equal(r.recorder.events.filter((e) => e.callId === call.id && e.type === "queue.ended").length, 0, "counted once, at the take-over");
  const report = r.manager.queues.report(r.clock.now());
  const agent = report.agents.find((a) => a.agent === "1002");
  assert.deepEqual([agent?.callsAnswered, agent?.talkTimeSeconds], [1, 5]);
  const queue = report.queues.find((q) => q.queue === "7000");
  assert.deepEqual([queue?.answered, queue?.averageHandleTimeSeconds], [1, 5]);
});

test("*55 force hangup ends both sides with a Reason; *57/*56/*58 force the agent's status", async () => {
  const r = await supervisedRig();
  const call = await agentCall(r);
  const sup = await dial(r, "1003", "*551002");
  assert.deepEqual(r.sip.statuses(sup.tx), [100, 200], "confirmed with a tone");
  assert.equal(call.state, "ended");
  const byes = r.sip.requests.filter((x) => x.request.method === "BYE");
  for (const port of [5080, 6001]) {
    const b = byes.find((x) => x.destination.port === port);
    assert.match(getHeader(b!.request, "reason") ?? "", /hangup by supervisor 1003/, `BYE to ${port} says why`);
  }
  const status = () => r.manager.queues.engine.agents.get("1002")?.status.kind;
  await dial(r, "1003", "*571002");
  assert.equal(status(), "on-break");
  await dial(r, "1003", "*581002");
  assert.equal(status(), "logged-out");
  await dial(r, "1003", "*561002");
  assert.equal(status(), "available");
  const denied = await dial(r, "1005", "*581002");
  assert.deepEqual(r.sip.statuses(denied.tx), [100, 403]);
  assert.equal(status(), "available");
  assert.deepEqual(audits(r).slice(-4).map((a) => [a["action"], a["outcome"]]), [["force-break", "done"], ["force-logout", "done"], ["force-available", "done"], ["force-logout", "denied"]]);
});

test("API monitor rings the supervisor's phone and joins on answer; refusals name the reason", async () => {
  const r = await supervisedRig();
  const call = await agentCall(r);
  assert.deepEqual(r.manager.supervision.monitor("1005", "1002", "listen"), { ok: false, why: "not-permitted", reason: "1005 is not a supervisor of any queue 1002 is a member of" });
  assert.equal(r.manager.supervision.monitor("1003", "1001", "listen").ok, false);
  const started = r.manager.supervision.monitor("1003", "1002", "whisper");
  assert.ok(started.ok);
  await settle();
  const ring = r.sip.lastRequest("INVITE");
  assert.equal(ring.request.uri, "sip:1003@127.0.0.1:5090");
  assert.deepEqual(r.manager.supervision.monitor("1003", "1002", "barge"), { ok: false, why: "already-supervised", reason: "the call is already supervised by 1003" });
  ring.handler.onResponse(reply(ring.request, 200, { sdp: answerSdp(44000), toTag: "sup-tag" }));
  await settle();
  const supEp = r.manager.calls.get(started.callId!)!.a.endpoint!.id;
  const p = mixPlan("whisper", call.a.endpoint!.id, call.b!.endpoint!.id);
  assert.deepEqual(r.media.mixes.get(supEp)?.options, p.supervisor);
  assert.deepEqual(r.media.mixes.get(call.a.endpoint!.id)?.options, p.caller);
  assert.deepEqual(audits(r).map((a) => [a["actor"], a["action"], a["via"], a["outcome"]]), [
    ["1005", "listen", "api", "denied"],
    ["1003", "listen", "api", "failed"],
    ["1003", "barge", "api", "failed"],
    ["1003", "whisper", "api", "done"],
  ]);
  // API hangup ends the agent's call and with it the supervisor's.
  assert.deepEqual(r.manager.supervision.hangup("1003", "1002"), { ok: true, callId: call.id });
  await settle();
  assert.equal(call.state, "ended");
  assert.equal(r.manager.calls.has(started.callId!), false, "the supervisor's call ended with it");
});

test("API take-over: on answer the supervisor replaces the agent; a phone that does not answer is audited as failed", async () => {
  const r = await supervisedRig();
  const call = await agentCall(r);
  const started = r.manager.supervision.takeOverByApi("1003", "1002");
  assert.ok(started.ok);
  await settle();
  const ring = r.sip.lastRequest("INVITE");
  ring.handler.onResponse(reply(ring.request, 486));
  await settle();
  assert.deepEqual(audits(r).at(-1)?.["outcome"], "failed");
  assert.equal(call.b?.party, "1002", "nothing changed");
  const again = r.manager.supervision.takeOverByApi("1003", "1002");
  assert.ok(again.ok);
  await settle();
  const ring2 = r.sip.lastRequest("INVITE");
  ring2.handler.onResponse(reply(ring2.request, 200, { sdp: answerSdp(44002), toTag: "sup-tag2" }));
  await settle();
  assert.equal(call.b?.party, "1003");
  assert.match(getHeader(r.sip.lastRequest("BYE").request, "reason") ?? "", /take-over/);
  assert.deepEqual(audits(r).at(-1)?.["outcome"], "done");
});

test("per call, not per agent: a supervisor of queue 7000 may not monitor, take over or hang up the agent's call from queue 7001", async () => {
  const plan = examplePlan();
  plan.queues = {
    "7000": { name: "hotline", strategy: "linear", members: { "1001": 1, "1002": 1 }, ringSeconds: 15, wrapUpSeconds: 5, maxWaitSeconds: null, overflow: null, maxLength: null, supervisors: ["1003"] },
    "7001": { name: "billing", strategy: "linear", members: { "1002": 1 }, ringSeconds: 15, wrapUpSeconds: 5, maxWaitSeconds: null, overflow: null, maxLength: null, supervisors: ["1005"] },
  };
  for (const e of Object.values(plan.extensions)) e.followMe = null;
  const r = await rig(Object.fromEntries(Object.entries(PORTS).map(([e, p]) => [e, [p]])), plan);
  await dial(r, "1002", "*60");
  await dial(r, "1004", "7001");
  const offer = r.sip.lastRequest("INVITE");
  assert.equal(offer.request.uri, "sip:1002@127.0.0.1:5080");
  offer.handler.onResponse(reply(offer.request, 200, { sdp: answerSdp(42000), toTag: "agent-tag" }));
  await settle();
  const call = [...r.manager.calls.values()].find((c) => c.dialed === "7001");
  assert.ok(call !== undefined && call.state === "connected");
  const reason = "1003 is not a supervisor of queue 7001, which agent 1002's call came from";
  for (const code of ["*511002", "*541002", "*551002"]) {
    const denied = await dial(r, "1003", code);
    assert.deepEqual(r.sip.statuses(denied.tx), [100, 403], code);
  }
  assert.deepEqual(r.manager.supervision.monitor("1003", "1002", "barge"), { ok: false, why: "not-permitted", reason });
  assert.deepEqual(r.manager.supervision.takeOverByApi("1003", "1002"), { ok: false, why: "not-permitted", reason });
  assert.deepEqual(r.manager.supervision.hangup("1003", "1002"), { ok: false, why: "not-permitted", reason });
  assert.equal(call.state, "connected");
  assert.equal(r.media.mixes.size, 0);
  assert.deepEqual(audits(r).map((a) => [a["action"], a["outcome"], a["queues"]]), [
    ["listen", "denied", ["7001"]],
    ["take-over", "denied", ["7001"]],
    ["hangup", "denied", ["7001"]],
    ["barge", "denied", ["7001"]],
    ["take-over", "denied", ["7001"]],
    ["hangup", "denied", ["7001"]],
  ]);
  // 7001's own supervisor may; the agent's status is one across queues: 1003 (7000 only) may force it.
  const ok = await dial(r, "1005", "*511002");
  assert.deepEqual(r.sip.statuses(ok.tx), [100, 200]);
  assert.deepEqual(r.manager.supervision.forceStatus("1003", "1002", "force-break"), { ok: true, callId: null });
  assert.deepEqual(audits(r).at(-1), { actor: "1003", agent: "1002", action: "force-break", via: "api", outcome: "done", reason: null, callId: null, queues: ["7000", "7001"] });
});

test("an agent's direct (non-queue) call is nobody's to monitor: 480 by feature code, agent-not-in-call by API", async () => {
  const r = await supervisedRig();
  await dial(r, "1002", "*60");
  await dial(r, "1004", "1002");
  const ring = r.sip.lastRequest("INVITE");
  assert.equal(ring.request.uri, "sip:1002@127.0.0.1:5080");
  ring.handler.onResponse(reply(ring.request, 200, { sdp: answerSdp(42000), toTag: "direct-tag" }));
  await settle();
  const call = [...r.manager.calls.values()].find((c) => c.dialed === "1002");
  assert.ok(call !== undefined && call.state === "connected");
  const listen = await dial(r, "1003", "*511002");
  assert.deepEqual(r.sip.statuses(listen.tx), [100, 480]);
  const why = { ok: false, why: "agent-not-in-call", reason: "agent 1002 is not in a queue call" };
  assert.deepEqual(r.manager.supervision.monitor("1003", "1002", "listen"), why);
  assert.deepEqual(r.manager.supervision.hangup("1003", "1002"), why);
  assert.equal(call.state, "connected");
  assert.equal(r.media.mixes.size, 0);
});

/** The agent (1002, hotline's leg towards it answered with To tag `agent-tag`) REFERs its peer to `to`. */
function referFromAgent(r: Rig, agentInvite: SipRequest, to: string, tx: string): void {
  const text = [
    "REFER sip:hotline@127.0.0.1:5060 SIP/2.0",
    "Via: SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bK" + tx,
    `From: ${getHeader(agentInvite, "to")};tag=agent-tag`,
    `To: ${getHeader(agentInvite, "from")}`,
    `Call-ID: ${getHeader(agentInvite, "call-id")}`,
    "CSeq: 1 REFER",
    "Contact: <sip:1002@127.0.0.1:5080>",
    `Refer-To: <sip:${to}@hotline.test>`,
    "Content-Length: 0",
    "",
    "",
  ].join("\r\n");
  r.manager.onRequest(tx, parse(text), SRC(5080));
}

test("the agent transfers the monitored caller: the monitor ends (BYE to the supervisor, audit ended/transferred), the room is gone before the target rings", async () => {
  const r = await supervisedRig();
  const call = await agentCall(r);
  const agentInvite = r.sip.requests.filter((x) => x.request.method === "INVITE" && x.destination.port === 5080).at(-1)!.request;
  const callerEp = call.a.endpoint!.id;
  const sup = await dial(r, "1003", "*511002");
  assert.deepEqual(r.sip.statuses(sup.tx), [100, 200]);
  const supCall = [...r.manager.calls.values()].find((c) => c.dialed === "*511002")!;
  const supEp = supCall.a.endpoint!.id;
  assert.equal(r.media.mixes.size, 3);
  await dial(r, "1001", "*60");
  const byes = r.sip.requests.filter((x) => x.request.method === "BYE").length;
  referFromAgent(r, agentInvite, "1001", "refer1");
  await settle();
  assert.deepEqual(r.sip.statuses("refer1"), [202]);
  assert.equal(r.media.mixes.size, 0, "nobody is left in the supervisor's room");
  const target = r.sip.lastRequest("INVITE");
  assert.equal(target.request.uri, "sip:1001@127.0.0.1:5086", "the transfer target rings");
  assert.ok(r.sip.requests.filter((x) => x.request.method === "BYE").slice(byes).some((x) => x.destination.port === 5090), "BYE to the supervisor");
  assert.equal(supCall.state, "ended");
  assert.deepEqual(audits(r).at(-1), { actor: "1003", agent: "1002", action: "listen", via: "feature-code", outcome: "ended", reason: "transferred", callId: call.id, queues: ["7000"] });
  assert.ok(r.recorder.events.some((e) => e.callId === call.id && e.type === "call.supervision-ended" && e.data["reason"] === "transferred"));
  // Keys from the (gone) supervisor leg change nothing; the caller is bridged to the target on answer.
  r.media.emit({ type: "dtmf", id: supEp, digit: "6", durationMs: 100 });
  assert.equal(r.media.mixes.size, 0);
  target.handler.onResponse(reply(target.request, 200, { sdp: answerSdp(43000), toTag: "target-tag" }));
  await settle();
  assert.equal(call.b?.party, "1001");
  assert.deepEqual(r.media.bridges.at(-1)?.[0], callerEp);
  assert.equal(r.media.mixes.size, 0);
  // The call is free for another supervisor? Not a queue call any more for 1001 either.
  assert.deepEqual(r.manager.supervision.monitor("1003", "1002", "listen"), { ok: false, why: "agent-not-in-call", reason: "agent 1002 is not in a queue call" });
});

test("a transfer while the API monitor still rings the supervisor: the attempt is cancelled and audited as failed (transferred)", async () => {
  const r = await supervisedRig();
  const call = await agentCall(r);
  const agentInvite = r.sip.requests.filter((x) => x.request.method === "INVITE" && x.destination.port === 5080).at(-1)!.request;
  const started = r.manager.supervision.monitor("1003", "1002", "listen");
  assert.ok(started.ok);
  await settle();
  const ring = r.sip.lastRequest("INVITE");
  assert.equal(ring.request.uri, "sip:1003@127.0.0.1:5090");
  ring.handler.onResponse(reply(ring.request, 180, { toTag: "sup-tag" }));
  await dial(r, "1001", "*60");
  referFromAgent(r, agentInvite, "1001", "refer2");
  await settle();
  assert.equal(r.manager.calls.has(started.callId!), false, "the supervisor's call is gone");
  assert.ok(r.sip.requests.some((x) => x.request.method === "CANCEL" && x.destination.port === 5090), "CANCEL to the supervisor's phone");
  assert.deepEqual(audits(r).at(-1), { actor: "1003", agent: "1002", action: "listen", via: "api", outcome: "failed", reason: "transferred", callId: call.id, queues: ["7000"] });
  assert.equal(r.media.mixes.size, 0);
});
