import type { QueueStats } from "./acd-types.js";
import type { AcdEngine } from "./acd-engine.js";

/** A queue's live figures, from the engine's per-queue indexes and counters (no scan of every call). */
export function queueStats(engine: AcdEngine, queue: string): QueueStats {
  const k = engine.counters.get(queue) ?? { joined: 0, answered: 0, abandoned: 0, overflowed: 0, refused: 0 };
  return { queue, ...engine.liveFigures(queue), ...k };
}
