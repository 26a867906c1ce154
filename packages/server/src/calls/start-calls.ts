// Wires the B2BUA: the media engine (RTP sockets), the call manager with its SIP port
// (the SipCore), the dial plan, the clock, and the CDR recorder. Also closes calls a crash
// left open (recoverInterruptedCalls) before the first new call.
import { fileURLToPath } from "node:url";
import { MediaEngine } from "@hotline/media/node";
import { BRANCH_MAGIC_COOKIE, type TransportKind } from "@hotline/sip";
import {
  CALL_METHODS,
  CallManager,
  recoverInterruptedCalls,
  StoreCallRecorder,
  type BruteForceGuard,
  type DialPlan,
  type DigestAuthenticator,
  type Metrics,
  type Registrar,
  type SipPort,
  type Store,
} from "@hotline/switch";
import type { Logger } from "pino";
import type { RandomPool } from "../random-pool.js";
import type { SipCore } from "../sip-core.js";
import { nodeScheduler } from "./node-scheduler.js";
import { loadQueueDay, registerQueueGauges } from "./queue-live.js";
import { ConfigRoutingPort } from "./routing-port.js";
import { TrunkRegistrations } from "./trunk-registrations.js";

/** The prompts shipped with hotline (assets/prompts at the repository root; same depth from src/ and dist/). */
const BUNDLED_PROMPTS = fileURLToPath(new URL("../../../../assets/prompts", import.meta.url));

export interface CallsDeps {
  plan: DialPlan;
  domain: string;
  nodeId: string;
  store: Store;
  registrar: Registrar;
  authenticator: DigestAuthenticator;
  guard: BruteForceGuard;
  metrics: Metrics;
  core: SipCore;
  random: RandomPool;
  sentBy: (transport: TransportKind) => string | null;
  /** Where RTP sockets bind, and the address written into SDP. */
  mediaBind: string;
  mediaAddress: string;
  log: Logger;
}

export interface RunningCalls {
  manager: CallManager;
  engine: MediaEngine;
  routing: ConfigRoutingPort;
  recorder: StoreCallRecorder;
  trunks: TrunkRegistrations;
  /** Reloads the known extensions (users) the router recognises. */
  refreshUsers(): Promise<void>;
  close(): Promise<void>;
}

