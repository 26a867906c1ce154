import { test } from "node:test";
import assert from "node:assert/strict";
import { getHeader, headerField } from "@hotline/sip";
import { answerSdp, inDialog, invite, reply, rig, settle, toTagOf } from "../testing/call-rig.js";

const SRC = { transport: "udp" as const, address: "127.0.0.1", port: 5071 };

test("RFC 4028 §8.1: Session-Expires below Min-SE → 422 with our Min-SE", async () => {
  const r = await rig({ "1002": [5080] });
  r.manager.onRequest("tx1", invite("1003", "1002", { headers: ["Session-Expires: 30", "Supported: timer"] }), SRC);
  await settle();
  const res = r.sip.responses.find((x) => x.txId === "tx1")!.response;
  assert.equal(res.status, 422);
  assert.equal(getHeader(res, "min-se"), "90");
});

test("caller refreshes (refresher=uac): 2xx carries Session-Expires + Require: timer; refreshes keep it; silence ends the call at interval − min(32, interval/3)", async () => {
  const r = await rig({ "1002": [5080] });
  const inv = invite("1003", "1002", { headers: ["Session-Expires: 90", "Supported: timer"] });
  r.manager.onRequest("tx1", inv, SRC);
  await settle();
  const out = r.sip.lastRequest("INVITE");
  assert.equal(getHeader(out.request, "session-expires"), "1800;refresher=uas", "offered to the callee");
  out.handler.onResponse(reply(out.request, 200, { sdp: answerSdp(41000) }));
  const ok = r.sip.responses.find((x) => x.txId === "tx1" && x.response.status === 200)!.response;
  assert.equal(getHeader(ok, "session-expires"), "90;refresher=uac");
  assert.equal(getHeader(ok, "require"), "timer");
  const toTag = toTagOf(ok);
  r.manager.onAck(inDialog("ACK", inv, toTag, 1));
  r.clock.advance(45_000);
  r.manager.onRequest("tx2", inDialog("UPDATE", inv, toTag, 2, { headers: ["Session-Expires: 90;refresher=uac"] }), SRC);
  await settle();
  const upd = r.sip.responses.find((x) => x.txId === "tx2")!.response;
  assert.equal(upd.status, 200);
  assert.equal(upd.body.length, 0, "no SDP in the answer to a refresh UPDATE without offer");
  r.clock.advance(59_000); // 104 s after start, 59 s after the refresh: still within 90 − 30
  await settle();
  assert.equal(r.sip.requests.filter((x) => x.request.method === "BYE").length, 0);
  r.clock.advance(1_000); // 60 s after the refresh = 90 − min(32, 30)
  await settle();
  const byes = r.sip.requests.filter((x) => x.request.method === "BYE");
  assert.equal(byes.length, 2, "both legs hung up");
  assert.match(getHeader(byes[0]!.request, "reason") ?? "", /cause=102/);
});

test("callee asks us to refresh (refresher=uac in its 2xx): UPDATE at half the interval; a 481 ends the call", async () => {
  const r = await rig({ "1002": [5080] });
  const inv = invite("1003", "1002");
  r.manager.onRequest("tx1", inv, SRC);
  await settle();
  const out = r.sip.lastRequest("INVITE");
  out.handler.onResponse(reply(out.request, 200, { sdp: answerSdp(41000), headers: [headerField("Session-Expires", "120;refresher=uac"), headerField("Require", "timer")] }));
  const ok = r.sip.responses.find((x) => x.txId === "tx1" && x.response.status === 200)!.response;
  r.manager.onAck(inDialog("ACK", inv, toTagOf(ok), 1));
  r.clock.advance(59_999);
  assert.equal(r.sip.requests.filter((x) => x.request.method === "UPDATE").length, 0);
  r.clock.advance(1);
  const upd = r.sip.lastRequest("UPDATE");
  assert.equal(getHeader(upd.request, "session-expires"), "120;refresher=uac");
  assert.equal(upd.destination.port, 5080);
  upd.handler.onResponse(reply(upd.request, 481, { toTag: "callee-tag" }));
  await settle();
  assert.equal(r.manager.activeCalls, 0);
});
