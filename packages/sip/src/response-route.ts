/**
 * Where responses go (RFC 3261 §18.2.2, RFC 3581 §4) and the Via bookkeeping on receipt
 * that makes it work through NATs (RFC 3261 §18.2.1, RFC 3581 §4). Pure.
 */
import type { HeaderField } from "./message.js";
import { formatVia, parseVia, type Via } from "./parse-via.js";
import { splitHeaderList } from "./split-list.js";
import { isReliable, type Endpoint } from "./transport-types.js";

/**
 * An Endpoint tied to one connection when there is one (TCP/TLS/WS): RFC 5626 flows and
 * RFC 3261 §18.2.2 "the same connection". Absent for UDP.
 */
export type FlowEndpoint = Endpoint & { connectionId?: string };

const SIP_PORT = 5060;
const SIPS_PORT = 5061;

/**
 * RFC 3261 §18.2.2 (with RFC 3581 §4) for a response to a request whose topmost Via is
 * `topVia` and which arrived from `source`:
 * - reliable transport: back over the connection the request came on;
 * - `maddr`: to that address, port from sent-by or 5060;
 * - otherwise (unreliable): to the source IP (= `received`), port = source port if the
 *   client asked for `rport`, else sent-by port or 5060.
 * The reliability test uses the transport the request really used, not what Via claims.
 */
export function responseDestination(topVia: Via, source: FlowEndpoint): FlowEndpoint {
  if (isReliable(source.transport)) {
    const dest: FlowEndpoint = { transport: source.transport, address: source.address, port: source.port };
    if (source.connectionId !== undefined) dest.connectionId = source.connectionId;
    return dest;
  }
  const maddr = topVia.params.get("maddr");
  if (maddr !== undefined && maddr !== null) {
    return { transport: source.transport, address: unbracket(maddr), port: topVia.port ?? SIP_PORT };
  }
  // RFC 3581 §4: rport (empty as sent, or filled by addReceivedRport) → source port.
  const port = topVia.params.has("rport") ? source.port : (topVia.port ?? SIP_PORT);
  return { transport: source.transport, address: source.address, port };
}

/**
 * RFC 3261 §18.2.2: when the connection a request came on has closed, open a new one to
 * the `received` address (the source IP) and the sent-by port, or the transport's default
 * port. null for WebSocket: a WebSocket client accepts no connections (RFC 7118 §5).
 */
export function responseFallback(topVia: Via, source: Endpoint): Endpoint | null {
  if (!isReliable(source.transport) || source.transport === "ws" || source.transport === "wss") return null;
  const port = topVia.port ?? (source.transport === "tls" ? SIPS_PORT : SIP_PORT);
  return { transport: source.transport, address: source.address, port };
}

/**
 * On receipt of a request (RFC 3261 §18.2.1): add `received=<source IP>` to the topmost
 * Via when its sent-by host is not the source address (a domain name, or another IP
 * behind a NAT). RFC 3581 §4: an empty `rport` gets the source port, and then `received`
 * is added even when the addresses match. Mutates `request.headers`; returns whether the
 * Via changed (false also when the Via does not parse: sanity reports that).
 */
export function addReceivedRport(request: { headers: HeaderField[] }, source: Endpoint): boolean {
  const index = request.headers.findIndex((h) => h.key === "via");
  const field = request.headers[index];
  if (field === undefined) return false;
  const values = splitHeaderList(field.value);
  const first = values[0];
  if (first === undefined) return false;
  const parsed = parseVia(first);
  if (!parsed.ok) return false;
  const via = parsed.value;
  const params = new Map(via.params);
  const wantsRport = params.has("rport");
  if (wantsRport && params.get("rport") === null) params.set("rport", String(source.port));
  if (wantsRport || !sameAddress(via.host, source.address)) params.set("received", unbracket(source.address));
  if (sameParams(params, via.params)) return false;
  values[0] = formatVia({ ...via, params });
  request.headers[index] = { ...field, value: values.join(", ") };
  return true;
}

function sameAddress(host: string, address: string): boolean {
  return unbracket(host).toLowerCase() === unbracket(address).toLowerCase();
}

/** IPv6 references carry brackets in sent-by/maddr, never in `received` (RFC 3261 §25.1). */
function unbracket(host: string): string {
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}

function sameParams(a: ReadonlyMap<string, string | null>, b: ReadonlyMap<string, string | null>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}
