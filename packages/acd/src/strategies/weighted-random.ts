import { byId, type AgentCandidate, type RankFn } from "./strategy.js";

/**
 * weighted-random: draw agents one after another, each with probability weight / (sum of
 * the weights still in the draw). Agents of weight ≤ 0 come last, by id. One draw per
 * position (n − 1 draws for n positive weights), agents taken in id order for stability.
 */
export const rankWeightedRandom: RankFn = (candidates, _call, ctx) => {
  const pool: AgentCandidate[] = candidates.filter((a) => a.weight > 0).sort(byId);
  const zero = candidates.filter((a) => !(a.weight > 0)).sort(byId);
  const out: string[] = [];
  while (pool.length > 1) {
    const total = pool.reduce((s, a) => s + a.weight, 0);
    let r = ctx.random() * total;
    let k = pool.length - 1; // float rounding can leave r ≥ the last cumulative sum: take the last
    for (let i = 0; i < pool.length; i++) {
      r -= pool[i]!.weight;
      if (r < 0) {
        k = i;
        break;
      }
    }
    out.push(pool[k]!.id);
    pool.splice(k, 1);
  }
  if (pool[0] !== undefined) out.push(pool[0].id);
  return { mode: "one", agents: [...out, ...zero.map((a) => a.id)] };
};
