// bench/acd-routing: decision latency of hotline's ACD engine (issue 4: p99 < 1 ms with 1,000
// agents in 50 queues and 10,000 waiting calls), against a naive dispatcher measured in the
// same run: a plain array scan that picks the highest-priority, longest-waiting call of the
// freed agent's queues, and the longest-idle free agent of a joining call's queue (the
// simplest correct longest-idle dispatcher; no stats, no actions, no strategies).
// Bounded: a fixed number of measured inputs per target and a time budget per target.
import { AcdEngine, type AcdAction, type AcdConfig, type AcdInput, type StrategyId } from "@hotline/acd";

const args = process.argv.slice(2);
const opt = (name: string, dflt: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : dflt;
};
const QUEUES = 50;
const AGENTS = 1000;
const WAITING = Number(opt("waiting", "10000"));
const EVENTS = Number(opt("events", "20000"));
const WARMUP_ROUNDS = Number(opt("warmup", "1000"));
const BUDGET_MS = Number(opt("budget-s", "40")) * 1000;
const STRATEGIES = opt("strategies", "longest-idle,round-robin,skill-level,ring-all").split(",") as StrategyId[];
const KINDS = ["agent-available", "call-joined", "call-left", "offer-failed"] as const;
type Kind = (typeof KINDS)[number];
const started = Date.now();
// Whole-run watchdog (bench/README.md: everything ends within 5 minutes).
const watchdog = setTimeout(() => {
  console.error("acd-routing: 280 s watchdog");
  process.exit(3);
}, 280_000);

/** mulberry32: the same seeded workload for every target. */
function prng(seed: number): { next(): number; int(n: number): number } {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n) => Math.floor(next() * n) };
}

function config(strategy: StrategyId): AcdConfig {
  const r = prng(42);
  const queues = Array.from({ length: QUEUES }, (_, i) => ({ id: `q${String(i).padStart(2, "0")}`, strategy, skillWaitMs: 5_000 }));
  const agents = Array.from({ length: AGENTS }, (_, i) => {
    const n = 1 + r.int(3);
    const qs = new Set<number>();
    while (qs.size < n) qs.add(r.int(QUEUES));
    return { id: `a${String(i).padStart(4, "0")}`, memberships: [...qs].map((q) => ({ queue: queues[q]!.id, skillLevel: 1 + r.int(3), order: r.int(100) })) };
  });
  // Busy never breaks: a failed offer leaves the agent available, so the engine decides again at once.
  return { queues, agents, failurePolicy: { busy: { breakAfter: null } } };
}

interface Outcome {
  ns: number;
  /** hotline only: nextDeadline() after the handle (the switch arms its timer with it). */
  deadlineNs?: number;
  offers: { callId: string; agents: readonly string[] }[];
  cancels: { callId: string; agents: readonly string[] }[];
}
interface NewCall {
  id: string;
  queue: string;
  priority: number;
}
/** What the driver needs from a dispatcher; each call returns the decisions and the time they took. */
interface Target {
  ready(agent: string, now: number): Outcome;
  joined(call: NewCall, now: number): Outcome;
  left(callId: string, now: number): Outcome;
  ended(agent: string, now: number): Outcome;
  failed(agent: string, now: number): Outcome;
  answered(agent: string, now: number): Outcome;
}

class HotlineTarget implements Target {
  private readonly e: AcdEngine;
  constructor(cfg: AcdConfig) {
    this.e = new AcdEngine(cfg, prng(7).next);
  }
  private run(input: AcdInput, now: number): Outcome {
    const t0 = process.hrtime.bigint();
    const acts: AcdAction[] = this.e.handle(input, now);
    const t1 = process.hrtime.bigint();
    this.e.nextDeadline();
    const out: Outcome = { ns: Number(t1 - t0), deadlineNs: Number(process.hrtime.bigint() - t1), offers: [], cancels: [] };
    for (const a of acts) {
      if (a.type === "offer") out.offers.push(a);
      else if (a.type === "cancel-offer") out.cancels.push(a);
    }
    return out;
  }
  ready(agent: string, now: number): Outcome {
    this.run({ type: "agent-registered", agent, registered: true }, now);
    return this.run({ type: "agent-login", agent }, now);
  }
  joined(call: NewCall, now: number): Outcome {
    return this.run({ type: "call-joined", queue: call.queue, call: { id: call.id, caller: `+8613${call.id}`, priority: call.priority } }, now);
  }
  left(callId: string, now: number): Outcome {
    return this.run({ type: "call-left", callId }, now);
  }
  ended(agent: string, now: number): Outcome {
    return this.run({ type: "call-ended", agent }, now);
  }
  failed(agent: string, now: number): Outcome {
    return this.run({ type: "offer-failed", agent, reason: "busy" }, now);
  }
  answered(agent: string, now: number): Outcome {
    return this.run({ type: "offer-answered", agent }, now);
  }
}

