// Property tests (issue 4 invariants) over seeded random event sequences: a mirror built only
// from the engine's actions checks each step; a failing seed reproduces exactly.
import { test } from "node:test";
import assert from "node:assert/strict";
import { AcdEngine } from "./acd-engine.js";
import { OFFER_FAILURES, type AcdAction, type AcdConfig, type AcdInput, type AgentStatus } from "./acd-types.js";
import { STRATEGY_IDS, type StrategyId } from "./strategies/index.js";
import { mulberry32, type Prng } from "./testing/prng.js";
import type { CallRecord } from "./acd-records.js";

const SEEDS = 250;
const EVENTS = 300;

function randomConfig(r: Prng): AcdConfig {
  const queues = Array.from({ length: 1 + r.int(3) }, (_, i) => {
    const strategy: StrategyId = r.pick(STRATEGY_IDS);
    return {
      id: `q${i}`,
      strategy,
      fallbackStrategy: r.pick(STRATEGY_IDS.filter((s) => s !== "sticky")),
      wrapUpMs: r.pick([0, 0, 3000]),
      ringTimeoutMs: r.pick([5000, 15000]),
      ...(r.int(3) === 0 ? { maxLength: 1 + r.int(4) } : {}),
      ...(r.int(3) === 0 ? { maxWaitMs: 30_000 + r.int(60_000), overflow: { kind: "voicemail" as const, target: `vm${i}` } } : r.int(3) === 0 ? { overflow: { kind: "number" as const, target: `of${i}` } } : {}),
      // Join/leave when no agent is logged in (with or without an overflow).
      ...(r.int(3) === 0 ? { joinWhenNoAgents: false } : {}),
      ...(r.int(3) === 0 ? { leaveWhenNoAgents: true } : {}),
      // Per-queue busy/rejected break policy and requeue raise (review finding 13).
      ...(r.int(3) === 0 ? { breakAfter: { busy: r.pick([2, null]), rejected: r.pick([1, 3, null]) } } : {}),
      requeuePriorityRaise: r.pick([0, 1, 1, 2]),
      skillWaitMs: 5000,
      stickyWindowMs: 120_000,
      stickyHoldMs: 10_000,
    };
  });
  // At least one agent per queue (agent i always joins queue i mod n), so every call can be served.
  const agents = Array.from({ length: queues.length + r.int(4) }, (_, i) => ({
    id: `a${i}`,
    weight: r.int(4),
    memberships: queues.filter((_, qi) => qi === i % queues.length || r.int(2) === 0).map((q) => ({ queue: q.id, skillLevel: 1 + r.int(3), order: r.int(3) })),
    // Agents who may miss a call and stay available: the same call must go to someone else first.
    ...(r.int(3) === 0 ? { maxMisses: r.pick([3, null]) } : {}),
  }));
  return { queues, agents, failurePolicy: { busy: { breakAfter: r.pick([1, 2, null]) } } };
}

type Outcome = "answered" | "left" | "overflowed" | "refused";

class Mirror {
  readonly offerOf = new Map<string, string>(); // agent → call it is offered
  readonly inCall = new Map<string, string>(); // agent → call it talks to
  readonly offered = new Map<string, Set<string>>(); // call → agents ringing for it
  readonly status = new Map<string, AgentStatus>();
  readonly registered = new Set<string>();
  readonly live = new Set<string>();
  readonly ended = new Map<string, Outcome>();
  /** Every call the engine kept (not refused at join), even briefly: each must reach an outcome. */
  readonly joined = new Set<string>();
  readonly refused = new Set<string>();
  /** Join time and priority each live call joined with, and the callback number of callback entries. */
  readonly place = new Map<string, { joinedAt: number; priority: number }>();
  readonly callbacks = new Map<string, string>();
  /** Agents whose offer of a call failed (offer-failed inputs; timeouts are read from the engine's `tried`). */
  readonly failed = new Map<string, Set<string>>();
  /** Each agent's state as the engine's actions reported it. */
  readonly state = new Map<string, string>();
  /** Callback entries answered by an agent: the switch would now dial them (re-joined on failure). */
  readonly dialling: { id: string; queue: string; number: string; joinedAt: number; priority: number }[] = [];
  now = 0;

