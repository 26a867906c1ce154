/**
 * Carries out the ACD's decisions (ARCHITECTURE.md "How a call flows", step 5): a call routed
 * to a queue joins the `AcdEngine`; while it waits the caller is answered and hears music on
 * hold; an offer rings the chosen agents' registered contacts; the first answer is bridged;
 * failures, the caller leaving and the end of an agent's call go back to the engine. The
 * engine decides who and when; this file only feeds it inputs (including whether each agent's
 * phone is registered) and acts on its actions.
 */
import { AcdEngine, isStrategyId, queueStats, type AcdAction, type AcdConfig, type AcdInput, type AgentConfig, type AgentStatus, type OfferFailure, type QueueConfig } from "@hotline/acd";
import { headerField } from "@hotline/sip";
import type { AgentStatusRecord } from "../store.js";
import type { QueueEntry } from "../routing/index.js";
import type { Call } from "./call.js";
import type { CallManager } from "./call-manager.js";
import { DialAttempt } from "./dial-attempt.js";
import { InboundLeg } from "./inbound-leg.js";
import type { OutboundLeg } from "./outbound-leg.js";
import type { CancelTimer } from "./ports.js";

/** Agents' registration is re-read this often (and before every queue event). */
const REGISTRATION_POLL_MS = 2000;
/** Answered within this long counts towards the service level (the common 80/20 target). */
const SERVICE_LEVEL_MS = 20_000;

export const AGENT_ACTIONS = ["agent-login", "agent-logout", "agent-break", "agent-available"] as const;
export type AgentAction = (typeof AGENT_ACTIONS)[number];

interface Offer {
  attempt: DialAttempt;
  agents: readonly string[];
}

export class QueueService {
  readonly engine: AcdEngine;
  private readonly members: readonly string[];
  /** Calls the engine knows, by call id (the engine's call id is hotline's). */
  private readonly waiting = new Map<string, Call>();
  private readonly offers = new Map<string, Offer>();
  /** The agent each connected queue call is with (for call-ended → wrap-up). */
  private readonly agentOf = new Map<Call, string>();
  private readonly registered = new Map<string, boolean>();
  private timer: CancelTimer | null = null;
  private timerAt = Infinity;
  /** Told of every change of an agent's operator status (the server stores it: it survives restarts). */
  onStatus: ((agent: string, status: AgentStatus) => void) | null = null;
  private readonly lastStatus = new Map<string, string>();
  /** When each queued call joined, and which queue (wait and handle times). */
  private readonly joined = new Map<string, { queue: string; at: number; answeredAt: number | null }>();
  private readonly figures = new Map<string, { answered: number; withinSL: number; waitMs: number; handled: number; handleMs: number }>();

  constructor(
    private readonly m: CallManager,
    queues: Readonly<Record<string, QueueEntry>>,
    random: () => number,
  ) {
    const config = acdConfig(queues);
    this.members = config.agents.map((a) => a.id);
    this.engine = new AcdEngine(config, random);
    if (this.members.length > 0) this.poll();
  }

  /** A call routed to queue `number`: join, then answer the caller with music while it waits. */
  enqueue(call: Call, number: string): void {
    this.syncRegistrations();
    this.waiting.set(call.id, call);
    this.joined.set(call.id, { queue: number, at: this.m.deps.scheduler.now(), answeredAt: null });
    call.state = "queued";
    call.trace.push(`queue ${number}`);
    this.m.deps.recorder.event(call, "queue.joined", { queue: number, priority: call.priority.level });
    // Answer first only when the engine keeps the call (a refusal is answered 486/480 instead).
    const actions = this.engine.handle({ type: "call-joined", queue: number, call: { id: call.id, caller: call.caller, priority: call.priority.level } }, this.m.deps.scheduler.now());
    const refused = actions.find((a) => a.type === "call-refused" && a.callId === call.id);
    if (refused === undefined && this.waiting.has(call.id)) this.answerWithMusic(call);
    this.run(actions);
  }