interface RefCall {
  readonly id: string;
  readonly queue: string;
  priority: number;
  readonly joinedAt: number;
  readonly seq: number;
}
interface RefAgent {
  readonly id: string;
  readonly queues: ReadonlySet<string>;
  free: boolean;
  idleSince: number;
  call: RefCall | undefined;
}

/** The naive reference: every decision is a plain scan of an array. */
class NaiveTarget implements Target {
  private waiting: RefCall[] = [];
  private readonly agents = new Map<string, RefAgent>();
  private readonly byQueue = new Map<string, RefAgent[]>();
  private seq = 0;
  constructor(cfg: AcdConfig) {
    for (const q of cfg.queues) this.byQueue.set(q.id, []);
    for (const a of cfg.agents) {
      const ra: RefAgent = { id: a.id, queues: new Set(a.memberships.map((m) => m.queue)), free: false, idleSince: 0, call: undefined };
      this.agents.set(a.id, ra);
      for (const m of a.memberships) this.byQueue.get(m.queue)!.push(ra);
    }
  }
  private timed(f: () => Outcome["offers"]): Outcome {
    const t0 = process.hrtime.bigint();
    const offers = f();
    return { ns: Number(process.hrtime.bigint() - t0), offers, cancels: [] };
  }
  /** The best waiting call of the agent's queues: highest priority, then earliest join, then arrival. */
  private serveAgent(a: RefAgent): Outcome["offers"] {
    let best = -1;
    let b: RefCall | undefined;
    for (let i = 0; i < this.waiting.length; i++) {
      const c = this.waiting[i]!;
      if (!a.queues.has(c.queue)) continue;
      if (b === undefined || c.priority > b.priority || (c.priority === b.priority && (c.joinedAt < b.joinedAt || (c.joinedAt === b.joinedAt && c.seq < b.seq)))) {
        best = i;
        b = c;
      }
    }
    if (b === undefined) return [];
    const c = b;
    this.waiting.splice(best, 1);
    a.free = false;
    a.call = c;
    return [{ callId: c.id, agents: [a.id] }];
  }
  ready(agent: string, now: number): Outcome {
    const a = this.agents.get(agent)!;
    a.free = true;
    a.idleSince = now;
    return this.timed(() => this.serveAgent(a));
  }
  joined(call: NewCall, now: number): Outcome {
    return this.timed(() => {
      const c: RefCall = { ...call, joinedAt: now, seq: this.seq++ };
      let best: RefAgent | undefined;
      for (const a of this.byQueue.get(c.queue)!) if (a.free && (best === undefined || a.idleSince < best.idleSince || (a.idleSince === best.idleSince && a.id < best.id))) best = a;
      if (best === undefined) {
        this.waiting.push(c);
        return [];
      }
      best.free = false;
      best.call = c;
      return [{ callId: c.id, agents: [best.id] }];
    });
  }
  left(callId: string): Outcome {
    return this.timed(() => {
      for (let i = 0; i < this.waiting.length; i++)
        if (this.waiting[i]!.id === callId) {
          this.waiting.splice(i, 1);
          break;
        }
      return [];
    });
  }
  ended(agent: string, now: number): Outcome {
    const a = this.agents.get(agent)!;
    return this.timed(() => {
      a.free = true;
      a.call = undefined;
      a.idleSince = now;
      return this.serveAgent(a);
    });
  }
  failed(agent: string): Outcome {
    const a = this.agents.get(agent)!;
    return this.timed(() => {
      const c = a.call!;
      c.priority += 1; // back to the head at raised priority, keeping its join time
      this.waiting.push(c);
      a.call = undefined;
      a.free = true;
      return this.serveAgent(a);
    });
  }
  answered(_agent: string): Outcome {
    return this.timed(() => []);
  }
}

