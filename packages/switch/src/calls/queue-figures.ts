/**
 * The day's live ACD figures (issue 4): per queue offered/answered/abandoned/overflowed,
 * service level, average speed of answer and handle time, calls waiting; per agent status
 * and state with their durations, calls answered and talk time. Pure (STYLE.md §1): fed
 * `FigureEvent`s with their timestamps, no clock of its own.
 *
 * Callbacks (issue 4): a callback request stays in the queue (the entry keeps the caller's
 * place) and is counted in `callbacksRequested`; when the agent's callback reaches the caller it
 * counts as answered, its wait measured from the original join (service level and ASA
 * included: the caller waited that long for a person); a request dropped after its last failed
 * attempt counts in `callbacksDropped`, apart from abandoned (the caller did not give up, the
 * hotline could not reach them). A request whose caller called the queue again is merged into
 * the new call (`callbacksMerged`: the new call carries on in its place, and its outcome is
 * counted). So offered = answered + abandoned + overflowed + refused + callbacksDropped +
 * callbacksMerged + calls still in the queue.
 *
 * Every event it counts is also a journal event (`toJournal` / `fromJournal` below are
 * inverses), so figures recomputed from the journal after a restart are the figures the
 * previous run showed: the counts are exact, not sampled.
 */
import type { AgentState, AgentStatus } from "@hotline/acd";

/** Answered within this long counts towards the service level unless a queue sets its own. */
export const DEFAULT_SERVICE_LEVEL_SECONDS = 20;

export type FigureEvent =
  | { readonly type: "joined"; readonly at: number; readonly queue: string; readonly callId: string; readonly priority: number }
  /** The ACD rang agents for the call (`waitedMs` so far). */
  | { readonly type: "offered"; readonly at: number; readonly queue: string; readonly callId: string; readonly agents: readonly string[]; readonly waitedMs: number }
  | { readonly type: "answered"; readonly at: number; readonly queue: string; readonly callId: string; readonly agent: string; readonly waitMs: number }
  /** The caller hung up while waiting (or while an agent's phone rang). */
  | { readonly type: "abandoned"; readonly at: number; readonly queue: string; readonly callId: string; readonly waitMs: number }
  | { readonly type: "overflowed"; readonly at: number; readonly queue: string; readonly callId: string; readonly to: string; readonly waitMs: number }
  | { readonly type: "refused"; readonly at: number; readonly queue: string; readonly callId: string; readonly reason: string }
  /** An answered queue call ended; `handleMs` from answer to hang-up. */
  | { readonly type: "ended"; readonly at: number; readonly queue: string; readonly callId: string; readonly agent: string; readonly handleMs: number }
  /**
   * A supervisor took the answered call over from its agent: the agent's handle (and talk) time
   * ends here, `handleMs` from answer to take-over; the call counts as handled once, and what the
   * supervisor then talks is not the queue's handle time (the call has no "ended" after this).
   */
  | { readonly type: "taken-over"; readonly at: number; readonly queue: string; readonly callId: string; readonly agent: string; readonly supervisor: string; readonly handleMs: number }
  | { readonly type: "agent"; readonly at: number; readonly agent: string; readonly status: AgentStatus; readonly state: AgentState }
  /** The waiting caller asked to be called back (`waitMs` so far); the entry stays in the queue. */
  | { readonly type: "callback-requested"; readonly at: number; readonly queue: string; readonly callId: string; readonly waitMs: number }
  /** The callback reached the caller (`callId` = the request's call id; `waitMs` from the original join). */
  | { readonly type: "callback-answered"; readonly at: number; readonly queue: string; readonly callId: string; readonly agent: string; readonly waitMs: number }
  /** The request was given up after its last failed attempt. */
  | { readonly type: "callback-dropped"; readonly at: number; readonly queue: string; readonly callId: string; readonly attempts: number }
  /** The caller called again and the request (`callId`) lives on in the new call `into`, which took its place. */
  | { readonly type: "callback-merged"; readonly at: number; readonly queue: string; readonly callId: string; readonly into: string };
export type FigureEventType = FigureEvent["type"];
export type CallFigureEvent = Exclude<FigureEvent, { type: "agent" }>;

