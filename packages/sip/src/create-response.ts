/**
 * Building responses to a request (RFC 3261 §8.2.6.2): Via (all, in order), From,
 * To, Call-ID and CSeq are copied; a To tag is added for anything but 100 when absent.
 * Also used for stateless responses built from a partially parsed request.
 */
import { headerField } from "./headers.js";
import type { HeaderField, SipResponse } from "./message.js";
import { EMPTY_BODY } from "./text.js";

const COPIED = new Set(["via", "from", "to", "call-id", "cseq"]);

export const REASON_PHRASES: Readonly<Record<number, string>> = {
  100: "Trying", 180: "Ringing", 181: "Call Is Being Forwarded", 182: "Queued", 183: "Session Progress",
  200: "OK", 202: "Accepted", 302: "Moved Temporarily", 400: "Bad Request", 401: "Unauthorized",
  403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed", 407: "Proxy Authentication Required",
  408: "Request Timeout", 410: "Gone", 413: "Request Entity Too Large", 415: "Unsupported Media Type",
  416: "Unsupported URI Scheme", 420: "Bad Extension", 421: "Extension Required", 422: "Session Interval Too Small", 423: "Interval Too Brief",
  480: "Temporarily Unavailable", 481: "Call/Transaction Does Not Exist", 482: "Loop Detected",
  483: "Too Many Hops", 484: "Address Incomplete", 486: "Busy Here", 487: "Request Terminated",
  488: "Not Acceptable Here", 489: "Bad Event", 491: "Request Pending", 500: "Server Internal Error",
  501: "Not Implemented", 503: "Service Unavailable", 504: "Server Time-out", 505: "Version Not Supported",
  513: "Message Too Large", 600: "Busy Everywhere", 603: "Decline", 604: "Does Not Exist Anywhere",
};

export interface ResponseOptions {
  reason?: string;
  /** To tag to add when the request's To has none (ignored for 100, RFC 3261 §8.2.6.2). */
  toTag?: string;
  headers?: HeaderField[];
  body?: Uint8Array;
}

export function createResponse(request: { headers: HeaderField[] }, status: number, opts: ResponseOptions = {}): SipResponse {
  const headers: HeaderField[] = [];
  for (const h of request.headers) {
    if (!COPIED.has(h.key)) continue;
    if (h.key === "to" && status !== 100 && opts.toTag !== undefined && !/;\s*tag\s*=/i.test(h.value)) {
      headers.push({ ...h, value: `${h.value};tag=${opts.toTag}` });
    } else headers.push({ ...h });
  }
  if (opts.headers !== undefined) headers.push(...opts.headers);
  return {
    kind: "response",
    status,
    reason: opts.reason ?? REASON_PHRASES[status] ?? "Unknown",
    version: "SIP/2.0",
    headers,
    body: opts.body ?? EMPTY_BODY,
  };
}

export { headerField };
