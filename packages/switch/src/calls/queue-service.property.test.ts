// Property test of QueueService with the ACD engine, over random interleavings: callers join
// three queues (ring-all with callbacks and overflow, linear, sticky → longest-idle), hang up or
// press the callback digit; agents answer, refuse, time out, hang up, blind-transfer, log in/out,
// take breaks, lose their registration; the clock moves (ring timeouts, wrap-up, overflow,
// callback retries). After every step the engine's view must match the calls on the switch;
// at the end nothing may be left ringing, allocated or armed.
//
// The checks: (a) every agent the engine has offered/ringing has a live leg ringing it for that
// call, and every ringing agent leg (not a direct call) is an offer the engine holds; (b) no agent
// in-call without a live answered leg; (c) outside ring-all no call rings two agents, and no agent
// rings for two calls; (d) every call ends once and is never answered by two agents at a time;
// (e) at the end: no call, no engine entry, every agent idle, every endpoint released, only the
// registration poll armed.
//
// SEEDS=n runs seeds 1..n (default 200 × STEPS=150); SEED=n replays one and prints its trace;
// DEBUG=1 also prints the engine's calls and agents before the final checks.
import { test } from "node:test";
import assert from "node:assert/strict";
import { getHeader, type SipRequest } from "@hotline/sip";
import { seededRandom } from "@hotline/sip/testing";
import { examplePlan } from "../routing/example-plan.js";
import { Router, type DialPlan } from "../routing/index.js";
import { answerSdp, inDialog, invite, parse, reply, rig, settle, toTagOf, type FakeScheduler, type Rig, type SentRequest } from "../testing/call-rig.js";
import type { Call } from "./call.js";
import type { CallbackEntry } from "./queue-callbacks.js";
import { AGENT_ACTIONS } from "./queue-service.js";

const AGENTS = ["2001", "2002", "2003", "2004", "2005"] as const;
const agentPort = (a: string): number => 5100 + Number(a.slice(2)) * 2;
const CALLERS = ["1004", "1005", "13800000001", "13800000002", "01087654321"];
const QUEUES = ["7000", "7000", "7001", "7002"];
const TRANSFER_TO = ["1004", "7001", "7002", "2003", "5555"];
const SRC = (port: number) => ({ transport: "udp" as const, address: "127.0.0.1", port });

function queuePlan(): DialPlan {
  const plan = examplePlan();
  const base = { name: null, maxLength: null as number | null, maxWaitSeconds: null as number | null, overflow: null as string | null };
  plan.queues = {
    "7000": {
      ...base,
      strategy: "ring-all",
      members: { "2001": 1, "2002": 1, "2003": 1 },
      ringSeconds: 10,
      wrapUpSeconds: 3,
      maxWaitSeconds: 40,
      overflow: "7001",
      announce: { language: "zh+en", positionEverySeconds: 20, firstAfterSeconds: 5, periodicFile: null, periodicEverySeconds: null },
      callback: { enabled: true, digit: "1", maxAttempts: 2, retrySeconds: 30, ringSeconds: 10 },
    },
    "7001": { ...base, strategy: "linear", members: { "2002": 1, "2003": 1, "2004": 1 }, ringSeconds: 8, wrapUpSeconds: 2, maxLength: 4 },
    "7002": {
      ...base,
      strategy: "sticky",
      fallbackStrategy: "longest-idle",
      stickyWindowSeconds: 300,
      stickyHoldSeconds: 10,
      members: { "2004": 1, "2005": 1, "2001": 1 },
      ringSeconds: 12,
      wrapUpSeconds: 5,
      maxWaitSeconds: 30,
      overflow: "7000",
    },
  };
  return plan;
}

interface Caller {
  inv: SipRequest;
  tx: string;
  cseq: number;
  acked: boolean;
}

/** The test's view of QueueService internals it checks against (private: read, never written). */
interface QueueInternals {
  callbacks: Map<string, CallbackEntry>;
}

interface Leg {
  role: string;
  party: string;
  ended: boolean;
  state?: string;
}

function agentLegs(call: Call, states: readonly string[]): Leg[] {
  return (call.legs as unknown as Leg[]).filter((l) => l.role === "outbound" && !l.ended && (AGENTS as readonly string[]).includes(l.party) && states.includes(l.state ?? ""));
}

const RINGING = ["calling", "early"] as const;

