/**
 * Dialogs built from realistic INVITE/2xx pairs through two record-routing proxies
 * (RFC 3261 §12.1.1, §12.1.2), the in-dialog requests they make (§12.2.1.1, exact wire
 * text), CSeq ordering (§12.2.2) and target refresh.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { SipRequest, SipResponse } from "../message.js";
import { serializeMessage } from "../serialize-message.js";
import { parseText } from "../testing/sip-messages.js";
import { decodeUtf8 } from "../text.js";
import { Dialog } from "./dialog.js";
import { dialogKey, matchDialogId } from "./dialog-id.js";

const CALL_ID = "f81d4fae-7dec-11d0-a765-00a0c91e6bf6@192.0.2.101";

function wire(msg: SipRequest | SipResponse): string {
  return decodeUtf8(serializeMessage(msg));
}

function lines(...ls: string[]): string {
  return ls.join("\r\n") + "\r\n\r\n";
}

function req(text: string): SipRequest {
  const m = parseText(text);
  assert.equal(m.kind, "request");
  return m as SipRequest;
}

function res(text: string): SipResponse {
  const m = parseText(text);
  assert.equal(m.kind, "response");
  return m as SipResponse;
}

/** The INVITE as Bob (UAS) receives it: Alice → P1 → P2 → Bob, both proxies record-routing. */
function inviteAtBob(p1 = "<sip:p1.example.com;lr>", p2 = "<sip:p2.example.net;lr>"): SipRequest {
  return req(`INVITE sip:bob@192.0.2.201 SIP/2.0
Via: SIP/2.0/UDP p2.example.net:5060;branch=z9hG4bKp2-1
Via: SIP/2.0/UDP p1.example.com:5060;branch=z9hG4bKp1-1
Via: SIP/2.0/UDP 192.0.2.101:5060;branch=z9hG4bKa-1
Max-Forwards: 68
Record-Route: ${p2}
Record-Route: ${p1}
From: "Alice Liddell" <sip:alice@atlanta.example.com>;tag=a73kszlfl
To: Bob <sip:bob@biloxi.example.com>
Call-ID: ${CALL_ID}
CSeq: 314159 INVITE
Contact: <sip:alice@192.0.2.101:5060>
Content-Length: 0

`);
}

/** The INVITE as Alice (UAC) sent it. */
function inviteFromAlice(): SipRequest {
  return req(`INVITE sip:bob@biloxi.example.com SIP/2.0
Via: SIP/2.0/UDP 192.0.2.101:5060;branch=z9hG4bKa-1
Max-Forwards: 70
From: "Alice Liddell" <sip:alice@atlanta.example.com>;tag=a73kszlfl
To: Bob <sip:bob@biloxi.example.com>
Call-ID: ${CALL_ID}
CSeq: 314159 INVITE
Contact: <sip:alice@192.0.2.101:5060>
Content-Length: 0

`);
}

/** A response to Alice's INVITE as Alice receives it (the proxies took their Vias off). */
function responseAtAlice(status: string, opts: { rr?: string; contact?: string; toTag?: string; cseq?: string } = {}): SipResponse {
  return res(`SIP/2.0 ${status}
Via: SIP/2.0/UDP 192.0.2.101:5060;branch=z9hG4bKa-1
Record-Route: ${opts.rr ?? "<sip:p2.example.net;lr>, <sip:p1.example.com;lr>"}
From: "Alice Liddell" <sip:alice@atlanta.example.com>;tag=a73kszlfl
To: Bob <sip:bob@biloxi.example.com>;tag=${opts.toTag ?? "b-tag-1"}
Call-ID: ${CALL_ID}
CSeq: ${opts.cseq ?? "314159 INVITE"}
Contact: ${opts.contact ?? "<sip:bob@192.0.2.201:5060>"}
Content-Length: 0

`);
}

const BOB_VIA = { transport: "udp", sentBy: "192.0.2.201:5060", branch: "z9hG4bKbye-1" };
const ALICE_VIA = { transport: "UDP", sentBy: "192.0.2.101:5060", branch: "z9hG4bKbye-2" };

