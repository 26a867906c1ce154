/**
 * Helpers for transaction tests: one-word descriptions of actions ("send:ACK",
 * "response:180", "timeout:timerB") so transition tables stay readable, and a driver
 * that fires a machine's timers exactly at its deadlines.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { SipMessage } from "../message.js";
import type { TransactionLayerAction } from "../transaction/transaction-layer-types.js";
import type { TransactionAction } from "../transaction/transaction-types.js";

function label(m: SipMessage): string {
  return m.kind === "request" ? m.method : String(m.status);
}

export function describeAction(a: TransactionAction | TransactionLayerAction): string {
  switch (a.type) {
    case "send":
      return `send:${label(a.message)}`;
    case "response":
      return `response:${a.response.status}`;
    case "stray-response":
      return `stray-response:${a.response.status}`;
    case "request":
    case "merged-request":
    case "overload":
      return `${a.type}:${a.request.method}`;
    case "timeout":
      return `timeout:${a.timer}`;
    default:
      return a.type;
  }
}

export function describeActions(actions: readonly (TransactionAction | TransactionLayerAction)[]): string[] {
  return actions.map(describeAction);
}

export interface Timed<A> {
  at: number;
  actions: A[];
}

/** Anything with sans-IO timers: a machine (input {type:"tick"}) or a layer (tick). */
export interface Tickable<A> {
  nextDeadline(): number | null;
  tick(now: number): A[];
}

/** Fires every deadline up to `until`, each exactly at its time; returns what each firing produced. */
export function driveTimers<A>(target: Tickable<A>, until: number): Timed<A>[] {
  const log: Timed<A>[] = [];
  for (let at = target.nextDeadline(); at !== null && at <= until; at = target.nextDeadline()) {
    log.push({ at, actions: target.tick(at) });
  }
  return log;
}

/** Adapts a state machine to Tickable. */
export function machineTicker<A>(m: { nextDeadline(): number | null; handle(input: { type: "tick" }, now: number): A[] }): Tickable<A> {
  return { nextDeadline: () => m.nextDeadline(), tick: (now) => m.handle({ type: "tick" }, now) };
}

/** The times at which a driven target produced an action whose description is `what`. */
export function timesOf<A extends TransactionAction | TransactionLayerAction>(log: readonly Timed<A>[], what: string): number[] {
  return log.filter((t) => t.actions.some((a) => describeAction(a) === what)).map((t) => t.at);
}

/** One row of a state machine's transition table: in `from`, `input` at `at` gives `expect` and `to`. */
export interface TransitionRow<S extends string, I> {
  from: S;
  input: I;
  at?: number;
  expect: string[];
  to: S;
}

/**
 * One test per row, named `${name} ${from} --${input}[@at]--> ${to}`: bring a fresh machine to
 * `from`, apply `input` at `at` (or `defaultAt`), compare the described actions and the state.
 */
export function transitionTests<S extends string, I>(
  name: string,
  rows: readonly TransitionRow<S, I>[],
  opts: {
    inState: (state: S) => { readonly state: string; handle(input: I, now: number): TransactionAction[] };
    defaultAt: number;
    inputLabel: (input: I) => string;
  },
): void {
  for (const row of rows) {
    test(`${name} ${row.from} --${opts.inputLabel(row.input)}${row.at === undefined ? "" : `@${row.at}`}--> ${row.to}`, () => {
      const t = opts.inState(row.from);
      assert.deepEqual(describeActions(t.handle(row.input, row.at ?? opts.defaultAt)), row.expect);
      assert.equal(t.state, row.to);
    });
  }
}
