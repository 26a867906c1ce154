// The engine's timers, from the sans-IO side (STYLE.md §1): nextDeadline() says when a tick
// changes something, expire() does what is due at `now`. Only the records that can be due are
// looked at: agents in wrap-up, calls being offered, each queue's oldest waiting call.
import type { AcdAction } from "./acd-types.js";
import type { CallRecord } from "./acd-records.js";
import { dropCall, type EngineState } from "./engine-state.js";
import { setAgent } from "./agent-transitions.js";
import { fail } from "./offer-outcomes.js";

/** The earliest time a tick changes something: ring timeout, wrap-up end, max wait, strategy retry. */
export function nextDeadline(s: EngineState): number | undefined {
  let t = Number.POSITIVE_INFINITY;
  for (const a of s.wrapping) t = Math.min(t, a.wrapUntil);
  for (const c of s.offering) t = Math.min(t, c.offer!.deadline);
  for (const qi of s.index.values()) {
    const oldest = qi.overflows ? qi.oldestWaiting() : undefined;
    if (oldest !== undefined) t = Math.min(t, oldest.joinedAt + qi.cfg.maxWaitMs!);
    for (const c of qi.retrying) t = Math.min(t, c.retryAt!);
    for (const c of qi.deferred) t = Math.min(t, c.callback!.notBefore);
  }
  return Number.isFinite(t) ? t : undefined;
}

/** Timers: wrap-up ends, ring timeouts (= no-answer), max wait (overflow); only the records that can be due are looked at. */
export function expire(s: EngineState, now: number, out: AcdAction[]): void {
  const order = s.agentOrder;
  const woken = [...s.wrapping].filter((a) => now >= a.wrapUntil);
  for (const a of woken.sort((x, y) => order.get(x)! - order.get(y)!)) setAgent(s, a, a.status, "idle", out);
  for (const qi of s.index.values()) for (const c of qi.deferred) if (now >= c.callback!.notBefore) qi.deferred.delete(c);
  const due: CallRecord[] = [];
  for (const c of s.offering) if (now >= c.offer!.deadline) due.push(c);
  for (const qi of s.index.values()) {
    if (!qi.overflows) continue;
    for (const c of qi.calls) {
      if (now < c.joinedAt + qi.cfg.maxWaitMs!) break;
      // A callback entry has nobody on the line to send anywhere: it never overflows.
      if (c.offer === undefined && c.callback === undefined) due.push(c);
    }
  }
  for (const c of due.sort((x, y) => x.seq - y.seq)) {
    if (c.offer !== undefined && now >= c.offer.deadline) {
      const timedOut = [...c.offer.agents].sort();
      out.push({ type: "cancel-offer", callId: c.id, agents: timedOut });
      for (const id of timedOut) fail(s, s.agentMap.get(id)!, "no-answer", out);
    }
    const q = s.queues.get(c.queue)!;
    if (c.offer === undefined && c.callback === undefined && q.maxWaitMs !== undefined && q.overflow !== undefined && now >= c.joinedAt + q.maxWaitMs) {
      dropCall(s, c);
      s.counterMap.get(c.queue)!.overflowed++;
      s.dirty.add(c.queue);
      out.push({ type: "call-overflow", callId: c.id, queue: c.queue, destination: q.overflow });
    }
  }
}
