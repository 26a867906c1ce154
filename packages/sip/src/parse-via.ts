/**
 * Via (RFC 3261 §20.42, §25.1):
 *   via-parm = sent-protocol LWS sent-by *( SEMI via-params )
 *   sent-protocol = protocol-name SLASH protocol-version SLASH transport
 * SLASH, COLON, SEMI and EQUAL allow surrounding whitespace (RFC 4475 §3.1.1.1).
 */
import { parseParams, skipWs, type Params } from "./parse-params.js";
import { parseHostPort } from "./parse-uri.js";
import { memoizeLast } from "./memo.js";

export interface Via {
  protocol: string;
  version: string;
  /** Upper-cased: "UDP", "TCP", "TLS", "WS", "WSS", "SCTP", or an extension token. */
  transport: string;
  host: string;
  port: number | null;
  params: Params;
  /** branch parameter, or null (RFC 2543 peers). */
  branch: string | null;
}

export type ViaResult = { ok: true; value: Via } | { ok: false; error: string };

const WORD = /^[A-Za-z0-9\-.!%*_+`'~]+/;

/** RFC 3261 §8.1.1.7: branches of 3261-compliant requests start with this cookie. */
export const BRANCH_MAGIC_COOKIE = "z9hG4bK";

function parseViaUncached(text: string): ViaResult {
  const parts: string[] = [];
  let i = skipWs(text, 0);
  for (let k = 0; k < 3; k++) {
    const m = WORD.exec(text.slice(i));
    if (m === null) return { ok: false, error: "bad sent-protocol" };
    parts.push(m[0]);
    i = skipWs(text, i + m[0].length);
    if (k < 2) {
      if (text[i] !== "/") return { ok: false, error: "bad sent-protocol" };
      i = skipWs(text, i + 1);
    }
  }
  // sent-by needs LWS before it (consumed above); the host may not be empty.
  const hostStart = i;
  const hp = parseSentBy(text, hostStart);
  if (!hp.ok) return hp;
  const params = parseParams(text, hp.end, { allowWs: true });
  if (!params.ok) return { ok: false, error: params.error };
  if (params.end !== text.length) return { ok: false, error: "trailing characters" };
  const [protocol, version, transport] = parts as [string, string, string];
  const branch = params.params.get("branch");
  if (branch === null) return { ok: false, error: "empty branch" };
  return {
    ok: true,
    value: { protocol, version, transport: transport.toUpperCase(), host: hp.host, port: hp.port, params: params.params, branch: branch ?? null },
  };
}

function parseSentBy(text: string, i: number): { ok: true; host: string; port: number | null; end: number } | { ok: false; error: string } {
  // COLON = SWS ":" SWS: squeeze whitespace around the colon before the host parser.
  const semi = text.indexOf(";", i);
  const end = semi === -1 ? text.length : semi;
  const sentBy = text.slice(i, end).trim().replace(/\s*:\s*(\d+)$/, ":$1");
  const hp = parseHostPort(sentBy, 0);
  if (!hp.ok) return { ok: false, error: hp.error };
  if (hp.end !== sentBy.length) return { ok: false, error: "bad sent-by" };
  return { ok: true, host: hp.host, port: hp.port, end };
}

export function formatVia(v: Via): string {
  let out = `${v.protocol}/${v.version}/${v.transport} ${v.host}${v.port === null ? "" : `:${v.port}`}`;
  for (const [k, val] of v.params) out += val === null ? `;${k}` : `;${k}=${val}`;
  return out;
}

/** Parses (memoized: the same text is parsed once per message; treat the result as read-only). */
export const parseVia: (text: string) => ViaResult = memoizeLast(parseViaUncached);
