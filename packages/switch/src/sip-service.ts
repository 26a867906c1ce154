/**
 * The transaction user for requests outside dialogs: REGISTER (digest auth + registrar),
 * OPTIONS, and clear refusals for everything not built yet. Returns what to do; the server
 * sends it. Calls (INVITE and in-dialog requests) go to the CallManager instead.
 */
import {
  createResponse,
  getHeaderFields,
  headerField,
  type HeaderField,
  type SipRequest,
  type SipResponse,
} from "@hotline/sip";
import { countsAsFailure, type BruteForceGuard, type DigestAuthenticator } from "./auth/index.js";
import type { Metrics } from "./metrics.js";
import type { Registrar, RegisterOutcome } from "./registrar/registrar.js";
import type { BindingSource, Store } from "./store.js";

/** Methods this build implements (RFC 3261 §20.5 Allow). */
export const ALLOWED_METHODS = ["REGISTER", "OPTIONS", "INVITE", "ACK", "CANCEL", "BYE", "UPDATE", "INFO", "REFER", "NOTIFY", "PRACK", "SUBSCRIBE"] as const;
/** Methods SIP defines that we recognise but don't serve yet → 405 (RFC 3261 §8.2.1). */
const KNOWN_METHODS = new Set(["INVITE", "BYE", "PRACK", "UPDATE", "INFO", "REFER", "SUBSCRIBE", "NOTIFY", "MESSAGE", "PUBLISH"]);

export const SERVER_NAME = "hotline/0.1";

/** What to answer. Requests from blocked sources never get here: the server drops them first. */
export interface Decision {
  response: SipResponse;
}

export interface SipServiceDeps {
  store: Store;
  registrar: Registrar;
  authenticator: DigestAuthenticator;
  /**
   * Counts failed guesses. Blocked sources are dropped by the server before a transaction
   * exists: SIPVicious svcrack reads any non-401 answer to a guess as a hit, and silence
   * also costs the attacker a timeout per guess.
   */
  guard: BruteForceGuard;
  metrics: Metrics;
  /** Random To tags (RFC 3261 §19.3: at least 32 bits of randomness). */
  newTag: () => string;
  log?: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
}

export class SipService {
  constructor(private readonly deps: SipServiceDeps) {}

  async handle(req: SipRequest, source: BindingSource, now: number): Promise<Decision> {
    this.deps.metrics.inc("sip_requests_total", { method: req.method });
    switch (req.method) {
      case "REGISTER":
        return this.register(req, source, now);
      case "OPTIONS":
        return this.respond(req, 200, { headers: capabilityHeaders() });
      default:
        // RFC 3261 §8.2.1 / §21.5.2: a recognised method we don't serve → 405; an
        // unknown one → 501. Both carry Allow.
        return this.respond(req, KNOWN_METHODS.has(req.method) ? 405 : 501, { headers: [allowHeader()] });
    }
  }

  private async register(req: SipRequest, source: BindingSource, now: number): Promise<Decision> {
    const { guard, authenticator, store, registrar, metrics } = this.deps;
    const auth = await authenticator.verify(
      { method: req.method, requestUri: req.uri, authorization: getHeaderFields(req, "authorization") },
      (username) => store.users.get(username),
      now,
    );
    if (auth.outcome !== "ok") {
      metrics.inc("auth_challenges_total", { reason: auth.reason });
      if (countsAsFailure(auth) && guard.recordFailure(source.address, now)) {
        metrics.inc("auth_blocks_total");
        this.deps.log?.warn({ ip: source.address, reason: auth.reason }, "source blocked after repeated authentication failures");
      }
      const headers = authenticator.challenge(now, auth.stale).map((v) => headerField("WWW-Authenticate", v));
      return this.respond(req, 401, { headers });
    }
    guard.recordSuccess(source.address, now);
    const out = await registrar.register(req, auth.username, source, now);
    return this.registerResponse(req, out);
  }

  private registerResponse(req: SipRequest, out: RegisterOutcome): Decision {
    if (out.status === 423) return this.respond(req, 423, { headers: [headerField("Min-Expires", String(out.minExpires))] });
    if (out.status !== 200) return this.respond(req, out.status, { reason: out.reason });
    // RFC 3261 §10.3 step 8: the 200 lists every current binding with its remaining time.
    const headers = out.bindings.map((b) =>
      headerField("Contact", `<${b.contact}>;expires=${Math.max(0, Math.round((b.expiresAt - out.now) / 1000))}`),
    );
    headers.push(headerField("Date", new Date(out.now).toUTCString()));
    return this.respond(req, 200, { headers });
  }

  private respond(req: SipRequest, status: number, opts: { headers?: HeaderField[]; reason?: string }): Decision {
    const response = createResponse(req, status, {
      toTag: this.deps.newTag(),
      headers: [...(opts.headers ?? []), headerField("Server", SERVER_NAME)],
      ...(opts.reason !== undefined && { reason: opts.reason }),
    });
    this.deps.metrics.inc("sip_responses_total", { status });
    return { response };
  }
}

function allowHeader(): HeaderField {
  return headerField("Allow", ALLOWED_METHODS.join(", "));
}

/** RFC 3261 §11.2: an OPTIONS answer lists what the UAS can do. */
function capabilityHeaders(): HeaderField[] {
  return [
    allowHeader(),
    headerField("Accept", "application/sdp"),
    headerField("Accept-Encoding", "identity"),
    headerField("Accept-Language", "en"),
    headerField("Supported", "path, outbound, timer, replaces, norefersub"),
    headerField("Allow-Events", "dialog, refer"),
  ];
}
