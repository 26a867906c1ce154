// AcdEngine: queues, agents and offers as one sans-IO state machine (STYLE.md §1).
// handle(input, now) → actions; nextDeadline() says when to send the next tick.
import {
  DEFAULT_FAILURE_POLICY,
  type AcdAction,
  type AcdConfig,
  type AcdInput,
  type AgentState,
  type AgentStatus,
  type FailurePolicy,
  type JoiningCall,
  type OfferFailure,
  type QueueConfig,
} from "./acd-types.js";
import { STRATEGIES, type AgentCandidate, type OfferMode, type QueueMemory, type StrategySettings, type WaitingCall } from "./strategies/index.js";
import { queueStats } from "./queue-stats.js";
import { QueueIndex } from "./queue-index.js";
import { ServiceHeap } from "./service-heap.js";

export type { AgentRecord, CallRecord, Member, QueueCounters } from "./acd-records.js";
import type { AgentRecord, CallRecord, Member, QueueCounters } from "./acd-records.js";

const DEFAULT_RING_TIMEOUT_MS = 15_000;

export class AcdEngine {
  private readonly agentMap = new Map<string, AgentRecord>();
  private readonly callMap = new Map<string, CallRecord>();
  private readonly queues = new Map<string, QueueConfig>();
  private readonly memberMap = new Map<string, Member[]>();
  private readonly counterMap = new Map<string, QueueCounters>();
  private readonly memory = new Map<string, QueueMemory>();
  /**
   * sticky queues only: queue → caller → the agent who last answered them in that queue, and
   * when. Each inner map is in answer order (an entry is moved to the end when renewed), so
   * entries past the queue's sticky window are pruned from its front as answers come in.
   */
  private readonly lastServed = new Map<string, Map<string, { agentId: string; at: number }>>();
  private readonly policy: FailurePolicy;
  private seq = 0;
  private dirty = new Set<string>();
  // Indexes kept in step with the maps above (see queue-index.ts): no input scans every call.
  private readonly index = new Map<string, QueueIndex>();
  /** Each agent's membership slots in configured queues: (queue index, slot in its members). */
  private readonly slots = new Map<AgentRecord, { q: QueueIndex; i: number }[]>();
  private readonly agentOrder = new Map<AgentRecord, number>();
  private readonly eligibleAgents = new Set<AgentRecord>();
  private readonly loggedInAgents = new Set<AgentRecord>();
  private readonly wrapping = new Set<AgentRecord>();
  private readonly offering = new Set<CallRecord>();

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
      const rec: AgentRecord = {
        cfg: a,
        status: { kind: "logged-out" },
        state: "idle",
        registered: false,
        inUse: false,
        callId: undefined,
        callQueue: undefined,
        wrapUntil: 0,
        answeredAt: 0,
        callsAnswered: 0,
        talkTimeMs: 0,
        idleSince: 0,
        misses: { "no-answer": 0, busy: 0, rejected: 0, unreachable: 0 },
      };
      this.agentMap.set(a.id, rec);
      this.agentOrder.set(rec, this.agentOrder.size);
      this.slots.set(rec, []);
      for (const m of a.memberships) this.memberMap.get(m.queue)?.push({ agent: a.id, skillLevel: m.skillLevel ?? 1, order: m.order ?? 0, weight: m.weight ?? a.weight ?? 1 });
    }
    for (const [id, members] of this.memberMap) {
      const qi = new QueueIndex(this.queues.get(id)!, members);
      this.index.set(id, qi);
      members.forEach((m, i) => {
        const rec = this.agentMap.get(m.agent)!;
        this.slots.get(rec)!.push({ q: qi, i });
        if (!qi.memberOf.has(m.agent)) qi.memberOf.set(m.agent, m);
      });
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
    for (const a of this.wrapping) t = Math.min(t, a.wrapUntil);
    for (const c of this.offering) t = Math.min(t, c.offer!.deadline);
    for (const qi of this.index.values()) {
      const oldest = qi.overflows ? qi.oldestWaiting() : undefined;
      if (oldest !== undefined) t = Math.min(t, oldest.joinedAt + qi.cfg.maxWaitMs!);
      for (const c of qi.retrying) t = Math.min(t, c.retryAt!);
      for (const c of qi.deferred) t = Math.min(t, c.callback!.notBefore);
    }
    return Number.isFinite(t) ? t : undefined;
  }

  /** Waiting (not offered) calls of a queue in service order. */
  waitingCalls(queue: string): string[] {
    return [...(this.index.get(queue)?.waiting ?? [])].map((c) => c.id);
  }

  /**
   * 1-based place of a waiting call in its queue's service order (priority class, then join
   * time): what the caller is told. Undefined for a call being offered or not in a queue.
   * A binary search in the waiting list, so cheap enough for every announcement.
   */
  position(callId: string): number | undefined {
    const c = this.callMap.get(callId);
    if (c === undefined || c.offer !== undefined) return undefined;
    return this.index.get(c.queue)!.waiting.lowerBound(c) + 1;
  }

  /** A queue's live counts, kept by the engine's indexes (queue-stats.ts adds the counters). */
  liveFigures(queue: string): { waiting: number; offering: number; oldestJoinedAt: number | null; loggedIn: number; available: number } {
    const qi = this.index.get(queue);
    if (qi === undefined) return { waiting: 0, offering: 0, oldestJoinedAt: null, loggedIn: 0, available: 0 };
    return { waiting: qi.waiting.length, offering: qi.calls.length - qi.waiting.length, oldestJoinedAt: qi.calls.at(0)?.joinedAt ?? null, loggedIn: qi.loggedIn, available: qi.eligible.size };
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
          this.comeBack(a, now);
          this.setAgent(a, { kind: "available" }, a.state, out);
        });
      case "agent-logout":
        return this.withAgent(input.agent, (a) => {
          const wasLoggedIn = a.status.kind !== "logged-out";
          this.withdraw(a, { kind: "logged-out" }, out);
          if (wasLoggedIn) this.leaveEmptyQueues(a, out);
        });
      case "agent-break":
        return this.withAgent(input.agent, (a) => {
          if (a.status.kind === "logged-out") this.comeBack(a, now); // logging in on break is a login too
          this.withdraw(a, { kind: "on-break", reason: input.reason }, out);
        });
      case "agent-registered":
        return this.withAgent(input.agent, (a) => {
          a.registered = input.registered;
          this.track(a);
          if (!input.registered) this.withdraw(a, a.status, out);
          this.markAgent(a);
        });
      case "agent-in-use":
        return this.withAgent(input.agent, (a) => {
          a.inUse = input.inUse;
          this.markAgent(a); // an agent back from a direct call can take waiting calls: dispatch runs after apply
        });
      case "call-joined":
        return this.join(input.queue, input.call, now, out);
      case "call-left":
        return this.leave(input.callId, out);
      case "call-to-callback":
        return this.toCallback(input.callId, input.number, out);
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

  /**
   * An agent leaving logged-out (login, *63, force-available, a break from logged-out) logs in:
   * the per-login figures start again. Back from a break (or logged-out), idle time starts
   * again: longest-idle counts idle time while available, not time on break. An agent still
   * in wrap-up (idleSince = its end) or in a call (set when it ends) keeps that.
   */
  private comeBack(a: AgentRecord, now: number): void {
    if (a.status.kind === "available") return;
    if (a.status.kind === "logged-out") Object.assign(a, { callsAnswered: 0, talkTimeMs: 0, misses: { "no-answer": 0, busy: 0, rejected: 0, unreachable: 0 } });
    a.idleSince = Math.max(a.idleSince, now);
  }

  private withAgent(id: string, f: (a: AgentRecord) => void): void {
    const a = this.agentMap.get(id);
    if (a !== undefined) f(a); // unknown agents are ignored: config is the only source of agents
  }

  private join(queue: string, call: JoiningCall, now: number, out: AcdAction[]): void {
    const { id, caller } = call;
    const priority = call.priority ?? 0;
    // A re-join (callback retry, restart) keeps its original place: its join time, capped at now.
    const rejoin = call.joinedAt !== undefined;
    const q = this.queues.get(queue);
    if (q === undefined) return void out.push({ type: "call-refused", callId: id, queue, reason: "unknown-queue" });
    const counters = this.counterMap.get(queue)!;
    this.dirty.add(queue);
    const refuse = (reason: "queue-full" | "no-agents" | "duplicate-call"): void => {
      counters.refused++;
      out.push({ type: "call-refused", callId: id, queue, reason });
    };
    if (this.callMap.has(id)) return refuse("duplicate-call");
    const qi = this.index.get(queue)!;
    // A callback already promised is never refused: the length and no-agent rules are for new callers.
    const promised = rejoin && call.callback !== undefined;
    if (!promised && q.maxLength !== undefined && qi.calls.length >= q.maxLength) return refuse("queue-full");
    if (!promised && q.joinWhenNoAgents === false && qi.loggedIn === 0) {
      if (q.overflow === undefined) return refuse("no-agents");
      // Joined and sent on at once: counted as joined and overflowed, so joined = sum of outcomes.
      if (!rejoin) counters.joined++;
      counters.overflowed++;
      return void out.push({ type: "call-overflow", callId: id, queue, destination: q.overflow });
    }
    if (!rejoin) counters.joined++;
    const joinedAt = Math.min(call.joinedAt ?? now, now);
    const callback = call.callback === undefined ? undefined : { number: call.callback.number, notBefore: call.callback.notBefore ?? 0 };
    const c: CallRecord = { id, caller, queue, basePriority: priority, priority, joinedAt, seq: this.seq++, offer: undefined, retryAt: undefined, callback, tried: new Set() };
    this.callMap.set(id, c);
    qi.calls.insert(c);
    qi.waiting.insert(c);
    if (callback !== undefined && callback.notBefore > now) qi.deferred.add(c);
  }

  /** The caller asked for a callback: same record, same place; an offer in progress is withdrawn (no penalty). */
  private toCallback(callId: string, number: string, out: AcdAction[]): void {
    const c = this.callMap.get(callId);
    if (c === undefined || c.callback !== undefined) return;
    if (c.offer !== undefined) this.cancelOffer(c, [...c.offer.agents], out);
    c.callback = { number, notBefore: 0 };
    this.dirty.add(c.queue);
    out.push({ type: "callback-queued", callId: c.id, queue: c.queue, number, joinedAt: c.joinedAt, priority: c.basePriority });
  }

  private leave(callId: string, out: AcdAction[]): void {
    const c = this.callMap.get(callId);
    if (c === undefined) return;
    if (c.offer !== undefined) this.cancelOffer(c, [...c.offer.agents], out);
    this.dropCall(c);
    this.counterMap.get(c.queue)!.abandoned++;
    this.dirty.add(c.queue);
  }

  /**
   * leaveWhenNoAgents: `a` just logged out; in each of its queues that now has no logged-in
   * member, the waiting callers (oldest first) go to overflow or are refused. Callback entries
   * stay: nobody is on their line and they were promised a call.
   */
  private leaveEmptyQueues(a: AgentRecord, out: AcdAction[]): void {
    const queues = new Set(this.slots.get(a)!.map((s) => s.q));
    for (const qi of queues) {
      if (qi.loggedIn > 0 || qi.cfg.leaveWhenNoAgents !== true) continue;
      const q = qi.cfg;
      const counters = this.counterMap.get(q.id)!;
      for (const c of [...qi.calls]) {
        if (c.callback !== undefined) continue;
        // No member is logged in, so none is offered this call; a stale offer is withdrawn all the same.
        if (c.offer !== undefined) this.cancelOffer(c, [...c.offer.agents], out);
        this.dropCall(c);
        this.dirty.add(q.id);
        if (q.overflow !== undefined) {
          counters.overflowed++;
          out.push({ type: "call-overflow", callId: c.id, queue: q.id, destination: q.overflow });
        } else {
          counters.refused++;
          out.push({ type: "call-refused", callId: c.id, queue: q.id, reason: "no-agents-left" });
        }
      }
    }
  }

  private answer(a: AgentRecord, now: number, out: AcdAction[]): void {
    if (a.state !== "offered" && a.state !== "ringing") return; // late or stray answer: nothing to take
    const c = this.callMap.get(a.callId!)!;
    c.offer!.agents.delete(a.cfg.id);
    if (c.offer!.agents.size > 0) this.cancelOffer(c, [...c.offer!.agents], out); // ring-all: the others stop
    this.dropCall(c);
    a.answeredAt = now;
    a.callsAnswered++;
    a.misses = { "no-answer": 0, busy: 0, rejected: 0, unreachable: 0 };
    this.remember(c, a, now);
    this.counterMap.get(c.queue)!.answered++;
    this.dirty.add(c.queue);
    this.setAgent(a, a.status, "in-call", out);
  }

  /** sticky: who served this caller in this queue; entries past the window go (amortised: each is pruned once). */
  private remember(c: CallRecord, a: AgentRecord, now: number): void {
    const q = this.queues.get(c.queue)!;
    if (q.strategy !== "sticky") return;
    const window = q.stickyWindowMs ?? 0;
    let served = this.lastServed.get(c.queue);
    if (served === undefined) this.lastServed.set(c.queue, (served = new Map()));
    served.delete(c.caller);
    served.set(c.caller, { agentId: a.cfg.id, at: now });
    for (const [caller, e] of served) {
      if (now - e.at <= window) break;
      served.delete(caller);
    }
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
    c.tried.add(a.cfg.id);
    a.misses[reason]++;
    const limit = this.breakAfter(a, reason, c.queue);
    if (limit !== null && a.misses[reason] >= limit) {
      a.misses[reason] = 0;
      this.setAgent(a, { kind: "on-break", reason }, a.state, out);
    }
    if (c.offer === undefined) {
      // The caller goes back to the head of its queue at raised priority, not the tail (issue 4).
      // Its key changes: out of the service order under the old one, back in under the new one.
      const qi = this.index.get(c.queue)!;
      qi.waiting.remove(c);
      c.priority = c.basePriority + (qi.cfg.requeuePriorityRaise ?? 1);
      qi.waiting.insert(c);
    }
  }

  /** Consecutive failures of `reason` after which `a` goes on break: the agent's maxMisses (no-answer), the queue's breakAfter, the engine's policy. */
  private breakAfter(a: AgentRecord, reason: OfferFailure, queue: string): number | null {
    if (reason === "unreachable") return null; // the phone, not the agent, failed: never a break
    if (reason === "no-answer") return a.cfg.maxMisses !== undefined ? a.cfg.maxMisses : this.policy[reason].breakAfter;
    const own = this.queues.get(queue)?.breakAfter?.[reason];
    return own !== undefined ? own : this.policy[reason].breakAfter;
  }

  /** Stop offering `agents` this call (cancel-offer action); the call waits again when nobody is left. */
  private cancelOffer(c: CallRecord, agents: string[], out: AcdAction[]): void {
    out.push({ type: "cancel-offer", callId: c.id, agents: [...agents].sort() });
    for (const id of agents) this.release(c, this.agentMap.get(id)!, out);
  }

  private release(c: CallRecord, a: AgentRecord, out: AcdAction[]): void {
    c.offer?.agents.delete(a.cfg.id);
    if (c.offer?.agents.size === 0) {
      c.offer = undefined;
      this.offering.delete(c);
      this.index.get(c.queue)!.waiting.insert(c);
    }
    a.callId = undefined;
    a.callQueue = undefined;
    this.setAgent(a, a.status, "idle", out);
    this.dirty.add(c.queue);
  }

  private setAgent(a: AgentRecord, status: AgentStatus, state: AgentState, out: AcdAction[]): void {
    const same = a.state === state && a.status.kind === status.kind && (a.status.kind !== "on-break" || status.kind !== "on-break" || a.status.reason === status.reason);
    a.status = status;
    a.state = state;
    if (state === "wrap-up") this.wrapping.add(a);
    else this.wrapping.delete(a);
    this.track(a);
    if (same) return;
    out.push({ type: "agent-state-changed", agent: a.cfg.id, status, state });
    this.markAgent(a);
  }

  /** Keeps the per-queue eligible and logged-in slots in step with the agent's status, state and registration. */
  private track(a: AgentRecord): void {
    const eligible = this.eligible(a);
    if (eligible !== this.eligibleAgents.has(a)) {
      if (eligible) this.eligibleAgents.add(a);
      else this.eligibleAgents.delete(a);
      for (const s of this.slots.get(a)!) {
        if (eligible) s.q.eligible.add(s.i);
        else s.q.eligible.delete(s.i);
      }
    }
    const loggedIn = a.status.kind !== "logged-out";
    if (loggedIn !== this.loggedInAgents.has(a)) {
      if (loggedIn) this.loggedInAgents.add(a);
      else this.loggedInAgents.delete(a);
      for (const s of this.slots.get(a)!) s.q.loggedIn += loggedIn ? 1 : -1;
    }
  }

  /** The call is gone (answered, left, overflowed): out of every map and index. */
  private dropCall(c: CallRecord): void {
    const qi = this.index.get(c.queue)!;
    this.callMap.delete(c.id);
    qi.calls.remove(c);
    if (c.offer === undefined) qi.waiting.remove(c);
    qi.retrying.delete(c);
    qi.deferred.delete(c);
    this.offering.delete(c);
  }

  private markAgent(a: AgentRecord): void {
    for (const m of a.cfg.memberships) if (this.queues.has(m.queue)) this.dirty.add(m.queue);
  }

  /** Timers: wrap-up ends, ring timeouts (= no-answer), max wait (overflow); only the records that can be due are looked at. */
  private expire(now: number, out: AcdAction[]): void {
    const order = this.agentOrder;
    const woken = [...this.wrapping].filter((a) => now >= a.wrapUntil);
    for (const a of woken.sort((x, y) => order.get(x)! - order.get(y)!)) this.setAgent(a, a.status, "idle", out);
    for (const qi of this.index.values()) for (const c of qi.deferred) if (now >= c.callback!.notBefore) qi.deferred.delete(c);
    const due: CallRecord[] = [];
    for (const c of this.offering) if (now >= c.offer!.deadline) due.push(c);
    for (const qi of this.index.values()) {
      if (!qi.overflows) continue;
      for (const c of qi.calls) {
        if (now < c.joinedAt + qi.cfg.maxWaitMs!) break;
        // A callback entry has nobody on the line to send anywhere: it never overflows.
        if (c.offer === undefined && c.callback === undefined) due.push(c);
      }
    }
    for (const c of due.sort((x, y) => x.seq - y.seq)) {
      if (c.offer !== undefined && now >= c.offer.deadline) {
        const timedOut = [...c.offer.agents].sort();
        out.push({ type: "cancel-offer", callId: c.id, agents: timedOut });
        for (const id of timedOut) this.fail(this.agentMap.get(id)!, "no-answer", out);
      }
      const q = this.queues.get(c.queue)!;
      if (c.offer === undefined && c.callback === undefined && q.maxWaitMs !== undefined && q.overflow !== undefined && now >= c.joinedAt + q.maxWaitMs) {
        this.dropCall(c);
        this.counterMap.get(c.queue)!.overflowed++;
        this.dirty.add(c.queue);
        out.push({ type: "call-overflow", callId: c.id, queue: c.queue, destination: q.overflow });
      }
    }
  }

  /**
   * Offer each waiting call, in service order (highest priority class first, FIFO within a
   * class, across all queues), to the best eligible agent(s) of its queue. Only queues with an
   * eligible agent can offer, and an offer only ever removes eligible agents, so the pass is a
   * merge of those queues' waiting lists (a heap of their heads), stopping at a queue as soon
   * as it has nobody left; the calls it skips are the ones a full scan would rank with no
   * candidates, and like them their retry lapses.
   */
  private dispatch(now: number, out: AcdAction[]): void {
    const heads = new ServiceHeap();
    for (const qi of this.index.values()) {
      if (qi.eligible.size === 0) qi.lapseRetries(undefined);
      else if (qi.waiting.length > 0) heads.push({ qi, pos: 0 });
    }
    const cache = new Map<QueueIndex, AgentCandidate[]>();
    for (let cur = heads.peek(); cur !== undefined; cur = heads.peek()) {
      const { qi } = cur;
      const c = qi.waiting.at(cur.pos)!;
      if (qi.eligible.size === 0) {
        qi.lapseRetries(c);
        heads.pop();
        continue;
      }
      // A callback waiting out its retry time keeps its place but is passed over until then.
      if (c.callback !== undefined && c.callback.notBefore > now) {
        cur.pos++;
        if (cur.pos >= qi.waiting.length) heads.pop();
        else heads.headChanged();
        continue;
      }
      let candidates = cache.get(qi);
      if (candidates === undefined) cache.set(qi, (candidates = this.candidates(qi)));
      if (this.rankAndOffer(qi, c, candidates, now, out)) cache.clear(); // agents left: every cached list may be stale
      else cur.pos++;
      if (cur.pos >= qi.waiting.length) heads.pop();
      else heads.headChanged();
    }
  }

  /** Ranks one waiting call; true when it was offered (and so left the waiting list). */
  private rankAndOffer(qi: QueueIndex, c: CallRecord, all: AgentCandidate[], now: number, out: AcdAction[]): boolean {
    const q = qi.cfg;
    // An agent who already failed this call is passed over while another candidate is free;
    // when only such agents are free they are tried again (a call is never left waiting for
    // an agent who is not there).
    const fresh = c.tried.size === 0 ? all : all.filter((x) => !c.tried.has(x.id));
    const candidates = fresh.length > 0 ? fresh : all;
    // sticky: the agent who served this caller in this queue, unless that agent failed this call.
    const last = this.lastServed.get(c.queue)?.get(c.caller);
    const sticky = last !== undefined && !c.tried.has(last.agentId) ? { lastServed: last } : {};
    const ranked = STRATEGIES[q.strategy](candidates, this.waitingView(c), {
      now,
      random: this.random,
      memory: this.memory.get(c.queue) ?? {},
      settings: this.settings(q),
      fallback: STRATEGIES[q.fallbackStrategy ?? "longest-idle"],
      ...sticky,
    });
    c.retryAt = ranked.retryAt;
    if (c.retryAt !== undefined) qi.retrying.add(c);
    else qi.retrying.delete(c);
    // Only agents the strategy was given may be offered: a strategy cannot conjure a busy agent.
    const allowed = new Set(candidates.map((x) => x.id));
    const picked = ranked.agents.filter((id) => allowed.has(id));
    const agents = ranked.mode === "all" ? [...new Set(picked)] : picked.slice(0, 1);
    if (agents.length === 0) return false;
    this.offer(qi, c, agents, ranked.mode, now, out);
    return true;
  }

  private offer(qi: QueueIndex, c: CallRecord, agents: string[], mode: OfferMode, now: number, out: AcdAction[]): void {
    const q = qi.cfg;
    qi.waiting.remove(c);
    qi.retrying.delete(c);
    this.offering.add(c);
    // An agent's own ring time wins; ring-all rings until the longest of them has run out.
    const ringMs = Math.max(...agents.map((id) => this.agentMap.get(id)!.cfg.ringTimeoutMs ?? q.ringTimeoutMs ?? DEFAULT_RING_TIMEOUT_MS));
    c.offer = { agents: new Set(agents), mode, deadline: now + ringMs };
    c.retryAt = undefined;
    out.push({ type: "offer", callId: c.id, queue: c.queue, caller: c.caller, agents, mode, waitedMs: now - c.joinedAt, ...(c.callback !== undefined && { callback: { number: c.callback.number } }) });
    for (const id of agents) {
      const a = this.agentMap.get(id)!;
      a.callId = c.id;
      a.callQueue = c.queue;
      this.setAgent(a, a.status, "offered", out);
    }
    const first = qi.memberOf.get(agents[0]!);
    if (first !== undefined) this.memory.set(c.queue, { lastOffered: { id: first.agent, order: first.order } });
    this.dirty.add(c.queue);
  }

  private candidates(qi: QueueIndex): AgentCandidate[] {
    const ringInUse = qi.cfg.ringInUse ?? false;
    // An agent in another call stays eligible (other queues may ring in use) but is no candidate here.
    const members = qi.eligibleMembers().filter((m) => ringInUse || !this.agentMap.get(m.agent)!.inUse);
    return members.map((m) => {
      const a = this.agentMap.get(m.agent)!;
      return { id: m.agent, skillLevel: m.skillLevel, order: m.order, weight: m.weight, callsAnswered: a.callsAnswered, talkTimeMs: a.talkTimeMs, idleSince: a.idleSince };
    });
  }

  private waitingView(c: CallRecord): WaitingCall {
    return { id: c.id, caller: c.caller, queue: c.queue, priority: c.priority, joinedAt: c.joinedAt };
  }

  private settings(q: QueueConfig): StrategySettings {
    return { skillWaitMs: q.skillWaitMs ?? 0, stickyWindowMs: q.stickyWindowMs ?? 0, stickyHoldMs: q.stickyHoldMs ?? 0 };
  }
}
