/**
 * Assembles a request from its parts in one fixed header order, so every request hotline
 * writes (in or out of a dialog, ACK for a 2xx) looks the same on the wire:
 * Via, Max-Forwards, Route…, From, To, Call-ID, CSeq, Contact, extra headers,
 * Content-Type, Content-Length.
 */
import { headerField } from "../headers.js";
import type { HeaderField, SipRequest } from "../message.js";
import { EMPTY_BODY } from "../text.js";
import { contactValue, viaValue, type ViaSpec } from "./address-text.js";
import type { Routing } from "./route-set.js";

/** RFC 3261 §8.1.1.6: Max-Forwards SHOULD be 70. */
export const DEFAULT_MAX_FORWARDS = 70;

export interface RequestParts {
  method: string;
  routing: Routing;
  via: ViaSpec;
  maxForwards?: number | undefined;
  /** Full From and To values, tags included. */
  from: string;
  to: string;
  callId: string;
  cseq: number;
  /** A Contact URI or value, or null for none. */
  contact: string | null;
  headers?: readonly HeaderField[] | undefined;
  body?: Uint8Array | undefined;
  contentType?: string | undefined;
}

/** Throws on caller mistakes only (a body without a type, a bad Max-Forwards or CSeq), never on peer input. */
export function buildRequest(p: RequestParts): SipRequest {
  const maxForwards = p.maxForwards ?? DEFAULT_MAX_FORWARDS;
  if (!Number.isInteger(maxForwards) || maxForwards < 0 || maxForwards > 255) throw new Error(`${p.method}: Max-Forwards ${maxForwards} is not 0..255 (RFC 3261 §20.22)`);
  // §8.1.1.5: the CSeq number is a 32-bit unsigned integer below 2^31.
  if (!Number.isInteger(p.cseq) || p.cseq < 0 || p.cseq >= 2 ** 31) throw new Error(`${p.method}: CSeq ${p.cseq} is not 0..2^31-1 (RFC 3261 §8.1.1.5)`);
  const body = p.body ?? EMPTY_BODY;
  const extra = p.headers ?? [];
  const typed = p.contentType !== undefined || extra.some((h) => h.key === "content-type");
  if (body.length > 0 && !typed) throw new Error(`${p.method}: a body needs a contentType (RFC 3261 §20.15)`);
  const headers: HeaderField[] = [headerField("Via", viaValue(p.via)), headerField("Max-Forwards", String(maxForwards))];
  for (const r of p.routing.routes) headers.push(headerField("Route", r));
  headers.push(headerField("From", p.from), headerField("To", p.to), headerField("Call-ID", p.callId), headerField("CSeq", `${p.cseq} ${p.method}`));
  if (p.contact !== null) headers.push(headerField("Contact", contactValue(p.contact)));
  for (const h of extra) if (h.key !== "content-length") headers.push({ ...h });
  if (p.contentType !== undefined) headers.push(headerField("Content-Type", p.contentType));
  // Always written, also for an empty body (RFC 3261 §20.14: required on streams; harmless on UDP).
  headers.push(headerField("Content-Length", String(body.length)));
  return { kind: "request", method: p.method, uri: p.routing.requestUri, version: "SIP/2.0", headers, body };
}
