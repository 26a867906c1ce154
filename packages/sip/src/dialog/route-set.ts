/**
 * Request-URI and Route header fields from a remote target and a route set (RFC 3261
 * §12.2.1.1), used inside dialogs and, with a preexisting route set, outside them too
 * (§8.1.1.1: "using the desired Request-URI as the remote target URI").
 */
import { parseNameAddr } from "../parse-name-addr.js";
import { formatUri, isSipUri, type Uri } from "../parse-uri.js";

export interface Routing {
  requestUri: string;
  /** Route header field values, in order. */
  routes: string[];
  /** The URI the request goes to first (§8.1.2): the top Route's, or the Request-URI. */
  nextHop: string;
}

/**
 * §12.2.1.1:
 * - empty route set: Request-URI = remote target, no Route;
 * - first route has `lr` (loose routing, RFC 3261 proxies): Request-URI = remote target,
 *   Route = the route set, in order, with all parameters;
 * - otherwise (strict routing, RFC 2543 proxies): Request-URI = the first route's URI
 *   stripped of parameters not allowed in a Request-URI, Route = the rest of the route
 *   set followed by the remote target.
 */
export function routeRequest(remoteTarget: string, routeSet: readonly string[]): Routing {
  const first = routeSet[0];
  if (first === undefined) return { requestUri: remoteTarget, routes: [], nextHop: remoteTarget };
  const parsed = parseNameAddr(first);
  // An unparsable value cannot be routed strictly (there is no URI to put in the
  // Request-URI); it is kept and sent as written, loose-style. Dialog creation records it
  // as a defect.
  if (!parsed.ok) return { requestUri: remoteTarget, routes: [...routeSet], nextHop: first };
  if (isLooseRoute(parsed.value.parsedUri)) return { requestUri: remoteTarget, routes: [...routeSet], nextHop: parsed.value.uri };
  const requestUri = requestUriOf(parsed.value.uri, parsed.value.parsedUri);
  return { requestUri, routes: [...routeSet.slice(1), `<${remoteTarget}>`], nextHop: requestUri };
}

/** The `lr` URI parameter marks a loose router (RFC 3261 §19.1.1; `lr=on` from old drafts counts too). */
export function isLooseRoute(uri: Uri): boolean {
  return isSipUri(uri) && uri.params.has("lr");
}

/**
 * RFC 3261 §19.1.1 Table 1: `method` and the headers component are not allowed in a
 * Request-URI; every other parameter (user, maddr, ttl, transport, lr) is.
 */
function requestUriOf(text: string, uri: Uri): string {
  if (!isSipUri(uri) || (!uri.params.has("method") && uri.headers === null)) return text;
  const params = new Map(uri.params);
  params.delete("method");
  return formatUri({ ...uri, params, headers: null });
}
