/**
 * Carries out the ACD's decisions (ARCHITECTURE.md "How a call flows", step 5): a call routed
 * to a queue joins the `AcdEngine`; while it waits the caller is answered and hears music on
 * hold; an offer rings the chosen agents' registered contacts; the first answer is bridged;
 * failures, the caller leaving and the end of an agent's call go back to the engine. The
 * engine decides who and when; this file only feeds it inputs (including whether each agent's
 * phone is registered) and acts on its actions.
 */
import { AcdEngine, isStrategyId, queueStats, type AcdAction, type AcdConfig, type AcdInput, type AgentConfig, type AgentStatus, type Membership, type OfferFailure, type QueueConfig, type QueueStats } from "@hotline/acd";
import { headerField } from "@hotline/sip";
import type { AgentStatusRecord } from "../store.js";
import { DEFAULT_QUEUE, type AgentEntry, type QueueEntry } from "../routing/index.js";
import type { Call } from "./call.js";
import type { CallManager } from "./call-manager.js";
import type { Leg } from "./leg.js";
import { DialAttempt } from "./dial-attempt.js";
import { InboundLeg } from "./inbound-leg.js";
import type { OutboundLeg } from "./outbound-leg.js";
import type { Supervision } from "./supervision.js";
import type { CancelTimer, MediaEvent } from "./ports.js";
import type { QueueCallbackRecord } from "../store.js";
import { QueueAnnouncer, callbackOf, canDialBack, estimatedWaitSeconds, startCallback, type CallbackEntry, type CallbackHost } from "./queue-callbacks.js";
import { phrase } from "@hotline/ivr";
import { DEFAULT_SERVICE_LEVEL_SECONDS, QueueFigures, fromJournal, localDayStart, toJournal, type AgentFigureSnapshot, type FigureEvent, type QueueFigureSnapshot } from "./queue-figures.js";

/**
 * Agents' registration is re-read this often, at a call's join, on agent actions, and for each
 * agent just before it is offered a call (a lapsed registration is then "unreachable", not a miss).
 */
const REGISTRATION_POLL_MS = 2000;

export const AGENT_ACTIONS = ["agent-login", "agent-logout", "agent-break", "agent-available"] as const;
export type AgentAction = (typeof AGENT_ACTIONS)[number];

/** GET /api/queues: the engine's counts overlaid with the day's figures (`averageHandleSeconds` = the older name of averageHandleTimeSeconds). */
export type QueueReport = QueueStats &
  QueueFigureSnapshot & {
    averageHandleSeconds: number | null;
    /** The waiting calls in service order (`waiting` is their count). */
    waitingCalls: { callId: string; caller: string; position: number; estimatedWaitSeconds: number; callback: boolean }[];
  };
/**
 * GET /api/queues and /api/agents, per agent: `registered` = the phone has a registered contact
 * (else never offered); `inUse` = the phone is in a call the queue did not give it (a direct or
 * outgoing call; queues without ringInUse skip the agent meanwhile).
 */
export type AgentReport = AgentFigureSnapshot & { registered: boolean; inUse: boolean; talkTimeMs: number; idleSeconds: number | null };

/** A report that changed without a counted event (QueueService.onRefresh). */
export type QueueRefresh = { kind: "queue"; queue: string } | { kind: "agent"; agent: string };

/** One dial attempt per offered agent: in ring-all, a cancel or a failure is that agent's alone. */
interface Offer {
  attempts: Map<string, DialAttempt>;
}

export class QueueService {
  readonly engine: AcdEngine;
  private readonly members: readonly string[];
  /** Calls the engine knows, by call id (the engine's call id is hotline's). */
  private readonly waiting = new Map<string, Call>();
  private readonly offers = new Map<string, Offer>();
  /** The agent each connected queue call is with (for call-ended → wrap-up). */
  private readonly agentOf = new Map<Call, string>();
  private readonly registered = new Map<string, boolean>();
  /** Agents the engine was told are in a non-queue call (ring-in-use). */
  private readonly inUse = new Map<string, boolean>();
  private timer: CancelTimer | null = null;
  private timerAt = Infinity;
  /** The registration poll's next run (cancelled by stop()). */
  private pollTimer: CancelTimer | null = null;
  private stopped = false;
  /** Shutting down (drain): no new offers or dials. */
  private draining = false;
  /** Told of every change of an agent's operator status (the server stores it: it survives restarts). */
  onStatus: ((agent: string, status: AgentStatus) => void) | null = null;
  private readonly lastStatus = new Map<string, string>();
  /** When each queued call joined, and which queue; when and by whom answered (wait and handle times). */
  private readonly joined = new Map<string, { queue: string; at: number; answeredAt: number | null; agent: string | null }>();
  /** The day's live figures (queue-figures.ts); rebuilt from the journal at start by loadDay. */
  private figures: QueueFigures;
  private readonly figuresConfig: Record<string, { serviceLevelSeconds: number; members: string[] }> = {};
  /** Callback entries by call id (issue 4); the server stores them through onCallback. */
  private readonly callbacks = new Map<string, CallbackEntry>();
  /** Told to store (record) or delete (null) a callback: a promised call survives a restart. */
  onCallback: ((callId: string, record: QueueCallbackRecord | null) => void) | null = null;
  private readonly announcer: QueueAnnouncer;
  /**
   * The queues each unanswered call has joined, in order (overflow chains): an overflow back to
   * one of them would loop (A ↔ B with maxWaitSeconds bounces forever; with joinWhenNoAgents
   * false it would recurse at once), so the caller gets the final treatment instead.
   */
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
  /** Start of the hotline's day containing a time (loadDay sets the hotline's time zone). */
  private dayStart: (now: number) => number = localDayStart(undefined);
  private dayTimer: CancelTimer | null = null;

