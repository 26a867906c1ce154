import { test } from "node:test";
import assert from "node:assert/strict";
import type { SipRequest } from "../message.js";
import { makeRequest, makeResponse, parseText } from "../testing/sip-messages.js";
import { describeActions, driveTimers, timesOf } from "../testing/transaction-helpers.js";
import type { Endpoint } from "../transport-types.js";
import { TransactionLayer } from "./transaction-layer.js";
import type { TransactionLayerAction } from "./transaction-layer-types.js";
import type { TransactionRef } from "./transaction-types.js";

const peer: Endpoint = { transport: "udp", address: "192.0.2.10", port: 5060 };
const proxyB: Endpoint = { transport: "udp", address: "192.0.2.20", port: 5060 };
const tcpPeer: Endpoint = { transport: "tcp", address: "192.0.2.10", port: 40_123 };

function txOf(actions: TransactionLayerAction[]): TransactionRef {
  const a = actions.find((x) => x.type === "request" || x.type === "merged-request");
  assert.ok(a !== undefined && (a.type === "request" || a.type === "merged-request"), `no request action in ${describeActions(actions).join(",")}`);
  return a.tx;
}

test("layer: INVITE over UDP, no answer: sends at 0, 500, 1500, 3500, 7500, 15500, 31500 ms; timeout at exactly 32 s, then forgotten", () => {
  const layer = new TransactionLayer();
  const { tx, actions } = layer.sendRequest(makeRequest({ method: "INVITE" }), peer, 0);
  assert.deepEqual(actions, [{ type: "send", message: actions[0]!.type === "send" ? actions[0]!.message : null, destination: peer, tx }]);
  // A tick far too late fires Timer A once (no burst of catch-up retransmissions).
  assert.deepEqual(describeActions(layer.tick(31_999)), ["send:INVITE"]);
  assert.equal(layer.nextDeadline(), 32_000);
  const layer2 = new TransactionLayer();
  const started = layer2.sendRequest(makeRequest({ method: "INVITE" }), peer, 0);
  const log = driveTimers(layer2, 1_000_000);
  assert.deepEqual(timesOf(log, "send:INVITE"), [500, 1500, 3500, 7500, 15_500, 31_500]);
  assert.deepEqual(log.at(-1), { at: 32_000, actions: [{ type: "timeout", tx: started.tx, timer: "timerB" }, { type: "terminated", tx: started.tx }] });
  assert.equal(layer2.clientCount, 0);
  assert.equal(layer2.nextDeadline(), null);
  assert.equal(layer2.stateOf(started.tx.id), undefined);
  assert.equal(layer2.counters.timeouts, 1);
});

test("layer: INVITE over TCP is never retransmitted", () => {
  const layer = new TransactionLayer();
  layer.sendRequest(makeRequest({ method: "INVITE", viaTransport: "TCP" }), tcpPeer, 0);
  const log = driveTimers(layer, 1_000_000);
  assert.deepEqual(log.map((l) => [l.at, describeActions(l.actions)]), [[32_000, ["timeout:timerB", "terminated"]]]);
});

test("layer: responses match the client transaction by branch and CSeq method (§17.1.3); others are stray", () => {
  const layer = new TransactionLayer();
  const invite = makeRequest({ method: "INVITE", branch: "z9hG4bK-a" });
  const cancel = makeRequest({ method: "CANCEL", branch: "z9hG4bK-a" });
  const ict = layer.sendRequest(invite, peer, 0).tx;
  const nict = layer.sendRequest(cancel, peer, 10).tx;
  assert.deepEqual(layer.receiveResponse(makeResponse(cancel, 200), peer, 20), [{ type: "response", tx: nict, response: makeResponse(cancel, 200) }]);
  const r487 = layer.receiveResponse(makeResponse(invite, 487), peer, 30);
  assert.deepEqual(describeActions(r487), ["response:487", "send:ACK"]);
  assert.equal(r487[0]!.type === "response" && r487[0]!.tx, ict);
  assert.deepEqual(r487[1]!.type === "send" && r487[1]!.destination, peer);
  const other = makeResponse(makeRequest({ method: "INVITE", branch: "z9hG4bK-b" }), 200);
  assert.deepEqual(layer.receiveResponse(other, peer, 40), [{ type: "stray-response", response: other, source: peer }]);
  assert.equal(layer.counters.strayResponses, 1);
});

