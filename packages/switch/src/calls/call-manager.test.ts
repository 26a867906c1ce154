import { test } from "node:test";
import assert from "node:assert/strict";
import { getHeader, headerField } from "@hotline/sip";
import { answerSdp, bodyText, inDialog, invite, reply, rig, settle, toTagOf } from "../testing/call-rig.js";

test("basic call 1003 → 1002: 100, INVITE with our SDP, 180, 200 + ACK, bridge, BYE both ways, CDR", async () => {
  const r = await rig({ "1002": [5080] });
  const inv = invite("1003", "1002");
  r.manager.onRequest("tx1", inv, { transport: "udp", address: "127.0.0.1", port: 5071 });
  await settle();
  assert.deepEqual(r.sip.statuses("tx1"), [100]);
  const out = r.sip.lastRequest("INVITE");
  assert.equal(out.request.uri, "sip:1002@127.0.0.1:5080");
  assert.deepEqual(out.destination, { transport: "udp", address: "127.0.0.1", port: 5080 });
  assert.match(bodyText(out.request), /c=IN IP4 127\.0\.0\.1/);
  assert.match(bodyText(out.request), /m=audio 20004 RTP\/AVP 8 0 101/, "offer prefers the caller's first codec, on the callee leg's port");
  out.handler.onResponse(reply(out.request, 180));
  assert.deepEqual(r.sip.statuses("tx1"), [100, 180]);
  out.handler.onResponse(reply(out.request, 200, { sdp: answerSdp(41000) }));
  const ack = r.sip.stateless.find((s) => s.message.kind === "request" && s.message.method === "ACK");
  assert.ok(ack !== undefined, "2xx ACKed");
  const ok = r.sip.responses.find((x) => x.txId === "tx1" && x.response.status === 200)!.response;
  assert.match(bodyText(ok), /m=audio 20002 RTP\/AVP 8 101/, "caller's answer: its endpoint, PCMA + telephone-event");
  assert.equal(r.media.bridges.length, 1);
  assert.deepEqual(r.media.configured.get(r.media.bridges[0]![1])?.remote, { address: "127.0.0.1", port: 41000, rtcpPort: 41001 });
  const toTag = toTagOf(ok);
  r.manager.onAck(inDialog("ACK", inv, toTag, 1));
  r.manager.onRequest("tx2", inDialog("BYE", inv, toTag, 2), { transport: "udp", address: "127.0.0.1", port: 5071 });
  await settle();
  assert.deepEqual(r.sip.statuses("tx2"), [200]);
  const bye = r.sip.lastRequest("BYE");
  assert.equal(bye.request.uri, "sip:callee@127.0.0.1:5080", "BYE to the callee's Contact");
  assert.equal(r.recorder.endedCalls.length, 1);
  const call = r.recorder.endedCalls[0]!;
  assert.equal(call.answeredBy, "1002");
  assert.equal(call.hangupBy, "caller");
  assert.equal(r.media.released.length, 2);
  assert.equal(r.manager.activeCalls, 0);
});

test("forking: two contacts ring, the first 200 wins and the other is CANCELled with cause 26", async () => {
  const r = await rig({ "1002": [5080, 5082] });
  r.manager.onRequest("tx1", invite("1003", "1002"), { transport: "udp", address: "127.0.0.1", port: 5071 });
  await settle();
  const invites = r.sip.requests.filter((x) => x.request.method === "INVITE");
  assert.equal(invites.length, 2);
  // A provisional first: no CANCEL may go before one (RFC 3261 §9.1).
  invites[0]!.handler.onResponse(reply(invites[0]!.request, 100));
  invites[1]!.handler.onResponse(reply(invites[1]!.request, 200, { sdp: answerSdp(41000), toTag: "b2" }));
  const cancel = r.sip.lastRequest("CANCEL");
  assert.equal(getHeader(cancel.request, "call-id"), getHeader(invites[0]!.request, "call-id"));
  assert.match(getHeader(cancel.request, "reason") ?? "", /Q\.850;cause=26/);
  assert.deepEqual(r.sip.statuses("tx1"), [100, 200]);
});

