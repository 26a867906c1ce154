import { test } from "node:test";
import assert from "node:assert/strict";
import { getHeader } from "../headers.js";
import { makeRequest, makeResponse } from "../testing/sip-messages.js";
import { type TransitionRow, describeActions, driveTimers, machineTicker, timesOf, transitionTests } from "../testing/transaction-helpers.js";
import { InviteServerTransaction, type InviteServerState } from "./invite-server-transaction.js";
import { DEFAULT_TIMER_SETTINGS } from "./timers.js";
import type { ServerTransactionInput } from "./transaction-types.js";

const invite = makeRequest({ method: "INVITE", headers: ["Timestamp: 54.2"] });
const ack = makeRequest({ method: "ACK", toTag: "to-1" });
const res = (status: number) => makeResponse(invite, status);
const tu = (status: number): ServerTransactionInput => ({ type: "response", response: res(status) });

function ist(reliable = false): InviteServerTransaction {
  const t = new InviteServerTransaction({ request: invite, reliable, timers: DEFAULT_TIMER_SETTINGS });
  t.handle({ type: "start" }, 0);
  return t;
}

/** Started at 0, brought to `state` at 100 ms (Confirmed: the ACK at 150). */
function inState(state: InviteServerState, reliable = false): InviteServerTransaction {
  const t = ist(reliable);
  if (state === "Completed" || state === "Confirmed") t.handle(tu(486), 100);
  if (state === "Confirmed") t.handle({ type: "ack", request: ack }, 150);
  if (state === "Accepted") t.handle(tu(200), 100);
  if (state === "Terminated") t.handle({ type: "transport-error" }, 100);
  assert.equal(t.state, state);
  return t;
}

type Row = TransitionRow<InviteServerState, ServerTransactionInput>;

const TABLE: Row[] = [
  { from: "Proceeding", input: tu(180), expect: ["send:180"], to: "Proceeding" },
  { from: "Proceeding", input: tu(200), expect: ["send:200"], to: "Accepted" },
  { from: "Proceeding", input: tu(486), expect: ["send:486"], to: "Completed" },
  { from: "Proceeding", input: { type: "request", request: invite }, expect: [], to: "Proceeding" },
  { from: "Proceeding", input: { type: "ack", request: ack }, expect: [], to: "Proceeding" },
  { from: "Proceeding", input: { type: "tick" }, at: 199, expect: [], to: "Proceeding" },
  { from: "Proceeding", input: { type: "tick" }, at: 200, expect: ["send:100"], to: "Proceeding" },
  { from: "Proceeding", input: { type: "transport-error" }, expect: ["transport-error", "terminated"], to: "Terminated" },
  { from: "Completed", input: { type: "request", request: invite }, expect: ["send:486"], to: "Completed" },
  { from: "Completed", input: { type: "ack", request: ack }, expect: [], to: "Confirmed" },
  { from: "Completed", input: tu(200), expect: [], to: "Completed" },
  { from: "Completed", input: { type: "tick" }, at: 600, expect: ["send:486"], to: "Completed" },
  { from: "Completed", input: { type: "transport-error" }, expect: ["transport-error", "terminated"], to: "Terminated" },
  { from: "Confirmed", input: { type: "ack", request: ack }, expect: [], to: "Confirmed" },
  { from: "Confirmed", input: { type: "request", request: invite }, expect: [], to: "Confirmed" },
  { from: "Confirmed", input: { type: "tick" }, at: 5149, expect: [], to: "Confirmed" },
  // Timer I = T4 on UDP, from the ACK at 150.
  { from: "Confirmed", input: { type: "tick" }, at: 5150, expect: ["terminated"], to: "Terminated" },
  // RFC 6026 §8.7: in Accepted the INVITE is absorbed, the ACK goes to the TU, the TU's 2xx are sent.
  { from: "Accepted", input: { type: "request", request: invite }, expect: [], to: "Accepted" },
  { from: "Accepted", input: { type: "ack", request: ack }, expect: ["ack-2xx"], to: "Accepted" },
  { from: "Accepted", input: tu(200), expect: ["send:200"], to: "Accepted" },
  { from: "Accepted", input: tu(180), expect: [], to: "Accepted" },
  { from: "Accepted", input: tu(486), expect: [], to: "Accepted" },
  { from: "Accepted", input: { type: "tick" }, at: 32_099, expect: [], to: "Accepted" },
  { from: "Accepted", input: { type: "tick" }, at: 32_100, expect: ["terminated"], to: "Terminated" },
  { from: "Terminated", input: { type: "request", request: invite }, expect: [], to: "Terminated" },
];

transitionTests("IST", TABLE, {
  inState,
  defaultAt: 160,
  inputLabel: (i) => (i.type === "response" ? `TU ${i.response.status}` : i.type),
});

test("IST sends 100 Trying after 200 ms when the TU is silent, copying Timestamp and adding no To tag (§8.2.6)", () => {
  const t = ist();
  const log = driveTimers(machineTicker(t), 10_000);
  assert.deepEqual(log.map((l) => [l.at, describeActions(l.actions)]), [[200, ["send:100"]]]);
  const first = log[0]!.actions[0]!;
  assert.ok(first.type === "send" && first.message.kind === "response");
  assert.equal(getHeader(first.message, "timestamp"), "54.2");
  assert.equal(getHeader(first.message, "to"), "<sip:bob@example.com>");
  // A retransmitted INVITE now gets the 100 again.
  assert.deepEqual(describeActions(t.handle({ type: "request", request: invite }, 500)), ["send:100"]);
});

test("IST sends no 100 Trying when the TU answered within 200 ms", () => {
  const t = ist();
  t.handle(tu(180), 150);
  assert.deepEqual(driveTimers(machineTicker(t), 10_000), []);
  assert.deepEqual(describeActions(t.handle({ type: "request", request: invite }, 500)), ["send:180"]);
});

test("IST over UDP: Timer G resends the final response at 500, 1500, 3500, 7500, then every T2; Timer H times out at 64*T1", () => {
  const t = ist();
  t.handle(tu(486), 0);
  const log = driveTimers(machineTicker(t), 1_000_000);
  assert.deepEqual(timesOf(log, "send:486"), [500, 1500, 3500, 7500, 11_500, 15_500, 19_500, 23_500, 27_500, 31_500]);
  assert.deepEqual(timesOf(log, "timeout:timerH"), [32_000]);
  assert.equal(t.state, "Terminated");
});

test("IST over TCP: no Timer G, the ACK ends the transaction at once (Timer I = 0)", () => {
  const t = ist(true);
  t.handle(tu(486), 0);
  assert.equal(t.nextDeadline(), 32_000); // only Timer H
  assert.deepEqual(describeActions(t.handle({ type: "ack", request: ack }, 10)), ["terminated"]);
});

test("IST: the ACK for a non-2xx is absorbed and stops the retransmissions", () => {
  const t = ist();
  t.handle(tu(603), 0);
  t.handle({ type: "tick" }, 500);
  assert.deepEqual(t.handle({ type: "ack", request: ack }, 700), []);
  const log = driveTimers(machineTicker(t), 1_000_000);
  assert.deepEqual(log.map((l) => [l.at, describeActions(l.actions)]), [[5700, ["terminated"]]]);
});

test("IST Accepted: Timer L is 64*T1 on TCP too", () => {
  assert.equal(inState("Accepted", true).nextDeadline(), 32_100);
});
