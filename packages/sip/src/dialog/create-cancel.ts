/** CANCEL for a pending INVITE of ours (RFC 3261 §9.1). */
import { getHeader, getHeaderFields, getHeaderValues, headerField } from "../headers.js";
import type { HeaderField, SipRequest } from "../message.js";
import { parseCSeq } from "../parse-cseq.js";
import { EMPTY_BODY } from "../text.js";
import { DEFAULT_MAX_FORWARDS } from "./build-request.js";

/**
 * §9.1: Request-URI, Call-ID, To, From and the CSeq number identical to the INVITE's
 * (tags included), method CANCEL; a single Via equal to the INVITE's top Via (so it hits
 * the same server transaction, §9.2, and the same branch, §17.2.3); the INVITE's Route
 * header fields. Max-Forwards is the INVITE's. `reason` is a Reason header (RFC 3326 §2,
 * e.g. q850Reason(CAUSES.NORMAL_CLEARING)) telling forked phones why ringing stopped.
 * The CANCEL has no body and is sent only after a provisional response (§9.1).
 */
export function createCancel(invite: SipRequest, reason?: HeaderField): SipRequest {
  const headers: HeaderField[] = [];
  const topVia = getHeaderValues(invite, "via")[0];
  if (topVia !== undefined) headers.push(headerField("Via", topVia));
  headers.push(headerField("Max-Forwards", getHeader(invite, "max-forwards") ?? String(DEFAULT_MAX_FORWARDS)));
  for (const route of getHeaderFields(invite, "route")) headers.push(headerField("Route", route));
  for (const name of ["From", "To", "Call-ID"]) {
    const v = getHeader(invite, name.toLowerCase());
    if (v !== undefined) headers.push(headerField(name, v));
  }
  const cseq = parseCSeq(getHeader(invite, "cseq") ?? "");
  if (cseq !== null) headers.push(headerField("CSeq", `${cseq.seq} CANCEL`));
  if (reason !== undefined) headers.push({ ...reason });
  headers.push(headerField("Content-Length", "0"));
  return { kind: "request", method: "CANCEL", uri: invite.uri, version: "SIP/2.0", headers, body: EMPTY_BODY };
}
