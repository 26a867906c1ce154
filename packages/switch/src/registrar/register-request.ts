/**
 * Reads a REGISTER into what the registrar must do (RFC 3261 §10.3 steps 5–7), without
 * touching any state: the AOR, the contacts with their requested expiry, or an error.
 */
import {
  getHeader,
  getHeaderValues,
  isSipUri,
  parseNameAddr,
  parseUri,
  summarize,
  unquote,
  type SipRequest,
} from "@hotline/sip";

export interface RequestedContact {
  /** Contact URI as written inside <>. */
  uri: string;
  /** Identity used to match an existing binding (RFC 3261 §19.1.4 comparison, simplified). */
  key: string;
  /** Requested lifetime in seconds (contact param, else Expires header, else default). */
  expires: number;
  q: number | null;
  instanceId: string | null;
  regId: number | null;
}

export type RegisterIntent =
  | { kind: "fetch"; aor: string; user: string; callId: string; cseq: number }
  | { kind: "remove-all"; aor: string; user: string; callId: string; cseq: number }
  | { kind: "update"; aor: string; user: string; callId: string; cseq: number; contacts: RequestedContact[] };

export type IntentResult = { ok: true; intent: RegisterIntent } | { ok: false; status: number; reason: string };

export function readRegister(req: SipRequest, domain: string, defaultExpires: number): IntentResult {
  const summary = summarize(req);
  const to = parseNameAddr(getHeader(req, "to") ?? "");
  if (summary === null || !to.ok) return { ok: false, status: 400, reason: "Bad Request" };
  const toUri = to.value.parsedUri;
  if (!isSipUri(toUri) || toUri.user === null) return { ok: false, status: 404, reason: "Not Found" };
  const user = decodeURIComponentSafe(toUri.user);
  // One domain per node: the AOR is user@domain whatever host the phone put in To
  // (phones set up with the server's IP address register as user@IP).
  const aor = `sip:${user}@${domain}`;
  const base = { aor, user, callId: summary.callId, cseq: summary.cseq.seq };
  const values = getHeaderValues(req, "contact");
  if (values.length === 0) return { ok: true, intent: { kind: "fetch", ...base } };
  const headerExpires = getHeader(req, "expires");
  if (values.includes("*")) {
    // RFC 3261 §10.3 step 6: "*" only alone and only with Expires: 0.
    if (values.length !== 1 || headerExpires === undefined || Number(headerExpires) !== 0) {
      return { ok: false, status: 400, reason: "Invalid Wildcard Contact" };
    }
    return { ok: true, intent: { kind: "remove-all", ...base } };
  }
  const contacts: RequestedContact[] = [];
  for (const v of values) {
    const c = readContact(v, headerExpires, defaultExpires);
    if (c === null) return { ok: false, status: 400, reason: "Bad Contact Header" };
    contacts.push(c);
  }
  return { ok: true, intent: { kind: "update", ...base, contacts } };
}

function readContact(value: string, headerExpires: string | undefined, defaultExpires: number): RequestedContact | null {
  const na = parseNameAddr(value);
  if (!na.ok) return null;
  const params = na.value.params;
  const p = params.get("expires");
  const expires = p !== undefined && p !== null ? Number(p) : headerExpires !== undefined ? Number(headerExpires) : defaultExpires;
  const qText = params.get("q");
  const q = qText === undefined || qText === null ? null : Number(qText);
  if (q !== null && !(q >= 0 && q <= 1)) return null;
  const instance = unquote(params.get("+sip.instance"));
  const regIdText = params.get("reg-id");
  return {
    uri: na.value.uri,
    key: contactKey(na.value.uri),
    expires,
    q,
    instanceId: instance,
    regId: regIdText === undefined || regIdText === null ? null : Number(regIdText),
  };
}

/**
 * RFC 3261 §19.1.4, simplified for binding identity: scheme, user and password compare
 * case-sensitively, host case-insensitively, and the port and transport must agree.
 */
export function contactKey(uriText: string): string {
  const r = parseUri(uriText);
  if (!r.ok || !isSipUri(r.uri)) return uriText;
  const u = r.uri;
  const transport = (u.params.get("transport") ?? "").toLowerCase();
  return `${u.scheme}:${u.user ?? ""}@${u.host.toLowerCase()}:${u.port ?? ""};${transport}`;
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