async function setup(): Promise<Rig> {
  const phones: Record<string, number[]> = { "1004": [6001], "1005": [6003] };
  for (const a of AGENTS) phones[a] = [agentPort(a)];
  const plan = queuePlan();
  const r = await rig(phones, plan);
  // The agents' extensions exist for routing too (blind transfer to 2003).
  const known = new Set(["1001", "1002", "1003", "1004", "1005", ...AGENTS]);
  const router = new Router(plan, (e) => known.has(e));
  r.routing.route = (i, now) => router.route(i, now);
  r.routing.resolve = (d, i, now) => router.resolve(d, i, now);
  for (const a of AGENTS) r.manager.queues.agentAction(a, "agent-login");
  return r;
}

/** The engine call id a switch call stands for: itself, or the callback entry it is dialling for. */
function engineIdOf(r: Rig, call: Call): string {
  const internals = r.manager.queues as unknown as QueueInternals;
  for (const e of internals.callbacks.values()) if (e.run?.call === call) return e.callId;
  return call.id;
}

function describe(calls: readonly Call[]): string {
  return calls.map((c) => `${c.id}[${c.state}]: ${(c.legs as unknown as Leg[]).map((l) => `${l.party}:${l.state ?? l.role}${l.ended ? "(ended)" : ""}`).join(" ")}`).join("; ");
}

/** Invariants (a)–(d) after one step. */
function check(r: Rig, transferors: Set<string>, ctx: string): void {
  const engine = r.manager.queues.engine;
  const live = [...r.manager.calls.values()].filter((c) => !c.isEnded());
  // Ringing agent legs that are queue offers (not a direct ring after a transfer to the agent's extension).
  const offerLegs: { call: Call; id: string; agent: string }[] = [];
  for (const call of live) for (const l of agentLegs(call, RINGING)) if (!call.ringing.has(l.party)) offerLegs.push({ call, id: engineIdOf(r, call), agent: l.party });
  for (const [agent, rec] of engine.agents) {
    // (a) engine → switch: an offered/ringing agent has a live ringing leg for that call.
    if (rec.state === "offered" || rec.state === "ringing") {
      assert.ok(offerLegs.some((o) => o.agent === agent && o.id === rec.callId), `${ctx}: engine has ${agent} ${rec.state} for ${rec.callId}, but no leg rings it; ${describe(live)}`);
    }
    // (b) in-call → a live answered leg of that agent.
    if (rec.state === "in-call") {
      assert.ok(live.some((c) => agentLegs(c, ["answered"]).some((l) => l.party === agent)), `${ctx}: engine has ${agent} in-call without an answered leg`);
    }
  }
  const offeredCalls = new Map<string, Set<string>>();
  for (const o of offerLegs) {
    // (a) switch → engine: every ringing agent leg is an offer the engine made.
    const rec = engine.agents.get(o.agent);
    assert.ok(rec !== undefined && (rec.state === "offered" || rec.state === "ringing") && rec.callId === o.id, `${ctx}: ${o.agent} rings for ${o.id} but the engine has it ${rec?.state} for ${rec?.callId}; ${describe(live)}`);
    const set = offeredCalls.get(o.agent) ?? new Set();
    set.add(o.id);
    offeredCalls.set(o.agent, set);
  }
  // (c) no agent offered two calls at once; outside ring-all, no call offered to two agents.
  for (const [agent, calls] of offeredCalls) assert.ok(calls.size <= 1, `${ctx}: ${agent} is offered ${[...calls].join(", ")}`);
  for (const [id, c] of engine.calls) {
    const strategy = queuePlan().queues[c.queue]?.strategy;
    if (strategy !== "ring-all") assert.ok((c.offer?.agents.size ?? 0) <= 1, `${ctx}: ${id} in ${c.queue} (${strategy}) offered to ${[...(c.offer?.agents ?? [])].join(", ")}`);
    const ringing = offerLegs.filter((o) => o.id === id).map((o) => o.agent);
    if (strategy !== "ring-all") assert.ok(new Set(ringing).size <= 1, `${ctx}: ${id} (${strategy}) rings ${ringing.join(", ")}`);
  }
  // (d) never bridged to two agents (the transferor's leg, until it hangs up, aside).
  for (const call of live) {
    const answered = agentLegs(call, ["answered"]).filter((l) => !transferors.has(`${call.id}/${l.party}`));
    assert.ok(answered.length <= 1, `${ctx}: ${call.id} is answered by ${answered.map((l) => l.party).join(", ")}`);
  }
  const ended = r.recorder.endedCalls.map((c) => c.id);
  assert.equal(new Set(ended).size, ended.length, `${ctx}: a call ended twice`);
}

