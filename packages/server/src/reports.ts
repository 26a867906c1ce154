import { monitorEventLoopDelay } from "node:perf_hooks";
// The facts behind GET /api/status, /api/registrations and the gauges of /metrics.
import type { BoundAddress, TransportManager } from "@hotline/sip/node";
import type { BruteForceGuard, CallManager, Metrics, Registrar } from "@hotline/switch";
import type { HotlineConfig } from "./config/index.js";
import type { SipCore } from "./sip-core.js";
import type { SqliteStore } from "./store/sqlite-store.js";

export interface ReportContext {
  config: HotlineConfig;
  startedAt: number;
  version: string;
  registrar: Registrar;
  guard: BruteForceGuard;
  store: SqliteStore;
  transports: TransportManager;
  core: SipCore;
  bound: BoundAddress[];
}

export function statusReport(ctx: ReportContext, now: number): Record<string, unknown> {
  return {
    running: true,
    version: ctx.version,
    node: ctx.config.node.id,
    domain: ctx.config.sip.domain,
    uptimeSeconds: Math.round((now - ctx.startedAt) / 1000),
    listening: ctx.bound.map((b) => `${b.transport}:${b.address}:${b.port}`),
    registrations: ctx.registrar.all(now).length,
    transactions: { client: ctx.core.transactions.clientCount, server: ctx.core.transactions.serverCount },
    blockedSources: ctx.guard.blocked(now).map((b) => ({ ip: b.ip, until: new Date(b.until).toISOString(), failures: b.failures })),
    memoryRssBytes: process.memoryUsage().rss,
    heapUsedBytes: process.memoryUsage().heapUsed,
  };
}

export function registrationsReport(registrar: Registrar, now: number): Record<string, unknown> {
  return {
    registrations: registrar.all(now).map((b) => ({
      aor: b.aor,
      contact: b.contact,
      source: b.source,
      expiresAt: b.expiresAt,
      expiresInSeconds: Math.max(0, Math.round((b.expiresAt - now) / 1000)),
      q: b.q,
      userAgent: b.userAgent,
      reachable: b.reachable,
      keepaliveFailures: b.failures,
      callId: b.callId,
      cseq: b.cseq,
      instanceId: b.instanceId,
      regId: b.regId,
      updatedAt: b.updatedAt,
    })),
  };
}

/** Event-loop stalls are what overflow the UDP receive buffer: measure them. */
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();

export function registerGauges(metrics: Metrics, ctx: ReportContext): void {
  metrics.describe("sip_bad_message_total", "counter", "Malformed or insane SIP input, answered statelessly or dropped, by reason");
  metrics.describe("auth_blocked_drops_total", "counter", "Requests silently dropped because their source is blocked");
  metrics.onCollect(() => {
    const now = Date.now();
    metrics.set("registrar_bindings", ctx.registrar.all(now).length);
    metrics.set("auth_blocked_sources", ctx.guard.blocked(now).length);
    metrics.set("sip_transactions", ctx.core.transactions.clientCount, { side: "client" });
    metrics.set("sip_transactions", ctx.core.transactions.serverCount, { side: "server" });
    const c = ctx.core.transactions.counters;
    for (const [k, v] of Object.entries(c)) metrics.set("sip_transaction_events", v, { event: k });
    const s = ctx.store.stats;
    for (const [k, v] of Object.entries(s)) metrics.set("store_group_commit", v, { stat: k });
    const t = ctx.transports.metrics();
    for (const [kind, counters] of Object.entries(t.transports)) {
      if (counters === undefined) continue;
      for (const [name, v] of Object.entries(counters)) {
        if (typeof v === "number") metrics.set(`sip_transport_${name}`, v, { transport: kind });
        else for (const [reason, n] of Object.entries(v as Record<string, number>)) metrics.set("sip_transport_drops", n, { transport: kind, reason });
      }
    }
    metrics.set("process_resident_memory_bytes", process.memoryUsage().rss);
    metrics.set("nodejs_eventloop_delay_seconds", loopDelay.percentile(50) / 1e9, { quantile: "0.5" });
    metrics.set("nodejs_eventloop_delay_seconds", loopDelay.percentile(99) / 1e9, { quantile: "0.99" });
    metrics.set("nodejs_eventloop_delay_seconds", loopDelay.max / 1e9, { quantile: "1" });
  });
}

/** Calls in progress: parties, state, routing trace, and per-leg RTP counters (GET /api/calls). */
export async function callsReport(manager: CallManager, now: number): Promise<Record<string, unknown>> {
  const media = manager.deps.media;
  const calls = await Promise.all(
    [...manager.calls.values()].map(async (c) => ({
      id: c.id,
      state: c.state,
      direction: c.direction,
      caller: c.caller,
      dialed: c.dialed,
      answeredBy: c.answeredBy,
      /** Who the served party talks to now (differs from answeredBy after a transfer). */
      connectedTo: c.b?.party ?? null,
      trunk: c.trunk,
      priority: c.priority,
      ageSeconds: Math.round((now - c.startedAt) / 1000),
      talkSeconds: c.answeredAt === null ? 0 : Math.round((now - c.answeredAt) / 1000),
      parkedSlot: c.parkedSlot,
      trace: c.trace,
      legs: await Promise.all(
        c.legs.map(async (l) => ({
          id: l.id,
          role: l.role,
          party: l.party,
          /** A leg that has hung up (a transferor) while its call goes on. */
          ended: l.ended,
          codec: l.mediaConfig?.codec ?? null,
          onHold: l.remoteHold,
          rtpPort: l.endpoint?.rtpPort ?? null,
          media: l.endpoint === null ? null : await media.stats(l.endpoint.id).catch(() => null),
        })),
      ),
    })),
  );
  return { calls };
}