test("layer: the ACK for a non-2xx carries the INVITE's branch and goes where the INVITE went", () => {
  const layer = new TransactionLayer();
  const invite = makeRequest({ method: "INVITE", branch: "z9hG4bK-ack" });
  layer.sendRequest(invite, peer, 0);
  const out = layer.receiveResponse(makeResponse(invite, 404), proxyB, 5);
  const send = out.find((a) => a.type === "send");
  assert.ok(send?.type === "send" && send.message.kind === "request");
  assert.equal(send.message.method, "ACK");
  assert.match(send.message.headers.find((h) => h.key === "via")!.value, /branch=z9hG4bK-ack$/);
  assert.deepEqual(send.destination, peer);
});

test("layer: a new request creates a server transaction; retransmissions are absorbed, then answered with the last response", () => {
  const layer = new TransactionLayer();
  const options = makeRequest({ method: "OPTIONS" });
  const first = layer.receiveRequest(options, peer, 0);
  assert.deepEqual(describeActions(first), ["request:OPTIONS"]);
  const tx = txOf(first);
  assert.deepEqual(first[0], { type: "request", tx, request: options, source: peer });
  assert.deepEqual(layer.receiveRequest(options, peer, 100), []);
  const ok = makeResponse(options, 200);
  assert.deepEqual(layer.sendResponse(tx.id, ok, 200), [{ type: "send", message: ok, destination: peer, tx }]);
  assert.deepEqual(layer.receiveRequest(options, peer, 700), [{ type: "send", message: ok, destination: peer, tx }]);
  assert.deepEqual(driveTimers(layer, 1_000_000).map((l) => [l.at, describeActions(l.actions)]), [[32_200, ["terminated"]]]);
  assert.equal(layer.serverCount, 0);
  assert.deepEqual(layer.sendResponse(tx.id, ok, 40_000), []);
  assert.equal(layer.counters.unknownTransaction, 1);
  // Gone: the same request now starts a new transaction.
  assert.deepEqual(describeActions(layer.receiveRequest(options, peer, 40_000)), ["request:OPTIONS"]);
});

test("layer: 100 Trying goes to the request's source after 200 ms", () => {
  const layer = new TransactionLayer();
  const tx = txOf(layer.receiveRequest(makeRequest({ method: "INVITE" }), peer, 1000));
  assert.equal(layer.nextDeadline(), 1200);
  assert.deepEqual(layer.tick(1199), []);
  const out = layer.tick(1200);
  assert.deepEqual(describeActions(out), ["send:100"]);
  assert.ok(out[0]!.type === "send");
  assert.deepEqual(out[0]!.destination, peer);
  assert.equal(out[0]!.tx, tx);
});

test("layer: the ACK for a non-2xx is absorbed by the INVITE server transaction (§17.2.3: same branch, method ACK)", () => {
  const layer = new TransactionLayer();
  const invite = makeRequest({ method: "INVITE", branch: "z9hG4bK-inv" });
  const tx = txOf(layer.receiveRequest(invite, peer, 0));
  layer.sendResponse(tx.id, makeResponse(invite, 486), 50);
  const ack = makeRequest({ method: "ACK", branch: "z9hG4bK-inv", toTag: "to-1" });
  assert.deepEqual(layer.receiveRequest(ack, peer, 60), []);
  assert.equal(layer.stateOf(tx.id), "Confirmed");
  assert.deepEqual(layer.receiveRequest(ack, peer, 70), []);
  assert.equal(layer.counters.acksWithoutTransaction, 0);
});

