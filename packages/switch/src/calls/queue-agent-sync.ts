/**
 * Tells the ACD engine what only the switch knows about each agent's phone: whether it has a
 * registered contact (no contact = never offered) and whether it is in a call the queue did not
 * give it (ring-in-use). Polled, and re-read at a call's join, on agent actions, and before every
 * engine input (QueueService.feed).
 */
import type { CancelTimer } from "./ports.js";
import type { QueueContext } from "./queue-context.js";
import type { Supervision } from "./supervision.js";

/**
 * Agents' registration is re-read this often, at a call's join, on agent actions, and for each
 * agent just before it is offered a call (a lapsed registration is then "unreachable", not a miss).
 */
export const REGISTRATION_POLL_MS = 2000;

export class AgentSync {
  private readonly registered = new Map<string, boolean>();
  /** Agents the engine was told are in a non-queue call (ring-in-use). */
  private readonly inUse = new Map<string, boolean>();
  /** The registration poll's next run (cancelled by stop()). */
  private pollTimer: CancelTimer | null = null;
  private stopped = false;

  constructor(
    private readonly ctx: QueueContext,
    private readonly members: readonly string[],
  ) {}

  /** At shutdown: no more registration polls. */
  stop(): void {
    this.stopped = true;
    this.pollTimer?.();
    this.pollTimer = null;
  }

  /**
   * No leg could be started for `agent` (no registered contact, no media port): the engine counts
   * it unregistered until the next registration poll, so the call is not offered to it again in a
   * tight loop meanwhile; the poll brings it back when its phone is registered.
   */
  unreachable(agent: string): void {
    if (this.registered.get(agent) === false) return;
    this.registered.set(agent, false);
    this.ctx.run(this.ctx.engine.handle({ type: "agent-registered", agent, registered: false }, this.ctx.m.deps.scheduler.now()));
    this.ctx.refresh({ kind: "agent", agent });
  }

  /** Tells the engine which agents' phones are registered (no contact = never offered). */
  syncRegistrations(): void {
    const { m } = this.ctx;
    const now = m.deps.scheduler.now();
    for (const agent of this.members) {
      const reg = m.deps.registrar.lookup(`sip:${agent}@${m.deps.options.domain}`, now).length > 0;
      if (this.registered.get(agent) === reg) continue;
      this.registered.set(agent, reg);
      this.ctx.run(this.ctx.engine.handle({ type: "agent-registered", agent, registered: reg }, now));
      this.ctx.refresh({ kind: "agent", agent });
    }
    this.syncInUse();
  }

  /**
   * Tells the engine which agents are in a call the queue did not give them (a direct or
   * outgoing call, ringing or talking to someone): queues without ringInUse skip them. Queue calls
   * (waiting, offered, or with their agent) are the engine's own business and do not count.
   */
  syncInUse(): void {
    const { m, waiting, agentOf } = this.ctx;
    // A supervisor's monitoring call is answered by the switch with nobody else on it, yet its
    // extension is busy listening (a take-over is a call with two sides, counted below).
    // (`supervision` is undefined while CallManager's constructor builds the queue service.)
    const busy = (m.supervision as Supervision | undefined)?.supervising() ?? new Set<string>();
    for (const c of m.calls.values()) {
      if (c.state === "ended" || waiting.has(c.id) || agentOf.has(c)) continue;
      // Answered by the switch itself with nobody else on it (feature code such as *60, IVR): not "in use".
      if (c.state === "connected" && c.b === null) continue;
      for (const ext of c.occupies) busy.add(ext);
      for (const ext of c.ringing) busy.add(ext);
    }
    const now = m.deps.scheduler.now();
    for (const agent of this.members) {
      const inUse = busy.has(agent);
      if ((this.inUse.get(agent) ?? false) === inUse) continue;
      this.inUse.set(agent, inUse);
      this.ctx.run(this.ctx.engine.handle({ type: "agent-in-use", agent, inUse }, now));
      this.ctx.refresh({ kind: "agent", agent });
    }
  }

  /** Re-reads the registrations now and every REGISTRATION_POLL_MS until stop(). */
  poll(): void {
    if (this.stopped) return;
    this.syncRegistrations();
    this.pollTimer = this.ctx.m.deps.scheduler.after(REGISTRATION_POLL_MS, () => this.poll());
  }
}
