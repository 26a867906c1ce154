/**
 * A dialog (RFC 3261 §12): the peer-to-peer relationship between hotline and one other
 * UA, as the B2BUA keeps one per call leg. Pure state: it builds requests and judges what
 * arrives, and the transaction user sends what it returns through the TransactionLayer.
 */
import { getHeader } from "../headers.js";
import type { HeaderField, SipMessage, SipRequest, SipResponse } from "../message.js";
import { parseCSeq } from "../parse-cseq.js";
import { withTag, type ViaSpec } from "./address-text.js";
import { buildRequest } from "./build-request.js";
import { contactUriOf, dialogKeyOf, tagOf, type DialogId } from "./dialog-id.js";
import {
  recordRoutes,
  uacDialogInit,
  uasDialogInit,
  type DialogInit,
  type DialogState,
  type UacDialogOptions,
  type UasDialogOptions,
} from "./dialog-init.js";
import { routeRequest, type Routing } from "./route-set.js";

/**
 * Target refresh requests (RFC 3261 §12.2: re-INVITE; RFC 3311 UPDATE; RFC 6665
 * SUBSCRIBE, NOTIFY; RFC 3515 REFER): they carry a Contact, and their 2xx may move the
 * remote target.
 */
export const TARGET_REFRESH_METHODS: ReadonlySet<string> = new Set(["INVITE", "UPDATE", "SUBSCRIBE", "NOTIFY", "REFER"]);

export interface InDialogRequestOptions {
  via: ViaSpec;
  /** Our Contact (URI or full value) for target refresh requests; default: the dialog's. */
  contact?: string;
  maxForwards?: number;
  headers?: HeaderField[];
  body?: Uint8Array;
  contentType?: string;
}

/** What receiveRequest decided: go on, or answer with `status` and `reason` (and stop). */
export type InDialogRequestCheck = { ok: true } | { ok: false; status: 481 | 500; reason: string };

/**
 * What a response did to the dialog: "mismatch" (another dialog's, e.g. a second fork's
 * 2xx), "none", "confirmed" (early → confirmed), "target-refreshed", "terminated".
 */
export type DialogResponseEffect = "mismatch" | "none" | "confirmed" | "target-refreshed" | "terminated";

export class Dialog {
  readonly id: Readonly<DialogId>;
  /** "uac" when we sent the request that created the dialog. */
  readonly role: "uac" | "uas";
  /** Our From/To value without the tag (§12.1.1, §12.1.2). */
  readonly localUri: string;
  readonly remoteUri: string;
  readonly secure: boolean;
  private seqLocal: number;
  private seqRemote: number | null;
  private target: string;
  private routes: string[];
  private current: DialogState;
  private readonly contact: string;
  private readonly defectList: string[];

  private constructor(init: DialogInit) {
    this.id = Object.freeze({ ...init.id });
    this.role = init.role;
    this.localUri = init.localUri;
    this.remoteUri = init.remoteUri;
    this.secure = init.secure;
    this.defectList = init.defects;
    this.seqLocal = init.localSeq;
    this.seqRemote = init.remoteSeq;
    this.target = init.remoteTarget;
    this.routes = init.routeSet;
    this.current = init.state;
    this.contact = init.localContact;
  }

  /**
   * §12.1.1: the UAS side, created when we answer `request` with a 1xx/2xx carrying
   * `localTag` in To. Route set = Record-Route in order; remote target = its Contact;
   * remote seq = its CSeq; local seq empty (our first request uses initialLocalSeq, 1).
   */
  static fromUas(request: SipRequest, localTag: string, localContact: string, opts: UasDialogOptions = {}): Dialog {
    return new Dialog(uasDialogInit(request, localTag, localContact, opts));
  }

  /**
   * §12.1.2: the UAC side, from our `request` and a 1xx (early) or 2xx (confirmed) with a To
   * tag. Route set = the response's Record-Route reversed; remote target = its Contact.
   */
  static fromUac(request: SipRequest, response: SipResponse, opts: UacDialogOptions = {}): Dialog {
    return new Dialog(uacDialogInit(request, response, opts));
  }

  get callId(): string {
    return this.id.callId;
  }
  get localTag(): string {
    return this.id.localTag;
  }
  get remoteTag(): string {
    return this.id.remoteTag;
  }
  /** The key of this dialog in a Map filled through dialogKey / matchDialogId. */
  get key(): string {
    return dialogKeyOf(this.id);
  }
  /** CSeq number of the last request we sent in the dialog (0 before the first, "empty" in §12.1.1). */
  get localSeq(): number {
    return this.seqLocal;
  }
  get remoteSeq(): number | null {
    return this.seqRemote;
  }
  /** The peer's Contact URI: the Request-URI of our requests (§12.2.1.1). */
  get remoteTarget(): string {
    return this.target;
  }
  /** Route values, first hop first. */
  get routeSet(): readonly string[] {
    return this.routes;
  }
  get state(): DialogState {
    return this.current;
  }
  /** What the peer's messages got wrong and how it was worked around (STYLE.md §4: answer, never crash). */
  get defects(): readonly string[] {
    return this.defectList;
  }
  get localContact(): string {
    return this.contact;
  }
  /** Our From value in requests we send (local URI + local tag). */
  get localAddress(): string {
    return withTag(this.localUri, this.id.localTag);
  }
  get remoteAddress(): string {
    return withTag(this.remoteUri, this.id.remoteTag);
  }

  /** Request-URI, Route values and first hop of our next request (§12.2.1.1). */
  routing(): Routing {
    return routeRequest(this.target, this.routes);
  }