test("layer: an ACK for a 2xx (new branch) reaches the TU; so does one matching an INVITE server transaction in Accepted (RFC 6026)", () => {
  const layer = new TransactionLayer();
  const invite = makeRequest({ method: "INVITE", branch: "z9hG4bK-inv" });
  const tx = txOf(layer.receiveRequest(invite, peer, 0));
  const ok = makeResponse(invite, 200);
  layer.sendResponse(tx.id, ok, 50);
  assert.equal(layer.stateOf(tx.id), "Accepted");
  // The TU retransmits its 2xx through the transaction (RFC 3261 §13.3.1.4, RFC 6026 §8.7).
  assert.deepEqual(describeActions(layer.sendResponse(tx.id, ok, 550)), ["send:200"]);
  // A retransmitted INVITE is absorbed in Accepted.
  assert.deepEqual(layer.receiveRequest(invite, peer, 600), []);
  const ack = makeRequest({ method: "ACK", branch: "z9hG4bK-ack2xx", toTag: "to-1" });
  assert.deepEqual(layer.receiveRequest(ack, peer, 700), [{ type: "ack-2xx", request: ack, source: peer, tx: null }]);
  assert.equal(layer.counters.acksWithoutTransaction, 1);
  const sameBranchAck = makeRequest({ method: "ACK", branch: "z9hG4bK-inv", toTag: "to-1" });
  assert.deepEqual(layer.receiveRequest(sameBranchAck, peer, 800), [{ type: "ack-2xx", request: sameBranchAck, source: peer, tx }]);
});

test("layer: CANCEL gets its own server transaction and finds the INVITE it targets (§9.2)", () => {
  const layer = new TransactionLayer();
  const invite = makeRequest({ method: "INVITE", branch: "z9hG4bK-c1" });
  const inviteTx = txOf(layer.receiveRequest(invite, peer, 0));
  const cancel = makeRequest({ method: "CANCEL", branch: "z9hG4bK-c1" });
  const out = layer.receiveRequest(cancel, peer, 10);
  assert.deepEqual(describeActions(out), ["request:CANCEL"]);
  assert.notEqual(txOf(out).id, inviteTx.id);
  assert.equal(layer.findInviteServerTransactionForCancel(cancel), inviteTx);
  assert.equal(layer.findInviteServerTransactionForCancel(makeRequest({ method: "CANCEL", branch: "z9hG4bK-c2" })), null);
  assert.equal(layer.findInviteServerTransactionForCancel(makeRequest({ method: "CANCEL", branch: "z9hG4bK-c1", sentBy: "other.example.com" })), null);
  // Branches compare case-insensitively (RFC 3261 §7.3.1).
  assert.equal(layer.findInviteServerTransactionForCancel(makeRequest({ method: "CANCEL", branch: "Z9HG4BK-C1" })), inviteTx);
  layer.transportError(inviteTx.id, 20);
  assert.equal(layer.findInviteServerTransactionForCancel(cancel), null);
});

test("layer: a merged request (§8.2.2.2) creates a transaction flagged for a 482; retransmissions and in-dialog requests are not merged", () => {
  const layer = new TransactionLayer();
  const viaA = makeRequest({ method: "INVITE", branch: "z9hG4bK-path-a", sentBy: "proxy-a.example.com" });
  const viaB = makeRequest({ method: "INVITE", branch: "z9hG4bK-path-b", sentBy: "proxy-b.example.com" });
  assert.deepEqual(describeActions(layer.receiveRequest(viaA, peer, 0)), ["request:INVITE"]);
  assert.deepEqual(layer.receiveRequest(viaA, peer, 5), []);
  const merged = layer.receiveRequest(viaB, proxyB, 10);
  assert.deepEqual(describeActions(merged), ["merged-request:INVITE"]);
  assert.equal(layer.counters.mergedRequests, 1);
  const tx = txOf(merged);
  const loop = makeResponse(viaB, 482);
  assert.deepEqual(layer.sendResponse(tx.id, loop, 20), [{ type: "send", message: loop, destination: proxyB, tx }]);
  // Same From tag, Call-ID and CSeq but with a To tag: not a merge candidate.
  const withTag = makeRequest({ method: "INVITE", branch: "z9hG4bK-path-c", toTag: "x" });
  assert.deepEqual(describeActions(layer.receiveRequest(withTag, peer, 30)), ["request:INVITE"]);
  // Another CSeq is another request.
  assert.deepEqual(describeActions(layer.receiveRequest(makeRequest({ method: "INVITE", branch: "z9hG4bK-path-d", cseq: 2 }), peer, 40)), ["request:INVITE"]);
  assert.equal(layer.counters.mergedRequests, 1);
});

