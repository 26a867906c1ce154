/**
 * An agent's part of an ordinary queue call (callbacks are queue-callbacks.ts): the engine's
 * `offer` and `cancel-offer` — one DialAttempt per agent, the first answer bridged to the
 * caller, each agent's failure reported to the engine on its own — and the agent's release
 * when the call goes on without it (transfer, re-queue, supervisor take-over).
 */
import type { OfferFailure } from "@hotline/acd";
import { headerField } from "@hotline/sip";
import { DialAttempt } from "./dial-attempt.js";
import type { Call } from "./call.js";
import type { OutboundLeg } from "./outbound-leg.js";
import type { Offer, QueueContext } from "./queue-context.js";

/** An agent's failed offer as the engine counts it: busy (486/600), declined (603/403), else no answer. */
export function failureOf(status: number, busy: boolean): OfferFailure {
  return busy ? "busy" : status === 603 || status === 403 ? "rejected" : "no-answer";
}

/**
 * Rings the agents' registered contacts for the waiting call, one DialAttempt per agent, and
 * reports each agent's outcome on its own. RFC 3261 §16.7 step 5 (a 6xx ends the whole search)
 * is a proxy's rule for the branches of one request; as a B2BUA offering a queue call to
 * several agents we handle each agent apart: one agent's 603 or 486 says nothing about the
 * others, who ring on (a 6xx still stops that agent's other contacts, inside its own attempt).
 * An agent for whom no leg could be started (no registered contact, no media port) is
 * "unreachable", not a miss (QueueContext.unreachable).
 */
export function offerCall(ctx: QueueContext, callId: string, agents: readonly string[], mode: "all" | "one", waitedMs: number): void {
  const { m } = ctx;
  const call = ctx.waiting.get(callId);
  if (call === undefined || call.isEnded()) return;
  void mode; // "one" offers carry a single agent; "all" rings them together.
  // Screen pop for the agent's phone or desktop: which queue, how long the caller waited
  // (the caller's number and name are in From, as on any call).
  const queue = ctx.joined.get(callId)?.queue ?? "";
  const screenPop = headerField("X-Hotline-Queue", `${queue};waited=${Math.round(waitedMs / 1000)}`);
  const offer: Offer = ctx.offers.get(callId) ?? { attempts: new Map() };
  ctx.offers.set(callId, offer);
  const answered = (leg: OutboundLeg, agent: string): void => {
    ctx.offers.delete(callId);
    ctx.visited.delete(callId); // answered: a later transfer into any queue starts afresh
    // The first answer wins: the other agents' phones stop (RFC 3326 cause 26).
    for (const [other, att] of offer.attempts) if (other !== agent) att.abort(26, "Answered elsewhere");
    offer.attempts.clear();
    ctx.waiting.delete(callId);
    ctx.agentOf.set(call, agent);
    const j = ctx.joined.get(callId);
    if (j !== undefined) {
      const now = m.deps.scheduler.now();
      j.answeredAt = now;
      j.agent = agent;
      ctx.fig({ type: "answered", at: now, queue: j.queue, callId, agent, waitMs: now - j.at }, call);
    }
    const a = call.a;
    if (a.endpoint !== null) ctx.announcer.forget(a.endpoint.id); // a prompt cut short by the answer
    if (a.endpoint !== null && leg.endpoint !== null) {
      m.deps.media.play(a.endpoint.id, null);
      m.deps.media.unbridge(a.endpoint.id);
      m.deps.media.bridge(a.endpoint.id, leg.endpoint.id);
    }
    m.markConnected(call, leg);
    m.deps.recorder.answered(call);
    ctx.feed({ type: "offer-answered", agent });
  };
  for (const agent of agents) {
    // Registration re-read now (a cheap lookup): a lapsed one yields no targets → "unreachable".
    const targets = m.contactTargets(call, agent).map((t) => ({ ...t, headers: [...t.headers, screenPop] }));
    let started = 0;
    const attempt: DialAttempt = new DialAttempt(
      [{ label: `queue offer to ${agent}`, timeoutMs: 10 * 60_000, targets: () => targets }],
      {
        startLeg: async (t, att) => {
          const leg = await m.startOutboundLeg(call, t, att);
          if (leg !== null) started++;
          return leg;
        },
        onProgress: (leg, res) => {
          m.indexDialog(leg);
          if (res.status >= 180) ctx.feed({ type: "offer-ringing", agent });
        },
        onAnswer: (leg) => {
          m.indexDialog(leg);
          answered(leg, agent);
        },
        onExhausted: (status, busy) => {
          if (offer.attempts.get(agent) !== attempt) return;
          offer.attempts.delete(agent);
          if (offer.attempts.size === 0 && ctx.offers.get(callId) === offer) ctx.offers.delete(callId);
          ctx.feed({ type: "offer-failed", agent, reason: started === 0 ? "unreachable" : failureOf(status, busy) });
          if (started === 0) ctx.unreachable(agent);
        },
      },
      m.deps.scheduler,
    );
    offer.attempts.set(agent, attempt);
  }
  ctx.fig({ type: "offered", at: m.deps.scheduler.now(), queue, callId, agents, waitedMs }, call);
  for (const agent of agents) offer.attempts.get(agent)?.start();
}

/** The engine's cancel-offer for an ordinary call: only the named agents stop ringing (ring-all: the others ring on). */
export function cancelOffer(ctx: QueueContext, callId: string, agents: readonly string[]): void {
  const offer = ctx.offers.get(callId);
  if (offer === undefined) return;
  for (const agent of agents) {
    offer.attempts.get(agent)?.abort(19, "No answer");
    offer.attempts.delete(agent);
  }
  if (offer.attempts.size === 0) ctx.offers.delete(callId);
}

/** The waiting caller left: its agents' phones stop (RFC 3326 cause 16). */
export function withdrawOffer(ctx: QueueContext, callId: string): void {
  const offer = ctx.offers.get(callId);
  ctx.offers.delete(callId);
  for (const attempt of offer?.attempts.values() ?? []) attempt.abort(16, "Caller hung up");
}

/**
 * The agent's part of a queue call that goes on without it is over: its handle time ends now and
 * the engine puts it in wrap-up. Journaled `queue.ended` (with `why`: transferred, requeued), or
 * `queue.taken-over` when a supervisor took the call over (supervision.ts): the rest of the call
 * is the supervisor's, not the queue's handle time.
 */
export function releaseAgent(ctx: QueueContext, call: Call, agent: string, by: { why: string } | { supervisor: string }): void {
  ctx.agentOf.delete(call);
  const j = ctx.joined.get(call.id);
  if (j !== undefined && j.answeredAt !== null) {
    // Counted here, so the end of the call (onCallEnded) no longer finds it in `joined`.
    ctx.joined.delete(call.id);
    const now = ctx.m.deps.scheduler.now();
    if ("supervisor" in by) ctx.fig({ type: "taken-over", at: now, queue: j.queue, callId: call.id, agent, supervisor: by.supervisor, handleMs: now - j.answeredAt }, call);
    else ctx.fig({ type: "ended", at: now, queue: j.queue, callId: call.id, agent, handleMs: now - j.answeredAt }, call, { why: by.why });
  }
  ctx.feed({ type: "call-ended", agent });
}
