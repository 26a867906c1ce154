/**
 * SDP parser (RFC 8866 §5, §9). Never throws: every string yields a result, and an error
 * names the 1-based line and the problem ("line 4: bad m= line").
 *
 * Strict where a mistake would change meaning (v=/o=/s= first, m=/c=/o= field syntax, ports),
 * tolerant where devices differ harmlessly: LF or CRLF, blank lines, lines out of §5 order,
 * unknown attributes and unknown type letters (kept raw, in order; RFC 8866 §5 lets a parser
 * reject unknown letters, but rejecting a call over a stray line helps nobody).
 */
import type { SdpAttribute, SdpConnection, SdpMedia, SdpOrigin, SessionDescription } from "./sdp-model.js";

export type SdpParseResult = { ok: true; sdp: SessionDescription } | { ok: false; error: string };

const EQUALS = 61;
const SPACE = 32;
const TAB = 9;
const CR = 13;

/** Where the parser is: the first three lines are fixed (RFC 8866 §5), then session, then media. */
type Stage = "expect-v" | "expect-o" | "expect-s" | "body";

export function parseSdp(text: string): SdpParseResult {
  if (typeof text !== "string") return fail(1, "session description is not text");
  const lines = text.split("\n");
  let stage: Stage = "expect-v";
  let lastLine = 0;
  let origin: SdpOrigin | null = null;
  const sdp: SessionDescription = emptySession();
  const otherLines: string[] = [];
  let m: SdpMedia | null = null;

  for (let i = 0; i < lines.length; i++) {
    const n = i + 1;
    let line = lines[i]!;
    if (line.length > 0 && line.charCodeAt(line.length - 1) === CR) line = line.slice(0, -1);
    if (line.length === 0 || (isBlank(line.charCodeAt(0)) && line.trim().length === 0)) continue;
    lastLine = n;
    if (line.length < 2 || line.charCodeAt(1) !== EQUALS || isBlank(line.charCodeAt(0))) return fail(n, "expected <type>=<value>");
    const type = line[0]!;
    const value = line.slice(2);

    let problem: string | null = null;
    if (stage === "expect-v") {
      if (type !== "v") problem = "missing v= line";
      else if (value.trim() !== "0") problem = `unsupported version "${value}"`;
      stage = "expect-o";
    } else if (stage === "expect-o") {
      origin = type === "o" ? parseOrigin(value) : null;
      if (type !== "o") problem = "missing o= line";
      else if (origin === null) problem = "bad o= line";
      stage = "expect-s";
    } else if (stage === "expect-s") {
      if (type !== "s") problem = "missing s= line";
      sdp.sessionName = value;
      stage = "body";
    } else if (type === "m") {
      const parsed = parseMediaLine(value);
      if (typeof parsed === "string") problem = parsed;
      else sdp.media.push((m = parsed));
    } else {
      problem = m === null ? sessionLine(sdp, otherLines, type, value, line) : mediaLine(m, type, value, line);
    }
    if (problem !== null) return fail(n, problem);
  }

  if (stage === "expect-v") return fail(1, "empty session description");
  if (stage === "expect-o") return fail(lastLine + 1, "missing o= line");
  if (stage === "expect-s" || origin === null) return fail(lastLine + 1, "missing s= line");
  sdp.origin = origin;
  if (otherLines.length > 0) sdp.otherLines = otherLines;
  return { ok: true, sdp };
}

function emptySession(): SessionDescription {
  return {
    version: 0,
    origin: { username: "", sessionId: "", sessionVersion: "", netType: "", addrType: "", address: "" },
    sessionName: "",
    info: null,
    uri: null,
    emails: [],
    phones: [],
    connection: null,
    bandwidths: [],
    times: [],
    attributes: [],
    media: [],
  };
}

/** One session-level line after s=; returns the problem, or null. */
function sessionLine(sdp: SessionDescription, otherLines: string[], type: string, value: string, line: string): string | null {
  switch (type) {
    case "a": {
      const a = parseAttribute(value);
      if (a === null) return "bad a= line";
      sdp.attributes.push(a);
      return null;
    }
    case "c":
      if (sdp.connection !== null) return "duplicate c= line";
      sdp.connection = parseConnection(value);
      return sdp.connection === null ? "bad c= line" : null;
    case "b":
      sdp.bandwidths.push(value);
      return null;
    case "t":
    case "r":
    case "z":
      sdp.times.push(line);
      return null;
    case "i":
      if (sdp.info !== null) return "duplicate i= line";
      sdp.info = value;
      return null;
    case "u":
      if (sdp.uri !== null) return "duplicate u= line";
      sdp.uri = value;
      return null;
    case "e":
      sdp.emails.push(value);
      return null;
    case "p":
      sdp.phones.push(value);
      return null;
    case "v":
    case "o":
    case "s":
      return `duplicate ${type}= line`;
    default:
      // k= (obsolete, RFC 8866 §5.12) and unknown type letters: kept raw.
      otherLines.push(line);
      return null;
  }
}