  private lastInput: AcdInput | undefined;
  private loggedInBefore = false;

  constructor(
    private readonly e: AcdEngine,
    private readonly cfg: AcdConfig,
  ) {}

  /** Before each input: whether it is a logout of a logged-in agent (a "last agent leaving" candidate). */
  before(input: AcdInput): void {
    this.lastInput = input;
    this.loggedInBefore = input.type === "agent-logout" && this.e.agents.get(input.agent)?.status.kind !== "logged-out";
  }

  apply(input: AcdInput, acts: readonly AcdAction[], fifoChecked: (queue: string) => boolean): void {
    if (input.type === "agent-registered") {
      if (input.registered) this.registered.add(input.agent);
      else this.registered.delete(input.agent);
    }
    if (input.type === "call-joined") {
      const id = input.call.id;
      const refusal = acts.find((a) => a.type === "call-refused" && a.callId === id);
      assert.equal(refusal?.type === "call-refused" && refusal.reason === "duplicate-call", this.live.has(id), `duplicate join of ${id}`);
      // A reused id of a call that ended is a new call (the switch's ids are unique; the engine keeps no history).
      if (refusal === undefined) {
        this.live.add(id);
        this.joined.add(id);
        this.place.set(id, { joinedAt: input.call.joinedAt ?? this.now, priority: input.call.priority ?? 0 });
        if (input.call.callback !== undefined) this.callbacks.set(id, input.call.callback.number);
      }
    }
    if (input.type === "offer-failed" && this.offerOf.has(input.agent)) {
      const call = this.offerOf.get(input.agent)!;
      this.failed.set(call, (this.failed.get(call) ?? new Set()).add(input.agent));
      this.drop(call, input.agent);
    }
    for (const a of acts) this.action(a, fifoChecked);
    if (input.type === "call-left" && this.live.has(input.callId) && !this.e.calls.has(input.callId)) this.end(input.callId, "left");
    this.check();
  }

  private action(a: AcdAction, fifoChecked: (queue: string) => boolean): void {
    switch (a.type) {
      case "offer": {
        assert.ok(this.live.has(a.callId), `offer of a call not waiting: ${a.callId}`);
        assert.equal(a.callback?.number, this.callbacks.get(a.callId), `offer of ${a.callId}: callback flag`);
        assert.equal(this.offered.has(a.callId), false, `call ${a.callId} offered twice at once`);
        if (a.mode === "one") assert.equal(a.agents.length, 1);
        assert.ok(a.agents.length > 0);
        for (const ag of a.agents) {
          assert.equal(this.offerOf.has(ag), false, `agent ${ag} offered two calls`);
          assert.equal(this.inCall.has(ag), false, `agent ${ag} offered while in a call`);
          assert.equal(this.status.get(ag)?.kind, "available", `agent ${ag} offered while not available`);
          assert.ok(this.registered.has(ag), `agent ${ag} offered while unregistered`);
          this.offerOf.set(ag, a.callId);
        }
        this.offered.set(a.callId, new Set(a.agents));
        this.checkNotRetried(a.callId, a.queue, a.agents);
        if (fifoChecked(a.queue)) this.checkFifo(a.callId, a.queue);
        return;
      }
      case "cancel-offer":
        for (const ag of a.agents) {
          assert.equal(this.offerOf.get(ag), a.callId, `cancel of an offer ${ag} does not have`);
          this.drop(a.callId, ag);
        }
        return;
      case "agent-state-changed": {
        this.status.set(a.agent, a.status);
        this.state.set(a.agent, a.state);
        if (a.state === "in-call" && !this.inCall.has(a.agent)) {
          const call = this.offerOf.get(a.agent);
          assert.ok(call !== undefined, `${a.agent} in a call it was not offered`);
          this.drop(call, a.agent);
          assert.equal(this.offered.has(call), false, `answered call ${call} still ringing elsewhere`);
          this.inCall.set(a.agent, call);
          const number = this.callbacks.get(call);
          if (number !== undefined) this.dialling.push({ id: call, queue: this.e.agents.get(a.agent)!.callQueue!, number, ...this.place.get(call)! });
          this.end(call, "answered");
        }
        if (a.state === "wrap-up" || (a.state === "idle" && this.inCall.has(a.agent))) this.inCall.delete(a.agent);
        return;
      }
      case "call-overflow":
        assert.equal(this.offered.has(a.callId), false, "overflow of a ringing call");
        assert.equal(this.callbacks.has(a.callId), false, `callback entry ${a.callId} overflowed`);
        return this.end(a.callId, "overflowed");
      case "callback-queued": {
        // Same place: the join time and priority the call joined with.
        assert.ok(this.live.has(a.callId), `callback of a call not live: ${a.callId}`);
        assert.equal(this.callbacks.has(a.callId), false, `${a.callId} became a callback twice`);
        assert.equal(this.offered.has(a.callId), false, `callback ${a.callId} still ringing an agent`);
        assert.deepEqual({ joinedAt: a.joinedAt, priority: a.priority }, this.place.get(a.callId), `callback ${a.callId} lost its place`);
        this.callbacks.set(a.callId, a.number);
        return;
      }
      case "call-refused":
        if (a.reason === "duplicate-call") return;
        // A waiting caller sent away when the last agent logged out (leaveWhenNoAgents, no overflow).
        if (a.reason === "no-agents-left") {
          assert.equal(this.offered.has(a.callId), false, "refusal of a ringing call");
          assert.equal(this.callbacks.has(a.callId), false, `callback entry ${a.callId} sent away`);
          return this.end(a.callId, "refused");
        }
        this.refused.add(a.callId);
        return;
      case "queue-stats":
        return;
    }
  }