  constructor(
    private readonly m: CallManager,
    private readonly queueEntries: Readonly<Record<string, QueueEntry>>,
    random: () => number,
  ) {
    const queues = queueEntries;
    this.announcer = new QueueAnnouncer(m, this.callbackHost());
    const config = acdConfig(queues, m.deps.routing.agents ?? {});
    this.members = config.agents.map((a) => a.id);
    this.engine = new AcdEngine(config, random);
    for (const [n, q] of Object.entries(queues)) this.figuresConfig[n] = { serviceLevelSeconds: q.serviceLevelSeconds ?? DEFAULT_SERVICE_LEVEL_SECONDS, members: Object.keys(q.members) };
    this.figures = new QueueFigures({ queues: this.figuresConfig, dayStart: localDayStart(undefined) }, m.deps.scheduler.now());
    if (this.members.length > 0) this.poll();
    this.armDay();
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
    this.pollTimer?.();
    this.pollTimer = null;
    this.timer?.();
    this.timer = null;
    this.timerAt = Infinity;
    this.dayTimer?.();
    this.dayTimer = null;
  }

  /** A call routed to queue `number`: join, then answer the caller with music while it waits. */
  enqueue(call: Call, number: string): void {
    // RFC 3261 §21.5.4: 503 while shutting down (RFC 3398: cause 41, temporary failure).
    if (this.draining) return this.m.failCall(call, 503, 41, "Switch shutting down");
    // Queued again (a transfer or overflow into a queue): whoever had it is free now.
    const previous = this.agentOf.get(call);
    if (previous !== undefined) this.releaseAgent(call, previous, "requeued");
    this.syncRegistrations();
    const path = this.visited.get(call.id) ?? [];
    if (path.includes(number)) {
      // Back in a queue this unanswered call already left by overflow, through some other
      // destination (a `numbers` entry): the same loop the overflow check stops (480/18).
      this.m.deps.recorder.event(call, "queue.overflow-loop", { queue: path.at(-1) ?? number, to: number, path });
      call.trace.push(`queue ${number}: overflow loop (${[...path, number].join(" → ")})`);
      if (call.a.endpoint !== null) this.m.deps.media.play(call.a.endpoint.id, null);
      return this.m.failCall(call, 480, 18, "Overflow loop");
    }
    this.visited.set(call.id, [...path, number]);
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
      if (sentAway) this.rejoinCallback(merged, merged.notBefore, false);
      else this.mergeCallback(call, merged);
    }
    if (!sentAway && this.waiting.has(call.id)) {
      this.answerWithMusic(call);
      this.announcer.start(call, number, this.queueEntries[number]);
    }
    this.run(actions);
  }

  /** The callback request `e` lives on in `call`, which joined in its place. */
  private mergeCallback(call: Call, e: CallbackEntry): void {
    this.callbacks.delete(e.callId);
    this.deferred.delete(e.callId);
    this.store(null, e.callId);
    // The new call waits since the request's join: its answer's wait (ASA, service level) counts from there.
    const j = this.joined.get(call.id);
    if (j !== undefined) j.at = Math.min(j.at, e.joinedAt);
    this.fig({ type: "callback-merged", at: this.m.deps.scheduler.now(), queue: e.queue, callId: e.callId, into: call.id }, call, { number: e.number, joinedAt: e.joinedAt });
  }

  /** Feature codes *60–*63 (and later the console): the agent's own status. */
  agentAction(agent: string, action: AgentAction, reason = "break"): boolean {
    if (!this.members.includes(agent)) return false;
    this.syncRegistrations();
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
    this.syncRegistrations();
    for (const r of records) {
      if (!this.members.includes(r.agent) || r.status === "logged-out") continue;
      this.feed({ type: "agent-login", agent: r.agent });
      if (r.status === "on-break") this.feed({ type: "agent-break", agent: r.agent, reason: r.reason ?? "break" });
    }
  }

  /** Live figures per queue and each member agent's status, state and day figures (GET /api/queues). */
  report(now: number): { queues: QueueReport[]; agents: AgentReport[] } {
    const queues = this.figures.queueIds.map((q) => this.queueReport(q, now)).filter((q) => q !== undefined);
    const agents = this.figures.agentIds.map((a) => this.agentReport(a, now)).filter((a) => a !== undefined);
    return { queues, agents };
  }

  /**
   * One queue: the engine's live counts (kept for compatibility: offering, oldestJoinedAt,
   * joined — since this process started) overlaid with the day's figures; `available` (it also
   * requires a registered phone), `waiting` and the oldest wait are the engine's.
   */
  queueReport(queue: string, now: number): QueueReport | undefined {
    const f = this.figures.queue(queue, now);
    if (f === undefined) return undefined;
    const live = queueStats(this.engine, queue);
    // Each waiting call in service order with its position and estimated wait (what it is told).
    const waiting = this.engine.waitingCalls(queue).map((callId) => {
      const position = this.engine.position(callId) ?? 0;
      return { callId, caller: this.engine.calls.get(callId)?.caller ?? "", position, estimatedWaitSeconds: this.estimate(queue, position), callback: this.callbacks.has(callId) };
    });
    // Live counts from the engine, which also holds callback entries (their caller's line is gone, their place is not).
    const inQueue = { waiting: live.waiting + live.offering, oldestWaitSeconds: live.oldestJoinedAt === null ? null : Math.max(0, Math.round((now - live.oldestJoinedAt) / 100) / 10) };
    return { ...live, ...f, ...inQueue, loggedIn: live.loggedIn, available: live.available, averageHandleSeconds: f.averageHandleTimeSeconds, waitingCalls: waiting };
  }

  agentReport(agent: string, now: number): AgentReport | undefined {
    const f = this.figures.agent(agent, now);
    const a = this.engine.agents.get(agent);
    if (f === undefined || a === undefined) return undefined;
    return {
      ...f,
      registered: a.registered,
      inUse: a.inUse,
      talkTimeMs: a.talkTimeMs,
      idleSeconds: a.state === "idle" && a.status.kind === "available" ? Math.max(0, Math.round((now - a.idleSince) / 1000)) : null,
    };
  }

  /** The queues `agent` is a member of (the SSE filter). */
  queuesOf(agent: string): readonly string[] {
    return this.figures.queuesOf(agent);
  }

  /**
   * At start, before restore: today's figures recomputed from the journal events since
   * `dayStart(now)` (oldest first), in the hotline's time zone.
   */
  loadDay(events: readonly { at: number; type: string; callId: string | null; data: Record<string, unknown> }[], dayStart: (now: number) => number): void {
    const now = this.m.deps.scheduler.now();
    this.figures = new QueueFigures({ queues: this.figuresConfig, dayStart }, now);
    for (const j of events) {
      const e = fromJournal(j);
      if (e !== null && e.at <= now) this.figures.apply(e);
    }
    this.figures.resetLive(now);
    this.dayStart = dayStart;
    this.armDay();
  }

  /** At the day boundary every queue's and agent's figures start again: a refresh for each. */
  private armDay(): void {
    this.dayTimer?.();
    this.dayTimer = null;
    if (this.stopped) return;
    const now = this.m.deps.scheduler.now();
    // The next day's start: that of the day 36 h after today's start (a day is 23 to 25 hours).
    const next = this.dayStart(this.dayStart(now) + 36 * 3_600_000);
    this.dayTimer = this.m.deps.scheduler.after(Math.max(1, next - now), () => {
      this.dayTimer = null;
      for (const queue of this.figures.queueIds) this.refresh({ kind: "queue", queue });
      for (const agent of this.figures.agentIds) this.refresh({ kind: "agent", agent });
      this.armDay();
    });
  }

  private refresh(r: QueueRefresh): void {
    try {
      this.onRefresh?.(r);
    } catch (err) {
      // A listener's bug (the SSE push) must not break call control.
      this.m.deps.log.error({ err, refresh: r.kind }, "queue refresh listener failed");
    }
  }

  /** Counts a figure event, journals it (with `extra` fields beside, for people reading the journal), tells onFigure. */
  private fig(e: FigureEvent, call?: Call, extra: Record<string, unknown> = {}): void {
    this.figures.apply(e);
    const t = toJournal(e);
    const j = { ...t, data: { ...extra, ...t.data } };
    if (call !== undefined) this.m.deps.recorder.event(call, j.type, j.data);
    else this.m.deps.recorder.note(j.type, j.data);
    try {
      this.onFigure?.(e);
    } catch (err) {
      // A listener's bug (the SSE push) must not break call control.
      this.m.deps.log.error({ err, event: e.type }, "queue figure listener failed");
    }
  }

  /** Estimated wait in seconds for `position` (queue-callbacks.ts estimatedWaitSeconds, from the day's handle time). */
  estimate(queue: string, position: number): number {
    const now = this.m.deps.scheduler.now();
    return estimatedWaitSeconds(position, this.figures.queue(queue, now)?.averageHandleTimeSeconds ?? null, this.engine.liveFigures(queue).loggedIn);
  }

  /** Media events of queue callers: a prompt ended, or the callback digit. True when consumed. */
  onMediaEvent(e: MediaEvent): boolean {
    if (e.type === "play-done") return this.announcer.onPlayDone(e.id);
    if (e.type !== "dtmf") return false;
    for (const call of this.waiting.values()) {
      if (call.a.endpoint?.id !== e.id) continue;
      const queue = this.joined.get(call.id)?.queue ?? "";
      const cb = callbackOf(this.queueEntries[queue]);
      if (!cb.enabled || e.digit !== cb.digit) return false;
      // Only a number we can dial back (digits, an optional +): withheld or anonymous callers
      // keep waiting and hear nothing new; the refusal is journaled.
      if (!/^\+?[0-9]+$/.test(call.caller)) {
        this.m.deps.recorder.event(call, "queue.callback-refused", { queue, number: call.caller, why: "number not dialable" });
        return false;
      }
      // A number with no way back (no such extension, the trunk gone): refused now, not after
      // maxAttempts failed dials that each cost an agent.
      if (!canDialBack(this.m, { queue, number: call.caller, ...trunkOf(call) })) {
        this.m.deps.recorder.event(call, "queue.callback-refused", { queue, number: call.caller, why: "no route" });
        return false;
      }
      this.feed({ type: "call-to-callback", callId: call.id, number: call.caller });
      return false; // still journaled as call.dtmf
    }
    return false;
  }

  /** At start: callbacks stored before a restart re-join in their place. */
  restoreCallbacks(records: readonly QueueCallbackRecord[]): void {
    for (const r of records) {
      if (this.queueEntries[r.queue] === undefined) continue;
      this.callbacks.set(r.callId, { ...r, run: null });
      this.feed({ type: "call-joined", queue: r.queue, call: { id: r.callId, caller: r.number, priority: r.priority, joinedAt: r.joinedAt, callback: { number: r.number, notBefore: r.notBefore } } });
    }
  }

  private store(e: CallbackEntry | null, callId: string): void {
    if (e === null) return this.onCallback?.(callId, null);
    const { run: _run, ...record } = e;
    this.onCallback?.(callId, record);
  }

  /** The caller pressed the digit: thank, hang up the caller's leg; the entry stays in the engine. */
  private callbackQueued(callId: string, queue: string, number: string, joinedAt: number, priority: number): void {
    const call = this.waiting.get(callId);
    // The trunk an outside caller came in on: the callback is dialled back through it.
    const entry: CallbackEntry = { callId, queue, number, priority, joinedAt, attempts: 0, notBefore: 0, ...(call !== undefined && trunkOf(call)), run: null };
    this.callbacks.set(callId, entry);
    this.store(entry, callId);
    this.waiting.delete(callId);
    this.joined.delete(callId);
    if (call === undefined) return;
    const now = this.m.deps.scheduler.now();
    this.fig({ type: "callback-requested", at: now, queue, callId, waitMs: now - joinedAt }, call, { number, position: this.engine.position(callId) ?? null });
    const ep = call.a.endpoint;
    const hangUp = (): void => void this.m.endCall(call, "system", 16, "Callback requested");
    if (ep === null) return hangUp();
    this.announcer.play(ep.id, phrase(this.queueEntries[queue]?.announce?.language ?? "zh+en", "callback-thanks"), hangUp);
    // Should play-done never come (a media failure), the line is released anyway.
    call.hold(this.m.deps.scheduler.after(30_000, hangUp));
  }

  private offerCallback(callId: string, agents: readonly string[], waitedMs: number): void {
    const entry = this.callbacks.get(callId);
    if (entry === undefined || entry.run !== null) return;
    // The number is in a call now (the caller still hearing "thank you" before its line is
    // released, or calling again): not an attempt. The entry keeps its place and waits for that
    // call to end (onCallEnded → resumeDeferred), so the first attempt follows the caller's
    // hang-up at once; retrySeconds is only the safety net should that end be missed.
    if (this.numberBusy(entry.number)) {
      const now = this.m.deps.scheduler.now();
      const notBefore = now + callbackOf(this.queueEntries[entry.queue]).retrySeconds * 1000;
      if (!this.deferred.has(callId)) {
        this.deferred.add(callId);
        this.m.deps.recorder.note("queue.callback-deferred", { queue: entry.queue, number: entry.number, requestCallId: entry.callId, until: "number free", notBefore });
      }
      this.rejoinCallback(entry, notBefore);
      return;
    }
    this.deferred.delete(callId);
    startCallback(this.m, this.callbackHost(), this.announcer, entry, agents, waitedMs, this.queueEntries[entry.queue], this.cbSeq++);
  }

  private numberBusy(number: string): boolean {
    return [...this.m.calls.values()].some((c) => !c.isEnded() && (c.caller === number || c.legs.some((l) => l.party === number && !l.ended)));
  }

  /** A call ended: callbacks deferred because their number was in it are offered again now (when the number is free). */
  private resumeDeferred(ended: Call): void {
    const now = this.m.deps.scheduler.now();
    for (const callId of [...this.deferred]) {
      const entry = this.callbacks.get(callId);
      if (entry === undefined) {
        this.deferred.delete(callId);
        continue;
      }
      const involved = ended.caller === entry.number || ended.legs.some((l) => l.party === entry.number);
      if (!involved || entry.run !== null || this.numberBusy(entry.number)) continue;
      this.rejoinCallback(entry, now);
    }
  }

  private callbackHost(): CallbackHost {
    return {
      position: (id) => this.engine.position(id),
      estimate: (q, p) => this.estimate(q, p),
      isWaiting: (call) => this.waiting.get(call.id) === call,
      joinOf: (call) => this.joined.get(call.id),
      agentRinging: (agent) => this.feed({ type: "offer-ringing", agent }),
      agentAnswered: (_callId, agent, cbCall) => {
        this.agentOf.set(cbCall, agent);
        this.feed({ type: "offer-answered", agent });
      },
      agentFailed: (agents, status, busy) => {
        const reason = failureOf(status, busy);
        for (const agent of agents) this.feed({ type: "offer-failed", agent, reason });
      },
      callerAnswered: (entry, cbCall) => {
        entry.run = null;
        this.callbacks.delete(entry.callId);
        this.store(null, entry.callId);
        // Answered, waited since the original join; the callback call's end gives its handle time.
        const now = this.m.deps.scheduler.now();
        const agent = this.agentOf.get(cbCall) ?? "";
        this.joined.set(cbCall.id, { queue: entry.queue, at: entry.joinedAt, answeredAt: now, agent });
        this.fig({ type: "callback-answered", at: now, queue: entry.queue, callId: entry.callId, agent, waitMs: now - entry.joinedAt }, cbCall, { number: entry.number, attempt: entry.attempts + 1 });
      },
      callerFailed: (entry, cbCall, why) => this.callbackFailed(entry, cbCall, why),
    };
  }

  /** Dialling the caller failed: the agent is freed (wrap-up); the entry re-joins in its place after retrySeconds, or is dropped. */
  private callbackFailed(entry: CallbackEntry, cbCall: Call, why: string): void {
    if (entry.run === null) return;
    entry.run = null;
    entry.attempts++;
    const cb = callbackOf(this.queueEntries[entry.queue]);
    this.m.deps.recorder.event(cbCall, "queue.callback-failed", { queue: entry.queue, number: entry.number, requestCallId: entry.callId, attempt: entry.attempts, why });
    if (entry.attempts >= cb.maxAttempts) {
      this.callbacks.delete(entry.callId);
      this.store(null, entry.callId);
      this.fig({ type: "callback-dropped", at: this.m.deps.scheduler.now(), queue: entry.queue, callId: entry.callId, attempts: entry.attempts }, cbCall, { number: entry.number });
    } else {
      entry.notBefore = this.m.deps.scheduler.now() + cb.retrySeconds * 1000;
      this.store(entry, entry.callId);
      this.feed({ type: "call-joined", queue: entry.queue, call: { id: entry.callId, caller: entry.number, priority: entry.priority, joinedAt: entry.joinedAt, callback: { number: entry.number, notBefore: entry.notBefore } } });
      this.refresh({ kind: "queue", queue: entry.queue });
    }
    if (this.m.calls.has(cbCall.id)) void this.m.endCall(cbCall, "system", 18, "Callback not answered");
  }

  /**
   * The callback call ended while its agents were still being rung (hung up from the console,
   * an unusable answer): the offer is withdrawn, not failed — no agent is charged a miss and it
   * is not an attempt; the entry re-joins in its place at once.
   */
  private callbackWithdrawn(entry: CallbackEntry): void {
    for (const attempt of entry.run?.agentAttempts.values() ?? []) attempt.abort(16, "Callback withdrawn");
    entry.run = null;
    this.rejoinCallback(entry, this.m.deps.scheduler.now());
  }

  /** Puts a callback entry back in the engine in its original place, not offered before `notBefore`. */
  private rejoinCallback(entry: CallbackEntry, notBefore: number, inEngine = true): void {
    entry.notBefore = notBefore;
    this.store(entry, entry.callId);
    if (inEngine) this.feed({ type: "call-left", callId: entry.callId });
    this.feed({ type: "call-joined", queue: entry.queue, call: { id: entry.callId, caller: entry.number, priority: entry.priority, joinedAt: entry.joinedAt, callback: { number: entry.number, notBefore } } });
    this.refresh({ kind: "queue", queue: entry.queue });
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
    if (agent === undefined) return;
    this.agentOf.delete(call);
    const j = this.joined.get(call.id);
    if (j !== undefined && j.answeredAt !== null) {
      // Counted here, so the end of the call (onCallEnded) no longer finds it in `joined`.
      this.joined.delete(call.id);
      const now = this.m.deps.scheduler.now();
      this.fig({ type: "taken-over", at: now, queue: j.queue, callId: call.id, agent, supervisor, handleMs: now - j.answeredAt }, call);
    }
    this.feed({ type: "call-ended", agent });
  }

  /** A leg left `call`, which goes on (a transfer): when it is the agent's, the agent is free. */
  private onLegLeft(call: Call, leg: Leg): void {
    const agent = this.agentOf.get(call);
    if (agent !== undefined && leg.party === agent) this.releaseAgent(call, agent, "transferred");
  }

  /**
   * The agent's part of a queue call that goes on without it is over: its handle time ends now
   * (`queue.ended`, with `why`) and the engine puts it in wrap-up.
   */
  private releaseAgent(call: Call, agent: string, why: string): void {
    this.agentOf.delete(call);
    const j = this.joined.get(call.id);
    if (j !== undefined && j.answeredAt !== null) {
      // Counted here, so the end of the call (onCallEnded) no longer finds it in `joined`.
      this.joined.delete(call.id);
      const now = this.m.deps.scheduler.now();
      this.fig({ type: "ended", at: now, queue: j.queue, callId: call.id, agent, handleMs: now - j.answeredAt }, call, { why });
    }
    this.feed({ type: "call-ended", agent });
  }

  /** The call ended (either side hung up): the engine hears the caller left or the agent's call ended. */
  onCallEnded(call: Call): void {
    this.endedCall(call);
    // After the engine heard of this end (an agent freed first, so the callback can be offered to it).
    if (this.deferred.size > 0) this.resumeDeferred(call);
  }

  private endedCall(call: Call): void {
    this.visited.delete(call.id);
    // A callback call ended while the citizen was being dialled (the agent hung up): a failed attempt.
    for (const e of this.callbacks.values()) {
      if (e.run?.call !== call) continue;
      if (e.run.callerAttempt !== null) {
        e.run.callerAttempt.abort(16, "Agent hung up");
        this.callbackFailed(e, call, "agent hung up");
      } else this.callbackWithdrawn(e);
      break;
    }
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
    if (!this.waiting.has(call.id)) return this.syncInUse(); // a direct call ended: its agent may be free again
    this.waiting.delete(call.id);
    const offer = this.offers.get(call.id);
    this.offers.delete(call.id);
    for (const attempt of offer?.attempts.values() ?? []) attempt.abort(16, "Caller hung up");
    this.feed({ type: "call-left", callId: call.id });
  }

  /**
   * leaveWhenNoAgents without overflow: the waiting caller (already answered, hearing music)
   * is hung up at once, no prompt; the CDR records 480 and cause 18 (RFC 3398: no user responding).
   */
  private leftWithoutAgents(call: Call): void {
    const a = call.a;
    if (a instanceof InboundLeg && (a.state === "proceeding" || a.state === "early")) return this.m.failCall(call, 480, 18, "No agents");
    if (call.a.endpoint !== null) this.m.deps.media.play(call.a.endpoint.id, null);
    call.failureStatus = 480;
    void this.m.endCall(call, "system", 18, "No agents");
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
    this.syncInUse();
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
          if (action.callback !== undefined) this.offerCallback(action.callId, action.agents, action.waitedMs);
          else this.offer(action.callId, action.agents, action.mode, action.waitedMs);
          break;
        case "callback-queued":
          this.callbackQueued(action.callId, action.queue, action.number, action.joinedAt, action.priority);
          break;
        case "cancel-offer": {
          // A callback still ringing its agents: only the named agents stop; the call ends with the last.
          const entry = this.callbacks.get(action.callId);
          const run = entry?.run;
          // (Once an agent answered, its attempts are done: the engine's cancel for the others ends nothing.)
          const named = run === undefined || run === null ? [] : action.agents.filter((agent) => run.agentAttempts.has(agent));
          if (entry !== undefined && run !== undefined && run !== null && run.callerAttempt === null && named.length > 0) {
            for (const agent of named) {
              run.agentAttempts.get(agent)?.abort(19, "No answer");
              run.agentAttempts.delete(agent);
            }
            if (run.agentAttempts.size === 0) {
              entry.run = null;
              if (this.m.calls.has(run.call.id)) void this.m.endCall(run.call, "system", 19, "No answer");
            }
          }
          // Only the named agents stop ringing (ring-all: the others ring on).
          const offer = this.offers.get(action.callId);
          if (offer === undefined) break;
          for (const agent of action.agents) {
            offer.attempts.get(agent)?.abort(19, "No answer");
            offer.attempts.delete(agent);
          }
          if (offer.attempts.size === 0) this.offers.delete(action.callId);
          break;
        }
        case "call-overflow": {
          const call = this.waiting.get(action.callId);
          this.waiting.delete(action.callId);
          if (call === undefined) break;
          if (call.a.endpoint !== null) {
            // The announcement stops here (no play-done): the next queue's announcements must not wait for it.
            this.announcer.forget(call.a.endpoint.id);
            this.m.deps.media.play(call.a.endpoint.id, null);
          }
          const now = this.m.deps.scheduler.now();
          const waitMs = now - (this.joined.get(call.id)?.at ?? now);
          this.joined.delete(call.id);
          this.fig({ type: "overflowed", at: now, queue: action.queue, callId: call.id, to: action.destination.target, waitMs }, call);
          const path = this.visited.get(call.id) ?? [action.queue];
          if (path.includes(action.destination.target)) {
            // An overflow cycle (the config check reports it too): 480, as for no agents (RFC 3398: 480/18).
            this.m.deps.recorder.event(call, "queue.overflow-loop", { queue: action.queue, to: action.destination.target, path });
            call.trace.push(`queue ${action.queue} overflow → ${action.destination.target}: loop (${path.join(" → ")})`);
            this.m.failCall(call, 480, 18, "Overflow loop");
            break;
          }
          // The routing depth grows with every overflow hop, so a longer cycle through other
          // destinations still ends at the call manager's depth limit.
          void this.m.routeTo(call, action.destination.target, path.length, `queue ${action.queue} overflow`);
          break;
        }
        case "call-refused": {
          const call = this.waiting.get(action.callId);
          this.waiting.delete(action.callId);
          if (call === undefined) break;
          this.joined.delete(call.id);
          this.fig({ type: "refused", at: this.m.deps.scheduler.now(), queue: action.queue, callId: call.id, reason: action.reason }, call);
          // RFC 3398: a full queue is busy (486/17); no agent at all is unavailable (480/18).
          if (action.reason === "queue-full") this.m.failCall(call, 486, 17, "Queue full");
          else if (action.reason === "no-agents-left") this.leftWithoutAgents(call);
          else this.m.failCall(call, 480, 18, "No agents");
          break;
        }
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

  /**
   * Rings the agents' registered contacts for the waiting call, one DialAttempt per agent, and
   * reports each agent's outcome on its own. RFC 3261 §16.7 step 5 (a 6xx ends the whole search)
   * is a proxy's rule for the branches of one request; as a B2BUA offering a queue call to
   * several agents we handle each agent apart: one agent's 603 or 486 says nothing about the
   * others, who ring on (a 6xx still stops that agent's other contacts, inside its own attempt).
   */
  private offer(callId: string, agents: readonly string[], mode: "all" | "one", waitedMs: number): void {
    const call = this.waiting.get(callId);
    if (call === undefined || call.isEnded()) return;
    void mode; // "one" offers carry a single agent; "all" rings them together.
    // Screen pop for the agent's phone or desktop: which queue, how long the caller waited
    // (the caller's number and name are in From, as on any call).
    const queue = this.joined.get(callId)?.queue ?? "";
    const screenPop = headerField("X-Hotline-Queue", `${queue};waited=${Math.round(waitedMs / 1000)}`);
    const offer: Offer = this.offers.get(callId) ?? { attempts: new Map() };
    this.offers.set(callId, offer);
    const answered = (leg: OutboundLeg, agent: string): void => {
      this.offers.delete(callId);
      this.visited.delete(callId); // answered: a later transfer into any queue starts afresh
      // The first answer wins: the other agents' phones stop (RFC 3326 cause 26).
      for (const [other, att] of offer.attempts) if (other !== agent) att.abort(26, "Answered elsewhere");
      offer.attempts.clear();
      this.waiting.delete(callId);
      this.agentOf.set(call, agent);
      const j = this.joined.get(callId);
      if (j !== undefined) {
        const now = this.m.deps.scheduler.now();
        j.answeredAt = now;
        j.agent = agent;
        this.fig({ type: "answered", at: now, queue: j.queue, callId, agent, waitMs: now - j.at }, call);
      }
      const a = call.a;
      if (a.endpoint !== null) this.announcer.forget(a.endpoint.id); // a prompt cut short by the answer
      if (a.endpoint !== null && leg.endpoint !== null) {
        this.m.deps.media.play(a.endpoint.id, null);
        this.m.deps.media.unbridge(a.endpoint.id);
        this.m.deps.media.bridge(a.endpoint.id, leg.endpoint.id);
      }
      this.m.markConnected(call, leg);
      this.m.deps.recorder.answered(call);
      this.feed({ type: "offer-answered", agent });
    };
    for (const agent of agents) {
      // Registration re-read now (a cheap lookup): a lapsed one yields no targets → "unreachable".
      const targets = this.m.contactTargets(call, agent).map((t) => ({ ...t, headers: [...t.headers, screenPop] }));
      let started = 0;
      const attempt: DialAttempt = new DialAttempt(
        [{ label: `queue offer to ${agent}`, timeoutMs: 10 * 60_000, targets: () => targets }],
        {
          startLeg: async (t, att) => {
            const leg = await this.m.startOutboundLeg(call, t, att);
            if (leg !== null) started++;
            return leg;
          },
          onProgress: (leg, res) => {
            this.m.indexDialog(leg);
            if (res.status >= 180) this.feed({ type: "offer-ringing", agent });
          },
          onAnswer: (leg) => {
            this.m.indexDialog(leg);
            answered(leg, agent);
          },
          onExhausted: (status, busy) => {
            if (offer.attempts.get(agent) !== attempt) return;
            offer.attempts.delete(agent);
            if (offer.attempts.size === 0 && this.offers.get(callId) === offer) this.offers.delete(callId);
            this.feed({ type: "offer-failed", agent, reason: started === 0 ? "unreachable" : failureOf(status, busy) });
            if (started === 0) this.unreachable(agent);
          },
        },
        this.m.deps.scheduler,
      );
      offer.attempts.set(agent, attempt);
    }
    this.fig({ type: "offered", at: this.m.deps.scheduler.now(), queue, callId, agents, waitedMs }, call);
    for (const agent of agents) offer.attempts.get(agent)?.start();
  }

  /**
   * No leg could be started for `agent` (no registered contact, no media port): the engine counts
   * it unregistered until the next registration poll, so the call is not offered to it again in a
   * tight loop meanwhile; the poll brings it back when its phone is registered.
   */
  private unreachable(agent: string): void {
    if (this.registered.get(agent) === false) return;
    this.registered.set(agent, false);
    this.run(this.engine.handle({ type: "agent-registered", agent, registered: false }, this.m.deps.scheduler.now()));
    this.refresh({ kind: "agent", agent });
  }

  /** Tells the engine which agents' phones are registered (no contact = never offered). */
  private syncRegistrations(): void {
    const now = this.m.deps.scheduler.now();
    for (const agent of this.members) {
      const reg = this.m.deps.registrar.lookup(`sip:${agent}@${this.m.deps.options.domain}`, now).length > 0;
      if (this.registered.get(agent) === reg) continue;
      this.registered.set(agent, reg);
      this.run(this.engine.handle({ type: "agent-registered", agent, registered: reg }, now));
      this.refresh({ kind: "agent", agent });
    }
    this.syncInUse();
  }

  /**
   * Tells the engine which agents are in a call the queue did not give them (a direct or
   * outgoing call, ringing or talking to someone): queues without ringInUse skip them. Queue calls
   * (waiting, offered, or with their agent) are the engine's own business and do not count.
   */
  private syncInUse(): void {
    // A supervisor's monitoring call is answered by the switch with nobody else on it, yet its
    // extension is busy listening (a take-over is a call with two sides, counted below).
    // (`supervision` is undefined while CallManager's constructor builds this service.)
    const busy = (this.m.supervision as Supervision | undefined)?.supervising() ?? new Set<string>();
    for (const c of this.m.calls.values()) {
      if (c.state === "ended" || this.waiting.has(c.id) || this.agentOf.has(c)) continue;
      // Answered by the switch itself with nobody else on it (feature code such as *60, IVR): not "in use".
      if (c.state === "connected" && c.b === null) continue;
      for (const ext of c.occupies) busy.add(ext);
      for (const ext of c.ringing) busy.add(ext);
    }
    const now = this.m.deps.scheduler.now();
    for (const agent of this.members) {
      const inUse = busy.has(agent);
      if ((this.inUse.get(agent) ?? false) === inUse) continue;
      this.inUse.set(agent, inUse);
      this.run(this.engine.handle({ type: "agent-in-use", agent, inUse }, now));
      this.refresh({ kind: "agent", agent });
    }
  }

  private poll(): void {
    if (this.stopped) return;
    this.syncRegistrations();
    this.pollTimer = this.m.deps.scheduler.after(REGISTRATION_POLL_MS, () => this.poll());
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

/** The trunk an outside caller's call came in on (none for an internal caller). */
function trunkOf(call: Call): { trunk?: string } {
  return call.direction === "inbound" && call.trunk !== null ? { trunk: call.trunk } : {};
}

/** An agent's failed offer as the engine counts it: busy (486/600), declined (603/403), else no answer. */
function failureOf(status: number, busy: boolean): OfferFailure {
  return busy ? "busy" : status === 603 || status === 403 ? "rejected" : "no-answer";
}

/** The engine's configuration from the dial plan's queues (members' skills per queue). */
export function acdConfig(queues: Readonly<Record<string, QueueEntry>>, agentEntries: Readonly<Record<string, AgentEntry>> = {}): AcdConfig {
  const qs: QueueConfig[] = [];
  const agents = new Map<string, Membership[]>();
  for (const [number, q] of Object.entries(queues)) {
    const fallback = q.fallbackStrategy ?? DEFAULT_QUEUE.fallbackStrategy;
    qs.push({
      id: number,
      strategy: isStrategyId(q.strategy) ? q.strategy : "longest-idle",
      wrapUpMs: q.wrapUpSeconds * 1000,
      ringTimeoutMs: q.ringSeconds * 1000,
      skillWaitMs: (q.skillWaitSeconds ?? DEFAULT_QUEUE.skillWaitSeconds) * 1000,
      stickyWindowMs: (q.stickyWindowSeconds ?? DEFAULT_QUEUE.stickyWindowSeconds) * 1000,
      stickyHoldMs: (q.stickyHoldSeconds ?? DEFAULT_QUEUE.stickyHoldSeconds) * 1000,
      fallbackStrategy: isStrategyId(fallback) && fallback !== "sticky" ? fallback : "longest-idle",
      ringInUse: q.ringInUse ?? DEFAULT_QUEUE.ringInUse,
      joinWhenNoAgents: q.joinWhenNoAgents ?? DEFAULT_QUEUE.joinWhenNoAgents,
      leaveWhenNoAgents: q.leaveWhenNoAgents ?? DEFAULT_QUEUE.leaveWhenNoAgents,
      requeuePriorityRaise: q.requeuePriorityRaise ?? DEFAULT_QUEUE.requeuePriorityRaise,
      breakAfter: q.breakAfter ?? DEFAULT_QUEUE.breakAfter,
      ...(q.maxLength !== null && { maxLength: q.maxLength }),
      // The overflow serves max wait and the no-agent rules alike (check-dial-plan.ts: never set unused).
      ...(q.overflow !== null && { overflow: { kind: "number" as const, target: q.overflow } }),
      ...(q.maxWaitSeconds !== null && q.overflow !== null && { maxWaitMs: q.maxWaitSeconds * 1000 }),
    });
    for (const [ext, level] of Object.entries(q.members)) {
      const list = agents.get(ext) ?? [];
      list.push({ queue: number, skillLevel: level, weight: q.weights?.[ext] ?? 1, order: q.orders?.[ext] ?? 0 });
      agents.set(ext, list);
    }
  }
  const agentConfigs: AgentConfig[] = [...agents].map(([id, memberships]) => {
    const own = agentEntries[id];
    if (own === undefined) return { id, memberships };
    return {
      id,
      memberships,
      ...(own.wrapUpSeconds !== null && { wrapUpMs: own.wrapUpSeconds * 1000 }),
      ...(own.ringSeconds !== null && { ringTimeoutMs: own.ringSeconds * 1000 }),
      maxMisses: own.maxMisses === 0 ? null : own.maxMisses, // 0 = never put on break
    };
  });
  return { queues: qs, agents: agentConfigs };
}
