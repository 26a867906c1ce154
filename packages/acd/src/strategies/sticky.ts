import type { RankFn } from "./strategy.js";

/**
 * sticky: if an agent served this caller in this queue within `stickyWindowMs` (the engine
 * passes no agent who already failed this call), the call waits for that
 * agent alone for the first `stickyHoldMs` of its wait (offered as soon as the agent is
 * eligible); after the hold, or with no recent agent, the queue's fallback strategy ranks.
 */
export const rankSticky: RankFn = (candidates, call, ctx) => {
  const last = ctx.lastServed;
  const { stickyWindowMs, stickyHoldMs } = ctx.settings;
  const holdEnds = call.joinedAt + stickyHoldMs;
  if (last !== undefined && ctx.now - last.at <= stickyWindowMs && ctx.now < holdEnds) {
    const free = candidates.some((a) => a.id === last.agentId);
    return free ? { mode: "one", agents: [last.agentId], retryAt: holdEnds } : { mode: "one", agents: [], retryAt: holdEnds };
  }
  return ctx.fallback(candidates, call, ctx);
};
