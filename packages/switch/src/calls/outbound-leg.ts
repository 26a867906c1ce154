/**
 * A leg from hotline to a callee (a registered contact or a trunk): hotline is the UAC of
 * its INVITE. Reports progress, answer and failure to its owner; ACKs every 2xx (also
 * retransmitted ones, RFC 3261 §13.2.2.4), PRACKs reliable provisionals (RFC 3262 §4),
 * answers a trunk's digest challenge once (RFC 3261 §22.2), and CANCELs (§9.1) or BYEs.
 */
import {
  createAck2xx,
  createCancel,
  createRequest,
  Dialog,
  formatReason,
  encodeUtf8,
  getHeader,
  headerField,
  parseNameAddr,
  serializeSdp,
  type FlowEndpoint,
  type HeaderField,
  type SdpOriginState,
  type SessionDescription,
  type SipRequest,
  type SipResponse,
} from "@hotline/sip";
import type { Call } from "./call.js";
import { digestAuthorization, type DigestCredentials } from "./digest-client.js";
import { IGNORE_OUTCOME, Leg } from "./leg.js";
import type { Scheduler, SipPort } from "./ports.js";

export const OUTBOUND_STATES = ["calling", "early", "answered", "failed", "cancelled"] as const;
export type OutboundState = (typeof OUTBOUND_STATES)[number];

export interface OutboundLegOwner {
  onProgress(leg: OutboundLeg, response: SipResponse): void;
  onAnswer(leg: OutboundLeg, response: SipResponse): void;
  /** A final failure (≥300, timeout as 408, transport error as 503). */
  onFailure(leg: OutboundLeg, status: number, response: SipResponse | null): void;
}

export interface OutboundTarget {
  /** Request-URI: a registered contact, or sip:number@trunk-host:port. */
  requestUri: string;
  /** The To URI (the AOR or the number at the trunk). */
  toUri: string;
  /** From: who the callee sees. */
  from: { uri: string; displayName: string | null };
  flow: FlowEndpoint;
  party: string;
  trunk: string | null;
  credentials: DigestCredentials | null;
  headers: HeaderField[];
}

export class OutboundLeg extends Leg {
  readonly role = "outbound" as const;
  state: OutboundState = "calling";
  invite: SipRequest | null = null;
  /** The SDP we offered in the INVITE. */
  offer: SessionDescription | null = null;
  /** The 2xx we ACKed, and our ACK, to re-ACK retransmissions. */
  private ack: SipRequest | null = null;
  private readonly localTag: string;
  private readonly callId: string;
  private cseq = 1;
  private authTried = false;
  private cancelReason: HeaderField | null = null;
  /** A provisional response (100 too) came for the current INVITE: a CANCEL may go (RFC 3261 §9.1). */
  private provisionalSeen = false;
  /** cancel() was called before any provisional: the CANCEL goes out when one arrives. */
  private cancelDeferred = false;
  private lastRSeq = -1;
  /** Session-Expires we offer (0: none). */
  sessionSeconds = 0;

  constructor(
    id: string,
    call: Call,
    readonly target: OutboundTarget,
    sip: SipPort,
    origin: SdpOriginState,
    private readonly owner: OutboundLegOwner,
    private readonly scheduler: Scheduler,
  ) {
    super(id, call, target.party, target.flow, target.trunk, sip, origin, scheduler.now());
    this.localTag = sip.newToken();
    this.callId = sip.newToken() + sip.newToken();
  }

  start(offer: SessionDescription): void {
    this.offer = offer;
    this.localSdp = offer;
    this.sendInvite(this.buildInvite(null));
  }

  private buildInvite(authorization: HeaderField | null): SipRequest {
    const t = this.target;
    const headers = [
      headerField("Supported", "100rel, timer, replaces"),
      // RFC 4028 §7.4: we ask the callee to refresh; its 2xx says what was agreed.
      ...(this.sessionSeconds > 0 ? [headerField("Session-Expires", `${this.sessionSeconds};refresher=uas`), headerField("Min-SE", String(Math.min(90, this.sessionSeconds)))] : []),
      headerField("Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, INFO, REFER, NOTIFY, PRACK"),
      ...t.headers,
    ];
    if (authorization !== null) headers.push(authorization);
    return createRequest({
      method: "INVITE",
      requestUri: t.requestUri,
      from: { uri: t.from.uri, displayName: t.from.displayName, tag: this.localTag },
      to: { uri: t.toUri },
      callId: this.callId,
      cseq: this.cseq,
      via: this.via(),
      contact: this.contact(),
      headers,
      ...(this.offer !== null && { body: encodeUtf8(serializeSdp(this.offer)), contentType: "application/sdp" }),
    });
  }

  private sendInvite(invite: SipRequest): void {
    this.invite = invite;
    this.provisionalSeen = false;
    this.sip.sendRequest(invite, this.flow, {
      onResponse: (r) => this.onResponse(invite, r),
      onFailure: (reason) => this.fail(reason === "timeout" ? 408 : 503, null),
    });
  }

