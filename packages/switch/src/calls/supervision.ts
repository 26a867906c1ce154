/**
 * Supervisor controls for ACD agents (issue 4): silent listen, whisper, barge, take over and
 * force hangup of an agent's call, and forced agent status, by feature code (*51–*58 + the
 * agent's extension) or HTTP API. Every attempt, allowed or not, is journaled as
 * `supervisor.action`. Who may do what:
 * - call actions (monitor, take over, hang up) only on a call the queue service gave the agent
 *   (queue calls and callbacks), and only by a `supervisors` entry of the queue that call came
 *   from: a supervisor of queue A has no business in the agent's queue-B calls, direct calls or
 *   own outgoing calls (those answer "agent-not-in-call": not in a queue call);
 * - forced status by a supervisor of any of the agent's queues: an agent has one status across
 *   all its queues, so the audit entry lists every queue it affects.
 *
 * Listen/whisper/barge put three endpoints in one mix room `sup:<call id>`: the agent call's
 * caller-side and agent-side endpoints and the supervisor's. Who hears whom is mixPlan();
 * DTMF 4/5/6 from the supervisor switches mode as Asterisk's ChanSpy does. When the
 * supervisor hangs up the room is dissolved and the two sides are bridged again; when the
 * monitored call ends the supervisor's call gets a BYE. One supervisor per call at a time:
 * a second one gets 486 (feature code) or 409 (API). When the agent's (or the caller's) leg
 * leaves the call that goes on — a transfer — the monitor ends too: the supervisor gets a BYE
 * and the audit says outcome "ended", reason "transferred".
 */
import { decodeUtf8, parseSdp, type SipResponse } from "@hotline/sip";
import type { FeatureAction } from "../routing/index.js";
import { Call } from "./call.js";
import type { CallManager, LegLeftReason } from "./call-manager.js";
import { DialAttempt } from "./dial-attempt.js";
import type { Leg } from "./leg.js";
import type { OutboundLeg } from "./outbound-leg.js";
import type { MediaEvent, MixOptions } from "./ports.js";

export const MONITOR_MODES = ["listen", "whisper", "barge"] as const;
export type MonitorMode = (typeof MONITOR_MODES)[number];

export const SUPERVISOR_ACTIONS = ["listen", "whisper", "barge", "take-over", "hangup", "force-available", "force-break", "force-logout"] as const;
export type SupervisorAction = (typeof SUPERVISOR_ACTIONS)[number];

/** How the action was asked for; "dtmf" is a mode switch by keys during a monitor. */
export type SupervisorVia = "feature-code" | "api" | "dtmf";
/** "ended": a running monitor was ended by the switch (the agent's leg left the call). */
export type SupervisorOutcome = "done" | "denied" | "failed" | "ended";

export const REFUSALS = ["not-permitted", "not-an-agent", "agent-not-in-call", "already-supervised", "supervisor-unreachable"] as const;
export type RefusalWhy = (typeof REFUSALS)[number];

export type SupervisorResult = { ok: true; callId: string | null } | Refusal;
export interface Refusal {
  ok: false;
  why: RefusalWhy;
  reason: string;
}

/** Feature code → action (the code's argument is the agent's extension). */
const FEATURE_ACTIONS: Partial<Record<FeatureAction, SupervisorAction>> = {
  "supervisor-listen": "listen",
  "supervisor-whisper": "whisper",
  "supervisor-barge": "barge",
  "supervisor-take-over": "take-over",
  "supervisor-hangup": "hangup",
  "force-available": "force-available",
  "force-break": "force-break",
  "force-logout": "force-logout",
};

/** Asterisk app_chanspy's DTMF keys during a spy session: 4 spy, 5 whisper, 6 barge. */
const MODE_KEYS: Readonly<Record<string, MonitorMode>> = { "4": "listen", "5": "whisper", "6": "barge" };

/** SIP answer to a refused feature code: status, Q.850 cause (RFC 3398 §8.2.6.1 pairs) and reason phrase. */
const SIP_REFUSAL: Record<RefusalWhy, { status: number; q850: number; text: string }> = {
  "not-permitted": { status: 403, q850: 21, text: "Not A Supervisor Of That Agent" },
  "not-an-agent": { status: 403, q850: 21, text: "Not A Queue Agent" },
  "agent-not-in-call": { status: 480, q850: 18, text: "Agent Not In A Call" },
  "already-supervised": { status: 486, q850: 17, text: "Call Already Supervised" },
  "supervisor-unreachable": { status: 480, q850: 20, text: "Supervisor Not Registered" },
};

