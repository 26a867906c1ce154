import { byId, ids, type RankFn } from "./strategy.js";

/** ring-all: every eligible agent rings at once; the first to answer takes the call. */
export const rankRingAll: RankFn = (candidates) => ({ mode: "all", agents: ids([...candidates].sort(byId)) });