interface World {
  r: Rig;
  callers: Caller[];
  tx: number;
  /** Hotline's INVITEs the test answered finally, with the To tag of a 2xx. */
  final: Map<SentRequest, string | null>;
  /** Agent legs that sent REFER ("callId/agent"). */
  transferors: Set<string>;
  trace: string[];
}

function callerToTag(w: World, c: Caller): string | null {
  const res = w.r.sip.responses.find((x) => x.txId === c.tx && x.response.status >= 200 && x.response.status < 300);
  return res === undefined ? null : toTagOf(res.response);
}

/** A request from the callee side of one of hotline's INVITEs (its dialog, our To tag). */
function fromCallee(o: SentRequest, toTag: string, method: string, n: number, extra: string[] = []): SipRequest {
  return parse(
    [
      `${method} sip:hotline@127.0.0.1:5060 SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${o.destination.port};branch=z9hG4bKagent${n}`,
      `From: ${getHeader(o.request, "to")};tag=${toTag}`,
      `To: ${getHeader(o.request, "from")}`,
      `Call-ID: ${getHeader(o.request, "call-id")}`,
      `CSeq: ${100 + n} ${method}`,
      `Contact: <sip:agent@127.0.0.1:${o.destination.port}>`,
      ...extra,
      "Content-Length: 0",
      "",
      "",
    ].join("\r\n"),
  );
}

function hotlineSent(w: World, method: string, o: SentRequest): boolean {
  const id = getHeader(o.request, "call-id");
  return w.r.sip.requests.some((x) => x.request.method === method && getHeader(x.request, "call-id") === id);
}