/** Drives a target through setup, warm-up and the measured rounds; keeps its own view of who is where. */
function drive(name: string, target: Target, cfg: AcdConfig): { samples: Record<Kind, number[]>; deadline: number[]; rounds: number; setupMs: number } {
  const r = prng(2026);
  // The configured id strings themselves (as a switch would pass them), not copies built per call.
  const queueIds = cfg.queues.map((q) => q.id);
  let now = 0;
  let n = 0;
  const inCall: string[] = [];
  const waiting: string[] = [];
  const waitingAt = new Map<string, number>();
  const deadline: number[] = [];
  let measuring = false;
  const offerOf = new Map<string, Set<string>>(); // call → agents offered
  const agentOffer = new Map<string, string>(); // agent → call
  const addWaiting = (id: string): void => {
    waitingAt.set(id, waiting.length);
    waiting.push(id);
  };
  const dropWaiting = (id: string): void => {
    const i = waitingAt.get(id);
    if (i === undefined) return;
    const last = waiting.pop()!;
    if (last !== id) {
      waiting[i] = last;
      waitingAt.set(last, i);
    }
    waitingAt.delete(id);
  };
  const apply = (o: Outcome): number => {
    for (const c of o.cancels)
      for (const ag of c.agents) {
        agentOffer.delete(ag);
        const s = offerOf.get(c.callId);
        s?.delete(ag);
        if (s?.size === 0) {
          offerOf.delete(c.callId);
          addWaiting(c.callId);
        }
      }
    for (const of of o.offers) {
      dropWaiting(of.callId);
      offerOf.set(of.callId, new Set(of.agents));
      for (const ag of of.agents) agentOffer.set(ag, of.callId);
    }
    if (measuring && o.deadlineNs !== undefined) deadline.push(o.deadlineNs);
    return o.ns;
  };
  const answerAll = (): void => {
    for (let guard = 0; offerOf.size > 0 && guard < 100_000; guard++) {
      const [callId, agents] = offerOf.entries().next().value!;
      const ag = [...agents][0]!;
      offerOf.delete(callId);
      agentOffer.delete(ag);
      // The others of a ring-all offer are cancelled by the engine (cancel-offer), not by us.
      for (const other of agents) if (other !== ag) agentOffer.delete(other);
      const o = target.answered(ag, (now += 1));
      inCall.push(ag);
      // Cancels of this call's other agents: they are idle again, nothing else to track.
      apply({ ...o, cancels: o.cancels.filter((c) => c.callId !== callId) });
    }
  };
  const join = (): number => {
    const id = `c${n++}`;
    const p = r.next();
    addWaiting(id);
    return apply(target.joined({ id, queue: queueIds[r.int(QUEUES)]!, priority: p < 0.8 ? 0 : p < 0.95 ? 1 : 2 }, (now += 1 + r.int(5))));
  };
  const t0 = Date.now();
  for (const a of cfg.agents) apply(target.ready(a.id, now));
  while (waiting.length < WAITING) {
    join();
    answerAll();
  }
  const setupMs = Date.now() - t0;
  const samples: Record<Kind, number[]> = { "agent-available": [], "call-joined": [], "call-left": [], "offer-failed": [] };
  const round = (rec: (k: Kind, ns: number) => void): void => {
    // An agent's call ends (no wrap-up): it becomes available and is offered a waiting call.
    const i = r.int(inCall.length);
    const agent = inCall[i]!;
    inCall[i] = inCall[inCall.length - 1]!;
    inCall.pop();
    rec("agent-available", apply(target.ended(agent, (now += 1 + r.int(20)))));
    // Some offers fail (busy): the caller goes back at raised priority and the engine decides again.
    if (r.next() < 0.3 && agentOffer.size > 0) {
      const [ag, callId] = agentOffer.entries().next().value!;
      agentOffer.delete(ag);
      const s = offerOf.get(callId)!;
      s.delete(ag);
      if (s.size === 0) {
        offerOf.delete(callId);
        addWaiting(callId);
      }
      rec("offer-failed", apply(target.failed(ag, (now += 1 + r.int(20)))));
    }
    answerAll();
    // Some callers hang up while waiting.
    if (r.next() < 0.4 && waiting.length > 0) {
      const id = waiting[r.int(waiting.length)]!;
      dropWaiting(id);
      rec("call-left", apply(target.left(id, (now += 1 + r.int(20)))));
    }
    // New callers keep the queue at WAITING.
    while (waiting.length < WAITING) {
      rec("call-joined", join());
      answerAll();
    }
  };
  for (let w = 0; w < WARMUP_ROUNDS && Date.now() - t0 < BUDGET_MS; w++) round(() => {});
  const end = Date.now() + BUDGET_MS;
  measuring = true;
  let events = 0;
  let rounds = 0;
  while (events < EVENTS && Date.now() < end && Date.now() - started < 250_000) {
    round((k, ns) => {
      samples[k].push(ns);
      events++;
    });
    rounds++;
  }
  if (waiting.length !== WAITING || agentOffer.size !== 0) throw new Error(`${name}: driver lost track (${waiting.length} waiting, ${agentOffer.size} offers open)`);
  return { samples, deadline, rounds, setupMs };
}

