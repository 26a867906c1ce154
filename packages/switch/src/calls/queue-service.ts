/**
 * Carries out the ACD's decisions (ARCHITECTURE.md "How a call flows", step 5): a call routed
 * to a queue joins the `AcdEngine`; while it waits the caller is answered and hears music on
 * hold; an offer rings the chosen agents' registered contacts; the first answer is bridged;
 * failures, the caller leaving and the end of an agent's call go back to the engine. The
 * engine decides who and when; this file only feeds it inputs (including whether each agent's
 * phone is registered) and acts on its actions.
 *
 * QueueService is the coordinator: it owns the bookkeeping (QueueContext, queue-context.ts), feeds
 * the engine and dispatches its actions to plain functions by concern — offers to agents
 * (queue-offers.ts), overflow and refusal (queue-overflow.ts), callback entries
 * (queue-callback-entries.ts; their dialling and the announcements are queue-callbacks.ts),
 * agents' registration and in-use state (queue-agent-sync.ts), reports (queue-reports.ts) over
 * the day's figures (queue-figures.ts), and the engine's configuration (queue-config.ts).
 */
import { AcdEngine, type AcdAction, type AcdInput, type AgentStatus } from "@hotline/acd";
import type { AgentStatusRecord, QueueCallbackRecord } from "../store.js";
import type { QueueEntry } from "../routing/index.js";
import type { Call } from "./call.js";
import type { CallManager } from "./call-manager.js";
import type { Leg } from "./leg.js";
import { InboundLeg } from "./inbound-leg.js";
import type { CancelTimer, MediaEvent } from "./ports.js";
import { QueueAnnouncer, type CallbackEntry } from "./queue-callbacks.js";
import type { FigureEvent } from "./queue-figures.js";
import { acdConfig } from "./queue-config.js";
import type { Offer, QueueContext, QueueJoin } from "./queue-context.js";
import { QueueReports, type AgentReport, type QueueRefresh, type QueueReport } from "./queue-reports.js";
import { AgentSync } from "./queue-agent-sync.js";
import { cancelOffer, offerCall, releaseAgent, withdrawOffer } from "./queue-offers.js";
import { overflowCall, refuseCall, rejoinLoops } from "./queue-overflow.js";
import { callbackCallEnded, callbackDigit, callbackHost, callbackQueued, cancelCallbackOffer, mergeCallback, offerCallback, rejoinCallback, restoreCallbacks, resumeDeferred } from "./queue-callback-entries.js";

export { acdConfig } from "./queue-config.js";
export type { AgentReport, QueueRefresh, QueueReport } from "./queue-reports.js";

export const AGENT_ACTIONS = ["agent-login", "agent-logout", "agent-break", "agent-available"] as const;
export type AgentAction = (typeof AGENT_ACTIONS)[number];

export class QueueService {
  readonly engine: AcdEngine;
  private readonly members: readonly string[];
  /** Calls the engine knows, by call id (the engine's call id is hotline's). */
  private readonly waiting = new Map<string, Call>();
  private readonly offers = new Map<string, Offer>();
  /** The agent each connected queue call is with (for call-ended → wrap-up). */
  private readonly agentOf = new Map<Call, string>();
  private timer: CancelTimer | null = null;
  private timerAt = Infinity;
  private stopped = false;
  /** Shutting down (drain): no new offers or dials. */
  private draining = false;
  /** Told of every change of an agent's operator status (the server stores it: it survives restarts). */
  onStatus: ((agent: string, status: AgentStatus) => void) | null = null;
  private readonly lastStatus = new Map<string, string>();
  /** When each queued call joined, and which queue; when and by whom answered (wait and handle times). */
  private readonly joined = new Map<string, QueueJoin>();
  /** Callback entries by call id (issue 4); the server stores them through onCallback. */
  private readonly callbacks = new Map<string, CallbackEntry>();
  /** Told to store (record) or delete (null) a callback: a promised call survives a restart. */
  onCallback: ((callId: string, record: QueueCallbackRecord | null) => void) | null = null;
  private readonly announcer: QueueAnnouncer;
  /** The queues each unanswered call has joined, in order (overflow chains; QueueContext.visited). */
  private readonly visited = new Map<string, string[]>();
  private cbSeq = 0;
  /** Callback entries deferred because their number is in a call (journaled once per busy spell). */
  private readonly deferred = new Set<string>();
  /** Told of every counted queue/agent event after it is applied (the server pushes them as SSE). */
  onFigure: ((e: FigureEvent) => void) | null = null;
  /**
   * Told when a queue's or an agent's report changed without a counted (journaled) event: an
   * agent's phone registered or unregistered, it went in or out of use, a callback was deferred
   * or re-joined its queue, the day's figures started again at midnight (the SSE push).
   */
  onRefresh: ((r: QueueRefresh) => void) | null = null;
  /** The day's figures and the reports over them. */
  private readonly reports: QueueReports;
  /** The bookkeeping and hooks the helper files act on. */
  private readonly ctx: QueueContext;
  /** Agents' registration and in-use state, as told to the engine. */
  private readonly agents: AgentSync;

