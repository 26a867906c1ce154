// The engine's records of agents, calls, queue members and counters. Tests, stats and the
// console read them through the engine's read-only views; only the engine changes them.
import type { AgentConfig, AgentState, AgentStatus, OfferFailure } from "./acd-types.js";
import type { OfferMode } from "./strategies/index.js";

export interface AgentRecord {
  readonly cfg: AgentConfig;
  status: AgentStatus;
  state: AgentState;
  registered: boolean;
  /** In a call the queue did not offer (agent-in-use); such an agent skips queues without ringInUse. */
  inUse: boolean;
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
  /** A callback entry: the number to dial, and the time before which it is not offered. */
  callback: { number: string; notBefore: number } | undefined;
  /**
   * Agents whose offer of this call failed (no-answer, busy, rejected): passed over for it while
   * another candidate is free. At most the queue's members; dropped with the call.
   */
  readonly tried: Set<string>;
}

export interface Member {
  readonly agent: string;
  readonly skillLevel: number;
  readonly order: number;
  /** weighted-random share in this queue. */
  readonly weight: number;
}

export interface QueueCounters {
  joined: number;
  answered: number;
  abandoned: number;
  overflowed: number;
  refused: number;
}
