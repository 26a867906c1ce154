/**
 * INVITE server transaction: RFC 3261 §17.2.1 (Figure 7) as corrected by RFC 6026 §7.1,
 * §8.5–8.7 (the "Accepted" state: 2xx retransmissions are the TU's job, sent through the
 * transaction; ACKs and retransmitted INVITEs are handled without Terminated in between).
 *
 *   Proceeding --200 ms, no response yet--> Proceeding (100 Trying sent)
 *   Proceeding --INVITE-->        Proceeding  (last provisional resent)
 *   Proceeding --1xx from TU-->   Proceeding  (sent)
 *   Proceeding --2xx from TU-->   Accepted    (sent; Timer L)
 *   Proceeding --300-699 from TU--> Completed (sent; Timer G on UDP, Timer H)
 *   Completed  --INVITE-->        Completed   (final response resent)
 *   Completed  --Timer G-->       Completed   (final response resent, G = min(2G, T2))
 *   Completed  --Timer H-->       Terminated  (timeout: the ACK never came)
 *   Completed  --ACK-->           Confirmed   (Timer I: T4 UDP / 0)
 *   Confirmed  --ACK/INVITE-->    Confirmed   (absorbed)
 *   Confirmed  --Timer I-->       Terminated
 *   Accepted   --INVITE-->        Accepted    (absorbed)
 *   Accepted   --ACK-->           Accepted    (to TU)
 *   Accepted   --2xx from TU-->   Accepted    (sent)
 *   Accepted   --Timer L-->       Terminated
 *   any        --transport error-> Terminated
 */
import { createResponse } from "../create-response.js";
import { getHeader, headerField } from "../headers.js";
import type { SipRequest, SipResponse } from "../message.js";
import { nextFiring, type DueTimer } from "./timers.js";
import { TransactionMachine } from "./transaction-machine.js";
import { statusClass, type ServerMessageInput, type ServerTransactionOptions, type TransactionAction } from "./transaction-types.js";

export const INVITE_SERVER_STATES = ["Proceeding", "Completed", "Confirmed", "Accepted", "Terminated"] as const;
export type InviteServerState = (typeof INVITE_SERVER_STATES)[number];

export class InviteServerTransaction extends TransactionMachine<InviteServerState, ServerMessageInput> {
  private timerGInterval = this.options.timers.T1;
  private lastProvisional: SipResponse | null = null;
  private finalResponse: SipResponse | null = null;

  constructor(options: ServerTransactionOptions) {
    super(options, "Proceeding");
  }

  /** The last response sent (its To tag is what an RFC 2543 ACK must carry, §17.2.3). */
  get lastResponse(): SipResponse | null {
    return this.finalResponse ?? this.lastProvisional;
  }

  protected onStart(now: number): TransactionAction[] {
    this.timers.start("timerTrying", now + this.value("timerTrying"));
    return [];
  }

  protected onInput(input: ServerMessageInput, now: number): TransactionAction[] {
    switch (input.type) {
      case "request":
        return this.onRetransmission();
      case "ack":
        return this.onAck(input.request, now);
      case "response":
        return this.onTuResponse(input.response, now);
    }
  }

  private onRetransmission(): TransactionAction[] {
    // §17.2.1: in Proceeding resend the most recent provisional response; in Completed the
    // final one. RFC 6026 §8.7: in Accepted the INVITE is absorbed (2xx are the TU's).
    if (this.current === "Proceeding" && this.lastProvisional !== null) return [{ type: "send", message: this.lastProvisional }];
    if (this.current === "Completed" && this.finalResponse !== null) return [{ type: "send", message: this.finalResponse }];
    return [];
  }

  private onAck(ack: SipRequest, now: number): TransactionAction[] {
    if (this.current === "Accepted") return [{ type: "ack-2xx", request: ack }];
    if (this.current !== "Completed") return []; // Confirmed absorbs further ACKs
    // §17.2.1: ACK for our non-2xx: stop G and H; Timer I absorbs ACK retransmissions.
    this.timers.stop("timerG", "timerH");
    this.current = "Confirmed";
    const i = this.value("timerI");
    if (i === 0) return this.terminate();
    this.timers.start("timerI", now + i);
    return [];
  }

  private onTuResponse(response: SipResponse, now: number): TransactionAction[] {
    const cls = statusClass(response.status);
    if (this.current === "Accepted") return cls === "success" ? [{ type: "send", message: response }] : [];
    if (this.current !== "Proceeding") return [];
    this.timers.stop("timerTrying");
    if (cls === "provisional") {
      this.lastProvisional = response;
      return [{ type: "send", message: response }];
    }
    this.finalResponse = response;
    if (cls === "success") {
      // RFC 6026 §8.5: Accepted, Timer L; the TU retransmits the 2xx (RFC 3261 §13.3.1.4).
      this.current = "Accepted";
      this.timers.start("timerL", now + this.value("timerL"));
      return [{ type: "send", message: response }];
    }
    this.current = "Completed";
    if (!this.options.reliable) this.timers.start("timerG", now + this.timerGInterval);
    this.timers.start("timerH", now + this.value("timerH"));
    return [{ type: "send", message: response }];
  }

  protected onTimer(t: DueTimer, now: number): TransactionAction[] {
    switch (t.name) {
      case "timerTrying":
        return this.current === "Proceeding" && this.lastProvisional === null ? [{ type: "send", message: this.trying() }] : [];
      case "timerG":
        if (this.current !== "Completed" || this.finalResponse === null) return [];
        this.timerGInterval = Math.min(2 * this.timerGInterval, this.options.timers.T2);
        this.timers.start("timerG", nextFiring(t.at, this.timerGInterval, now));
        return [{ type: "send", message: this.finalResponse }];
      case "timerH":
        // §17.2.1: the ACK never came: a transaction failure for the TU.
        return [{ type: "timeout", timer: "timerH" }, ...this.terminate()];
      case "timerI":
      case "timerL":
        return this.terminate();
      default:
        return [];
    }
  }

  /** §8.2.6.1: a 100 Trying copies the request's Timestamp; §8.2.6.2: no To tag. */
  private trying(): SipResponse {
    const ts = getHeader(this.options.request, "timestamp");
    const res = createResponse(this.options.request, 100, ts === undefined ? {} : { headers: [headerField("Timestamp", ts)] });
    this.lastProvisional = res;
    return res;
  }
}
