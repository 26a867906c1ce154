import type { QueueStats } from "./acd-types.js";
import type { AcdEngine } from "./acd-engine.js";

/** A queue's live figures, computed from the engine's state and counters. */
export function queueStats(engine: AcdEngine, queue: string): QueueStats {
  let waiting = 0;
  let offering = 0;
  let oldest = Number.POSITIVE_INFINITY;
  for (const c of engine.calls.values()) {
    if (c.queue !== queue) continue;
    if (c.offer === undefined) waiting++;
    else offering++;
    oldest = Math.min(oldest, c.joinedAt);
  }
  let loggedIn = 0;
  let available = 0;
  for (const m of engine.members.get(queue) ?? []) {
    const a = engine.agents.get(m.agent)!;
    if (a.status.kind !== "logged-out") loggedIn++;
    if (engine.eligible(a)) available++;
  }
  const k = engine.counters.get(queue) ?? { joined: 0, answered: 0, abandoned: 0, overflowed: 0, refused: 0 };
  return { queue, waiting, offering, oldestJoinedAt: Number.isFinite(oldest) ? oldest : null, loggedIn, available, ...k };
}
