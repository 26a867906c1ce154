// Offer selection: which waiting call goes to which eligible agent(s), in one service order
// across all queues, through the queue's strategy (a pure ranking function, STYLE.md §1).
import type { AcdAction, QueueConfig } from "./acd-types.js";
import { STRATEGIES, type AgentCandidate, type OfferMode, type StrategySettings, type WaitingCall } from "./strategies/index.js";
import type { QueueIndex } from "./queue-index.js";
import { ServiceHeap } from "./service-heap.js";
import type { CallRecord } from "./acd-records.js";
import type { EngineState } from "./engine-state.js";
import { setAgent } from "./agent-transitions.js";

const DEFAULT_RING_TIMEOUT_MS = 15_000;

/**
 * Offer each waiting call, in service order (highest priority class first, FIFO within a
 * class, across all queues), to the best eligible agent(s) of its queue. Only queues with an
 * eligible agent can offer, and an offer only ever removes eligible agents, so the pass is a
 * merge of those queues' waiting lists (a heap of their heads), stopping at a queue as soon
 * as it has nobody left; the calls it skips are the ones a full scan would rank with no
 * candidates, and like them their retry lapses.
 */
export function dispatch(s: EngineState, now: number, out: AcdAction[]): void {
  const heads = new ServiceHeap();
  for (const qi of s.index.values()) {
    if (qi.eligible.size === 0) qi.lapseRetries(undefined);
    else if (qi.waiting.length > 0) heads.push({ qi, pos: 0 });
  }
  const cache = new Map<QueueIndex, AgentCandidate[]>();
  for (let cur = heads.peek(); cur !== undefined; cur = heads.peek()) {
    const { qi } = cur;
    const c = qi.waiting.at(cur.pos)!;
    if (qi.eligible.size === 0) {
      qi.lapseRetries(c);
      heads.pop();
      continue;
    }
    // A callback waiting out its retry time keeps its place but is passed over until then.
    if (c.callback !== undefined && c.callback.notBefore > now) {
      cur.pos++;
      if (cur.pos >= qi.waiting.length) heads.pop();
      else heads.headChanged();
      continue;
    }
    let candidates = cache.get(qi);
    if (candidates === undefined) cache.set(qi, (candidates = candidatesOf(s, qi)));
    if (rankAndOffer(s, qi, c, candidates, now, out)) cache.clear(); // agents left: every cached list may be stale
    else cur.pos++;
    if (cur.pos >= qi.waiting.length) heads.pop();
    else heads.headChanged();
  }
}

/** Ranks one waiting call; true when it was offered (and so left the waiting list). */
function rankAndOffer(s: EngineState, qi: QueueIndex, c: CallRecord, all: AgentCandidate[], now: number, out: AcdAction[]): boolean {
  const q = qi.cfg;
  // An agent who already failed this call is passed over while another candidate is free;
  // when only such agents are free they are tried again (a call is never left waiting for
  // an agent who is not there).
  const fresh = c.tried.size === 0 ? all : all.filter((x) => !c.tried.has(x.id));
  const candidates = fresh.length > 0 ? fresh : all;
  // sticky: the agent who served this caller in this queue, unless that agent failed this call.
  const last = s.lastServed.get(c.queue)?.get(c.caller);
  const sticky = last !== undefined && !c.tried.has(last.agentId) ? { lastServed: last } : {};
  const ranked = STRATEGIES[q.strategy](candidates, waitingView(c), {
    now,
    random: s.random,
    memory: s.memory.get(c.queue) ?? {},
    settings: settings(q),
    fallback: STRATEGIES[q.fallbackStrategy ?? "longest-idle"],
    ...sticky,
  });
  c.retryAt = ranked.retryAt;
  if (c.retryAt !== undefined) qi.retrying.add(c);
  else qi.retrying.delete(c);
  // Only agents the strategy was given may be offered: a strategy cannot conjure a busy agent.
  const allowed = new Set(candidates.map((x) => x.id));
  const picked = ranked.agents.filter((id) => allowed.has(id));
  const agents = ranked.mode === "all" ? [...new Set(picked)] : picked.slice(0, 1);
  if (agents.length === 0) return false;
  offer(s, qi, c, agents, ranked.mode, now, out);
  return true;
}

function offer(s: EngineState, qi: QueueIndex, c: CallRecord, agents: string[], mode: OfferMode, now: number, out: AcdAction[]): void {
  const q = qi.cfg;
  qi.waiting.remove(c);
  qi.retrying.delete(c);
  s.offering.add(c);
  // An agent's own ring time wins; ring-all rings until the longest of them has run out.
  const ringMs = Math.max(...agents.map((id) => s.agentMap.get(id)!.cfg.ringTimeoutMs ?? q.ringTimeoutMs ?? DEFAULT_RING_TIMEOUT_MS));
  c.offer = { agents: new Set(agents), mode, deadline: now + ringMs };
  c.retryAt = undefined;
  out.push({ type: "offer", callId: c.id, queue: c.queue, caller: c.caller, agents, mode, waitedMs: now - c.joinedAt, ...(c.callback !== undefined && { callback: { number: c.callback.number } }) });
  for (const id of agents) {
    const a = s.agentMap.get(id)!;
    a.callId = c.id;
    a.callQueue = c.queue;
    setAgent(s, a, a.status, "offered", out);
  }
  const first = qi.memberOf.get(agents[0]!);
  if (first !== undefined) s.memory.set(c.queue, { lastOffered: { id: first.agent, order: first.order } });
  s.dirty.add(c.queue);
}

function candidatesOf(s: EngineState, qi: QueueIndex): AgentCandidate[] {
  const ringInUse = qi.cfg.ringInUse ?? false;
  // An agent in another call stays eligible (other queues may ring in use) but is no candidate here.
  const members = qi.eligibleMembers().filter((m) => ringInUse || !s.agentMap.get(m.agent)!.inUse);
  return members.map((m) => {
    const a = s.agentMap.get(m.agent)!;
    return { id: m.agent, skillLevel: m.skillLevel, order: m.order, weight: m.weight, callsAnswered: a.callsAnswered, talkTimeMs: a.talkTimeMs, idleSince: a.idleSince };
  });
}

function waitingView(c: CallRecord): WaitingCall {
  return { id: c.id, caller: c.caller, queue: c.queue, priority: c.priority, joinedAt: c.joinedAt };
}

function settings(q: QueueConfig): StrategySettings {
  return { skillWaitMs: q.skillWaitMs ?? 0, stickyWindowMs: q.stickyWindowMs ?? 0, stickyHoldMs: q.stickyHoldMs ?? 0 };
}
