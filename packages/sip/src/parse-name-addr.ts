/**
 * name-addr / addr-spec with header parameters, as in From, To, Contact, Route,
 * Record-Route, Refer-To, Reply-To (RFC 3261 §20.10, §25.1):
 *   ( name-addr / addr-spec ) *( SEMI param )
 *   name-addr = [ display-name ] LAQUOT addr-spec RAQUOT
 * Without angle brackets, parameters after the URI belong to the header, not the URI.
 */
import { isTokenChar, parseParams, readQuoted, skipWs, type Params } from "./parse-params.js";
import { parseUri, type Uri } from "./parse-uri.js";
import { memoizeLast } from "./memo.js";

export interface NameAddr {
  /** Display name (unquoted, escapes resolved), or null. */
  displayName: string | null;
  /** The addr-spec text exactly as written. */
  uri: string;
  /** The parsed URI. */
  parsedUri: Uri;
  params: Params;
  /** True when written with <...> (must be preserved when re-serializing). */
  bracketed: boolean;
}

export type NameAddrResult = { ok: true; value: NameAddr } | { ok: false; error: string };

function parseNameAddrUncached(text: string): NameAddrResult {
  let i = skipWs(text, 0);
  let displayName: string | null = null;
  let uriText: string;
  let bracketed = false;
  if (text[i] === '"') {
    const q = readQuoted(text, i);
    if (q === null) return { ok: false, error: "unterminated quoted display name" };
    displayName = q.value;
    i = skipWs(text, q.end);
    if (text[i] !== "<") return { ok: false, error: "display name without <URI>" };
  }
  const lt = text.indexOf("<", i);
  if (text[i] === "<" || (lt !== -1 && displayName === null && looksLikeTokens(text.slice(i, lt)))) {
    if (displayName === null && lt > i) {
      // display-name = *(token LWS): only token characters and whitespace (RFC 4475 §3.1.2.15).
      displayName = text.slice(i, lt).trim().replace(/\s+/g, " ");
    }
    const gt = text.indexOf(">", lt);
    if (gt === -1) return { ok: false, error: "missing '>'" };
    uriText = text.slice(lt + 1, gt);
    bracketed = true;
    i = gt + 1;
  } else {
    if (lt !== -1) return { ok: false, error: "bad display name" };
    // addr-spec: the URI ends at the first ';' or whitespace (RFC 3261 §20.10).
    const start = i;
    while (i < text.length && text[i] !== ";" && text[i] !== " " && text[i] !== "\t") i++;
    uriText = text.slice(start, i);
    // RFC 3261 §20: a URI containing ",", "?" or ";" must be in <> (RFC 4475 §3.1.2.13).
    if (uriText.includes("?") || uriText.includes(",")) return { ok: false, error: "URI with '?' or ',' must be enclosed in <>" };
  }
  const uri = parseUri(uriText);
  if (!uri.ok) return { ok: false, error: uri.error };
  const params = parseParams(text, i, { allowWs: true });
  if (!params.ok) return { ok: false, error: params.error };
  if (skipWs(text, params.end) !== text.length) return { ok: false, error: "trailing characters" };
  return { ok: true, value: { displayName, uri: uriText, parsedUri: uri.uri, params: params.params, bracketed } };
}

function looksLikeTokens(s: string): boolean {
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c !== 32 && c !== 9 && !isTokenChar(c)) return false;
  }
  return true;
}

/** Serializes a NameAddr; always bracketed when it has a display name or URI params. */
export function formatNameAddr(v: Pick<NameAddr, "displayName" | "uri" | "params">): string {
  const dn = v.displayName === null ? "" : `"${v.displayName.replace(/(["\\])/g, "\\$1")}" `;
  let out = `${dn}<${v.uri}>`;
  for (const [k, val] of v.params) out += val === null ? `;${k}` : `;${k}=${val}`;
  return out;
}

/** Parses (memoized: the same text is parsed once per message; treat the result as read-only). */
export const parseNameAddr: (text: string) => NameAddrResult = memoizeLast(parseNameAddrUncached);
