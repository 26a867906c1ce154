// The AcdEngine's state: its records, per-queue indexes and the sets that say which records can
// be due, in one object the engine's parts (agent-transitions, queue-entries, offer-outcomes,
// offer-dispatch, engine-timers) change through plain functions. Only the engine holds one.
import { DEFAULT_FAILURE_POLICY, type AcdConfig, type FailurePolicy, type QueueConfig } from "./acd-types.js";
import type { QueueMemory } from "./strategies/index.js";
import { QueueIndex } from "./queue-index.js";
import type { AgentRecord, CallRecord, Member, QueueCounters } from "./acd-records.js";

export interface EngineState {
  readonly agentMap: Map<string, AgentRecord>;
  readonly callMap: Map<string, CallRecord>;
  readonly queues: Map<string, QueueConfig>;
  readonly memberMap: Map<string, Member[]>;
  readonly counterMap: Map<string, QueueCounters>;
  readonly memory: Map<string, QueueMemory>;
  /**
   * sticky queues only: queue → caller → the agent who last answered them in that queue, and
   * when. Each inner map is in answer order (an entry is moved to the end when renewed), so
   * entries past the queue's sticky window are pruned from its front as answers come in.
   */
  readonly lastServed: Map<string, Map<string, { agentId: string; at: number }>>;
  readonly policy: FailurePolicy;
  readonly random: () => number;
  /** Arrival counter: each joined call's `seq`. */
  seq: number;
  /** Queues touched by the input being handled: each gets a queue-stats action. */
  readonly dirty: Set<string>;
  // Indexes kept in step with the maps above (see queue-index.ts): no input scans every call.
  readonly index: Map<string, QueueIndex>;
  /** Each agent's membership slots in configured queues: (queue index, slot in its members). */
  readonly slots: Map<AgentRecord, { q: QueueIndex; i: number }[]>;
  readonly agentOrder: Map<AgentRecord, number>;
  readonly eligibleAgents: Set<AgentRecord>;
  readonly loggedInAgents: Set<AgentRecord>;
  readonly wrapping: Set<AgentRecord>;
  readonly offering: Set<CallRecord>;
}

export function createEngineState(config: AcdConfig, random: () => number): EngineState {
  const s: EngineState = {
    agentMap: new Map(),
    callMap: new Map(),
    queues: new Map(),
    memberMap: new Map(),
    counterMap: new Map(),
    memory: new Map(),
    lastServed: new Map(),
    policy: { ...DEFAULT_FAILURE_POLICY, ...config.failurePolicy },
    random,
    seq: 0,
    dirty: new Set(),
    index: new Map(),
    slots: new Map(),
    agentOrder: new Map(),
    eligibleAgents: new Set(),
    loggedInAgents: new Set(),
    wrapping: new Set(),
    offering: new Set(),
  };
  for (const q of config.queues) {
    s.queues.set(q.id, q);
    s.memberMap.set(q.id, []);
    s.counterMap.set(q.id, { joined: 0, answered: 0, abandoned: 0, overflowed: 0, refused: 0 });
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
    s.agentMap.set(a.id, rec);
    s.agentOrder.set(rec, s.agentOrder.size);
    s.slots.set(rec, []);
    for (const m of a.memberships) s.memberMap.get(m.queue)?.push({ agent: a.id, skillLevel: m.skillLevel ?? 1, order: m.order ?? 0, weight: m.weight ?? a.weight ?? 1 });
  }
  for (const [id, members] of s.memberMap) {
    const qi = new QueueIndex(s.queues.get(id)!, members);
    s.index.set(id, qi);
    members.forEach((m, i) => {
      const rec = s.agentMap.get(m.agent)!;
      s.slots.get(rec)!.push({ q: qi, i });
      if (!qi.memberOf.has(m.agent)) qi.memberOf.set(m.agent, m);
    });
  }
  return s;
}

/** The call is gone (answered, left, overflowed): out of every map and index. */
export function dropCall(s: EngineState, c: CallRecord): void {
  const qi = s.index.get(c.queue)!;
  s.callMap.delete(c.id);
  qi.calls.remove(c);
  if (c.offer === undefined) qi.waiting.remove(c);
  qi.retrying.delete(c);
  qi.deferred.delete(c);
  s.offering.delete(c);
}