test("layer: RFC 2543 peers (no branch) match on Request-URI, tags, Call-ID, CSeq and top Via (§17.2.3)", () => {
  const layer = new TransactionLayer();
  const invite = makeRequest({ method: "INVITE", branch: null });
  const tx = txOf(layer.receiveRequest(invite, peer, 0));
  assert.deepEqual(layer.receiveRequest(makeRequest({ method: "INVITE", branch: null }), peer, 500), []);
  const r = makeResponse(invite, 486, "uas-tag");
  layer.sendResponse(tx.id, r, 600);
  assert.deepEqual(describeActions(layer.receiveRequest(makeRequest({ method: "INVITE", branch: null }), peer, 700)), ["send:486"]);
  // An ACK with another To tag is not ours; one with the tag of our response is.
  assert.deepEqual(describeActions(layer.receiveRequest(makeRequest({ method: "ACK", branch: null, toTag: "other" }), peer, 800)), ["ack-2xx"]);
  assert.equal(layer.stateOf(tx.id), "Completed");
  assert.deepEqual(layer.receiveRequest(makeRequest({ method: "ACK", branch: null, toTag: "uas-tag" }), peer, 900), []);
  assert.equal(layer.stateOf(tx.id), "Confirmed");
  // CANCEL finds the INVITE the same way.
  const inv2 = makeRequest({ method: "INVITE", branch: "abc-no-cookie", callId: "c2" });
  const tx2 = txOf(layer.receiveRequest(inv2, peer, 1000));
  assert.equal(layer.findInviteServerTransactionForCancel(makeRequest({ method: "CANCEL", branch: "abc-no-cookie", callId: "c2" })), tx2);
  assert.equal(layer.findInviteServerTransactionForCancel(makeRequest({ method: "CANCEL", branch: "abc-no-cookie", callId: "c3" })), null);
  // A different top Via, Request-URI or Call-ID is a different transaction.
  const options = { method: "OPTIONS", branch: null, callId: "o1" };
  assert.deepEqual(describeActions(layer.receiveRequest(makeRequest(options), peer, 1100)), ["request:OPTIONS"]);
  for (const spec of [{ sentBy: "elsewhere.example.com" }, { uri: "sip:carol@example.com" }, { callId: "o2" }]) {
    const out = describeActions(layer.receiveRequest(makeRequest({ ...options, ...spec }), peer, 1100));
    // Same From tag, Call-ID and CSeq on another path is even a merged request (§8.2.2.2).
    assert.deepEqual(out, [spec.callId === undefined ? "merged-request:OPTIONS" : "request:OPTIONS"]);
  }
});

const BADBRANCH = `OPTIONS sip:user@example.com SIP/2.0
To: sip:user@example.com
From: sip:caller@example.org;tag=33242
Max-Forwards: 3
Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK
Accept: application/sdp
Call-ID: badbranch.sadonfo23i420jv0as0derf3j3n
CSeq: 8 OPTIONS
l: 0

`;

test("layer: RFC 4475 §3.1.3.1 badbranch (cookie without identifier) falls back to RFC 2543 matching", () => {
  const layer = new TransactionLayer();
  const first = parseText(BADBRANCH) as SipRequest;
  const second = parseText(BADBRANCH.replace("badbranch.sadonfo23i420jv0as0derf3j3n", "badbranch.second").replace("CSeq: 8", "CSeq: 9")) as SipRequest;
  const tx1 = txOf(layer.receiveRequest(first, peer, 0));
  const ok1 = makeResponse(first, 200);
  layer.sendResponse(tx1.id, ok1, 1);
  // Same branch "z9hG4bK", different Call-ID: a new transaction, not a retransmission of the first.
  const out = layer.receiveRequest(second, peer, 2);
  assert.deepEqual(describeActions(out), ["request:OPTIONS"]);
  assert.notEqual(txOf(out).id, tx1.id);
  // A real retransmission of the first is answered with the first's response.
  assert.deepEqual(layer.receiveRequest(parseText(BADBRANCH) as SipRequest, peer, 3), [{ type: "send", message: ok1, destination: peer, tx: tx1 }]);
});

