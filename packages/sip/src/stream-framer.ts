/**
 * Message framing for stream transports (TCP, TLS). Pure: bytes in, frames out.
 *
 * RFC 3261 §18.3: on a stream the header section ends at the first empty line and
 * Content-Length (mandatory there) gives the body size. RFC 3261 §7.5: CRLFs before a
 * start-line are ignored. RFC 5626 §3.5.1: a CRLFCRLF "ping" between messages asks for a
 * CRLF "pong"; a lone CRLF is a pong and is consumed.
 *
 * Cost model: each byte is scanned once for the end of the header section (a resumed scan
 * restarts 3 bytes back, where a split CRLFCRLF may begin). Messages wholly inside one
 * chunk are returned as views of that chunk (no copy). Bytes of a message split across
 * chunks are copied into an accumulator (once, or twice for the unfinished tail behind
 * frames completed there), which is handed over with the messages it completes and
 * replaced by a fresh one; so a frame's bytes are never overwritten later
 * and callers may keep them (transactions keep requests for retransmission). Chunk
 * buffers must therefore not be reused by the caller after push() (Node's sockets
 * allocate a fresh Buffer per read).
 */
import { findHeaderEnd } from "./parse-message.js";

export type FramingErrorReason = "header-too-large" | "message-too-large" | "missing-content-length" | "bad-content-length";

export type FramerOutput =
  /** One complete SIP message: header section, empty line and Content-Length body bytes. */
  | { kind: "message"; bytes: Uint8Array }
  /** RFC 5626 §3.5.1 keep-alive ping (CRLFCRLF): answer with one CRLF. */
  | { kind: "ping" }
  /**
   * The stream can no longer be framed: answer 400/513 if `head` is an answerable
   * request (see framingErrorResponse), then close the connection. `head` holds the
   * header section (or, when it was too large, its complete lines up to the limit).
   */
  | { kind: "error"; reason: FramingErrorReason; head: Uint8Array };

export interface StreamFramerOptions {
  /** Largest message (header section + body) accepted, in bytes. Default 65535. */
  maxMessageSize?: number;
  /** Largest header section accepted, in bytes. Default: maxMessageSize. */
  maxHeaderSize?: number;
}

export const DEFAULT_MAX_MESSAGE_SIZE = 65535;

const CR = 13;
const LF = 10;
const EMPTY = new Uint8Array(0);
const MIN_CAPACITY = 4096;

export class StreamFramer {
  private readonly maxMessage: number;
  private readonly maxHeader: number;
  /** Owned accumulator of an incomplete frame: bytes [0, accLength). */
  private acc: Uint8Array = EMPTY;
  private accLength = 0;
  /** Offset (from the pending frame's start) where the header-end scan resumes. */
  private scanned = 0;
  /** Total size of the pending message once its header section was read, else -1. */
  private need = -1;
  private failed = false;

  constructor(options: StreamFramerOptions = {}) {
    this.maxMessage = options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
    this.maxHeader = Math.min(options.maxHeaderSize ?? this.maxMessage, this.maxMessage);
  }

  /** Bytes held back waiting for the rest of a frame. */
  get buffered(): number {
    return this.accLength;
  }

  /** True after an error output: the stream is desynchronised and input is ignored. */
  get broken(): boolean {
    return this.failed;
  }

  push(chunk: Uint8Array): FramerOutput[] {
    const out: FramerOutput[] = [];
    if (this.failed || chunk.length === 0) return out;
    let rest = chunk;
    if (this.accLength > 0) {
      if (this.need === -1) return this.pushIntoHead(chunk, out);
      // The pending frame's size is known: copy just its missing bytes, no more.
      const take = Math.min(this.need - this.accLength, chunk.length);
      this.append(chunk.subarray(0, take));
      if (this.accLength < this.need) return out;
      out.push({ kind: "message", bytes: this.acc.subarray(0, this.need) });
      this.handOver();
      rest = chunk.subarray(take);
    }
    // Fast path: frame straight out of the chunk; keep only the unfinished tail.
    const used = this.drain(rest, out);
    if (!this.failed && used < rest.length) this.append(rest.subarray(used));
    return out;
  }

