import { test } from "node:test";
import assert from "node:assert/strict";
import { getHeader, type SipRequest } from "@hotline/sip";
import { answerSdp, bodyText, inDialog, invite, parse, reply, rig, settle, toTagOf } from "../testing/call-rig.js";

function subscribe(ext: string, from: string, expires = 600): SipRequest {
  return parse([
    `SUBSCRIBE sip:${ext}@hotline.test SIP/2.0`,
    "Via: SIP/2.0/UDP 127.0.0.1:5090;branch=z9hG4bKsub1",
    `From: <sip:${from}@hotline.test>;tag=blf1`,
    `To: <sip:${ext}@hotline.test>`,
    "Call-ID: blf-call-1",
    "CSeq: 1 SUBSCRIBE",
    `Contact: <sip:${from}@127.0.0.1:5090>`,
    "Event: dialog",
    "Accept: application/dialog-info+xml",
    `Expires: ${expires}`,
    "Content-Length: 0",
    "",
    "",
  ].join("\r\n"));
}

const SRC = { transport: "udp" as const, address: "127.0.0.1", port: 5090 };

function notifies(r: Awaited<ReturnType<typeof rig>>): { state: string; sub: string }[] {
  return r.sip.requests
    .filter((x) => x.request.method === "NOTIFY")
    .map((x) => ({ state: /<state>(\w+)<\/state>/.exec(bodyText(x.request))?.[1] ?? "idle", sub: getHeader(x.request, "subscription-state") ?? "" }));
}

test("RFC 4235 busy lamp: 200 + full-state NOTIFY at once; early while ringing, confirmed in the call, idle after; Expires: 0 ends it", async () => {
  const r = await rig({ "1002": [5080] });
  r.manager.onRequest("s1", subscribe("1002", "1003"), SRC);
  await settle();
  const ok = r.sip.responses.find((x) => x.txId === "s1")!.response;
  assert.equal(ok.status, 200);
  assert.equal(getHeader(ok, "expires"), "600");
  assert.deepEqual(notifies(r), [{ state: "idle", sub: "active;expires=600" }]);
  const n0 = r.sip.lastRequest("NOTIFY").request;
  assert.equal(getHeader(n0, "content-type"), "application/dialog-info+xml");
  assert.match(bodyText(n0), /entity="sip:1002@hotline.test"/);
  // A call to 1002: ringing → early, answered → confirmed, hung up → idle.
  const inv = invite("1004", "1002");
  r.manager.onRequest("tx1", inv, { transport: "udp", address: "127.0.0.1", port: 5071 });
  await settle();
  const out = r.sip.lastRequest("INVITE");
  out.handler.onResponse(reply(out.request, 180));
  await settle();
  out.handler.onResponse(reply(out.request, 200, { sdp: answerSdp(41000) }));
  await settle();
  const toTag = toTagOf(r.sip.responses.find((x) => x.txId === "tx1" && x.response.status === 200)!.response);
  r.manager.onAck(inDialog("ACK", inv, toTag, 1));
  r.manager.onRequest("tx2", inDialog("BYE", inv, toTag, 2), { transport: "udp", address: "127.0.0.1", port: 5071 });
  await settle();
  assert.deepEqual(notifies(r).map((n) => n.state), ["idle", "early", "confirmed", "idle"]);
  // Unsubscribe: 200, then a final NOTIFY with Subscription-State: terminated.
  const subTag = toTagOf(ok);
  const unsub = parse([
    "SUBSCRIBE sip:1002@127.0.0.1:5060 SIP/2.0",
    "Via: SIP/2.0/UDP 127.0.0.1:5090;branch=z9hG4bKsub2",
    "From: <sip:1003@hotline.test>;tag=blf1",
    `To: <sip:1002@hotline.test>;tag=${subTag}`,
    "Call-ID: blf-call-1",
    "CSeq: 2 SUBSCRIBE",
    "Event: dialog",
    "Expires: 0",
    "Content-Length: 0",
    "",
    "",
  ].join("\r\n"));
  r.manager.onRequest("s2", unsub, SRC);
  await settle();
  assert.deepEqual(r.sip.statuses("s2"), [200]);
  assert.equal(notifies(r).at(-1)?.sub, "terminated;reason=timeout");
  assert.equal(r.manager.blf.size, 0);
});

test("SUBSCRIBE for another event package → 489; for an unknown number → 404", async () => {
  const r = await rig({});
  const presence = subscribe("1002", "1003");
  presence.headers = presence.headers.map((h) => (h.key === "event" ? { ...h, value: "presence" } : h));
  r.manager.onRequest("s1", presence, SRC);
  r.manager.onRequest("s2", subscribe("5555", "1003"), SRC);
  await settle();
  assert.deepEqual(r.sip.statuses("s1"), [489]);
  assert.deepEqual(r.sip.statuses("s2"), [404]);
});

test("SUBSCRIBE is challenged (407) and accepted with a digest computed over SUBSCRIBE; INVITE likewise", async () => {
  const { digestAuthorization } = await import("./digest-client.js");
  const r = await rig({ "1002": [5080] }, undefined, { passwords: { "1003": "pw-1003-secret" } });
  const first = subscribe("1002", "1003");
  r.manager.onRequest("s1", first, SRC);
  await settle();
  const challenge = r.sip.responses.find((x) => x.txId === "s1")!.response;
  assert.equal(challenge.status, 407);
  const auth = digestAuthorization(challenge, { username: "1003", password: "pw-1003-secret" }, "SUBSCRIBE", first.uri, "cn0001");
  assert.ok(auth !== null);
  const second = subscribe("1002", "1003");
  second.headers.push(auth);
  r.manager.onRequest("s2", second, SRC);
  await settle();
  assert.deepEqual(r.sip.statuses("s2"), [200]);
  // The same credentials computed for the wrong method are refused (RFC 7616 §3.4.3: A2 has the method).
  const wrong = digestAuthorization(challenge, { username: "1003", password: "pw-1003-secret" }, "INVITE", first.uri, "cn0002")!;
  const third = subscribe("1002", "1003");
  third.headers.push(wrong);
  r.manager.onRequest("s3", third, SRC);
  await settle();
  assert.deepEqual(r.sip.statuses("s3"), [407]);
});
