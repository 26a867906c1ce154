import { test } from "node:test";
import assert from "node:assert/strict";
import { makeRequest, makeResponse } from "../testing/sip-messages.js";
import { type TransitionRow, describeActions, driveTimers, machineTicker, timesOf, transitionTests } from "../testing/transaction-helpers.js";
import { NonInviteClientTransaction, type NonInviteClientState } from "./non-invite-client-transaction.js";
import { DEFAULT_TIMER_SETTINGS } from "./timers.js";
import type { ClientTransactionInput } from "./transaction-types.js";

const options = makeRequest({ method: "OPTIONS" });
const res = (status: number) => makeResponse(options, status);

function nict(reliable = false): NonInviteClientTransaction {
  return new NonInviteClientTransaction({ request: options, reliable, timers: DEFAULT_TIMER_SETTINGS });
}

function inState(state: NonInviteClientState, reliable = false): NonInviteClientTransaction {
  const t = nict(reliable);
  t.handle({ type: "start" }, 0);
  const via: Record<NonInviteClientState, ClientTransactionInput | null> = {
    Trying: null,
    Proceeding: { type: "response", response: res(100) },
    Completed: { type: "response", response: res(200) },
    Terminated: { type: "transport-error" },
  };
  const input = via[state];
  if (input !== null) t.handle(input, 100);
  assert.equal(t.state, state);
  return t;
}

type Row = TransitionRow<NonInviteClientState, ClientTransactionInput>;

const TABLE: Row[] = [
  { from: "Trying", input: { type: "response", response: res(100) }, expect: ["response:100"], to: "Proceeding" },
  { from: "Trying", input: { type: "response", response: res(200) }, expect: ["response:200"], to: "Completed" },
  { from: "Trying", input: { type: "response", response: res(404) }, expect: ["response:404"], to: "Completed" },
  { from: "Trying", input: { type: "tick" }, at: 500, expect: ["send:OPTIONS"], to: "Trying" },
  { from: "Trying", input: { type: "transport-error" }, expect: ["transport-error", "terminated"], to: "Terminated" },
  { from: "Proceeding", input: { type: "response", response: res(180) }, expect: ["response:180"], to: "Proceeding" },
  { from: "Proceeding", input: { type: "response", response: res(202) }, expect: ["response:202"], to: "Completed" },
  { from: "Proceeding", input: { type: "response", response: res(500) }, expect: ["response:500"], to: "Completed" },
  { from: "Proceeding", input: { type: "tick" }, at: 500, expect: ["send:OPTIONS"], to: "Proceeding" },
  { from: "Proceeding", input: { type: "transport-error" }, expect: ["transport-error", "terminated"], to: "Terminated" },
  { from: "Completed", input: { type: "response", response: res(200) }, expect: [], to: "Completed" },
  { from: "Completed", input: { type: "response", response: res(100) }, expect: [], to: "Completed" },
  { from: "Completed", input: { type: "tick" }, at: 5099, expect: [], to: "Completed" },
  // Timer K = T4 on UDP.
  { from: "Completed", input: { type: "tick" }, at: 5100, expect: ["terminated"], to: "Terminated" },
  { from: "Terminated", input: { type: "response", response: res(200) }, expect: [], to: "Terminated" },
];

transitionTests("NICT", TABLE, {
  inState,
  defaultAt: 200,
  inputLabel: (i) => (i.type === "response" ? `${i.response.status}` : i.type),
});

test("NICT over UDP, no answer: Timer E doubles from T1 and is capped at T2; Timer F times out at 64*T1", () => {
  const t = nict();
  t.handle({ type: "start" }, 0);
  const log = driveTimers(machineTicker(t), 1_000_000);
  const sends = timesOf(log, "send:OPTIONS");
  // Intervals 500, 1000, 2000, 4000 (= T2), 4000, …
  assert.deepEqual(sends, [500, 1500, 3500, 7500, 11_500, 15_500, 19_500, 23_500, 27_500, 31_500]);
  assert.deepEqual(sends.map((s, i) => s - (sends[i - 1] ?? 0)), [500, 1000, 2000, 4000, 4000, 4000, 4000, 4000, 4000, 4000]);
  assert.deepEqual(timesOf(log, "timeout:timerF"), [32_000]);
  assert.equal(t.state, "Terminated");
});

test("NICT in Proceeding retransmits every T2", () => {
  const t = nict();
  t.handle({ type: "start" }, 0);
  t.handle({ type: "response", response: res(100) }, 100); // E still due at 500
  const log = driveTimers(machineTicker(t), 1_000_000);
  assert.deepEqual(timesOf(log, "send:OPTIONS"), [500, 4500, 8500, 12_500, 16_500, 20_500, 24_500, 28_500]);
  assert.deepEqual(timesOf(log, "timeout:timerF"), [32_000]);
});

test("NICT over TCP: sent once, Timer F still applies, Timer K is 0", () => {
  const t = nict(true);
  t.handle({ type: "start" }, 0);
  assert.deepEqual(
    driveTimers(machineTicker(t), 1_000_000).map((l) => [l.at, describeActions(l.actions)]),
    [[32_000, ["timeout:timerF", "terminated"]]],
  );
  const u = inState("Trying", true);
  assert.deepEqual(describeActions(u.handle({ type: "response", response: res(200) }, 100)), ["response:200", "terminated"]);
});

test("NICT timeout wins a tie with a retransmission (T1 = T2 = 125 → E and F both due at 8000)", () => {
  const t = new NonInviteClientTransaction({ request: options, reliable: false, timers: { T1: 125, T2: 125, T4: 5000 } });
  t.handle({ type: "start" }, 0);
  const log = driveTimers(machineTicker(t), 1_000_000);
  assert.deepEqual(describeActions(log.at(-1)!.actions), ["timeout:timerF", "terminated"]);
  assert.equal(log.at(-1)!.at, 8000);
  assert.equal(Math.max(...timesOf(log, "send:OPTIONS")), 7875);
});
