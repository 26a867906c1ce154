/**
 * Builders for the requests and responses transaction tests need. Requests are written
 * as wire text and parsed, so tests exercise the same objects the parser produces.
 */
import { createResponse } from "../create-response.js";
import type { SipRequest, SipResponse } from "../message.js";
import { parseMessage } from "../parse-message.js";
import { encodeUtf8 } from "../text.js";

export interface RequestSpec {
  method: string;
  uri?: string;
  /** The top Via branch; null writes a Via without one (RFC 2543). Default "z9hG4bK-test-1". */
  branch?: string | null;
  /** Top Via sent-by and transport. Default "client.example.com:5060", "UDP". */
  sentBy?: string;
  viaTransport?: string;
  callId?: string;
  /** From tag; null writes none. Default "from-1". */
  fromTag?: string | null;
  /** To tag; default none. */
  toTag?: string | null;
  cseq?: number;
  /** More header lines, e.g. "Route: <sip:proxy.example.com;lr>". */
  headers?: readonly string[];
}

export function makeRequest(spec: RequestSpec): SipRequest {
  const branch = spec.branch === undefined ? "z9hG4bK-test-1" : spec.branch;
  const fromTag = spec.fromTag === undefined ? "from-1" : spec.fromTag;
  const lines = [
    `${spec.method} ${spec.uri ?? "sip:bob@example.com"} SIP/2.0`,
    `Via: SIP/2.0/${spec.viaTransport ?? "UDP"} ${spec.sentBy ?? "client.example.com:5060"}${branch === null ? "" : `;branch=${branch}`}`,
    "Max-Forwards: 70",
    `From: <sip:alice@example.com>${fromTag === null ? "" : `;tag=${fromTag}`}`,
    `To: <sip:bob@example.com>${spec.toTag == null ? "" : `;tag=${spec.toTag}`}`,
    `Call-ID: ${spec.callId ?? "call-1@example.com"}`,
    `CSeq: ${spec.cseq ?? 1} ${spec.method}`,
    ...(spec.headers ?? []),
    "Content-Length: 0",
    "",
    "",
  ];
  const parsed = parseMessage(encodeUtf8(lines.join("\r\n")));
  if (!parsed.ok || parsed.message.kind !== "request") throw new Error(`makeRequest: does not parse: ${JSON.stringify(lines)}`);
  return parsed.message;
}

/** A response to `request` (RFC 3261 §8.2.6.2); a To tag is added to non-100 responses. */
export function makeResponse(request: SipRequest, status: number, toTag: string | undefined = "to-1"): SipResponse {
  return createResponse(request, status, toTag === undefined ? {} : { toTag });
}

/** Parses wire text (CRLF line ends added) into a message; throws if it does not parse. */
export function parseText(text: string): SipRequest | SipResponse {
  const parsed = parseMessage(encodeUtf8(text.replace(/\r?\n/g, "\r\n")));
  if (!parsed.ok) throw new Error(`parseText: ${parsed.error.reason}`);
  return parsed.message;
}
