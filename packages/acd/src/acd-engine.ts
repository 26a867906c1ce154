// AcdEngine: queues, agents and offers as one sans-IO state machine (STYLE.md §1).
// handle(input, now) → actions; nextDeadline() says when to send the next tick.
// The state lives in engine-state.ts; the engine's parts are plain functions over it:
// agent-transitions.ts (status and state), queue-entries.ts (join, leave, callback),
// offer-outcomes.ts (answer, failure policy), offer-dispatch.ts (offer selection) and
// engine-timers.ts (deadlines). This file routes each input to them.
import type { AcdAction, AcdConfig, AcdInput } from "./acd-types.js";
import { queueStats } from "./queue-stats.js";
import { createEngineState, type EngineState } from "./engine-state.js";
import { comeBack, endCall, isEligible, markAgent, setAgent, track, withdraw } from "./agent-transitions.js";
import { join, leave, leaveEmptyQueues, toCallback } from "./queue-entries.js";
import { answer, fail } from "./offer-outcomes.js";
import { dispatch } from "./offer-dispatch.js";
import { expire, nextDeadline } from "./engine-timers.js";

export type { AgentRecord, CallRecord, Member, QueueCounters } from "./acd-records.js";
import type { AgentRecord, CallRecord, Member, QueueCounters } from "./acd-records.js";

export class AcdEngine {
  private readonly s: EngineState;

  constructor(config: AcdConfig, random: () => number) {
    this.s = createEngineState(config, random);
  }

  /** Read-only views for stats, the console and tests; the engine alone changes them. */
  get agents(): ReadonlyMap<string, Readonly<AgentRecord>> {
    return this.s.agentMap;
  }
  get calls(): ReadonlyMap<string, Readonly<CallRecord>> {
    return this.s.callMap;
  }
  get members(): ReadonlyMap<string, readonly Member[]> {
    return this.s.memberMap;
  }
  get counters(): ReadonlyMap<string, Readonly<QueueCounters>> {
    return this.s.counterMap;
  }

  handle(input: AcdInput, now: number): AcdAction[] {
    const out: AcdAction[] = [];
    this.apply(input, now, out);
    expire(this.s, now, out);
    dispatch(this.s, now, out);
    for (const q of [...this.s.dirty].sort()) out.push({ type: "queue-stats", stats: queueStats(this, q) });
    this.s.dirty.clear();
    return out;
  }

  /** The earliest time a tick changes something: ring timeout, wrap-up end, max wait, strategy retry. */
  nextDeadline(): number | undefined {
    return nextDeadline(this.s);
  }

  /** Waiting (not offered) calls of a queue in service order. */
  waitingCalls(queue: string): string[] {
    return [...(this.s.index.get(queue)?.waiting ?? [])].map((c) => c.id);
  }

  /**
   * 1-based place of a waiting call in its queue's service order (priority class, then join
   * time): what the caller is told. Undefined for a call being offered or not in a queue.
   * A binary search in the waiting list, so cheap enough for every announcement.
   */
  position(callId: string): number | undefined {
    const c = this.s.callMap.get(callId);
    if (c === undefined || c.offer !== undefined) return undefined;
    return this.s.index.get(c.queue)!.waiting.lowerBound(c) + 1;
  }

  /** A queue's live counts, kept by the engine's indexes (queue-stats.ts adds the counters). */
  liveFigures(queue: string): { waiting: number; offering: number; oldestJoinedAt: number | null; loggedIn: number; available: number } {
    const qi = this.s.index.get(queue);
    if (qi === undefined) return { waiting: 0, offering: 0, oldestJoinedAt: null, loggedIn: 0, available: 0 };
    return { waiting: qi.waiting.length, offering: qi.calls.length - qi.waiting.length, oldestJoinedAt: qi.calls.at(0)?.joinedAt ?? null, loggedIn: qi.loggedIn, available: qi.eligible.size };
  }

  /** Eligible = logged in and available, idle (so past wrap-up), registered (STYLE.md §2). */
  eligible(a: Readonly<AgentRecord>): boolean {
    return isEligible(a);
  }

  private apply(input: AcdInput, now: number, out: AcdAction[]): void {
    const s = this.s;
    switch (input.type) {
      case "agent-login":
      case "agent-available":
        return this.withAgent(input.agent, (a) => {
          comeBack(a, now);
          setAgent(s, a, { kind: "available" }, a.state, out);
        });
      case "agent-logout":
        return this.withAgent(input.agent, (a) => {
          const wasLoggedIn = a.status.kind !== "logged-out";
          withdraw(s, a, { kind: "logged-out" }, out);
          if (wasLoggedIn) leaveEmptyQueues(s, a, out);
        });
      case "agent-break":
        return this.withAgent(input.agent, (a) => {
          if (a.status.kind === "logged-out") comeBack(a, now); // logging in on break is a login too
          withdraw(s, a, { kind: "on-break", reason: input.reason }, out);
        });
      case "agent-registered":
        return this.withAgent(input.agent, (a) => {
          a.registered = input.registered;
          track(s, a);
          if (!input.registered) withdraw(s, a, a.status, out);
          markAgent(s, a);
        });
      case "agent-in-use":
        return this.withAgent(input.agent, (a) => {
          a.inUse = input.inUse;
          markAgent(s, a); // an agent back from a direct call can take waiting calls: dispatch runs after apply
        });
      case "call-joined":
        return join(s, input.queue, input.call, now, out);
      case "call-left":
        return leave(s, input.callId, out);
      case "call-to-callback":
        return toCallback(s, input.callId, input.number, out);
      case "offer-ringing":
        return this.withAgent(input.agent, (a) => {
          if (a.state === "offered") setAgent(s, a, a.status, "ringing", out);
        });
      case "offer-answered":
        return this.withAgent(input.agent, (a) => answer(s, a, now, out));
      case "offer-failed":
        return this.withAgent(input.agent, (a) => {
          if (a.state === "offered" || a.state === "ringing") fail(s, a, input.reason, out);
        });
      case "call-ended":
        return this.withAgent(input.agent, (a) => endCall(s, a, now, out));
      case "tick":
        return;
    }
  }

  private withAgent(id: string, f: (a: AgentRecord) => void): void {
    const a = this.s.agentMap.get(id);
    if (a !== undefined) f(a); // unknown agents are ignored: config is the only source of agents
  }
}
