/**
 * Queue announcements and "press 1 to be called back" (issue 4), for QueueService.
 *
 * Announcements: while a caller waits on music on hold, every `positionEverySeconds` it hears
 * its position and estimated wait (and the callback offer when callbacks are enabled), every
 * `periodicEverySeconds` the periodic announcement; each is a "files" playlist, and its
 * play-done puts music on hold back.
 *
 * Callbacks: the engine's entry keeps the caller's place; when it is offered, the agent is rung
 * first (From = the caller's number, X-Hotline-Queue `callback=1`); once the agent answers the
 * caller's number is dialled (caller ID = the queue number), greeted on answer and bridged.
 */
import { positionAnnouncement, phrase, type AnnounceLanguage, type PromptRef } from "@hotline/ivr";
import { headerField, parseSdp, decodeUtf8, type SipResponse } from "@hotline/sip";
import type { QueueCallbackRecord } from "../store.js";
import { QUEUE_ANNOUNCE_DEFAULTS, QUEUE_CALLBACK_DEFAULTS, type QueueAnnounce, type QueueCallback, type QueueEntry, type Target } from "../routing/index.js";
import { Call } from "./call.js";
import type { CallManager } from "./call-manager.js";
import { DialAttempt } from "./dial-attempt.js";
import type { OutboundLeg, OutboundTarget } from "./outbound-leg.js";

/** Handle time assumed before a queue has any ended call (3 minutes, a typical hotline call). */
export const DEFAULT_HANDLE_SECONDS = 180;

/**
 * Estimated wait = position × average handle time ÷ max(1, agents logged in), in seconds:
 * with N agents each serving a call of average length, the caller at position p waits about
 * p/N handle times.
 */
export function estimatedWaitSeconds(position: number, averageHandleSeconds: number | null, loggedIn: number): number {
  return Math.round((position * (averageHandleSeconds ?? DEFAULT_HANDLE_SECONDS)) / Math.max(1, loggedIn));
}

export function announceOf(q: QueueEntry | undefined): QueueAnnounce {
  return q?.announce ?? QUEUE_ANNOUNCE_DEFAULTS;
}
export function callbackOf(q: QueueEntry | undefined): QueueCallback {
  return q?.callback ?? QUEUE_CALLBACK_DEFAULTS;
}

/** What QueueService gives this helper: its engine view and its hooks. */
export interface CallbackHost {
  position(callId: string): number | undefined;
  estimate(queue: string, position: number): number;
  isWaiting(call: Call): boolean;
  /** The call's current queue join (a new object per join), or undefined. */
  joinOf(call: Call): object | undefined;
  /** The agent answered the callback offer (engine: offer-answered). */
  agentAnswered(callId: string, agent: string, cbCall: Call): void;
  /**
   * The agent's offer failed (engine: offer-failed); `started` = a leg was started (without one —
   * no registered contact, no media port — the agent is unreachable, not a miss).
   */
  agentFailed(agents: readonly string[], status: number, busy: boolean, started: boolean): void;
  agentRinging(agent: string): void;
  /** Dialling the caller failed: retry later or drop. */
  callerFailed(entry: CallbackEntry, cbCall: Call, why: string): void;
  callerAnswered(entry: CallbackEntry, cbCall: Call): void;
}

export interface CallbackEntry extends QueueCallbackRecord {
  /** The callback call ringing the agent / dialling the caller now, if any. */
  run: { call: Call; agentAttempts: Map<string, DialAttempt>; callerAttempt: DialAttempt | null } | null;
}

export class QueueAnnouncer {
  /** Endpoint → what to do when its prompt ends. */
  private readonly afterPlay = new Map<string, () => void>();

  constructor(
    private readonly m: CallManager,
    private readonly host: CallbackHost,
  ) {}

  path(ref: PromptRef): string {
    return `${this.m.deps.options.promptsDir ?? "assets/prompts"}/${ref.language}/${ref.name}.wav`;
  }