  /** Feature codes *60–*63 (and later the console): the agent's own status. */
  agentAction(agent: string, action: AgentAction): boolean {
    if (!this.members.includes(agent)) return false;
    this.syncRegistrations();
    const input: AcdInput =
      action === "agent-login"
        ? { type: "agent-login", agent }
        : action === "agent-logout"
          ? { type: "agent-logout", agent }
          : action === "agent-break"
            ? { type: "agent-break", agent, reason: "break" }
            : { type: "agent-available", agent };
    this.feed(input);
    return true;
  }

  /** Brings agents back to the status stored before a restart (logged-out ones stay out). */
  restore(records: readonly AgentStatusRecord[]): void {
    this.syncRegistrations();
    for (const r of records) {
      if (!this.members.includes(r.agent) || r.status === "logged-out") continue;
      this.feed({ type: "agent-login", agent: r.agent });
      if (r.status === "on-break") this.feed({ type: "agent-break", agent: r.agent, reason: r.reason ?? "break" });
    }
  }

  /** Live figures per queue and each member agent's status and state (GET /api/queues). */
  report(now: number): { queues: unknown[]; agents: unknown[] } {
    const queues = [...this.engine.counters.keys()].map((q) => {
      const f = this.figuresOf(q);
      return {
        ...queueStats(this.engine, q),
        // Of calls answered: the share answered within 20 s (the "80/20" service level), the
        // average speed of answer, and the average handle time of calls that have ended.
        serviceLevelPercent: f.answered === 0 ? null : Math.round((1000 * f.withinSL) / f.answered) / 10,
        averageSpeedOfAnswerSeconds: f.answered === 0 ? null : Math.round(f.waitMs / f.answered / 100) / 10,
        averageHandleSeconds: f.handled === 0 ? null : Math.round(f.handleMs / f.handled / 100) / 10,
      };
    });
    const agents = [...this.engine.agents.entries()].map(([id, a]) => ({
      agent: id,
      status: a.status,
      state: a.state,
      registered: a.registered,
      callsAnswered: a.callsAnswered,
      talkTimeMs: a.talkTimeMs,
      idleSeconds: a.state === "idle" && a.status.kind === "available" ? Math.max(0, Math.round((now - a.idleSince) / 1000)) : null,
    }));
    return { queues, agents };
  }

  private figuresOf(queue: string): { answered: number; withinSL: number; waitMs: number; handled: number; handleMs: number } {
    let f = this.figures.get(queue);
    if (f === undefined) {
      f = { answered: 0, withinSL: 0, waitMs: 0, handled: 0, handleMs: 0 };
      this.figures.set(queue, f);
    }
    return f;
  }

  /** Whether `agent` is a member of any queue. */
  isAgent(agent: string): boolean {
    return this.members.includes(agent);
  }

  /** The call ended (either side hung up): the engine hears the caller left or the agent's call ended. */
  onCallEnded(call: Call): void {
    const j = this.joined.get(call.id);
    this.joined.delete(call.id);
    if (j !== undefined && j.answeredAt !== null) {
      const f = this.figuresOf(j.queue);
      f.handled++;
      f.handleMs += this.m.deps.scheduler.now() - j.answeredAt;
    }
    const agent = this.agentOf.get(call);
    if (agent !== undefined) {
      this.agentOf.delete(call);
      this.feed({ type: "call-ended", agent });
      return;
    }
    if (!this.waiting.has(call.id)) return;
    this.waiting.delete(call.id);
    const offer = this.offers.get(call.id);
    this.offers.delete(call.id);
    offer?.attempt.abort(16, "Caller hung up");
    this.feed({ type: "call-left", callId: call.id });
  }