/** One line inside a media description (after its m=); returns the problem, or null. */
function mediaLine(m: SdpMedia, type: string, value: string, line: string): string | null {
  switch (type) {
    case "a": {
      const a = parseAttribute(value);
      if (a === null) return "bad a= line";
      m.attributes.push(a);
      return null;
    }
    case "c":
      // RFC 8866 §5.7 allows several media-level c= only for layered multicast, which a
      // call never uses; one slot keeps the model simple.
      if (m.connection !== null) return "duplicate c= line";
      m.connection = parseConnection(value);
      return m.connection === null ? "bad c= line" : null;
    case "b":
      m.bandwidths.push(value);
      return null;
    case "i":
      if (m.title !== null) return "duplicate i= line";
      m.title = value;
      return null;
    case "v":
    case "o":
    case "s":
    case "u":
    case "e":
    case "p":
    case "t":
    case "r":
    case "z":
      // RFC 8866 §5: session-level only; inside a media description they cannot be
      // placed back faithfully, so they are an error rather than an unknown line.
      return `${type}= line not allowed in a media description`;
    default:
      (m.otherLines ??= []).push(line);
      return null;
  }
}

function fail(line: number, problem: string): SdpParseResult {
  return { ok: false, error: `line ${line}: ${problem}` };
}

function isBlank(c: number): boolean {
  return c === SPACE || c === TAB;
}

/** Splits on runs of spaces/tabs, ignoring leading and trailing ones. */
export function splitFields(s: string): string[] {
  const out: string[] = [];
  let start = -1;
  for (let i = 0; i < s.length; i++) {
    if (isBlank(s.charCodeAt(i))) {
      if (start !== -1) {
        out.push(s.slice(start, i));
        start = -1;
      }
    } else if (start === -1) start = i;
  }
  if (start !== -1) out.push(s.slice(start));
  return out;
}

/** A non-negative decimal integer of at most `maxDigits` digits, or -1. */
export function parseDecimal(s: string, maxDigits: number): number {
  if (s.length === 0 || s.length > maxDigits) return -1;
  let v = 0;
  for (let i = 0; i < s.length; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

function parseOrigin(value: string): SdpOrigin | null {
  const f = splitFields(value);
  if (f.length !== 6) return null;
  return { username: f[0]!, sessionId: f[1]!, sessionVersion: f[2]!, netType: f[3]!, addrType: f[4]!, address: f[5]! };
}

function parseConnection(value: string): SdpConnection | null {
  const f = splitFields(value);
  if (f.length !== 3) return null;
  return { netType: f[0]!, addrType: f[1]!, address: f[2]! };
}

/** m=<media> <port>[/<number of ports>] <proto> <fmt> ... (RFC 8866 §5.14). */
function parseMediaLine(value: string): SdpMedia | string {
  const f = splitFields(value);
  if (f.length < 4) return "bad m= line";
  const portField = f[1]!;
  const slash = portField.indexOf("/");
  const port = parseDecimal(slash === -1 ? portField : portField.slice(0, slash), 5);
  const portCount = slash === -1 ? null : parseDecimal(portField.slice(slash + 1), 5);
  if (port < 0 || port > 65535 || (portCount !== null && portCount < 1)) return `bad m= port "${portField}"`;
  return {
    media: f[0]!,
    port,
    portCount,
    proto: f[2]!,
    formats: f.slice(3),
    title: null,
    connection: null,
    bandwidths: [],
    attributes: [],
  };
}

/** a=<attribute-name>[:<attribute-value>] (RFC 8866 §5.13); the value is kept verbatim. */
function parseAttribute(raw: string): SdpAttribute | null {
  // Trailing blanks ("a=sendrecv ") are a common device quirk; they would break name matching.
  const value = isBlank(raw.charCodeAt(raw.length - 1)) ? raw.trimEnd() : raw;
  const colon = value.indexOf(":");
  const name = colon === -1 ? value : value.slice(0, colon);
  if (name.length === 0) return null;
  return { name, value: colon === -1 ? null : value.slice(colon + 1) };
}
