/**
 * Two TransactionLayers over the in-process loop network (testing/loop-network.ts):
 * drops, duplicates and reordering, with time moved by hand.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { setHeader } from "../headers.js";
import type { SipRequest, SipResponse } from "../message.js";
import { LoopNetwork, type LoopKnobs, type LoopNode, type TransactionUser } from "../testing/loop-network.js";
import { seededRandom } from "../testing/seeded-random.js";
import { makeRequest, makeResponse } from "../testing/sip-messages.js";
import { describeActions } from "../testing/transaction-helpers.js";
import type { Endpoint } from "../transport-types.js";
import { createBranch } from "./branch.js";
import { createNon2xxAck } from "./create-ack.js";
import { DEFAULT_TIMER_SETTINGS } from "./timers.js";

const ALICE: Endpoint = { transport: "udp", address: "192.0.2.1", port: 5060 };
const BOB: Endpoint = { transport: "udp", address: "192.0.2.2", port: 5060 };
const { T1, T2 } = DEFAULT_TIMER_SETTINGS;

/** A UAS TU that answers each new request with `plan`: [delay ms, status] pairs. */
function answering(net: LoopNetwork, plan: (req: SipRequest) => [number, number][]): TransactionUser {
  return (action, node, now) => {
    if (action.type !== "request") return;
    for (const [delay, status] of plan(action.request)) {
      net.schedule(now + delay, (t) => net.dispatch(node, node.layer.sendResponse(action.tx.id, makeResponse(action.request, status, "bob"), t)));
    }
  };
}

/**
 * A UAS TU that accepts INVITEs with 200 after 50 ms and retransmits the 2xx itself until
 * the ACK arrives (RFC 3261 §13.3.1.4: T1 doubling to T2, for 64*T1), as RFC 6026 wants.
 */
function accepting(net: LoopNetwork): TransactionUser {
  let acked = false;
  return (action, node, now) => {
    if (action.type === "ack-2xx") acked = true;
    if (action.type !== "request" || action.request.method !== "INVITE") return;
    const { tx, request, source } = action;
    const ok = makeResponse(request, 200, "bob");
    const send = (t: number, interval: number): void => {
      if (acked || t > now + 64 * T1) return;
      const out = node.layer.sendResponse(tx.id, ok, t);
      net.dispatch(node, out.length > 0 ? out : node.layer.sendStateless(ok, source));
      net.schedule(t + interval, (next) => send(next, Math.min(2 * interval, T2)));
    };
    net.dispatch(node, node.layer.sendResponse(tx.id, makeResponse(request, 180, "bob"), now));
    net.schedule(now + 50, (t) => send(t, T1));
  };
}

/** A UAC TU that ACKs every 2xx it is given (first and retransmitted) with a new branch (§13.2.2.4). */
function ackingEvery2xx(invite: SipRequest, random: () => number): TransactionUser {
  return (action, node) => {
    if (action.type !== "response" || action.response.status < 200 || action.response.status >= 300) return;
    return node.layer.sendStateless(ack2xx(invite, action.response, random), BOB);
  };
}

function ack2xx(invite: SipRequest, ok: SipResponse, random: () => number): SipRequest {
  const ack = createNon2xxAck(invite, ok);
  setHeader(ack, "Via", `SIP/2.0/UDP 192.0.2.1:5060;branch=${createBranch(random)}`);
  return ack;
}

function network(knobs: LoopKnobs, bobTu: (net: LoopNetwork) => TransactionUser): { net: LoopNetwork; alice: LoopNode; bob: LoopNode } {
  const net = new LoopNetwork({ delay: 5, ...knobs });
  const alice = net.addNode("alice", ALICE);
  const bob = net.addNode("bob", BOB, { tu: bobTu(net) });
  return { net, alice, bob };
}

function request(method: string, random: () => number): SipRequest {
  return makeRequest({ method, branch: createBranch(random), sentBy: "192.0.2.1:5060", callId: `${createBranch(random)}@alice` });
}

function assertIdle(...nodes: LoopNode[]): void {
  for (const n of nodes) assert.equal(n.layer.clientCount + n.layer.serverCount, 0, `${n.name} still has transactions`);
}

