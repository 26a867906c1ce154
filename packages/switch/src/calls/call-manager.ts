/**
 * The B2BUA (ARCHITECTURE.md "How a call flows", step 3–4): the transaction user for
 * INVITE and everything inside call dialogs. A new INVITE is authenticated (digest with
 * 407, RFC 3261 §22.3, or a trunk's source address), routed by the dial plan, and
 * becomes a Call: the caller's inbound leg plus outbound legs rung by a DialAttempt; the
 * first answer is bridged at the media plane. In-dialog requests are matched by dialog id
 * (RFC 3261 §12.2.2) and handled per leg (in-dialog.ts).
 */
import {
  createResponse,
  decodeUtf8,
  getHeader,
  getHeaderFields,
  headerField,
  parseNameAddr,
  parseSdp,
  parseUri,
  describeAudio,
  SdpOriginState,
  sipStatusToQ850,
  describeCause,
  isSipUri,
  type FlowEndpoint,
  type HeaderField,
  type SessionDescription,
  type SipRequest,
} from "@hotline/sip";
import { countsAsFailure, type BruteForceGuard, type DigestAuthenticator } from "../auth/index.js";
import type { Metrics } from "../metrics.js";
import type { Registrar } from "../registrar/registrar.js";
import type { Target } from "../routing/index.js";
import type { UserRecord } from "../store.js";
import type { CallDirection } from "../store.js";
import { Call } from "./call.js";
import type { CallOptions, RoutingPort } from "./call-context.js";
import type { CallRecorder } from "./call-recorder.js";
import { DialAttempt, type DialOwner, type DialStage } from "./dial-attempt.js";
import { InboundLeg } from "./inbound-leg.js";
import type { Leg } from "./leg.js";
import { MediaSession } from "./media-session.js";
import { OutboundLeg, type OutboundTarget } from "./outbound-leg.js";
import type { MediaPort, Scheduler, SipPort } from "./ports.js";
import { InDialog } from "./in-dialog.js";
import { Features } from "./features.js";
import { negotiateAsUas } from "./session-timer.js";
import { DialogEventPackage } from "./dialog-event-package.js";
import { QueueService } from "./queue-service.js";
import { Supervision } from "./supervision.js";
import { dialogKey, dialogKeyOf, hasToTag } from "./dialog-key.js";

export interface CallManagerDeps {
  sip: SipPort;
  media: MediaPort;
  scheduler: Scheduler;
  registrar: Registrar;
  authenticator: DigestAuthenticator;
  guard: BruteForceGuard;
  users: (username: string) => Promise<UserRecord | null>;
  routing: RoutingPort;
  recorder: CallRecorder;
  metrics: Metrics;
  options: CallOptions;
  /** The address written into SDP (where phones send RTP). */
  mediaAddress: string;
  /** Uniform [0, 1): the ACD's random strategies draw from it (injected: STYLE.md §1). */
  random: () => number;
  log: { info(o: object, m: string): void; warn(o: object, m: string): void; error(o: object, m: string): void };
}

/** Methods the B2BUA serves (RFC 3261 §20.5 Allow). */
export const CALL_METHODS = ["INVITE", "ACK", "CANCEL", "BYE", "UPDATE", "INFO", "REFER", "NOTIFY", "PRACK", "SUBSCRIBE"] as const;

const MAX_ROUTE_DEPTH = 8;

/** Why a leg left a call that goes on without it (CallManager.legLeft). */
export type LegLeftReason = "transferred";
export type LegLeftListener = (call: Call, leg: Leg, why: LegLeftReason) => void;

export class CallManager {
  readonly calls = new Map<string, Call>();
  /** Legs by dialog id "callId|localTag|remoteTag" (RFC 3261 §12). */
  readonly dialogs = new Map<string, Leg>();
  /** Calls whose caller's INVITE transaction is still pending, by its transaction id (CANCEL). */
  private readonly pendingByTx = new Map<string, Call>();
  readonly mediaSession: MediaSession;
  readonly inDialog: InDialog;
  readonly features: Features;
  /** RFC 4235 busy-lamp subscriptions. */
  readonly blf: DialogEventPackage;
  /** ACD queues (issue 4): the engine's decisions carried out on calls. */
  readonly queues: QueueService;
  /** Supervisor listen/whisper/barge/take-over/hangup of agents' calls (supervision.ts). */
  readonly supervision: Supervision;
  private blfPending = false;
  private readonly legLeftListeners: LegLeftListener[] = [];
  private nextId = 1;
  private readonly roundRobin = new Map<string, number>();