  constructor(
    private readonly m: CallManager,
    private readonly queueEntries: Readonly<Record<string, QueueEntry>>,
    random: () => number,
  ) {
    const queues = queueEntries;
    const config = acdConfig(queues, m.deps.routing.agents ?? {});
    this.members = config.agents.map((a) => a.id);
    this.engine = new AcdEngine(config, random);
    const core: Omit<QueueContext, "announcer"> = {
      m,
      engine: this.engine,
      queueEntries,
      waiting: this.waiting,
      offers: this.offers,
      agentOf: this.agentOf,
      joined: this.joined,
      visited: this.visited,
      callbacks: this.callbacks,
      deferred: this.deferred,
      feed: (input) => this.feed(input),
      run: (actions) => this.run(actions),
      fig: (e, call, extra) => this.fig(e, call, extra),
      refresh: (r) => this.refresh(r),
      estimate: (q, p) => this.estimate(q, p),
      store: (e, callId) => this.store(e, callId),
      unreachable: (agent) => this.agents.unreachable(agent),
      nextCallbackSeq: () => this.cbSeq++,
    };
    // The announcer reads positions through the callback host, which needs no announcer.
    this.announcer = new QueueAnnouncer(m, callbackHost(core));
    this.ctx = { ...core, announcer: this.announcer };
    this.agents = new AgentSync(this.ctx, this.members);
    this.reports = new QueueReports(m, this.engine, queues, { figure: (e) => this.onFigure?.(e), refresh: (r) => this.refresh(r), isCallback: (id) => this.callbacks.has(id) });
    if (this.members.length > 0) this.agents.poll();
    this.reports.armDay();
    // A transferor leaving a queue call is the agent's call ending (transfer.ts → CallManager.legLeft).
    m.onLegLeft((call, leg) => this.onLegLeft(call, leg));
  }

  /**
   * At shutdown, before the calls are ended: no new offer or callback dial starts from now on
   * (ending an agent's call frees the agent, and the engine would offer the next caller — an
   * INVITE nobody would ever cancel); callbacks still ringing their agents are withdrawn (they
   * keep their stored place for the next start); new calls into a queue get 503.
   */
  drain(): void {
    this.draining = true;
    for (const e of this.callbacks.values()) for (const attempt of e.run?.agentAttempts.values() ?? []) attempt.abort(41, "Switch shutting down");
  }

  /** At shutdown: no more registration polls or engine timers. */
  stop(): void {
    this.stopped = true;
    this.agents.stop();
    this.timer?.();
    this.timer = null;
    this.timerAt = Infinity;
    this.reports.stop();
  }