/**
 * Who hears whom (endpoint ids of the agent call's caller side `caller` and agent side `agent`):
 * listen — the supervisor hears both and says nothing; caller and agent hear each other only.
 * whisper — the agent hears caller and supervisor, the caller hears the agent only.
 * barge — everyone hears everyone (a three-way call).
 */
export function mixPlan(mode: MonitorMode, caller: string, agent: string): { caller: MixOptions; agent: MixOptions; supervisor: MixOptions } {
  switch (mode) {
    case "listen":
      return { caller: { listenTo: [agent], muted: false }, agent: { listenTo: [caller], muted: false }, supervisor: { listenTo: null, muted: true } };
    case "whisper":
      return { caller: { listenTo: [agent], muted: false }, agent: { listenTo: null, muted: false }, supervisor: { listenTo: null, muted: false } };
    case "barge":
      return { caller: { listenTo: null, muted: false }, agent: { listenTo: null, muted: false }, supervisor: { listenTo: null, muted: false } };
  }
}

/** An agent's connected queue call: the queue it came from, which leg is the agent and which the other party. */
interface AgentCall {
  call: Call;
  queue: string;
  agentLeg: Leg;
  callerLeg: Leg;
}

interface Session extends AgentCall {
  action: MonitorMode | "take-over";
  actor: string;
  agent: string;
  via: SupervisorVia;
  /** The supervisor's own call; its answered leg is `supLeg` (null while the phone rings). */
  supCall: Call;
  supLeg: Leg | null;
  room: string;
}

export class Supervision {
  private readonly byTarget = new Map<Call, Session>();
  private readonly bySup = new Map<Call, Session>();
  private seq = 1;

  constructor(private readonly m: CallManager) {
    m.onLegLeft((call, leg, why) => this.onLegLeft(call, leg, why));
  }

  /** Whether `actor` may act on `agent` at all: a supervisor of any queue the agent is a member of. */
  mayControl(actor: string, agent: string): boolean {
    return this.queuesOf(agent).some((q) => this.supervises(actor, q));
  }

  /** Whether `actor` is listed in queue `queue`'s `supervisors`. */
  supervises(actor: string, queue: string): boolean {
    const q = Object.hasOwn(this.m.deps.routing.queues, queue) ? this.m.deps.routing.queues[queue] : undefined;
    return (q?.supervisors ?? []).includes(actor);
  }

  /** The queues `agent` is a member of (config order). */
  queuesOf(agent: string): string[] {
    return Object.entries(this.m.deps.routing.queues)
      .filter(([, q]) => Object.hasOwn(q.members, agent))
      .map(([n]) => n);
  }

  /**
   * The agent's connected queue call, if any: only calls the queue service gave the agent
   * (queue calls and callbacks), never its direct or own outgoing calls.
   */
  callOf(agent: string): AgentCall | null {
    const q = this.m.queues.queueCallOf(agent);
    if (q === null) return null;
    const { call, queue } = q;
    if (call.state !== "connected" || call.b === null || this.bySup.has(call)) return null;
    if (call.b.party === agent && call.b.trunk === null && !call.b.ended) return { call, queue, agentLeg: call.b, callerLeg: call.a };
    if (call.a.party === agent && call.a.trunk === null && !call.a.ended) return { call, queue, agentLeg: call.a, callerLeg: call.b };
    return null;
  }

  /** The agent's queue call `actor` may act on, or why not (not in a queue call; another queue's call). */
  private targetOf(actor: string, agent: string): AgentCall | { refusal: Refusal; queue?: string } {
    const target = this.callOf(agent);
    if (target === null) return { refusal: this.refuse("agent-not-in-call", `agent ${agent} is not in a queue call`) };
    const { queue } = target;
    if (!this.supervises(actor, queue)) return { refusal: this.refuse("not-permitted", `${actor} is not a supervisor of queue ${queue}, which agent ${agent}'s call came from`), queue };
    return target;
  }

