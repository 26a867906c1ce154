// Parsing of the values people type into `hotline cdr list --from …` and HTTP query strings.
// Each parser returns a value or a problem, worded to follow the parameter's name
// ("--from: not an ISO 8601 time …").
import { MAX_LIST_LIMIT } from "@hotline/switch";
import { hasControlChars } from "../config/schema.js";

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,3})?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * An ISO 8601 date or date-time: "2025-01-31", "2025-01-31T14:05", "2025-01-31 14:05:09Z",
 * "2025-01-31T14:05+01:00". Without an offset it is UTC (everything hotline prints is UTC),
 * unlike JavaScript's Date.parse, which reads an offset-less date-time as local time.
 * When `epochMs` is set, a plain integer is taken as ms since the epoch (HTTP accepts both).
 */
export function parseTime(text: string, epochMs = false): Parsed<number> {
  if (epochMs && /^\d{1,15}$/.test(text)) return { ok: true, value: Number(text) };
  const m = ISO_RE.exec(text.trim());
  const bad: Parsed<number> = { ok: false, problem: `not an ISO 8601 date or time, e.g. 2025-01-31 or 2025-01-31T14:05:00Z (got ${JSON.stringify(text)})` };
  if (!m) return bad;
  const [, y, mo, d, h = "00", mi = "00", s = "00", frac = "", zone = "Z"] = m;
  const value = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}${frac}${zone.toUpperCase()}`);
  if (Number.isNaN(value)) return bad;
  // Date.parse rolls 2025-02-30 over into March; a day that does not exist is a typo.
  const day = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (day.getUTCDate() !== Number(d) || day.getUTCMonth() !== Number(mo) - 1 || Number(h) > 23) return bad;
  return { ok: true, value };
}

/** A list limit: an integer 1..1000. */
export function parseLimit(text: string): Parsed<number> {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > MAX_LIST_LIMIT) return { ok: false, problem: `must be an integer 1..${MAX_LIST_LIMIT} (got ${JSON.stringify(text)})` };
  return { ok: true, value: n };
}

/** A non-negative integer id or sequence number. */
export function parseId(text: string): Parsed<number> {
  if (!/^\d{1,15}$/.test(text)) return { ok: false, problem: `must be a non-negative integer (got ${JSON.stringify(text)})` };
  return { ok: true, value: Number(text) };
}

/** A yes/no flag in a query string: 1/true/yes or 0/false/no. */
export function parseFlag(text: string): Parsed<boolean> {
  const t = text.toLowerCase();
  if (["1", "true", "yes"].includes(t)) return { ok: true, value: true };
  if (["0", "false", "no"].includes(t)) return { ok: true, value: false };
  return { ok: false, problem: `must be 1 or 0 (got ${JSON.stringify(text)})` };
}

/** A person's name as recorded in handledBy: 1-128 characters, no control characters. */
export function parseHandlerName(text: string): Parsed<string> {
  const name = text.trim();
  if (name.length === 0 || name.length > 128 || hasControlChars(name)) {
    return { ok: false, problem: "must be 1-128 characters without control characters" };
  }
  return { ok: true, value: name };
}
