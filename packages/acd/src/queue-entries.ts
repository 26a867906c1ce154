// Queue entries: a call joining (or refused, or sent on to overflow), leaving, turning into a
// callback that keeps its place, and the waiting callers of queues left with nobody logged in.
import type { AcdAction, JoiningCall } from "./acd-types.js";
import type { AgentRecord, CallRecord } from "./acd-records.js";
import { dropCall, type EngineState } from "./engine-state.js";
import { cancelOffer } from "./agent-transitions.js";

export function join(s: EngineState, queue: string, call: JoiningCall, now: number, out: AcdAction[]): void {
  const { id, caller } = call;
  const priority = call.priority ?? 0;
  // A re-join (callback retry, restart) keeps its original place: its join time, capped at now.
  const rejoin = call.joinedAt !== undefined;
  const q = s.queues.get(queue);
  if (q === undefined) return void out.push({ type: "call-refused", callId: id, queue, reason: "unknown-queue" });
  const counters = s.counterMap.get(queue)!;
  s.dirty.add(queue);
  const refuse = (reason: "queue-full" | "no-agents" | "duplicate-call"): void => {
    counters.refused++;
    out.push({ type: "call-refused", callId: id, queue, reason });
  };
  if (s.callMap.has(id)) return refuse("duplicate-call");
  const qi = s.index.get(queue)!;
  // A callback already promised is never refused: the length and no-agent rules are for new callers.
  const promised = rejoin && call.callback !== undefined;
  if (!promised && q.maxLength !== undefined && qi.calls.length >= q.maxLength) return refuse("queue-full");
  if (!promised && q.joinWhenNoAgents === false && qi.loggedIn === 0) {
    if (q.overflow === undefined) return refuse("no-agents");
    // Joined and sent on at once: counted as joined and overflowed, so joined = sum of outcomes.
    if (!rejoin) counters.joined++;
    counters.overflowed++;
    return void out.push({ type: "call-overflow", callId: id, queue, destination: q.overflow });
  }
  if (!rejoin) counters.joined++;
  const joinedAt = Math.min(call.joinedAt ?? now, now);
  const callback = call.callback === undefined ? undefined : { number: call.callback.number, notBefore: call.callback.notBefore ?? 0 };
  const c: CallRecord = { id, caller, queue, basePriority: priority, priority, joinedAt, seq: s.seq++, offer: undefined, retryAt: undefined, callback, tried: new Set() };
  s.callMap.set(id, c);
  qi.calls.insert(c);
  qi.waiting.insert(c);
  if (callback !== undefined && callback.notBefore > now) qi.deferred.add(c);
}

/** The caller asked for a callback: same record, same place; an offer in progress is withdrawn (no penalty). */
export function toCallback(s: EngineState, callId: string, number: string, out: AcdAction[]): void {
  const c = s.callMap.get(callId);
  if (c === undefined || c.callback !== undefined) return;
  if (c.offer !== undefined) cancelOffer(s, c, [...c.offer.agents], out);
  c.callback = { number, notBefore: 0 };
  s.dirty.add(c.queue);
  out.push({ type: "callback-queued", callId: c.id, queue: c.queue, number, joinedAt: c.joinedAt, priority: c.basePriority });
}

export function leave(s: EngineState, callId: string, out: AcdAction[]): void {
  const c = s.callMap.get(callId);
  if (c === undefined) return;
  if (c.offer !== undefined) cancelOffer(s, c, [...c.offer.agents], out);
  dropCall(s, c);
  s.counterMap.get(c.queue)!.abandoned++;
  s.dirty.add(c.queue);
}

/**
 * leaveWhenNoAgents: `a` just logged out; in each of its queues that now has no logged-in
 * member, the waiting callers (oldest first) go to overflow or are refused. Callback entries
 * stay: nobody is on their line and they were promised a call.
 */
export function leaveEmptyQueues(s: EngineState, a: AgentRecord, out: AcdAction[]): void {
  const queues = new Set(s.slots.get(a)!.map((slot) => slot.q));
  for (const qi of queues) {
    if (qi.loggedIn > 0 || qi.cfg.leaveWhenNoAgents !== true) continue;
    const q = qi.cfg;
    const counters = s.counterMap.get(q.id)!;
    for (const c of [...qi.calls]) {
      if (c.callback !== undefined) continue;
      // No member is logged in, so none is offered this call; a stale offer is withdrawn all the same.
      if (c.offer !== undefined) cancelOffer(s, c, [...c.offer.agents], out);
      dropCall(s, c);
      s.dirty.add(q.id);
      if (q.overflow !== undefined) {
        counters.overflowed++;
        out.push({ type: "call-overflow", callId: c.id, queue: q.id, destination: q.overflow });
      } else {
        counters.refused++;
        out.push({ type: "call-refused", callId: c.id, queue: q.id, reason: "no-agents-left" });
      }
    }
  }
}
