// Composition root: opens the store, provisions users, builds the switch, opens the SIP
// sockets and the HTTP endpoint, and runs the timers. The only place that reads the
// clock for the switch and owns sockets (ARCHITECTURE.md).
import { chmodSync, mkdirSync, statSync } from "node:fs";
import { networkInterfaces } from "node:os";
import type { Server } from "node:http";
import { pino, type Logger } from "pino";
import { TcpTransport, TlsTransport, TransportManager, UdpTransport, WsTransport, type BoundAddress, type SipTransport } from "@hotline/sip/node";
import { BruteForceGuard, DigestAuthenticator, Metrics, Registrar, SipService } from "@hotline/switch";
import type { HotlineConfig, ListenConfig } from "./config/index.js";
import { startHttpApi } from "./http-api.js";
import { startCalls, type RunningCalls } from "./calls/start-calls.js";
import { liveFigures } from "./calls/queue-live.js";
import { EventHub } from "./http/events-routes.js";
import { dialPlanOf } from "./config/to-dial-plan.js";
import { Keepalive } from "./keepalive.js";
import { loadOrCreateSecret, provisionConfigUsers, provisionDemo, type DemoCredential } from "./provision.js";
import { RandomPool } from "./random-pool.js";
import { SipCore } from "./sip-core.js";
import { openSqliteStore } from "./store/sqlite-store.js";
import { statusReport, registrationsReport, registerGauges, callsReport } from "./reports.js";

export const VERSION = "0.1.0";

export interface RunningServer {
  bound: BoundAddress[];
  httpPort: number;
  demo: DemoCredential[];
  close(): Promise<void>;
}

export async function startServer(config: HotlineConfig, log: Logger = createLogger(config)): Promise<RunningServer> {
  const startedAt = Date.now();
  if (prepareDataDir(config.dataDir).tightened) log.warn({ dataDir: config.dataDir }, "data folder was readable by others; set to 0700");
  const store = await openSqliteStore(config.dataDir, {
    checkpointWorker: { intervalMs: 1000, onError: (message) => log.warn({ message }, "WAL checkpoint failed") },
  });
  const secret = loadOrCreateSecret(config.dataDir);
  await provisionConfigUsers(store, config, startedAt);
  const demo = await provisionDemo(store, config, startedAt);

  const random = new RandomPool();
  const r = config.registrar;
  const registrar = new Registrar({ domain: config.sip.domain, minExpires: r.minExpires, maxExpires: r.maxExpires, defaultExpires: r.defaultExpires, maxContactsPerAor: r.maxContactsPerAor }, store);
  const restored = await registrar.load(startedAt);
  const authenticator = new DigestAuthenticator({
    realm: config.sip.domain,
    algorithms: config.auth.algorithms,
    nonceTtlMs: config.auth.nonceTtlSeconds * 1000,
    secret,
    randomBytes: (n) => random.bytes(n),
  });
  const bf = config.auth.bruteForce;
  const guard = new BruteForceGuard({ maxFailures: bf.maxFailures, windowMs: bf.windowSeconds * 1000, blockMs: Math.max(1, bf.blockSeconds * 1000) });
  const metrics = new Metrics();
  const newTag = (): string => random.hex(6);
  const service = new SipService({ store, registrar, authenticator, guard, metrics, newTag, log: log.child({ component: "sip-service" }) });

  const transports = new TransportManager(config.sip.listen.map((l) => makeTransport(l, config, log)));
  const core = new SipCore({ transports, service, metrics, newTag, maxServerTransactions: config.sip.limits.maxServerTransactions, log: log.child({ component: "sip" }), isBlocked: (ip, now) => bf.blockSeconds > 0 && guard.isBlocked(ip, now) });
  const bound = await transports.listen();
  const sentBy = (t: string): string | null => {
    const b = bound.find((x) => x.transport === t);
    return b === undefined ? null : `${advertisedHost(b.address)}:${b.port}`;
  };
  const keepalive = new Keepalive(r.keepalive, { core, registrar, transports, metrics, domain: config.sip.domain, sentBy });
  keepalive.start();
  const udp = bound.find((b) => b.transport === "udp") ?? bound[0];
  const mediaBind = udp === undefined ? "0.0.0.0" : udp.address;
  const plan = dialPlanOf(config);
  let calls: RunningCalls;
  try {
    calls = await startCalls({
      plan,
      domain: config.sip.domain,
      nodeId: config.node.id,
      store,
      registrar,
      authenticator,
      guard,
      metrics,
      core,
      random,
      sentBy: (t) => sentBy(t),
      mediaBind,
      mediaAddress: plan.calls.media.address ?? advertisedHost(mediaBind).replace(/^\[|\]$/g, ""),
      log,
    });
  } catch (err) {
    keepalive.stop();
    core.close();
    await transports.close();
    await store.close();
    throw err;
  }

  const expiry = setInterval(() => {
    registrar.expire(Date.now()).catch((err: unknown) => log.error({ err }, "binding expiry failed"));
  }, 5000);
  const ctx = { config, startedAt, registrar, guard, store, transports, core, bound, version: VERSION };
  registerGauges(metrics, ctx);
  const events = new EventHub(liveFigures(calls.manager), { now: () => Date.now(), count: (name, labels) => metrics.inc(name, labels) });
  calls.manager.queues.onFigure = (e) => events.publish(e);
  calls.manager.queues.onRefresh = (r) => events.refresh(r);
  let http: Server;
  try {
    http = await startHttpApi(config.http.host, config.http.port, {
      status: () => ({ ...statusReport(ctx, Date.now()), calls: calls.manager.activeCalls, trunks: calls.trunks.report() }),
      registrations: () => registrationsReport(registrar, Date.now()),
      metrics: () => metrics.render(),
      calls: () => callsReport(calls.manager, Date.now()),
      queues: {
        report: () => calls.manager.queues.report(Date.now()),
        isAgent: (agent) => calls.manager.queues.isAgent(agent),
        agentAction: (agent, action, reason) => calls.manager.queues.agentAction(agent, action, reason),
        queue: (q) => calls.manager.queues.queueReport(q, Date.now()),
        agents: () => ({ agents: calls.manager.queues.report(Date.now()).agents }),
        journal: (type, data) => calls.manager.deps.recorder.note(type, data),
      },
      events,
      supervisor: {
        realm: config.sip.domain,
        // Wrong Basic passwords count in the SIP guard (auth.bruteForce); blockSeconds 0 turns blocking off there too.
        guard: {
          failures: {
            isBlocked: (k, now) => bf.blockSeconds > 0 && guard.isBlocked(k, now),
            recordFailure: (k, now) => guard.recordFailure(k, now),
            recordSuccess: (k, now) => guard.recordSuccess(k, now),
          },
          now: () => Date.now(),
          onBlocked: (key) => log.warn({ source: key }, "http supervisor login blocked after repeated wrong passwords"),
        },
        user: (u) => store.users.get(u),
        monitor: (actor, agent, mode) => calls.manager.supervision.monitor(actor, agent, mode),
        takeOver: (actor, agent) => calls.manager.supervision.takeOverByApi(actor, agent),
        hangup: (actor, agent) => calls.manager.supervision.hangup(actor, agent),
        forceStatus: (actor, agent, action) => calls.manager.supervision.forceStatus(actor, agent, action),
      },
      records: {
        store,
        now: () => Date.now(),
        onExtensionSettingsChanged: (x) =>
          calls.routing.setOverride(x.extension, { dnd: x.dnd, callWaiting: x.callWaiting, forwardAlways: x.forwardAlways, forwardBusy: x.forwardBusy, forwardNoAnswer: x.forwardNoAnswer }),
      },
    }, log.child({ component: "http" }));
  } catch (err) {
    events.close();
    await calls.close();
    await transports.close();
    await store.close();
    throw err;
  }
  log.info({ listening: bound, http: `${config.http.host}:${config.http.port}`, restoredBindings: restored, domain: config.sip.domain }, "hotline started");

  let closed = false;
  return {
    bound,
    httpPort: config.http.port,
    demo,
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(expiry);
      keepalive.stop();
      await calls.close();
      // Open event streams would hold http.close() forever.
      events.close();
      core.close();
      await new Promise<void>((res) => http.close(() => res()));
      await transports.close();
      await store.close();
      log.info("hotline stopped");
    },
  };
}

