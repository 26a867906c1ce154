/**
 * Non-INVITE server transaction: RFC 3261 §17.2.2 (Figure 8).
 *
 *   Trying     --request-->          Trying      (absorbed: nothing to resend yet)
 *   Trying     --1xx from TU-->      Proceeding  (sent)
 *   Proceeding --request-->          Proceeding  (last provisional resent)
 *   Proceeding --1xx from TU-->      Proceeding  (sent)
 *   Trying/Proceeding --200-699 from TU--> Completed (sent; Timer J: 64*T1 UDP / 0)
 *   Completed  --request-->          Completed   (final response resent)
 *   Completed  --response from TU--> Completed   (discarded)
 *   Completed  --Timer J-->          Terminated
 *   any        --transport error-->  Terminated
 */
import type { SipRequest, SipResponse } from "../message.js";
import { initialTimerValue, runDueTimers, TimerSet, type DueTimer } from "./timers.js";
import {
  statusClass,
  type ServerTransactionInput,
  type ServerTransactionOptions,
  type TransactionAction,
  type TransactionMachine,
} from "./transaction-types.js";

export const NON_INVITE_SERVER_STATES = ["Trying", "Proceeding", "Completed", "Terminated"] as const;
export type NonInviteServerState = (typeof NON_INVITE_SERVER_STATES)[number];

export class NonInviteServerTransaction implements TransactionMachine<ServerTransactionInput> {
  private current: NonInviteServerState = "Trying";
  private readonly timers = new TimerSet();
  private lastSent: SipResponse | null = null;

  constructor(private readonly options: ServerTransactionOptions) {}

  get state(): NonInviteServerState {
    return this.current;
  }

  get request(): SipRequest {
    return this.options.request;
  }

  get lastResponse(): SipResponse | null {
    return this.lastSent;
  }

  handle(input: ServerTransactionInput, now: number): TransactionAction[] {
    if (this.current === "Terminated") return [];
    switch (input.type) {
      case "start":
      case "ack": // an ACK never matches a non-INVITE transaction (§17.2.3)
        return [];
      case "request":
        // §17.2.2: a retransmission is answered with the last response, if any.
        return this.lastSent === null ? [] : [{ type: "send", message: this.lastSent }];
      case "response":
        return this.onTuResponse(input.response, now);
      case "tick":
        return runDueTimers(this.timers, now, (t) => this.onTimer(t), () => this.current === "Terminated");
      case "transport-error":
        return [{ type: "transport-error" }, ...this.terminate()];
    }
  }

  nextDeadline(): number | null {
    return this.current === "Terminated" ? null : this.timers.next();
  }

  private onTuResponse(response: SipResponse, now: number): TransactionAction[] {
    if (this.current === "Completed") return [];
    this.lastSent = response;
    if (statusClass(response.status) === "provisional") {
      this.current = "Proceeding";
      return [{ type: "send", message: response }];
    }
    this.current = "Completed";
    const j = initialTimerValue("timerJ", this.options.timers, this.options.reliable);
    if (j === 0) return [{ type: "send", message: response }, ...this.terminate()];
    this.timers.start("timerJ", now + j);
    return [{ type: "send", message: response }];
  }

  private onTimer(t: DueTimer): TransactionAction[] {
    return t.name === "timerJ" ? this.terminate() : [];
  }

  private terminate(): TransactionAction[] {
    this.current = "Terminated";
    this.timers.clear();
    return [{ type: "terminated" }];
  }
}
