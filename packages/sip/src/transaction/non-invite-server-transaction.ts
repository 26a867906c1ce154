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
import type { SipResponse } from "../message.js";
import type { DueTimer } from "./timers.js";
import { TransactionMachine } from "./transaction-machine.js";
import { statusClass, type ServerMessageInput, type ServerTransactionOptions, type TransactionAction } from "./transaction-types.js";

export const NON_INVITE_SERVER_STATES = ["Trying", "Proceeding", "Completed", "Terminated"] as const;
export type NonInviteServerState = (typeof NON_INVITE_SERVER_STATES)[number];

export class NonInviteServerTransaction extends TransactionMachine<NonInviteServerState, ServerMessageInput> {
  private lastSent: SipResponse | null = null;

  constructor(options: ServerTransactionOptions) {
    super(options, "Trying");
  }

  get lastResponse(): SipResponse | null {
    return this.lastSent;
  }

  protected onStart(): TransactionAction[] {
    return []; // §17.2.2: no timer runs before the final response (Timer J)
  }

  protected onInput(input: ServerMessageInput, now: number): TransactionAction[] {
    switch (input.type) {
      case "ack": // an ACK never matches a non-INVITE transaction (§17.2.3)
        return [];
      case "request":
        // §17.2.2: a retransmission is answered with the last response, if any.
        return this.lastSent === null ? [] : [{ type: "send", message: this.lastSent }];
      case "response":
        return this.onTuResponse(input.response, now);
    }
  }

  private onTuResponse(response: SipResponse, now: number): TransactionAction[] {
    if (this.current === "Completed") return [];
    this.lastSent = response;
    if (statusClass(response.status) === "provisional") {
      this.current = "Proceeding";
      return [{ type: "send", message: response }];
    }
    this.current = "Completed";
    const j = this.value("timerJ");
    if (j === 0) return [{ type: "send", message: response }, ...this.terminate()];
    this.timers.start("timerJ", now + j);
    return [{ type: "send", message: response }];
  }

  protected onTimer(t: DueTimer): TransactionAction[] {
    return t.name === "timerJ" ? this.terminate() : [];
  }
}
