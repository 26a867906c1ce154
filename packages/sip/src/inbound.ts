/**
 * What to do with bytes that arrived: the one decision every transport adapter makes
 * (STYLE.md §4). A request that fails parsing or sanity gets a stateless answer if it can
 * be answered (its top Via is readable, so we know where to send); anything else —
 * including every bad response, which is never answered — is dropped with a reason.
 */
import { getHeaderValues, headerField } from "./headers.js";
import type { HeaderField, SipRequest, SipResponse } from "./message.js";
import type { ParseError } from "./parse-error.js";
import { parseMessage } from "./parse-message.js";
import { checkRequest, checkResponse, DEFAULT_SANITY, unsupportedExtensions, type SanityOptions } from "./sanity.js";

export type Inbound =
  | { type: "request"; request: SipRequest }
  | { type: "response"; response: SipResponse }
  | { type: "reject"; status: number; reason: string; headers: HeaderField[]; extraHeaders: HeaderField[]; detail?: string }
  | { type: "drop"; reason: string; detail?: string };

export interface InboundOptions {
  stream?: boolean;
  sanity?: SanityOptions;
}

export function classifyInbound(bytes: Uint8Array, opts: InboundOptions = {}): Inbound {
  const sanity = opts.sanity ?? DEFAULT_SANITY;
  const parsed = parseMessage(bytes, { stream: opts.stream === true });
  if (!parsed.ok) {
    const p = parsed.partial;
    if (p === null || p.kind !== "request") return drop(parsed.error);
    return rejectOrDrop(parsed.error, p.headers, []);
  }
  const msg = parsed.message;
  if (msg.kind === "response") {
    const err = checkResponse(msg);
    if (err !== null) return drop(err);
    // RFC 3261 §18.1.2: a response reaching a UA with more than one Via is misrouted.
    if (getHeaderValues(msg, "via").length !== 1) return { type: "drop", reason: "Multiple Via In Response" };
    return { type: "response", response: msg };
  }
  const err = checkRequest(msg, sanity);
  if (err === null) return { type: "request", request: msg };
  if (msg.method === "ACK") return drop(err); // RFC 3261 §17.2.1: an ACK is never answered
  const extra: HeaderField[] = [];
  if (err.status === 420) extra.push(headerField("Unsupported", unsupportedExtensions(msg, sanity).join(", ")));
  if (err.status === 415) extra.push(headerField("Accept", "application/sdp"));
  return rejectOrDrop(err, msg.headers, extra);
}

function rejectOrDrop(err: ParseError, headers: HeaderField[], extraHeaders: HeaderField[]): Inbound {
  // Without any Via the answer could not be matched by the client (RFC 3261 §17.1.3), so
  // it is dropped. A Via we cannot parse is still copied verbatim and the answer goes to
  // the packet's source, as rport would (RFC 4475 §3.1.2.1).
  if (!headers.some((h) => h.key === "via")) {
    return { type: "drop", reason: `${err.reason} (unanswerable: no usable Via)`, ...(err.detail !== undefined && { detail: err.detail }) };
  }
  return { type: "reject", status: err.status, reason: err.reason, headers, extraHeaders, ...(err.detail !== undefined && { detail: err.detail }) };
}

function drop(err: ParseError): Inbound {
  return { type: "drop", reason: err.reason, ...(err.detail !== undefined && { detail: err.detail }) };
}