  /**
   * The URI our in-dialog requests are sent to (§8.1.2): the first route's URI, or the
   * remote target when the route set is empty. The caller resolves it (RFC 3263) — or
   * uses the leg's flow when the peer is behind NAT.
   */
  nextHop(): string {
    return this.routing().nextHop;
  }

  /**
   * §12.2.1.1: a request within the dialog. CSeq = local seq + 1; Request-URI and Route
   * from the remote target and route set (strict-routing fallback included); Contact on
   * target refresh requests. ACK and CANCEL reuse their INVITE's CSeq: build them with
   * createAck2xx and createCancel.
   */
  createRequest(method: string, opts: InDialogRequestOptions): SipRequest {
    if (method === "ACK" || method === "CANCEL") {
      throw new Error(`Dialog.createRequest: ${method} takes its INVITE's CSeq; use ${method === "ACK" ? "createAck2xx" : "createCancel"} (RFC 3261 §12.2.1.1)`);
    }
    const request = buildRequest({
      method,
      routing: this.routing(),
      via: opts.via,
      maxForwards: opts.maxForwards,
      from: this.localAddress,
      to: this.remoteAddress,
      callId: this.id.callId,
      cseq: this.seqLocal + 1,
      contact: TARGET_REFRESH_METHODS.has(method) ? (opts.contact ?? (this.contact === "" ? null : this.contact)) : null,
      headers: opts.headers,
      body: opts.body,
      contentType: opts.contentType,
    });
    this.seqLocal++;
    return request;
  }

  /**
   * §12.2.2: checks an in-dialog request before it is processed. A CSeq below the remote
   * sequence number is out of order → 500; otherwise the remote sequence number moves to
   * it. A BYE terminates the dialog (§15.1.2: it is always answered 200). The ACK and the
   * CANCEL carry their INVITE's number and are never answered with an error, so they pass
   * without touching the sequence. Target refresh is left to refreshTarget(), called once
   * the request is accepted (2xx).
   */
  receiveRequest(req: SipRequest): InDialogRequestCheck {
    if (!this.isOurs(req, "uas")) return { ok: false, status: 481, reason: "Call/Transaction Does Not Exist" };
    if (req.method === "ACK" || req.method === "CANCEL") return { ok: true };
    if (this.current === "terminated") return { ok: false, status: 481, reason: "Call/Transaction Does Not Exist" };
    const cseq = parseCSeq(getHeader(req, "cseq") ?? "");
    if (cseq === null) return { ok: false, status: 500, reason: "Bad CSeq" };
    if (this.seqRemote !== null && cseq.seq < this.seqRemote) return { ok: false, status: 500, reason: "CSeq Out Of Order" };
    this.seqRemote = cseq.seq;
    if (req.method === "BYE") this.current = "terminated";
    return { ok: true };
  }

  /**
   * Target refresh (§12.2.2 for requests, §12.2.1.2 for 2xx responses): the remote target
   * becomes the message's Contact URI. False (target kept) when there is no usable Contact.
   */
  refreshTarget(msg: SipMessage): boolean {
    const uri = contactUriOf(msg);
    if (uri === null) return false;
    this.target = uri;
    return true;
  }

  /**
   * A response to a request we sent in this dialog (or to the INVITE that created it):
   * - 2xx to the initial INVITE of an early dialog: confirmed, route set recomputed from
   *   the 2xx and remote target from its Contact (§13.2.2.4, §12.2.1.2);
   * - 2xx to a target refresh request: remote target from its Contact (§12.2.1.2);
   * - any final response to BYE, a 481 or a 408 (§12.2.1.2), a non-2xx final to the
   *   initial INVITE of an early dialog (§12.3): terminated.
   */
  receiveResponse(res: SipResponse): DialogResponseEffect {
    if (!this.isOurs(res, "uac")) return "mismatch";
    const cseq = parseCSeq(getHeader(res, "cseq") ?? "");
    if (cseq === null || this.current === "terminated" || res.status < 200) return "none";
    const initialInvite = this.role === "uac" && this.current === "early" && cseq.method === "INVITE";
    if (cseq.method === "BYE" || res.status === 481 || res.status === 408 || (res.status >= 300 && initialInvite)) {
      this.current = "terminated";
      return "terminated";
    }
    if (res.status >= 300) return "none";
    if (initialInvite) {
      this.routes = recordRoutes(res, this.defectList).reverse();
      this.refreshTarget(res);
      this.current = "confirmed";
      return "confirmed";
    }
    return TARGET_REFRESH_METHODS.has(cseq.method) && this.refreshTarget(res) ? "target-refreshed" : "none";
  }

  /** The UAS sent its 2xx: an early dialog is confirmed (§12.1.1). */
  confirm(): void {
    if (this.current === "early") this.current = "confirmed";
  }

  terminate(): void {
    this.current = "terminated";
  }

  /**
   * True when `msg` belongs to this dialog, seen from `role` in its transaction: same
   * Call-ID (compared exactly, §20.8) and tags (compared exactly: they are opaque tokens).
   */
  isOurs(msg: SipMessage, role: "uac" | "uas"): boolean {
    if (getHeader(msg, "call-id") !== this.id.callId) return false;
    const from = tagOf(getHeader(msg, "from")) ?? "";
    const to = tagOf(getHeader(msg, "to")) ?? "";
    const [local, remote] = role === "uas" ? [to, from] : [from, to];
    return local === this.id.localTag && remote === this.id.remoteTag;
  }
}