  /** A header section (or keep-alive) is pending: accumulate, then frame from the copy. */
  private pushIntoHead(chunk: Uint8Array, out: FramerOutput[]): FramerOutput[] {
    this.append(chunk);
    const data = this.acc.subarray(0, this.accLength);
    const used = this.drain(data, out);
    if (this.failed || used === 0) return out;
    // Frames already returned are views of `acc`: hand it over, keep the tail apart.
    const { need, scanned } = this;
    this.handOver();
    this.need = need;
    this.scanned = scanned;
    if (used < data.length) this.append(data.subarray(used));
    return out;
  }

  /** Gives the accumulator away with the frames viewing it; the next one starts fresh. */
  private handOver(): void {
    this.acc = EMPTY;
    this.accLength = 0;
    this.need = -1;
    this.scanned = 0;
  }

  /** Frames as much of `data` as possible; returns how many bytes were consumed. */
  private drain(data: Uint8Array, out: FramerOutput[]): number {
    let pos = 0;
    while (pos < data.length) {
      if (this.need === -1 && data[pos] === CR) {
        const step = this.keepAlive(data, pos, out);
        if (step === 0) return pos; // undecided until more bytes arrive
        if (step > 0) {
          pos += step;
          continue;
        }
        // step < 0: a CR that starts no CRLF; let it frame (and fail) as a message.
      }
      const size = this.need !== -1 ? this.need : this.readHead(data, pos, out);
      if (size <= 0) return size === 0 ? pos : data.length;
      if (data.length - pos < size) {
        this.need = size;
        return pos;
      }
      out.push({ kind: "message", bytes: data.subarray(pos, pos + size) });
      pos += size;
      this.need = -1;
      this.scanned = 0;
    }
    return pos;
  }

  /**
   * At a frame boundary starting with CR: 4 = ping consumed, 2 = lone CRLF consumed,
   * 0 = wait for more bytes, -1 = not a keep-alive.
   */
  private keepAlive(data: Uint8Array, pos: number, out: FramerOutput[]): number {
    const left = data.length - pos;
    if (left < 2) return 0;
    if (data[pos + 1] !== LF) return -1;
    // CRLF then nothing yet: it may be the first half of a ping, so wait.
    if (left < 3) return 0;
    if (data[pos + 2] !== CR) return 2;
    if (left < 4) return 0;
    if (data[pos + 3] !== LF) return 2;
    out.push({ kind: "ping" });
    return 4;
  }

  /**
   * Reads the header section of the frame at `pos`. Returns the frame's total size,
   * 0 if the header section is incomplete, or -1 after pushing an error.
   */
  private readHead(data: Uint8Array, pos: number, out: FramerOutput[]): number {
    const from = pos + Math.max(0, this.scanned - 3);
    const end = findHeaderEnd(data, from);
    if (end === -1) {
      this.scanned = data.length - pos;
      if (this.scanned > this.maxHeader) return this.fail(out, "header-too-large", completeLines(data.subarray(pos, pos + this.maxHeader)));
      return 0;
    }
    const headSize = end + 4 - pos;
    const head = data.subarray(pos, end + 4);
    if (headSize > this.maxHeader) return this.fail(out, "header-too-large", completeLines(head.subarray(0, this.maxHeader)));
    const length = streamContentLength(head);
    if (length === "missing") return this.fail(out, "missing-content-length", head);
    if (length === "bad") return this.fail(out, "bad-content-length", head);
    if (headSize + length > this.maxMessage) return this.fail(out, "message-too-large", head);
    return headSize + length;
  }

  private fail(out: FramerOutput[], reason: FramingErrorReason, head: Uint8Array): -1 {
    out.push({ kind: "error", reason, head });
    this.failed = true;
    this.acc = EMPTY;
    this.accLength = 0;
    return -1;
  }

