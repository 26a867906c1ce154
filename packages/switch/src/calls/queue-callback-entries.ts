/**
 * QueueService's callback entries (issue 4): the caller's "press 1", the entry waiting in the
 * engine in the caller's place (stored through onCallback so it survives a restart), its offer
 * (deferred while the number is in a call), a failed or withdrawn attempt re-joining in its
 * place, and a caller calling again merged into one entry. The dialling itself — agent first,
 * then the caller — is queue-callbacks.ts startCallback.
 */
import type { AcdAction } from "@hotline/acd";
import { phrase } from "@hotline/ivr";
import type { QueueCallbackRecord } from "../store.js";
import type { Call } from "./call.js";
import type { CallManager } from "./call-manager.js";
import type { MediaEvent } from "./ports.js";
import { callbackOf, canDialBack, startCallback, type CallbackEntry, type CallbackHost } from "./queue-callbacks.js";
import { trunkOf, type QueueContext } from "./queue-context.js";
import { failureOf } from "./queue-offers.js";

/**
 * A callback digit from a waiting caller (a DTMF media event): the engine turns the call into a
 * callback entry (its callback-queued action). Always false: the digit is still journaled as
 * call.dtmf.
 */
export function callbackDigit(ctx: QueueContext, e: Extract<MediaEvent, { type: "dtmf" }>): boolean {
  const { m } = ctx;
  for (const call of ctx.waiting.values()) {
    if (call.a.endpoint?.id !== e.id) continue;
    const queue = ctx.joined.get(call.id)?.queue ?? "";
    const cb = callbackOf(ctx.queueEntries[queue]);
    if (!cb.enabled || e.digit !== cb.digit) return false;
    // Only a number we can dial back (digits, an optional +): withheld or anonymous callers
    // keep waiting and hear nothing new; the refusal is journaled.
    if (!/^\+?[0-9]+$/.test(call.caller)) {
      m.deps.recorder.event(call, "queue.callback-refused", { queue, number: call.caller, why: "number not dialable" });
      return false;
    }
    // A number with no way back (no such extension, the trunk gone): refused now, not after
    // maxAttempts failed dials that each cost an agent.
    if (!canDialBack(m, { queue, number: call.caller, ...trunkOf(call) })) {
      m.deps.recorder.event(call, "queue.callback-refused", { queue, number: call.caller, why: "no route" });
      return false;
    }
    ctx.feed({ type: "call-to-callback", callId: call.id, number: call.caller });
    return false; // still journaled as call.dtmf
  }
  return false;
}

/** At start: callbacks stored before a restart re-join in their place. */
export function restoreCallbacks(ctx: QueueContext, records: readonly QueueCallbackRecord[]): void {
  for (const r of records) {
    if (ctx.queueEntries[r.queue] === undefined) continue;
    ctx.callbacks.set(r.callId, { ...r, run: null });
    ctx.feed({ type: "call-joined", queue: r.queue, call: { id: r.callId, caller: r.number, priority: r.priority, joinedAt: r.joinedAt, callback: { number: r.number, notBefore: r.notBefore } } });
  }
}

/** The callback request `e` lives on in `call`, which joined in its place. */
export function mergeCallback(ctx: QueueContext, call: Call, e: CallbackEntry): void {
  ctx.callbacks.delete(e.callId);
  ctx.deferred.delete(e.callId);
  ctx.store(null, e.callId);
  // The new call waits since the request's join: its answer's wait (ASA, service level) counts from there.
  const j = ctx.joined.get(call.id);
  if (j !== undefined) j.at = Math.min(j.at, e.joinedAt);
  ctx.fig({ type: "callback-merged", at: ctx.m.deps.scheduler.now(), queue: e.queue, callId: e.callId, into: call.id }, call, { number: e.number, joinedAt: e.joinedAt });
}

/** The caller pressed the digit: thank, hang up the caller's leg; the entry stays in the engine. */
export function callbackQueued(ctx: QueueContext, action: Extract<AcdAction, { type: "callback-queued" }>): void {
  const { m } = ctx;
  const { callId, queue, number, joinedAt, priority } = action;
  const call = ctx.waiting.get(callId);
  // The trunk an outside caller came in on: the callback is dialled back through it.
  const entry: CallbackEntry = { callId, queue, number, priority, joinedAt, attempts: 0, notBefore: 0, ...(call !== undefined && trunkOf(call)), run: null };
  ctx.callbacks.set(callId, entry);
  ctx.store(entry, callId);
  ctx.waiting.delete(callId);
  ctx.joined.delete(callId);
  if (call === undefined) return;
  const now = m.deps.scheduler.now();
  ctx.fig({ type: "callback-requested", at: now, queue, callId, waitMs: now - joinedAt }, call, { number, position: ctx.engine.position(callId) ?? null });
  const ep = call.a.endpoint;
  const hangUp = (): void => void m.endCall(call, "system", 16, "Callback requested");
  if (ep === null) return hangUp();
  ctx.announcer.play(ep.id, phrase(ctx.queueEntries[queue]?.announce?.language ?? "zh+en", "callback-thanks"), hangUp);
  // Should play-done never come (a media failure), the line is released anyway.
  call.hold(m.deps.scheduler.after(30_000, hangUp));
}