  constructor(readonly deps: CallManagerDeps) {
    this.mediaSession = new MediaSession(deps.media, deps.mediaAddress);
    this.inDialog = new InDialog(this);
    this.features = new Features(this);
    this.blf = new DialogEventPackage(this);
    this.queues = new QueueService(this, deps.routing.queues, deps.random);
    this.supervision = new Supervision(this);
    // Every call event (ringing, answered, transferred, ended, …) may change a lamp:
    // re-evaluate the subscriptions once per burst of events.
    const rec = deps.recorder;
    const touch = (): void => this.touchBlf();
    deps.recorder = {
      started: (c) => (rec.started(c), touch()),
      event: (c, t, d) => (rec.event(c, t, d), touch()),
      note: (t, d) => rec.note(t, d),
      answered: (c) => (rec.answered(c), touch()),
      ended: async (c, s, n) => {
        touch();
        await rec.ended(c, s, n);
      },
    };
    deps.media.onEvent((e) => {
      // A monitoring supervisor's 4/5/6 switch modes; the digit is still journaled below.
      this.supervision.onMediaEvent(e);
      this.inDialog.onMediaEvent(e);
    });
  }

  private touchBlf(): void {
    if (this.blfPending || this.blf.size === 0) return;
    this.blfPending = true;
    void Promise.resolve().then(() => {
      this.blfPending = false;
      this.blf.update();
    });
  }

  get activeCalls(): number {
    return this.calls.size;
  }

  /** A request in a new server transaction. Never throws: failures answer 500. */
  onRequest(txId: string, request: SipRequest, source: FlowEndpoint): void {
    const run = async (): Promise<void> => {
      if (request.method === "CANCEL") return this.onCancel(txId, request);
      if (hasToTag(request)) return this.inDialog.onRequest(txId, request, source);
      if (request.method === "INVITE") return this.onInvite(txId, request, source);
      // RFC 3261 §12.2.2: an in-dialog method without a dialog → 481.
      this.respond(txId, request, 481);
    };
    if (request.method === "SUBSCRIBE") {
      const sub = async (): Promise<void> => {
        if (hasToTag(request)) {
          if (!this.blf.refresh(txId, request)) this.respond(txId, request, 481);
          return;
        }
        const who = await this.identify(txId, request, source, this.deps.scheduler.now());
        if (who === null) return;
        if (who.trunk !== null) return this.respond(txId, request, 403, [], "Subscriptions Are For Extensions");
        this.blf.subscribe(txId, request, source, who.caller);
      };
      sub().catch((err: unknown) => {
        this.deps.log.error({ err }, "SUBSCRIBE failed");
        this.respond(txId, request, 500);
      });
      return;
    }
    run().catch((err: unknown) => {
      this.deps.log.error({ err, method: request.method }, "call request failed");
      this.deps.metrics.inc("sip_internal_errors_total");
      this.respond(txId, request, 500);
    });
  }

  /** An ACK for a 2xx (its own transaction, §17.1.1.3), matched by dialog. */
  onAck(request: SipRequest): void {
    const leg = this.dialogs.get(dialogKeyOf(request));
    if (leg === undefined) {
      this.deps.metrics.inc("sip_unmatched_total", { kind: "ack" });
      return;
    }
    this.inDialog.onAck(leg, request);
  }

  respond(txId: string, request: SipRequest, status: number, headers: HeaderField[] = [], reason?: string): void {
    this.deps.metrics.inc("sip_responses_total", { status });
    this.deps.sip.respond(txId, createResponse(request, status, { toTag: this.deps.sip.newToken(), headers, ...(reason !== undefined && { reason }) }));
  }