const pct = (sorted: readonly number[], p: number): number => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? NaN;
const us = (ns: number): string => (ns / 1000).toFixed(1);
interface Figures {
  p50: number;
  p99: number;
  max: number;
  n: number;
}
function figures(xs: readonly number[]): Figures {
  const s = [...xs].sort((a, b) => a - b);
  return { p50: pct(s, 0.5), p99: pct(s, 0.99), max: s[s.length - 1] ?? NaN, n: s.length };
}

console.log(`acd-routing: ${AGENTS} agents in ${QUEUES} queues (1–3 queues each, skill levels 1–3), ${WAITING} waiting calls (priority 0/1/2 = 80/15/5 %)`);
console.log(`measured: up to ${EVENTS} decision inputs per target after ${WARMUP_ROUNDS} warm-up rounds, ${BUDGET_MS / 1000} s budget each; µs per handle()`);
console.log(`${"target".padEnd(22)}${"input".padEnd(17)}${"n".padStart(7)}${"p50".padStart(9)}${"p99".padStart(9)}${"max".padStart(10)}`);
const results: { name: string; all: Figures }[] = [];
const targets: { name: string; make: () => Target; strategy: StrategyId }[] = [
  ...STRATEGIES.map((s) => ({ name: `hotline ${s}`, strategy: s, make: () => new HotlineTarget(config(s)) })),
  { name: "naive reference", strategy: "longest-idle" as StrategyId, make: () => new NaiveTarget(config("longest-idle")) },
];
for (const t of targets) {
  const { samples, deadline, rounds, setupMs } = drive(t.name, t.make(), config(t.strategy));
  for (const k of KINDS) {
    const f = figures(samples[k]);
    console.log(`${t.name.padEnd(22)}${k.padEnd(17)}${String(f.n).padStart(7)}${us(f.p50).padStart(9)}${us(f.p99).padStart(9)}${us(f.max).padStart(10)}`);
  }
  const all = figures(KINDS.flatMap((k) => samples[k]));
  console.log(`${t.name.padEnd(22)}${"all".padEnd(17)}${String(all.n).padStart(7)}${us(all.p50).padStart(9)}${us(all.p99).padStart(9)}${us(all.max).padStart(10)}   (${rounds} rounds, setup ${(setupMs / 1000).toFixed(1)} s)`);
  if (deadline.length > 0) {
    const d = figures(deadline);
    console.log(`${t.name.padEnd(22)}${"(nextDeadline)".padEnd(17)}${String(d.n).padStart(7)}${us(d.p50).padStart(9)}${us(d.p99).padStart(9)}${us(d.max).padStart(10)}   (after every input, answers too; not in "all")`);
  }
  results.push({ name: t.name, all });
}
clearTimeout(watchdog);
const ref = results.find((x) => x.name === "naive reference")!.all;
const hot = results.filter((x) => x.name.startsWith("hotline "));
const worst = hot.reduce((a, b) => (b.all.p99 > a.all.p99 ? b : a));
const li = hot.find((x) => x.name === "hotline longest-idle")?.all;
console.log(`\nworst p99: ${worst.name} ${us(worst.all.p99)} µs (goal < 1000 µs); naive reference p99 ${us(ref.p99)} µs`);
console.log(
  `RESULT name=acd-routing p99_us=${us(worst.all.p99)} p50_us=${us(Math.max(...hot.map((x) => x.all.p50)))} max_us=${us(Math.max(...hot.map((x) => x.all.max)))}` +
    ` longest_idle_p99_us=${li === undefined ? "na" : us(li.p99)} ref_p99_us=${us(ref.p99)} ref_p50_us=${us(ref.p50)} ratio=${(worst.all.p99 / ref.p99).toFixed(4)}`,
);