test("dialog: UAS (§12.1.1) takes Record-Route in order, Contact as target, the INVITE's CSeq as remote seq", () => {
  const d = Dialog.fromUas(inviteAtBob(), "b-tag-1", "<sip:bob@192.0.2.201:5060>");
  assert.deepEqual(d.id, { callId: CALL_ID, localTag: "b-tag-1", remoteTag: "a73kszlfl" });
  assert.equal(d.localUri, "Bob <sip:bob@biloxi.example.com>");
  assert.equal(d.remoteUri, '"Alice Liddell" <sip:alice@atlanta.example.com>');
  assert.deepEqual(d.routeSet, ["<sip:p2.example.net;lr>", "<sip:p1.example.com;lr>"]);
  assert.equal(d.remoteTarget, "sip:alice@192.0.2.101:5060");
  assert.equal(d.remoteSeq, 314159);
  assert.equal(d.localSeq, 0);
  assert.equal(d.state, "confirmed");
  assert.equal(d.secure, false);
  assert.equal(d.role, "uas");
  assert.deepEqual(d.defects, []);
  assert.equal(d.nextHop(), "sip:p2.example.net;lr");
});

test("dialog: the UAS's BYE through two loose routers, exact wire text", () => {
  const d = Dialog.fromUas(inviteAtBob(), "b-tag-1", "<sip:bob@192.0.2.201:5060>");
  const bye = d.createRequest("BYE", { via: BOB_VIA });
  assert.equal(
    wire(bye),
    lines(
      "BYE sip:alice@192.0.2.101:5060 SIP/2.0",
      "Via: SIP/2.0/UDP 192.0.2.201:5060;branch=z9hG4bKbye-1",
      "Max-Forwards: 70",
      "Route: <sip:p2.example.net;lr>",
      "Route: <sip:p1.example.com;lr>",
      "From: Bob <sip:bob@biloxi.example.com>;tag=b-tag-1",
      'To: "Alice Liddell" <sip:alice@atlanta.example.com>;tag=a73kszlfl',
      `Call-ID: ${CALL_ID}`,
      "CSeq: 1 BYE",
      "Content-Length: 0",
    ),
  );
  assert.equal(d.localSeq, 1);
});

test("dialog: initialLocalSeq picks the UAS's first CSeq", () => {
  const d = Dialog.fromUas(inviteAtBob(), "b-tag-1", "<sip:bob@192.0.2.201:5060>", { initialLocalSeq: 7000 });
  assert.equal(d.createRequest("INFO", { via: BOB_VIA }).headers.find((h) => h.key === "cseq")?.value, "7000 INFO");
  assert.equal(d.createRequest("BYE", { via: BOB_VIA }).headers.find((h) => h.key === "cseq")?.value, "7001 BYE");
  assert.throws(() => Dialog.fromUas(inviteAtBob(), "b", "<sip:b@h>", { initialLocalSeq: 2 ** 31 }), /initialLocalSeq/);
});

test("dialog: UAC (§12.1.2) reverses the 2xx's Record-Route; its BYE goes to P1 first with CSeq INVITE+1", () => {
  const d = Dialog.fromUac(inviteFromAlice(), responseAtAlice("200 OK"));
  assert.deepEqual(d.id, { callId: CALL_ID, localTag: "a73kszlfl", remoteTag: "b-tag-1" });
  assert.deepEqual(d.routeSet, ["<sip:p1.example.com;lr>", "<sip:p2.example.net;lr>"]);
  assert.equal(d.remoteTarget, "sip:bob@192.0.2.201:5060");
  assert.equal(d.localSeq, 314159);
  assert.equal(d.remoteSeq, null);
  assert.equal(d.state, "confirmed");
  assert.equal(d.localContact, "<sip:alice@192.0.2.101:5060>");
  assert.equal(d.nextHop(), "sip:p1.example.com;lr");
  assert.equal(
    wire(d.createRequest("BYE", { via: ALICE_VIA, headers: [] })),
    lines(
      "BYE sip:bob@192.0.2.201:5060 SIP/2.0",
      "Via: SIP/2.0/UDP 192.0.2.101:5060;branch=z9hG4bKbye-2",
      "Max-Forwards: 70",
      "Route: <sip:p1.example.com;lr>",
      "Route: <sip:p2.example.net;lr>",
      'From: "Alice Liddell" <sip:alice@atlanta.example.com>;tag=a73kszlfl',
      "To: Bob <sip:bob@biloxi.example.com>;tag=b-tag-1",
      `Call-ID: ${CALL_ID}`,
      "CSeq: 314160 BYE",
      "Content-Length: 0",
    ),
  );
});