  private async onInvite(txId: string, invite: SipRequest, source: FlowEndpoint): Promise<void> {
    const { deps } = this;
    const now = deps.scheduler.now();
    deps.metrics.inc("calls_attempted_total");
    // RFC 3261 §8.2.2.3: we don't do what Require asks unless we know it.
    const unsupported = requiredUnsupported(invite);
    if (unsupported.length > 0) return this.respond(txId, invite, 420, [headerField("Unsupported", unsupported.join(", "))]);
    const identity = await this.identify(txId, invite, source, now);
    if (identity === null) return;
    const timerPlan = negotiateAsUas(invite, { sessionExpires: deps.options.sessionExpires, minSE: deps.options.minSE });
    // RFC 4028 §8.1: a session interval below our Min-SE is refused with 422.
    if ("reject422" in timerPlan) return this.respond(txId, invite, 422, timerPlan.reject422);
    let offer: SessionDescription | null = null;
    if (invite.body.length > 0) {
      const parsed = parseSdp(decodeUtf8(invite.body));
      if (!parsed.ok) return this.respond(txId, invite, 400, [], `Bad SDP: ${parsed.error}`.slice(0, 100));
      const audio = describeAudio(parsed.sdp);
      if (audio === null || audio.codecs.length === 0) return this.respond(txId, invite, 488, [headerField("Warning", '304 hotline "PCMA or PCMU required"')]);
      offer = parsed.sdp;
    }
    const dialed = dialedNumber(invite);
    if (dialed === null) return this.respond(txId, invite, 404, [], "No Number In Request-URI");
    const call = new Call(`c${now.toString(36)}-${this.nextId++}`, getHeader(invite, "call-id") ?? "", now, identity.caller, identity.callerName, identity.trunk === null ? dialed : deps.routing.normalize(identity.trunk, dialed));
    call.trunk = identity.trunk;
    call.direction = identity.trunk === null ? "internal" : "inbound";
    const endpoint = await deps.media.allocate(call.id).catch(() => null);
    if (endpoint === null) return this.respond(txId, invite, 503, [headerField("Retry-After", "5")], "No Media Ports");
    const leg = new InboundLeg(`${call.id}-a`, call, identity.caller, source, identity.trunk, deps.sip, this.origin(), invite, txId, offer, deps.scheduler);
    leg.endpoint = endpoint;
    leg.onAckTimeout = () => this.endCall(call, "system", 102, "Recovery on timer expiry (no ACK)");
    leg.timerPlan = timerPlan;
    leg.onSessionExpired = (why) => void this.endCall(call, "system", 102, `Session timer: ${why}`);
    call.a = leg;
    call.addLeg(leg);
    if (identity.extension !== null) call.occupies.add(identity.extension);
    this.calls.set(call.id, call);
    this.pendingByTx.set(txId, call);
    // 100 Trying now: routing may wait on the store (§8.2.6.1 lets a UAS send it at once).
    deps.sip.respond(txId, createResponse(invite, 100));
    deps.recorder.started(call);
    const decision = deps.routing.route({ dialed: call.dialed, caller: call.caller, origin: identity.trunk === null ? { kind: "extension", extension: identity.caller } : { kind: "trunk", trunk: identity.trunk } }, now);
    call.trace.push(...decision.trace);
    if (decision.priority !== null) call.priority = { level: decision.priority.level, label: decision.priority.label };
    deps.recorder.event(call, "call.routed", { trace: decision.trace, target: decision.target.kind, priority: call.priority.level });
    await this.execute(call, decision.target, 0);
  }