  /**
   * Extensions monitoring a call now (their phone ringing for it or in the room): QueueService
   * counts them in use, so a supervisor who is also an agent is not offered queue calls meanwhile.
   */
  supervising(): Set<string> {
    const out = new Set<string>();
    for (const s of this.bySup.values()) if (!s.supCall.isEnded()) out.add(s.actor);
    return out;
  }

  /** The mode of the monitor on the agent's call, for status reports and tests. */
  sessionOf(agentCall: Call): { supervisor: string; action: MonitorMode | "take-over"; answered: boolean } | null {
    const s = this.byTarget.get(agentCall);
    return s === undefined ? null : { supervisor: s.actor, action: s.action, answered: s.supLeg !== null };
  }

  // ---- feature codes -------------------------------------------------------------------

  /** *51–*58 + agent: `call` is the supervisor's call, still waiting for our answer. */
  featureCode(call: Call, feature: FeatureAction, argument: string | null): void {
    const action = FEATURE_ACTIONS[feature];
    if (action === undefined) return;
    if (argument === null || argument === "") return this.m.failCall(call, 484, 28, "Address Incomplete");
    const actor = call.caller;
    const agent = argument;
    const via = "feature-code";
    const refusal = call.trunk !== null ? this.refuse("not-permitted", `${actor} is not an extension`) : this.check(actor, agent);
    if (refusal !== null) return this.refuseCall(call, actor, agent, action, refusal);
    if (action === "force-available" || action === "force-break" || action === "force-logout") {
      this.force(actor, agent, action, via);
      return this.m.features.confirm(call);
    }
    const target = this.targetOf(actor, agent);
    if ("refusal" in target) return this.refuseCall(call, actor, agent, action, target.refusal, target.queue);
    if (action === "hangup") {
      this.hangupCall(actor, agent, target, via);
      return this.m.features.confirm(call);
    }
    if (this.byTarget.has(target.call)) return this.refuseCall(call, actor, agent, action, this.busy(target.call), target.queue);
    if (!this.m.features.answerCaller(call)) return;
    const session: Session = { ...target, action, actor, agent, via, supCall: call, supLeg: call.a, room: `sup:${target.call.id}` };
    if (action === "take-over") return this.takeOver(session);
    this.startMonitor(session);
  }

  private refuseCall(call: Call, actor: string, agent: string, action: SupervisorAction, refusal: Refusal, queue?: string): void {
    this.audit(actor, agent, action, "feature-code", refusal.why === "not-permitted" || refusal.why === "not-an-agent" ? "denied" : "failed", refusal.reason, null, queue);
    const sip = SIP_REFUSAL[refusal.why];
    this.m.failCall(call, sip.status, sip.q850, sip.text);
  }

  // ---- HTTP API -------------------------------------------------------------------------

  /** Rings the supervisor's registered phone; on answer it joins the agent's call in `mode`. */
  monitor(actor: string, agent: string, mode: MonitorMode): SupervisorResult {
    return this.originate(actor, agent, mode);
  }

  /** Rings the supervisor's phone; on answer the supervisor replaces the agent in the call. */
  takeOverByApi(actor: string, agent: string): SupervisorResult {
    return this.originate(actor, agent, "take-over");
  }

  /** Ends the agent's current call (BYE to both sides with a Reason). */
  hangup(actor: string, agent: string): SupervisorResult {
    const refusal = this.check(actor, agent);
    if (refusal !== null) return this.refuseApi(actor, agent, "hangup", refusal);
    const target = this.targetOf(actor, agent);
    if ("refusal" in target) return this.refuseApi(actor, agent, "hangup", target.refusal, target.queue);
    this.hangupCall(actor, agent, target, "api");
    return { ok: true, callId: target.call.id };
  }

  /** Forces the agent's status (logs it in when made available). */
  forceStatus(actor: string, agent: string, action: "force-available" | "force-break" | "force-logout"): SupervisorResult {
    const refusal = this.check(actor, agent);
    if (refusal !== null) return this.refuseApi(actor, agent, action, refusal);
    this.force(actor, agent, action, "api");
    return { ok: true, callId: null };
  }

