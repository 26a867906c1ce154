// AcdEngine: queues, agents and offers as one sans-IO state machine (STYLE.md §1).
// handle(input, now) → actions; nextDeadline() says when to send the next tick.
import {
  DEFAULT_FAILURE_POLICY,
  type AcdAction,
  type AcdConfig,
  type AcdInput,
  type AgentConfig,
  type AgentState,
  type AgentStatus,
  type FailurePolicy,
  type OfferFailure,
  type QueueConfig,
} from "./acd-types.js";
import { STRATEGIES, type AgentCandidate, type OfferMode, type QueueMemory, type StrategySettings, type WaitingCall } from "./strategies/index.js";
import { queueStats } from "./queue-stats.js";

export interface AgentRecord {
  readonly cfg: AgentConfig;
  status: AgentStatus;
  state: AgentState;
  registered: boolean;
  /** The call this agent is offered, or talking to. */
  callId: string | undefined;
  /** Queue of that call (wrap-up time, stats). */
  callQueue: string | undefined;
  wrapUntil: number;
  answeredAt: number;
  callsAnswered: number;
  talkTimeMs: number;
  idleSince: number;
  misses: Record<OfferFailure, number>;
}

export interface CallRecord {
  readonly id: string;
  readonly caller: string;
  readonly queue: string;
  readonly basePriority: number;
  priority: number;
  readonly joinedAt: number;
  /** Arrival order: the last FIFO tie-break. */
  readonly seq: number;
  offer: { agents: Set<string>; mode: OfferMode; deadline: number } | undefined;
  /** A strategy asked to be ranked again then (skill widening, sticky hold). */
  retryAt: number | undefined;
}

export interface Member {
  readonly agent: string;
  readonly skillLevel: number;
  readonly order: number;
}

export interface QueueCounters {
  joined: number;
  answered: number;
  abandoned: number;
  overflowed: number;
  refused: number;
}

const DEFAULT_RING_TIMEOUT_MS = 15_000;

export class AcdEngine {
  private readonly agentMap = new Map<string, AgentRecord>();
  private readonly callMap = new Map<string, CallRecord>();
  private readonly queues = new Map<string, QueueConfig>();
  private readonly memberMap = new Map<string, Member[]>();
  private readonly counterMap = new Map<string, QueueCounters>();
  private readonly memory = new Map<string, QueueMemory>();
  private readonly lastServed = new Map<string, { agentId: string; at: number }>();
  private readonly policy: FailurePolicy;
  private seq = 0;
  private dirty = new Set<string>();

  constructor(
    config: AcdConfig,
    private readonly random: () => number,
  ) {
    this.policy = { ...DEFAULT_FAILURE_POLICY, ...config.failurePolicy };
    for (const q of config.queues) {
      this.queues.set(q.id, q);
      this.memberMap.set(q.id, []);
      this.counterMap.set(q.id, { joined: 0, answered: 0, abandoned: 0, overflowed: 0, refused: 0 });
    }
    for (const a of config.agents) {
      this.agentMap.set(a.id, {
        cfg: a,
        status: { kind: "logged-out" },
        state: "idle",
        registered: false,
        callId: undefined,
        callQueue: undefined,
        wrapUntil: 0,
        answeredAt: 0,
        callsAnswered: 0,
        talkTimeMs: 0,
        idleSince: 0,
        misses: { "no-answer": 0, busy: 0, rejected: 0 },
      });
      for (const m of a.memberships) this.memberMap.get(m.queue)?.push({ agent: a.id, skillLevel: m.skillLevel ?? 1, order: m.order ?? 0 });
    }
  }

  /** Read-only views for stats, the console and tests; the engine alone changes them. */
  get agents(): ReadonlyMap<string, Readonly<AgentRecord>> {
    return this.agentMap;
  }
  get calls(): ReadonlyMap<string, Readonly<CallRecord>> {
    return this.callMap;
  }
  get members(): ReadonlyMap<string, readonly Member[]> {
    return this.memberMap;
  }
  get counters(): ReadonlyMap<string, Readonly<QueueCounters>> {
    return this.counterMap;
  }

  handle(input: AcdInput, now: number): AcdAction[] {
    const out: AcdAction[] = [];
    this.apply(input, now, out);
    this.expire(now, out);
    this.dispatch(now, out);
    for (const q of [...this.dirty].sort()) out.push({ type: "queue-stats", stats: queueStats(this, q) });
    this.dirty.clear();
    return out;
  }

