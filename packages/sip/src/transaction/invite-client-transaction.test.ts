import { test } from "node:test";
import assert from "node:assert/strict";
import { getHeader, getHeaderFields, getHeaderValues } from "../headers.js";
import type { SipRequest } from "../message.js";
import { makeRequest, makeResponse } from "../testing/sip-messages.js";
import { type TransitionRow, describeActions, driveTimers, machineTicker, timesOf, transitionTests } from "../testing/transaction-helpers.js";
import { InviteClientTransaction, type InviteClientState } from "./invite-client-transaction.js";
import { DEFAULT_TIMER_SETTINGS } from "./timers.js";
import type { ClientTransactionInput } from "./transaction-types.js";

const invite = makeRequest({ method: "INVITE", headers: ["Route: <sip:p1.example.com;lr>", "Route: <sip:p2.example.com;lr>", "Contact: <sip:alice@10.0.0.1>"] });
const res = (status: number, toTag = "to-1") => makeResponse(invite, status, toTag);

function ict(reliable = false): InviteClientTransaction {
  return new InviteClientTransaction({ request: invite, reliable, timers: DEFAULT_TIMER_SETTINGS });
}

/** A transaction started at 0 and brought to `state` at 100 ms. */
function inState(state: InviteClientState, reliable = false): InviteClientTransaction {
  const t = ict(reliable);
  t.handle({ type: "start" }, 0);
  const via: Record<InviteClientState, ClientTransactionInput | null> = {
    Calling: null,
    Proceeding: { type: "response", response: res(180) },
    Completed: { type: "response", response: res(486) },
    Accepted: { type: "response", response: res(200) },
    Terminated: { type: "transport-error" },
  };
  const input = via[state];
  if (input !== null) t.handle(input, 100);
  assert.equal(t.state, state);
  return t;
}

type Row = TransitionRow<InviteClientState, ClientTransactionInput>;

const TABLE: Row[] = [
  { from: "Calling", input: { type: "response", response: res(100) }, expect: ["response:100"], to: "Proceeding" },
  { from: "Calling", input: { type: "response", response: res(180) }, expect: ["response:180"], to: "Proceeding" },
  { from: "Calling", input: { type: "response", response: res(200) }, expect: ["response:200"], to: "Accepted" },
  { from: "Calling", input: { type: "response", response: res(486) }, expect: ["response:486", "send:ACK"], to: "Completed" },
  { from: "Calling", input: { type: "tick" }, at: 500, expect: ["send:INVITE"], to: "Calling" },
  { from: "Calling", input: { type: "tick" }, at: 499, expect: [], to: "Calling" },
  { from: "Calling", input: { type: "transport-error" }, expect: ["transport-error", "terminated"], to: "Terminated" },
  { from: "Proceeding", input: { type: "response", response: res(183) }, expect: ["response:183"], to: "Proceeding" },
  { from: "Proceeding", input: { type: "response", response: res(200) }, expect: ["response:200"], to: "Accepted" },
  { from: "Proceeding", input: { type: "response", response: res(603) }, expect: ["response:603", "send:ACK"], to: "Completed" },
  // §17.1.1.2: no retransmissions and no Timer B once a provisional response arrived.
  { from: "Proceeding", input: { type: "tick" }, at: 100_000, expect: [], to: "Proceeding" },
  { from: "Proceeding", input: { type: "transport-error" }, expect: ["transport-error", "terminated"], to: "Terminated" },
  { from: "Completed", input: { type: "response", response: res(486) }, expect: ["send:ACK"], to: "Completed" },
  { from: "Completed", input: { type: "response", response: res(180) }, expect: [], to: "Completed" },
  { from: "Completed", input: { type: "response", response: res(200) }, expect: [], to: "Completed" },
  { from: "Completed", input: { type: "tick" }, at: 32_099, expect: [], to: "Completed" },
  { from: "Completed", input: { type: "tick" }, at: 32_100, expect: ["terminated"], to: "Terminated" },
  { from: "Completed", input: { type: "transport-error" }, expect: ["transport-error", "terminated"], to: "Terminated" },
  // RFC 6026 §7.2: 2xx retransmissions (and other forks' 2xx) still reach the TU.
  { from: "Accepted", input: { type: "response", response: res(200) }, expect: ["response:200"], to: "Accepted" },
  { from: "Accepted", input: { type: "response", response: res(200, "other-fork") }, expect: ["response:200"], to: "Accepted" },
  { from: "Accepted", input: { type: "response", response: res(180) }, expect: [], to: "Accepted" },
  { from: "Accepted", input: { type: "response", response: res(486) }, expect: [], to: "Accepted" },
  { from: "Accepted", input: { type: "tick" }, at: 32_100, expect: ["terminated"], to: "Terminated" },
  { from: "Terminated", input: { type: "response", response: res(200) }, expect: [], to: "Terminated" },
  { from: "Terminated", input: { type: "tick" }, at: 100_000, expect: [], to: "Terminated" },
];