test("dialog: strict router first (no ;lr): Request-URI = that route, remote target appended as last Route (§12.2.1.1)", () => {
  // P1 is an RFC 2543 strict router; the UAC's route set starts with it.
  const d = Dialog.fromUac(inviteFromAlice(), responseAtAlice("200 OK", { rr: "<sip:p2.example.net;lr>, <sip:p1.example.com>" }));
  assert.equal(d.nextHop(), "sip:p1.example.com");
  assert.equal(
    wire(d.createRequest("BYE", { via: ALICE_VIA })),
    lines(
      "BYE sip:p1.example.com SIP/2.0",
      "Via: SIP/2.0/UDP 192.0.2.101:5060;branch=z9hG4bKbye-2",
      "Max-Forwards: 70",
      "Route: <sip:p2.example.net;lr>",
      "Route: <sip:bob@192.0.2.201:5060>",
      'From: "Alice Liddell" <sip:alice@atlanta.example.com>;tag=a73kszlfl',
      "To: Bob <sip:bob@biloxi.example.com>;tag=b-tag-1",
      `Call-ID: ${CALL_ID}`,
      "CSeq: 314160 BYE",
      "Content-Length: 0",
    ),
  );
});

test("dialog: strict routing strips parameters a Request-URI may not carry (method, headers; §19.1.1 Table 1)", () => {
  const d = Dialog.fromUas(inviteAtBob("<sip:p1.example.com;lr>", "<sip:p2.example.net;transport=tcp;method=INVITE?Subject=x>"), "b", "<sip:bob@192.0.2.201>");
  const bye = d.createRequest("BYE", { via: BOB_VIA });
  assert.equal(bye.uri, "sip:p2.example.net;transport=tcp");
  assert.deepEqual(bye.headers.filter((h) => h.key === "route").map((h) => h.value), ["<sip:p1.example.com;lr>", "<sip:alice@192.0.2.101:5060>"]);
  assert.equal(d.nextHop(), "sip:p2.example.net;transport=tcp");
});

test("dialog: no Record-Route: Request-URI is the remote target, no Route, next hop = target", () => {
  const d = Dialog.fromUac(inviteFromAlice(), res(wire(responseAtAlice("200 OK")).replace(/Record-Route: [^\r]*\r\n/, "")));
  assert.deepEqual(d.routeSet, []);
  const bye = d.createRequest("BYE", { via: ALICE_VIA });
  assert.equal(bye.uri, "sip:bob@192.0.2.201:5060");
  assert.equal(bye.headers.filter((h) => h.key === "route").length, 0);
  assert.equal(d.nextHop(), "sip:bob@192.0.2.201:5060");
});