/**
 * Creates the data folder readable by our user only: it holds password digests (HA1 is
 * password-equivalent for digest auth) and the nonce secret. An existing folder that others
 * can read is tightened, with a warning in the log by the caller's logger.
 */
export function prepareDataDir(dir: string): { tightened: boolean } {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const mode = statSync(dir).mode & 0o777;
  if ((mode & 0o077) === 0) return { tightened: false };
  chmodSync(dir, mode & 0o700);
  return { tightened: true };
}

function makeTransport(l: ListenConfig, config: HotlineConfig, log: Logger): SipTransport {
  const limits = config.sip.limits;
  const tlog = log.child({ component: "transport", transport: l.transport });
  const base = { address: l.host, port: l.port, maxMessageSize: limits.maxMessageBytes, log: { warn: (o: Record<string, unknown>, m: string) => tlog.warn(o, m) } };
  const conn = { ...base, maxConnectionsPerIp: limits.maxConnectionsPerIp, idleTimeoutMs: limits.idleConnectionSeconds * 1000 };
  switch (l.transport) {
    case "udp":
      return new UdpTransport({ ...base, receiveBufferBytes: limits.udpReceiveBufferBytes });
    case "tcp":
      return new TcpTransport(conn);
    case "tls":
      return new TlsTransport({ ...conn, tls: { certPath: l.cert!, keyPath: l.key! } });
    case "ws":
      return new WsTransport(conn);
    case "wss":
      return new WsTransport({ ...conn, tls: { certPath: l.cert!, keyPath: l.key! } });
  }
}

/** The address we put in our own Via: the bound one, or the first external IPv4 for a wildcard. */
function advertisedHost(address: string): string {
  if (address !== "0.0.0.0" && address !== "::") return address.includes(":") ? `[${address}]` : address;
  for (const list of Object.values(networkInterfaces())) {
    for (const i of list ?? []) if (i.family === "IPv4" && !i.internal) return i.address;
  }
  return "127.0.0.1";
}

export function createLogger(config: HotlineConfig): Logger {
  return pino({ level: config.log.level, base: { node: config.node.id } });
}
