/**
 * Sanity checks a message must pass before the transaction layer sees it, in the spirit
 * of Kamailio's sanity module (STYLE.md §4). Each failure names the exact reason; the
 * caller answers requests statelessly (if they can be answered) and drops responses.
 */
import { countHeaderFields, getHeader, getHeaderFields, getHeaderValues } from "./headers.js";
import { SINGLE_VALUE_HEADERS } from "./header-names.js";
import type { SipMessage, SipRequest } from "./message.js";
import { parseCSeq } from "./parse-cseq.js";
import { parseError, type ParseError } from "./parse-error.js";
import { parseNameAddr } from "./parse-name-addr.js";
import { isSipUri, parseUri } from "./parse-uri.js";
import { parseVia } from "./parse-via.js";

export interface SanityOptions {
  /** Option tags this element supports; anything else in Require → 420 (RFC 3261 §8.2.2.3). */
  supported: ReadonlySet<string>;
  /** Body types accepted per method (lower-case); a request body of another type → 415. */
  acceptedContentTypes: ReadonlySet<string>;
  /** URI schemes accepted in the Request-URI; others → 416 (RFC 3261 §8.2.2.1). */
  uriSchemes: ReadonlySet<string>;
}

export const DEFAULT_SANITY: SanityOptions = {
  supported: new Set(["path", "outbound", "replaces", "100rel", "timer", "norefersub", "gruu"]),
  acceptedContentTypes: new Set(["application/sdp", "application/dtmf-relay", "application/dtmf", "message/sipfrag", "text/plain", "multipart/mixed", "application/pidf+xml", "application/dialog-info+xml", "application/simple-message-summary"]),
  uriSchemes: new Set(["sip", "sips", "tel"]),
};

/** Checks common to requests and responses: the headers every message carries. */
function checkCommon(msg: SipMessage): ParseError | null {
  const vias = getHeaderValues(msg, "via");
  if (vias.length === 0) return parseError("Missing Via Header", 400, { header: "Via" });
  for (const v of vias) {
    const r = parseVia(v);
    if (!r.ok) return parseError("Bad Via", 400, { header: "Via", detail: r.error });
  }
  for (const key of SINGLE_VALUE_HEADERS) {
    if (countHeaderFields(msg, key) > 1) return parseError("Multiple Values In Single-Value Header", 400, { detail: key });
  }
  const from = getHeader(msg, "from");
  if (from === undefined) return parseError("Missing From Header", 400, { header: "From" });
  if (!parseNameAddr(from).ok) return parseError("Bad From Header", 400, { header: "From" });
  const to = getHeader(msg, "to");
  if (to === undefined) return parseError("Missing To Header", 400, { header: "To" });
  if (!parseNameAddr(to).ok) return parseError("Bad To Header", 400, { header: "To" });
  const callId = getHeader(msg, "call-id");
  if (callId === undefined || callId === "") return parseError("Missing Call-ID Header", 400, { header: "Call-ID" });
  if (/[\s,]/.test(callId)) return parseError("Bad Call-ID Header", 400, { header: "Call-ID" });
  const cseqText = getHeader(msg, "cseq");
  if (cseqText === undefined) return parseError("Missing CSeq Header", 400, { header: "CSeq" });
  if (parseCSeq(cseqText) === null) return parseError("Bad CSeq", 400, { header: "CSeq" });
  return null;
}

export function checkResponse(msg: SipMessage): ParseError | null {
  return checkCommon(msg);
}

