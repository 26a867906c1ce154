import type { HeaderField } from "./message.js";

/** Why a message was refused, with the status a stateless answer should carry. */
export interface ParseError {
  /** Reason phrase for the stateless response, e.g. "Bad CSeq" (Kamailio sanity style). */
  reason: string;
  /** 400, 505, 416, 420, 415, 483 … ; for responses and unanswerable input the caller drops. */
  status: number;
  /** Canonical header name involved, when one is. */
  header?: string;
  /** 1-based line of the header section where the problem is, when known. */
  line?: number;
  /** Human detail for logs. */
  detail?: string;
}

/** What could be recovered from a message that failed to parse, enough to answer it. */
export interface PartialMessage {
  kind: "request" | "response" | "unknown";
  method: string | null;
  headers: HeaderField[];
}

export function parseError(reason: string, status = 400, extra: Omit<ParseError, "reason" | "status"> = {}): ParseError {
  return { reason, status, ...extra };
}
