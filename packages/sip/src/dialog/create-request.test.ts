/**
 * Out-of-dialog requests (RFC 3261 §8.1.1), CANCEL (§9.1), the ACK for a 2xx (§13.2.2.4)
 * and dialog-creating responses (§12.1.1): exact header text.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { headerField } from "../headers.js";
import type { SipRequest, SipResponse } from "../message.js";
import { parseMessage } from "../parse-message.js";
import { serializeMessage } from "../serialize-message.js";
import { parseText } from "../testing/sip-messages.js";
import { decodeUtf8, encodeUtf8 } from "../text.js";
import { formatAddress, formatDisplayName, withoutTag } from "./address-text.js";
import { createAck2xx } from "./create-ack-2xx.js";
import { createCancel } from "./create-cancel.js";
import { createDialogResponse } from "./create-dialog-response.js";
import { createRequest } from "./create-request.js";
import { Dialog } from "./dialog.js";
import { CAUSES } from "./q850.js";
import { q850Reason } from "./reason-header.js";

function wire(msg: SipRequest | SipResponse): string {
  return decodeUtf8(serializeMessage(msg));
}

function lines(...ls: string[]): string {
  return ls.join("\r\n") + "\r\n\r\n";
}

const SDP = "v=0\r\no=hotline 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\nm=audio 40000 RTP/AVP 8\r\n";

function invite(): SipRequest {
  return createRequest({
    method: "INVITE",
    requestUri: "sip:2001@192.0.2.50:5062",
    from: { uri: "sip:hotline@pbx.example.com", displayName: "Hotline Support", tag: "h-tag-1" },
    to: { uri: "sip:2001@pbx.example.com", displayName: "Agent 2001" },
    callId: "c-1@pbx.example.com",
    cseq: 1,
    via: { transport: "udp", sentBy: "192.0.2.10:5060", branch: "z9hG4bKinv-1", rport: true },
    contact: "sip:hotline@192.0.2.10:5060",
    routes: ["sip:outbound.example.com;lr"],
    headers: [headerField("Proxy-Authorization", 'Digest username="hotline", realm="pbx", nonce="n", uri="sip:2001@192.0.2.50:5062", response="00"'), headerField("Allow", "INVITE, ACK, CANCEL, BYE")],
    body: encodeUtf8(SDP),
    contentType: "application/sdp",
  });
}

test("createRequest: an INVITE outside a dialog (§8.1.1), exact text, parses back", () => {
  const text = wire(invite());
  assert.equal(
    text,
    lines(
      "INVITE sip:2001@192.0.2.50:5062 SIP/2.0",
      "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKinv-1;rport",
      "Max-Forwards: 70",
      "Route: <sip:outbound.example.com;lr>",
      "From: Hotline Support <sip:hotline@pbx.example.com>;tag=h-tag-1",
      "To: Agent 2001 <sip:2001@pbx.example.com>",
      "Call-ID: c-1@pbx.example.com",
      "CSeq: 1 INVITE",
      "Contact: <sip:hotline@192.0.2.10:5060>",
      'Proxy-Authorization: Digest username="hotline", realm="pbx", nonce="n", uri="sip:2001@192.0.2.50:5062", response="00"',
      "Allow: INVITE, ACK, CANCEL, BYE",
      "Content-Type: application/sdp",
      `Content-Length: ${SDP.length}`,
    ).slice(0, -2) + "\r\n" + SDP,
  );
  const back = parseMessage(encodeUtf8(text));
  assert.ok(back.ok && back.message.kind === "request" && back.message.method === "INVITE");
});

test("createRequest: a strict outbound proxy puts itself in the Request-URI (§8.1.1.1 → §12.2.1.1)", () => {
  const r = createRequest({
    method: "OPTIONS",
    requestUri: "sip:trunk.example.net",
    from: { uri: "sip:hotline@pbx.example.com", tag: "t" },
    to: { uri: "sip:trunk.example.net" },
    callId: "o-1",
    cseq: 9,
    via: { transport: "TCP", sentBy: "pbx.example.com", branch: "z9hG4bKo-1" },
    routes: ["<sip:old-proxy.example.com>"],
    maxForwards: 0,
  });
  assert.equal(
    wire(r),
    lines(
      "OPTIONS sip:old-proxy.example.com SIP/2.0",
      "Via: SIP/2.0/TCP pbx.example.com;branch=z9hG4bKo-1",
      "Max-Forwards: 0",
      "Route: <sip:trunk.example.net>",
      "From: <sip:hotline@pbx.example.com>;tag=t",
      "To: <sip:trunk.example.net>",
      "Call-ID: o-1",
      "CSeq: 9 OPTIONS",
      "Content-Length: 0",
    ),
  );
});

test("display names: token words stay bare, anything else is quoted with escapes (§25.1)", () => {
  const cases: [string, string][] = [
    ["Bob", "Bob"],
    ["Bob Jones", "Bob Jones"],
    ["Bob, Jr.", '"Bob, Jr."'],
    ['Alice "Al" Smith', '"Alice \\"Al\\" Smith"'],
    ["back\\slash", '"back\\\\slash"'],
    ["Müller", '"Müller"'],
    ["two  spaces", '"two  spaces"'],
    ["line\r\nbreak", "line break"],
    ["", '""'],
  ];
  for (const [input, out] of cases) assert.equal(formatDisplayName(input), out, input);
  assert.equal(formatAddress("sip:a@b;transport=tcp", null), "<sip:a@b;transport=tcp>");
  assert.equal(formatAddress("sip:a@b", ""), "<sip:a@b>");
  // What we write parses back to the same display name.
  const text = `To: ${formatAddress("sip:a@b", 'Alice "Al" Smith')}`;
  const m = parseText(`OPTIONS sip:a@b SIP/2.0\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\n${text}\nFrom: <sip:x@y>;tag=1\nCall-ID: 1\nCSeq: 1 OPTIONS\nContent-Length: 0\n\n`);
  assert.equal(m.headers.find((h) => h.key === "to")?.value, '"Alice \\"Al\\" Smith" <sip:a@b>');
});

test("withoutTag keeps the value as written minus the tag parameter", () => {
  assert.equal(withoutTag('"A;b<c" <sip:a@b;tag=uri-param>;tag=x;foo=bar'), '"A;b<c" <sip:a@b;tag=uri-param>;foo=bar');
  assert.equal(withoutTag("sip:a@b;TAG=x"), "sip:a@b");
  assert.equal(withoutTag('<sip:a@b> ; tag = x ; q="a;b"'), '<sip:a@b>;q="a;b"');
  assert.equal(withoutTag("Bob <sip:bob@h>"), "Bob <sip:bob@h>");
});

test("createCancel: §9.1 same Request-URI, Call-ID, From, To, CSeq number; one Via = INVITE's top; Route copied; Reason", () => {
  const cancel = createCancel(invite(), q850Reason(CAUSES.NORMAL_CLEARING));
  assert.equal(
    wire(cancel),
    lines(
      "CANCEL sip:2001@192.0.2.50:5062 SIP/2.0",
      "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKinv-1;rport",
      "Max-Forwards: 70",
      "Route: <sip:outbound.example.com;lr>",
      "From: Hotline Support <sip:hotline@pbx.example.com>;tag=h-tag-1",
      "To: Agent 2001 <sip:2001@pbx.example.com>",
      "Call-ID: c-1@pbx.example.com",
      "CSeq: 1 CANCEL",
      'Reason: Q.850;cause=16;text="Normal call clearing"',
      "Content-Length: 0",
    ),
  );
  assert.equal(wire(createCancel(invite())).includes("Reason"), false);
});

/** The 200 for invite() as hotline receives it: Contact and Record-Route from the callee. */
function ok200(toTag = "agent-1"): SipResponse {
  const inv = invite();
  return createDialogResponse(
    { ...inv, headers: [...inv.headers, headerField("Record-Route", "<sip:outbound.example.com;lr>")] },
    200,
    { toTag, contact: "<sip:2001@192.0.2.50:5062;transport=udp>", body: encodeUtf8(SDP), contentType: "application/sdp" },
  );
}

