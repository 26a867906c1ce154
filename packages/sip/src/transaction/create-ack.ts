/**
 * The ACK an INVITE client transaction generates for a non-2xx final response
 * (RFC 3261 §17.1.1.3). The ACK for a 2xx is the TU's (§13.2.2.4), never built here.
 */
import { getHeader, getHeaderFields, getHeaderValues, headerField } from "../headers.js";
import type { HeaderField, SipRequest, SipResponse } from "../message.js";
import { parseCSeq } from "../parse-cseq.js";
import { EMPTY_BODY } from "../text.js";

/**
 * §17.1.1.3: Request-URI, Call-ID, From and the CSeq number of the original request
 * (method ACK); To of the response (with its tag); one Via, equal to the original's top
 * Via (so the ACK has the INVITE's branch); the original's Route header fields.
 * Max-Forwards is copied (a request needs one, §8.1.1.6); the ACK has no body.
 */
export function createNon2xxAck(invite: SipRequest, response: SipResponse): SipRequest {
  const headers: HeaderField[] = [];
  const topVia = getHeaderValues(invite, "via")[0];
  if (topVia !== undefined) headers.push(headerField("Via", topVia));
  headers.push(headerField("Max-Forwards", getHeader(invite, "max-forwards") ?? "70"));
  for (const route of getHeaderFields(invite, "route")) headers.push(headerField("Route", route));
  copy(headers, "From", getHeader(invite, "from"));
  copy(headers, "To", getHeader(response, "to") ?? getHeader(invite, "to"));
  copy(headers, "Call-ID", getHeader(invite, "call-id"));
  const cseq = parseCSeq(getHeader(invite, "cseq") ?? "");
  if (cseq !== null) headers.push(headerField("CSeq", `${cseq.seq} ACK`));
  return { kind: "request", method: "ACK", uri: invite.uri, version: "SIP/2.0", headers, body: EMPTY_BODY };
}

function copy(headers: HeaderField[], name: string, value: string | undefined): void {
  if (value !== undefined) headers.push(headerField(name, value));
}
