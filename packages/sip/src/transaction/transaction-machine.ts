/**
 * What the four transaction state machines (RFC 3261 §17) share: the state and the timers,
 * `start` taken once, `tick` firing every due timer in deadline order, a transport error
 * ending the transaction, and nothing more once Terminated. Each machine supplies its own
 * transitions (onStart, onInput, onTimer); the TransactionLayer drives them through
 * handle() and nextDeadline().
 */
import type { SipRequest } from "../message.js";
import { initialTimerValue, runDueTimers, TimerSet, type DueTimer, type TimerName } from "./timers.js";
import type { ClientTransactionOptions, CommonTransactionInput, ServerTransactionOptions, TransactionAction } from "./transaction-types.js";

export abstract class TransactionMachine<State extends string, OwnInput extends { type: string }> {
  protected current: State | "Terminated";
  protected readonly timers = new TimerSet();
  private started = false;

  constructor(
    protected readonly options: ClientTransactionOptions | ServerTransactionOptions,
    initial: State,
  ) {
    this.current = initial;
  }

  get state(): State | "Terminated" {
    return this.current;
  }

  get request(): SipRequest {
    return this.options.request;
  }

  handle(input: OwnInput | CommonTransactionInput, now: number): TransactionAction[] {
    if (this.current === "Terminated") return [];
    if (!isCommon(input)) return this.onInput(input, now);
    switch (input.type) {
      case "start":
        if (this.started) return [];
        this.started = true;
        return this.onStart(now);
      case "tick":
        return runDueTimers(this.timers, now, (t) => this.onTimer(t, now), () => this.current === "Terminated");
      case "transport-error":
        // RFC 3261 §17.1.1.2, §17.1.2.2, §17.2.4: inform the TU and go straight to Terminated.
        return [{ type: "transport-error" }, ...this.terminate()];
    }
  }

  nextDeadline(): number | null {
    return this.current === "Terminated" ? null : this.timers.next();
  }

  /** The first `start`: send and/or arm the initial timers. */
  protected abstract onStart(now: number): TransactionAction[];
  /** The machine's own inputs: responses, and for servers retransmitted requests and ACKs. */
  protected abstract onInput(input: OwnInput, now: number): TransactionAction[];
  /** One due timer; `t.at` is its deadline (≤ now). */
  protected abstract onTimer(t: DueTimer, now: number): TransactionAction[];

  protected terminate(): TransactionAction[] {
    this.current = "Terminated";
    this.timers.clear();
    return [{ type: "terminated" }];
  }

  /** A timer's initial value under this transaction's settings and transport. */
  protected value(name: TimerName): number {
    return initialTimerValue(name, this.options.timers, this.options.reliable);
  }
}

function isCommon(input: { type: string }): input is CommonTransactionInput {
  return input.type === "start" || input.type === "tick" || input.type === "transport-error";
}