  private refuseApi(actor: string, agent: string, action: SupervisorAction, refusal: Refusal, queue?: string): SupervisorResult {
    this.audit(actor, agent, action, "api", refusal.why === "not-permitted" || refusal.why === "not-an-agent" ? "denied" : "failed", refusal.reason, null, queue);
    return refusal;
  }

  private originate(actor: string, agent: string, action: MonitorMode | "take-over"): SupervisorResult {
    const refusal = this.check(actor, agent);
    if (refusal !== null) return this.refuseApi(actor, agent, action, refusal);
    const target = this.targetOf(actor, agent);
    if ("refusal" in target) return this.refuseApi(actor, agent, action, target.refusal, target.queue);
    if (this.byTarget.has(target.call)) return this.refuseApi(actor, agent, action, this.busy(target.call), target.queue);
    const now = this.m.deps.scheduler.now();
    const supCall = new Call(`s${now.toString(36)}-${this.seq++}`, "", now, "hotline", `${action} ${agent}`, actor);
    if (this.m.contactTargets(supCall, actor).length === 0) {
      return this.refuseApi(actor, agent, action, this.refuse("supervisor-unreachable", `supervisor ${actor} has no registered phone to call`), target.queue);
    }
    supCall.trace.push(`supervisor ${actor}: ${action} ${agent} (API)`);
    const session: Session = { ...target, action, actor, agent, via: "api", supCall, supLeg: null, room: `sup:${target.call.id}` };
    this.byTarget.set(target.call, session);
    this.bySup.set(supCall, session);
    const attempt = new DialAttempt(
      [{ label: `supervisor ${actor}`, timeoutMs: this.m.deps.options.ringSeconds * 1000, targets: () => this.m.contactTargets(supCall, actor) }],
      {
        startLeg: async (t, att) => {
          const leg = await this.m.startOutboundLeg(supCall, t, att);
          if (leg !== null && !this.m.calls.has(supCall.id)) {
            // The first leg is the call's `a` from now on: the supervisor is the party being served.
            supCall.a = leg;
            this.m.calls.set(supCall.id, supCall);
            this.m.deps.recorder.started(supCall);
          }
          return leg;
        },
        onProgress: (leg) => this.m.indexDialog(leg),
        onAnswer: (leg, res) => this.onSupervisorAnswer(session, leg, res),
        onExhausted: (status) => {
          this.audit(actor, agent, action, "api", "failed", `supervisor's phone did not answer (${status})`, target.call.id, target.queue);
          this.forget(session);
          if (this.m.calls.has(supCall.id)) void this.m.endCall(supCall, "system", 19, "Supervisor did not answer");
        },
      },
      this.m.deps.scheduler,
    );
    supCall.state = "dialing";
    this.m.dialAttempts.set(supCall, attempt);
    attempt.start();
    return { ok: true, callId: supCall.id };
  }

  private onSupervisorAnswer(s: Session, leg: OutboundLeg, res: SipResponse): void {
    const { m } = this;
    m.indexDialog(leg);
    m.dialAttempts.delete(s.supCall);
    const call = s.supCall;
    call.a = leg;
    call.state = "connected";
    call.answeredAt = m.deps.scheduler.now();
    call.answeredBy = s.actor;
    call.occupies.add(s.actor);
    m.deps.recorder.answered(call);
    const sdp = res.body.length > 0 ? parseSdp(decodeUtf8(res.body)) : null;
    const usable = leg.offer !== null && sdp !== null && sdp.ok && m.mediaSession.applyAnswer(leg, leg.offer, sdp.sdp);
    if (!usable || s.call.isEnded()) {
      this.audit(s.actor, s.agent, s.action, "api", "failed", usable ? `agent ${s.agent}'s call ended before the supervisor answered` : "supervisor's phone answered without usable SDP", s.call.id, s.queue);
      this.forget(s);
      void m.endCall(call, "system", usable ? 16 : 88, usable ? "Monitored call ended" : "Not acceptable here");
      return;
    }
    s.supLeg = leg;
    if (s.action === "take-over") this.takeOver(s);
    else this.startMonitor(s);
  }

  // ---- carrying out ----------------------------------------------------------------------

  private startMonitor(s: Session): void {
    if (s.action === "take-over") return;
    this.byTarget.set(s.call, s);
    this.bySup.set(s.supCall, s);
    this.apply(s, s.action);
    this.m.deps.recorder.event(s.call, "call.supervised", { supervisor: s.actor, agent: s.agent, mode: s.action, via: s.via });
    this.audit(s.actor, s.agent, s.action, s.via, "done", null, s.call.id, s.queue);
  }