  /** The earliest time a tick changes something: ring timeout, wrap-up end, max wait, strategy retry. */
  nextDeadline(): number | undefined {
    let t = Number.POSITIVE_INFINITY;
    for (const a of this.agentMap.values()) if (a.state === "wrap-up") t = Math.min(t, a.wrapUntil);
    for (const c of this.callMap.values()) {
      if (c.offer !== undefined) t = Math.min(t, c.offer.deadline);
      else {
        const q = this.queues.get(c.queue)!;
        if (q.maxWaitMs !== undefined && q.overflow !== undefined) t = Math.min(t, c.joinedAt + q.maxWaitMs);
        if (c.retryAt !== undefined) t = Math.min(t, c.retryAt);
      }
    }
    return Number.isFinite(t) ? t : undefined;
  }

  /** Waiting (not offered) calls of a queue in service order. */
  waitingCalls(queue: string): string[] {
    return this.serviceOrder()
      .filter((c) => c.queue === queue)
      .map((c) => c.id);
  }

  /** Eligible = logged in and available, idle (so past wrap-up), registered (STYLE.md §2). */
  eligible(a: Readonly<AgentRecord>): boolean {
    return a.status.kind === "available" && a.state === "idle" && a.registered;
  }

  private apply(input: AcdInput, now: number, out: AcdAction[]): void {
    switch (input.type) {
      case "agent-login":
      case "agent-available":
        return this.withAgent(input.agent, (a) => {
          if (input.type === "agent-login" && a.status.kind === "logged-out") Object.assign(a, { callsAnswered: 0, talkTimeMs: 0, idleSince: now });
          this.setAgent(a, { kind: "available" }, a.state, out);
        });
      case "agent-logout":
        return this.withAgent(input.agent, (a) => this.withdraw(a, { kind: "logged-out" }, out));
      case "agent-break":
        return this.withAgent(input.agent, (a) => this.withdraw(a, { kind: "on-break", reason: input.reason }, out));
      case "agent-registered":
        return this.withAgent(input.agent, (a) => {
          a.registered = input.registered;
          if (!input.registered) this.withdraw(a, a.status, out);
          this.markAgent(a);
        });
      case "call-joined":
        return this.join(input.queue, input.call.id, input.call.caller, input.call.priority ?? 0, now, out);
      case "call-left":
        return this.leave(input.callId, out);
      case "offer-ringing":
        return this.withAgent(input.agent, (a) => {
          if (a.state === "offered") this.setAgent(a, a.status, "ringing", out);
        });
      case "offer-answered":
        return this.withAgent(input.agent, (a) => this.answer(a, now, out));
      case "offer-failed":
        return this.withAgent(input.agent, (a) => {
          if (a.state === "offered" || a.state === "ringing") this.fail(a, input.reason, out);
        });
      case "call-ended":
        return this.withAgent(input.agent, (a) => this.endCall(a, now, out));
      case "tick":
        return;
    }
  }

  private withAgent(id: string, f: (a: AgentRecord) => void): void {
    const a = this.agentMap.get(id);
    if (a !== undefined) f(a); // unknown agents are ignored: config is the only source of agents
  }

  private join(queue: string, id: string, caller: string, priority: number, now: number, out: AcdAction[]): void {
    const q = this.queues.get(queue);
    if (q === undefined) return void out.push({ type: "call-refused", callId: id, queue, reason: "unknown-queue" });
    const counters = this.counterMap.get(queue)!;
    this.dirty.add(queue);
    const refuse = (reason: "queue-full" | "no-agents" | "duplicate-call"): void => {
      counters.refused++;
      out.push({ type: "call-refused", callId: id, queue, reason });
    };
    if (this.callMap.has(id)) return refuse("duplicate-call");
    const inQueue = [...this.callMap.values()].filter((c) => c.queue === queue).length;
    if (q.maxLength !== undefined && inQueue >= q.maxLength) return refuse("queue-full");
    const loggedIn = this.memberMap.get(queue)!.some((m) => this.agentMap.get(m.agent)!.status.kind !== "logged-out");
    if (q.joinWhenNoAgents === false && !loggedIn) return refuse("no-agents");
    counters.joined++;
    this.callMap.set(id, { id, caller, queue, basePriority: priority, priority, joinedAt: now, seq: this.seq++, offer: undefined, retryAt: undefined });
  }