  /** Responses of our INVITE, including 2xx retransmissions (our ACK is resent). */
  onResponse(invite: SipRequest, res: SipResponse): void {
    if (invite !== this.invite) return; // the challenged first INVITE's late answers
    if (res.status < 200) {
      this.provisionalSeen = true;
      if (this.cancelDeferred) this.sendCancel();
      return this.onProvisional(res);
    }
    if (res.status < 300) return this.onSuccess(res);
    if ((res.status === 401 || res.status === 407) && this.target.credentials !== null && !this.authTried && this.state === "calling") {
      this.authTried = true;
      const auth = digestAuthorization(res, this.target.credentials, "INVITE", this.target.requestUri, this.sip.newToken());
      if (auth !== null) {
        this.cseq++;
        this.sendInvite(this.buildInvite(auth));
        return;
      }
    }
    this.fail(res.status, res);
  }

  private onProvisional(res: SipResponse): void {
    if (this.state !== "calling" && this.state !== "early") return;
    if (res.status === 100) return;
    if (this.dialog === null && hasToTag(res) && this.invite !== null) this.dialog = Dialog.fromUac(this.invite, res);
    // RFC 3262 §4: a reliable provisional (Require: 100rel + RSeq) is acknowledged by PRACK.
    const rseq = Number(getHeader(res, "rseq") ?? NaN);
    if (/\b100rel\b/i.test(getHeader(res, "require") ?? "") && Number.isInteger(rseq) && this.dialog !== null) {
      // RFC 3262 §4: a retransmission (RSeq not above the last) or one arriving out of order
      // (not exactly one more) is discarded, not processed again; the first fixes the base.
      if (this.lastRSeq >= 0 && rseq !== this.lastRSeq + 1) return;
      this.lastRSeq = rseq;
      const cseq = getHeader(res, "cseq") ?? "";
      this.sendInDialog("PRACK", IGNORE_OUTCOME, { headers: [headerField("RAck", `${rseq} ${cseq}`)] });
    }
    this.state = "early";
    this.owner.onProgress(this, res);
  }

  private onSuccess(res: SipResponse): void {
    if (this.invite === null) return;
    if (this.ack !== null) {
      // A retransmitted 2xx: our ACK was lost (§13.2.2.4: ACK every 2xx retransmission).
      this.sip.sendStateless(this.ack, this.flow);
      return;
    }
    if (this.dialog === null || this.dialog.id.remoteTag !== toTag(res)) this.dialog = Dialog.fromUac(this.invite, res);
    else this.dialog.receiveResponse(res);
    this.ack = createAck2xx(this.dialog, this.invite, res, { via: this.via() });
    this.sip.sendStateless(this.ack, this.flow);
    if (this.state === "cancelled" || this.state === "failed") {
      // §15: a 2xx that raced our CANCEL, or a fork that lost: confirm it, then hang up. The
      // leg is already `ended` (cancel/fail), so bye() would do nothing: send the BYE here, or
      // the phone that answered stays in a call nobody is on (found by tests/e2e/queue-races).
      this.sendInDialog("BYE", IGNORE_OUTCOME, { headers: [headerField("Reason", formatReason({ protocol: "Q.850", cause: 26, text: "Answered elsewhere" }))] });
      return;
    }
    this.state = "answered";
    this.facts.answeredAt = this.scheduler.now();
    this.facts.sipStatus = res.status;
    this.owner.onAnswer(this, res);
  }

  private fail(status: number, res: SipResponse | null): void {
    if (this.state === "failed" || this.state === "answered") return;
    const wasCancelled = this.state === "cancelled";
    this.state = "failed";
    this.ended = true;
    this.facts.sipStatus = status;
    this.facts.endedAt = this.scheduler.now();
    if (!wasCancelled) this.owner.onFailure(this, status, res);
  }

  /** RFC 3261 §9.1: CANCEL a pending INVITE; a 2xx that still comes is ACKed and BYEd. */
  cancel(cause = 16, text = "Call completed elsewhere"): void {
    if (this.state !== "calling" && this.state !== "early") return;
    this.state = "cancelled";
    this.ended = true;
    this.facts.endedAt = this.scheduler.now();
    this.facts.sipStatus = 487;
    this.facts.cause = cause;
    if (this.invite === null) return;
    // RFC 3326 §3.1: the Reason in a CANCEL tells a forked phone why it stopped ringing
    // (cause 26 "answered elsewhere" keeps it off the phone's missed-call list).
    this.cancelReason = headerField("Reason", formatReason({ protocol: "Q.850", cause, text }));
    // §9.1: a CANCEL MUST NOT be sent before a provisional response (it could overtake the
    // INVITE); it waits for one. A final response instead makes it needless: a 2xx is ACKed
    // and BYEd (onSuccess), anything else ends the leg.
    if (this.provisionalSeen) this.sendCancel();
    else this.cancelDeferred = true;
  }

  private sendCancel(): void {
    this.cancelDeferred = false;
    if (this.invite === null || this.cancelReason === null) return;
    this.sip.sendRequest(createCancel(this.invite, this.cancelReason), this.flow, IGNORE_OUTCOME);
  }

  end(now: number): void {
    this.ended = true;
    this.sessionTimer?.stop();
    this.facts.endedAt ??= now;
  }
}

function toTag(res: SipResponse): string | null {
  const to = getHeader(res, "to");
  if (to === undefined) return null;
  const na = parseNameAddr(to);
  return na.ok ? (na.value.params.get("tag") ?? null) : null;
}

function hasToTag(res: SipResponse): boolean {
  return toTag(res) !== null;
}
