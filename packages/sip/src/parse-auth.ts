/**
 * The `Digest` challenge and credentials syntax of WWW-Authenticate, Proxy-Authenticate,
 * Authorization and Proxy-Authorization (RFC 3261 §25.1, RFC 7616 §3.3–3.4):
 *
 *   challenge   = auth-scheme LWS auth-param *(COMMA auth-param)
 *   auth-param  = auth-param-name EQUAL ( token / quoted-string )
 *   EQUAL = SWS "=" SWS   COMMA = SWS "," SWS   LWS = [*WSP CRLF] 1*WSP   SWS = [LWS]
 *
 * One header value holds exactly one challenge or one set of credentials: RFC 3261 §7.3.1
 * forbids combining these four header fields with commas, so every comma here separates
 * parameters. The parser never throws; it returns a result with the column of the fault.
 */

export interface AuthValue {
  /** The scheme: "Digest" for any spelling of it (schemes are case-insensitive), else as written. */
  scheme: string;
  /** Parameter values unquoted and unescaped, keyed by lower-case name, in arrival order. */
  params: Map<string, string>;
}

export type AuthParseResult = { ok: true; value: AuthValue } | { ok: false; error: string };

/** Longer values are refused outright; real credentials are a few hundred bytes. */
const MAX_LENGTH = 8192;
const MAX_PARAMS = 64;

const TOKEN_PUNCT = "-.!%*_+`'~";

function isTokenChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || (c < 128 && TOKEN_PUNCT.includes(String.fromCharCode(c)));
}

function isToken(s: string): boolean {
  if (s === "") return false;
  for (let i = 0; i < s.length; i++) if (!isTokenChar(s.charCodeAt(i))) return false;
  return true;
}

/**
 * Skips LWS (RFC 3261 §25.1): spaces and tabs, and a CRLF only when whitespace follows it
 * (a fold). Returns the new index, or -1 on a CR or LF that is not part of a fold.
 */
function skipLws(s: string, i: number): number {
  for (;;) {
    const c = s.charCodeAt(i);
    if (c === 32 || c === 9) i++;
    else if (c === 13 && s.charCodeAt(i + 1) === 10 && isWsp(s.charCodeAt(i + 2))) i += 3;
    else if (c === 13 || c === 10) return -1;
    else return i;
  }
}

function isWsp(c: number): boolean {
  return c === 32 || c === 9;
}

function readToken(s: string, i: number): number {
  while (i < s.length && isTokenChar(s.charCodeAt(i))) i++;
  return i;
}

type Quoted = { value: string; end: number } | { error: string };

/** Reads a quoted-string whose opening DQUOTE is at `i` (RFC 3261 §25.1 qdtext / quoted-pair). */
function readQuoted(s: string, i: number): Quoted {
  let out = "";
  let j = i + 1;
  while (j < s.length) {
    const c = s.charCodeAt(j);
    if (c === 34) return { value: out, end: j + 1 };
    if (c === 92) {
      // quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F): anything ASCII but CR and LF.
      const n = s.charCodeAt(j + 1);
      if (Number.isNaN(n)) break;
      if (n === 10 || n === 13 || n > 127) return { error: `bad escape in quoted string at column ${j + 2}` };
      out += s[j + 1];
      j += 2;
    } else if (c === 13) {
      // qdtext includes LWS: a fold (CRLF followed by whitespace) is unfolded, keeping the whitespace.
      if (s.charCodeAt(j + 1) !== 10 || !isWsp(s.charCodeAt(j + 2))) return { error: `bare CR in quoted string at column ${j + 1}` };
      j += 2;
    } else if (c === 9 || c === 32 || c === 33 || (c >= 35 && c <= 126) || c >= 128) {
      out += s[j];
      j++;
    } else {
      return { error: `control character in quoted string at column ${j + 1}` };
    }
  }
  return { error: `unterminated quoted string starting at column ${i + 1}` };
}

