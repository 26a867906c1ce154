/**
 * The SIP message parser (RFC 3261 §7, §25). Never throws: every byte string yields a
 * result. Header values stay raw; structured parsing happens on demand (parse-*.ts).
 */
import { canonicalHeaderName } from "./header-names.js";
import type { HeaderField, SipMessage } from "./message.js";
import { parseError, type ParseError, type PartialMessage } from "./parse-error.js";
import { decodeUtf8, EMPTY_BODY } from "./text.js";

export type ParseResult =
  | { ok: true; message: SipMessage }
  | { ok: false; error: ParseError; partial: PartialMessage | null };

export interface ParseOptions {
  /**
   * Stream transports (TCP/TLS/WS framing) require Content-Length (RFC 3261 §18.3); on a
   * datagram a missing Content-Length means "the rest of the datagram".
   */
  stream?: boolean;
  /** Refuse header sections with more lines than this (memory bound). */
  maxHeaderLines?: number;
}

const CR = 13;
const LF = 10;
const TOKEN = /^[A-Za-z0-9\-.!%*_+`'~]+$/;
const DEFAULT_MAX_HEADER_LINES = 256;

/** Index of the CRLFCRLF that ends the header section, or -1. */
export function findHeaderEnd(bytes: Uint8Array, from = 0): number {
  let i = bytes.indexOf(CR, from);
  while (i !== -1 && i + 3 < bytes.length) {
    if (bytes[i + 1] === LF && bytes[i + 2] === CR && bytes[i + 3] === LF) return i;
    i = bytes.indexOf(CR, i + 1);
  }
  return -1;
}

/** RFC 3261 §7.5: CRLFs before the start-line are ignored (they are keep-alives). */
export function skipLeadingCrlf(bytes: Uint8Array): number {
  let i = 0;
  while (i + 1 < bytes.length && bytes[i] === CR && bytes[i + 1] === LF) i += 2;
  return i;
}

export function parseMessage(bytes: Uint8Array, options: ParseOptions = {}): ParseResult {
  const start = skipLeadingCrlf(bytes);
  if (start >= bytes.length) return fail(parseError("Empty Message"), null);
  const headerEnd = findHeaderEnd(bytes, start);
  // Without the empty line the message is truncated; treat everything as headers so
  // the request can still be answered, but it cannot carry a body.
  const headText = decodeUtf8(bytes.subarray(start, headerEnd === -1 ? bytes.length : headerEnd));
  const bodyStart = headerEnd === -1 ? bytes.length : headerEnd + 4;

  const firstEol = headText.indexOf("\r\n");
  const startLine = firstEol === -1 ? headText : headText.slice(0, firstEol);
  const head = parseHeaderLines(headText, firstEol === -1 ? headText.length : firstEol + 2, options.maxHeaderLines ?? DEFAULT_MAX_HEADER_LINES);
  const line = parseStartLine(startLine);
  const partial: PartialMessage = { kind: line.kind, method: line.kind === "request" ? line.method : null, headers: head.headers };
  if (head.error !== null) return fail(head.error, partial);
  if (line.kind === "unknown") return fail(line.error, partial);
  if (line.error !== null) return fail(line.error, partial);
  if (headerEnd === -1 && options.stream === true) return fail(parseError("Incomplete Message"), partial);

  const body = extractBody(bytes, bodyStart, head.contentLength, options.stream === true);
  if (!body.ok) return fail(body.error, partial);
  const headers = head.headers;
  if (line.kind === "request") {
    return { ok: true, message: { kind: "request", method: line.method, uri: line.uri, version: line.version, headers, body: body.body } };
  }
  return { ok: true, message: { kind: "response", status: line.status, reason: line.reason, version: line.version, headers, body: body.body } };
}

function fail(error: ParseError, partial: PartialMessage | null): ParseResult {
  return { ok: false, error, partial };
}

interface HeadSection {
  headers: HeaderField[];
  contentLength: number | null;
  error: ParseError | null;
}

function parseHeaderLines(text: string, from: number, maxLines: number): HeadSection {
  const headers: HeaderField[] = [];
  let contentLength: number | null = null;
  let error: ParseError | null = null;
  let pos = from;
  let lineNo = 1;
  const end = text.length;
  while (pos < end) {
    let eol = text.indexOf("\r\n", pos);
    if (eol === -1) eol = end;
    lineNo++;
    const first = text.charCodeAt(pos);
    if (first === 32 || first === 9) {
      // RFC 3261 §7.3.1: a line starting with whitespace continues the previous field;
      // the fold is equivalent to one SP.
      const prev = headers[headers.length - 1];
      if (prev === undefined) error ??= parseError("Bad Header Field", 400, { line: lineNo, detail: "continuation line before any header" });
      else prev.value = joinFold(prev.value, text.slice(pos, eol));
    } else {
      const colon = text.indexOf(":", pos);
      if (colon === -1 || colon > eol) {
        error ??= parseError("Bad Header Field", 400, { line: lineNo, detail: "no colon" });
      } else {
        const rawName = trimEndWs(text.slice(pos, colon));
        const name = canonicalHeaderName(rawName);
        if (!name.valid) {
          error ??= parseError("Bad Header Field", 400, { line: lineNo, detail: `bad header name '${rawName}'` });
        }
        headers.push({ name: name.name, key: name.key, value: trimWs(text.slice(colon + 1, eol)) });
      }
    }
    if (headers.length > maxLines) return { headers, contentLength, error: parseError("Too Many Headers", 400, { line: lineNo }) };
    pos = eol + 2;
  }
  for (const h of headers) {
    if (h.key !== "content-length") continue;
    const n = parseContentLength(h.value);
    if (n === null) error ??= parseError("Bad Content-Length", 400, { header: "Content-Length", detail: `'${h.value}'` });
    // Conflicting lengths make the framing itself ambiguous (RFC 4475 §3.3.9).
    else if (contentLength !== null && contentLength !== n) error ??= parseError("Bad Content-Length", 400, { header: "Content-Length", detail: "conflicting values" });
    else contentLength = n;
  }
  return { headers, contentLength, error };
}

/**
 * Trims SP and HTAB only (RFC 3261 LWS). String.prototype.trim would also eat U+FEFF and
 * other Unicode spaces that are part of a UTF-8 header value (RFC 4475 §3.1.1.2).
 */
function trimWs(s: string): string {
  let b = 0;
  while (b < s.length && (s.charCodeAt(b) === 32 || s.charCodeAt(b) === 9)) b++;
  return trimEndWs(b === 0 ? s : s.slice(b));
}

function joinFold(prev: string, continuation: string): string {
  const rest = trimWs(continuation);
  if (rest === "") return prev;
  return prev === "" ? rest : `${trimEndWs(prev)} ${rest}`;
}

function trimEndWs(s: string): string {
  let e = s.length;
  while (e > 0) {
    const c = s.charCodeAt(e - 1);
    if (c !== 32 && c !== 9) break;
    e--;
  }
  return e === s.length ? s : s.slice(0, e);
}

/** Content-Length = 1*DIGIT (RFC 3261 §20.14); refuse signs, spaces and absurd sizes. */
function parseContentLength(value: string): number | null {
  if (value.length === 0 || value.length > 9) return null;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 48 || c > 57) return null;
  }
  return Number(value);
}

type Body = { ok: true; body: Uint8Array } | { ok: false; error: ParseError };

function extractBody(bytes: Uint8Array, bodyStart: number, contentLength: number | null, stream: boolean): Body {
  const available = bytes.length - bodyStart;
  if (contentLength === null) {
    if (stream) return { ok: false, error: parseError("Bad Content-Length", 400, { header: "Content-Length", detail: "missing on a stream transport" }) };
    return { ok: true, body: available > 0 ? bytes.subarray(bodyStart) : EMPTY_BODY };
  }
  // RFC 3261 §18.3: a datagram shorter than Content-Length is an error (400 over UDP);
  // bytes beyond Content-Length are discarded.
  if (contentLength > available) {
    return { ok: false, error: parseError("Bad Content-Length", 400, { header: "Content-Length", detail: `says ${contentLength}, body has ${available}` }) };
  }
  return { ok: true, body: contentLength === 0 ? EMPTY_BODY : bytes.subarray(bodyStart, bodyStart + contentLength) };
}

type StartLine =
  | { kind: "request"; method: string; uri: string; version: string; error: ParseError | null }
  | { kind: "response"; status: number; reason: string; version: string; error: ParseError | null }
  | { kind: "unknown"; error: ParseError };

const VERSION = /^SIP\/(\d+)\.(\d+)$/i;

function parseStartLine(line: string): StartLine {
  if (line.length >= 4 && line.slice(0, 4).toUpperCase() === "SIP/") return parseStatusLine(line);
  // Request-Line = Method SP Request-URI SP SIP-Version (RFC 3261 §25.1): exactly one SP
  // between elements, none at the end (RFC 4475 §3.1.2.9, §3.1.2.10).
  const sp1 = line.indexOf(" ");
  const sp2 = sp1 === -1 ? -1 : line.indexOf(" ", sp1 + 1);
  if (sp1 <= 0 || sp2 === -1 || line.indexOf(" ", sp2 + 1) !== -1) {
    const method = sp1 > 0 ? line.slice(0, sp1) : line;
    const error = parseError("Bad Request-Line", 400, { line: 1 });
    // A token-looking method still lets us answer 400 to what was meant as a request.
    return TOKEN.test(method) ? { kind: "request", method, uri: "", version: "", error } : { kind: "unknown", error };
  }
  const method = line.slice(0, sp1);
  const uri = line.slice(sp1 + 1, sp2);
  const version = line.slice(sp2 + 1);
  if (!TOKEN.test(method)) return { kind: "unknown", error: parseError("Bad Request-Line", 400, { line: 1, detail: "method is not a token" }) };
  if (uri === "" || version === "" || /[\t]/.test(line)) {
    return { kind: "request", method, uri, version, error: parseError("Bad Request-Line", 400, { line: 1 }) };
  }
  const m = VERSION.exec(version);
  if (m === null) return { kind: "request", method, uri, version, error: parseError("Bad Request-Line", 400, { line: 1, detail: "bad SIP-Version" }) };
  if (m[1] !== "2" || m[2] !== "0") {
    return { kind: "request", method, uri, version, error: parseError("Version Not Supported", 505, { line: 1 }) };
  }
  return { kind: "request", method, uri, version: "SIP/2.0", error: null };
}

function parseStatusLine(line: string): StartLine {
  // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase (RFC 3261 §7.2); the
  // Reason-Phrase may be empty (RFC 4475 §3.1.1.13). A bad status line is never answered.
  const sp1 = line.indexOf(" ");
  const version = sp1 === -1 ? line : line.slice(0, sp1);
  const code = sp1 === -1 ? "" : line.slice(sp1 + 1, sp1 + 4);
  const after = sp1 + 4;
  const status = /^[1-6]\d\d$/.test(code) ? Number(code) : NaN;
  const vm = VERSION.exec(version);
  if (sp1 === -1 || Number.isNaN(status) || (after < line.length && line.charCodeAt(after) !== 32) || vm === null) {
    return { kind: "response", status: 0, reason: "", version, error: parseError("Bad Status-Line", 400, { line: 1 }) };
  }
  if (vm[1] !== "2" || vm[2] !== "0") return { kind: "response", status, reason: "", version, error: parseError("Version Not Supported", 505, { line: 1 }) };
  return { kind: "response", status, reason: line.slice(after + 1), version: "SIP/2.0", error: null };
}