  /** Who is calling: a trunk by source address, else an authenticated extension. null = answered already (407/403). */
  private async identify(txId: string, invite: SipRequest, source: FlowEndpoint, now: number): Promise<{ caller: string; callerName: string | null; trunk: string | null; extension: string | null } | null> {
    const { deps } = this;
    const from = parseNameAddr(getHeader(invite, "from") ?? "");
    const fromUser = from.ok && isSipUri(from.value.parsedUri) ? (from.value.parsedUri.user ?? "") : "";
    const fromName = from.ok ? from.value.displayName : null;
    const trunk = deps.routing.trunkFor(source);
    if (trunk !== null) return { caller: deps.routing.normalize(trunk, fromUser), callerName: fromName, trunk, extension: null };
    if (!deps.options.authenticateInvites) return { caller: fromUser, callerName: fromName, trunk: null, extension: fromUser };
    const auth = await deps.authenticator.verify(
      // The digest covers the method actually sent (INVITE or SUBSCRIBE), RFC 7616 §3.4.3 A2.
      { method: invite.method, requestUri: invite.uri, authorization: getHeaderFields(invite, "proxy-authorization") },
      (u) => deps.users(u),
      now,
    );
    if (auth.outcome !== "ok") {
      if (countsAsFailure(auth) && deps.guard.recordFailure(source.address, now)) deps.metrics.inc("auth_blocks_total");
      deps.metrics.inc("auth_challenges_total", { reason: auth.reason, method: invite.method });
      // RFC 3261 §22.3: a server acting for the domain challenges an INVITE with 407.
      const headers = deps.authenticator.challenge(now, auth.stale).map((v) => headerField("Proxy-Authenticate", v));
      this.respond(txId, invite, 407, headers);
      return null;
    }
    deps.guard.recordSuccess(source.address, now);
    const settings = await deps.routing.settings(auth.username);
    return { caller: auth.username, callerName: settings.callerIdName ?? fromName, trunk: null, extension: auth.username };
  }

  /** Carries out a routing target for `call` (the caller or a transferee waits on call.a). */
  async execute(call: Call, target: Target, depth: number): Promise<void> {
    if (call.state === "ended") return;
    if (depth > MAX_ROUTE_DEPTH) return this.failCall(call, 482, 25, "Routing loop");
    switch (target.kind) {
      case "reject":
        call.trace.push(`refused: ${target.why}`);
        call.refusedBy = target.why;
        return this.failCall(call, target.status, target.q850, target.reason);
      case "feature":
      case "pickup":
      case "directed-pickup":
      case "park":
        return this.features.execute(call, target);
      case "extension":
        return this.dialExtension(call, target.extension, depth);
      case "ring-group":
        return this.dial(call, this.ringGroupStages(call, target), { noAnswer: target.noAnswer, busy: target.noAnswer, owner: null }, depth);
      case "queue":
        return this.queues.enqueue(call, target.number);
      case "outbound":
        call.direction = directionOf(call, "outbound");
        return this.dial(call, this.trunkStages(call, target.trunks, target.number), { noAnswer: null, busy: null, owner: null }, depth);
    }
  }

  /** Routes `number` as if the caller dialled it (forward targets, transfer targets). */
  async routeTo(call: Call, number: string, depth: number, why: string, asExtension: string | null = null, dialled = false): Promise<void> {
    // Forwards are configured by the operator or the forwarding extension: they route with
    // that extension's rights; a trunk caller forwarded inside hotline keeps its own origin.
    const origin = asExtension !== null ? { kind: "extension" as const, extension: asExtension } : call.trunk !== null && call.direction === "inbound" ? { kind: "trunk" as const, trunk: call.trunk } : { kind: "extension" as const, extension: call.caller };
    const input = { dialed: number, caller: call.caller, origin };
    // A number a person dialled (a transfer) is routed like any dialled number; a configured
    // destination (forward, no-answer target, park return) may also name a trunk.
    const decision = dialled ? this.deps.routing.route(input, this.deps.scheduler.now()) : this.deps.routing.resolve(number, input, this.deps.scheduler.now());
    call.trace.push(`${why} → ${number}`, ...decision.trace);
    this.deps.recorder.event(call, "call.forwarded", { to: number, why });
    await this.execute(call, decision.target, depth + 1);
  }

  private async dialExtension(call: Call, ext: string, depth: number): Promise<void> {
    const s = await this.deps.routing.settings(ext);
    if (s.forwardAlways !== null) return this.routeTo(call, s.forwardAlways, depth, `${ext} forwards always`, ext);
    if (s.dnd || (!s.callWaiting && this.isOccupied(ext, call))) {
      call.trace.push(s.dnd ? `${ext}: do not disturb` : `${ext}: busy`);
      if (s.forwardBusy !== null) return this.routeTo(call, s.forwardBusy, depth, `${ext} busy`, ext);
      return this.failCall(call, 486, 17, "User busy");
    }
    const ringMs = (s.forwardNoAnswer !== null || s.followMe !== null ? s.noAnswerSeconds : this.deps.options.ringSeconds) * 1000;
    const stages: DialStage[] = [{ label: `extension ${ext}`, timeoutMs: ringMs, targets: () => this.contactTargets(call, ext) }];
    for (const n of s.followMe?.numbers ?? []) {
      stages.push({ label: `follow-me ${n}`, timeoutMs: (s.followMe?.ringSeconds ?? 15) * 1000, targets: () => this.numberTargets(call, n, ext) });
    }
    call.ringing.add(ext);
    return this.dial(call, stages, { noAnswer: s.forwardNoAnswer, busy: s.forwardBusy, owner: ext }, depth);
  }