  /** Plays prompts to an endpoint, then `then` (default: nothing). */
  play(endpoint: string, refs: readonly PromptRef[], then: () => void, extraPaths: readonly string[] = []): void {
    this.afterPlay.set(endpoint, then);
    this.m.deps.media.play(endpoint, { kind: "files", paths: [...extraPaths, ...refs.map((r) => this.path(r))], loop: false });
  }

  /** play-done: true when it was one of ours. */
  onPlayDone(endpoint: string): boolean {
    const then = this.afterPlay.get(endpoint);
    if (then === undefined) return false;
    this.afterPlay.delete(endpoint);
    then();
    return true;
  }

  forget(endpoint: string): void {
    this.afterPlay.delete(endpoint);
  }

  /** Starts the waiting caller's announcement timers (cancelled when the call ends). */
  start(call: Call, queue: string, q: QueueEntry | undefined): void {
    const a = announceOf(q);
    const cb = callbackOf(q);
    const { scheduler } = this.m.deps;
    // This join's timers only: after an overflow or a transfer into another queue (or back into
    // this one) the call is waiting again, but for the new join's own timers, language and offer.
    const join = this.host.joinOf(call);
    const every = (kind: "position" | "callback-offer" | "periodic", first: number, period: number | null, what: () => PromptRef[], extra: () => string[] = () => []): void => {
      const fire = (): void => {
        if (!this.host.isWaiting(call) || join === undefined || this.host.joinOf(call) !== join) return;
        const ep = call.a.endpoint;
        if (ep !== null && !this.afterPlay.has(ep.id)) {
          // Journaled so an operator (and the e2e test) can see what a waiting caller was told.
          this.m.deps.recorder.event(call, "queue.announcement", { queue, kind, position: this.host.position(call.id) ?? null });
          this.play(ep.id, what(), () => {
            if (this.host.isWaiting(call)) this.m.deps.media.play(ep.id, { kind: "moh" });
          }, extra());
        }
        if (period !== null) call.hold(scheduler.after(period * 1000, fire));
      };
      call.hold(scheduler.after(first * 1000, fire));
    };
    const lang: AnnounceLanguage = a.language;
    const offer = (): PromptRef[] => (cb.enabled ? phrase(lang, "press-1-callback") : []);
    if (a.positionEverySeconds !== null) {
      every("position", a.firstAfterSeconds, a.positionEverySeconds, () => {
        const pos = this.host.position(call.id);
        return pos === undefined ? offer() : [...positionAnnouncement(lang, pos, this.host.estimate(queue, pos)), ...offer()];
      });
    } else if (cb.enabled) every("callback-offer", a.firstAfterSeconds, null, offer);
    if (a.periodicEverySeconds !== null) {
      const file = a.periodicFile;
      every("periodic", a.periodicEverySeconds, a.periodicEverySeconds, () => (file === null ? phrase(lang, "all-busy") : []), () => (file === null ? [] : [file]));
    }
  }
}

/**
 * Dials one callback: the agent first, then the caller. One DialAttempt per offered agent (as
 * queue-offers.ts offerCall does): in ring-all one agent's 486/603 or silence is that agent's alone
 * (the engine hears each agent's failure as it happens) and never stops the others' phones.
 */