test("createDialogResponse: §12.1.1 copies Record-Route and adds Contact and the To tag", () => {
  assert.equal(
    wire(ok200()),
    lines(
      "SIP/2.0 200 OK",
      "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKinv-1;rport",
      "From: Hotline Support <sip:hotline@pbx.example.com>;tag=h-tag-1",
      "To: Agent 2001 <sip:2001@pbx.example.com>;tag=agent-1",
      "Call-ID: c-1@pbx.example.com",
      "CSeq: 1 INVITE",
      "Record-Route: <sip:outbound.example.com;lr>",
      "Contact: <sip:2001@192.0.2.50:5062;transport=udp>",
      "Content-Type: application/sdp",
      `Content-Length: ${SDP.length}`,
    ).slice(0, -2) + "\r\n" + SDP,
  );
});

test("createAck2xx: §13.2.2.4 new branch, CSeq = INVITE's with ACK, credentials copied, route set and target from the dialog", () => {
  const inv = invite();
  const res = ok200();
  const dialog = Dialog.fromUac(inv, res);
  const seqBefore = dialog.localSeq;
  const ack = createAck2xx(dialog, inv, res, { via: { transport: "UDP", sentBy: "192.0.2.10:5060", branch: "z9hG4bKack-1" } });
  assert.equal(
    wire(ack),
    lines(
      "ACK sip:2001@192.0.2.50:5062;transport=udp SIP/2.0",
      "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKack-1",
      "Max-Forwards: 70",
      "Route: <sip:outbound.example.com;lr>",
      "From: Hotline Support <sip:hotline@pbx.example.com>;tag=h-tag-1",
      "To: Agent 2001 <sip:2001@pbx.example.com>;tag=agent-1",
      "Call-ID: c-1@pbx.example.com",
      "CSeq: 1 ACK",
      'Proxy-Authorization: Digest username="hotline", realm="pbx", nonce="n", uri="sip:2001@192.0.2.50:5062", response="00"',
      "Content-Length: 0",
    ),
  );
  assert.equal(dialog.localSeq, seqBefore, "the ACK does not consume a CSeq");
  assert.equal(dialog.createRequest("BYE", { via: { transport: "UDP", sentBy: "192.0.2.10:5060", branch: "z9hG4bKbye-1" } }).headers.find((h) => h.key === "cseq")?.value, "2 BYE");
  assert.throws(() => createAck2xx(dialog, inv, { ...res, status: 486 }, { via: { transport: "UDP", sentBy: "h", branch: "z9hG4bKx" } }), /not a 2xx/);
});

test("createAck2xx: a delayed offer's answer rides in the ACK", () => {
  const inv = invite();
  const res = ok200();
  const ack = createAck2xx(Dialog.fromUac(inv, res), inv, res, { via: { transport: "UDP", sentBy: "h", branch: "z9hG4bKack-2" }, body: encodeUtf8(SDP), contentType: "application/sdp" });
  assert.equal(ack.headers.find((h) => h.key === "content-type")?.value, "application/sdp");
  assert.equal(ack.headers.find((h) => h.key === "content-length")?.value, String(SDP.length));
});

test("createDialogResponse: a final failure carries no Record-Route (it creates no dialog)", () => {
  const inv = invite();
  const withRr = { ...inv, headers: [...inv.headers, headerField("Record-Route", "<sip:outbound.example.com;lr>")] };
  const busy = createDialogResponse(withRr, 486, { toTag: "agent-1", contact: "sip:2001@192.0.2.50:5062" });
  assert.deepEqual(busy.headers.map((h) => h.name), ["Via", "From", "To", "Call-ID", "CSeq", "Contact"]);
  assert.equal(busy.reason, "Busy Here");
});