/** Journal event type of each figure event (queue.joined, queue.offer, queue.overflow existed before). */
export const FIGURE_JOURNAL_TYPES = {
  joined: "queue.joined",
  offered: "queue.offer",
  answered: "queue.answered",
  abandoned: "queue.abandoned",
  overflowed: "queue.overflow",
  refused: "queue.refused",
  ended: "queue.ended",
  "taken-over": "queue.taken-over",
  agent: "agent.state",
  "callback-requested": "queue.callback-requested",
  "callback-answered": "queue.callback-done",
  "callback-dropped": "queue.callback-dropped",
  "callback-merged": "queue.callback-merged",
} as const satisfies Record<FigureEventType, string>;

export interface QueueFiguresConfig {
  /** Queue number → its service-level threshold and member agents. */
  readonly queues: Readonly<Record<string, { readonly serviceLevelSeconds: number; readonly members: readonly string[] }>>;
  /** Start (ms) of the hotline's day that contains `now` (local midnight in its time zone). */
  readonly dayStart: (now: number) => number;
}

export interface QueueFigureSnapshot {
  queue: string;
  loggedIn: number;
  /** Logged in, available and idle (the service adds: with a registered phone). */
  available: number;
  onCall: number;
  /** Calls in the queue not yet connected (waiting, or ringing an agent). */
  waiting: number;
  oldestWaitSeconds: number | null;
  /** Calls that arrived at the queue today (refused ones included). */
  offered: number;
  answered: number;
  abandoned: number;
  overflowed: number;
  refused: number;
  /** Callers who asked to be called back today; of those requests, answered (also in `answered`) and dropped. */
  callbacksRequested: number;
  callbacksAnswered: number;
  callbacksDropped: number;
  /** Requests whose caller called the queue again: merged into the new call (which is counted on its own). */
  callbacksMerged: number;
  serviceLevelSeconds: number;
  answeredWithinServiceLevel: number;
  /** Share of today's answered calls answered within serviceLevelSeconds; null before the first. */
  serviceLevelPercent: number | null;
  averageSpeedOfAnswerSeconds: number | null;
  /** Of calls answered and ended (or taken over by a supervisor: the agent's part) today. */
  averageHandleTimeSeconds: number | null;
  /** Start of the day these counts are from (ISO 8601). */
  since: string;
}

export interface AgentFigureSnapshot {
  agent: string;
  status: AgentStatus;
  statusSince: string;
  statusSeconds: number;
  state: AgentState;
  stateSince: string;
  stateSeconds: number;
  /** Queue calls answered today, and their talk time (calls that have ended, or were taken over: up to the take-over). */
  callsAnswered: number;
  talkTimeSeconds: number;
  queues: string[];
}

interface DayCounts {
  offered: number;
  answered: number;
  abandoned: number;
  overflowed: number;
  refused: number;
  cbRequested: number;
  cbAnswered: number;
  cbDropped: number;
  cbMerged: number;
  withinSL: number;
  waitMs: number;
  handled: number;
  handleMs: number;
}

interface AgentFigures {
  status: AgentStatus;
  statusSince: number;
  state: AgentState;
  stateSince: number;
  callsAnswered: number;
  talkMs: number;
}

const zeroCounts = (): DayCounts => ({ offered: 0, answered: 0, abandoned: 0, overflowed: 0, refused: 0, cbRequested: 0, cbAnswered: 0, cbDropped: 0, cbMerged: 0, withinSL: 0, waitMs: 0, handled: 0, handleMs: 0 });

export class QueueFigures {
  private day: number;
  private readonly counts = new Map<string, DayCounts>();
  private readonly agents = new Map<string, AgentFigures>();
  /** Calls in a queue and not yet connected: call id → queue and join time. */
  private readonly inQueue = new Map<string, { queue: string; at: number }>();
  private readonly membership = new Map<string, string[]>();

  constructor(
    private readonly config: QueueFiguresConfig,
    now: number,
  ) {
    this.day = config.dayStart(now);
    for (const [q, cfg] of Object.entries(config.queues)) {
      this.counts.set(q, zeroCounts());
      for (const a of cfg.members) {
        const list = this.membership.get(a) ?? [];
        list.push(q);
        this.membership.set(a, list);
        if (!this.agents.has(a)) this.agents.set(a, { status: { kind: "logged-out" }, statusSince: now, state: "idle", stateSince: now, callsAnswered: 0, talkMs: 0 });
      }
    }
  }