  private answerWithMusic(call: Call): void {
    const a = call.a;
    if (a instanceof InboundLeg && (a.state === "proceeding" || a.state === "early")) {
      const sdp = a.localSdp ?? (a.offer !== null ? this.m.mediaSession.answer(a, a.offer) : this.m.mediaSession.offer(a, null));
      if (sdp === null) return;
      a.answer(sdp);
      this.m.indexDialog(a);
    }
    if (a.endpoint !== null) this.m.deps.media.play(a.endpoint.id, { kind: "moh" });
  }

  private feed(input: AcdInput): void {
    this.run(this.engine.handle(input, this.m.deps.scheduler.now()));
  }

  private run(actions: readonly AcdAction[]): void {
    for (const action of actions) {
      switch (action.type) {
        case "offer":
          this.offer(action.callId, action.agents, action.mode, action.waitedMs);
          break;
        case "cancel-offer": {
          const offer = this.offers.get(action.callId);
          if (offer === undefined) break;
          this.offers.delete(action.callId);
          offer.attempt.abort(19, "No answer");
          break;
        }
        case "call-overflow": {
          const call = this.waiting.get(action.callId);
          this.waiting.delete(action.callId);
          if (call === undefined) break;
          if (call.a.endpoint !== null) this.m.deps.media.play(call.a.endpoint.id, null);
          this.m.deps.recorder.event(call, "queue.overflow", { queue: action.queue, to: action.destination.target });
          void this.m.routeTo(call, action.destination.target, 0, `queue ${action.queue} overflow`);
          break;
        }
        case "call-refused": {
          const call = this.waiting.get(action.callId);
          this.waiting.delete(action.callId);
          if (call === undefined) break;
          this.m.deps.recorder.event(call, "queue.refused", { queue: action.queue, reason: action.reason });
          // RFC 3398: a full queue is busy (486/17); no agent at all is unavailable (480/18).
          if (action.reason === "queue-full") this.m.failCall(call, 486, 17, "Queue full");
          else this.m.failCall(call, 480, 18, "No agents");
          break;
        }
        case "agent-state-changed": {
          // Agent-state intervals for reports: every change of status or state, timestamped.
          this.m.deps.recorder.note("agent.state", { agent: action.agent, status: action.status, state: action.state });
          const key = action.status.kind === "on-break" ? `on-break:${action.status.reason}` : action.status.kind;
          if (this.lastStatus.get(action.agent) !== key) {
            this.lastStatus.set(action.agent, key);
            this.onStatus?.(action.agent, action.status);
          }
          break;
        }
        case "queue-stats":
          break;
      }
    }
    this.arm();
  }

