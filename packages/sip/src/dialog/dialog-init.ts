/**
 * The initial state of a dialog, computed from the messages that create it: RFC 3261
 * §12.1.1 (UAS: from the request it answers with a 1xx/2xx carrying a To tag) and
 * §12.1.2 (UAC: from the request and the 1xx/2xx with a To tag). Peer input never throws:
 * what cannot be taken as the RFC says is worked around and listed in `defects`.
 */
import { getHeader, getHeaderValues } from "../headers.js";
import type { SipRequest, SipResponse } from "../message.js";
import { parseCSeq } from "../parse-cseq.js";
import { parseNameAddr } from "../parse-name-addr.js";
import { parseUri } from "../parse-uri.js";
import { parseVia } from "../parse-via.js";
import { withoutTag } from "./address-text.js";
import { contactUriOf, tagOf, type DialogId } from "./dialog-id.js";

export const DIALOG_STATES = ["early", "confirmed", "terminated"] as const;
export type DialogState = (typeof DIALOG_STATES)[number];

export interface DialogInit {
  id: DialogId;
  role: "uac" | "uas";
  localUri: string;
  remoteUri: string;
  /** CSeq number of the last request we sent; 0 = "empty" (§12.1.1). */
  localSeq: number;
  remoteSeq: number | null;
  remoteTarget: string;
  routeSet: string[];
  secure: boolean;
  state: DialogState;
  /** Our Contact value, reused for target refresh requests unless one is given. */
  localContact: string;
  defects: string[];
}

export interface UasDialogOptions {
  /** CSeq number of our first request in the dialog (§12.2.1.1 leaves it to us, §8.1.1.5); default 1. */
  initialLocalSeq?: number;
  /** "early" when created for a 1xx (confirm() on the 2xx), "confirmed" (default) for a 2xx. */
  state?: "early" | "confirmed";
  /** Override of the secure flag; default: a SIPS Request-URI that arrived over TLS (§12.1.1). */
  secure?: boolean;
}

export interface UacDialogOptions {
  /** Override of the secure flag; default: a SIPS Request-URI sent over TLS (§12.1.2). */
  secure?: boolean;
}

const MAX_SEQ = 2 ** 31 - 1;

export function uasDialogInit(request: SipRequest, localTag: string, localContact: string, opts: UasDialogOptions): DialogInit {
  if (localTag === "") throw new Error("Dialog.fromUas: the local tag must not be empty (RFC 3261 §19.3)");
  const first = opts.initialLocalSeq ?? 1;
  if (!Number.isInteger(first) || first < 1 || first > MAX_SEQ) throw new Error(`Dialog.fromUas: initialLocalSeq ${first} is not 1..2^31-1 (RFC 3261 §8.1.1.5)`);
  const defects: string[] = [];
  const from = getHeader(request, "from");
  const to = getHeader(request, "to");
  // §12.1.1: a UAS MUST accept a From without tag (RFC 2543); the remote tag is then null, "" here.
  const remoteTag = tagOf(from) ?? "";
  if (tagOf(to) !== null) defects.push("To already has a tag: the request is not dialog-creating");
  const cseq = parseCSeq(getHeader(request, "cseq") ?? "");
  if (cseq === null) defects.push("Bad CSeq: remote sequence number left empty");
  // §12.1.1: the remote target is the Contact URI of the request.
  let remoteTarget = contactUriOf(request);
  if (remoteTarget === null) {
    defects.push("Missing or bad Contact: remote target is the From URI");
    remoteTarget = uriOf(from) ?? request.uri;
  }
  return {
    id: { callId: getHeader(request, "call-id") ?? "", localTag, remoteTag },
    role: "uas",
    localUri: withoutTag(to ?? ""),
    remoteUri: withoutTag(from ?? ""),
    localSeq: first - 1,
    remoteSeq: cseq?.seq ?? null,
    remoteTarget,
    // §12.1.1: the route set is the Record-Route list of the request, in order.
    routeSet: recordRoutes(request, defects),
    secure: opts.secure ?? isSecure(request),
    state: opts.state ?? "confirmed",
    localContact,
    defects,
  };
}

export function uacDialogInit(request: SipRequest, response: SipResponse, opts: UacDialogOptions): DialogInit {
  const defects: string[] = [];
  const from = getHeader(request, "from");
  const localTag = tagOf(from) ?? "";
  if (localTag === "") defects.push("our request's From has no tag");
  const remoteTag = tagOf(getHeader(response, "to")) ?? "";
  // §12.1.2: only a response with a To tag establishes a dialog; the caller checked that.
  if (remoteTag === "") defects.push("response without To tag");
  const cseq = parseCSeq(getHeader(request, "cseq") ?? "");
  let remoteTarget = contactUriOf(response);
  if (remoteTarget === null) {
    // §12.1.2 wants the response's Contact; the Request-URI reached the same UAS.
    defects.push("Missing or bad Contact in the response: remote target is the Request-URI");
    remoteTarget = request.uri;
  }
  let state: DialogState = "confirmed";
  if (response.status < 200) state = "early";
  else if (response.status >= 300) {
    defects.push(`a ${response.status} creates no dialog (RFC 3261 §12.1)`);
    state = "terminated";
  }
  return {
    id: { callId: getHeader(request, "call-id") ?? "", localTag, remoteTag },
    role: "uac",
    localUri: withoutTag(from ?? ""),
    // §12.1.2: the remote URI is the To of the request (the response's differs only by the tag).
    remoteUri: withoutTag(getHeader(request, "to") ?? ""),
    localSeq: cseq?.seq ?? 0,
    remoteSeq: null,
    remoteTarget,
    // §12.1.2: the route set is the Record-Route list of the response, in reverse order.
    routeSet: recordRoutes(response, defects).reverse(),
    secure: opts.secure ?? isSecure(request),
    state,
    localContact: getHeaderValues(request, "contact")[0] ?? "",
    defects,
  };
}

/** Record-Route values in message order; unparsable ones are kept as written and noted. */
export function recordRoutes(message: SipRequest | SipResponse, defects: string[]): string[] {
  const values = getHeaderValues(message, "record-route");
  for (const v of values) if (!parseNameAddr(v).ok) defects.push(`Bad Record-Route '${v}'`);
  return values;
}

/**
 * §12.1.1/§12.1.2: secure when the request went over TLS and its Request-URI is SIPS. The
 * transport is read from the top Via, which the previous hop (or we) wrote for this hop.
 */
function isSecure(request: SipRequest): boolean {
  const uri = parseUri(request.uri);
  if (!uri.ok || uri.uri.scheme !== "sips") return false;
  const top = getHeaderValues(request, "via")[0];
  const via = top === undefined ? null : parseVia(top);
  return via !== null && via.ok && (via.value.transport === "TLS" || via.value.transport === "WSS");
}

function uriOf(value: string | undefined): string | null {
  if (value === undefined) return null;
  const r = parseNameAddr(value);
  return r.ok ? r.value.uri : null;
}