  /** A call routed to queue `number`: join, then answer the caller with music while it waits. */
  enqueue(call: Call, number: string): void {
    // RFC 3261 §21.5.4: 503 while shutting down (RFC 3398: cause 41, temporary failure).
    if (this.draining) return this.m.failCall(call, 503, 41, "Switch shutting down");
    // Queued again (a transfer or overflow into a queue): whoever had it is free now.
    const previous = this.agentOf.get(call);
    if (previous !== undefined) releaseAgent(this.ctx, call, previous, { why: "requeued" });
    this.agents.syncRegistrations();
    if (rejoinLoops(this.ctx, call, number)) return;
    this.visited.set(call.id, [...(this.visited.get(call.id) ?? []), number]);
    this.waiting.set(call.id, call);
    this.joined.set(call.id, { queue: number, at: this.m.deps.scheduler.now(), answeredAt: null, agent: null });
    call.state = "queued";
    call.trace.push(`queue ${number}`);
    this.fig({ type: "joined", at: this.m.deps.scheduler.now(), queue: number, callId: call.id, priority: call.priority.level }, call);
    // A caller with a pending callback for this queue who calls in again: one entry, not two.
    // The new call keeps the better place of the two (the earlier join, the higher priority);
    // the callback entry is dropped (journal: queue.callback-merged) — but only once the engine
    // keeps the new call: a call refused or overflowed at join leaves the promise standing.
    const merged = [...this.callbacks.values()].find((e) => e.queue === number && e.number === call.caller && e.run === null);
    let place: { joinedAt?: number; priority: number } = { priority: call.priority.level };
    if (merged !== undefined) {
      // Out of the engine while the new call joins in its place (not counted twice towards maxLength).
      this.run(this.engine.handle({ type: "call-left", callId: merged.callId }, this.m.deps.scheduler.now()));
      place = { joinedAt: Math.min(merged.joinedAt, this.m.deps.scheduler.now()), priority: Math.max(merged.priority, call.priority.level) };
    }
    // Answer first only when the engine keeps the call (a refusal is answered 486/480 instead,
    // an overflow at join — no agent logged in — is routed on unanswered).
    const actions = this.engine.handle({ type: "call-joined", queue: number, call: { id: call.id, caller: call.caller, ...place } }, this.m.deps.scheduler.now());
    const sentAway = actions.some((a) => (a.type === "call-refused" || a.type === "call-overflow") && a.callId === call.id);
    if (merged !== undefined) {
      if (sentAway) rejoinCallback(this.ctx, merged, merged.notBefore, false);
      else mergeCallback(this.ctx, call, merged);
    }
    if (!sentAway && this.waiting.has(call.id)) {
      this.answerWithMusic(call);
      this.announcer.start(call, number, this.queueEntries[number]);
    }
    this.run(actions);
  }

  /** Feature codes *60–*63 (and later the console): the agent's own status. */
  agentAction(agent: string, action: AgentAction, reason = "break"): boolean {
    if (!this.members.includes(agent)) return false;
    this.agents.syncRegistrations();
    const input: AcdInput =
      action === "agent-login"
        ? { type: "agent-login", agent }
        : action === "agent-logout"
          ? { type: "agent-logout", agent }
          : action === "agent-break"
            ? { type: "agent-break", agent, reason }
            : { type: "agent-available", agent };
    this.feed(input);
    return true;
  }

  /** Brings agents back to the status stored before a restart (logged-out ones stay out). */
  restore(records: readonly AgentStatusRecord[]): void {
    this.agents.syncRegistrations();
    for (const r of records) {
      if (!this.members.includes(r.agent) || r.status === "logged-out") continue;
      this.feed({ type: "agent-login", agent: r.agent });
      if (r.status === "on-break") this.feed({ type: "agent-break", agent: r.agent, reason: r.reason ?? "break" });
    }
  }

  /** Live figures per queue and each member agent's status, state and day figures (GET /api/queues). */
  report(now: number): { queues: QueueReport[]; agents: AgentReport[] } {
    return this.reports.report(now);
  }

  /**
   * One queue: the engine's live counts (kept for compatibility: offering, oldestJoinedAt,
   * joined — since this process started) overlaid with the day's figures (queue-reports.ts).
   */
  queueReport(queue: string, now: number): QueueReport | undefined {
    return this.reports.queueReport(queue, now);
  }