  private append(bytes: Uint8Array): void {
    const needed = this.accLength + bytes.length;
    if (needed > this.acc.length) {
      // Once the frame size is known, size the buffer to fit it exactly: the frame is
      // handed over with its buffer, so slack would be retained by the caller.
      const target = this.need > 0 && this.need >= needed ? this.need : Math.max(MIN_CAPACITY, needed, this.acc.length * 2);
      const grown = new Uint8Array(target);
      grown.set(this.acc.subarray(0, this.accLength));
      this.acc = grown;
    }
    this.acc.set(bytes, this.accLength);
    this.accLength = needed;
  }
}

/** The prefix of `bytes` up to and including its last CRLF (drops a cut-off line). */
function completeLines(bytes: Uint8Array): Uint8Array {
  for (let i = bytes.length - 2; i >= 0; i--) {
    if (bytes[i] === CR && bytes[i + 1] === LF) return bytes.subarray(0, i + 2);
  }
  return bytes.subarray(0, 0);
}

const NAME = "content-length";

/**
 * Content-Length of a header section (start-line, fields, CRLFCRLF): its value, "missing"
 * or "bad". Matches the long and compact ("l", RFC 3261 §7.3.3) names, case-insensitive,
 * with whitespace before the colon (RFC 3261 §7.3.1) and folded values. Several fields
 * must agree (RFC 3261 §20.14 allows one value).
 */
export function streamContentLength(head: Uint8Array): number | "missing" | "bad" {
  let result: number | "missing" = "missing";
  let line = lineAfter(head, 0);
  while (line !== -1 && line < head.length - 2) {
    const value = fieldValue(head, line);
    if (value !== null) {
      const n = parseDigits(head, value.start, value.end);
      if (n === null || (result !== "missing" && result !== n)) return "bad";
      result = n;
    }
    line = lineAfter(head, line);
  }
  return result;
}

/** Start of the line after the one containing `i` (lines end at CRLF), or -1. */
function lineAfter(head: Uint8Array, i: number): number {
  let cr = head.indexOf(CR, i);
  while (cr !== -1 && head[cr + 1] !== LF) cr = head.indexOf(CR, cr + 1);
  return cr === -1 ? -1 : cr + 2;
}

function lower(c: number): number {
  return c >= 65 && c <= 90 ? c | 0x20 : c;
}

/** If the line at `i` is a Content-Length field: its value's byte range (may span folds). */
function fieldValue(head: Uint8Array, i: number): { start: number; end: number } | null {
  let j: number;
  const first = lower(head[i] ?? 0);
  if (first === 0x6c /* l */ && !isNameChar(head[i + 1] ?? 0)) j = i + 1;
  else {
    for (let k = 0; k < NAME.length; k++) if (lower(head[i + k] ?? 0) !== NAME.charCodeAt(k)) return null;
    j = i + NAME.length;
  }
  while (head[j] === 32 || head[j] === 9) j++;
  if (head[j] !== 58 /* : */) return null;
  const start = j + 1;
  let end = start;
  // The value runs to a CRLF not followed by SP/HTAB (RFC 3261 §7.3.1 folding).
  for (;;) {
    const cr = head.indexOf(CR, end);
    if (cr === -1) return { start, end: head.length };
    end = cr;
    const next = head[cr + 2];
    if (head[cr + 1] !== LF || (next !== 32 && next !== 9)) return { start, end };
    end = cr + 2;
  }
}

function isNameChar(c: number): boolean {
  return c !== 32 && c !== 9 && c !== 58;
}

/** 1*DIGIT surrounded by optional whitespace (and fold CRLFs), at most 9 digits. */
function parseDigits(head: Uint8Array, start: number, end: number): number | null {
  let n = 0;
  let digits = 0;
  let seenEnd = false;
  for (let i = start; i < end; i++) {
    const c = head[i] ?? 0;
    if (c >= 48 && c <= 57) {
      if (seenEnd || ++digits > 9) return null;
      n = n * 10 + (c - 48);
    } else if (c === 32 || c === 9 || c === CR || c === LF) {
      if (digits > 0) seenEnd = true;
    } else return null;
  }
  return digits === 0 ? null : n;
}