/** The engine offers a callback entry to `agents`: dial (startCallback), or defer while its number is in a call. */
export function offerCallback(ctx: QueueContext, callId: string, agents: readonly string[], waitedMs: number): void {
  const { m } = ctx;
  const entry = ctx.callbacks.get(callId);
  if (entry === undefined || entry.run !== null) return;
  // The number is in a call now (the caller still hearing "thank you" before its line is
  // released, or calling again): not an attempt. The entry keeps its place and waits for that
  // call to end (onCallEnded → resumeDeferred), so the first attempt follows the caller's
  // hang-up at once; retrySeconds is only the safety net should that end be missed.
  if (numberBusy(m, entry.number)) {
    const now = m.deps.scheduler.now();
    const notBefore = now + callbackOf(ctx.queueEntries[entry.queue]).retrySeconds * 1000;
    if (!ctx.deferred.has(callId)) {
      ctx.deferred.add(callId);
      m.deps.recorder.note("queue.callback-deferred", { queue: entry.queue, number: entry.number, requestCallId: entry.callId, until: "number free", notBefore });
    }
    rejoinCallback(ctx, entry, notBefore);
    return;
  }
  ctx.deferred.delete(callId);
  startCallback(m, callbackHost(ctx), ctx.announcer, entry, agents, waitedMs, ctx.queueEntries[entry.queue], ctx.nextCallbackSeq());
}

function numberBusy(m: CallManager, number: string): boolean {
  return [...m.calls.values()].some((c) => !c.isEnded() && (c.caller === number || c.legs.some((l) => l.party === number && !l.ended)));
}

/** A call ended: callbacks deferred because their number was in it are offered again now (when the number is free). */
export function resumeDeferred(ctx: QueueContext, ended: Call): void {
  const now = ctx.m.deps.scheduler.now();
  for (const callId of [...ctx.deferred]) {
    const entry = ctx.callbacks.get(callId);
    if (entry === undefined) {
      ctx.deferred.delete(callId);
      continue;
    }
    const involved = ended.caller === entry.number || ended.legs.some((l) => l.party === entry.number);
    if (!involved || entry.run !== null || numberBusy(ctx.m, entry.number)) continue;
    rejoinCallback(ctx, entry, now);
  }
}

/** The engine's cancel-offer for a callback still ringing its agents: only the named agents stop; the call ends with the last. */
export function cancelCallbackOffer(ctx: QueueContext, callId: string, agents: readonly string[]): void {
  const entry = ctx.callbacks.get(callId);
  const run = entry?.run;
  // (Once an agent answered, its attempts are done: the engine's cancel for the others ends nothing.)
  const named = run === undefined || run === null ? [] : agents.filter((agent) => run.agentAttempts.has(agent));
  if (entry !== undefined && run !== undefined && run !== null && run.callerAttempt === null && named.length > 0) {
    for (const agent of named) {
      run.agentAttempts.get(agent)?.abort(19, "No answer");
      run.agentAttempts.delete(agent);
    }
    if (run.agentAttempts.size === 0) {
      entry.run = null;
      if (ctx.m.calls.has(run.call.id)) void ctx.m.endCall(run.call, "system", 19, "No answer");
    }
  }
}

/** A call ended: when it was a callback call still dialling, the attempt failed (caller being dialled) or is withdrawn (agents ringing). */
export function callbackCallEnded(ctx: QueueContext, call: Call): void {
  // A callback call ended while the citizen was being dialled (the agent hung up): a failed attempt.
  for (const e of ctx.callbacks.values()) {
    if (e.run?.call !== call) continue;
    if (e.run.callerAttempt !== null) {
      e.run.callerAttempt.abort(16, "Agent hung up");
      callbackFailed(ctx, e, call, "agent hung up");
    } else callbackWithdrawn(ctx, e);
    break;
  }
}

