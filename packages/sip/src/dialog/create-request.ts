/**
 * Requests outside a dialog (RFC 3261 §8.1.1): the INVITE that opens an outbound leg,
 * OPTIONS pings, MESSAGE, out-of-dialog REFER/SUBSCRIBE.
 */
import type { HeaderField, SipRequest } from "../message.js";
import { formatAddress, withTag, type ViaSpec } from "./address-text.js";
import { buildRequest } from "./build-request.js";
import { routeRequest } from "./route-set.js";

export interface OutOfDialogRequestOptions {
  method: string;
  /** §8.1.1.1: initially the To URI; a registered contact or a trunk address for hotline. */
  requestUri: string;
  /** §8.1.1.3: From with our fresh tag (§19.3). */
  from: { uri: string; displayName?: string | null; tag: string };
  /** §8.1.1.2: To without a tag. */
  to: { uri: string; displayName?: string | null };
  /** §8.1.1.4: globally unique; the same for every request of a registration or dialog attempt. */
  callId: string;
  cseq: number;
  via: ViaSpec;
  /** §8.1.1.8: required in any request that can create a dialog (INVITE, SUBSCRIBE, REFER). */
  contact?: string;
  maxForwards?: number;
  /**
   * A preexisting route set (an outbound proxy), as Route values ("<sip:proxy;lr>") or URIs.
   * §8.1.1.1: applied as in §12.2.1.1 with the Request-URI as the remote target.
   */
  routes?: readonly string[];
  headers?: HeaderField[];
  body?: Uint8Array;
  contentType?: string;
}

export function createRequest(opts: OutOfDialogRequestOptions): SipRequest {
  const routes = (opts.routes ?? []).map((r) => (r.includes("<") ? r : `<${r}>`));
  return buildRequest({
    method: opts.method,
    routing: routeRequest(opts.requestUri, routes),
    via: opts.via,
    maxForwards: opts.maxForwards,
    from: withTag(formatAddress(opts.from.uri, opts.from.displayName), opts.from.tag),
    to: formatAddress(opts.to.uri, opts.to.displayName),
    callId: opts.callId,
    cseq: opts.cseq,
    contact: opts.contact ?? null,
    headers: opts.headers,
    body: opts.body,
    contentType: opts.contentType,
  });
}
