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
import type { SipRequest, SipResponse } from "../message.js";
import { initialTimerValue, nextFiring, runDueTimers, TimerSet, type DueTimer, type TimerName } from "./timers.js";
import {
  statusClass,
  type ClientTransactionInput,
  type ClientTransactionOptions,
  type TransactionAction,
  type TransactionMachine,
} from "./transaction-types.js";

export const NON_INVITE_CLIENT_STATES = ["Trying", "Proceeding", "Completed", "Terminated"] as const;
export type NonInviteClientState = (typeof NON_INVITE_CLIENT_STATES)[number];

export class NonInviteClientTransaction implements TransactionMachine<ClientTransactionInput> {
  private current: NonInviteClientState = "Trying";
  private readonly timers = new TimerSet();
  private started = false;
  private timerEInterval: number;

  constructor(private readonly options: ClientTransactionOptions) {
    this.timerEInterval = options.timers.T1;
  }

  get state(): NonInviteClientState {
    return this.current;
  }

  get request(): SipRequest {
    return this.options.request;
  }

  handle(input: ClientTransactionInput, now: number): TransactionAction[] {
    if (this.current === "Terminated") return [];
    switch (input.type) {
      case "start":
        return this.start(now);
      case "response":
        return this.onResponse(input.response, now);
      case "tick":
        return runDueTimers(this.timers, now, (t) => this.onTimer(t, now), () => this.current === "Terminated");
      case "transport-error":
        // RFC 3261 §17.1.2.2: inform the TU and go straight to Terminated.
        return [{ type: "transport-error" }, ...this.terminate()];
    }
  }

  nextDeadline(): number | null {
    return this.current === "Terminated" ? null : this.timers.next();
  }

  private start(now: number): TransactionAction[] {
    if (this.started) return [];
    this.started = true;
    if (!this.options.reliable) this.timers.start("timerE", now + this.timerEInterval);
    this.timers.start("timerF", now + this.value("timerF"));
    return [{ type: "send", message: this.options.request }];
  }

  private onResponse(response: SipResponse, now: number): TransactionAction[] {
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

  private onTimer(t: DueTimer, now: number): TransactionAction[] {
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

  private terminate(): TransactionAction[] {
    this.current = "Terminated";
    this.timers.clear();
    return [{ type: "terminated" }];
  }

  private value(name: TimerName): number {
    return initialTimerValue(name, this.options.timers, this.options.reliable);
  }
}