/** What startCallback and the announcer report back (QueueAnnouncer reads the engine's positions through it). */
export function callbackHost(ctx: Omit<QueueContext, "announcer">): CallbackHost {
  const { m } = ctx;
  return {
    position: (id) => ctx.engine.position(id),
    estimate: (q, p) => ctx.estimate(q, p),
    isWaiting: (call) => ctx.waiting.get(call.id) === call,
    joinOf: (call) => ctx.joined.get(call.id),
    agentRinging: (agent) => ctx.feed({ type: "offer-ringing", agent }),
    agentAnswered: (_callId, agent, cbCall) => {
      ctx.agentOf.set(cbCall, agent);
      ctx.feed({ type: "offer-answered", agent });
    },
    agentFailed: (agents, status, busy, started) => {
      // As for ordinary offers (queue-offers.ts): no leg started is the phone's failure, "unreachable", not a miss.
      const reason = started ? failureOf(status, busy) : "unreachable";
      for (const agent of agents) {
        ctx.feed({ type: "offer-failed", agent, reason });
        if (!started) ctx.unreachable(agent);
      }
    },
    callerAnswered: (entry, cbCall) => {
      entry.run = null;
      ctx.callbacks.delete(entry.callId);
      ctx.store(null, entry.callId);
      // Answered, waited since the original join; the callback call's end gives its handle time.
      const now = m.deps.scheduler.now();
      const agent = ctx.agentOf.get(cbCall) ?? "";
      ctx.joined.set(cbCall.id, { queue: entry.queue, at: entry.joinedAt, answeredAt: now, agent });
      ctx.fig({ type: "callback-answered", at: now, queue: entry.queue, callId: entry.callId, agent, waitMs: now - entry.joinedAt }, cbCall, { number: entry.number, attempt: entry.attempts + 1 });
    },
    callerFailed: (entry, cbCall, why) => callbackFailed(ctx, entry, cbCall, why),
  };
}

/** Dialling the caller failed: the agent is freed (wrap-up); the entry re-joins in its place after retrySeconds, or is dropped. */
function callbackFailed(ctx: Omit<QueueContext, "announcer">, entry: CallbackEntry, cbCall: Call, why: string): void {
  const { m } = ctx;
  if (entry.run === null) return;
  entry.run = null;
  entry.attempts++;
  const cb = callbackOf(ctx.queueEntries[entry.queue]);
  m.deps.recorder.event(cbCall, "queue.callback-failed", { queue: entry.queue, number: entry.number, requestCallId: entry.callId, attempt: entry.attempts, why });
  if (entry.attempts >= cb.maxAttempts) {
    ctx.callbacks.delete(entry.callId);
    ctx.store(null, entry.callId);
    ctx.fig({ type: "callback-dropped", at: m.deps.scheduler.now(), queue: entry.queue, callId: entry.callId, attempts: entry.attempts }, cbCall, { number: entry.number });
  } else {
    entry.notBefore = m.deps.scheduler.now() + cb.retrySeconds * 1000;
    ctx.store(entry, entry.callId);
    ctx.feed({ type: "call-joined", queue: entry.queue, call: { id: entry.callId, caller: entry.number, priority: entry.priority, joinedAt: entry.joinedAt, callback: { number: entry.number, notBefore: entry.notBefore } } });
    ctx.refresh({ kind: "queue", queue: entry.queue });
  }
  if (m.calls.has(cbCall.id)) void m.endCall(cbCall, "system", 18, "Callback not answered");
}

/**
 * The callback call ended while its agents were still being rung (hung up from the console,
 * an unusable answer): the offer is withdrawn, not failed — no agent is charged a miss and it
 * is not an attempt; the entry re-joins in its place at once.
 */
function callbackWithdrawn(ctx: QueueContext, entry: CallbackEntry): void {
  for (const attempt of entry.run?.agentAttempts.values() ?? []) attempt.abort(16, "Callback withdrawn");
  entry.run = null;
  rejoinCallback(ctx, entry, ctx.m.deps.scheduler.now());
}

/** Puts a callback entry back in the engine in its original place, not offered before `notBefore`. */
export function rejoinCallback(ctx: QueueContext, entry: CallbackEntry, notBefore: number, inEngine = true): void {
  entry.notBefore = notBefore;
  ctx.store(entry, entry.callId);
  if (inEngine) ctx.feed({ type: "call-left", callId: entry.callId });
  ctx.feed({ type: "call-joined", queue: entry.queue, call: { id: entry.callId, caller: entry.number, priority: entry.priority, joinedAt: entry.joinedAt, callback: { number: entry.number, notBefore } } });
  ctx.refresh({ kind: "queue", queue: entry.queue });
}