export function checkRequest(req: SipRequest, opts: SanityOptions = DEFAULT_SANITY): ParseError | null {
  const common = checkCommon(req);
  if (common !== null) return common;
  const cseq = parseCSeq(getHeader(req, "cseq")!)!;
  // RFC 3261 §8.1.1.5: the CSeq method matches the request method (RFC 4475 §3.1.2.17).
  if (cseq.method !== req.method) return parseError("CSeq Method Mismatch", 400, { header: "CSeq" });
  const mf = getHeader(req, "max-forwards");
  // Max-Forwards = 1*DIGIT, 0..255 (RFC 3261 §20.22); leading zeros are legal ("0068").
  if (mf !== undefined && (!/^\d{1,10}$/.test(mf) || Number(mf) > 255)) return parseError("Bad Max-Forwards", 400, { header: "Max-Forwards" });
  const expires = getHeader(req, "expires");
  if (expires !== undefined && !isDeltaSeconds(expires)) return parseError("Bad Expires", 400, { header: "Expires" });
  const contactErr = checkContacts(req);
  if (contactErr !== null) return contactErr;
  // RFC 3261 §8.1.1.8: a dialog-creating request carries a Contact, or the B2BUA could
  // never reach the caller inside the dialog (RFC 4475 §3.4.1 inv2543).
  if (DIALOG_CREATING.has(req.method) && getHeaderValues(req, "contact").length === 0) return parseError("Missing Contact Header", 400, { header: "Contact" });
  const uri = parseUri(req.uri);
  if (!uri.ok) return parseError("Bad Request-URI", 400, { detail: uri.error });
  if (!opts.uriSchemes.has(uri.uri.scheme)) return parseError("Unsupported URI Scheme", 416);
  // RFC 3261 §19.1.1 Table 1: headers are not allowed in a Request-URI (RFC 4475 §3.1.2.11).
  if (isSipUri(uri.uri) && uri.uri.headers !== null) return parseError("Bad Request-URI", 400, { detail: "headers in Request-URI" });
  // RFC 3261 §10.2: the To of a REGISTER is the address-of-record, a SIP or SIPS URI.
  if (req.method === "REGISTER") {
    const to = parseNameAddr(getHeader(req, "to")!);
    if (to.ok && !isSipUri(to.value.parsedUri)) return parseError("Bad To Header", 400, { header: "To", detail: "a REGISTER's To must be a SIP or SIPS URI" });
  }
  const unsupported = unsupportedExtensions(req, opts);
  if (unsupported.length > 0) return parseError("Bad Extension", 420, { detail: unsupported.join(", ") });
  if (req.body.length > 0 && req.method !== "ACK") {
    const type = (getHeader(req, "content-type") ?? "").split(";")[0]!.trim().toLowerCase();
    // RFC 3261 §8.2.3: a body the UAS does not understand → 415 with Accept.
    if (!opts.acceptedContentTypes.has(type)) return parseError("Unsupported Media Type", 415, { header: "Content-Type" });
  }
  // RFC 3261 §21.4.7: an INVITE whose Accept rules out SDP cannot get an answer we can
  // produce (RFC 4475 §3.3.12 sdp01).
  if (req.method === "INVITE" && !acceptsSdp(req)) return parseError("Not Acceptable", 406, { header: "Accept" });
  return null;
}

const DIALOG_CREATING = new Set(["INVITE", "SUBSCRIBE", "REFER"]);

function acceptsSdp(req: SipRequest): boolean {
  const accept = getHeaderValues(req, "accept");
  if (accept.length === 0) return true;
  return accept.some((a) => {
    const t = a.split(";")[0]!.trim().toLowerCase();
    return t === "application/sdp" || t === "application/*" || t === "*/*" || t === "multipart/mixed";
  });
}

/** delta-seconds = 1*DIGIT; values past 2^32-1 are malformed (RFC 4475 §3.1.2.4). */
export function isDeltaSeconds(v: string): boolean {
  return /^\d{1,10}$/.test(v) && Number(v) <= 0xffffffff;
}

function checkContacts(req: SipRequest): ParseError | null {
  for (const c of getHeaderValues(req, "contact")) {
    if (c === "*") continue;
    const r = parseNameAddr(c);
    if (!r.ok) return parseError("Bad Contact Header", 400, { header: "Contact", detail: r.error });
    const exp = r.value.params.get("expires");
    if (exp !== undefined && (exp === null || !isDeltaSeconds(exp))) return parseError("Bad Contact Header", 400, { header: "Contact", detail: "bad expires parameter" });
  }
  return null;
}

/**
 * Option tags in Require (and Proxy-Require: a B2BUA terminates the request, so an
 * extension a proxy must understand is one it must understand) that we don't support.
 */
export function unsupportedExtensions(req: SipRequest, opts: SanityOptions = DEFAULT_SANITY): string[] {
  // RFC 3261 §8.2.2.3: CANCEL and ACK for non-2xx are not checked.
  if (req.method === "CANCEL" || req.method === "ACK") return [];
  const tags = [...getHeaderValues(req, "require"), ...getHeaderValues(req, "proxy-require")];
  return tags.filter((t) => !opts.supported.has(t.toLowerCase()));
}

/** For logs: all Via fields joined, used when a drop needs context. */
export function viaSummary(msg: SipMessage): string {
  return getHeaderFields(msg, "via").join(" | ");
}
