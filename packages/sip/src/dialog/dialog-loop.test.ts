/**
 * A whole call between two TransactionLayers over the in-process loop network, each side
 * keeping its Dialog: INVITE → 180 → 200 → ACK (2xx, §13.2.2.4) → BYE → 200. Time moves
 * on the fake clock only.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createResponse } from "../create-response.js";
import { getHeader } from "../headers.js";
import type { SipRequest } from "../message.js";
import { isSipUri, parseUri } from "../parse-uri.js";
import { LoopNetwork, type TransactionUser } from "../testing/loop-network.js";
import { seededRandom } from "../testing/seeded-random.js";
import { createBranch } from "../transaction/branch.js";
import type { Endpoint } from "../transport-types.js";
import { createAck2xx } from "./create-ack-2xx.js";
import { createDialogResponse } from "./create-dialog-response.js";
import { createRequest } from "./create-request.js";
import { Dialog, type DialogResponseEffect } from "./dialog.js";
import { dialogKeyOf, matchDialogId, tagOf } from "./dialog-id.js";
import { CAUSES } from "./q850.js";
import { q850CauseOf, q850Reason } from "./reason-header.js";

const ALICE: Endpoint = { transport: "udp", address: "192.0.2.1", port: 5060 };
const BOB: Endpoint = { transport: "udp", address: "192.0.2.2", port: 5060 };

/** The adapter's job (RFC 3263), reduced to what the loop needs: host:port of a SIP URI. */
function resolve(uri: string): Endpoint {
  const u = parseUri(uri);
  if (!u.ok || !isSipUri(u.uri)) throw new Error(`cannot resolve ${uri}`);
  return { transport: "udp", address: u.uri.host, port: u.uri.port ?? 5060 };
}

