import { byId, ids, type RankFn } from "./strategy.js";

/**
 * random: a uniform shuffle (Fisher–Yates) drawn from the injected source. The input is
 * sorted by id first so the same draws give the same order whatever order agents came in.
 */
export const rankRandom: RankFn = (candidates, _call, ctx) => {
  const a = [...candidates].sort(byId);
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(ctx.random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return { mode: "one", agents: ids(a) };
};
