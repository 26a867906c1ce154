// bench/acd-calls: queue calls end to end at rising rates. SIPp callers dial an ACD queue
// (answered at once, music on hold) and N agents, all registered to ONE answering SIPp, take
// the calls the engine offers them, talk a short while and hang up. The reference, in the
// same run against the same hotline process, is the same callers dialling the same agents'
// extensions directly (a plain internal call, no queue): the ratio is the cost of the queue.
//
// Per step: calls answered per second (hotline's journal, call.answered), lost calls (a
// caller that failed: 486/480, any error, or no agent BYE within its 20 s patience), and —
// for offers made while a caller was already waiting — the time from the agent becoming free
// to its next offer: on hotline's clock (journal: agent.state idle → queue.offer) and on the
// wire at the agent (its BYE about to leave → the next INVITE arriving). Ends with:
//   RESULT name=acd-calls cps=… calls_per_hour=… lost=0 free_to_offer_p50_ms=… free_to_offer_p99_ms=… journal_free_to_offer_p99_ms=… ref_cps=… ratio=…
//
//   pnpm bench acd-calls [-- --agents 100] [--talk-ms 500] [--rates 25,50,100] [--ref-rates …] [--step-seconds 6]
//
// Loopback only, ports picked per run, every SIPp bounded by -m and -timeout, the whole run
// by a watchdog. See bench/README.md, "acd-calls".