transitionTests("ICT", TABLE, {
  inState,
  defaultAt: 200,
  inputLabel: (i) => (i.type === "response" ? `${i.response.status}` : i.type),
});

test("ICT over UDP, no answer: INVITE at 0, retransmits at 500, 1500, 3500, 7500, 15500, 31500 ms, timeout (Timer B) at exactly 32 s", () => {
  const t = ict();
  assert.deepEqual(describeActions(t.handle({ type: "start" }, 0)), ["send:INVITE"]);
  const log = driveTimers(machineTicker(t), 1_000_000);
  assert.deepEqual(timesOf(log, "send:INVITE"), [500, 1500, 3500, 7500, 15_500, 31_500]);
  assert.deepEqual(timesOf(log, "timeout:timerB"), [32_000]);
  assert.deepEqual(describeActions(log.at(-1)!.actions), ["timeout:timerB", "terminated"]);
  assert.equal(t.state, "Terminated");
  assert.equal(t.nextDeadline(), null);
});

test("ICT over TCP: sent once, never retransmitted, timeout at 32 s", () => {
  const t = ict(true);
  assert.deepEqual(describeActions(t.handle({ type: "start" }, 0)), ["send:INVITE"]);
  const log = driveTimers(machineTicker(t), 1_000_000);
  assert.deepEqual(log.map((l) => [l.at, describeActions(l.actions)]), [[32_000, ["timeout:timerB", "terminated"]]]);
});

test("ICT T1 is per instance: T1 = 100 ms → retransmits at 100, 300, 700 … and Timer B at 6.4 s", () => {
  const t = new InviteClientTransaction({ request: invite, reliable: false, timers: { T1: 100, T2: 4000, T4: 5000 } });
  t.handle({ type: "start" }, 0);
  const log = driveTimers(machineTicker(t), 1_000_000);
  assert.deepEqual(timesOf(log, "send:INVITE"), [100, 300, 700, 1500, 3100, 6300]);
  assert.deepEqual(timesOf(log, "timeout:timerB"), [6400]);
});

test("ICT late tick: one retransmission, no burst, the schedule continues from now", () => {
  const t = ict();
  t.handle({ type: "start" }, 0);
  assert.deepEqual(describeActions(t.handle({ type: "tick" }, 2000)), ["send:INVITE"]);
  assert.equal(t.nextDeadline(), 3000);
});

test("ICT Completed over TCP: Timer D is 0, the transaction ends with the ACK", () => {
  const t = inState("Calling", true);
  assert.deepEqual(describeActions(t.handle({ type: "response", response: res(486) }, 100)), ["response:486", "send:ACK", "terminated"]);
  assert.equal(t.state, "Terminated");
});

test("ICT Accepted over TCP: Timer M is still 64*T1 (retransmitted 2xx come from the TU, RFC 6026)", () => {
  const t = inState("Accepted", true);
  assert.equal(t.nextDeadline(), 32_100);
});

test("ICT ACK for a non-2xx follows RFC 3261 §17.1.1.3", () => {
  const t = inState("Calling");
  const out = t.handle({ type: "response", response: res(486, "callee-tag") }, 100);
  const send = out.find((a) => a.type === "send");
  assert.ok(send !== undefined && send.type === "send" && send.message.kind === "request");
  const ack: SipRequest = send.message;
  assert.equal(ack.method, "ACK");
  assert.equal(ack.uri, invite.uri);
  assert.deepEqual(getHeaderValues(ack, "via"), [getHeaderValues(invite, "via")[0]]);
  assert.equal(getHeader(ack, "from"), getHeader(invite, "from"));
  assert.equal(getHeader(ack, "to"), "<sip:bob@example.com>;tag=callee-tag");
  assert.equal(getHeader(ack, "call-id"), getHeader(invite, "call-id"));
  assert.equal(getHeader(ack, "cseq"), "1 ACK");
  assert.deepEqual(getHeaderFields(ack, "route"), ["<sip:p1.example.com;lr>", "<sip:p2.example.com;lr>"]);
  assert.equal(getHeader(ack, "max-forwards"), "70");
  assert.equal(getHeader(ack, "contact"), undefined);
  assert.equal(ack.body.length, 0);
  // The retransmitted final response gets the very same ACK.
  const again = t.handle({ type: "response", response: res(486, "callee-tag") }, 600);
  assert.deepEqual(again, [{ type: "send", message: ack }]);
});

test("ICT start twice sends once", () => {
  const t = ict();
  assert.equal(t.handle({ type: "start" }, 0).length, 1);
  assert.equal(t.handle({ type: "start" }, 10).length, 0);
});
