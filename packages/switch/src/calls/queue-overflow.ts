/**
 * A queue call the engine sends away: overflow to another destination (with the loop check of
 * overflow chains), or refusal (queue full, no agents), answered as RFC 3398 maps the cause.
 */
import type { AcdAction } from "@hotline/acd";
import type { Call } from "./call.js";
import { InboundLeg } from "./inbound-leg.js";
import type { QueueContext } from "./queue-context.js";

type Overflow = Extract<AcdAction, { type: "call-overflow" }>;
type Refusal = Extract<AcdAction, { type: "call-refused" }>;

/**
 * A call joining queue `number` that it already left by overflow, through some other
 * destination (a `numbers` entry): the same loop the overflow check stops (480/18). True when
 * the call was ended for it.
 */
export function rejoinLoops(ctx: QueueContext, call: Call, number: string): boolean {
  const { m } = ctx;
  const path = ctx.visited.get(call.id) ?? [];
  if (!path.includes(number)) return false;
  m.deps.recorder.event(call, "queue.overflow-loop", { queue: path.at(-1) ?? number, to: number, path });
  call.trace.push(`queue ${number}: overflow loop (${[...path, number].join(" → ")})`);
  if (call.a.endpoint !== null) m.deps.media.play(call.a.endpoint.id, null);
  m.failCall(call, 480, 18, "Overflow loop");
  return true;
}

/** The engine's call-overflow: the waiting call is routed on to the queue's overflow destination. */
export function overflowCall(ctx: QueueContext, action: Overflow): void {
  const { m } = ctx;
  const call = ctx.waiting.get(action.callId);
  ctx.waiting.delete(action.callId);
  if (call === undefined) return;
  if (call.a.endpoint !== null) {
    // The announcement stops here (no play-done): the next queue's announcements must not wait for it.
    ctx.announcer.forget(call.a.endpoint.id);
    m.deps.media.play(call.a.endpoint.id, null);
  }
  const now = m.deps.scheduler.now();
  const waitMs = now - (ctx.joined.get(call.id)?.at ?? now);
  ctx.joined.delete(call.id);
  ctx.fig({ type: "overflowed", at: now, queue: action.queue, callId: call.id, to: action.destination.target, waitMs }, call);
  const path = ctx.visited.get(call.id) ?? [action.queue];
  if (path.includes(action.destination.target)) {
    // An overflow cycle (the config check reports it too): 480, as for no agents (RFC 3398: 480/18).
    m.deps.recorder.event(call, "queue.overflow-loop", { queue: action.queue, to: action.destination.target, path });
    call.trace.push(`queue ${action.queue} overflow → ${action.destination.target}: loop (${path.join(" → ")})`);
    m.failCall(call, 480, 18, "Overflow loop");
    return;
  }
  // The routing depth grows with every overflow hop, so a longer cycle through other
  // destinations still ends at the call manager's depth limit.
  void m.routeTo(call, action.destination.target, path.length, `queue ${action.queue} overflow`);
}

/** The engine's call-refused: the call is answered with the failure its reason maps to. */
export function refuseCall(ctx: QueueContext, action: Refusal): void {
  const { m } = ctx;
  const call = ctx.waiting.get(action.callId);
  ctx.waiting.delete(action.callId);
  if (call === undefined) return;
  ctx.joined.delete(call.id);
  ctx.fig({ type: "refused", at: m.deps.scheduler.now(), queue: action.queue, callId: call.id, reason: action.reason }, call);
  // RFC 3398: a full queue is busy (486/17); no agent at all is unavailable (480/18).
  if (action.reason === "queue-full") m.failCall(call, 486, 17, "Queue full");
  else if (action.reason === "no-agents-left") leftWithoutAgents(ctx, call);
  else m.failCall(call, 480, 18, "No agents");
}

/**
 * leaveWhenNoAgents without overflow: the waiting caller (already answered, hearing music)
 * is hung up at once, no prompt; the CDR records 480 and cause 18 (RFC 3398: no user responding).
 */
function leftWithoutAgents(ctx: QueueContext, call: Call): void {
  const { m } = ctx;
  const a = call.a;
  if (a instanceof InboundLeg && (a.state === "proceeding" || a.state === "early")) return m.failCall(call, 480, 18, "No agents");
  if (call.a.endpoint !== null) m.deps.media.play(call.a.endpoint.id, null);
  call.failureStatus = 480;
  void m.endCall(call, "system", 18, "No agents");
}
