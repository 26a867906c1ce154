// The shape every ACD strategy has: a pure ranking of the agents that may take a call now
// (STYLE.md §1). The clock and the random source are inputs; nothing here reads either.

/** One agent that is eligible for a queue's call right now, with the figures strategies rank by. */
export interface AgentCandidate {
  readonly id: string;
  /** Skill level for this queue: 1 is the best; higher levels join later under skill-level. */
  readonly skillLevel: number;
  /** Position in the queue's fixed order (linear, round-robin): lower is earlier. */
  readonly order: number;
  /** Relative share under weighted-random; ≤ 0 means "only when nobody else is left". */
  readonly weight: number;
  /** Calls this agent answered (since login) — fewest-calls. */
  readonly callsAnswered: number;
  /** Talk time this agent accumulated (since login), ms — least-talk-time. */
  readonly talkTimeMs: number;
  /** When the agent last became idle (end of wrap-up, or login), ms — longest-idle. */
  readonly idleSince: number;
}

/** The call being ranked for. */
export interface WaitingCall {
  readonly id: string;
  /** Caller identity (number or AOR) — sticky agent looks it up. */
  readonly caller: string;
  readonly queue: string;
  readonly priority: number;
  /** When the caller joined the queue (kept across requeues), ms. */
  readonly joinedAt: number;
}

/** Per-queue memory the engine keeps between offers; strategies only read it. */
export interface QueueMemory {
  /** The agent this queue last offered a call to (round-robin continues after it). */
  readonly lastOffered?: { readonly id: string; readonly order: number };
}

export interface StrategySettings {
  /** skill-level: each further level joins after this much waiting, ms. */
  readonly skillWaitMs: number;
  /** sticky: how long after serving a caller an agent still counts as "theirs", ms. */
  readonly stickyWindowMs: number;
  /** sticky: how long a call waits for its sticky agent before the fallback strategy, ms. */
  readonly stickyHoldMs: number;
}

export interface StrategyContext {
  readonly now: number;
  /** Uniform in [0, 1): the engine's injected random source. */
  readonly random: () => number;
  readonly memory: QueueMemory;
  readonly settings: StrategySettings;
  /** Who last served this call's caller in this queue, and when (sticky); absent when that agent failed this call. */
  readonly lastServed?: { readonly agentId: string; readonly at: number };
  /** The queue's fallback ranking (sticky hands over to it). */
  readonly fallback: RankFn;
}

export const OFFER_MODES = ["all", "one"] as const;
/** "all": ring every listed agent at once (ring-all); "one": offer to the listed agents in this order, one at a time. */
export type OfferMode = (typeof OFFER_MODES)[number];

export interface RankedOffer {
  readonly mode: OfferMode;
  readonly agents: string[];
  /** Nothing (or not everyone) may be offered yet: rank again at this time (skill widening, sticky hold). */
  readonly retryAt?: number;
}

export type RankFn = (candidates: readonly AgentCandidate[], call: WaitingCall, ctx: StrategyContext) => RankedOffer;

/** Deterministic tie-break: agent id, code-unit order (not locale: the same everywhere). */
export function byId(a: AgentCandidate, b: AgentCandidate): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Candidates sorted by `key` ascending, ties by agent id. */
export function sortedBy(candidates: readonly AgentCandidate[], key: (a: AgentCandidate) => number): AgentCandidate[] {
  return [...candidates].sort((a, b) => key(a) - key(b) || byId(a, b));
}

export function ids(agents: readonly AgentCandidate[]): string[] {
  return agents.map((a) => a.id);
}
