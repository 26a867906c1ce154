/**
 * INVITE client transaction: RFC 3261 §17.1.1 (Figure 5) as corrected by RFC 6026 §7.2
 * (the "Accepted" state: 2xx responses, first and retransmitted, go to the TU until
 * Timer M fires; the transaction never ACKs a 2xx).
 *
 *   Calling    --1xx-->            Proceeding   (A and B stop)
 *   Calling    --Timer A-->        Calling      (retransmit, A doubles; UDP only)
 *   Calling    --Timer B-->        Terminated   (timeout)
 *   Calling/Proceeding --2xx-->    Accepted     (Timer M)
 *   Calling/Proceeding --300-699-> Completed    (ACK sent, Timer D: 32 s UDP / 0)
 *   Completed  --300-699-->        Completed    (ACK resent, response absorbed)
 *   Accepted   --2xx-->            Accepted     (to TU)
 *   Completed  --Timer D-->, Accepted --Timer M--> Terminated
 *   any        --transport error-> Terminated
 */
import type { SipRequest, SipResponse } from "../message.js";
import { createNon2xxAck } from "./create-ack.js";
import { nextFiring, type DueTimer } from "./timers.js";
import { TransactionMachine } from "./transaction-machine.js";
import { statusClass, type ClientMessageInput, type ClientTransactionOptions, type TransactionAction } from "./transaction-types.js";

export const INVITE_CLIENT_STATES = ["Calling", "Proceeding", "Completed", "Accepted", "Terminated"] as const;
export type InviteClientState = (typeof INVITE_CLIENT_STATES)[number];

export class InviteClientTransaction extends TransactionMachine<InviteClientState, ClientMessageInput> {
  private timerAInterval = this.options.timers.T1;
  private ack: SipRequest | null = null;

  constructor(options: ClientTransactionOptions) {
    super(options, "Calling");
  }

  protected onStart(now: number): TransactionAction[] {
    // RFC 3261 §17.1.1.2: Timer A only for unreliable transports; Timer B always.
    if (!this.options.reliable) this.timers.start("timerA", now + this.timerAInterval);
    this.timers.start("timerB", now + this.value("timerB"));
    return [{ type: "send", message: this.options.request }];
  }

  protected onInput({ response }: ClientMessageInput, now: number): TransactionAction[] {
    const cls = statusClass(response.status);
    switch (this.current) {
      case "Calling":
      case "Proceeding":
        if (cls === "provisional") {
          // §17.1.1.2: no more retransmissions in Proceeding, and Timer B applies to Calling only.
          this.timers.stop("timerA", "timerB");
          this.current = "Proceeding";
          return [{ type: "response", response }];
        }
        if (cls === "success") {
          // RFC 6026 §7.2: Accepted, so retransmitted (and forked) 2xx still reach the TU.
          this.timers.stop("timerA", "timerB");
          this.current = "Accepted";
          this.timers.start("timerM", now + this.value("timerM"));
          return [{ type: "response", response }];
        }
        return this.complete(response, now);
      case "Completed":
        // §17.1.1.2: a retransmitted final response is absorbed and the ACK resent.
        return cls === "final-failure" && this.ack !== null ? [{ type: "send", message: this.ack }] : [];
      case "Accepted":
        return cls === "success" ? [{ type: "response", response }] : [];
      default:
        return [];
    }
  }

  private complete(response: SipResponse, now: number): TransactionAction[] {
    this.timers.stop("timerA", "timerB");
    this.current = "Completed";
    this.ack = createNon2xxAck(this.options.request, response);
    const out: TransactionAction[] = [{ type: "response", response }, { type: "send", message: this.ack }];
    const d = this.value("timerD");
    if (d === 0) return [...out, ...this.terminate()];
    this.timers.start("timerD", now + d);
    return out;
  }

  protected onTimer(t: DueTimer, now: number): TransactionAction[] {
    switch (t.name) {
      case "timerA":
        if (this.current !== "Calling") return [];
        // §17.1.1.2: retransmit and double the interval (no T2 cap for INVITE).
        this.timerAInterval *= 2;
        this.timers.start("timerA", nextFiring(t.at, this.timerAInterval, now));
        return [{ type: "send", message: this.options.request }];
      case "timerB":
        return [{ type: "timeout", timer: "timerB" }, ...this.terminate()];
      case "timerD":
      case "timerM":
        return this.terminate();
      default:
        return [];
    }
  }
}