  get queueIds(): string[] {
    return [...this.counts.keys()];
  }

  get agentIds(): string[] {
    return [...this.agents.keys()];
  }

  /** The queues `agent` is a member of. */
  queuesOf(agent: string): readonly string[] {
    return this.membership.get(agent) ?? [];
  }

  /** Counts an event. Events of an unknown queue or agent (a config change since) are ignored. */
  apply(e: FigureEvent): void {
    this.rollOver(e.at);
    if (e.type === "agent") return this.agentChanged(e);
    const c = this.counts.get(e.queue);
    if (c === undefined) return;
    switch (e.type) {
      case "joined":
        c.offered++;
        this.inQueue.set(e.callId, { queue: e.queue, at: e.at });
        break;
      case "offered":
        break;
      case "answered":
      case "callback-answered": {
        this.inQueue.delete(e.callId);
        c.answered++;
        if (e.type === "callback-answered") c.cbAnswered++;
        c.waitMs += e.waitMs;
        if (e.waitMs <= this.serviceLevelMs(e.queue)) c.withinSL++;
        const a = this.agents.get(e.agent);
        if (a !== undefined) a.callsAnswered++;
        break;
      }
      case "callback-requested":
        c.cbRequested++;
        break;
      case "callback-dropped":
        this.inQueue.delete(e.callId);
        c.cbDropped++;
        break;
      case "callback-merged":
        this.inQueue.delete(e.callId);
        c.cbMerged++;
        break;
      case "abandoned":
        this.inQueue.delete(e.callId);
        c.abandoned++;
        break;
      case "overflowed":
        this.inQueue.delete(e.callId);
        c.overflowed++;
        break;
      case "refused":
        this.inQueue.delete(e.callId);
        c.refused++;
        break;
      case "ended":
      case "taken-over": {
        c.handled++;
        c.handleMs += e.handleMs;
        const a = this.agents.get(e.agent);
        if (a !== undefined) a.talkMs += e.handleMs;
        break;
      }
    }
  }

  /**
   * After replaying a journal: calls and agent states of the previous run are gone (its calls
   * were ended at shutdown, agents come back through restore), the day's counts stay.
   */
  resetLive(now: number): void {
    this.rollOver(now);
    this.inQueue.clear();
    for (const a of this.agents.values()) Object.assign(a, { status: { kind: "logged-out" }, statusSince: now, state: "idle", stateSince: now });
  }

  queue(queue: string, now: number): QueueFigureSnapshot | undefined {
    this.rollOver(now);
    const c = this.counts.get(queue);
    if (c === undefined) return undefined;
    let loggedIn = 0;
    let available = 0;
    let onCall = 0;
    for (const id of this.config.queues[queue]?.members ?? []) {
      const a = this.agents.get(id);
      if (a === undefined || a.status.kind === "logged-out") continue;
      loggedIn++;
      if (a.status.kind === "available" && a.state === "idle") available++;
      if (a.state === "in-call") onCall++;
    }
    let waiting = 0;
    let oldest = Infinity;
    for (const w of this.inQueue.values()) {
      if (w.queue !== queue) continue;
      waiting++;
      oldest = Math.min(oldest, w.at);
    }
    return {
      queue,
      loggedIn,
      available,
      onCall,
      waiting,
      oldestWaitSeconds: waiting === 0 ? null : seconds(now - oldest),
      offered: c.offered,
      answered: c.answered,
      abandoned: c.abandoned,
      overflowed: c.overflowed,
      refused: c.refused,
      callbacksRequested: c.cbRequested,
      callbacksAnswered: c.cbAnswered,
      callbacksDropped: c.cbDropped,
      callbacksMerged: c.cbMerged,
      serviceLevelSeconds: this.serviceLevelMs(queue) / 1000,
      answeredWithinServiceLevel: c.withinSL,
      serviceLevelPercent: c.answered === 0 ? null : Math.round((1000 * c.withinSL) / c.answered) / 10,
      averageSpeedOfAnswerSeconds: c.answered === 0 ? null : seconds(c.waitMs / c.answered),
      averageHandleTimeSeconds: c.handled === 0 ? null : seconds(c.handleMs / c.handled),
      since: new Date(this.day).toISOString(),
    };
  }