  agentReport(agent: string, now: number): AgentReport | undefined {
    return this.reports.agentReport(agent, now);
  }

  /** The queues `agent` is a member of (the SSE filter). */
  queuesOf(agent: string): readonly string[] {
    return this.reports.queuesOf(agent);
  }

  /**
   * At start, before restore: today's figures recomputed from the journal events since
   * `dayStart(now)` (oldest first), in the hotline's time zone.
   */
  loadDay(events: readonly { at: number; type: string; callId: string | null; data: Record<string, unknown> }[], dayStart: (now: number) => number): void {
    this.reports.loadDay(events, dayStart);
  }

  private refresh(r: QueueRefresh): void {
    try {
      this.onRefresh?.(r);
    } catch (err) {
      // A listener's bug (the SSE push) must not break call control.
      this.m.deps.log.error({ err, refresh: r.kind }, "queue refresh listener failed");
    }
  }

  private fig(e: FigureEvent, call?: Call, extra: Record<string, unknown> = {}): void {
    this.reports.fig(e, call, extra);
  }

  /** Estimated wait in seconds for `position` (queue-reports.ts, from the day's handle time). */
  estimate(queue: string, position: number): number {
    return this.reports.estimate(queue, position);
  }

  /** Media events of queue callers: a prompt ended, or the callback digit. True when consumed. */
  onMediaEvent(e: MediaEvent): boolean {
    if (e.type === "play-done") return this.announcer.onPlayDone(e.id);
    if (e.type !== "dtmf") return false;
    return callbackDigit(this.ctx, e);
  }

  /** At start: callbacks stored before a restart re-join in their place. */
  restoreCallbacks(records: readonly QueueCallbackRecord[]): void {
    restoreCallbacks(this.ctx, records);
  }

  private store(e: CallbackEntry | null, callId: string): void {
    if (e === null) return this.onCallback?.(callId, null);
    const { run: _run, ...record } = e;
    this.onCallback?.(callId, record);
  }

  /** Whether `agent` is a member of any queue. */
  isAgent(agent: string): boolean {
    return this.members.includes(agent);
  }

  /**
   * The queue call (callbacks too) `agent` is connected to, and the queue it came from:
   * supervisors act per queue (supervision.ts), and an agent's direct calls are nobody's to monitor.
   */
  queueCallOf(agent: string): { call: Call; queue: string } | null {
    for (const [call, a] of this.agentOf) {
      const queue = this.joined.get(call.id)?.queue;
      if (a === agent && queue !== undefined && !call.isEnded()) return { call, queue };
    }
    return null;
  }

  /**
   * Supervisor take-over (supervision.ts): the agent left `call`, which goes on with `supervisor`;
   * the agent's call is over for the engine, and the agent's handle time ends now
   * (`queue.taken-over`): the rest of the call is the supervisor's, not the queue's handle time.
   */
  agentLeft(call: Call, supervisor: string): void {
    const agent = this.agentOf.get(call);
    if (agent !== undefined) releaseAgent(this.ctx, call, agent, { supervisor });
  }

  /** A leg left `call`, which goes on (a transfer): when it is the agent's, the agent is free. */
  private onLegLeft(call: Call, leg: Leg): void {
    const agent = this.agentOf.get(call);
    if (agent !== undefined && leg.party === agent) releaseAgent(this.ctx, call, agent, { why: "transferred" });
  }

  /** The call ended (either side hung up): the engine hears the caller left or the agent's call ended. */
  onCallEnded(call: Call): void {
    this.endedCall(call);
    // After the engine heard of this end (an agent freed first, so the callback can be offered to it).
    if (this.deferred.size > 0) resumeDeferred(this.ctx, call);
  }