test("busy callee → forwardBusy; no answer → forwardNoAnswer after noAnswerSeconds", async () => {
  const r = await rig({ "1001": [5080], "1002": [5082], "1003": [5084] });
  // 1001 forwards busy to 1002 and no-answer to 1003 (example plan), follow-me 1002 then a number.
  r.routing.plan.extensions["1001"]!.followMe = null;
  r.manager.onRequest("tx1", invite("1004", "1001"), { transport: "udp", address: "127.0.0.1", port: 5071 });
  await settle();
  const first = r.sip.lastRequest("INVITE");
  first.handler.onResponse(reply(first.request, 486));
  await settle();
  const fwd = r.sip.lastRequest("INVITE");
  assert.equal(fwd.request.uri, "sip:1002@127.0.0.1:5082", "busy → 1002");
  // A second call to 1001: no answer for 20 s → CANCEL and ring 1003.
  r.manager.onRequest("tx2", invite("1004", "1001"), { transport: "udp", address: "127.0.0.1", port: 5073 });
  await settle();
  const second = r.sip.lastRequest("INVITE");
  second.handler.onResponse(reply(second.request, 180, { toTag: "ring" }));
  r.clock.advance(19_999);
  assert.equal(r.sip.lastRequest("INVITE"), second);
  r.clock.advance(1);
  await settle();
  assert.equal(r.sip.lastRequest("CANCEL").request.uri, second.request.uri);
  assert.equal(r.sip.lastRequest("INVITE").request.uri, "sip:1003@127.0.0.1:5084");
});

test("caller CANCEL: 200 to CANCEL, 487 to INVITE, callee CANCELled, missed-call disposition cancelled", async () => {
  const r = await rig({ "1002": [5080] });
  const inv = invite("1003", "1002", { callId: "cx" });
  r.manager.onRequest("tx1", inv, { transport: "udp", address: "127.0.0.1", port: 5071 });
  await settle();
  const out = r.sip.lastRequest("INVITE");
  out.handler.onResponse(reply(out.request, 100));
  r.sip.cancelTargets.set("cx", "tx1");
  const cancel = inDialog("CANCEL", inv, "", 1);
  r.manager.onRequest("tx9", { ...cancel, headers: cancel.headers.map((h) => (h.key === "to" ? { ...h, value: getHeader(inv, "to")! } : h)) }, { transport: "udp", address: "127.0.0.1", port: 5071 });
  await settle();
  assert.deepEqual(r.sip.statuses("tx9"), [200]);
  assert.deepEqual(r.sip.statuses("tx1"), [100, 487]);
  assert.equal(r.sip.lastRequest("CANCEL").destination.port, 5080);
  assert.equal(r.recorder.endedCalls[0]?.failureStatus, 487);
});

test("caller CANCEL after 180: the 200 to the CANCEL carries the To tag of the 180 and the 487 (RFC 3261 §9.2)", async () => {
  // Found by the SIPp e2e test (uac-call-cancel-after-180-expect-487.xml): the 200 had a fresh tag.
  const r = await rig({ "1002": [5080] });
  const inv = invite("1003", "1002", { callId: "cy" });
  r.manager.onRequest("tx1", inv, { transport: "udp", address: "127.0.0.1", port: 5071 });
  await settle();
  const out = r.sip.lastRequest("INVITE");
  out.handler.onResponse(reply(out.request, 180, { toTag: "ring" }));
  r.sip.cancelTargets.set("cy", "tx1");
  const cancel = inDialog("CANCEL", inv, "", 1);
  r.manager.onRequest("tx9", { ...cancel, headers: cancel.headers.map((h) => (h.key === "to" ? { ...h, value: getHeader(inv, "to")! } : h)) }, { transport: "udp", address: "127.0.0.1", port: 5071 });
  await settle();
  const tagOf = (tx: string, status: number): string => toTagOf(r.sip.responses.find((x) => x.txId === tx && x.response.status === status)!.response);
  const ringing = tagOf("tx1", 180);
  assert.equal(tagOf("tx1", 487), ringing);
  assert.equal(tagOf("tx9", 200), ringing);
});