  /** An agent who failed a call is not offered it again while another member who has not is free. */
  private checkNotRetried(callId: string, queue: string, agents: readonly string[]): void {
    const failed = this.failed.get(callId);
    if (failed === undefined || !agents.some((g) => failed.has(g))) return;
    const tried = this.e.calls.get(callId)!.tried;
    for (const ag of this.cfg.agents) {
      if (agents.includes(ag.id) || !ag.memberships.some((ms) => ms.queue === queue)) continue;
      const free = this.status.get(ag.id)?.kind === "available" && this.registered.has(ag.id) && !this.offerOf.has(ag.id) && !this.inCall.has(ag.id) && (this.state.get(ag.id) ?? "idle") === "idle";
      if (free) assert.ok(failed.has(ag.id) || tried.has(ag.id), `${callId} offered again to ${agents.join("+")} who failed it while ${ag.id} was free`);
    }
  }

  /** FIFO within a class: no call of the same queue and priority that came earlier is left waiting. */
  private checkFifo(callId: string, queue: string): void {
    const c = this.e.calls.get(callId)!;
    for (const d of this.e.calls.values()) {
      if (d.queue !== queue || d.offer !== undefined || d.priority !== c.priority) continue;
      if (d.callback !== undefined && d.callback.notBefore > this.now) continue; // waiting out its retry time
      assert.ok(d.joinedAt > c.joinedAt || (d.joinedAt === c.joinedAt && d.seq > c.seq), `FIFO: ${callId} offered before earlier ${d.id}`);
    }
  }

  private drop(call: string, agent: string): void {
    this.offerOf.delete(agent);
    const s = this.offered.get(call);
    s?.delete(agent);
    if (s?.size === 0) this.offered.delete(call);
  }

  private end(call: string, how: Outcome): void {
    assert.ok(this.live.delete(call), `${how} a call that was not live: ${call}`);
    this.place.delete(call);
    this.callbacks.delete(call);
    this.failed.delete(call);
    this.ended.set(call, how);
  }