test("dialog: target refresh methods carry Contact; re-INVITE with SDP body gets Content-Type and length", () => {
  const d = Dialog.fromUac(inviteFromAlice(), responseAtAlice("200 OK"));
  const body = new TextEncoder().encode("v=0\r\n");
  const reinvite = d.createRequest("INVITE", { via: ALICE_VIA, body, contentType: "application/sdp" });
  const h = (r: SipRequest, k: string): string[] => r.headers.filter((x) => x.key === k).map((x) => x.value);
  assert.deepEqual(h(reinvite, "contact"), ["<sip:alice@192.0.2.101:5060>"]);
  assert.deepEqual(h(reinvite, "content-type"), ["application/sdp"]);
  assert.deepEqual(h(reinvite, "content-length"), ["5"]);
  assert.deepEqual(h(reinvite, "cseq"), ["314160 INVITE"]);
  for (const m of ["UPDATE", "SUBSCRIBE", "NOTIFY", "REFER"]) assert.deepEqual(h(d.createRequest(m, { via: ALICE_VIA, contact: "sip:alice@10.0.0.1" }), "contact"), ["<sip:alice@10.0.0.1>"], m);
  for (const m of ["BYE", "INFO", "PRACK", "MESSAGE", "OPTIONS"]) assert.deepEqual(h(d.createRequest(m, { via: ALICE_VIA }), "contact"), [], m);
  assert.throws(() => d.createRequest("ACK", { via: ALICE_VIA }), /createAck2xx/);
  assert.throws(() => d.createRequest("CANCEL", { via: ALICE_VIA }), /createCancel/);
  assert.throws(() => d.createRequest("INFO", { via: ALICE_VIA, body }), /contentType/);
});

/** An in-dialog request from Alice to Bob's UAS dialog. */
function fromAlice(method: string, cseq: number, opts: { contact?: string; toTag?: string; callId?: string } = {}): SipRequest {
  return req(`${method} sip:bob@192.0.2.201:5060 SIP/2.0
Via: SIP/2.0/UDP 192.0.2.101:5060;branch=z9hG4bK-${method}-${cseq}
Max-Forwards: 70
From: "Alice Liddell" <sip:alice@atlanta.example.com>;tag=a73kszlfl
To: Bob <sip:bob@biloxi.example.com>;tag=${opts.toTag ?? "b-tag-1"}
Call-ID: ${opts.callId ?? CALL_ID}
CSeq: ${cseq} ${method}
${opts.contact === undefined ? "" : `Contact: ${opts.contact}\n`}Content-Length: 0

`);
}

test("dialog: §12.2.2 CSeq ordering: lower → 500, equal or higher → accepted and remembered", () => {
  const d = Dialog.fromUas(inviteAtBob(), "b-tag-1", "<sip:bob@192.0.2.201:5060>");
  assert.deepEqual(d.receiveRequest(fromAlice("INFO", 314160)), { ok: true });
  assert.equal(d.remoteSeq, 314160);
  assert.deepEqual(d.receiveRequest(fromAlice("INFO", 314159)), { ok: false, status: 500, reason: "CSeq Out Of Order" });
  assert.equal(d.remoteSeq, 314160);
  assert.deepEqual(d.receiveRequest(fromAlice("UPDATE", 314160)), { ok: true });
  assert.deepEqual(d.receiveRequest(fromAlice("INFO", 314170)), { ok: true });
  assert.equal(d.remoteSeq, 314170);
  // The ACK (and CANCEL) carry their INVITE's number and are never answered: no 500, no move.
  assert.deepEqual(d.receiveRequest(fromAlice("ACK", 314159)), { ok: true });
  assert.equal(d.remoteSeq, 314170);
  assert.deepEqual(d.receiveRequest(fromAlice("BYE", 314171)), { ok: true });
  assert.equal(d.state, "terminated");
  assert.deepEqual(d.receiveRequest(fromAlice("INFO", 314172)), { ok: false, status: 481, reason: "Call/Transaction Does Not Exist" });
});

test("dialog: the UAC side's remote seq starts empty and takes the first request's CSeq", () => {
  const d = Dialog.fromUac(inviteFromAlice(), responseAtAlice("200 OK"));
  const bye = req(wire(fromAlice("BYE", 1))
    .replace(/^BYE sip:bob@192\.0\.2\.201:5060/, "BYE sip:alice@192.0.2.101:5060")
    .replace('From: "Alice Liddell" <sip:alice@atlanta.example.com>;tag=a73kszlfl', "From: Bob <sip:bob@biloxi.example.com>;tag=b-tag-1")
    .replace("To: Bob <sip:bob@biloxi.example.com>;tag=b-tag-1", 'To: "Alice Liddell" <sip:alice@atlanta.example.com>;tag=a73kszlfl'));
  assert.deepEqual(d.receiveRequest(bye), { ok: true });
  assert.equal(d.remoteSeq, 1);
  assert.equal(d.state, "terminated");
});