test("no CANCEL before the callee's first provisional response (RFC 3261 §9.1): it goes when the 180 comes", async () => {
  // Found by the SIPp e2e test (uas-slow-180-expect-cancel-after-it.xml): the CANCEL overtook a slow phone's 180.
  const r = await rig({ "1002": [5080] });
  const inv = invite("1003", "1002", { callId: "cz" });
  r.manager.onRequest("tx1", inv, { transport: "udp", address: "127.0.0.1", port: 5071 });
  await settle();
  const out = r.sip.lastRequest("INVITE");
  r.sip.cancelTargets.set("cz", "tx1");
  const cancel = inDialog("CANCEL", inv, "", 1);
  r.manager.onRequest("tx9", { ...cancel, headers: cancel.headers.map((h) => (h.key === "to" ? { ...h, value: getHeader(inv, "to")! } : h)) }, { transport: "udp", address: "127.0.0.1", port: 5071 });
  await settle();
  assert.deepEqual(r.sip.statuses("tx1"), [100, 487], "the caller is answered at once");
  const cancels = () => r.sip.requests.filter((x) => x.request.method === "CANCEL");
  assert.equal(cancels().length, 0, "nothing from the callee yet: no CANCEL");
  out.handler.onResponse(reply(out.request, 180, { toTag: "slow" }));
  assert.equal(cancels().length, 1);
  assert.equal(getHeader(cancels()[0]!.request, "call-id"), getHeader(out.request, "call-id"));
  assert.match(getHeader(cancels()[0]!.request, "reason") ?? "", /Q\.850;cause=16/);
  out.handler.onResponse(reply(out.request, 180, { toTag: "slow" }));
  assert.equal(cancels().length, 1, "one CANCEL only");
  assert.deepEqual(r.sip.statuses("tx1"), [100, 487], "the late 180 is not passed to the caller");
});

test("unknown number → 404 with Q.850 cause 1; blacklisted caller → 486 busy", async () => {
  const r = await rig({});
  r.manager.onRequest("tx1", invite("1003", "5555"), { transport: "udp", address: "127.0.0.1", port: 5071 });
  await settle();
  const res = r.sip.responses.find((x) => x.txId === "tx1" && x.response.status >= 300)!.response;
  assert.equal(res.status, 404);
  assert.match(getHeader(res, "reason") ?? "", /cause=1\b/);
  r.manager.onRequest("tx2", invite("13900000000", "1002"), { transport: "udp", address: "127.0.0.1", port: 5071 });
  await settle();
  assert.deepEqual(r.sip.statuses("tx2"), [100, 486]);
});

test("re-INVITE with sendonly puts the other side on music on hold; sendrecv takes it off", async () => {
  const r = await rig({ "1002": [5080] });
  const inv = invite("1003", "1002");
  r.manager.onRequest("tx1", inv, { transport: "udp", address: "127.0.0.1", port: 5071 });
  await settle();
  const out = r.sip.lastRequest("INVITE");
  out.handler.onResponse(reply(out.request, 200, { sdp: answerSdp(41000) }));
  const ok = r.sip.responses.find((x) => x.txId === "tx1" && x.response.status === 200)!.response;
  const toTag = toTagOf(ok);
  r.manager.onAck(inDialog("ACK", inv, toTag, 1));
  r.manager.onRequest("tx2", inDialog("INVITE", inv, toTag, 2, { body: answerSdp(40000, "PCMA", "sendonly") }), { transport: "udp", address: "127.0.0.1", port: 5071 });
  await settle();
  const holdOk = r.sip.responses.find((x) => x.txId === "tx2")!.response;
  assert.equal(holdOk.status, 200);
  assert.match(bodyText(holdOk), /a=recvonly/);
  const calleeEp = r.media.bridges[0]![1];
  assert.deepEqual(r.media.plays.at(-1), { id: calleeEp, source: { kind: "moh" } });
  r.manager.onRequest("tx3", inDialog("INVITE", inv, toTag, 3, { body: answerSdp(40000) }), { transport: "udp", address: "127.0.0.1", port: 5071 });
  await settle();
  assert.deepEqual(r.media.plays.at(-1), { id: calleeEp, source: null });
});