  private leave(callId: string, out: AcdAction[]): void {
    const c = this.callMap.get(callId);
    if (c === undefined) return;
    if (c.offer !== undefined) this.cancelOffer(c, [...c.offer.agents], out);
    this.callMap.delete(callId);
    this.counterMap.get(c.queue)!.abandoned++;
    this.dirty.add(c.queue);
  }

  private answer(a: AgentRecord, now: number, out: AcdAction[]): void {
    if (a.state !== "offered" && a.state !== "ringing") return; // late or stray answer: nothing to take
    const c = this.callMap.get(a.callId!)!;
    c.offer!.agents.delete(a.cfg.id);
    if (c.offer!.agents.size > 0) this.cancelOffer(c, [...c.offer!.agents], out); // ring-all: the others stop
    this.callMap.delete(c.id);
    a.answeredAt = now;
    a.callsAnswered++;
    a.misses = { "no-answer": 0, busy: 0, rejected: 0 };
    this.lastServed.set(c.caller, { agentId: a.cfg.id, at: now });
    this.counterMap.get(c.queue)!.answered++;
    this.dirty.add(c.queue);
    this.setAgent(a, a.status, "in-call", out);
  }

  private endCall(a: AgentRecord, now: number, out: AcdAction[]): void {
    if (a.state !== "in-call") return;
    a.talkTimeMs += Math.max(0, now - a.answeredAt);
    const wrap = a.cfg.wrapUpMs ?? this.queues.get(a.callQueue!)?.wrapUpMs ?? 0;
    a.callId = undefined;
    a.callQueue = undefined;
    a.wrapUntil = now + wrap;
    a.idleSince = now + wrap;
    this.setAgent(a, a.status, wrap > 0 ? "wrap-up" : "idle", out);
  }

  /** Operator status change; an agent that was offered a call is taken off the offer (no penalty). */
  private withdraw(a: AgentRecord, status: AgentStatus, out: AcdAction[]): void {
    if (a.state === "offered" || a.state === "ringing") {
      const c = this.callMap.get(a.callId!)!;
      this.cancelOffer(c, [a.cfg.id], out);
    }
    this.setAgent(a, status, a.state, out);
  }

  /** One agent's offer failed (reported by the switch, or ring timeout). */
  private fail(a: AgentRecord, reason: OfferFailure, out: AcdAction[]): void {
    const c = this.callMap.get(a.callId!)!;
    this.release(c, a, out);
    a.misses[reason]++;
    const limit = this.policy[reason].breakAfter;
    if (limit !== null && a.misses[reason] >= limit) {
      a.misses[reason] = 0;
      this.setAgent(a, { kind: "on-break", reason }, a.state, out);
    }
    if (c.offer === undefined) {
      // The caller goes back to the head of its queue at raised priority, not the tail (issue 4).
      c.priority = c.basePriority + (this.queues.get(c.queue)!.requeuePriorityRaise ?? 1);
    }
  }

  /** Stop offering `agents` this call (cancel-offer action); the call waits again when nobody is left. */
  private cancelOffer(c: CallRecord, agents: string[], out: AcdAction[]): void {
    out.push({ type: "cancel-offer", callId: c.id, agents: [...agents].sort() });
    for (const id of agents) this.release(c, this.agentMap.get(id)!, out);
  }

  private release(c: CallRecord, a: AgentRecord, out: AcdAction[]): void {
    c.offer?.agents.delete(a.cfg.id);
    if (c.offer?.agents.size === 0) c.offer = undefined;
    a.callId = undefined;
    a.callQueue = undefined;
    this.setAgent(a, a.status, "idle", out);
    this.dirty.add(c.queue);
  }

  private setAgent(a: AgentRecord, status: AgentStatus, state: AgentState, out: AcdAction[]): void {
    const same = a.state === state && a.status.kind === status.kind && (a.status.kind !== "on-break" || status.kind !== "on-break" || a.status.reason === status.reason);
    a.status = status;
    a.state = state;
    if (same) return;
    out.push({ type: "agent-state-changed", agent: a.cfg.id, status, state });
    this.markAgent(a);
  }

  private markAgent(a: AgentRecord): void {
    for (const m of a.cfg.memberships) if (this.queues.has(m.queue)) this.dirty.add(m.queue);
  }