/** Parses one WWW-Authenticate / Authorization (or Proxy-) header value. Never throws. */
export function parseAuth(input: string): AuthParseResult {
  if (typeof input !== "string") return { ok: false, error: "not a string" };
  if (input.length > MAX_LENGTH) return { ok: false, error: `longer than ${MAX_LENGTH} characters` };
  const s = input;
  let i = skipLws(s, 0);
  if (i < 0) return fail("bare CR or LF", 0);
  const schemeEnd = readToken(s, i);
  if (schemeEnd === i) return fail("expected an auth scheme", i);
  const rawScheme = s.slice(i, schemeEnd);
  const scheme = rawScheme.toLowerCase() === "digest" ? "Digest" : rawScheme;
  // "Digest" LWS digest-cln: at least one whitespace character separates scheme and params.
  i = skipLws(s, schemeEnd);
  if (i < 0) return fail("bare CR or LF", schemeEnd);
  if (i === schemeEnd) return i >= s.length ? fail("no parameters after the scheme", i) : fail("expected whitespace after the scheme", i);
  if (i >= s.length) return fail("no parameters after the scheme", i);

  const params = new Map<string, string>();
  for (;;) {
    const nameEnd = readToken(s, i);
    if (nameEnd === i) return fail("expected a parameter name", i);
    const name = s.slice(i, nameEnd).toLowerCase();
    if (params.has(name)) return fail(`duplicate parameter '${name}'`, i);
    if (params.size >= MAX_PARAMS) return fail(`more than ${MAX_PARAMS} parameters`, i);
    i = skipLws(s, nameEnd);
    if (i < 0 || s[i] !== "=") return fail(`expected '=' after parameter '${name}'`, nameEnd);
    i = skipLws(s, i + 1);
    if (i < 0) return fail(`bare CR or LF in parameter '${name}'`, nameEnd);
    let value: string;
    if (s[i] === '"') {
      const q = readQuoted(s, i);
      if ("error" in q) return { ok: false, error: `parameter '${name}': ${q.error}` };
      value = q.value;
      i = q.end;
    } else {
      const end = readToken(s, i);
      if (end === i) return fail(`expected a token or quoted string for parameter '${name}'`, i);
      value = s.slice(i, end);
      i = end;
    }
    params.set(name, value);
    const after = i;
    i = skipLws(s, i);
    if (i < 0) return fail("bare CR or LF", after);
    if (i >= s.length) return { ok: true, value: { scheme, params } };
    if (s[i] !== ",") return fail(`expected ',' or end after parameter '${name}'`, i);
    i = skipLws(s, i + 1);
    if (i < 0) return fail("bare CR or LF", after);
  }
}

function fail(reason: string, index: number): AuthParseResult {
  return { ok: false, error: `${reason} at column ${index + 1}` };
}

type ParamKind = "quoted" | "token";

/** RFC 7616 §3.3: which challenge parameters are quoted-strings and which are tokens. */
const CHALLENGE_KINDS: ReadonlyMap<string, ParamKind> = new Map([
  ["realm", "quoted"], ["domain", "quoted"], ["nonce", "quoted"], ["opaque", "quoted"], ["qop", "quoted"],
  ["stale", "token"], ["algorithm", "token"], ["charset", "token"], ["userhash", "token"],
]);

/** RFC 7616 §3.4 (and RFC 3261 §25.1 dig-resp): the same for credentials. */
const CREDENTIALS_KINDS: ReadonlyMap<string, ParamKind> = new Map([
  ["username", "quoted"], ["realm", "quoted"], ["nonce", "quoted"], ["uri", "quoted"], ["response", "quoted"],
  ["cnonce", "quoted"], ["opaque", "quoted"],
  ["algorithm", "token"], ["qop", "token"], ["nc", "token"], ["userhash", "token"],
]);

/**
 * WWW-Authenticate / Proxy-Authenticate value. Throws RangeError only for values no header
 * can carry (CR or LF in a value, a scheme or name that is not a token): a programming or
 * configuration error, never a consequence of received input.
 */
export function serializeChallenge(value: AuthValue): string {
  return serialize(value, CHALLENGE_KINDS);
}

/** Authorization / Proxy-Authorization value (for the UAC side, e.g. trunk registration). */
export function serializeCredentials(value: AuthValue): string {
  return serialize(value, CREDENTIALS_KINDS);
}

function serialize(value: AuthValue, kinds: ReadonlyMap<string, ParamKind>): string {
  if (!isToken(value.scheme)) throw new RangeError(`auth scheme '${value.scheme}' is not a token`);
  const parts: string[] = [];
  for (const [name, v] of value.params) {
    if (!isToken(name)) throw new RangeError(`auth parameter name '${name}' is not a token`);
    // Unknown parameters, and token-kind values that are not tokens, fall back to the
    // always-valid quoted form (auth-param = name EQUAL ( token / quoted-string )).
    const asToken = kinds.get(name.toLowerCase()) !== "quoted" && isToken(v);
    parts.push(`${name}=${asToken ? v : quote(v, name)}`);
  }
  return parts.length === 0 ? value.scheme : `${value.scheme} ${parts.join(", ")}`;
}

/** quoted-string with `"` and `\` and control characters (but CR/LF) escaped as quoted-pairs. */
function quote(v: string, name: string): string {
  let out = '"';
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c === 13 || c === 10) throw new RangeError(`auth parameter '${name}' contains CR or LF`);
    if (c === 34 || c === 92 || (c < 32 && c !== 9) || c === 127) out += "\\";
    out += v[i];
  }
  return `${out}"`;
}