test("blind transfer: the callee REFERs the caller to 1001; 202, NOTIFY 200, the caller is connected to 1001", async () => {
  const r = await rig({ "1002": [5080], "1001": [5084] });
  r.routing.plan.extensions["1001"]!.followMe = null;
  const inv = invite("1003", "1002");
  r.manager.onRequest("tx1", inv, { transport: "udp", address: "127.0.0.1", port: 5071 });
  await settle();
  const out = r.sip.lastRequest("INVITE");
  out.handler.onResponse(reply(out.request, 200, { sdp: answerSdp(41000), toTag: "b1" }));
  // The callee (1002) sends REFER inside its dialog with hotline.
  const from = getHeader(out.request, "from")!;
  const referText = [
    "REFER sip:hotline@127.0.0.1:5060 SIP/2.0",
    "Via: SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bKrefer1",
    `From: ${getHeader(out.request, "to")};tag=b1`,
    `To: ${from}`,
    `Call-ID: ${getHeader(out.request, "call-id")}`,
    "CSeq: 1 REFER",
    "Contact: <sip:callee@127.0.0.1:5080>",
    "Refer-To: <sip:1001@hotline.test>",
    "Referred-By: <sip:1002@hotline.test>",
    "Content-Length: 0",
    "",
    "",
  ].join("\r\n");
  const { parse } = await import("../testing/call-rig.js");
  r.manager.onRequest("tx5", parse(referText), { transport: "udp", address: "127.0.0.1", port: 5080 });
  await settle();
  assert.deepEqual(r.sip.statuses("tx5"), [202]);
  const notifies = r.sip.requests.filter((x) => x.request.method === "NOTIFY").map((x) => bodyText(x.request).trim());
  assert.deepEqual(notifies, ["SIP/2.0 100 Trying", "SIP/2.0 200 OK"]);
  const toTarget = r.sip.lastRequest("INVITE");
  assert.equal(toTarget.request.uri, "sip:1001@127.0.0.1:5084");
  toTarget.handler.onResponse(reply(toTarget.request, 200, { sdp: answerSdp(42000), toTag: "c1" }));
  assert.equal(r.media.bridges.length, 2, "caller bridged to the transfer target");
  assert.equal(r.manager.calls.size, 1);
  const call = [...r.manager.calls.values()][0]!;
  assert.equal(call.b?.party, "1001");
});

/** Connects `from` → `to` (registered at the rig) and returns the caller's INVITE, its To tag and the callee's INVITE. */
async function connect(r: Awaited<ReturnType<typeof rig>>, tx: string, from: string, to: string, port: number, calleeTag: string) {
  const inv = invite(from, to, { port });
  r.manager.onRequest(tx, inv, { transport: "udp", address: "127.0.0.1", port });
  await settle();
  const out = r.sip.lastRequest("INVITE");
  out.handler.onResponse(reply(out.request, 200, { sdp: answerSdp(41000 + port), toTag: calleeTag }));
  const ok = r.sip.responses.find((x) => x.txId === tx && x.response.status === 200)!.response;
  r.manager.onAck(inDialog("ACK", inv, toTagOf(ok), 1));
  return { inv, toTag: toTagOf(ok), out };
}

test("feature codes: *78 sets DND (the caller hears a tone, then BYE); a call to the DND extension is busy; *79 clears it", async () => {
  const r = await rig({ "1002": [5080] });
  r.manager.onRequest("tx1", invite("1002", "*78", { port: 5080 }), { transport: "udp", address: "127.0.0.1", port: 5080 });
  await settle();
  assert.deepEqual(r.sip.statuses("tx1"), [100, 200]);
  assert.equal(r.routing.overrides.get("1002")?.dnd, true);
  r.clock.advance(1500);
  await settle();
  assert.equal(r.sip.lastRequest("BYE").destination.port, 5080);
  r.manager.onRequest("tx2", invite("1003", "1002"), { transport: "udp", address: "127.0.0.1", port: 5071 });
  await settle();
  assert.deepEqual(r.sip.statuses("tx2"), [100, 486]);
  r.manager.onRequest("tx3", invite("1002", "*79", { port: 5080 }), { transport: "udp", address: "127.0.0.1", port: 5080 });
  await settle();
  assert.equal(r.routing.overrides.get("1002")?.dnd, false);
});