test("loop: INVITE to nobody: sent at 0, 500, 1500, 3500, 7500, 15500, 31500 ms, timeout at 32 s", () => {
  const net = new LoopNetwork();
  const alice = net.addNode("alice", ALICE);
  net.sendRequest(alice, makeRequest({ method: "INVITE" }), BOB);
  net.runUntilIdle();
  assert.deepEqual(net.packets.map((p) => [p.sentAt, p.startLine, p.fate]), [0, 500, 1500, 3500, 7500, 15_500, 31_500].map((t) => [t, "INVITE sip:bob@example.com SIP/2.0", "no-route"]));
  assert.deepEqual(describeActions(alice.events), ["timeout:timerB", "terminated"]);
  assert.equal(net.now, 32_000);
});

for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
  test(`loop: 30 % drop (seed ${seed}): a non-INVITE transaction completes once on both sides`, () => {
    const random = seededRandom(seed);
    const { net, alice, bob } = network({ random, dropRate: 0.3 }, (n) => answering(n, () => [[0, 200]]));
    net.sendRequest(alice, request("OPTIONS", random), BOB);
    net.runUntilIdle();
    assert.deepEqual(describeActions(alice.events), ["response:200", "terminated"]);
    assert.deepEqual(describeActions(bob.events), ["request:OPTIONS", "terminated"]);
    assertIdle(alice, bob);
  });

  test(`loop: 30 % drop (seed ${seed}): INVITE → 180, 486 completes with the ACK absorbed`, () => {
    const random = seededRandom(100 + seed);
    const { net, alice, bob } = network({ random, dropRate: 0.3 }, (n) => answering(n, () => [[0, 180], [100, 486]]));
    net.sendRequest(alice, request("INVITE", random), BOB);
    net.runUntilIdle();
    const finals = alice.events.filter((e) => e.type === "response" && e.response.status === 486);
    assert.equal(finals.length, 1);
    assert.ok(!alice.events.some((e) => e.type === "timeout"), "UAC timed out");
    assert.deepEqual(describeActions(bob.events), ["request:INVITE", "terminated"], "UAS saw no ACK (Timer H)");
    assertIdle(alice, bob);
  });

  test(`loop: 30 % drop (seed ${seed}): INVITE → 200 with the TU retransmitting the 2xx (RFC 6026) completes`, () => {
    const random = seededRandom(200 + seed);
    const invite = request("INVITE", random);
    const { net, alice, bob } = network({ random, dropRate: 0.3 }, accepting);
    alice.tu = ackingEvery2xx(invite, random);
    net.sendRequest(alice, invite, BOB);
    net.runUntilIdle();
    assert.ok(alice.eventsOf("response").some((e) => e.response.status === 200), "UAC never got the 200");
    assert.ok(bob.eventsOf("ack-2xx").length >= 1, "UAS never got the ACK");
    assert.ok(!alice.events.some((e) => e.type === "timeout") && !bob.events.some((e) => e.type === "timeout"));
    assertIdle(alice, bob);
  });
}

test("loop: the 30 % drop runs really dropped packets", () => {
  const random = seededRandom(1);
  const { net, alice } = network({ random, dropRate: 0.3 }, (n) => answering(n, () => [[0, 180], [100, 486]]));
  net.sendRequest(alice, request("INVITE", random), BOB);
  net.runUntilIdle();
  assert.ok(net.packets.some((p) => p.fate === "dropped"));
});

test("loop: a 2xx retransmitted after a lost ACK reaches the UAC TU in Accepted (RFC 6026) and is ACKed again", () => {
  const random = seededRandom(9);
  const invite = request("INVITE", random);
  let acks = 0;
  const { net, alice, bob } = network({ dropIf: (p) => p.startLine.startsWith("ACK") && ++acks === 1 }, accepting);
  alice.tu = ackingEvery2xx(invite, random);
  const tx = net.sendRequest(alice, invite, BOB);
  net.advanceTo(1000);
  const oks = alice.eventsOf("response").filter((e) => e.response.status === 200);
  assert.equal(oks.length, 2);
  assert.ok(oks.every((e) => e.tx === tx));
  assert.equal(alice.layer.stateOf(tx.id), "Accepted");
  assert.equal(bob.eventsOf("ack-2xx").length, 1);
  // The 200 went out at 5 + 50 and again T1 later; both ACKs were sent, the first lost.
  assert.deepEqual(net.packets.filter((p) => p.startLine.startsWith("SIP/2.0 200")).map((p) => p.sentAt), [55, 555]);
  assert.deepEqual(net.packets.filter((p) => p.startLine.startsWith("ACK")).map((p) => [p.sentAt, p.fate]), [[60, "dropped"], [560, "delivered"]]);
});