  /** Rings the agents' registered contacts for the waiting call (one DialAttempt per offer). */
  private offer(callId: string, agents: readonly string[], mode: "all" | "one", waitedMs: number): void {
    const call = this.waiting.get(callId);
    if (call === undefined || call.isEnded()) return;
    void mode; // "one" offers carry a single agent; "all" rings them together, as one stage.
    // Screen pop for the agent's phone or desktop: which queue, how long the caller waited
    // (the caller's number and name are in From, as on any call).
    const queue = this.joined.get(callId)?.queue ?? "";
    const screenPop = headerField("X-Hotline-Queue", `${queue};waited=${Math.round(waitedMs / 1000)}`);
    const answered = (leg: OutboundLeg): void => {
      this.offers.delete(callId);
      this.waiting.delete(callId);
      const agent = leg.party;
      this.agentOf.set(call, agent);
      const j = this.joined.get(callId);
      if (j !== undefined) {
        const now = this.m.deps.scheduler.now();
        j.answeredAt = now;
        const f = this.figuresOf(j.queue);
        f.answered++;
        f.waitMs += now - j.at;
        if (now - j.at <= SERVICE_LEVEL_MS) f.withinSL++;
      }
      const a = call.a;
      if (a.endpoint !== null && leg.endpoint !== null) {
        this.m.deps.media.play(a.endpoint.id, null);
        this.m.deps.media.unbridge(a.endpoint.id);
        this.m.deps.media.bridge(a.endpoint.id, leg.endpoint.id);
      }
      this.m.markConnected(call, leg);
      this.m.deps.recorder.answered(call);
      this.feed({ type: "offer-answered", agent });
    };
    const attempt = new DialAttempt(
      [{ label: `queue offer to ${agents.join(", ")}`, timeoutMs: 10 * 60_000, targets: () => agents.flatMap((ag) => this.m.contactTargets(call, ag)).map((t) => ({ ...t, headers: [...t.headers, screenPop] })) }],
      {
        startLeg: (t, att) => this.m.startOutboundLeg(call, t, att),
        onProgress: (leg, res) => {
          this.m.indexDialog(leg);
          if (res.status >= 180) this.feed({ type: "offer-ringing", agent: leg.party });
        },
        onAnswer: (leg) => {
          this.m.indexDialog(leg);
          answered(leg);
        },
        onExhausted: (status, busy) => {
          if (this.offers.get(callId)?.attempt !== attempt) return;
          this.offers.delete(callId);
          const reason: OfferFailure = busy ? "busy" : status === 603 || status === 403 ? "rejected" : "no-answer";
          for (const agent of agents) this.feed({ type: "offer-failed", agent, reason });
        },
      },
      this.m.deps.scheduler,
    );
    this.offers.set(callId, { attempt, agents });
    this.m.deps.recorder.event(call, "queue.offer", { agents: [...agents], waitedMs });
    attempt.start();
  }

  /** Tells the engine which agents' phones are registered (no contact = never offered). */
  private syncRegistrations(): void {
    const now = this.m.deps.scheduler.now();
    for (const agent of this.members) {
      const reg = this.m.deps.registrar.lookup(`sip:${agent}@${this.m.deps.options.domain}`, now).length > 0;
      if (this.registered.get(agent) === reg) continue;
      this.registered.set(agent, reg);
      this.run(this.engine.handle({ type: "agent-registered", agent, registered: reg }, now));
    }
  }

  private poll(): void {
    this.syncRegistrations();
    this.m.deps.scheduler.after(REGISTRATION_POLL_MS, () => this.poll());
  }

  private arm(): void {
    const at = this.engine.nextDeadline();
    if (at === undefined || at >= this.timerAt) return;
    this.timer?.();
    this.timerAt = at;
    this.timer = this.m.deps.scheduler.after(Math.max(0, at - this.m.deps.scheduler.now()), () => {
      this.timer = null;
      this.timerAt = Infinity;
      this.feed({ type: "tick" });
    });
  }
}

/** The engine's configuration from the dial plan's queues (members' skills per queue). */
export function acdConfig(queues: Readonly<Record<string, QueueEntry>>): AcdConfig {
  const qs: QueueConfig[] = [];
  const agents = new Map<string, { queue: string; skillLevel: number }[]>();
  for (const [number, q] of Object.entries(queues)) {
    qs.push({
      id: number,
      strategy: isStrategyId(q.strategy) ? q.strategy : "longest-idle",
      wrapUpMs: q.wrapUpSeconds * 1000,
      ringTimeoutMs: q.ringSeconds * 1000,
      ...(q.maxLength !== null && { maxLength: q.maxLength }),
      ...(q.maxWaitSeconds !== null && q.overflow !== null && { maxWaitMs: q.maxWaitSeconds * 1000, overflow: { kind: "number" as const, target: q.overflow } }),
    });
    for (const [ext, level] of Object.entries(q.members)) {
      const list = agents.get(ext) ?? [];
      list.push({ queue: number, skillLevel: level });
      agents.set(ext, list);
    }
  }
  const agentConfigs: AgentConfig[] = [...agents].map(([id, memberships]) => ({ id, memberships }));
  return { queues: qs, agents: agentConfigs };
}
