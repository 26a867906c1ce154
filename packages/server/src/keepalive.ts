// NAT keep-alive and liveness for registered contacts. Every interval each binding in
// scope is probed over the flow it registered from: an OPTIONS (any answer, even 4xx,
// proves the flow is alive) or a CRLFCRLF ping on stream transports (RFC 5626 §4.4.1).
// After N consecutive failures the contact is marked unreachable and skipped by lookups
// until a probe or a refresh succeeds. Probes are spread over the interval in small
// slices: 10,000 OPTIONS in one burst stalled the event loop for long enough to drop
// REGISTERs in the register bench.
import { randomBytes } from "node:crypto";
import { createBranch, EMPTY_BODY, headerField, isReliable, type FlowEndpoint, type SipRequest } from "@hotline/sip";
import type { TransportManager } from "@hotline/sip/node";
import type { Binding, Metrics, Registrar } from "@hotline/switch";
import type { SipCore } from "./sip-core.js";

export interface KeepaliveSettings {
  method: "options" | "crlf" | "none";
  /** "nat": only contacts whose Contact address differs from the packet source (as Kamailio's nathelper); "all": every contact. */
  scope: "nat" | "all";
  intervalSeconds: number;
  failuresBeforeUnreachable: number;
}

/** How often a slice of the round is sent. */
const SLICE_MS = 100;

export interface KeepaliveDeps {
  core: SipCore;
  registrar: Registrar;
  transports: TransportManager;
  metrics: Metrics;
  domain: string;
  /** Our sent-by for a transport (the Via of requests we originate). */
  sentBy: (transport: FlowEndpoint["transport"]) => string | null;
}

const CRLFCRLF = new Uint8Array([13, 10, 13, 10]);

export class Keepalive {
  private timer: NodeJS.Timeout | null = null;
  private pending: Binding[] = [];
  private perSlice = 1;
  private roundStartedAt = -Infinity;

  constructor(
    private readonly settings: KeepaliveSettings,
    private readonly deps: KeepaliveDeps,
  ) {}

  start(): void {
    if (this.settings.method === "none") return;
    this.timer = setInterval(() => this.slice(), SLICE_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
  }

  /** Sends the next slice; starts a new round when the last one is done and an interval has passed since the last round began. */
  private slice(): void {
    if (this.pending.length === 0) {
      // Without this a round of a few bindings ends in one slice and the next begins at
      // once: each contact was probed every 200 ms instead of once per interval.
      const now = Date.now();
      if (now - this.roundStartedAt < this.settings.intervalSeconds * 1000) return;
      this.roundStartedAt = now;
      this.pending = this.deps.registrar.all(Date.now()).filter((b) => this.inScope(b));
      const slices = Math.max(1, Math.floor((this.settings.intervalSeconds * 1000) / SLICE_MS));
      this.perSlice = Math.max(1, Math.ceil(this.pending.length / slices));
      return;
    }
    for (const b of this.pending.splice(0, this.perSlice)) this.probe(b);
  }

  /** A contact is behind NAT when its URI's host:port is not where its REGISTER came from. */
  private inScope(b: Binding): boolean {
    if (this.settings.scope === "all") return true;
    // Stream flows are always probed: the probe is what notices a dead connection.
    if (isReliable(b.source.transport)) return true;
    const m = /^sips?:(?:[^@]*@)?(\[[^\]]+\]|[^:;>?]+)(?::(\d+))?/i.exec(b.contact);
    if (m === null) return true;
    const port = m[2] === undefined ? 5060 : Number(m[2]);
    return m[1] !== b.source.address || port !== b.source.port;
  }

  private probe(b: Binding): void {
    const dest: FlowEndpoint = { ...b.source };
    if (this.settings.method === "crlf") {
      const sent = this.deps.transports.send(CRLFCRLF, dest);
      // Over UDP a ping has no answer, so it only keeps the NAT binding open; over a
      // stream, a failed write means the flow is gone.
      if (isReliable(dest.transport)) this.record(b, sent);
      return;
    }
    const request = this.options(b);
    if (request === null) return;
    this.deps.metrics.inc("keepalive_probes_total", { method: "options" });
    this.deps.core.sendRequest(request, dest, {
      onResponse: (r) => {
        if (r.status >= 200) this.record(b, true);
      },
      onFailure: () => this.record(b, false),
    });
  }

  private record(b: Binding, ok: boolean): void {
    const after = this.deps.registrar.markProbe(b.aor, b.contact, ok, this.settings.failuresBeforeUnreachable);
    if (!ok) this.deps.metrics.inc("keepalive_failures_total");
    if (after !== null && !after.reachable && after.failures === this.settings.failuresBeforeUnreachable) {
      this.deps.metrics.inc("contacts_marked_unreachable_total");
    }
  }

  private options(b: Binding): SipRequest | null {
    const sentBy = this.deps.sentBy(b.source.transport);
    if (sentBy === null) return null;
    const transport = b.source.transport.toUpperCase();
    // The branch only needs to be unique among our transactions, not unguessable.
    return {
      kind: "request",
      method: "OPTIONS",
      uri: b.contact,
      version: "SIP/2.0",
      headers: [
        headerField("Via", `SIP/2.0/${transport} ${sentBy};rport;branch=${createBranch(Math.random)}`),
        headerField("Max-Forwards", "70"),
        headerField("From", `<sip:keepalive@${this.deps.domain}>;tag=${randomBytes(6).toString("hex")}`),
        headerField("To", `<${b.contact}>`),
        headerField("Call-ID", `${randomBytes(12).toString("hex")}@${this.deps.domain}`),
        headerField("CSeq", "1 OPTIONS"),
      ],
      body: EMPTY_BODY,
    };
  }
}
