/**
 * The last word on a stream that can no longer be framed (StreamFramer "error" output):
 * a stateless 400/513 if the header section is an answerable request, else nothing.
 * The adapter writes it and closes the connection (RFC 3261 §18.3: without a usable
 * Content-Length the receiver cannot find the next message).
 */
import { createResponse } from "./create-response.js";
import { hasHeader } from "./headers.js";
import { parseMessage, type ParseResult } from "./parse-message.js";
import { serializeMessage } from "./serialize-message.js";
import type { FramingErrorReason } from "./stream-framer.js";

const ANSWERS: Readonly<Record<FramingErrorReason, { status: number; reason: string }>> = {
  // RFC 3261 §21.5.11: 513 when the request is longer than the server can process.
  "header-too-large": { status: 513, reason: "Message Too Large" },
  "message-too-large": { status: 513, reason: "Message Too Large" },
  "missing-content-length": { status: 400, reason: "Missing Content-Length" },
  "bad-content-length": { status: 400, reason: "Bad Content-Length" },
};

/** Headers a stateless answer copies (RFC 3261 §8.2.6.2); without them, drop (STYLE.md §4). */
const REQUIRED = ["via", "from", "to", "call-id", "cseq"] as const;

/**
 * Wire bytes of the answer to a framing error, or null when `head` is not an answerable
 * request (a response, an ACK, garbage, or missing Via/From/To/Call-ID/CSeq).
 * `toTag` is the To tag for the response (random, RFC 3261 §19.3).
 */
export function framingErrorResponse(reason: FramingErrorReason, head: Uint8Array, toTag: string): Uint8Array | null {
  // Parsed as a datagram: the body (if any) is not there, and only the headers matter.
  const parsed = parseMessage(head);
  const target = parsed.ok ? parsed.message : parsed.partial;
  if (target === null) return null;
  const method = requestMethod(parsed);
  // RFC 3261 §17.1.1.3 / STYLE.md §4: responses and ACKs are never answered.
  if (method === null || method === "ACK") return null;
  if (!REQUIRED.every((key) => hasHeader(target, key))) return null;
  const answer = ANSWERS[reason];
  return serializeMessage(createResponse(target, answer.status, { reason: answer.reason, toTag }));
}

function requestMethod(parsed: ParseResult): string | null {
  if (parsed.ok) return parsed.message.kind === "request" ? parsed.message.method : null;
  return parsed.partial?.kind === "request" ? parsed.partial.method : null;
}
