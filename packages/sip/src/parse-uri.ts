/**
 * URI parsing: SIP/SIPS (RFC 3261 §19.1, §25.1), tel (RFC 3966, kept simple), and any
 * other absolute URI kept opaque (RFC 4475 §3.1.4.3 "novel schemes" must pass through).
 */
import { parseParams, type Params } from "./parse-params.js";
import { memoizeLast } from "./memo.js";

export interface SipUri {
  scheme: "sip" | "sips";
  /** User part as written (escapes kept), or null. */
  user: string | null;
  password: string | null;
  /** Host as written; IPv6 references keep their brackets. */
  host: string;
  port: number | null;
  params: Params;
  /** Raw `?h=v&…` part without the "?", or null. */
  headers: string | null;
}

export interface TelUri {
  scheme: "tel";
  number: string;
  params: Params;
}

export interface OtherUri {
  scheme: string;
  opaque: string;
}

export type Uri = SipUri | TelUri | OtherUri;

export type UriResult = { ok: true; uri: Uri } | { ok: false; error: string };

const SCHEME = /^([A-Za-z][A-Za-z0-9+\-.]*):/;
const HOSTNAME = /^[A-Za-z0-9]([A-Za-z0-9\-.]*[A-Za-z0-9.])?$/;
const IPV4 = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;
// user = 1*( unreserved / escaped / user-unreserved ) — everything printable but these.
const USER = /^([A-Za-z0-9\-_.!~*'()&=+$,;?/]|%[0-9A-Fa-f]{2})+$/;
const PASSWORD = /^([A-Za-z0-9\-_.!~*'()&=+$,]|%[0-9A-Fa-f]{2})*$/;
const HEADERS = /^([A-Za-z0-9\-_.!~*'()[\]/?:+$=&]|%[0-9A-Fa-f]{2})*$/;

export function isSipUri(uri: Uri): uri is SipUri {
  return uri.scheme === "sip" || uri.scheme === "sips";
}

function parseUriUncached(text: string): UriResult {
  // A URI never contains whitespace or angle brackets (RFC 4475 §3.1.2.7, §3.1.2.8).
  if (/[\s<>"]/.test(text)) return { ok: false, error: "whitespace or <> in URI" };
  const m = SCHEME.exec(text);
  if (m === null) return { ok: false, error: "no scheme" };
  const scheme = m[1]!.toLowerCase();
  const rest = text.slice(m[0].length);
  if (scheme === "sip" || scheme === "sips") return parseSipUri(scheme, rest);
  if (scheme === "tel") return parseTelUri(rest);
  if (rest === "") return { ok: false, error: "empty URI" };
  return { ok: true, uri: { scheme, opaque: rest } };
}

function parseSipUri(scheme: "sip" | "sips", rest: string): UriResult {
  let user: string | null = null;
  let password: string | null = null;
  let i = 0;
  // '@' cannot appear unescaped in params or headers, so the first one ends userinfo.
  const at = rest.indexOf("@");
  if (at !== -1) {
    const userinfo = rest.slice(0, at);
    const colon = userinfo.indexOf(":");
    user = colon === -1 ? userinfo : userinfo.slice(0, colon);
    password = colon === -1 ? null : userinfo.slice(colon + 1);
    if (!USER.test(user)) return { ok: false, error: "bad user part" };
    if (password !== null && !PASSWORD.test(password)) return { ok: false, error: "bad password part" };
    i = at + 1;
  }
  const hp = parseHostPort(rest, i);
  if (!hp.ok) return hp;
  i = hp.end;
  const params = parseParams(rest, i, { allowWs: false, stopAt: "?" });
  if (!params.ok) return { ok: false, error: params.error };
  i = params.end;
  let headers: string | null = null;
  if (rest[i] === "?") {
    headers = rest.slice(i + 1);
    if (!HEADERS.test(headers)) return { ok: false, error: "bad URI headers" };
  }
  return { ok: true, uri: { scheme, user, password, host: hp.host, port: hp.port, params: params.params, headers } };
}

type HostPort = { ok: true; host: string; port: number | null; end: number } | { ok: false; error: string };

/** hostport = host [ ":" port ]; host = hostname / IPv4address / IPv6reference. */
export function parseHostPort(s: string, i: number): HostPort {
  let host: string;
  if (s[i] === "[") {
    const close = s.indexOf("]", i);
    if (close === -1) return { ok: false, error: "unterminated IPv6 reference" };
    host = s.slice(i, close + 1);
    if (!isIpv6Reference(host)) return { ok: false, error: `bad IPv6 reference '${host}'` };
    i = close + 1;
  } else {
    const start = i;
    while (i < s.length && !isHostEnd(s.charCodeAt(i))) i++;
    host = s.slice(start, i);
    if (host === "" || !(IPV4.test(host) ? isIpv4(host) : HOSTNAME.test(host))) return { ok: false, error: `bad host '${host}'` };
  }
  let port: number | null = null;
  if (s[i] === ":") {
    const start = ++i;
    while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
    const digits = s.slice(start, i);
    port = digits === "" || digits.length > 5 ? NaN : Number(digits);
    if (!Number.isInteger(port) || port > 65535) return { ok: false, error: `bad port '${digits}'` };
  }
  return { ok: true, host, port, end: i };
}

/** Characters that end a hostname: ":;?,> \t". */
function isHostEnd(c: number): boolean {
  return c === 58 || c === 59 || c === 63 || c === 44 || c === 62 || c === 32 || c === 9;
}

function isIpv4(s: string): boolean {
  return s.split(".").every((o) => Number(o) <= 255);
}

/**
 * IPv6reference = "[" IPv6address "]" (RFC 3261 §25.1, corrected by RFC 5118 §4.3: the
 * ABNF allowing three colons in a row was a bug).
 */
export function isIpv6Reference(s: string): boolean {
  if (!s.startsWith("[") || !s.endsWith("]")) return false;
  let body = s.slice(1, -1);
  // An embedded IPv4 tail replaces the last two groups.
  const lastColon = body.lastIndexOf(":");
  let groupsForV4 = 0;
  if (body.indexOf(".", lastColon) !== -1) {
    const v4 = body.slice(lastColon + 1);
    if (!IPV4.test(v4) || !isIpv4(v4)) return false;
    body = body.slice(0, lastColon + 1) + "0";
    groupsForV4 = 1;
  }
  // RFC 5118 §4.10: RFC 3261's ABNF wrongly allowed ":::" before an IPv4 tail; tolerate
  // exactly that form, nothing else with three colons.
  if (groupsForV4 === 1 && body.endsWith(":::0")) body = body.slice(0, -4) + "::0";
  const dbl = body.indexOf("::");
  if (dbl !== -1 && body.indexOf("::", dbl + 1) !== -1) return false;
  if (body.includes(":::")) return false;
  const parts = body.split(":");
  const groups = parts.filter((p) => p !== "");
  if (!groups.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g))) return false;
  const count = groups.length + groupsForV4;
  if (dbl === -1) return count === 8 && parts.every((p) => p !== "");
  // With "::", a single leading/trailing ":" outside it is malformed (":1::2", "1::2:").
  if ((body.startsWith(":") && !body.startsWith("::")) || (body.endsWith(":") && !body.endsWith("::"))) return false;
  return count <= 7;
}

function parseTelUri(rest: string): UriResult {
  const semi = rest.indexOf(";");
  const number = semi === -1 ? rest : rest.slice(0, semi);
  if (!/^\+?[0-9A-Fa-f*#\-.()]+$/.test(number)) return { ok: false, error: "bad telephone number" };
  const params = parseParams(rest, semi === -1 ? rest.length : semi, { allowWs: false });
  if (!params.ok) return { ok: false, error: params.error };
  return { ok: true, uri: { scheme: "tel", number, params: params.params } };
}

export function formatUri(uri: Uri): string {
  if (uri.scheme === "tel") {
    const t = uri as TelUri;
    return `tel:${t.number}${formatUriParams(t.params)}`;
  }
  if (!isSipUri(uri)) return `${uri.scheme}:${(uri as OtherUri).opaque}`;
  const userinfo = uri.user === null ? "" : `${uri.user}${uri.password === null ? "" : `:${uri.password}`}@`;
  const port = uri.port === null ? "" : `:${uri.port}`;
  const headers = uri.headers === null ? "" : `?${uri.headers}`;
  return `${uri.scheme}:${userinfo}${uri.host}${port}${formatUriParams(uri.params)}${headers}`;
}

function formatUriParams(params: Params): string {
  let out = "";
  for (const [k, v] of params) out += v === null ? `;${k}` : `;${k}=${v}`;
  return out;
}

/** Parses (memoized: the same text is parsed once per message; treat the result as read-only). */
export const parseUri: (text: string) => UriResult = memoizeLast(parseUriUncached);
