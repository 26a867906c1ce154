// The strategy registry: adding a strategy is one file plus one line here.
import { rankFewestCalls } from "./fewest-calls.js";
import { rankLeastTalkTime } from "./least-talk-time.js";
import { rankLinear } from "./linear.js";
import { rankLongestIdle } from "./longest-idle.js";
import { rankRandom } from "./random.js";
import { rankRingAll } from "./ring-all.js";
import { rankRoundRobin } from "./round-robin.js";
import { rankSkillLevel } from "./skill-level.js";
import { rankSticky } from "./sticky.js";
import type { RankFn } from "./strategy.js";
import { rankWeightedRandom } from "./weighted-random.js";

export const STRATEGIES = {
  "ring-all": rankRingAll,
  linear: rankLinear,
  "round-robin": rankRoundRobin,
  "fewest-calls": rankFewestCalls,
  "least-talk-time": rankLeastTalkTime,
  "longest-idle": rankLongestIdle,
  random: rankRandom,
  "weighted-random": rankWeightedRandom,
  "skill-level": rankSkillLevel,
  sticky: rankSticky,
} as const satisfies Record<string, RankFn>;

export type StrategyId = keyof typeof STRATEGIES;
export const STRATEGY_IDS = Object.keys(STRATEGIES) as StrategyId[];

export function isStrategyId(s: string): s is StrategyId {
  return Object.hasOwn(STRATEGIES, s);
}

export * from "./strategy.js";