  /** No call lost, no agent left reserved: the engine's state equals the mirror's. */
  private check(): void {
    assert.deepEqual([...this.e.calls.keys()].sort(), [...this.live].sort(), "engine calls = joined − ended");
    for (const [id, a] of this.e.agents) {
      const reserved = a.state === "offered" || a.state === "ringing";
      assert.equal(reserved, this.offerOf.has(id), `${id} reserved=${reserved} vs mirror`);
      if (reserved) assert.ok(this.e.calls.get(a.callId!)?.offer?.agents.has(id), `${id} reserved for a call not offering it`);
      assert.equal(a.state === "in-call", this.inCall.has(id), `${id} in-call vs mirror`);
    }
    // leaveWhenNoAgents: right after the last member logged out only callback entries remain.
    const input = this.lastInput;
    if (input?.type === "agent-logout" && this.loggedInBefore) {
      const agent = this.cfg.agents.find((a) => a.id === input.agent);
      for (const q of this.cfg.queues) {
        if (q.leaveWhenNoAgents !== true || this.e.liveFigures(q.id).loggedIn > 0) continue;
        if (agent?.memberships.some((ms) => ms.queue === q.id) !== true) continue;
        for (const c of this.e.calls.values()) if (c.queue === q.id) assert.ok(c.callback !== undefined, `${c.id} still in ${q.id} after its last agent left`);
      }
    }
    for (const [call, agents] of this.offered) assert.deepEqual([...(this.e.calls.get(call)?.offer?.agents ?? [])].sort(), [...agents].sort());
    // Every call keeps the join time it joined with (a callback entry keeps its place), and
    // position() is its 1-based rank among its queue's waiting calls in service order.
    const waiting = new Map<string, Readonly<CallRecord>[]>();
    for (const c of this.e.calls.values()) {
      assert.equal(c.joinedAt, this.place.get(c.id)?.joinedAt, `${c.id} join time changed`);
      assert.equal(c.callback?.number, this.callbacks.get(c.id), `${c.id} callback state`);
      if (c.offer === undefined) waiting.set(c.queue, [...(waiting.get(c.queue) ?? []), c]);
      else assert.equal(this.e.position(c.id), undefined);
    }
    for (const list of waiting.values()) {
      list.sort((x, y) => y.priority - x.priority || x.joinedAt - y.joinedAt || x.seq - y.seq);
      list.forEach((c, i) => assert.equal(this.e.position(c.id), i + 1, `position of ${c.id}`));
    }
  }
}

function randomInput(r: Prng, cfg: AcdConfig, m: Mirror, n: number): AcdInput {
  const agent = r.pick(cfg.agents).id;
  const offeredAgents = [...m.offerOf.keys()];
  const talking = [...m.inCall.keys()];
  switch (r.int(13)) {
    case 0:
    case 1:
      return { type: "call-joined", queue: r.pick(cfg.queues).id, call: { id: r.int(20) === 0 && n > 0 ? `c${r.int(n)}` : `c${n}`, caller: `caller${r.int(6)}`, priority: r.pick([0, 0, 0, 1, 2]) } };
    case 2:
      return { type: "call-left", callId: m.live.size > 0 && r.int(5) > 0 ? r.pick([...m.live]) : `c${r.int(n + 1)}` };
    case 3:
    case 4:
      return { type: "offer-answered", agent: offeredAgents.length > 0 && r.int(6) > 0 ? r.pick(offeredAgents) : agent };
    case 5:
      return { type: "offer-failed", agent: offeredAgents.length > 0 ? r.pick(offeredAgents) : agent, reason: r.pick(OFFER_FAILURES) };
    case 6:
      return { type: "call-ended", agent: talking.length > 0 && r.int(6) > 0 ? r.pick(talking) : agent };
    case 7:
      return { type: "offer-ringing", agent: offeredAgents.length > 0 ? r.pick(offeredAgents) : agent };
    case 8:
      return r.pick<AcdInput>([
        { type: "agent-login", agent },
        { type: "agent-available", agent },
        { type: "agent-available", agent },
        { type: "agent-logout", agent },
        { type: "agent-break", agent, reason: "lunch" },
      ]);
    case 9:
      return { type: "agent-registered", agent, registered: r.int(4) > 0 };
    case 10: {
      // The switch re-joins a callback whose dialling failed, in its old place, after a retry time.
      const failed = m.dialling.length > 0 && r.int(2) === 0 ? m.dialling.splice(r.int(m.dialling.length), 1)[0]! : undefined;
      if (failed !== undefined && !m.live.has(failed.id)) {
        const callback = { number: failed.number, notBefore: m.now + r.pick([0, 5000, 60_000]) };
        return { type: "call-joined", queue: failed.queue, call: { id: failed.id, caller: failed.number, priority: failed.priority, joinedAt: failed.joinedAt, callback } };
      }
      const live = [...m.live];
      return { type: "call-to-callback", callId: live.length > 0 ? r.pick(live) : `c${r.int(n + 1)}`, number: `cb${r.int(9)}` };
    }
    default:
      return { type: "tick" };
  }
}

