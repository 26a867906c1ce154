/**
 * The leg from the caller to hotline: hotline is the UAS of the caller's INVITE. It sends
 * provisional and final responses through the INVITE server transaction and, once it has
 * answered 2xx, retransmits the 2xx until the ACK arrives (RFC 3261 §13.3.1.4: the TU's
 * job; T1 doubling up to T2, give up after 64*T1 and hang up with BYE).
 */
import {
  createDialogResponse,
  createResponse,
  Dialog,
  formatReason,
  encodeUtf8,
  headerField,
  serializeSdp,
  type FlowEndpoint,
  type HeaderField,
  type SdpOriginState,
  type SessionDescription,
  type SipRequest,
  type SipResponse,
} from "@hotline/sip";
import type { Call } from "./call.js";
import { Leg } from "./leg.js";
import { SessionTimer } from "./session-timer.js";
import type { CancelTimer, Scheduler, SipPort } from "./ports.js";

export const INBOUND_STATES = ["proceeding", "early", "answered", "confirmed", "ended"] as const;
export type InboundState = (typeof INBOUND_STATES)[number];

const T1 = 500;
const T2 = 4000;

export class InboundLeg extends Leg {
  readonly role = "inbound" as const;
  state: InboundState = "proceeding";
  readonly localTag: string;
  /** The caller's SDP offer in the INVITE, or null for a late offer (offer in our 2xx). */
  readonly offer: SessionDescription | null;
  private final: SipResponse | null = null;
  private retransmit: CancelTimer | null = null;
  private giveUp: CancelTimer | null = null;
  /** Called when no ACK ever came for our 2xx (64*T1). */
  onAckTimeout: () => void = () => undefined;
  /** RFC 4028 agreement for our 2xx (session-timer.ts negotiateAsUas); set by the manager. */
  timerPlan: { headers: HeaderField[]; refresher: "us" | "them" | null; seconds: number } = { headers: [], refresher: null, seconds: 0 };
  /** Called when the session timer expired or a refresh failed. */
  onSessionExpired: (why: string) => void = () => undefined;

  constructor(
    id: string,
    call: Call,
    party: string,
    flow: FlowEndpoint,
    trunk: string | null,
    sip: SipPort,
    origin: SdpOriginState,
    readonly invite: SipRequest,
    readonly txId: string,
    offer: SessionDescription | null,
    private readonly scheduler: Scheduler,
  ) {
    super(id, call, party, flow, trunk, sip, origin, scheduler.now());
    this.localTag = sip.newToken();
    this.offer = offer;
  }

  get callId(): string {
    return this.dialog?.id.callId ?? "";
  }

  /** 180/183, with our SDP answer when early media flows (183). Creates the early dialog. */
  progress(status: 180 | 183, sdp: SessionDescription | null = null, headers: HeaderField[] = []): void {
    if (this.state !== "proceeding" && this.state !== "early") return;
    if (sdp !== null) this.localSdp = sdp;
    this.ensureDialog();
    this.state = "early";
    this.sip.respond(this.txId, this.response(status, sdp, headers));
  }

  /** 200 with our SDP (answer, or offer when the INVITE had none). */
  answer(sdp: SessionDescription, headers: HeaderField[] = []): void {
    if (this.state !== "proceeding" && this.state !== "early") return;
    this.localSdp = sdp;
    this.ensureDialog();
    this.state = "answered";
    this.facts.answeredAt = this.scheduler.now();
    this.facts.sipStatus = 200;
    const res = this.response(200, sdp, [...this.timerPlan.headers, ...headers]);
    this.final = res;
    const plan = this.timerPlan;
    if (plan.refresher !== null) {
      this.sessionExpires = { seconds: plan.seconds, refresher: plan.refresher === "us" ? "uas" : "uac" };
      this.sessionTimer = new SessionTimer(this, plan.refresher, plan.seconds, this.scheduler, (why) => this.onSessionExpired(why));
      this.sessionTimer.start();
    }
    this.sip.respond(this.txId, res);
    if (this.flow.transport === "udp") this.scheduleRetransmit(T1);
    this.giveUp = this.scheduler.after(64 * T1, () => {
      if (this.state !== "answered") return;
      this.stopRetransmit();
      this.onAckTimeout();
    });
  }

  /** A final non-2xx; the transaction layer waits for the ACK itself (§17.2.1). */
  reject(status: number, opts: { reason?: string; headers?: HeaderField[]; q850?: number } = {}): void {
    if (this.state !== "proceeding" && this.state !== "early") return;
    this.state = "ended";
    this.ended = true;
    this.facts.sipStatus = status;
    this.facts.endedAt = this.scheduler.now();
    const headers = [...(opts.headers ?? [])];
    // RFC 3326 §2: a Reason header in a response carries the Q.850 cause of the far end.
    if (opts.q850 !== undefined) headers.push(headerField("Reason", formatReason({ protocol: "Q.850", cause: opts.q850, text: null })));
    const res = createResponse(this.invite, status, { toTag: this.localTag, headers, ...(opts.reason !== undefined && { reason: opts.reason }) });
    this.sip.respond(this.txId, res);
  }

  /** The ACK for our 2xx arrived (matched by dialog). */
  acked(): void {
    if (this.state !== "answered") return;
    this.state = "confirmed";
    this.dialog?.confirm();
    this.stopRetransmit();
  }

  /** A retransmitted INVITE in Accepted is absorbed by the transaction; nothing to do. */
  end(now: number): void {
    this.state = "ended";
    this.ended = true;
    this.sessionTimer?.stop();
    this.facts.endedAt ??= now;
    this.stopRetransmit();
  }

  private ensureDialog(): void {
    if (this.dialog !== null) return;
    this.dialog = Dialog.fromUas(this.invite, this.localTag, this.contact(), { state: "early" });
  }

  /** RFC 3261 §12.1.1: 101–299 copy Record-Route and carry our Contact. */
  private response(status: number, sdp: SessionDescription | null, headers: HeaderField[]): SipResponse {
    return createDialogResponse(this.invite, status, {
      toTag: this.localTag,
      contact: this.contact(),
      headers,
      ...(sdp !== null && { body: encodeUtf8(serializeSdp(sdp)), contentType: "application/sdp" }),
    });
  }

  private scheduleRetransmit(interval: number): void {
    this.retransmit = this.scheduler.after(interval, () => {
      if (this.state !== "answered" || this.final === null) return;
      this.sip.respond(this.txId, this.final);
      this.scheduleRetransmit(Math.min(2 * interval, T2));
    });
  }

  private stopRetransmit(): void {
    this.retransmit?.();
    this.retransmit = null;
    this.giveUp?.();
    this.giveUp = null;
  }
}
