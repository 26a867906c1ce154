/** The ACK for a 2xx to an INVITE (RFC 3261 §13.2.2.4): the UAC core's, not a transaction's. */
import { getHeader, getHeaderFields, headerField } from "../headers.js";
import type { HeaderField, SipRequest, SipResponse } from "../message.js";
import { parseCSeq } from "../parse-cseq.js";
import type { ViaSpec } from "./address-text.js";
import { buildRequest } from "./build-request.js";
import type { Dialog } from "./dialog.js";

export interface Ack2xxOptions {
  /** A new branch: the ACK for a 2xx is its own transaction-less request (§17.1.1.3). */
  via: ViaSpec;
  maxForwards?: number;
  headers?: HeaderField[];
  /** The SDP answer when the 2xx carried the offer (RFC 3264 §4, delayed offer). */
  body?: Uint8Array;
  contentType?: string;
}

/**
 * §13.2.2.4: built like any request in the dialog (Request-URI and Route from the remote
 * target and route set, From/To/Call-ID from the dialog, §12.2.1.1) except that the CSeq
 * number is the INVITE's with method ACK, and it carries the INVITE's credentials
 * (Authorization, Proxy-Authorization). Give it the dialog after receiveResponse(2xx) (or
 * fromUac(invite, 2xx)) so the route set and target are the 2xx's. The dialog's local
 * sequence number does not move. A second fork's 2xx (another To tag) needs its own
 * Dialog.fromUac; the ACK's To always comes from `dialog`. Throws only on caller mistakes
 * (`response` not a 2xx, `invite` not an INVITE), never on what the peer sent.
 */
export function createAck2xx(dialog: Dialog, invite: SipRequest, response: SipResponse, opts: Ack2xxOptions): SipRequest {
  if (response.status < 200 || response.status >= 300) throw new Error(`createAck2xx: ${response.status} is not a 2xx (a non-2xx is ACKed by its transaction, §17.1.1.3)`);
  const cseq = parseCSeq(getHeader(invite, "cseq") ?? "");
  if (cseq === null || cseq.method !== "INVITE") throw new Error("createAck2xx: the request acknowledged must be an INVITE with a valid CSeq");
  const headers: HeaderField[] = [];
  for (const key of ["authorization", "proxy-authorization"]) for (const v of getHeaderFields(invite, key)) headers.push(headerField(key === "authorization" ? "Authorization" : "Proxy-Authorization", v));
  headers.push(...(opts.headers ?? []));
  return buildRequest({
    method: "ACK",
    routing: dialog.routing(),
    via: opts.via,
    maxForwards: opts.maxForwards,
    from: dialog.localAddress,
    to: dialog.remoteAddress,
    callId: dialog.callId,
    cseq: cseq.seq,
    contact: null,
    headers,
    body: opts.body,
    contentType: opts.contentType,
  });
}
