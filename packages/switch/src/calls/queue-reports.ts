/**
 * QueueService's reports (GET /api/queues and /api/agents): the engine's live counts overlaid
 * with the day's figures (queue-figures.ts). QueueReports owns the day's figures: it counts and
 * journals each figure event, rebuilds the day from the journal at start, and starts the
 * figures again at the day boundary.
 */
import { queueStats, type AcdEngine, type QueueStats } from "@hotline/acd";
import type { QueueEntry } from "../routing/index.js";
import type { Call } from "./call.js";
import type { CallManager } from "./call-manager.js";
import type { CancelTimer } from "./ports.js";
import { estimatedWaitSeconds } from "./queue-callbacks.js";
import { DEFAULT_SERVICE_LEVEL_SECONDS, QueueFigures, fromJournal, localDayStart, toJournal, type AgentFigureSnapshot, type FigureEvent, type QueueFigureSnapshot } from "./queue-figures.js";

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

/** What a queue report reads besides the engine and the figures. */
export interface QueueReportSource {
  /** Estimated wait in seconds for `position` in `queue`. */
  estimate(queue: string, position: number): number;
  /** Whether a waiting entry is a callback request. */
  isCallback(callId: string): boolean;
}

/**
 * One queue: the engine's live counts (kept for compatibility: offering, oldestJoinedAt,
 * joined — since this process started) overlaid with the day's figures; `available` (it also
 * requires a registered phone), `waiting` and the oldest wait are the engine's.
 */
export function queueReport(engine: AcdEngine, figures: QueueFigures, src: QueueReportSource, queue: string, now: number): QueueReport | undefined {
  const f = figures.queue(queue, now);
  if (f === undefined) return undefined;
  const live = queueStats(engine, queue);
  // Each waiting call in service order with its position and estimated wait (what it is told).
  const waiting = engine.waitingCalls(queue).map((callId) => {
    const position = engine.position(callId) ?? 0;
    return { callId, caller: engine.calls.get(callId)?.caller ?? "", position, estimatedWaitSeconds: src.estimate(queue, position), callback: src.isCallback(callId) };
  });
  // Live counts from the engine, which also holds callback entries (their caller's line is gone, their place is not).
  const inQueue = { waiting: live.waiting + live.offering, oldestWaitSeconds: live.oldestJoinedAt === null ? null : Math.max(0, Math.round((now - live.oldestJoinedAt) / 100) / 10) };
  return { ...live, ...f, ...inQueue, loggedIn: live.loggedIn, available: live.available, averageHandleSeconds: f.averageHandleTimeSeconds, waitingCalls: waiting };
}

/** One agent: the day's figures, its phone's registration and use, talk time and idle time. */
export function agentReport(engine: AcdEngine, figures: QueueFigures, agent: string, now: number): AgentReport | undefined {
  const f = figures.agent(agent, now);
  const a = engine.agents.get(agent);
  if (f === undefined || a === undefined) return undefined;
  return {
    ...f,
    registered: a.registered,
    inUse: a.inUse,
    talkTimeMs: a.talkTimeMs,
    idleSeconds: a.state === "idle" && a.status.kind === "available" ? Math.max(0, Math.round((now - a.idleSince) / 1000)) : null,
  };
}

/** What QueueReports tells QueueService (its onFigure and onRefresh listeners, its callbacks). */
export interface QueueReportHooks {
  /** A counted figure event was applied and journaled (QueueService.onFigure). */
  figure(e: FigureEvent): void;
  /** A report changed without a counted event (QueueService.onRefresh, guarded). */
  refresh(r: QueueRefresh): void;
  isCallback(callId: string): boolean;
}

export class QueueReports {
  /** The day's live figures (queue-figures.ts); rebuilt from the journal at start by loadDay. */
  private figures: QueueFigures;
  private readonly figuresConfig: Record<string, { serviceLevelSeconds: number; members: string[] }> = {};
  /** Start of the hotline's day containing a time (loadDay sets the hotline's time zone). */
  private dayStart: (now: number) => number = localDayStart(undefined);
  private dayTimer: CancelTimer | null = null;
  private stopped = false;

  constructor(
    private readonly m: CallManager,
    private readonly engine: AcdEngine,
    queues: Readonly<Record<string, QueueEntry>>,
    private readonly hooks: QueueReportHooks,
  ) {
    for (const [n, q] of Object.entries(queues)) this.figuresConfig[n] = { serviceLevelSeconds: q.serviceLevelSeconds ?? DEFAULT_SERVICE_LEVEL_SECONDS, members: Object.keys(q.members) };
    this.figures = new QueueFigures({ queues: this.figuresConfig, dayStart: localDayStart(undefined) }, m.deps.scheduler.now());
  }

  /** At shutdown: no more day-boundary timer. */
  stop(): void {
    this.stopped = true;
    this.dayTimer?.();
    this.dayTimer = null;
  }

  /** Live figures per queue and each member agent's status, state and day figures (GET /api/queues). */
  report(now: number): { queues: QueueReport[]; agents: AgentReport[] } {
    const queues = this.figures.queueIds.map((q) => this.queueReport(q, now)).filter((q) => q !== undefined);
    const agents = this.figures.agentIds.map((a) => this.agentReport(a, now)).filter((a) => a !== undefined);
    return { queues, agents };
  }

  queueReport(queue: string, now: number): QueueReport | undefined {
    return queueReport(this.engine, this.figures, { estimate: (q, p) => this.estimate(q, p), isCallback: (id) => this.hooks.isCallback(id) }, queue, now);
  }

  agentReport(agent: string, now: number): AgentReport | undefined {
    return agentReport(this.engine, this.figures, agent, now);
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
  armDay(): void {
    this.dayTimer?.();
    this.dayTimer = null;
    if (this.stopped) return;
    const now = this.m.deps.scheduler.now();
    // The next day's start: that of the day 36 h after today's start (a day is 23 to 25 hours).
    const next = this.dayStart(this.dayStart(now) + 36 * 3_600_000);
    this.dayTimer = this.m.deps.scheduler.after(Math.max(1, next - now), () => {
      this.dayTimer = null;
      for (const queue of this.figures.queueIds) this.hooks.refresh({ kind: "queue", queue });
      for (const agent of this.figures.agentIds) this.hooks.refresh({ kind: "agent", agent });
      this.armDay();
    });
  }

  /** Counts a figure event, journals it (with `extra` fields beside, for people reading the journal), tells onFigure. */
  fig(e: FigureEvent, call?: Call, extra: Record<string, unknown> = {}): void {
    this.figures.apply(e);
    const t = toJournal(e);
    const j = { ...t, data: { ...extra, ...t.data } };
    if (call !== undefined) this.m.deps.recorder.event(call, j.type, j.data);
    else this.m.deps.recorder.note(j.type, j.data);
    try {
      this.hooks.figure(e);
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
}