  agent(agent: string, now: number): AgentFigureSnapshot | undefined {
    this.rollOver(now);
    const a = this.agents.get(agent);
    if (a === undefined) return undefined;
    return {
      agent,
      status: a.status,
      statusSince: new Date(a.statusSince).toISOString(),
      statusSeconds: seconds(now - a.statusSince),
      state: a.state,
      stateSince: new Date(a.stateSince).toISOString(),
      stateSeconds: seconds(now - a.stateSince),
      callsAnswered: a.callsAnswered,
      talkTimeSeconds: seconds(a.talkMs),
      queues: [...this.queuesOf(agent)],
    };
  }

  private agentChanged(e: Extract<FigureEvent, { type: "agent" }>): void {
    const a = this.agents.get(e.agent);
    if (a === undefined) return;
    if (statusKey(a.status) !== statusKey(e.status)) {
      a.status = e.status;
      a.statusSince = e.at;
    }
    if (a.state !== e.state) {
      a.state = e.state;
      a.stateSince = e.at;
    }
  }

  private serviceLevelMs(queue: string): number {
    return (this.config.queues[queue]?.serviceLevelSeconds ?? DEFAULT_SERVICE_LEVEL_SECONDS) * 1000;
  }

  /** At the first event or read of a new day the day's counts start from zero; live state stays. */
  private rollOver(now: number): void {
    const day = this.config.dayStart(now);
    if (day <= this.day) return;
    this.day = day;
    for (const q of this.counts.keys()) this.counts.set(q, zeroCounts());
    for (const a of this.agents.values()) Object.assign(a, { callsAnswered: 0, talkMs: 0 });
  }
}

function statusKey(s: AgentStatus): string {
  return s.kind === "on-break" ? `on-break:${s.reason}` : s.kind;
}

/** Seconds with one decimal. */
function seconds(ms: number): number {
  return Math.max(0, Math.round(ms / 100) / 10);
}

/** The journal event for a figure event (`at` is the journal's own timestamp). */
export function toJournal(e: FigureEvent): { type: string; callId: string | null; data: Record<string, unknown> } {
  const type = FIGURE_JOURNAL_TYPES[e.type];
  switch (e.type) {
    case "agent":
      return { type, callId: null, data: { agent: e.agent, status: e.status, state: e.state } };
    case "joined":
      return { type, callId: e.callId, data: { queue: e.queue, priority: e.priority } };
    case "offered":
      return { type, callId: e.callId, data: { queue: e.queue, agents: [...e.agents], waitedMs: e.waitedMs } };
    case "answered":
      return { type, callId: e.callId, data: { queue: e.queue, agent: e.agent, waitMs: e.waitMs } };
    case "abandoned":
      return { type, callId: e.callId, data: { queue: e.queue, waitMs: e.waitMs } };
    case "overflowed":
      return { type, callId: e.callId, data: { queue: e.queue, to: e.to, waitMs: e.waitMs } };
    case "refused":
      return { type, callId: e.callId, data: { queue: e.queue, reason: e.reason } };
    case "ended":
      return { type, callId: e.callId, data: { queue: e.queue, agent: e.agent, handleMs: e.handleMs } };
    case "taken-over":
      return { type, callId: e.callId, data: { queue: e.queue, agent: e.agent, supervisor: e.supervisor, handleMs: e.handleMs } };
    // The request's call id is also in the data: the answer and the drop are journaled on the callback call.
    case "callback-requested":
      return { type, callId: e.callId, data: { queue: e.queue, requestCallId: e.callId, waitMs: e.waitMs } };
    case "callback-answered":
      return { type, callId: e.callId, data: { queue: e.queue, requestCallId: e.callId, agent: e.agent, waitMs: e.waitMs } };
    case "callback-dropped":
      return { type, callId: e.callId, data: { queue: e.queue, requestCallId: e.callId, attempts: e.attempts } };
    // Journaled on the new call.
    case "callback-merged":
      return { type, callId: e.into, data: { queue: e.queue, requestCallId: e.callId } };
  }
}

const JOURNAL_TO_FIGURE = new Map<string, FigureEventType>(Object.entries(FIGURE_JOURNAL_TYPES).map(([k, v]) => [v, k as FigureEventType]));