test("dialog: a request of another dialog (tag or Call-ID) → 481", () => {
  const d = Dialog.fromUas(inviteAtBob(), "b-tag-1", "<sip:bob@192.0.2.201:5060>");
  const e481 = { ok: false, status: 481, reason: "Call/Transaction Does Not Exist" };
  assert.deepEqual(d.receiveRequest(fromAlice("INFO", 314160, { toTag: "other" })), e481);
  assert.deepEqual(d.receiveRequest(fromAlice("INFO", 314160, { callId: "x@y" })), e481);
  assert.equal(d.remoteSeq, 314159);
});

test("dialog: UAS target refresh happens on refreshTarget (the re-INVITE accepted), not on receipt", () => {
  const d = Dialog.fromUas(inviteAtBob(), "b-tag-1", "<sip:bob@192.0.2.201:5060>");
  const reinvite = fromAlice("INVITE", 314160, { contact: '"Alice" <sip:alice@198.51.100.7:5070;transport=tcp>' });
  assert.deepEqual(d.receiveRequest(reinvite), { ok: true });
  assert.equal(d.remoteTarget, "sip:alice@192.0.2.101:5060");
  assert.equal(d.refreshTarget(reinvite), true);
  assert.equal(d.remoteTarget, "sip:alice@198.51.100.7:5070;transport=tcp");
  assert.equal(d.createRequest("BYE", { via: BOB_VIA }).uri, "sip:alice@198.51.100.7:5070;transport=tcp");
  assert.equal(d.refreshTarget(fromAlice("INFO", 314161)), false, "no Contact: target kept");
  assert.equal(d.remoteTarget, "sip:alice@198.51.100.7:5070;transport=tcp");
});

test("dialog: UAC receiveResponse: 2xx to re-INVITE/UPDATE refreshes the target; 2xx to INFO does not; 481 terminates", () => {
  const d = Dialog.fromUac(inviteFromAlice(), responseAtAlice("200 OK"));
  d.createRequest("INVITE", { via: ALICE_VIA });
  assert.equal(d.receiveResponse(responseAtAlice("200 OK", { cseq: "314160 INVITE", contact: "<sip:bob@203.0.113.9>" })), "target-refreshed");
  assert.equal(d.remoteTarget, "sip:bob@203.0.113.9");
  assert.equal(d.receiveResponse(responseAtAlice("200 OK", { cseq: "314161 UPDATE", contact: "<sip:bob@203.0.113.10>" })), "target-refreshed");
  assert.equal(d.remoteTarget, "sip:bob@203.0.113.10");
  assert.equal(d.receiveResponse(responseAtAlice("200 OK", { cseq: "314162 INFO", contact: "<sip:bob@203.0.113.11>" })), "none");
  assert.equal(d.remoteTarget, "sip:bob@203.0.113.10");
  assert.equal(d.receiveResponse(responseAtAlice("491 Request Pending", { cseq: "314163 INVITE" })), "none");
  assert.equal(d.receiveResponse(responseAtAlice("200 OK", { toTag: "fork-2", cseq: "314163 INVITE" })), "mismatch");
  assert.equal(d.state, "confirmed");
  assert.equal(d.receiveResponse(responseAtAlice("481 Call/Transaction Does Not Exist", { cseq: "314164 INFO" })), "terminated");
  assert.equal(d.state, "terminated");
});

test("dialog: any final response to our BYE terminates; so does 408 (§12.2.1.2)", () => {
  const d1 = Dialog.fromUac(inviteFromAlice(), responseAtAlice("200 OK"));
  assert.equal(d1.receiveResponse(responseAtAlice("500 Server Internal Error", { cseq: "314160 BYE" })), "terminated");
  const d2 = Dialog.fromUac(inviteFromAlice(), responseAtAlice("200 OK"));
  assert.equal(d2.receiveResponse(responseAtAlice("408 Request Timeout", { cseq: "314160 UPDATE" })), "terminated");
});