  private apply(s: Session, mode: MonitorMode): void {
    // A leg that left the call (a transferor) may be bridged elsewhere by now: never mix it.
    if (!this.inCall(s)) return;
    const c = s.callerLeg.endpoint?.id;
    const a = s.agentLeg.endpoint?.id;
    const sup = s.supLeg?.endpoint?.id;
    if (c === undefined || a === undefined || sup === undefined) return;
    const plan = mixPlan(mode, c, a);
    const { media } = this.m.deps;
    media.play(sup, null);
    media.mix(c, s.room, plan.caller);
    media.mix(a, s.room, plan.agent);
    media.mix(sup, s.room, plan.supervisor);
  }

  /** The supervisor's leg replaces the agent's: the agent gets BYE (Reason text "take-over"). */
  private takeOver(s: Session): void {
    const { m } = this;
    const { media } = m.deps;
    const supLeg = s.supLeg;
    this.forget(s);
    if (supLeg === null || s.call.isEnded()) return;
    const target = s.call;
    // RFC 3326: the Reason tells the agent's phone (and its CDR) why the call ended for it.
    s.agentLeg.bye(16, "take-over");
    m.queues.agentLeft(target, s.actor);
    m.releaseDetachedLeg(s.agentLeg);
    const from = s.supCall;
    from.legs.splice(from.legs.indexOf(supLeg), 1);
    supLeg.call = target;
    target.addLeg(supLeg);
    if (target.b === s.agentLeg) target.b = supLeg;
    else target.a = supLeg;
    target.occupies.delete(s.agent);
    target.occupies.add(s.actor);
    const c = s.callerLeg.endpoint?.id;
    if (c !== undefined && supLeg.endpoint !== null) {
      media.play(c, null);
      media.unbridge(c);
      media.bridge(c, supLeg.endpoint.id);
    }
    target.trace.push(`taken over by supervisor ${s.actor} from agent ${s.agent}`);
    m.deps.recorder.event(target, "call.taken-over", { agent: s.agent, supervisor: s.actor, via: s.via });
    this.audit(s.actor, s.agent, "take-over", s.via, "done", null, target.id, s.queue);
    from.answeredBy = target.a.party;
    void m.endCall(from, "system", 16, "Took over another call");
  }

  private hangupCall(actor: string, agent: string, { call, queue }: AgentCall, via: SupervisorVia): void {
    this.m.deps.recorder.event(call, "call.supervisor-hangup", { agent, supervisor: actor, via });
    this.audit(actor, agent, "hangup", via, "done", null, call.id, queue);
    void this.m.endCall(call, "system", 16, `hangup by supervisor ${actor}`);
  }

  private force(actor: string, agent: string, action: "force-available" | "force-break" | "force-logout", via: SupervisorVia): void {
    this.m.queues.agentAction(agent, action === "force-available" ? "agent-available" : action === "force-break" ? "agent-break" : "agent-logout");
    this.audit(actor, agent, action, via, "done", null, null);
  }

  // ---- events from call control ----------------------------------------------------------

  /** Called by CallManager.endCall before legs are released. */
  onCallEnded(call: Call): void {
    const asSup = this.bySup.get(call);
    if (asSup !== undefined) {
      this.forget(asSup);
      if (asSup.supLeg === null) return;
      this.dissolve(asSup);
      this.m.deps.recorder.event(asSup.call, "call.supervision-ended", { supervisor: asSup.actor, agent: asSup.agent });
      return;
    }
    const asTarget = this.byTarget.get(call);
    if (asTarget === undefined) return;
    this.forget(asTarget);
    const sup = asTarget.supLeg?.endpoint?.id;
    if (sup !== undefined) this.m.deps.media.unmix(sup);
    if (asTarget.supLeg === null) this.audit(asTarget.actor, asTarget.agent, asTarget.action, asTarget.via, "failed", `agent ${asTarget.agent}'s call ended before the supervisor answered`, call.id, asTarget.queue);
    void this.m.endCall(asTarget.supCall, "system", 16, "Monitored call ended");
  }

