/** A UAS response that creates or confirms a dialog (RFC 3261 §12.1.1). */
import { createResponse } from "../create-response.js";
import { getHeaderFields, headerField } from "../headers.js";
import type { HeaderField, SipRequest, SipResponse } from "../message.js";
import { contactValue } from "./address-text.js";

export interface DialogResponseOptions {
  /** Our tag, the dialog's local tag (§12.1.1, §19.3). */
  toTag: string;
  /** Our Contact (URI or value): the peer's remote target for us. */
  contact: string;
  reason?: string;
  headers?: HeaderField[];
  body?: Uint8Array;
  contentType?: string;
}

/**
 * createResponse (§8.2.6.2) plus what §12.1.1 asks of a 101–299 response to a
 * dialog-creating request: every Record-Route value of the request copied in order with
 * all parameters (so the caller's route set matches ours), and a Contact (also useful on
 * a 3xx, where it is the redirect target).
 */
export function createDialogResponse(request: SipRequest, status: number, opts: DialogResponseOptions): SipResponse {
  const headers: HeaderField[] = [];
  // Only responses that establish the dialog carry the route set back (a 3xx–6xx ends it).
  if (status > 100 && status < 300) for (const rr of getHeaderFields(request, "record-route")) headers.push(headerField("Record-Route", rr));
  headers.push(headerField("Contact", contactValue(opts.contact)));
  headers.push(...(opts.headers ?? []));
  if (opts.contentType !== undefined) headers.push(headerField("Content-Type", opts.contentType));
  return createResponse(request, status, {
    toTag: opts.toTag,
    headers,
    ...(opts.reason !== undefined && { reason: opts.reason }),
    ...(opts.body !== undefined && { body: opts.body }),
  });
}