  /** Timers: wrap-up ends, ring timeouts (= no-answer), max wait (overflow). */
  private expire(now: number, out: AcdAction[]): void {
    for (const a of this.agentMap.values()) if (a.state === "wrap-up" && now >= a.wrapUntil) this.setAgent(a, a.status, "idle", out);
    for (const c of [...this.callMap.values()].sort((x, y) => x.seq - y.seq)) {
      if (c.offer !== undefined && now >= c.offer.deadline) {
        const timedOut = [...c.offer.agents].sort();
        out.push({ type: "cancel-offer", callId: c.id, agents: timedOut });
        for (const id of timedOut) this.fail(this.agentMap.get(id)!, "no-answer", out);
      }
      const q = this.queues.get(c.queue)!;
      if (c.offer === undefined && q.maxWaitMs !== undefined && q.overflow !== undefined && now >= c.joinedAt + q.maxWaitMs) {
        this.callMap.delete(c.id);
        this.counterMap.get(c.queue)!.overflowed++;
        this.dirty.add(c.queue);
        out.push({ type: "call-overflow", callId: c.id, queue: c.queue, destination: q.overflow });
      }
    }
  }

  /** Highest priority class first; FIFO (join time, then arrival) within a class, across all queues. */
  private serviceOrder(): CallRecord[] {
    return [...this.callMap.values()].filter((c) => c.offer === undefined).sort((x, y) => y.priority - x.priority || x.joinedAt - y.joinedAt || x.seq - y.seq);
  }

  /** Offer each waiting call, in service order, to the best eligible agent(s) of its queue. */
  private dispatch(now: number, out: AcdAction[]): void {
    for (const c of this.serviceOrder()) {
      c.retryAt = undefined;
      const candidates = this.candidates(c.queue);
      if (candidates.length === 0) continue;
      const q = this.queues.get(c.queue)!;
      const ranked = STRATEGIES[q.strategy](candidates, this.waitingView(c), {
        now,
        random: this.random,
        memory: this.memory.get(c.queue) ?? {},
        settings: this.settings(q),
        fallback: STRATEGIES[q.fallbackStrategy ?? "longest-idle"],
        ...(this.lastServed.has(c.caller) ? { lastServed: this.lastServed.get(c.caller)! } : {}),
      });
      c.retryAt = ranked.retryAt;
      // Only agents the strategy was given may be offered: a strategy cannot conjure a busy agent.
      const allowed = new Set(candidates.map((x) => x.id));
      const picked = ranked.agents.filter((id) => allowed.has(id));
      const agents = ranked.mode === "all" ? [...new Set(picked)] : picked.slice(0, 1);
      if (agents.length === 0) continue;
      this.offer(c, agents, ranked.mode, now, out);
    }
  }

  private offer(c: CallRecord, agents: string[], mode: OfferMode, now: number, out: AcdAction[]): void {
    const q = this.queues.get(c.queue)!;
    c.offer = { agents: new Set(agents), mode, deadline: now + (q.ringTimeoutMs ?? DEFAULT_RING_TIMEOUT_MS) };
    c.retryAt = undefined;
    out.push({ type: "offer", callId: c.id, queue: c.queue, caller: c.caller, agents, mode, waitedMs: now - c.joinedAt });
    for (const id of agents) {
      const a = this.agentMap.get(id)!;
      a.callId = c.id;
      a.callQueue = c.queue;
      this.setAgent(a, a.status, "offered", out);
    }
    const first = this.memberMap.get(c.queue)!.find((m) => m.agent === agents[0]);
    if (first !== undefined) this.memory.set(c.queue, { lastOffered: { id: first.agent, order: first.order } });
    this.dirty.add(c.queue);
  }

  private candidates(queue: string): AgentCandidate[] {
    const out: AgentCandidate[] = [];
    for (const m of this.memberMap.get(queue)!) {
      const a = this.agentMap.get(m.agent)!;
      if (!this.eligible(a)) continue;
      out.push({ id: m.agent, skillLevel: m.skillLevel, order: m.order, weight: a.cfg.weight ?? 1, callsAnswered: a.callsAnswered, talkTimeMs: a.talkTimeMs, idleSince: a.idleSince });
    }
    return out;
  }

  private waitingView(c: CallRecord): WaitingCall {
    return { id: c.id, caller: c.caller, queue: c.queue, priority: c.priority, joinedAt: c.joinedAt };
  }

  private settings(q: QueueConfig): StrategySettings {
    return { skillWaitMs: q.skillWaitMs ?? 0, stickyWindowMs: q.stickyWindowMs ?? 0, stickyHoldMs: q.stickyHoldMs ?? 0 };
  }
}
