// Agent status and state transitions (STYLE.md §2: operator-set status apart from derived
// state), the per-queue eligible/logged-in slots kept in step with them, and taking agents off
// an offer. Every other part of the engine changes an agent through setAgent.
import type { AcdAction, AgentState, AgentStatus } from "./acd-types.js";
import type { AgentRecord, CallRecord } from "./acd-records.js";
import type { EngineState } from "./engine-state.js";

/** Eligible = logged in and available, idle (so past wrap-up), registered (STYLE.md §2). */
export function isEligible(a: Readonly<AgentRecord>): boolean {
  return a.status.kind === "available" && a.state === "idle" && a.registered;
}

export function setAgent(s: EngineState, a: AgentRecord, status: AgentStatus, state: AgentState, out: AcdAction[]): void {
  const same = a.state === state && a.status.kind === status.kind && (a.status.kind !== "on-break" || status.kind !== "on-break" || a.status.reason === status.reason);
  a.status = status;
  a.state = state;
  if (state === "wrap-up") s.wrapping.add(a);
  else s.wrapping.delete(a);
  track(s, a);
  if (same) return;
  out.push({ type: "agent-state-changed", agent: a.cfg.id, status, state });
  markAgent(s, a);
}

/** Keeps the per-queue eligible and logged-in slots in step with the agent's status, state and registration. */
export function track(s: EngineState, a: AgentRecord): void {
  const eligible = isEligible(a);
  if (eligible !== s.eligibleAgents.has(a)) {
    if (eligible) s.eligibleAgents.add(a);
    else s.eligibleAgents.delete(a);
    for (const slot of s.slots.get(a)!) {
      if (eligible) slot.q.eligible.add(slot.i);
      else slot.q.eligible.delete(slot.i);
    }
  }
  const loggedIn = a.status.kind !== "logged-out";
  if (loggedIn !== s.loggedInAgents.has(a)) {
    if (loggedIn) s.loggedInAgents.add(a);
    else s.loggedInAgents.delete(a);
    for (const slot of s.slots.get(a)!) slot.q.loggedIn += loggedIn ? 1 : -1;
  }
}

export function markAgent(s: EngineState, a: AgentRecord): void {
  for (const m of a.cfg.memberships) if (s.queues.has(m.queue)) s.dirty.add(m.queue);
}

/**
 * An agent leaving logged-out (login, *63, force-available, a break from logged-out) logs in:
 * the per-login figures start again. Back from a break (or logged-out), idle time starts
 * again: longest-idle counts idle time while available, not time on break. An agent still
 * in wrap-up (idleSince = its end) or in a call (set when it ends) keeps that.
 */
export function comeBack(a: AgentRecord, now: number): void {
  if (a.status.kind === "available") return;
  if (a.status.kind === "logged-out") Object.assign(a, { callsAnswered: 0, talkTimeMs: 0, misses: { "no-answer": 0, busy: 0, rejected: 0, unreachable: 0 } });
  a.idleSince = Math.max(a.idleSince, now);
}

/** Operator status change; an agent that was offered a call is taken off the offer (no penalty). */
export function withdraw(s: EngineState, a: AgentRecord, status: AgentStatus, out: AcdAction[]): void {
  if (a.state === "offered" || a.state === "ringing") {
    const c = s.callMap.get(a.callId!)!;
    cancelOffer(s, c, [a.cfg.id], out);
  }
  setAgent(s, a, status, a.state, out);
}

export function endCall(s: EngineState, a: AgentRecord, now: number, out: AcdAction[]): void {
  if (a.state !== "in-call") return;
  a.talkTimeMs += Math.max(0, now - a.answeredAt);
  const wrap = a.cfg.wrapUpMs ?? s.queues.get(a.callQueue!)?.wrapUpMs ?? 0;
  a.callId = undefined;
  a.callQueue = undefined;
  a.wrapUntil = now + wrap;
  a.idleSince = now + wrap;
  setAgent(s, a, a.status, wrap > 0 ? "wrap-up" : "idle", out);
}

/** Stop offering `agents` this call (cancel-offer action); the call waits again when nobody is left. */
export function cancelOffer(s: EngineState, c: CallRecord, agents: string[], out: AcdAction[]): void {
  out.push({ type: "cancel-offer", callId: c.id, agents: [...agents].sort() });
  for (const id of agents) release(s, c, s.agentMap.get(id)!, out);
}

export function release(s: EngineState, c: CallRecord, a: AgentRecord, out: AcdAction[]): void {
  c.offer?.agents.delete(a.cfg.id);
  if (c.offer?.agents.size === 0) {
    c.offer = undefined;
    s.offering.delete(c);
    s.index.get(c.queue)!.waiting.insert(c);
  }
  a.callId = undefined;
  a.callQueue = undefined;
  setAgent(s, a, a.status, "idle", out);
  s.dirty.add(c.queue);
}
