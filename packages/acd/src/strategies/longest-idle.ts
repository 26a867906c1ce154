import { ids, sortedBy, type RankFn } from "./strategy.js";

/** longest-idle: the agent idle the longest (earliest idleSince) first. */
export const rankLongestIdle: RankFn = (candidates) => ({ mode: "one", agents: ids(sortedBy(candidates, (a) => a.idleSince)) });