test("layer: beyond maxServerTransactions new requests yield overload (TU answers 503); existing ones still match", () => {
  const layer = new TransactionLayer({ maxServerTransactions: 2 });
  const a = makeRequest({ method: "OPTIONS", branch: "z9hG4bK-1", callId: "a" });
  const txA = txOf(layer.receiveRequest(a, peer, 0));
  layer.receiveRequest(makeRequest({ method: "OPTIONS", branch: "z9hG4bK-2", callId: "b" }), peer, 0);
  const c = makeRequest({ method: "OPTIONS", branch: "z9hG4bK-3", callId: "c" });
  assert.deepEqual(layer.receiveRequest(c, peer, 1), [{ type: "overload", request: c, source: peer }]);
  assert.equal(layer.counters.serverTransactionsRejected, 1);
  assert.equal(layer.serverCount, 2);
  const busy = makeResponse(c, 503);
  assert.deepEqual(layer.sendStateless(busy, peer), [{ type: "send", message: busy, destination: peer, tx: null }]);
  // ACKs never need a transaction slot.
  assert.deepEqual(describeActions(layer.receiveRequest(makeRequest({ method: "ACK", branch: "z9hG4bK-9", toTag: "t" }), peer, 2)), ["ack-2xx"]);
  layer.sendResponse(txA.id, makeResponse(a, 200), 3);
  assert.deepEqual(describeActions(layer.receiveRequest(a, peer, 4)), ["send:200"]);
  layer.tick(32_003); // Timer J ends A
  assert.deepEqual(describeActions(layer.receiveRequest(c, peer, 32_004)), ["request:OPTIONS"]);
});

test("layer: transport errors reach the TU and end the transaction", () => {
  const layer = new TransactionLayer();
  const { tx } = layer.sendRequest(makeRequest({ method: "REGISTER" }), tcpPeer, 0);
  assert.deepEqual(layer.transportError(tx.id, 5), [{ type: "transport-error", tx }, { type: "terminated", tx }]);
  assert.equal(layer.clientCount, 0);
  assert.deepEqual(layer.transportError(tx.id, 6), []);
});

test("layer: sendRequest refuses what cannot be a client transaction", () => {
  const layer = new TransactionLayer();
  assert.throws(() => layer.sendRequest(makeRequest({ method: "ACK" }), peer, 0), /ACK has no client transaction/);
  assert.throws(() => layer.sendRequest(makeRequest({ method: "OPTIONS", branch: null }), peer, 0), /no branch/);
  layer.sendRequest(makeRequest({ method: "OPTIONS", branch: "z9hG4bK-dup" }), peer, 0);
  assert.throws(() => layer.sendRequest(makeRequest({ method: "OPTIONS", branch: "z9hG4bK-dup" }), peer, 0), /already exists/);
  const server = txOf(layer.receiveRequest(makeRequest({ method: "OPTIONS" }), peer, 0));
  const client = layer.sendRequest(makeRequest({ method: "INFO", branch: "z9hG4bK-i" }), peer, 0).tx;
  assert.throws(() => layer.sendResponse(client.id, makeResponse(makeRequest({ method: "INFO" }), 200), 0), /client transaction/);
  assert.equal(layer.stateOf(server.id), "Trying");
});

test("layer: ids name the kind; terminated transactions leave no trace", () => {
  const layer = new TransactionLayer();
  const ict = layer.sendRequest(makeRequest({ method: "INVITE", branch: "z9hG4bK-x" }), peer, 0).tx;
  const nict = layer.sendRequest(makeRequest({ method: "BYE", branch: "z9hG4bK-y" }), peer, 0).tx;
  const ist = txOf(layer.receiveRequest(makeRequest({ method: "INVITE" }), peer, 0));
  const nist = txOf(layer.receiveRequest(makeRequest({ method: "BYE", toTag: "t" }), peer, 0));
  assert.deepEqual([ict.kind, nict.kind, ist.kind, nist.kind], ["invite-client", "non-invite-client", "invite-server", "non-invite-server"]);
  assert.match(ict.id, /^ict-\d+$/);
  assert.match(nist.id, /^nist-\d+$/);
  layer.sendResponse(ist.id, makeResponse(makeRequest({ method: "INVITE" }), 486), 10);
  layer.sendResponse(nist.id, makeResponse(makeRequest({ method: "BYE" }), 200), 10);
  driveTimers(layer, 1_000_000);
  assert.equal(layer.clientCount + layer.serverCount, 0);
  assert.equal(layer.nextDeadline(), null);
});