async function step(w: World, rnd: () => number): Promise<void> {
  const int = (n: number): number => Math.floor(rnd() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const { r } = w;
  const invites = r.sip.requests.filter((x) => x.request.method === "INVITE");
  const pending = invites.filter((o) => !w.final.has(o));
  const kind = int(100);
  if (kind < 16 || w.callers.length === 0) {
    const from = pick(CALLERS);
    const to = pick(QUEUES);
    const port = 6100 + w.callers.length;
    const c: Caller = { inv: invite(from, to, { port, callId: `q${w.callers.length}-${from}` }), tx: `c${++w.tx}`, cseq: 1, acked: false };
    w.callers.push(c);
    w.trace.push(`${from} calls ${to} (${c.tx})`);
    r.manager.onRequest(c.tx, c.inv, SRC(port));
  } else if (kind < 42 && pending.length > 0) {
    // A phone hotline rang (an agent, or a citizen being called back) answers something.
    const o = pick(pending);
    const cancelled = hotlineSent(w, "CANCEL", o);
    const k = int(10);
    const who = o.request.uri;
    if (cancelled && k < 8) {
      w.final.set(o, null);
      w.trace.push(`${who} 487 after CANCEL`);
      o.handler.onResponse(reply(o.request, 487));
    } else if (k < 3) {
      w.trace.push(`${who} 180`);
      o.handler.onResponse(reply(o.request, 180, { toTag: `t${invites.indexOf(o)}` }));
    } else if (k < 7) {
      const toTag = `t${invites.indexOf(o)}`;
      w.final.set(o, toTag);
      w.trace.push(`${who} 200${cancelled ? " (after CANCEL)" : ""}`);
      o.handler.onResponse(reply(o.request, 200, { toTag, sdp: answerSdp(42000 + 2 * invites.indexOf(o)) }));
    } else if (k < 9) {
      const status = pick([486, 603, 480]);
      w.final.set(o, null);
      w.trace.push(`${who} ${status}`);
      o.handler.onResponse(reply(o.request, status));
    } else {
      w.final.set(o, null);
      w.trace.push(`${who} transaction timeout`);
      o.handler.onFailure("timeout");
    }
  } else if (kind < 54) {
    // An answered phone hangs up (BYE) or blind-transfers (REFER).
    const answered = [...w.final].filter(([o, tag]) => tag !== null && !hotlineSent(w, "BYE", o));
    if (answered.length === 0) return;
    const [o, tag] = pick(answered);
    const n = ++w.tx;
    const agent = /^sip:(\d+)@/.exec(o.request.uri)?.[1] ?? "";
    if (int(3) === 0 && (AGENTS as readonly string[]).includes(agent)) {
      const to = pick(TRANSFER_TO);
      const call = [...r.manager.calls.values()].find((c) => c.legs.some((l) => l.party === agent && !l.ended));
      if (call !== undefined) w.transferors.add(`${call.id}/${agent}`);
      w.trace.push(`${agent} REFER → ${to}`);
      r.manager.onRequest(`a${n}`, fromCallee(o, tag!, "REFER", n, [`Refer-To: <sip:${to}@hotline.test>`]), SRC(o.destination.port));
    } else {
      w.final.set(o, null); // hung up: not picked again
      w.trace.push(`${o.request.uri} BYE`);
      r.manager.onRequest(`a${n}`, fromCallee(o, tag!, "BYE", n), SRC(o.destination.port));
    }
  } else if (kind < 64) {
    // A caller hangs up: BYE once answered (queue callers hear music), else CANCEL.
    const c = pick(w.callers);
    const toTag = callerToTag(w, c);
    w.trace.push(`caller ${c.tx} hangs up`);
    if (toTag !== null) r.manager.onRequest(`c${++w.tx}`, inDialog("BYE", c.inv, toTag, ++c.cseq), SRC(6000));
    else {
      r.sip.cancelTargets.set(getHeader(c.inv, "call-id") ?? "", c.tx);
      const cancel = inDialog("CANCEL", c.inv, "", 1);
      cancel.headers = cancel.headers.map((h) => (h.key === "to" ? { ...h, value: getHeader(c.inv, "to")! } : h));
      r.manager.onRequest(`c${++w.tx}`, cancel, SRC(6000));
    }
  } else if (kind < 70) {
    // A waiting caller presses a key (mostly the callback digit).
    const waiting = [...r.manager.calls.values()].filter((c) => c.state === "queued" && c.a.endpoint !== null);
    if (waiting.length === 0) return;
    const call = pick(waiting);
    const digit = int(4) === 0 ? "5" : "1";
    w.trace.push(`${call.id} presses ${digit}`);
    r.media.emit({ type: "dtmf", id: call.a.endpoint!.id, digit, durationMs: 100 });
  } else if (kind < 76) {
    // A prompt ends (an announcement, the thank-you, a callback greeting).
    const last = new Map<string, string>();
    for (const p of r.media.plays) last.set(p.id, p.source?.kind ?? "none");
    const playing = [...last].filter(([id, k]) => k === "files" && !r.media.released.includes(id)).map(([id]) => id);
    if (playing.length === 0) return;
    const id = pick(playing);
    w.trace.push(`play-done ${id}`);
    r.media.emit({ type: "play-done", id });
  } else if (kind < 84) {
    const agent = pick(AGENTS);
    const action = int(2) === 0 ? "agent-available" : pick(AGENT_ACTIONS);
    w.trace.push(`${agent} ${action}`);
    r.manager.queues.agentAction(agent, action);
  } else if (kind < 88) {
    const agent = pick(AGENTS);
    const ok = int(2) === 0;
    w.trace.push(`${agent} registration ${ok ? "restored" : "lost"}`);
    r.registrar.markProbe(`sip:${agent}@hotline.test`, `sip:${agent}@127.0.0.1:${agentPort(agent)}`, ok, 1);
  } else {
    const ms = pick([500, 2000, 5000, 9000, 31_000]);
    w.trace.push(`+${ms} ms`);
    r.clock.advance(ms);
  }
}

/** Callers' phones ACK hotline's 2xx (RFC 3261 §13.2.2.4), as real phones do. */
function ackAll(w: World): void {
  for (const c of w.callers) {
    if (c.acked) continue;
    const tag = callerToTag(w, c);
    if (tag === null) continue;
    c.acked = true;
    w.r.manager.onAck(inDialog("ACK", c.inv, tag, 1));
  }
}

/** Timers still armed on the fake clock (it keeps them private). */
function pendingTimers(clock: FakeScheduler): number {
  const timers = (clock as unknown as { timers: { live: boolean }[] }).timers;
  return timers.filter((t) => t.live).length;
}

async function finish(w: World, ctx: string): Promise<void> {
  const { r } = w;
  for (const a of AGENTS) {
    r.registrar.markProbe(`sip:${a}@hotline.test`, `sip:${a}@127.0.0.1:${agentPort(a)}`, true, 1);
    r.manager.queues.agentAction(a, "agent-available");
  }
  // Everything ends; promised callbacks are served until none is left: the agent answers, the
  // citizen does not (each attempt fails; after maxAttempts the entry is dropped). Bounded.
  for (let round = 0; round < 200; round++) {
    for (const call of [...r.manager.calls.values()]) await r.manager.endCall(call, "system", 16, "test over");
    await settle();
    for (const o of r.sip.requests.filter((x) => x.request.method === "INVITE" && !w.final.has(x))) {
      const agent = (AGENTS as readonly string[]).some((a) => o.request.uri.startsWith(`sip:${a}@`));
      const toTag = `f${round}-${w.final.size}`;
      w.final.set(o, agent ? toTag : null);
      const status = agent && !hotlineSent(w, "CANCEL", o) ? 200 : agent ? 487 : 480;
      w.trace.push(`final: ${o.request.uri} ${status}`);
      o.handler.onResponse(reply(o.request, status, status === 200 ? { toTag, sdp: answerSdp(43000) } : {}));
      await settle();
      check(r, w.transferors, `${ctx} (final round ${round})`);
    }
    r.clock.advance(5000);
    await settle();
    if (r.manager.queues.engine.calls.size === 0 && r.manager.calls.size === 0) break;
  }
  for (const call of [...r.manager.calls.values()]) await r.manager.endCall(call, "system", 16, "test over");
  r.clock.advance(6 * 3600_000);
  await settle();
  check(r, w.transferors, `${ctx} (end)`);
  const engine = r.manager.queues.engine;
  assert.equal(r.manager.calls.size, 0, `${ctx}: calls left`);
  if (process.env["DEBUG"] !== undefined) {
    const dump = { calls: [...engine.calls.values()].map((c) => ({ id: c.id, queue: c.queue, cb: c.callback, offer: c.offer === undefined ? null : [...c.offer.agents], tried: [...c.tried] })), agents: [...engine.agents.values()].map((a) => [a.cfg.id, a.status, a.state, a.registered, a.inUse]), cbs: [...(r.manager.queues as unknown as QueueInternals).callbacks.values()].map((e) => ({ ...e, run: e.run !== null })), now: r.clock.now() };
    console.log(JSON.stringify(dump));
  }
  assert.deepEqual([...engine.calls.keys()], [], `${ctx}: the engine still holds calls`);
  // Figures: every join has exactly one outcome (a merged callback request included: review 2, #9).
  for (const q of r.manager.queues.report(r.clock.now()).queues) {
    assert.equal(q.offered, q.answered + q.abandoned + q.overflowed + q.refused + q.callbacksDropped + q.callbacksMerged + q.waiting, `${ctx}: ${q.queue} offered ≠ outcomes + waiting ${JSON.stringify(q)}`);
  }
  for (const [agent, rec] of engine.agents) assert.equal(rec.state, "idle", `${ctx}: ${agent} is ${rec.state} at the end`);
  const released = new Set(r.media.released);
  assert.deepEqual(r.media.allocated.filter((id) => !released.has(id)), [], `${ctx}: RTP endpoints never released`);
  // The registration poll and the midnight refresh (QueueService.armDay) are always armed.
  assert.equal(pendingTimers(r.clock), 2, `${ctx}: timers left beyond the registration poll and the midnight refresh`);
  const started = r.recorder.events.filter((e) => e.type === "call.started").map((e) => e.callId);
  const ended = r.recorder.endedCalls.map((c) => c.id);
  assert.deepEqual([...ended].sort(), [...started].sort(), `${ctx}: started and ended calls differ`);
  assert.equal(r.metrics.get("sip_internal_errors_total"), 0, `${ctx}: a request was answered 500`);
}

test("queue service with the engine: random interleavings keep both views equal, nothing leaks", async () => {
  const one = process.env["SEED"];
  const first = Number(one ?? 1);
  const last = one !== undefined ? first : Number(process.env["SEEDS"] ?? 200);
  const steps = Number(process.env["STEPS"] ?? 150);
  for (let seed = first; seed <= last; seed++) {
    const rnd = seededRandom(seed * 2654435761);
    const w: World = { r: await setup(), callers: [], tx: 0, final: new Map(), transferors: new Set(), trace: [] };
    try {
      for (let i = 0; i < steps; i++) {
        await step(w, rnd);
        await settle();
        ackAll(w);
        check(w.r, w.transferors, `seed ${seed} step ${i} (${w.trace.at(-1) ?? ""})`);
      }
      await finish(w, `seed ${seed}`);
    } catch (err) {
      // The last steps say how it got there; SEED=n prints them all.
      if (err instanceof Error) err.message += `\n  trace (last 25): ${w.trace.slice(-25).join(" | ")}`;
      throw err;
    } finally {
      if (one !== undefined) console.log(w.trace.join("\n"));
    }
  }
});