  private endedCall(call: Call): void {
    this.visited.delete(call.id);
    callbackCallEnded(this.ctx, call);
    // play(null) stops a prompt without a play-done: forget what any of its legs was waiting for
    // (the caller's announcement, a citizen's callback greeting).
    for (const leg of call.legs) if (leg.endpoint !== null) this.announcer.forget(leg.endpoint.id);
    const j = this.joined.get(call.id);
    this.joined.delete(call.id);
    if (j !== undefined) {
      const now = this.m.deps.scheduler.now();
      if (j.answeredAt !== null) this.fig({ type: "ended", at: now, queue: j.queue, callId: call.id, agent: j.agent ?? "", handleMs: now - j.answeredAt }, call);
      else if (this.waiting.has(call.id)) this.fig({ type: "abandoned", at: now, queue: j.queue, callId: call.id, waitMs: now - j.at }, call);
    }
    const agent = this.agentOf.get(call);
    if (agent !== undefined) {
      this.agentOf.delete(call);
      this.feed({ type: "call-ended", agent });
      return;
    }
    if (!this.waiting.has(call.id)) return this.agents.syncInUse(); // a direct call ended: its agent may be free again
    this.waiting.delete(call.id);
    withdrawOffer(this.ctx, call.id);
    this.feed({ type: "call-left", callId: call.id });
  }

  private answerWithMusic(call: Call): void {
    const a = call.a;
    if (a instanceof InboundLeg && (a.state === "proceeding" || a.state === "early")) {
      const sdp = a.localSdp ?? (a.offer !== null ? this.m.mediaSession.answer(a, a.offer) : this.m.mediaSession.offer(a, null));
      if (sdp === null) return;
      a.answer(sdp);
      this.m.indexDialog(a);
    }
    if (a.endpoint !== null) this.m.deps.media.play(a.endpoint.id, { kind: "moh" });
  }

  private feed(input: AcdInput): void {
    this.agents.syncInUse();
    this.run(this.engine.handle(input, this.m.deps.scheduler.now()));
  }

  private run(actions: readonly AcdAction[]): void {
    for (const action of actions) {
      switch (action.type) {
        case "offer":
          // An input fed while this batch is carried out (a call ending, a callback re-joining)
          // can make a later action of it stale: only offers the engine still holds are made.
          if (!action.agents.every((agent) => this.engine.agents.get(agent)?.callId === action.callId)) break;
          if (this.draining) break;
          if (action.callback !== undefined) offerCallback(this.ctx, action.callId, action.agents, action.waitedMs);
          else offerCall(this.ctx, action.callId, action.agents, action.mode, action.waitedMs);
          break;
        case "callback-queued":
          callbackQueued(this.ctx, action);
          break;
        case "cancel-offer":
          // A callback still ringing its agents, or an ordinary call's offer: only the named agents stop.
          cancelCallbackOffer(this.ctx, action.callId, action.agents);
          cancelOffer(this.ctx, action.callId, action.agents);
          break;
        case "call-overflow":
          overflowCall(this.ctx, action);
          break;
        case "call-refused":
          refuseCall(this.ctx, action);
          break;
        case "agent-state-changed": {
          // Agent-state intervals for reports: every change of status or state, timestamped.
          this.fig({ type: "agent", at: this.m.deps.scheduler.now(), agent: action.agent, status: action.status, state: action.state });
          const key = action.status.kind === "on-break" ? `on-break:${action.status.reason}` : action.status.kind;
          if (this.lastStatus.get(action.agent) !== key) {
            this.lastStatus.set(action.agent, key);
            this.onStatus?.(action.agent, action.status);
          }
          break;
        }
        case "queue-stats":
          break;
      }
    }
    this.arm();
  }

  private arm(): void {
    if (this.stopped) return;
    const at = this.engine.nextDeadline();
    if (at === undefined || at >= this.timerAt) return;
    this.timer?.();
    this.timerAt = at;
    this.timer = this.m.deps.scheduler.after(Math.max(0, at - this.m.deps.scheduler.now()), () => {
      this.timer = null;
      this.timerAt = Infinity;
      this.feed({ type: "tick" });
    });
  }
}