  private dial(call: Call, stages: DialStage[], fallback: { noAnswer: string | null; busy: string | null; owner: string | null }, depth: number): void {
    // Routing may have awaited the store: the caller can have hung up meanwhile.
    if (call.isEnded()) return;
    call.state = "dialing";
    const owner: DialOwner = {
      startLeg: (t, attempt) => this.startOutboundLeg(call, t, attempt),
      onProgress: (leg, res) => this.inDialog.onCalleeProgress(call, leg, res),
      onAnswer: (leg, res) => this.inDialog.onCalleeAnswer(call, leg, res),
      onExhausted: (status, busy) => {
        call.ringing.clear();
        if (busy && fallback.busy !== null) return void this.routeTo(call, fallback.busy, depth, "busy", fallback.owner);
        if (!busy && fallback.noAnswer !== null) return void this.routeTo(call, fallback.noAnswer, depth, "no answer", fallback.owner);
        // A callee's 401/407 is a challenge for hotline's credentials (a carrier), not the
        // caller's: a B2BUA does not pass it on (the phone would prompt for the wrong realm).
        const relayed = status === 408 ? 480 : status === 401 || status === 407 ? 503 : status;
        // RFC 3398 §8.2.6.1 for the cause; a ring timeout (our 480) is "no answer" (19).
        const cause = relayed === 480 ? 19 : sipStatusToQ850(relayed);
        this.failCall(call, relayed, cause, describeCause(cause).text);
      },
    };
    const attempt = new DialAttempt(stages, owner, this.deps.scheduler);
    this.dialAttempts.set(call, attempt);
    attempt.start();
  }

  readonly dialAttempts = new Map<Call, DialAttempt>();

  /** Allocates an endpoint, offers SDP preferring the caller's codec, and sends the INVITE. */
  async startOutboundLeg(call: Call, target: OutboundTarget, attempt: DialAttempt): Promise<OutboundLeg | null> {
    if (call.state === "ended") return null;
    const endpoint = await this.deps.media.allocate(call.id).catch(() => null);
    if (endpoint === null || call.isEnded() || attempt.finished) {
      if (endpoint !== null) void this.deps.media.release(endpoint.id);
      return null;
    }
    const leg = new OutboundLeg(`${call.id}-${call.legs.length}`, call, target, this.deps.sip, this.origin(), attempt, this.deps.scheduler);
    leg.endpoint = endpoint;
    leg.sessionSeconds = this.deps.options.sessionExpires;
    call.addLeg(leg);
    const preferred = MediaSession.codecOf(call.a) ?? MediaSession.preferredIn(call.a instanceof InboundLeg ? call.a.offer : null);
    const offer = this.mediaSession.offer(leg, preferred);
    if (offer === null) return null;
    leg.start(offer);
    this.deps.recorder.event(call, "leg.ringing", { leg: leg.id, party: target.party, trunk: target.trunk });
    return leg;
  }

  /** Every registered contact of an extension (forking, RFC 3261 §16.6 done as a B2BUA). */
  contactTargets(call: Call, ext: string): OutboundTarget[] {
    const { domain } = this.deps.options;
    const aor = `sip:${ext}@${domain}`;
    return this.deps.registrar.lookup(aor, this.deps.scheduler.now()).map((b) => ({
      requestUri: b.contact,
      toUri: aor,
      from: { uri: `sip:${call.caller}@${domain}`, displayName: call.callerName },
      flow: { transport: b.source.transport, address: b.source.address, port: b.source.port, ...(b.source.connectionId !== undefined && { connectionId: b.source.connectionId }) },
      party: ext,
      trunk: null,
      credentials: null,
      headers: this.priorityHeaders(call),
    }));
  }

