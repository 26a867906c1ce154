import { ids, sortedBy, type RankFn } from "./strategy.js";

/** linear: the queue's fixed order, every time (agent 1 always first when free). */
export const rankLinear: RankFn = (candidates) => ({ mode: "one", agents: ids(sortedBy(candidates, (a) => a.order)) });
