// What happens when an offer ends: answered (the call leaves the queue; sticky remembers who
// served the caller), or failed (the failure policy: misses counted, break after N, the caller
// back at the head of its queue at raised priority).
import type { AcdAction, OfferFailure } from "./acd-types.js";
import type { AgentRecord, CallRecord } from "./acd-records.js";
import { dropCall, type EngineState } from "./engine-state.js";
import { cancelOffer, release, setAgent } from "./agent-transitions.js";

export function answer(s: EngineState, a: AgentRecord, now: number, out: AcdAction[]): void {
  if (a.state !== "offered" && a.state !== "ringing") return; // late or stray answer: nothing to take
  const c = s.callMap.get(a.callId!)!;
  c.offer!.agents.delete(a.cfg.id);
  if (c.offer!.agents.size > 0) cancelOffer(s, c, [...c.offer!.agents], out); // ring-all: the others stop
  dropCall(s, c);
  a.answeredAt = now;
  a.callsAnswered++;
  a.misses = { "no-answer": 0, busy: 0, rejected: 0, unreachable: 0 };
  remember(s, c, a, now);
  s.counterMap.get(c.queue)!.answered++;
  s.dirty.add(c.queue);
  setAgent(s, a, a.status, "in-call", out);
}

/** sticky: who served this caller in this queue; entries past the window go (amortised: each is pruned once). */
function remember(s: EngineState, c: CallRecord, a: AgentRecord, now: number): void {
  const q = s.queues.get(c.queue)!;
  if (q.strategy !== "sticky") return;
  const window = q.stickyWindowMs ?? 0;
  let served = s.lastServed.get(c.queue);
  if (served === undefined) s.lastServed.set(c.queue, (served = new Map()));
  served.delete(c.caller);
  served.set(c.caller, { agentId: a.cfg.id, at: now });
  for (const [caller, e] of served) {
    if (now - e.at <= window) break;
    served.delete(caller);
  }
}

/** One agent's offer failed (reported by the switch, or ring timeout). */
export function fail(s: EngineState, a: AgentRecord, reason: OfferFailure, out: AcdAction[]): void {
  const c = s.callMap.get(a.callId!)!;
  release(s, c, a, out);
  c.tried.add(a.cfg.id);
  a.misses[reason]++;
  const limit = breakAfter(s, a, reason, c.queue);
  if (limit !== null && a.misses[reason] >= limit) {
    a.misses[reason] = 0;
    setAgent(s, a, { kind: "on-break", reason }, a.state, out);
  }
  if (c.offer === undefined) {
    // The caller goes back to the head of its queue at raised priority, not the tail (issue 4).
    // Its key changes: out of the service order under the old one, back in under the new one.
    const qi = s.index.get(c.queue)!;
    qi.waiting.remove(c);
    c.priority = c.basePriority + (qi.cfg.requeuePriorityRaise ?? 1);
    qi.waiting.insert(c);
  }
}

/** Consecutive failures of `reason` after which `a` goes on break: the agent's maxMisses (no-answer), the queue's breakAfter, the engine's policy. */
function breakAfter(s: EngineState, a: AgentRecord, reason: OfferFailure, queue: string): number | null {
  if (reason === "unreachable") return null; // the phone, not the agent, failed: never a break
  if (reason === "no-answer") return a.cfg.maxMisses !== undefined ? a.cfg.maxMisses : s.policy[reason].breakAfter;
  const own = s.queues.get(queue)?.breakAfter?.[reason];
  return own !== undefined ? own : s.policy[reason].breakAfter;
}