  /** A follow-me number: an extension's contacts, or the first trunk of its outbound route. */
  private numberTargets(call: Call, number: string, owner: string): OutboundTarget[] {
    const d = this.deps.routing.route({ dialed: number, caller: owner, origin: { kind: "extension", extension: owner } }, this.deps.scheduler.now());
    if (d.target.kind === "extension") return this.contactTargets(call, d.target.extension);
    if (d.target.kind === "outbound") {
      const first = d.target.trunks[0];
      const t = first === undefined ? null : this.trunkTarget(call, first, d.target.number);
      return t === null ? [] : [t];
    }
    return [];
  }

  private ringGroupStages(call: Call, g: Extract<Target, { kind: "ring-group" }>): DialStage[] {
    const members = g.members;
    if (g.strategy === "simultaneous") {
      return [{ label: `ring group ${g.number}`, timeoutMs: g.ringSeconds * 1000, targets: () => this.groupTargets(call, members) }];
    }
    let start = 0;
    if (g.strategy === "round-robin") {
      start = (this.roundRobin.get(g.number) ?? 0) % Math.max(1, members.length);
      this.roundRobin.set(g.number, start + 1);
    }
    const order = [...members.slice(start), ...members.slice(0, start)];
    // Each member rings for memberRingSeconds, within the group's total ringSeconds.
    const rounds = Math.max(1, Math.floor(g.ringSeconds / Math.max(1, g.memberRingSeconds)));
    return order.slice(0, Math.min(rounds, order.length)).map((m) => ({
      label: `ring group ${g.number} member ${m}`,
      timeoutMs: g.memberRingSeconds * 1000,
      targets: () => this.groupTargets(call, [m]),
    }));
  }

  /** Members that can take a call now: not DND, not busy (unless call waiting), registered. */
  private async groupTargets(call: Call, members: readonly string[]): Promise<OutboundTarget[]> {
    const out: OutboundTarget[] = [];
    for (const m of members) {
      const s = await this.deps.routing.settings(m);
      if (s.dnd || (!s.callWaiting && this.isOccupied(m, call))) continue;
      call.ringing.add(m);
      out.push(...this.contactTargets(call, m));
    }
    return out;
  }

  private trunkStages(call: Call, trunks: readonly string[], number: string): DialStage[] {
    return trunks.map((name) => ({
      label: `trunk ${name}`,
      timeoutMs: this.deps.options.ringSeconds * 1000,
      // Fail over to the next trunk only when this one could not take the call (timeout,
      // 5xx, or a challenge we could not answer: our credentials for that carrier are wrong
      // or missing). 403/404 and other 4xx/6xx are about the callee and stay final
      // (RFC 3261 §21.4/§21.6).
      continueOn: (status: number) => status === 408 || status === 401 || status === 407 || (status >= 500 && status < 600),
      targets: () => {
        const t = this.trunkTarget(call, name, number);
        if (t !== null) call.trunk = name;
        return t === null ? [] : [t];
      },
    }));
  }

  trunkTarget(call: Call, name: string, number: string): OutboundTarget | null {
    const trunk = this.deps.routing.trunk(name);
    if (trunk === undefined) return null;
    const sentBy = this.deps.sip.sentBy(trunk.flow.transport) ?? "127.0.0.1";
    const callerNumber = trunk.callerId ?? call.caller;
    const uri = `sip:${number}@${trunk.hostPort}`;
    return {
      requestUri: uri,
      toUri: uri,
      from: { uri: `sip:${callerNumber}@${sentBy}`, displayName: call.callerName },
      flow: trunk.flow,
      party: number,
      trunk: name,
      credentials: trunk.credentials,
      headers: [],
    };
  }

  private priorityHeaders(call: Call): HeaderField[] {
    // The caller-priority mark travels with the call (for later queue routing and for
    // phones that show it): RFC 3261 §20.26 Priority "emergency"/"urgent", plus our label.
    if (call.priority.level <= 0) return [];
    const h = [headerField("Priority", call.priority.level >= 10 ? "emergency" : "urgent")];
    if (call.priority.label !== null) h.push(headerField("X-Hotline-Priority", `${call.priority.level};label=${call.priority.label}`));
    return h;
  }

