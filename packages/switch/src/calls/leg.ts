/**
 * What both kinds of call leg share: one dialog (RFC 3261 §12) between hotline and one
 * party, the flow requests go over, an RTP endpoint on hotline, and the SDP we last
 * offered or answered on it. In-dialog requests (BYE, re-INVITE, UPDATE, NOTIFY) go over
 * the leg's flow: the address the phone's requests came from or the trunk we sent to,
 * which is what reaches a phone behind NAT (RFC 5626 §5.3 reasoning; the Contact may hold
 * a private address).
 */
import {
  encodeUtf8,
  formatReason,
  serializeSdp,
  headerField,
  type Dialog,
  type FlowEndpoint,
  type HeaderField,
  type SdpOriginState,
  type SessionDescription,
  type SipRequest,
} from "@hotline/sip";
import type { Call } from "./call.js";
import type { ClientTransactionHandler, MediaEndpoint, MediaEndpointConfig, MediaStats, SipPort } from "./ports.js";
import type { SessionTimer } from "./session-timer.js";

export const LEG_ROLES = ["inbound", "outbound"] as const;
export type LegRole = (typeof LEG_ROLES)[number];

/** Facts for the CDR leg row, filled as the leg progresses. */
export interface LegFacts {
  startedAt: number;
  answeredAt: number | null;
  endedAt: number | null;
  sipStatus: number | null;
  cause: number;
}

export abstract class Leg {
  abstract readonly role: LegRole;
  dialog: Dialog | null = null;
  endpoint: MediaEndpoint | null = null;
  mediaConfig: MediaEndpointConfig | null = null;
  /** The last SDP we sent on this leg (re-sent unchanged on a refresh offer, RFC 3264 §8). */
  localSdp: SessionDescription | null = null;
  /** The peer's current media direction as it offered/answered it (hold detection). */
  remoteHold = false;
  ended = false;
  /** RFC 4028 refresh/expiry watch, when a session timer was agreed on this leg. */
  sessionTimer: SessionTimer | null = null;
  /** Session-Expires value and refresher we answer refreshes with. */
  sessionExpires: { seconds: number; refresher: "uac" | "uas" } | null = null;
  readonly facts: LegFacts;
  /** Media counters taken when the leg's endpoint was released before its call ended (a transferor). */
  finalStats: Promise<MediaStats | null> | null = null;

  protected constructor(
    readonly id: string,
    /** Reassigned when a transfer, pickup or park retrieval moves the leg into another call. */
    public call: Call,
    /** Extension, AOR or number on the other end. */
    readonly party: string,
    readonly flow: FlowEndpoint,
    readonly trunk: string | null,
    protected readonly sip: SipPort,
    readonly origin: SdpOriginState,
    now: number,
  ) {
    this.facts = { startedAt: now, answeredAt: null, endedAt: null, sipStatus: null, cause: 16 };
  }

  /** Our Contact for this leg's transport. */
  contact(user = "hotline"): string {
    return `<sip:${user}@${this.sip.sentBy(this.flow.transport) ?? "127.0.0.1"};transport=${this.flow.transport}>`;
  }

  protected via(): { transport: string; sentBy: string; branch: string } {
    return { transport: this.flow.transport.toUpperCase(), sentBy: this.sip.sentBy(this.flow.transport) ?? "127.0.0.1", branch: this.sip.newBranch() };
  }

  /** Sends an in-dialog request (RFC 3261 §12.2.1.1) over the leg's flow. */
  sendInDialog(method: string, handler: ClientTransactionHandler, opts: { headers?: HeaderField[]; sdp?: SessionDescription; body?: { type: string; text: string } } = {}): SipRequest | null {
    if (this.dialog === null) return null;
    const body = opts.sdp !== undefined ? { type: "application/sdp", text: serializeSdp(opts.sdp) } : opts.body;
    const request = this.dialog.createRequest(method, {
      via: this.via(),
      contact: this.contact(),
      headers: opts.headers ?? [],
      ...(body !== undefined && { body: encodeUtf8(body.text), contentType: body.type }),
    });
    this.sip.sendRequest(request, this.flow, handler);
    return request;
  }

  /** BYE with a Reason (RFC 3326) so the other side's CDR can say why. */
  bye(cause: number, text: string): void {
    if (this.ended) return;
    this.ended = true;
    this.sendInDialog("BYE", IGNORE_OUTCOME, { headers: [headerField("Reason", formatReason({ protocol: "Q.850", cause, text }))] });
  }
}

export const IGNORE_OUTCOME: ClientTransactionHandler = {
  onResponse: () => undefined,
  onFailure: () => undefined,
};