import { runBench } from "./lib/children.ts";
import { intOption, pinHarness, runOutDir } from "./lib/cli.ts";
import { fmt } from "./lib/format.ts";
import { readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { answeredRate, freeToOffer, parseAgentLog, quantile, type JournalEvent } from "./acd-calls/analysis.ts";
import { acdHotlineYaml } from "./acd-calls/config.ts";
import { startJanitor } from "./acd-calls/janitor.ts";
import { PATIENCE_S, firstError, registerAgents, runStep, type Scenarios } from "./acd-calls/sipp.ts";
import { BenchError, HOST, cpuSeconds, freeUdpBlocks, freeUdpPort, processTree, sleep } from "./calls/proc.ts";
import { sippVersion } from "./calls/sipp.ts";
import { startHotline, type Target } from "./calls/targets.ts";

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(BENCH_DIR, "..");
const SCENARIOS: Scenarios = {
  caller: join(BENCH_DIR, "sipp", "acd-caller.xml"),
  agent: join(BENCH_DIR, "sipp", "acd-agent.xml"),
  register: join(BENCH_DIR, "sipp", "register-digest.xml"),
};
const WATCHDOG_MS = 285_000;
const BUDGET_MS = 250_000;
const QUEUE = "7000";
const startedAt = Date.now();

interface Options {
  agents: number;
  /** Agents left logged in for the backlog step (the rest log out). */
  backlogAgents: number;
  talkMs: number;
  ringSeconds: number;
  rates: number[];
  refRates: number[];
  stepSeconds: number;
  targetCore: number;
  loadCore: number;
}

type Mode = "direct" | "queue";

interface Step {
  mode: Mode;
  rate: number;
  calls: number;
  ok: number;
  lost: number;
  answered: number;
  answeredPerS: number;
  sentRate: number;
  cpuPct: number;
  usPerCall: number;
  wireMs: number[];
  journalMs: number[];
  problems: string[];
}

interface Ctx {
  opts: Options;
  dir: string;
  target: Target;
  httpPort: number;
  ports: { agent: number; caller: number; agentMedia: number; callerMedia: number };
  agents: { ext: string; password: string }[];
  cursor: number;
}

async function api<T>(ctx: Ctx, path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(`http://${HOST}:${ctx.httpPort}${path}`, init);
  const body = (await res.json()) as T;
  if (!res.ok) throw new BenchError(`hotline ${init?.method ?? "GET"} ${path}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

/** Every journal event since the last call (pages of 1,000, GET /api/journal?after=). */
async function journalSince(ctx: Ctx): Promise<JournalEvent[]> {
  const out: JournalEvent[] = [];
  for (let page = 0; page < 200; page++) {
    const r = await api<{ events: JournalEvent[]; last: number }>(ctx, `/api/journal?after=${ctx.cursor}&limit=1000`);
    out.push(...r.events);
    if (r.events.length === 0 || r.last === ctx.cursor) break;
    ctx.cursor = r.last;
  }
  return out;
}

/**
 * Waits until hotline holds no call (GET /api/calls), so a step never sees the previous one's
 * stragglers (a call whose agent went away is only given up after RFC 3261 Timer B, 64·T1 =
 * 32 s, and its CANCEL or 487 would land in the next step's SIPp). Returns the calls left.
 */
async function waitIdle(ctx: Ctx, ms: number): Promise<number> {
  const deadline = Date.now() + ms;
  for (;;) {
    const r = await api<{ calls?: unknown[] }>(ctx, "/api/calls");
    const n = Array.isArray(r.calls) ? r.calls.length : 0;
    if (n === 0 || Date.now() > deadline) return n;
    await sleep(250);
  }
}

/**
 * After a step with failed calls: answer hotline's stale requests to the SIPp ports (janitor)
 * until it holds no call and nothing came for 4.5 s (longer than T2, RFC 3261's longest
 * retransmission interval), at most 40 s.
 */
async function sweep(ctx: Ctx): Promise<void> {
  const janitor = await startJanitor([ctx.ports.agent, ctx.ports.caller]);
  const t0 = Date.now();
  try {
    for (;;) {
      const calls = await waitIdle(ctx, 0);
      const { lastAt } = janitor.seen();
      if ((calls === 0 && Date.now() - Math.max(lastAt, t0) > 4500) || Date.now() - t0 > 40_000) break;
      await sleep(250);
    }
  } finally {
    await janitor.close();
  }
  const { count } = janitor.seen();
  if (count > 0) console.log(`  (swept ${count} stale messages from hotline in ${fmt((Date.now() - t0) / 1000, 1)} s)`);
}

/** Sets the agents' status over HTTP and checks how many of the queue's agents are then available. */
async function setStatus(ctx: Ctx, list: readonly { ext: string }[], status: "logged-in" | "available", expectAvailable: number): Promise<void> {
  for (const a of list) await api(ctx, `/api/agents/${a.ext}/status`, { method: "PUT", body: JSON.stringify({ status }), headers: { "content-type": "application/json" } });
  const q = await api<{ queues: { queue: string; available: number }[] }>(ctx, "/api/queues");
  const available = q.queues.find((x) => x.queue === QUEUE)?.available ?? 0;
  if (available !== expectAvailable) throw new BenchError(`${available} agents available in queue ${QUEUE}, expected ${expectAvailable}`);
}

async function step(ctx: Ctx, mode: Mode, rate: number, calls: number, tag: string, saturationIsProblem = true): Promise<Step> {
  const left = await waitIdle(ctx, 40_000);
  if (left > 0) throw new BenchError(`hotline still holds ${left} calls 40 s after the previous step`);
  await journalSince(ctx); // skip what came before
  const tree = processTree(ctx.target.pid);
  const cpu0 = cpuSeconds(tree);
  const t0 = Date.now();
  const dial = mode === "queue" ? [QUEUE] : ctx.agents.map((a) => a.ext);
  const run = await runStep(
    { tag, targetPort: ctx.target.sipPort, agentPort: ctx.ports.agent, callerPort: ctx.ports.caller, agentMedia: ctx.ports.agentMedia, callerMedia: ctx.ports.callerMedia, dial, rate, calls, talkMs: ctx.opts.talkMs, loadCore: ctx.opts.loadCore },
    ctx.dir,
    SCENARIOS,
  );
  const cpuS = cpuSeconds(tree) - cpu0;
  const wallS = (Date.now() - t0) / 1000;
  await sleep(300); // the journal is written in batches after the events
  const events = await journalSince(ctx);
  writeFileSync(join(ctx.dir, `${tag}.journal.json`), JSON.stringify(events));
  const ok = Number.isFinite(run.caller.successful) ? run.caller.successful : 0;
  const lost = calls - ok;
  const { answered, perSecond } = answeredRate(events);
  const f2o = mode === "queue" ? freeToOffer(events, parseAgentLog(run.agentLog)) : { journalMs: [], wireMs: [] };
  const problems: string[] = [...run.notes];
  if (lost > 0) problems.push(`${lost} lost`);
  if (run.agent.failed > 0) problems.push(`${run.agent.failed} failed at the agents`);
  // Calls answered more slowly than they came: a queue built up (agents or hotline saturated).
  // Not a lost call yet, but not a rate the system sustains (the backlog step wants this).
  if (saturationIsProblem && !(perSecond >= 0.9 * rate)) problems.push(`answered ${fmt(perSecond, 1)}/s of ${rate}/s`);
  if (problems.length > 0) {
    for (const [side, file] of [["caller", run.files.callerErrors], ["agent", run.files.agentErrors]] as const) {
      const e = firstError(file);
      if (e !== undefined) problems.push(`first ${side} error: ${e}`);
    }
  }
  return {
    mode, rate, calls, ok, lost, answered, answeredPerS: perSecond, sentRate: run.sentRate,
    cpuPct: (100 * cpuS) / wallS, usPerCall: ok > 0 ? (cpuS * 1e6) / ok : NaN,
    wireMs: f2o.wireMs, journalMs: f2o.journalMs, problems,
  };
}

const pad = (s: string, n: number): string => s.padStart(n);

function printHeader(): void {
  console.log(["mode", "rate/s", "sent/s", "calls", "ok", "lost", "ans/s", "cpu%", "us/call", "backlog", "wire p50", "wire p99", "jrnl p99", "problems"].map((h, i) => pad(h, i === 0 ? 6 : 9)).join(" "));
}

function printStep(s: Step): void {
  const cells = [
    s.mode, String(s.rate), fmt(s.sentRate, 1), String(s.calls), String(s.ok), String(s.lost), fmt(s.answeredPerS, 1), fmt(s.cpuPct), fmt(s.usPerCall),
    s.mode === "queue" ? String(s.wireMs.length) : "-", fmt(quantile(s.wireMs, 0.5)), fmt(quantile(s.wireMs, 0.99)), fmt(quantile(s.journalMs, 0.99)),
  ];
  console.log([...cells.map((c, i) => pad(c, i === 0 ? 6 : 9)), s.problems.join("; ")].join(" "));
}

/** Rising rates until the first step with a lost call (one rerun), or the time budget. */
async function ladder(ctx: Ctx, mode: Mode, rates: readonly number[], budgetEndMs: number, retries: number): Promise<Step[]> {
  const clean: Step[] = [];
  let seq = 0;
  ramp: for (const rate of rates) {
    for (let attempt = 0; attempt <= retries; attempt++) {
      const calls = rate * ctx.opts.stepSeconds;
      if (Date.now() + (calls / rate + ctx.opts.talkMs / 1000 + 8) * 1000 > budgetEndMs) {
        console.log(`${mode}: time budget: stopped before ${rate}/s`);
        break ramp;
      }
      const s = await step(ctx, mode, rate, calls, `${mode}-${String(++seq).padStart(2, "0")}-${rate}`);
      printStep(s);
      if (s.problems.length > 0 && attempt < retries) await sweep(ctx);
      if (s.problems.length === 0) {
        clean.push(s);
        if (s.sentRate < 0.9 * rate) {
          console.log(`${mode}: SIPp created only ${fmt(s.sentRate, 1)}/s of ${rate}/s: generator-limited`);
          break ramp;
        }
        continue ramp;
      }
      if (attempt < retries) console.log(`${mode}: retrying ${rate}/s once`);
    }
    console.log(`${mode}: first failing step: ${rate}/s`);
    break;
  }
  return clean;
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      agents: { type: "string", default: "500" },
      "backlog-agents": { type: "string", default: "20" },
      "talk-ms": { type: "string", default: "500" },
      "ring-seconds": { type: "string", default: "5" },
      rates: { type: "string", default: "100,200,400,600,800,1000,1200" },
      "ref-rates": { type: "string" },
      "step-seconds": { type: "string", default: "6" },
      "target-core": { type: "string", default: "0" },
      "load-core": { type: "string", default: "1" },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log("pnpm bench acd-calls [-- --agents 500] [--backlog-agents 20] [--talk-ms 500] [--ring-seconds 5] [--rates 25,50,…] [--ref-rates …] [--step-seconds 6] [--target-core 0] [--load-core 1]");
    process.exit(0);
  }
  const list = (s: string | undefined, what: string): number[] => (s ?? "").split(",").map((r) => intOption(r, what, 1, 2000));
  const ncpu = cpus().length;
  const opts: Options = {
    agents: intOption(values.agents, "agents", 1, 2000),
    backlogAgents: intOption(values["backlog-agents"], "backlog-agents", 1, 2000),
    talkMs: intOption(values["talk-ms"], "talk-ms", 0, 10_000),
    ringSeconds: intOption(values["ring-seconds"], "ring-seconds", 1, 60),
    rates: list(values.rates, "rates"),
    refRates: list(values["ref-rates"] ?? values.rates, "ref-rates"),
    stepSeconds: intOption(values["step-seconds"], "step-seconds", 2, 20),
    targetCore: intOption(values["target-core"], "target-core", 0, ncpu - 1),
    loadCore: intOption(values["load-core"], "load-core", 0, ncpu - 1),
  };
  if (opts.backlogAgents > opts.agents) throw new BenchError("--backlog-agents must not exceed --agents");
  if (opts.targetCore === opts.loadCore) throw new BenchError("--target-core and --load-core must differ");
  return opts;
}

/** The best clean step: the most calls answered per second. */
function best(steps: readonly Step[]): Step | undefined {
  return steps.reduce<Step | undefined>((b, s) => (b === undefined || s.answeredPerS > b.answeredPerS ? s : b), undefined);
}

async function main(): Promise<number> {
  const opts = parseOptions();
  pinHarness(opts.loadCore, "hotline and the SIPp instances");
  const sipp = sippVersion();
  const dir = runOutDir(BENCH_DIR, "acd-calls");
  const agents = Array.from({ length: opts.agents }, (_, i) => ({ ext: String(2000 + i), password: `bench-${2000 + i}-pw` }));
  const [agentMedia = 0, callerMedia = 0] = await freeUdpBlocks(2, 4);
  const ports = { agent: await freeUdpPort(), caller: await freeUdpPort(), agentMedia, callerMedia };
  // startHotline renders a ${…} template; the generated config keeps its placeholders for it.
  const template = join(dir, "hotline-template.yaml");
  writeFileSync(template, acdHotlineYaml({ sipPort: "${SIP_PORT}", httpPort: "${HTTP_PORT}", callerPort: ports.caller, rtpMin: 10000, rtpMax: 32767, queue: QUEUE, agents, ringSeconds: opts.ringSeconds }));
  console.log(
    `acd-calls: ${sipp} (callers and agents) on CPU ${opts.loadCore}, hotline on CPU ${opts.targetCore}; ${opts.agents} agents on one SIPp, talk ${opts.talkMs} ms, ` +
      `wrap-up 0, ring ${opts.ringSeconds} s, longest-idle; callers wait up to ${PATIENCE_S} s; steps of ${opts.stepSeconds} s; artifacts in ${dir}`,
  );
  const target = await startHotline({ repo: REPO, benchDir: BENCH_DIR, dir, targetCore: opts.targetCore, uacPort: ports.caller, uasPort: ports.agent, rtpPorts: { min: 10000, max: 32767 }, hotlineTemplate: template });
  try {
    const httpPort = Number(/^http: \{ host: [^,]+, port: (\d+) \}$/m.exec(readFileSync(join(dir, "hotline.yaml"), "utf8"))?.[1]);
    const ctx: Ctx = { opts, dir, target, httpPort, ports, agents, cursor: 0 };
    await registerAgents({ dir, loadCore: opts.loadCore, targetPort: target.sipPort, agentPort: ports.agent, scenario: SCENARIOS.register, agents });
    console.log(`${target.version}, pid ${target.pid} on CPUs ${target.cpusAllowed}; ${agents.length} agents registered at ${HOST}:${ports.agent}`);
    printHeader();
    // Reference first (agents logged out: the queue plays no part), half of what is left.
    const refSteps = await ladder(ctx, "direct", opts.refRates, startedAt + 20_000 + (BUDGET_MS - 20_000) / 2, 1);
    // The direct ladder ended on a failing step: clear its stragglers before the queue runs.
    await sweep(ctx);
    // The backlog step: only --backlog-agents log in and callers come 1.5 times as fast as
    // they can take calls, so a queue stands and every agent that hangs up is offered the next
    // waiting caller at once. That is where agent-free -> next offer is measured. It runs
    // before the queue ladder, whose failing step leaves queued calls of vanished callers.
    await setStatus(ctx, agents.slice(0, opts.backlogAgents), "logged-in", opts.backlogAgents);
    const backlogRate = Math.ceil((1.5 * opts.backlogAgents * 1000) / Math.max(100, opts.talkMs));
    const backlog = await step(ctx, "queue", backlogRate, backlogRate * opts.stepSeconds, `backlog-${backlogRate}`, false);
    printStep(backlog);
    console.log(`queue: backlog step above: ${opts.backlogAgents} agents logged in, ${backlogRate}/s offered`);
    if (backlog.problems.length > 0) throw new BenchError(`the backlog step lost calls: ${backlog.problems.join("; ")}`);
    await setStatus(ctx, agents, "logged-in", agents.length);
    // No rerun of a failing queue step: its callers that gave up stay queued in hotline.
    const queueSteps = await ladder(ctx, "queue", opts.rates, startedAt + BUDGET_MS, 0);
    const ref = best(refSteps);
    const acd = best(queueSteps);
    // Offers to agents freed while callers waited: the backlog step's, and any of the ladder's.
    const measured = [...queueSteps, backlog];
    const wire = measured.flatMap((s) => s.wireMs);
    const journal = measured.flatMap((s) => s.journalMs);
    const capacity = (opts.agents * 1000) / Math.max(1, opts.talkMs);
    console.log(
      `\nqueue: best ${fmt(acd?.answeredPerS ?? NaN, 1)} calls/s answered at ${acd?.rate ?? "-"}/s offered (agents' ceiling ${opts.agents}/${opts.talkMs} ms = ${fmt(capacity)}/s before set-up time); ` +
        `direct: best ${fmt(ref?.answeredPerS ?? NaN, 1)} calls/s at ${ref?.rate ?? "-"}/s`,
    );
    console.log(`agent-free -> next offer, ${wire.length} offers made while a caller waited: wire p50 ${fmt(quantile(wire, 0.5))} ms, p99 ${fmt(quantile(wire, 0.99))} ms, max ${fmt(quantile(wire, 1))} ms; hotline's clock p99 ${fmt(quantile(journal, 0.99))} ms`);
    const cps = acd?.answeredPerS ?? NaN;
    const refCps = ref?.answeredPerS ?? NaN;
    const kv = (n: number, d: number): string => (Number.isFinite(n) ? n.toFixed(d) : "na");
    console.log(
      `RESULT name=acd-calls cps=${kv(cps, 1)} calls_per_hour=${kv(cps * 3600, 0)} lost=${(acd?.lost ?? 0) + backlog.lost} free_to_offer_p50_ms=${kv(quantile(wire, 0.5), 0)} free_to_offer_p99_ms=${kv(quantile(wire, 0.99), 0)} ` +
        `journal_free_to_offer_p99_ms=${kv(quantile(journal, 0.99), 0)} offers_measured=${wire.length} ref_cps=${kv(refCps, 1)} ratio=${kv(cps / refCps, 2)}`,
    );
    return 0;
  } finally {
    await target.stop();
  }
}

runBench("acd-calls", main, WATCHDOG_MS);