test("dialog: early (180 with To tag) → confirmed by the 2xx, whose Record-Route and Contact replace the 180's (§13.2.2.4)", () => {
  const invite = inviteFromAlice();
  const d = Dialog.fromUac(invite, responseAtAlice("180 Ringing", { rr: "<sip:p1.example.com;lr>", contact: "<sip:bob@10.1.1.1>" }));
  assert.equal(d.state, "early");
  assert.deepEqual(d.routeSet, ["<sip:p1.example.com;lr>"]);
  assert.equal(d.receiveResponse(responseAtAlice("183 Session Progress")), "none");
  assert.equal(d.receiveResponse(responseAtAlice("200 OK")), "confirmed");
  assert.equal(d.state, "confirmed");
  assert.deepEqual(d.routeSet, ["<sip:p1.example.com;lr>", "<sip:p2.example.net;lr>"]);
  assert.equal(d.remoteTarget, "sip:bob@192.0.2.201:5060");
});

test("dialog: an early dialog ends with a non-2xx final response to its INVITE (§12.3)", () => {
  const d = Dialog.fromUac(inviteFromAlice(), responseAtAlice("180 Ringing"));
  assert.equal(d.receiveResponse(responseAtAlice("486 Busy Here")), "terminated");
  assert.equal(d.state, "terminated");
});

test("dialog: UAS early dialog confirm()s; terminate() ends any", () => {
  const d = Dialog.fromUas(inviteAtBob(), "b-tag-1", "<sip:bob@192.0.2.201:5060>", { state: "early" });
  assert.equal(d.state, "early");
  d.confirm();
  assert.equal(d.state, "confirmed");
  d.terminate();
  assert.equal(d.state, "terminated");
});

test("dialog: a 2xx without Contact is worked around (target = Request-URI) and recorded, never thrown", () => {
  const ok = res(wire(responseAtAlice("200 OK")).replace(/Contact: [^\r]*\r\n/, ""));
  const d = Dialog.fromUac(inviteFromAlice(), ok);
  assert.equal(d.remoteTarget, "sip:bob@biloxi.example.com");
  assert.deepEqual(d.defects, ["Missing or bad Contact in the response: remote target is the Request-URI"]);
});

test("dialog: secure flag = SIPS Request-URI over TLS (§12.1.1)", () => {
  const tls = req(wire(inviteAtBob()).replace("INVITE sip:bob@192.0.2.201", "INVITE sips:bob@192.0.2.201").replace("SIP/2.0/UDP p2.example.net:5060", "SIP/2.0/TLS p2.example.net:5061"));
  assert.equal(Dialog.fromUas(tls, "b", "<sips:bob@192.0.2.201>").secure, true);
  const udp = req(wire(inviteAtBob()).replace("INVITE sip:bob@192.0.2.201", "INVITE sips:bob@192.0.2.201"));
  assert.equal(Dialog.fromUas(udp, "b", "<sips:bob@192.0.2.201>").secure, false);
});

test("dialog: matchDialogId finds the dialog of an in-dialog request and of a response, from each side", () => {
  const bob = Dialog.fromUas(inviteAtBob(), "b-tag-1", "<sip:bob@192.0.2.201:5060>");
  const alice = Dialog.fromUac(inviteFromAlice(), responseAtAlice("200 OK"));
  const byId = new Map([bob, alice].map((d) => [d.key, d]));
  const infoToBob = fromAlice("INFO", 314160);
  assert.deepEqual(matchDialogId(infoToBob, "uas"), { callId: CALL_ID, localTag: "b-tag-1", remoteTag: "a73kszlfl" });
  assert.equal(byId.get(dialogKey(CALL_ID, "b-tag-1", "a73kszlfl")), bob);
  const id = matchDialogId(responseAtAlice("200 OK", { cseq: "314160 INFO" }), "uac");
  assert.ok(id !== null);
  assert.equal(byId.get(dialogKey(id.callId, id.localTag, id.remoteTag)), alice);
  assert.equal(matchDialogId(inviteAtBob(), "uas"), null, "no To tag: not in a dialog");
  assert.notEqual(dialogKey("a", "b c", "d"), dialogKey("a", "b", "c d"));
});
