/**
 * Canonical header names and compact forms (RFC 3261 §7.3.3, §20; RFC 3515, 3891, 4028,
 * 6665 for r, b, x, o, u). Lookups go through a cache keyed by the exact spelling
 * received, so the common case costs one Map lookup and no string allocation.
 */

const CANONICAL: readonly string[] = [
  "Accept", "Accept-Encoding", "Accept-Language", "Alert-Info", "Allow", "Allow-Events",
  "Authentication-Info", "Authorization", "Call-ID", "Call-Info", "Contact",
  "Content-Disposition", "Content-Encoding", "Content-Language", "Content-Length",
  "Content-Type", "CSeq", "Date", "Error-Info", "Event", "Expires", "From", "In-Reply-To",
  "Max-Forwards", "Min-Expires", "Min-SE", "MIME-Version", "Organization", "P-Asserted-Identity",
  "Path", "Priority", "Proxy-Authenticate", "Proxy-Authorization", "Proxy-Require", "RAck",
  "Reason", "Record-Route", "Refer-To", "Referred-By", "Replaces", "Reply-To", "Require",
  "Retry-After", "Route", "RSeq", "Server", "Session-Expires", "Subject", "Subscription-State",
  "Supported", "Timestamp", "To", "Unsupported", "User-Agent", "Via", "Warning",
  "WWW-Authenticate",
];

/** RFC 3261 §7.3.3 compact forms, plus the ones later RFCs registered. */
const COMPACT: Readonly<Record<string, string>> = {
  i: "Call-ID", m: "Contact", e: "Content-Encoding", l: "Content-Length", c: "Content-Type",
  f: "From", s: "Subject", k: "Supported", t: "To", v: "Via", o: "Event", r: "Refer-To",
  b: "Referred-By", u: "Allow-Events", x: "Session-Expires", a: "Accept-Contact",
  j: "Reject-Contact", d: "Request-Disposition", y: "Identity", n: "Identity-Info",
};

export interface HeaderName {
  /** Lower-case long form, the lookup key. */
  key: string;
  /** The spelling we emit. */
  name: string;
  /** False when the received name is not a token (RFC 3261 §25.1 header-name). */
  valid: boolean;
}

const TOKEN = /^[A-Za-z0-9\-.!%*_+`'~]+$/;

const byLower = new Map<string, HeaderName>();
for (const name of CANONICAL) byLower.set(name.toLowerCase(), { key: name.toLowerCase(), name, valid: true });
for (const [short, long] of Object.entries(COMPACT)) {
  byLower.set(short, { key: long.toLowerCase(), name: long, valid: true });
}

const cache = new Map<string, HeaderName>();
const CACHE_LIMIT = 4096;

/** Maps a received header name (any case, compact or long) to its canonical form. */
export function canonicalHeaderName(received: string): HeaderName {
  const hit = cache.get(received);
  if (hit !== undefined) return hit;
  const lower = received.toLowerCase();
  const known = byLower.get(lower);
  // Unknown extension headers keep the sender's spelling (RFC 3261 §7.3.1: names are
  // case-insensitive, so any spelling is equally correct).
  const resolved = known ?? { key: lower, name: received, valid: TOKEN.test(received) };
  // Bounded: a hostile peer inventing header names must not grow memory without limit.
  if (cache.size < CACHE_LIMIT) cache.set(received, resolved);
  return resolved;
}

/**
 * Headers whose values are comma-separated lists (RFC 3261 §7.3.1: "header field
 * name: value, value" is equivalent to repeating the field). Headers like Date,
 * WWW-Authenticate and Authorization contain commas that are not list separators.
 */
export const LIST_HEADERS: ReadonlySet<string> = new Set([
  "via", "contact", "route", "record-route", "path", "allow", "supported", "require",
  "proxy-require", "unsupported", "accept", "accept-encoding", "accept-language",
  "allow-events", "content-encoding", "content-language", "in-reply-to", "alert-info",
  "call-info", "error-info", "warning", "reason", "p-asserted-identity",
]);

/** Headers that must appear at most once with a single value (RFC 3261 §7.3.1, §20). */
export const SINGLE_VALUE_HEADERS: ReadonlySet<string> = new Set([
  "call-id", "cseq", "from", "to", "max-forwards", "content-length", "content-type",
  "expires", "min-expires",
]);