test("loop: dropping the first INVITE: the retransmission at 500 ms gets through", () => {
  const { net, alice, bob } = network({ dropNth: [1] }, (n) => answering(n, () => [[0, 486]]));
  net.sendRequest(alice, makeRequest({ method: "INVITE" }), BOB);
  net.runUntilIdle();
  assert.deepEqual(net.packets.slice(0, 4).map((p) => [p.sentAt, p.startLine.split(" ")[0], p.fate]), [
    [0, "INVITE", "dropped"],
    [500, "INVITE", "delivered"],
    [505, "SIP/2.0", "delivered"],
    [510, "ACK", "delivered"],
  ]);
  assert.deepEqual(describeActions(bob.events), ["request:INVITE", "terminated"]);
});

test("loop: every packet duplicated: each TU sees each request and final response once", () => {
  const random = seededRandom(3);
  const { net, alice, bob } = network({ random, duplicateRate: 1, duplicateDelay: 3 }, (n) => answering(n, (r) => (r.method === "INVITE" ? [[0, 180], [20, 486]] : [[0, 200]])));
  net.sendRequest(alice, request("OPTIONS", random), BOB);
  net.sendRequest(alice, request("INVITE", random), BOB);
  net.runUntilIdle();
  assert.ok(net.packets.filter((p) => p.copy && p.fate === "delivered").length >= 5);
  assert.deepEqual(describeActions(bob.events.filter((e) => e.type !== "terminated")), ["request:OPTIONS", "request:INVITE"]);
  const responses = describeActions(alice.eventsOf("response"));
  assert.deepEqual(responses.filter((r) => r !== "response:180"), ["response:200", "response:486"]);
  assertIdle(alice, bob);
});

test("loop: a duplicated INVITE is answered from the server transaction (Completed) or absorbed (Confirmed), never passed up", () => {
  for (const [duplicateDelay, expected] of [
    // The copy lands at 17, between the 486 (sent at 15) and the ACK (arrives at 25): the 486 is resent, and re-ACKed.
    [12, [[0, "alice", "INVITE"], [15, "bob", "486"], [17, "bob", "486"], [20, "alice", "ACK"], [22, "alice", "ACK"]]],
    // The copy lands at 205, after the ACK: Confirmed absorbs it.
    [200, [[0, "alice", "INVITE"], [15, "bob", "486"], [20, "alice", "ACK"]]],
  ] as const) {
    const { net, alice, bob } = network({ duplicateNth: [1], duplicateDelay }, (n) => answering(n, () => [[10, 486]]));
    net.sendRequest(alice, makeRequest({ method: "INVITE" }), BOB);
    net.runUntilIdle();
    assert.deepEqual(describeActions(bob.events), ["request:INVITE", "terminated"]);
    const originals = net.packets.filter((p) => !p.copy).map((p) => [p.sentAt, p.from, p.message.kind === "request" ? p.message.method : String(p.message.status)]);
    assert.deepEqual(originals, expected);
    assert.equal(net.packets.find((p) => p.copy)?.deliveredAt, 5 + duplicateDelay);
    assert.deepEqual(describeActions(alice.eventsOf("response")), ["response:486"]);
  }
});

test("loop: a 180 overtaken by the 200 is not passed up once the UAC is in Accepted", () => {
  const random = seededRandom(4);
  const invite = request("INVITE", random);
  // Packets: 1 INVITE, 2 180, 3 200 … the 180 is held back 100 ms.
  const { net, alice } = network({ reorderNth: [2], reorderDelay: 100 }, accepting);
  alice.tu = ackingEvery2xx(invite, random);
  net.sendRequest(alice, invite, BOB);
  net.advanceTo(1000);
  assert.deepEqual(describeActions(alice.eventsOf("response")), ["response:200"]);
  assert.deepEqual(net.packets.find((p) => p.n === 2)?.deliveredAt, 110);
});

test("loop: over TCP a slow answer causes no retransmission", () => {
  const net = new LoopNetwork({ delay: 5 });
  const tcpAlice = { ...ALICE, transport: "tcp" as const };
  const tcpBob = { ...BOB, transport: "tcp" as const };
  const alice = net.addNode("alice", tcpAlice);
  net.addNode("bob", tcpBob, { tu: answering(net, () => [[5000, 200]]) });
  net.sendRequest(alice, makeRequest({ method: "OPTIONS", viaTransport: "TCP" }), tcpBob);
  net.runUntilIdle();
  assert.deepEqual(net.packets.map((p) => [p.sentAt, p.startLine.split(" ")[0]]), [[0, "OPTIONS"], [5005, "SIP/2.0"]]);
  assert.deepEqual(describeActions(alice.events), ["response:200", "terminated"]);
});