  /** DTMF 4/5/6 from a monitoring supervisor switches listen/whisper/barge. true = consumed. */
  onMediaEvent(e: MediaEvent): boolean {
    if (e.type !== "dtmf") return false;
    for (const s of this.bySup.values()) {
      if (s.supLeg?.endpoint?.id !== e.id || s.action === "take-over") continue;
      const mode = MODE_KEYS[e.digit];
      if (mode === undefined || mode === s.action) return true;
      s.action = mode;
      this.apply(s, mode);
      this.m.deps.recorder.event(s.call, "call.supervised", { supervisor: s.actor, agent: s.agent, mode, via: "dtmf" });
      this.audit(s.actor, s.agent, mode, "dtmf", "done", null, s.call.id, s.queue);
      return true;
    }
    return false;
  }

  /** The room is gone: the agent call's two sides are bridged again as before. */
  private dissolve(s: Session): void {
    const { media } = this.m.deps;
    const sup = s.supLeg?.endpoint?.id;
    if (sup !== undefined) media.unmix(sup);
    const c = s.callerLeg.endpoint?.id;
    const a = s.agentLeg.endpoint?.id;
    if (c === undefined || a === undefined) return;
    media.unmix(c);
    media.unmix(a);
    if (!s.call.isEnded() && this.inCall(s)) media.bridge(c, a);
  }

  /** Whether both monitored legs are still the two sides of the monitored call. */
  private inCall(s: Session): boolean {
    const { call, callerLeg, agentLeg } = s;
    const sides = [call.a, call.b];
    return !call.isEnded() && !callerLeg.ended && !agentLeg.ended && sides.includes(callerLeg) && sides.includes(agentLeg);
  }

  /**
   * A leg left a call that goes on (CallManager.legLeft, e.g. the agent transferred the caller):
   * a monitor of that call ends at once — the room is dissolved before the caller is routed or
   * bridged anew, the supervisor gets a BYE — and is audited as outcome "ended".
   */
  private onLegLeft(call: Call, leg: Leg, why: LegLeftReason): void {
    const s = this.byTarget.get(call);
    if (s === undefined || (leg !== s.agentLeg && leg !== s.callerLeg)) return;
    this.forget(s);
    const { media } = this.m.deps;
    for (const l of [s.supLeg, s.callerLeg, s.agentLeg]) {
      const id = l?.endpoint?.id;
      if (id !== undefined) media.unmix(id);
    }
    if (s.supLeg !== null) this.m.deps.recorder.event(call, "call.supervision-ended", { supervisor: s.actor, agent: s.agent, reason: why });
    this.audit(s.actor, s.agent, s.action, s.via, s.supLeg === null ? "failed" : "ended", why, call.id, s.queue);
    void this.m.endCall(s.supCall, "system", 16, `Monitored call ${why}`);
  }

  private forget(s: Session): void {
    if (this.byTarget.get(s.call) === s) this.byTarget.delete(s.call);
    if (this.bySup.get(s.supCall) === s) this.bySup.delete(s.supCall);
  }

  private check(actor: string, agent: string): Refusal | null {
    if (!this.m.queues.isAgent(agent)) return this.refuse("not-an-agent", `${agent} is not a member of any queue`);
    if (!this.mayControl(actor, agent)) return this.refuse("not-permitted", `${actor} is not a supervisor of any queue ${agent} is a member of`);
    return null;
  }

  private busy(call: Call): Refusal {
    const s = this.byTarget.get(call);
    return this.refuse("already-supervised", `the call is already supervised by ${s?.actor ?? "another supervisor"}`);
  }

  private refuse(why: RefusalWhy, reason: string): Refusal {
    return { ok: false, why, reason };
  }

  /**
   * One audit entry. `queues`: the queue of the call acted on, or — for forced status and
   * refusals before a call was found — every queue of the agent (an agent's status is one for all).
   */
  private audit(actor: string, agent: string, action: SupervisorAction, via: SupervisorVia, outcome: SupervisorOutcome, reason: string | null, callId: string | null, queue?: string): void {
    const queues = queue !== undefined ? [queue] : this.queuesOf(agent);
    this.m.deps.recorder.note("supervisor.action", { actor, agent, action, via, outcome, reason, callId, queues });
  }
}