test("group pickup: 1003 dials *8 while 1001 (same pickup group 'front') rings; 1003 gets the call, 1001 is CANCELled", async () => {
  const r = await rig({ "1001": [5080], "1003": [5084] });
  r.routing.plan.extensions["1001"]!.followMe = null;
  r.routing.plan.extensions["1003"] = { forward: { always: null, busy: null, noAnswer: null }, followMe: null, pickupGroup: "front", callerIdName: null };
  r.manager.onRequest("tx1", invite("1004", "1001"), { transport: "udp", address: "127.0.0.1", port: 5071 });
  await settle();
  const ringing = r.sip.lastRequest("INVITE");
  ringing.handler.onResponse(reply(ringing.request, 100));
  r.manager.onRequest("tx2", invite("1003", "*8", { port: 5084 }), { transport: "udp", address: "127.0.0.1", port: 5084 });
  await settle();
  assert.equal(r.sip.lastRequest("CANCEL").request.uri, ringing.request.uri);
  assert.deepEqual(r.sip.statuses("tx1"), [100, 200], "the original caller is answered");
  assert.deepEqual(r.sip.statuses("tx2"), [100, 200], "the picker is answered");
  assert.deepEqual(r.media.bridges.at(-1)?.length, 2);
  const live = [...r.manager.calls.values()];
  assert.equal(live.length, 1);
  assert.equal(live[0]!.b?.party, "1003");
});

test("park by blind transfer to 700: the caller hears music in slot 701; dialling 701 retrieves; timeout rings the parker back", async () => {
  const r = await rig({ "1002": [5080], "1003": [5084] });
  const { out } = await connect(r, "tx1", "1004", "1002", 5071, "b1");
  const { parse } = await import("../testing/call-rig.js");
  const refer = (target: string, n: number) =>
    parse([
      "REFER sip:hotline@127.0.0.1:5060 SIP/2.0",
      `Via: SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bKrefer${n}`,
      `From: ${getHeader(out.request, "to")};tag=b1`,
      `To: ${getHeader(out.request, "from")}`,
      `Call-ID: ${getHeader(out.request, "call-id")}`,
      `CSeq: ${n} REFER`,
      "Contact: <sip:callee@127.0.0.1:5080>",
      `Refer-To: <sip:${target}@hotline.test>`,
      "Content-Length: 0",
      "",
      "",
    ].join("\r\n"));
  r.manager.onRequest("tx5", refer("700", 1), { transport: "udp", address: "127.0.0.1", port: 5080 });
  await settle();
  assert.deepEqual(r.sip.statuses("tx5"), [202]);
  assert.ok(r.manager.features.parked.has("701"), "parked in the first free slot");
  const parked = r.manager.features.parked.get("701")!;
  assert.deepEqual(r.media.plays.at(-1), { id: parked.a.endpoint!.id, source: { kind: "moh" } });
  // 1003 dials 701 and gets the parked caller.
  r.manager.onRequest("tx6", invite("1003", "701", { port: 5084 }), { transport: "udp", address: "127.0.0.1", port: 5084 });
  await settle();
  assert.deepEqual(r.sip.statuses("tx6"), [100, 200]);
  assert.equal(r.manager.features.parked.size, 0);
  assert.equal(parked.b?.party, "1003");
  assert.equal(parked.state, "connected");

  // Park in a named slot (702), nobody retrieves: after 60 s the parker (the referrer, 1002) is rung.
  const r2 = await rig({ "1002": [5080] });
  const c2 = await connect(r2, "tx1", "1004", "1002", 5071, "b1");
  const refer2 = parse([
    "REFER sip:hotline@127.0.0.1:5060 SIP/2.0",
    "Via: SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bKreferX",
    `From: ${getHeader(c2.out.request, "to")};tag=b1`,
    `To: ${getHeader(c2.out.request, "from")}`,
    `Call-ID: ${getHeader(c2.out.request, "call-id")}`,
    "CSeq: 1 REFER",
    "Contact: <sip:callee@127.0.0.1:5080>",
    "Refer-To: <sip:702@hotline.test>",
    "Content-Length: 0",
    "",
    "",
  ].join("\r\n"));
  r2.manager.onRequest("tx5", refer2, { transport: "udp", address: "127.0.0.1", port: 5080 });
  await settle();
  assert.ok(r2.manager.features.parked.has("702"), "parked in the slot named");
  const invitesBefore = r2.sip.requests.filter((x) => x.request.method === "INVITE").length;
  r2.clock.advance(60_000);
  await settle();
  const back = r2.sip.lastRequest("INVITE");
  assert.equal(r2.sip.requests.filter((x) => x.request.method === "INVITE").length, invitesBefore + 1);
  assert.equal(back.request.uri, "sip:1002@127.0.0.1:5080", "rings the parker");
});