export function startCallback(m: CallManager, host: CallbackHost, announcer: QueueAnnouncer, entry: CallbackEntry, agents: readonly string[], waitedMs: number, q: QueueEntry | undefined, seq: number): void {
  const now = m.deps.scheduler.now();
  const cb = callbackOf(q);
  const lang = announceOf(q).language;
  // From = the citizen's number (the agent's screen pop); the agent is the party served (`a`).
  const call = new Call(`cb${now.toString(36)}-${seq}`, "", now, entry.number, null, agents[0] ?? "");
  call.trace.push(`queue ${entry.queue} callback to ${entry.number} (attempt ${entry.attempts + 1})`);
  const screenPop = headerField("X-Hotline-Queue", `${entry.queue};waited=${Math.round(waitedMs / 1000)};callback=1`);
  const agentAttempts = new Map<string, DialAttempt>();
  const run: NonNullable<CallbackEntry["run"]> = { call, agentAttempts, callerAttempt: null };
  for (const agent of agents) {
    let started = 0;
    const attempt: DialAttempt = new DialAttempt(
      [{ label: `queue callback offer to ${agent}`, timeoutMs: 10 * 60_000, targets: () => m.contactTargets(call, agent).map((t) => ({ ...t, headers: [...t.headers, screenPop] })) }],
      {
        startLeg: async (t, att) => {
          const leg = await m.startOutboundLeg(call, t, att);
          if (leg !== null) started++;
          if (leg !== null && !m.calls.has(call.id)) {
            call.a = leg;
            m.calls.set(call.id, call);
            m.deps.recorder.started(call);
          }
          return leg;
        },
        onProgress: (leg, res) => {
          m.indexDialog(leg);
          if (res.status >= 180) host.agentRinging(agent);
        },
        onAnswer: (leg, res) => {
          m.indexDialog(leg);
          // The first answer wins: the other agents' phones stop (RFC 3326 cause 26).
          for (const [other, att] of agentAttempts) if (other !== agent) att.abort(26, "Answered elsewhere");
          agentAttempts.clear();
          if (!applyAnswer(m, leg, res)) return void m.endCall(call, "system", 88, "Not acceptable here");
          call.a = leg;
          call.state = "dialing";
          call.occupies.add(leg.party);
          host.agentAnswered(entry.callId, agent, call);
          if (leg.endpoint !== null) m.deps.media.play(leg.endpoint.id, { kind: "moh" });
          dialCaller(m, host, announcer, entry, call, leg, cb.ringSeconds, lang);
        },
        onExhausted: (status, busy) => {
          if (entry.run !== run || agentAttempts.get(agent) !== attempt) return;
          agentAttempts.delete(agent);
          // The last agent failed: the callback call is over before the engine hears of it
          // (it may offer the entry again at once, with a new run).
          if (agentAttempts.size === 0) {
            entry.run = null;
            if (m.calls.has(call.id)) void m.endCall(call, "system", 19, "No answer");
          }
          host.agentFailed([agent], status, busy, started > 0);
        },
      },
      m.deps.scheduler,
    );
    agentAttempts.set(agent, attempt);
  }
  entry.run = run;
  call.state = "dialing";
  for (const attempt of [...agentAttempts.values()]) attempt.start();
}

function dialCaller(m: CallManager, host: CallbackHost, announcer: QueueAnnouncer, entry: CallbackEntry, call: Call, agentLeg: OutboundLeg, ringSeconds: number, lang: AnnounceLanguage): void {
  m.deps.recorder.event(call, "queue.callback-dialled", { queue: entry.queue, number: entry.number, requestCallId: entry.callId, attempt: entry.attempts + 1 });
  const attempt = new DialAttempt(
    [{ label: `callback ${entry.number}`, timeoutMs: ringSeconds * 1000, targets: () => callerTargets(m, call, entry) }],
    {
      startLeg: (t, att) => m.startOutboundLeg(call, t, att),
      onProgress: (leg) => m.indexDialog(leg),
      onAnswer: (leg, res) => {
        m.indexDialog(leg);
        m.dialAttempts.delete(call);
        if (entry.run !== null) entry.run.callerAttempt = null;
        if (!applyAnswer(m, leg, res)) return host.callerFailed(entry, call, "no usable SDP");
        m.markConnected(call, leg);
        host.callerAnswered(entry, call);
        const a = agentLeg.endpoint;
        const b = leg.endpoint;
        if (a === null || b === null) return;
        // The citizen hears who is calling before the agent speaks.
        announcer.play(b.id, phrase(lang, "callback-greeting"), () => {
          // Only if the two legs are still the call's two sides: a take-over during the greeting
          // replaced the agent's leg (its endpoint is released), and a supervisor's listen,
          // whisper or barge has mixed the legs in its room — a bridge now would undo that.
          const sides = [call.a, call.b];
          if (call.isEnded() || agentLeg.ended || leg.ended || !sides.includes(agentLeg) || !sides.includes(leg)) return;
          m.deps.media.play(a.id, null);
          if (m.supervision.sessionOf(call) === null) m.deps.media.bridge(a.id, b.id);
        });
      },
      onExhausted: (status) => {
        if (entry.run?.callerAttempt !== attempt) return;
        entry.run.callerAttempt = null;
        host.callerFailed(entry, call, `status ${status}`);
      },
    },
    m.deps.scheduler,
  );
  if (entry.run !== null) entry.run.callerAttempt = attempt;
  m.dialAttempts.set(call, attempt);
  attempt.start();
}

