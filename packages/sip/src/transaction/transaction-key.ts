/**
 * Matching keys for transactions (RFC 3261 §17.1.3, §17.2.3) and for merged-request
 * detection (§8.2.2.2). Branches and hosts compare case-insensitively (§7.3.1).
 */
import type { SipRequest } from "../message.js";
import { formatVia } from "../parse-via.js";
import type { MessageSummary } from "../summary.js";

/** §17.1.3: a response matches the client transaction with the same top-Via branch and CSeq method. */
export function clientTransactionKey(branch: string, method: string): string {
  return `${branch.toLowerCase()}|${method}`;
}

/** §17.2.3: an ACK matches the INVITE transaction; every other method its own. */
export function matchingMethod(request: SipRequest): string {
  return request.method === "ACK" ? "INVITE" : request.method;
}

/** §17.2.3 with a "z9hG4bK" branch: branch + sent-by of the top Via + method. */
export function serverTransactionKey(summary: MessageSummary, method: string): string {
  const via = summary.topVia;
  return `${(via.branch ?? "").toLowerCase()}|${via.host.toLowerCase()}:${via.port ?? ""}|${method}`;
}

/**
 * §17.2.3 for RFC 2543 peers (no cookie): Request-URI, From tag, Call-ID, CSeq and top Via.
 * The To tag is compared separately: an INVITE's own, or for an ACK the tag of the
 * response the transaction sent.
 */
export function rfc2543Key(request: SipRequest, summary: MessageSummary, method: string): string {
  return `${request.uri}|${summary.fromTag ?? ""}|${summary.callId}|${summary.cseq.seq} ${method}|${formatVia(summary.topVia)}`;
}

/** §8.2.2.2: From tag, Call-ID and CSeq of a request; null when it cannot be merged (To tag or no From tag). */
export function mergeKey(summary: MessageSummary): string | null {
  if (summary.toTag !== null || summary.fromTag === null) return null;
  return `${summary.fromTag}|${summary.callId}|${summary.cseq.seq} ${summary.cseq.method}`;
}