test("attended transfer: 1002 consults 1003, then REFERs 1004 with Replaces; 1004 ends up with 1003", async () => {
  const r = await rig({ "1002": [5080], "1003": [5084] });
  const first = await connect(r, "tx1", "1004", "1002", 5071, "b1"); // 1004 → 1002
  const consult = await connect(r, "tx2", "1002", "1003", 5080, "c1"); // 1002 → 1003 (consultation)
  const { parse } = await import("../testing/call-rig.js");
  // 1002's REFER in the first call names its consultation dialog with hotline (RFC 3891):
  // to-tag = hotline's tag on that dialog, from-tag = 1002's.
  const replaces = encodeURIComponent(`${getHeader(consult.inv, "call-id")};to-tag=${consult.toTag};from-tag=ft-${getHeader(consult.inv, "call-id")}`);
  const refer = parse([
    "REFER sip:hotline@127.0.0.1:5060 SIP/2.0",
    "Via: SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bKreferA",
    `From: ${getHeader(first.out.request, "to")};tag=b1`,
    `To: ${getHeader(first.out.request, "from")}`,
    `Call-ID: ${getHeader(first.out.request, "call-id")}`,
    "CSeq: 1 REFER",
    "Contact: <sip:callee@127.0.0.1:5080>",
    `Refer-To: <sip:1003@hotline.test?Replaces=${replaces}>`,
    "Content-Length: 0",
    "",
    "",
  ].join("\r\n"));
  r.manager.onRequest("tx5", refer, { transport: "udp", address: "127.0.0.1", port: 5080 });
  await settle();
  assert.deepEqual(r.sip.statuses("tx5"), [202]);
  const live = [...r.manager.calls.values()];
  assert.equal(live.length, 1, "the consultation call is gone");
  assert.equal(live[0]!.a.party, "1004");
  assert.equal(live[0]!.b?.party, "1003");
  const last = r.media.bridges.at(-1)!;
  assert.deepEqual(new Set(last), new Set([live[0]!.a.endpoint!.id, live[0]!.b!.endpoint!.id]));
  r.clock.advance(4000);
  await settle();
  const byes = r.sip.requests.filter((x) => x.request.method === "BYE").map((x) => x.destination.port);
  assert.deepEqual(byes.sort(), [5080, 5080], "both of 1002's legs are released");
  // The transferor's endpoint in the surviving call goes back to the pool now, not at its end.
  const transferor = live[0]!.legs.find((l) => l.party === "1002")!;
  assert.equal(transferor.ended, true);
  assert.equal(transferor.endpoint, null);
  assert.ok(transferor.facts.endedAt !== null);
  assert.equal(r.manager.calls.size, 1);
});

test("SIP INFO DTMF (application/dtmf-relay) from the caller is sent as RFC 4733 to the callee's endpoint", async () => {
  const r = await rig({ "1002": [5080] });
  const { inv, toTag } = await connect(r, "tx1", "1003", "1002", 5071, "b1");
  const info = inDialog("INFO", inv, toTag, 2, { body: "Signal=7\r\nDuration=200\r\n" });
  info.headers = info.headers.map((h) => (h.key === "content-type" ? { ...h, value: "application/dtmf-relay" } : h));
  r.manager.onRequest("tx2", info, { transport: "udp", address: "127.0.0.1", port: 5071 });
  await settle();
  assert.deepEqual(r.sip.statuses("tx2"), [200]);
  const call = [...r.manager.calls.values()][0]!;
  assert.deepEqual(r.media.dtmf, [{ id: call.b!.endpoint!.id, digit: "7" }]);
});

