import { byId, type RankFn } from "./strategy.js";

/**
 * skill-level: level 1 agents at once; each further level joins after another `skillWaitMs`
 * of the call's wait (widening over time). Among the allowed, best level first, then the
 * longest idle, then id. When a higher-level agent is free but not yet allowed, `retryAt`
 * says when the next level joins.
 */
export const rankSkillLevel: RankFn = (candidates, call, ctx) => {
  const waited = Math.max(0, ctx.now - call.joinedAt);
  const step = ctx.settings.skillWaitMs;
  const allowed = step > 0 ? 1 + Math.floor(waited / step) : Number.POSITIVE_INFINITY;
  const inReach = candidates.filter((a) => a.skillLevel <= allowed);
  const agents = inReach.sort((a, b) => a.skillLevel - b.skillLevel || a.idleSince - b.idleSince || byId(a, b)).map((a) => a.id);
  const later = candidates.filter((a) => a.skillLevel > allowed);
  if (later.length === 0 || step <= 0) return { mode: "one", agents };
  const nextLevel = Math.min(...later.map((a) => a.skillLevel));
  // Level L is allowed once waited ≥ (L − 1) · step.
  return { mode: "one", agents, retryAt: call.joinedAt + (nextLevel - 1) * step };
};
