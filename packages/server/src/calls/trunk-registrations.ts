// Registration to carriers as a client (RFC 3261 §10.2): for every trunk with `register`,
// a REGISTER is sent at start and refreshed before it expires; a 401/407 is answered with
// digest credentials (once per attempt, RFC 3261 §22.2); failures retry after 30 s. The
// state of each is shown in /api/status.
import { createRequest, getHeader, getHeaderValues, type SipResponse } from "@hotline/sip";
import { digestAuthorization, type DialPlan, type Metrics } from "@hotline/switch";
import type { Logger } from "pino";
import type { RandomPool } from "../random-pool.js";
import type { SipCore } from "../sip-core.js";

const RETRY_MS = 30_000;

export interface TrunkRegistrationState {
  trunk: string;
  state: "registering" | "registered" | "failed";
  lastStatus: number | null;
  expiresAt: number | null;
  /** Set for "failed". */
  error: string | null;
}

export class TrunkRegistrations {
  private readonly states = new Map<string, TrunkRegistrationState>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private cseq = 1;
  private readonly callIds = new Map<string, string>();
  private stopped = false;

  constructor(
    private readonly plan: DialPlan,
    private readonly core: SipCore,
    private readonly sentBy: (transport: "udp" | "tcp" | "tls") => string | null,
    private readonly random: RandomPool,
    private readonly metrics: Metrics,
    private readonly log: Logger,
  ) {}

  start(): void {
    for (const [name, t] of Object.entries(this.plan.trunks)) {
      if (t.register === null) continue;
      this.callIds.set(name, `${this.random.hex(12)}@hotline`);
      this.register(name, null);
    }
  }

  report(): TrunkRegistrationState[] {
    return [...this.states.values()];
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  private register(name: string, challenge: SipResponse | null): void {
    const t = this.plan.trunks[name];
    if (t === undefined || t.register === null || this.stopped) return;
    const reg = t.register;
    const host = t.host.includes(":") ? `[${t.host}]` : t.host;
    const sentBy = this.sentBy(t.transport) ?? "127.0.0.1";
    const aor = `sip:${reg.username}@${host}`;
    const uri = `sip:${host}:${t.port}`;
    const headers = [{ name: "Expires", key: "expires", value: String(reg.expires) }];
    if (challenge !== null) {
      const auth = digestAuthorization(challenge, { username: reg.username, password: reg.password }, "REGISTER", uri, this.random.hex(8));
      if (auth === null) return this.fail(name, challenge.status, "challenge not answerable (unsupported algorithm or qop)");
      headers.push(auth);
    }
    const request = createRequest({
      method: "REGISTER",
      requestUri: uri,
      from: { uri: aor, tag: this.random.hex(6) },
      to: { uri: aor },
      callId: this.callIds.get(name) ?? `${this.random.hex(12)}@hotline`,
      cseq: this.cseq++,
      via: { transport: t.transport.toUpperCase(), sentBy, branch: `z9hG4bK${this.random.hex(10)}` },
      contact: `<sip:${reg.username}@${sentBy};transport=${t.transport}>`,
      headers,
    });
    if (!this.states.has(name)) this.states.set(name, { trunk: name, state: "registering", lastStatus: null, expiresAt: null, error: null });
    this.core.sendRequest(request, { transport: t.transport, address: t.host, port: t.port }, {
      onResponse: (res) => {
        if (res.status < 200) return;
        if ((res.status === 401 || res.status === 407) && challenge === null) return this.register(name, res);
        if (res.status >= 200 && res.status < 300) return this.ok(name, res, reg.expires);
        this.fail(name, res.status, `${res.status} ${res.reason}`);
      },
      onFailure: (reason) => this.fail(name, null, reason),
    });
  }

  private ok(name: string, res: SipResponse, asked: number): void {
    // RFC 3261 §10.2.4: the registrar may shorten the time; read it from our Contact or Expires.
    const granted = Number(/expires=(\d+)/i.exec(getHeaderValues(res, "contact").join(","))?.[1] ?? getHeader(res, "expires") ?? asked);
    const seconds = Number.isFinite(granted) && granted > 0 ? granted : asked;
    this.states.set(name, { trunk: name, state: "registered", lastStatus: res.status, expiresAt: Date.now() + seconds * 1000, error: null });
    this.metrics.inc("trunk_registrations_total", { trunk: name, result: "ok" });
    this.log.info({ trunk: name, expires: seconds }, "registered to carrier");
    // Refresh at 90 % of the time granted (at least 5 s before it runs out).
    this.schedule(name, Math.max(1000, Math.min(seconds * 900, seconds * 1000 - 5000)));
  }

  private fail(name: string, status: number | null, error: string): void {
    this.states.set(name, { trunk: name, state: "failed", lastStatus: status, expiresAt: null, error });
    this.metrics.inc("trunk_registrations_total", { trunk: name, result: "failed" });
    this.log.warn({ trunk: name, status, error }, "carrier registration failed; retrying in 30 s");
    this.schedule(name, RETRY_MS);
  }

  private schedule(name: string, ms: number): void {
    clearTimeout(this.timers.get(name));
    if (this.stopped) return;
    this.timers.set(name, setTimeout(() => this.register(name, null), ms));
  }
}
