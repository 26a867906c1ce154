/**
 * Non-INVITE client transaction: RFC 3261 §17.1.2 (Figure 6).
 *
 *   Trying     --Timer E-->        Trying       (retransmit, E = min(2E, T2); UDP only)
 *   Trying     --1xx-->            Proceeding
 *   Proceeding --Timer E-->        Proceeding   (retransmit, E = T2)
 *   Trying/Proceeding --200-699--> Completed    (to TU; Timer K: T4 UDP / 0)
 *   Trying/Proceeding --Timer F--> Terminated   (timeout)
 *   Completed  --any response-->   Completed    (absorbed)
 *   Completed  --Timer K-->        Terminated
 *   any        --transport error-> Terminated
 */
import { nextFiring, type DueTimer } from "./timers.js";
import { TransactionMachine } from "./transaction-machine.js";
import { statusClass, type ClientMessageInput, type ClientTransactionOptions, type TransactionAction } from "./transaction-types.js";

export const NON_INVITE_CLIENT_STATES = ["Trying", "Proceeding", "Completed", "Terminated"] as const;
export type NonInviteClientState = (typeof NON_INVITE_CLIENT_STATES)[number];

export class NonInviteClientTransaction extends TransactionMachine<NonInviteClientState, ClientMessageInput> {
  private timerEInterval = this.options.timers.T1;

  constructor(options: ClientTransactionOptions) {
    super(options, "Trying");
  }

  protected onStart(now: number): TransactionAction[] {
    // RFC 3261 §17.1.2.2: Timer E only for unreliable transports; Timer F always.
    if (!this.options.reliable) this.timers.start("timerE", now + this.timerEInterval);
    this.timers.start("timerF", now + this.value("timerF"));
    return [{ type: "send", message: this.options.request }];
  }

  protected onInput({ response }: ClientMessageInput, now: number): TransactionAction[] {
    if (this.current === "Completed") return []; // §17.1.2.2: retransmissions absorbed
    if (statusClass(response.status) === "provisional") {
      this.current = "Proceeding";
      return [{ type: "response", response }];
    }
    this.timers.stop("timerE", "timerF");
    this.current = "Completed";
    const k = this.value("timerK");
    if (k === 0) return [{ type: "response", response }, ...this.terminate()];
    this.timers.start("timerK", now + k);
    return [{ type: "response", response }];
  }

  protected onTimer(t: DueTimer, now: number): TransactionAction[] {
    switch (t.name) {
      case "timerE": {
        const { T2 } = this.options.timers;
        // §17.1.2.2: in Trying the interval doubles up to T2; in Proceeding it is T2.
        this.timerEInterval = this.current === "Proceeding" ? T2 : Math.min(2 * this.timerEInterval, T2);
        this.timers.start("timerE", nextFiring(t.at, this.timerEInterval, now));
        return [{ type: "send", message: this.options.request }];
      }
      case "timerF":
        return [{ type: "timeout", timer: "timerF" }, ...this.terminate()];
      case "timerK":
        return this.terminate();
      default:
        return [];
    }
  }
}