  /** An extension is occupied by another call (as caller, ringing or connected). */
  isOccupied(ext: string, except: Call | null): boolean {
    for (const c of this.calls.values()) {
      if (c === except || c.state === "ended") continue;
      if (c.occupies.has(ext) || c.ringing.has(ext)) return true;
    }
    return false;
  }

  private async onCancel(txId: string, cancel: SipRequest): Promise<void> {
    const inviteTx = this.deps.sip.inviteTransactionFor(cancel);
    const call = inviteTx === null ? undefined : this.pendingByTx.get(inviteTx);
    // RFC 3261 §9.2: 200 to the CANCEL itself, then 487 to the INVITE; 481 if nothing matches.
    if (call === undefined) return this.respond(txId, cancel, 481);
    const a = call.a;
    // §9.2: the 200's To tag SHOULD be the one of our responses to the INVITE (180, 487).
    this.deps.metrics.inc("sip_responses_total", { status: 200 });
    this.deps.sip.respond(txId, createResponse(cancel, 200, { toTag: a instanceof InboundLeg ? a.localTag : this.deps.sip.newToken() }));
    if (a instanceof InboundLeg && (a.state === "proceeding" || a.state === "early")) {
      a.reject(487);
      call.failureStatus = 487;
      await this.endCall(call, "caller", 16, "Caller cancelled");
    }
  }

  /** The call could not be put through: answer the caller (if still waiting) and end it. */
  failCall(call: Call, status: number, q850: number, reason: string): void {
    call.failureStatus = status;
    call.cause = q850;
    const a = call.a;
    if (a instanceof InboundLeg && (a.state === "proceeding" || a.state === "early")) {
      a.reject(status, { q850, ...(status === 403 || status === 404 ? { reason } : {}) });
      void this.endCall(call, "system", q850, reason);
      return;
    }
    // The waiting party is already answered (a transferee): tell them with a tone, then hang up.
    if (a.endpoint !== null) this.deps.media.play(a.endpoint.id, { kind: "tone", tone: status === 486 ? "busy" : "congestion" });
    call.hold(this.deps.scheduler.after(4000, () => void this.endCall(call, "system", q850, reason)));
  }

  /** Ends the call: BYE/CANCEL what is still up, release media, write the CDR. Idempotent. */
  async endCall(call: Call, by: "caller" | "callee" | "system", cause: number, text: string): Promise<void> {
    if (call.state === "ended") return;
    const wasConnected = call.state === "connected" || call.answeredAt !== null;
    call.state = "ended";
    call.hangupBy ??= by;
    this.queues.onCallEnded(call);
    this.supervision.onCallEnded(call);
    // A parked caller who hangs up frees the slot (else dialling it would "retrieve" a dead call).
    if (call.parkedSlot !== null && this.features.parked.get(call.parkedSlot) === call) this.features.parked.delete(call.parkedSlot);
    call.parkedSlot = null;
    if (!wasConnected || call.cause === 16) call.cause = cause;
    call.clearTimers();
    this.dialAttempts.get(call)?.abort(cause === 16 ? 16 : cause, text);
    this.dialAttempts.delete(call);
    for (const [tx, c] of this.pendingByTx) if (c === call) this.pendingByTx.delete(tx);
    const now = this.deps.scheduler.now();
    for (const leg of call.legs) {
      if (leg instanceof InboundLeg) {
        if (leg.state === "proceeding" || leg.state === "early") leg.reject(480, { q850: cause });
        else if (leg.state === "answered" || leg.state === "confirmed") leg.bye(cause, text);
        leg.end(now);
      } else if (leg instanceof OutboundLeg) {
        if (leg.state === "answered") leg.bye(cause, text);
        else leg.cancel(cause, text);
        leg.end(now);
      }
      leg.facts.endedAt ??= now;
    }
    const stats = await Promise.all(call.legs.map((l) => (l.endpoint === null ? (l.finalStats ?? Promise.resolve(null)) : this.deps.media.stats(l.endpoint.id).catch(() => null))));
    for (const leg of call.legs) if (leg.endpoint !== null) void this.deps.media.release(leg.endpoint.id).catch(() => undefined);
    for (const leg of call.legs) if (leg.dialog !== null) this.dialogs.delete(dialogKey(leg.dialog.id.callId, leg.dialog.id.localTag, leg.dialog.id.remoteTag));
    this.calls.delete(call.id);
    this.deps.metrics.inc("calls_ended_total", { disposition: call.answeredAt !== null ? "answered" : "unanswered" });
    await this.deps.recorder.ended(call, stats, now);
  }

