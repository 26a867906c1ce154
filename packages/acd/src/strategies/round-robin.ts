import { ids, sortedBy, type AgentCandidate, type RankFn } from "./strategy.js";

/**
 * round-robin with memory: the fixed order, rotated to start just after the agent this queue
 * last offered a call to (the engine records that only when an offer is made, so ranking
 * alone never advances the pointer). The last-offered agent need not be eligible now: its
 * (order, id) position is remembered.
 */
export const rankRoundRobin: RankFn = (candidates, _call, ctx) => {
  const ordered = sortedBy(candidates, (a) => a.order);
  const last = ctx.memory.lastOffered;
  if (last === undefined) return { mode: "one", agents: ids(ordered) };
  const after = (a: AgentCandidate): boolean => a.order > last.order || (a.order === last.order && a.id > last.id);
  const head = ordered.filter(after);
  const tail = ordered.filter((a) => !after(a));
  return { mode: "one", agents: ids([...head, ...tail]) };
};
