import { test } from "node:test";
import assert from "node:assert/strict";
import { getHeader } from "@hotline/sip";
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
  r.sip.cancelTargets.set("cx", "tx1");
  const cancel = inDialog("CANCEL", inv, "", 1);
  r.manager.onRequest("tx9", { ...cancel, headers: cancel.headers.map((h) => (h.key === "to" ? { ...h, value: getHeader(inv, "to")! } : h)) }, { transport: "udp", address: "127.0.0.1", port: 5071 });
  await settle();
  assert.deepEqual(r.sip.statuses("tx9"), [200]);
  assert.deepEqual(r.sip.statuses("tx1"), [100, 487]);
  assert.equal(r.sip.lastRequest("CANCEL").destination.port, 5080);
  assert.equal(r.recorder.endedCalls[0]?.failureStatus, 487);
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