test("loop: INVITE → 180 → 200 → ACK → BYE → 200 with a Dialog on each side", () => {
  const random = seededRandom(42);
  const net = new LoopNetwork({ delay: 5 });
  const alice = net.addNode("alice", ALICE);
  const bob = net.addNode("bob", BOB);
  const log: string[] = [];
  const note = (who: string, what: string): void => void log.push(`${net.now} ${who}: ${what}`);

  // Bob, the UAS: early dialog with the 180, confirmed with the 200 100 ms later, BYE at 1 s.
  const bobDialogs = new Map<string, Dialog>();
  let bobDialog: Dialog | null = null;
  const bobTu: TransactionUser = (action, node, now) => {
    if (action.type === "request" && action.request.method === "INVITE") {
      const { request, tx } = action;
      const d = Dialog.fromUas(request, "bob-tag", "sip:bob@192.0.2.2:5060", { state: "early" });
      bobDialog = d;
      bobDialogs.set(d.key, d);
      note("bob", `dialog ${d.state}`);
      net.schedule(now + 100, (t) => {
        d.confirm();
        note("bob", `dialog ${d.state}`);
        net.dispatch(node, node.layer.sendResponse(tx.id, createDialogResponse(request, 200, { toTag: "bob-tag", contact: "sip:bob@192.0.2.2:5060" }), t));
      });
      return node.layer.sendResponse(tx.id, createDialogResponse(request, 180, { toTag: "bob-tag", contact: "sip:bob@192.0.2.2:5060" }), now);
    }
    if (action.type === "ack-2xx") {
      const id = matchDialogId(action.request, "uas");
      const d = id === null ? undefined : bobDialogs.get(dialogKeyOf(id));
      note("bob", `ACK for dialog ${d === undefined ? "none" : "found"}: ${JSON.stringify(d?.receiveRequest(action.request))}`);
      return;
    }
    if (action.type === "response" && action.tx.method === "BYE" && bobDialog !== null) {
      note("bob", `BYE ${action.response.status} → ${bobDialog.receiveResponse(action.response)}`);
    }
  };
  bob.tu = bobTu;

  // Alice, the UAC.
  const invite: SipRequest = createRequest({
    method: "INVITE",
    requestUri: "sip:bob@192.0.2.2:5060",
    from: { uri: "sip:alice@example.com", displayName: "Alice", tag: "alice-tag" },
    to: { uri: "sip:bob@example.com" },
    callId: "loop-call-1@192.0.2.1",
    cseq: 1,
    via: { transport: "UDP", sentBy: "192.0.2.1:5060", branch: createBranch(random) },
    contact: "sip:alice@192.0.2.1:5060",
  });
  const aliceDialogs = new Map<string, Dialog>();
  let aliceDialog: Dialog | null = null;
  let ack: SipRequest | null = null;
  let byeCause: number | null = null;
  alice.tu = (action, node, now) => {
    if (action.type === "response" && action.tx.method === "INVITE") {
      const r = action.response;
      const toTag = tagOf(getHeader(r, "to"));
      if (r.status > 100 && r.status < 200 && aliceDialog === null && toTag !== null) {
        aliceDialog = Dialog.fromUac(invite, r);
        aliceDialogs.set(aliceDialog.key, aliceDialog);
        note("alice", `${r.status} → dialog ${aliceDialog.state}`);
      }
      if (r.status >= 200 && r.status < 300 && aliceDialog !== null) {
        const effect: DialogResponseEffect = aliceDialog.receiveResponse(r);
        note("alice", `${r.status} → ${effect}`);
        ack = createAck2xx(aliceDialog, invite, r, { via: { transport: "UDP", sentBy: "192.0.2.1:5060", branch: createBranch(random) } });
        return node.layer.sendStateless(ack, resolve(aliceDialog.nextHop()));
      }
      return;
    }
    if (action.type === "request" && action.request.method === "BYE") {
      const id = matchDialogId(action.request, "uas");
      const d = id === null ? undefined : aliceDialogs.get(dialogKeyOf(id));
      if (d === undefined) return node.layer.sendResponse(action.tx.id, createResponse(action.request, 481), now);
      const check = d.receiveRequest(action.request);
      byeCause = q850CauseOf(action.request);
      note("alice", `BYE ${JSON.stringify(check)}, dialog ${d.state}`);
      return node.layer.sendResponse(action.tx.id, createResponse(action.request, check.ok ? 200 : check.status), now);
    }
  };

  net.sendRequest(alice, invite, resolve(invite.uri));
  net.schedule(1000, (t) => {
    const d = bobDialog!;
    const bye = d.createRequest("BYE", { via: { transport: "UDP", sentBy: "192.0.2.2:5060", branch: createBranch(random) }, headers: [q850Reason(CAUSES.NORMAL_CLEARING)] });
    net.dispatch(bob, bob.layer.sendRequest(bye, resolve(d.nextHop()), t).actions);
  });
  net.runUntilIdle();

  assert.deepEqual(
    net.packets.map((p) => `${p.sentAt} ${p.from} ${p.startLine} ${p.fate} ${p.deliveredAt}`),
    [
      "0 alice INVITE sip:bob@192.0.2.2:5060 SIP/2.0 delivered 5",
      "5 bob SIP/2.0 180 Ringing delivered 10",
      "105 bob SIP/2.0 200 OK delivered 110",
      "110 alice ACK sip:bob@192.0.2.2:5060 SIP/2.0 delivered 115",
      "1000 bob BYE sip:alice@192.0.2.1:5060 SIP/2.0 delivered 1005",
      "1005 alice SIP/2.0 200 OK delivered 1010",
    ],
  );
  assert.deepEqual(log, [
    "5 bob: dialog early",
    "10 alice: 180 → dialog early",
    "105 bob: dialog confirmed",
    "110 alice: 200 → confirmed",
    '115 bob: ACK for dialog found: {"ok":true}',
    '1005 alice: BYE {"ok":true}, dialog terminated',
    "1010 bob: BYE 200 → terminated",
  ]);
  const a = aliceDialog as Dialog | null;
  const b = bobDialog as Dialog | null;
  assert.ok(a !== null && b !== null);
  assert.deepEqual(a.id, { callId: "loop-call-1@192.0.2.1", localTag: "alice-tag", remoteTag: "bob-tag" });
  assert.deepEqual(b.id, { callId: "loop-call-1@192.0.2.1", localTag: "bob-tag", remoteTag: "alice-tag" });
  assert.equal(a.state, "terminated");
  assert.equal(b.state, "terminated");
  assert.equal(a.remoteSeq, 1, "Bob's first request is CSeq 1");
  assert.equal(b.remoteSeq, 1, "the INVITE's CSeq");
  assert.equal(byeCause, 16);
  const sentAck = ack as SipRequest | null;
  assert.ok(sentAck !== null);
  assert.equal(getHeader(sentAck, "cseq"), "1 ACK");
  assert.notEqual(getHeader(sentAck, "via"), getHeader(invite, "via"), "the ACK for a 2xx has its own branch");
  // Every transaction finished by its timers (Timer L, J, K), none left behind.
  for (const n of [alice, bob]) assert.equal(n.layer.clientCount + n.layer.serverCount, 0, n.name);
  assert.ok(!alice.events.some((e) => e.type === "timeout") && !bob.events.some((e) => e.type === "timeout"));
});
