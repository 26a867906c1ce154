/**
 * The Reason header (RFC 3326 §2):
 *   reason-value     = protocol *(SEMI reason-params)
 *   protocol         = "SIP" / "Q.850" / token
 *   reason-params    = protocol-cause / reason-text / reason-extension
 *   protocol-cause   = "cause" EQUAL cause        cause = 1*DIGIT
 *   reason-text      = "text" EQUAL quoted-string
 * Sent in BYE and CANCEL (RFC 3326 §3) and in responses (RFC 6432).
 */
import { getHeader, getHeaderValues, headerField } from "../headers.js";
import type { HeaderField, SipMessage } from "../message.js";
import { isTokenChar, parseParams, skipWs, unquote, type Params } from "../parse-params.js";
import { formatDisplayName } from "./address-text.js";
import type { HangupCause } from "./q850.js";
import { sipStatusToQ850 } from "./q850.js";

export interface ReasonValue {
  /** "SIP" or "Q.850" in that spelling whatever the case received; other protocols as written. */
  protocol: string;
  cause: number | null;
  /** The text, unquoted, or null. */
  text: string | null;
  /** Every parameter as parsed (names lower-cased, values raw). */
  params: Params;
}

export type ReasonResult = { ok: true; value: ReasonValue } | { ok: false; error: string };

/** Parses one reason-value. Never throws. */
export function parseReason(value: string): ReasonResult {
  let i = skipWs(value, 0);
  const start = i;
  while (i < value.length && isTokenChar(value.charCodeAt(i))) i++;
  if (i === start) return { ok: false, error: "missing protocol" };
  const written = value.slice(start, i);
  const params = parseParams(value, i, { allowWs: true });
  if (!params.ok) return { ok: false, error: params.error };
  if (skipWs(value, params.end) !== value.length) return { ok: false, error: "trailing characters" };
  const causeText = params.params.get("cause");
  let cause: number | null = null;
  if (causeText !== undefined) {
    if (causeText === null || !/^\d{1,10}$/.test(causeText)) return { ok: false, error: `bad cause '${causeText ?? ""}'` };
    cause = Number(causeText);
  }
  const textParam = params.params.get("text");
  const lower = written.toLowerCase();
  // Protocol names are tokens, compared without case (RFC 3261 §7.3.1).
  const protocol = lower === "q.850" ? "Q.850" : lower === "sip" ? "SIP" : written;
  return { ok: true, value: { protocol, cause, text: textParam === undefined ? null : unquote(textParam), params: params.params } };
}

/** `Q.850;cause=16;text="Normal call clearing"`. Throws on a cause that is not a non-negative integer (a caller bug). */
export function formatReason(r: { protocol: "Q.850" | "SIP"; cause: number; text?: string | null }): string {
  if (!Number.isInteger(r.cause) || r.cause < 0) throw new Error(`formatReason: cause ${r.cause} is not a non-negative integer (RFC 3326 §2)`);
  let out = `${r.protocol};cause=${r.cause}`;
  if (r.text !== undefined && r.text !== null) {
    const q = formatDisplayName(r.text);
    // reason-text is always a quoted-string; formatDisplayName leaves plain words bare.
    out += `;text=${q.startsWith('"') ? q : `"${q}"`}`;
  }
  return out;
}

/** A Reason header field for a Q.850 cause: `Reason: Q.850;cause=16;text="Normal call clearing"`. */
export function q850Reason(cause: HangupCause): HeaderField {
  return headerField("Reason", formatReason({ protocol: "Q.850", cause: cause.q850, text: cause.text }));
}

/** Every well-formed reason-value of a message, in order (the header is a list, §2). */
export function reasonsOf(msg: Pick<SipMessage, "headers">): ReasonValue[] {
  const out: ReasonValue[] = [];
  for (const v of getHeaderValues(msg, "reason")) {
    const r = parseReason(v);
    if (r.ok) out.push(r.value);
  }
  return out;
}

/** The Q.850 cause of the first Q.850 Reason of a message, or null. */
export function q850CauseOf(msg: Pick<SipMessage, "headers">): number | null {
  for (const r of reasonsOf(msg)) if (r.protocol === "Q.850" && r.cause !== null) return r.cause;
  return null;
}

/** The warn-code of the first Warning header (RFC 3261 §20.43: 3DIGIT SP agent SP text), or null. */
export function warningCodeOf(msg: Pick<SipMessage, "headers">): number | null {
  const m = /^\s*(\d{3})\s/.exec(getHeader(msg, "warning") ?? "");
  return m === null ? null : Number(m[1]);
}

/**
 * The Q.850 cause a final response stands for: its own Q.850 Reason when it has one
 * (RFC 6432: the far end's cause is better than a mapping), else RFC 3398 §8.2.6.1 from
 * the status and the Warning code.
 */
export function responseCause(res: Pick<SipMessage, "headers"> & { status: number }): number {
  return q850CauseOf(res) ?? sipStatusToQ850(res.status, warningCodeOf(res));
}