/**
 * The figure event a journal event records, or null (another event type, or one written
 * before the field this needs existed: such events are skipped, not guessed).
 */
export function fromJournal(j: { at: number; type: string; callId: string | null; data: Record<string, unknown> }): FigureEvent | null {
  const kind = JOURNAL_TO_FIGURE.get(j.type);
  if (kind === undefined) return null;
  const d = j.data;
  const str = (k: string): string | null => (typeof d[k] === "string" ? (d[k] as string) : null);
  const num = (k: string): number | null => (typeof d[k] === "number" && Number.isFinite(d[k]) ? (d[k] as number) : null);
  const at = j.at;
  if (kind === "agent") {
    const agent = str("agent");
    const state = str("state");
    const status = parseStatus(d["status"]);
    if (agent === null || state === null || status === null) return null;
    return { type: "agent", at, agent, status, state: state as AgentState };
  }
  const queue = str("queue");
  const callId = str("requestCallId") ?? j.callId;
  if (queue === null || callId === null) return null;
  switch (kind) {
    case "joined":
      return { type: kind, at, queue, callId, priority: num("priority") ?? 0 };
    case "offered": {
      const agents = Array.isArray(d["agents"]) ? d["agents"].filter((x): x is string => typeof x === "string") : [];
      return { type: kind, at, queue, callId, agents, waitedMs: num("waitedMs") ?? 0 };
    }
    case "answered": {
      const agent = str("agent");
      const waitMs = num("waitMs");
      return agent === null || waitMs === null ? null : { type: kind, at, queue, callId, agent, waitMs };
    }
    case "abandoned": {
      const waitMs = num("waitMs");
      return waitMs === null ? null : { type: kind, at, queue, callId, waitMs };
    }
    case "overflowed": {
      const waitMs = num("waitMs");
      return waitMs === null ? null : { type: kind, at, queue, callId, to: str("to") ?? "", waitMs };
    }
    case "refused":
      return { type: kind, at, queue, callId, reason: str("reason") ?? "" };
    case "ended": {
      const agent = str("agent");
      const handleMs = num("handleMs");
      return agent === null || handleMs === null ? null : { type: kind, at, queue, callId, agent, handleMs };
    }
    case "taken-over": {
      const agent = str("agent");
      const supervisor = str("supervisor");
      const handleMs = num("handleMs");
      return agent === null || supervisor === null || handleMs === null ? null : { type: kind, at, queue, callId, agent, supervisor, handleMs };
    }
    case "callback-requested": {
      const waitMs = num("waitMs");
      return waitMs === null ? null : { type: kind, at, queue, callId, waitMs };
    }
    case "callback-answered": {
      const agent = str("agent");
      const waitMs = num("waitMs");
      return agent === null || waitMs === null ? null : { type: kind, at, queue, callId, agent, waitMs };
    }
    case "callback-dropped":
      return { type: kind, at, queue, callId, attempts: num("attempts") ?? 0 };
    case "callback-merged":
      return j.callId === null || str("requestCallId") === null ? null : { type: kind, at, queue, callId, into: j.callId };
  }
}

function parseStatus(v: unknown): AgentStatus | null {
  if (v === null || typeof v !== "object") return null;
  const s = v as Record<string, unknown>;
  if (s["kind"] === "logged-out" || s["kind"] === "available") return { kind: s["kind"] };
  if (s["kind"] === "on-break") return { kind: "on-break", reason: typeof s["reason"] === "string" ? s["reason"] : "break" };
  return null;
}

/**
 * Start of the local day containing `now` in `timeZone` (IANA name), or in the process's
 * own zone when undefined. Built on Intl: the wall-clock time of `now` is subtracted, so on a
 * day whose midnight a DST change skips the day starts at the first wall-clock minute.
 */
export function localDayStart(timeZone: string | undefined): (now: number) => number {
  const fmt = new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", hour: "2-digit", minute: "2-digit", second: "2-digit" });
  return (now) => {
    const parts: Record<string, string> = {};
    for (const p of fmt.formatToParts(now)) parts[p.type] = p.value;
    const sinceMidnight = ((Number(parts["hour"]) % 24) * 3600 + Number(parts["minute"]) * 60 + Number(parts["second"])) * 1000 + (((now % 1000) + 1000) % 1000);
    return now - sinceMidnight;
  };
}
