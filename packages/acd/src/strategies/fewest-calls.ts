import { ids, sortedBy, type RankFn } from "./strategy.js";

/** fewest-calls: the agent who answered the fewest calls first. */
export const rankFewestCalls: RankFn = (candidates) => ({ mode: "one", agents: ids(sortedBy(candidates, (a) => a.callsAnswered)) });