test("a priority caller (emergency handset pattern) carries its mark: Priority header on the callee INVITE, level on the call", async () => {
  const r = await rig({ "1002": [5080] });
  r.manager.onRequest("tx1", invite("13800000001", "1002"), { transport: "udp", address: "127.0.0.1", port: 5071 });
  await settle();
  const out = r.sip.lastRequest("INVITE");
  assert.equal(getHeader(out.request, "priority"), "emergency");
  assert.equal(getHeader(out.request, "x-hotline-priority"), "10;label=emergency-handset");
  assert.deepEqual([...r.manager.calls.values()][0]!.priority, { level: 10, label: "emergency-handset" });
});

test("call waiting off: a second call to an extension in a call is busy (486) and goes to its busy forward when set", async () => {
  const r = await rig({ "1002": [5080], "1003": [5084] });
  r.routing.plan.extensions["1002"] = { callWaiting: false, forward: { always: null, busy: null, noAnswer: null }, followMe: null, pickupGroup: null, callerIdName: null };
  await connect(r, "tx1", "1004", "1002", 5071, "b1");
  r.manager.onRequest("tx2", invite("1005", "1002", { port: 5073 }), { transport: "udp", address: "127.0.0.1", port: 5073 });
  await settle();
  assert.deepEqual(r.sip.statuses("tx2"), [100, 486]);
  r.routing.plan.extensions["1002"]!.forward.busy = "1003";
  r.manager.onRequest("tx3", invite("1005", "1002", { port: 5075 }), { transport: "udp", address: "127.0.0.1", port: 5075 });
  await settle();
  assert.equal(r.sip.lastRequest("INVITE").request.uri, "sip:1003@127.0.0.1:5084");
});

test("RFC 3262: a reliable 183 is PRACKed once; its retransmission is discarded (no second PRACK, no second 183 to the caller)", async () => {
  const r = await rig({ "1002": [5080] });
  r.manager.onRequest("tx1", invite("1003", "1002"), { transport: "udp", address: "127.0.0.1", port: 5071 });
  await settle();
  const out = r.sip.lastRequest("INVITE");
  const rel = reply(out.request, 183, { sdp: answerSdp(41000), headers: [headerField("Require", "100rel"), headerField("RSeq", "1")] });
  out.handler.onResponse(rel);
  out.handler.onResponse(rel);
  const pracks = r.sip.requests.filter((x) => x.request.method === "PRACK");
  assert.equal(pracks.length, 1);
  assert.equal(getHeader(pracks[0]!.request, "rack"), "1 1 INVITE");
  assert.deepEqual(r.sip.statuses("tx1"), [100, 183]);
});

test("a carrier's 407 that hotline cannot answer is not relayed to the phone: the next trunk is tried, then 503", async () => {
  const r = await rig({});
  // Example plan: outbound route prefix 9 → carrier-a (has credentials), carrier-b (none).
  r.manager.onRequest("tx1", invite("1003", "9010123456789"), { transport: "udp", address: "127.0.0.1", port: 5071 });
  await settle();
  const { createResponse } = await import("@hotline/sip");
  const first = r.sip.lastRequest("INVITE");
  const challenge = (req: typeof first.request) =>
    createResponse(req, 407, { toTag: "c1", headers: [headerField("Proxy-Authenticate", 'Digest realm="carrier", nonce="n1", algorithm=MD5, qop="auth"')] });
  first.handler.onResponse(challenge(first.request));
  await settle();
  const retry = r.sip.lastRequest("INVITE");
  assert.notEqual(retry, first, "answered the challenge once");
  assert.ok(getHeader(retry.request, "proxy-authorization") !== undefined);
  retry.handler.onResponse(challenge(retry.request));
  await settle();
  const next = r.sip.lastRequest("INVITE");
  assert.match(next.request.uri, /@192\.0\.2\.10:5060$/, "failed over to carrier-b");
  next.handler.onResponse(challenge(next.request));
  await settle();
  const final = r.sip.responses.filter((x) => x.txId === "tx1").map((x) => x.response.status);
  assert.deepEqual(final, [100, 503]);
});