/**
 * Where the caller's number leads. An outside caller is dialled back through the trunk its call
 * came in on (the router's `trunk:NAME/NUMBER` destination), with the number in the dialling form
 * it was normalised to on arrival (trunk-numbers.ts normalizeInbound) — the form outbound routes
 * send to carriers too; the outbound routes' prefixes ("9…") are for people dialling out, so a
 * received number never matches them. An internal caller is dialled as its extension. A record
 * without a trunk from before it was kept: an extension, else the outbound routes (as before).
 */
export function callerTargets(m: CallManager, call: Call, entry: QueueCallbackRecord): OutboundTarget[] {
  const t = callbackTarget(m, entry);
  const targets = t.kind === "extension" ? m.contactTargets(call, t.extension) : t.kind === "outbound" ? t.trunks.flatMap((name) => m.trunkTarget(call, name, t.number) ?? []) : [];
  // The citizen sees the hotline's queue number calling (the call's own caller is the citizen),
  // or the trunk's own caller ID when it has one.
  const from = { uri: `sip:${entry.queue}@${m.deps.options.domain}`, displayName: null };
  return targets.map((x) => {
    if (x.trunk === null) return { ...x, from };
    if ((m.deps.routing.trunk(x.trunk)?.callerId ?? null) !== null) return x;
    return { ...x, from: { uri: x.from.uri.replace(/^sip:[^@]*@/, `sip:${entry.queue}@`), displayName: null } };
  });
}

function callbackTarget(m: CallManager, entry: Pick<QueueCallbackRecord, "queue" | "number" | "trunk">): Target {
  const now = m.deps.scheduler.now();
  const input = { dialed: entry.number, caller: entry.queue, origin: { kind: "extension" as const, extension: entry.queue } };
  return (entry.trunk !== undefined ? m.deps.routing.resolve(`trunk:${entry.trunk}/${entry.number}`, input, now) : m.deps.routing.resolve(entry.number, input, now)).target;
}

/**
 * Whether a callback to this caller can be dialled at all (else the digit is refused at request
 * time, "no route", rather than costing an agent per failed attempt later): an extension, or a
 * trunk that exists.
 */
export function canDialBack(m: CallManager, entry: Pick<QueueCallbackRecord, "queue" | "number" | "trunk">): boolean {
  const t = callbackTarget(m, entry);
  return t.kind === "extension" || (t.kind === "outbound" && t.trunks.some((name) => m.deps.routing.trunk(name) !== undefined));
}

function applyAnswer(m: CallManager, leg: OutboundLeg, res: SipResponse): boolean {
  const sdp = res.body.length > 0 ? parseSdp(decodeUtf8(res.body)) : null;
  return leg.offer !== null && sdp !== null && sdp.ok && m.mediaSession.applyAnswer(leg, leg.offer, sdp.sdp);
}
