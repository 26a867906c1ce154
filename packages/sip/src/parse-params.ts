/**
 * Generic `*( SEMI param )` parsing for header and URI parameters (RFC 3261 §25.1:
 * generic-param = token [ EQUAL gen-value ]; gen-value = token / host / quoted-string).
 * SEMI and EQUAL allow surrounding whitespace (SWS) in headers, not inside URIs.
 */

export type Params = Map<string, string | null>;

export type ParamsResult = { ok: true; params: Params; end: number } | { ok: false; error: string };

/** token chars (RFC 3261 §25.1), as a table: 1 = token, 2 = also URI param-unreserved. */
const CHAR_CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z0-9\-.!%*_+`'~]/.test(ch)) CHAR_CLASS[c] = 1;
  else if ("[]/:&+$".includes(ch)) CHAR_CLASS[c] = 2;
}

export function isTokenChar(c: number): boolean {
  return c < 128 && CHAR_CLASS[c] === 1;
}

export function skipWs(s: string, i: number): number {
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 9) break;
    i++;
  }
  return i;
}

/** Reads a quoted-string starting at `i` (which holds the opening quote). */
export function readQuoted(s: string, i: number): { value: string; end: number } | null {
  let out = "";
  for (let j = i + 1; j < s.length; j++) {
    const c = s.charCodeAt(j);
    if (c === 92 /* \ */) {
      // quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F): no CR/LF.
      const next = s.charCodeAt(j + 1);
      if (Number.isNaN(next) || next === 10 || next === 13) return null;
      out += s[j + 1];
      j++;
    } else if (c === 34) return { value: out, end: j + 1 };
    else out += s[j];
  }
  return null;
}

/**
 * Parses `;name=value;name2` from `i` until a character that cannot continue the list
 * (`,` for list headers, `?`/`>` in URIs) or the end. Names are lower-cased (RFC 3261
 * §19.1.4, §20: parameter names are case-insensitive). Duplicate names are an error.
 */
export function parseParams(s: string, i: number, opts: { allowWs: boolean; stopAt?: string }): ParamsResult {
  const params: Params = new Map();
  const allowWs = opts.allowWs;
  if (allowWs) i = skipWs(s, i);
  while (i < s.length && s.charCodeAt(i) === 59 /* ; */) {
    i = allowWs ? skipWs(s, i + 1) : i + 1;
    const nameStart = i;
    while (i < s.length && isParamChar(s.charCodeAt(i), opts.allowWs)) i++;
    if (i === nameStart) return { ok: false, error: "empty parameter name" };
    const name = s.slice(nameStart, i).toLowerCase();
    if (params.has(name)) return { ok: false, error: `duplicate parameter '${name}'` };
    if (allowWs) i = skipWs(s, i);
    let value: string | null = null;
    if (s.charCodeAt(i) === 61 /* = */) {
      i = allowWs ? skipWs(s, i + 1) : i + 1;
      if (s[i] === '"') {
        const q = readQuoted(s, i);
        if (q === null) return { ok: false, error: `unterminated quoted value for '${name}'` };
        // Kept raw (quotes and escapes intact) so re-serialization is exact.
        value = s.slice(i, q.end);
        i = q.end;
      } else if (s[i] === "[") {
        const close = s.indexOf("]", i);
        if (close === -1) return { ok: false, error: `bad IPv6 value for '${name}'` };
        value = s.slice(i, close + 1);
        i = close + 1;
      } else {
        const vStart = i;
        while (i < s.length && isParamChar(s.charCodeAt(i), opts.allowWs)) i++;
        if (i === vStart) return { ok: false, error: `empty value for '${name}'` };
        value = s.slice(vStart, i);
      }
      if (allowWs) i = skipWs(s, i);
    }
    params.set(name, value);
  }
  if (i < s.length && !(opts.stopAt ?? "").includes(s[i]!)) return { ok: false, error: `unexpected '${s[i]}' in parameters` };
  return { ok: true, params, end: i };
}

/** Characters of a parameter name/value: token chars, plus URI paramchars inside URIs. */
function isParamChar(c: number, header: boolean): boolean {
  if (c >= 128) return false;
  const cls = CHAR_CLASS[c];
  if (cls === 1) return true;
  // URI paramchar adds param-unreserved "[]/:&+$" and escapes ("%" is a token char).
  // In headers, gen-value may be a host; allow ':' so unbracketed values stay whole.
  return header ? c === 58 : cls === 2;
}

export function formatParams(params: Params): string {
  let out = "";
  for (const [k, v] of params) out += v === null ? `;${k}` : `;${k}=${v}`;
  return out;
}

/** The text of a parameter value stored by parseParams: quotes and escapes removed. */
export function unquote(v: string | null | undefined): string | null {
  if (v === null || v === undefined) return null;
  if (!v.startsWith('"')) return v;
  return readQuoted(v, 0)?.value ?? v;
}
