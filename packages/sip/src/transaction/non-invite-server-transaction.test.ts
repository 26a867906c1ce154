import { test } from "node:test";
import assert from "node:assert/strict";
import { makeRequest, makeResponse } from "../testing/sip-messages.js";
import { type TransitionRow, describeActions, driveTimers, machineTicker, transitionTests } from "../testing/transaction-helpers.js";
import { NonInviteServerTransaction, type NonInviteServerState } from "./non-invite-server-transaction.js";
import { DEFAULT_TIMER_SETTINGS } from "./timers.js";
import type { ServerTransactionInput } from "./transaction-types.js";

const bye = makeRequest({ method: "BYE", toTag: "to-1" });
const tu = (status: number): ServerTransactionInput => ({ type: "response", response: makeResponse(bye, status) });

function nist(reliable = false): NonInviteServerTransaction {
  const t = new NonInviteServerTransaction({ request: bye, reliable, timers: DEFAULT_TIMER_SETTINGS });
  t.handle({ type: "start" }, 0);
  return t;
}

function inState(state: NonInviteServerState, reliable = false): NonInviteServerTransaction {
  const t = nist(reliable);
  if (state === "Proceeding") t.handle(tu(100), 100);
  if (state === "Completed") t.handle(tu(200), 100);
  if (state === "Terminated") t.handle({ type: "transport-error" }, 100);
  assert.equal(t.state, state);
  return t;
}

type Row = TransitionRow<NonInviteServerState, ServerTransactionInput>;

const TABLE: Row[] = [
  { from: "Trying", input: { type: "request", request: bye }, expect: [], to: "Trying" },
  { from: "Trying", input: tu(100), expect: ["send:100"], to: "Proceeding" },
  { from: "Trying", input: tu(200), expect: ["send:200"], to: "Completed" },
  { from: "Trying", input: tu(481), expect: ["send:481"], to: "Completed" },
  { from: "Trying", input: { type: "transport-error" }, expect: ["transport-error", "terminated"], to: "Terminated" },
  { from: "Proceeding", input: { type: "request", request: bye }, expect: ["send:100"], to: "Proceeding" },
  { from: "Proceeding", input: tu(183), expect: ["send:183"], to: "Proceeding" },
  { from: "Proceeding", input: tu(200), expect: ["send:200"], to: "Completed" },
  { from: "Proceeding", input: { type: "transport-error" }, expect: ["transport-error", "terminated"], to: "Terminated" },
  { from: "Completed", input: { type: "request", request: bye }, expect: ["send:200"], to: "Completed" },
  { from: "Completed", input: tu(500), expect: [], to: "Completed" },
  { from: "Completed", input: { type: "tick" }, at: 32_099, expect: [], to: "Completed" },
  // Timer J = 64*T1 on UDP.
  { from: "Completed", input: { type: "tick" }, at: 32_100, expect: ["terminated"], to: "Terminated" },
  { from: "Completed", input: { type: "transport-error" }, expect: ["transport-error", "terminated"], to: "Terminated" },
  { from: "Terminated", input: { type: "request", request: bye }, expect: [], to: "Terminated" },
];

transitionTests("NIST", TABLE, {
  inState,
  defaultAt: 200,
  inputLabel: (i) => (i.type === "response" ? `TU ${i.response.status}` : i.type),
});

test("NIST never sends anything on its own and never times out", () => {
  const t = nist();
  assert.deepEqual(driveTimers(machineTicker(t), 1_000_000), []);
  assert.equal(t.state, "Trying");
});

test("NIST over TCP: Timer J is 0, the final response ends the transaction", () => {
  const t = inState("Trying", true);
  assert.deepEqual(describeActions(t.handle(tu(200), 100)), ["send:200", "terminated"]);
});