function run(seed: number): { answered: number; offers: number; callbackOffers: number } {
  const r = mulberry32(seed);
  const cfg = randomConfig(r);
  const e = new AcdEngine(cfg, mulberry32(seed ^ 0x5eed).next);
  const m = new Mirror(e, cfg);
  // FIFO is a promise of every strategy but sticky, which waits for one agent by design.
  const fifo = (q: string): boolean => cfg.queues.find((x) => x.id === q)?.strategy !== "sticky";
  let now = 0;
  let offers = 0;
  let callbackOffers = 0;
  const step = (input: AcdInput): void => {
    m.now = now;
    m.before(input);
    const acts = e.handle(input, now);
    offers += acts.filter((a) => a.type === "offer").length;
    callbackOffers += acts.filter((a) => a.type === "offer" && a.callback !== undefined).length;
    m.apply(input, acts, fifo);
  };
  for (let n = 0; n < EVENTS; n++) {
    const dl = e.nextDeadline();
    now += r.int(10) === 0 && dl !== undefined && dl > now ? dl - now : r.int(3000);
    step(randomInput(r, cfg, m, n));
  }
  // Drain: everyone ready, every offer answered and every call ended; the queue must empty.
  for (const a of cfg.agents) {
    step({ type: "agent-registered", agent: a.id, registered: true });
    step({ type: "agent-login", agent: a.id });
    step({ type: "agent-available", agent: a.id });
  }
  for (let i = 0; i < 2000 && (m.live.size > 0 || m.inCall.size > 0); i++) {
    const ringing = [...m.offerOf.keys()];
    const talking = [...m.inCall.keys()];
    if (ringing.length > 0) step({ type: "offer-answered", agent: ringing[0]! });
    else if (talking.length > 0) step({ type: "call-ended", agent: talking[0]! });
    else {
      const dl = e.nextDeadline();
      assert.ok(dl !== undefined, `seed ${seed}: calls ${[...m.live].join(",")} waiting with no deadline and no offer`);
      now = Math.max(now, dl);
      step({ type: "tick" });
    }
  }
  assert.equal(m.live.size, 0, `seed ${seed}: calls never served: ${[...m.live].join(",")}`);
  // No call lost: every call the engine kept ended answered, abandoned, overflowed or refused
  // (callback entries end answered: the drain answers them).
  for (const id of m.joined) assert.ok(m.ended.has(id), `seed ${seed}: ${id} has no outcome`);
  return { answered: [...m.ended.values()].filter((h) => h === "answered").length, offers, callbackOffers };
}

test(`invariants hold over ${SEEDS} random sequences of ${EVENTS} events (+ drain)`, () => {
  let answered = 0;
  let offers = 0;
  let callbackOffers = 0;
  for (let seed = 1; seed <= SEEDS; seed++) {
    try {
      const r = run(seed);
      answered += r.answered;
      offers += r.offers;
      callbackOffers += r.callbackOffers;
    } catch (err) {
      throw new Error(`seed ${seed}: ${(err as Error).message}`, { cause: err });
    }
  }
  // The sequences must exercise the engine, not idle: many offers and answers overall.
  assert.ok(offers > 10 * SEEDS, `offers ${offers}`);
  assert.ok(answered > 5 * SEEDS, `answered ${answered}`);
  assert.ok(callbackOffers > SEEDS, `callback offers ${callbackOffers}`);
});
