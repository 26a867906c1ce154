/** The ACD engine's configuration from the dial plan's queues and agents (QueueService's constructor, config tests). */
import { isStrategyId, type AcdConfig, type AgentConfig, type Membership, type QueueConfig } from "@hotline/acd";
import { DEFAULT_QUEUE, type AgentEntry, type QueueEntry } from "../routing/index.js";

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