export async function startCalls(d: CallsDeps): Promise<RunningCalls> {
  const log = d.log.child({ component: "calls" });
  const now = Date.now();
  const interrupted = await recoverInterruptedCalls(d.store, d.nodeId, now);
  if (interrupted > 0) log.warn({ interrupted }, "closed calls left open by a previous run (CDR disposition 'interrupted')");
  const users = new Set<string>();
  const refreshUsers = async (): Promise<void> => {
    const list = await d.store.users.list();
    users.clear();
    for (const u of list) users.add(u.username);
  };
  await refreshUsers();
  const routing = new ConfigRoutingPort(d.plan, d.store, users);
  await routing.load();
  const media = d.plan.calls.media;
  const engine = await MediaEngine.start({
    bindAddress: d.mediaBind,
    portMin: media.portMin,
    portMax: media.portMax,
    workers: media.workers,
    tonePlan: media.tonePlan,
    mohFile: media.musicOnHold,
    portReuseMs: media.portReuseSeconds * 1000,
  });
  const scheduler = nodeScheduler((err) => log.error({ err }, "call timer failed"));
  const recorder = new StoreCallRecorder(d.store, d.nodeId, d.metrics, () => Date.now(), log);
  const sip: SipPort = {
    respond: (txId, response) => d.core.respondTo(txId, response),
    sendRequest: (request, destination, handler) => d.core.sendRequest(request, destination, handler),
    sendStateless: (message, destination) => d.core.sendStateless(message, destination),
    inviteTransactionFor: (cancel) => d.core.transactions.findInviteServerTransactionForCancel(cancel)?.id ?? null,
    sentBy: d.sentBy,
    newBranch: () => BRANCH_MAGIC_COOKIE + d.random.hex(10),
    newToken: () => d.random.hex(6),
  };
  const c = d.plan.calls;
  const manager = new CallManager({
    sip,
    media: engine,
    scheduler,
    registrar: d.registrar,
    authenticator: d.authenticator,
    guard: d.guard,
    users: (u) => d.store.users.get(u),
    routing,
    recorder,
    metrics: d.metrics,
    options: {
      domain: d.domain,
      nodeId: d.nodeId,
      authenticateInvites: c.authenticateInvites,
      ringSeconds: c.ringSeconds,
      maxCallSeconds: c.maxCallSeconds > 0 ? c.maxCallSeconds : 365 * 24 * 3600,
      sessionExpires: c.sessionTimers.sessionExpires,
      minSE: c.sessionTimers.minSE,
      promptsDir: c.promptsDir ?? BUNDLED_PROMPTS,
    },
    mediaAddress: d.mediaAddress,
    random: () => uniform(d.random.bytes(4)),
    log,
  });
  // ACD agents come back with the status they had (a restart is not a logout).
  manager.queues.onStatus = (agent, status) => {
    const record = { agent, status: status.kind, reason: status.kind === "on-break" ? status.reason : null, updatedAt: Date.now() };
    d.store.agentStatus.put(record).catch((err: unknown) => log.error({ err, agent }, "agent status write failed"));
  };
  // Today's queue figures survive a restart: recomputed from the journal before agents come back.
  const day = await loadQueueDay(manager, d.store.journal, d.plan, Date.now());
  if (day.events > 0) log.info({ events: day.events, since: new Date(day.since).toISOString() }, "queue figures recomputed from the journal");
  manager.queues.restore(await d.store.agentStatus.list());
  // Callbacks promised before a restart re-join their queues in their place (issue 4).
  manager.queues.onCallback = (callId, record) => {
    const write = record === null ? d.store.queueCallbacks.remove(callId) : d.store.queueCallbacks.put(record);
    write.catch((err: unknown) => log.error({ err, callId }, "queue callback write failed"));
  };
  manager.queues.restoreCallbacks(await d.store.queueCallbacks.list());
  const methods = new Set<string>(CALL_METHODS);
  d.core.deps.calls = { methods, onRequest: (tx, req, src) => manager.onRequest(tx, req, src), onAck: (req) => manager.onAck(req) };
  // The engine's drop and error counters live in its threads: fetched every 5 s, shown as
  // media_engine_events{kind} (monotonic, e.g. kind="cross-worker-bridge", "unknown-id").
  let engineCounters: Record<string, number> = {};
  const pollCounters = (): void => {
    engine.counters().then((c) => (engineCounters = c)).catch(() => undefined);
  };
  pollCounters();
  const counterPoll = setInterval(pollCounters, 5000);
  d.metrics.onCollect(() => {
    d.metrics.set("calls_active", manager.activeCalls);
    d.metrics.set("media_endpoints", engine.endpointCount);
    for (const [kind, v] of Object.entries(engineCounters)) d.metrics.set("media_engine_events", v, { kind });
  });
  registerQueueGauges(d.metrics, manager, () => Date.now());
  const trunks = new TrunkRegistrations(d.plan, d.core, (t) => d.sentBy(t), d.random, d.metrics, log);
  trunks.start();
  const userRefresh = setInterval(() => void refreshUsers().catch((err: unknown) => log.warn({ err }, "user list refresh failed")), 5000);
  return {
    manager,
    engine,
    routing,
    recorder,
    trunks,
    refreshUsers,
    async close() {
      clearInterval(userRefresh);
      clearInterval(counterPoll);
      trunks.stop();
      // No new queue offers from here on: ending an agent's call would otherwise offer the next caller.
      manager.queues.drain();
      // Until none is left (a leg started just before the drain may still add its call), bounded.
      for (let round = 0; round < 10 && manager.calls.size > 0; round++) {
        for (const call of [...manager.calls.values()]) await manager.endCall(call, "system", 41, "Switch shutting down");
        if (manager.calls.size > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      }
      // After the calls ended (which still feed the queues): no registration poll or queue timer re-arms.
      manager.queues.stop();
      await recorder.drain();
      await engine.close();
    },
  };
}

/** A uniform number in [0, 1) from 4 random bytes. */
function uniform(b: Uint8Array): number {
  const u32 = (((b[0] ?? 0) << 24) | ((b[1] ?? 0) << 16) | ((b[2] ?? 0) << 8) | (b[3] ?? 0)) >>> 0;
  return u32 / 4294967296;
}