  /**
   * A leg that left a call that goes on (a transferor after REFER): its end time is now, and
   * its RTP ports go back to the pool at once instead of when the whole call ends; the
   * counters are kept for the CDR.
   */
  releaseDetachedLeg(leg: Leg): void {
    leg.ended = true;
    leg.facts.endedAt ??= this.deps.scheduler.now();
    leg.sessionTimer?.stop();
    const ep = leg.endpoint;
    if (ep === null) return;
    leg.endpoint = null;
    const { media } = this.deps;
    media.unbridge(ep.id);
    leg.finalStats = media.stats(ep.id).catch(() => null);
    void leg.finalStats.finally(() => media.release(ep.id).catch(() => undefined));
  }

  /**
   * Subscribes to legs leaving a call that goes on (a transferor after REFER): supervision.ts
   * ends a monitor whose agent left; the queue service may count the agent's queue call over.
   */
  onLegLeft(listener: LegLeftListener): void {
    this.legLeftListeners.push(listener);
  }

  /** `leg` is no longer part of `call`'s conversation; called before the call is re-routed or re-bridged. */
  legLeft(call: Call, leg: Leg, why: LegLeftReason): void {
    for (const l of this.legLeftListeners) l(call, leg, why);
  }

  /** Indexes a leg's dialog once it exists, so in-dialog requests find it. */
  indexDialog(leg: Leg): void {
    if (leg.dialog === null) return;
    this.dialogs.set(dialogKey(leg.dialog.id.callId, leg.dialog.id.localTag, leg.dialog.id.remoteTag), leg);
  }

  markConnected(call: Call, callee: Leg): void {
    if (call.isEnded()) return;
    call.state = "connected";
    call.b = callee;
    call.ringing.clear();
    if (call.answeredAt === null) {
      call.answeredAt = this.deps.scheduler.now();
      call.answeredBy = callee.party;
    }
    if (callee.trunk === null) call.occupies.add(callee.party);
    for (const [tx, c] of this.pendingByTx) if (c === call) this.pendingByTx.delete(tx);
    this.dialAttempts.delete(call);
    // Long calls are cut at maxCallSeconds (a stuck call would otherwise hold ports forever).
    call.hold(this.deps.scheduler.after(this.deps.options.maxCallSeconds * 1000, () => void this.endCall(call, "system", 102, "Maximum call duration")));
  }

  origin(): SdpOriginState {
    return new SdpOriginState("hotline", String(this.deps.scheduler.now() * 1000 + (this.nextId++ % 1000)), this.deps.mediaAddress);
  }
}

function directionOf(call: Call, leg: "outbound"): CallDirection {
  return call.direction === "inbound" ? "inbound" : leg;
}

/** The number dialled: the Request-URI user part (tel: URIs too), visual separators removed. */
function dialedNumber(invite: SipRequest): string | null {
  const u = parseUri(invite.uri);
  if (!u.ok) return null;
  const raw = isSipUri(u.uri) ? u.uri.user : u.uri.scheme === "tel" && "number" in u.uri ? u.uri.number : null;
  if (raw === null || raw === "") return null;
  return decodeURIComponent(raw).replace(/[-.() ]/g, "");
}

// 100rel is not listed: we accept reliable provisionals from callees (and PRACK them) but
// never send them, so a caller that *requires* 100rel gets 420 (RFC 3262 §3).
const SUPPORTED_EXTENSIONS = new Set(["timer", "replaces", "norefersub", "path", "outbound"]);

function requiredUnsupported(req: SipRequest): string[] {
  const out: string[] = [];
  for (const v of getHeaderFields(req, "require")) for (const t of v.split(",")) {
    const opt = t.trim().toLowerCase();
    if (opt !== "" && !SUPPORTED_EXTENSIONS.has(opt)) out.push(opt);
  }
  return out;
}

