// NAT keep-alive and liveness for registered contacts. Every interval each binding is
// probed over the flow it registered from: an OPTIONS (any answer, even 4xx, proves the
// flow is alive) or a CRLFCRLF ping on stream transports (RFC 5626 §4.4.1). After N
// consecutive failures the contact is marked unreachable and skipped by lookups until a
// probe or a refresh succeeds.
import { randomBytes } from "node:crypto";
import { createBranch, EMPTY_BODY, headerField, isReliable, type FlowEndpoint, type SipRequest } from "@hotline/sip";
import type { TransportManager } from "@hotline/sip/node";
import type { Binding, Metrics, Registrar } from "@hotline/switch";
import type { SipCore } from "./sip-core.js";

export interface KeepaliveSettings {
  method: "options" | "crlf" | "none";
  intervalSeconds: number;
  failuresBeforeUnreachable: number;
}

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

  constructor(
    private readonly settings: KeepaliveSettings,
    private readonly deps: KeepaliveDeps,
  ) {}

  start(): void {
    if (this.settings.method === "none") return;
    this.timer = setInterval(() => this.round(), this.settings.intervalSeconds * 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
  }

  /** One probe of every live binding (public so tests can trigger a round). */
  round(): void {
    for (const b of this.deps.registrar.all(Date.now())) this.probe(b);
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
    const rnd = (): number => randomBytes(4).readUInt32BE() / 2 ** 32;
    return {
      kind: "request",
      method: "OPTIONS",
      uri: b.contact,
      version: "SIP/2.0",
      headers: [
        headerField("Via", `SIP/2.0/${transport} ${sentBy};rport;branch=${createBranch(rnd)}`),
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
