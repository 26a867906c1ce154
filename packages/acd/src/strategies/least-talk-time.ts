import { ids, sortedBy, type RankFn } from "./strategy.js";

/** least-talk-time: the agent with the least accumulated talk time first (Asterisk lacks it). */
export const rankLeastTalkTime: RankFn = (candidates) => ({ mode: "one", agents: ids(sortedBy(candidates, (a) => a.talkTimeMs)) });
