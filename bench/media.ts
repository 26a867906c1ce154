// bench/media: N concurrent bridged calls with G.711 (PCMA, 20 ms) RTP both ways, rising N,
// through hotline's media plane (@hotline/media/node MediaEngine) and, in the same run and on
// the same core, two references: a minimal raw Node UDP relay and rtpengine in user space.
// A C generator pinned to the other core sends and measures loss and added latency; the
// harness reads the target's CPU and memory from /proc. Prints a table per target and ends with
//   RESULT name=media hotline_calls=… node_relay_calls=… rtpengine_calls=… ratio_node=… ratio_rtpengine=…
//          hotline_p99_ms=… hotline_cpu_us_per_packet=… node_us_per_packet=… rtpengine_us_per_packet=…
//          hotline_kb_per_call=… hotline_workers2_calls=… (and p99 / kB per call of the references)
//
//   pnpm bench media [-- --only hotline,hotline-w2,node,rtpengine] [--ladder 200,400,…]
//                    [--warmup-s 2] [--measure-s 5] [--node-mode auto|connected|unconnected] [--node-probe 600] [--nice -10]
//
// Loopback only, relay ports 10000-31999, every step bounded, the whole run bounded by a
// watchdog. See bench/README.md.

import { runBench } from "./lib/children.ts";
import { pinHarness, runOutDir } from "./lib/cli.ts";
import { cpus } from "node:os";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Generator } from "./media/generator.ts";
import { startHotline } from "./media/hotline.ts";
import { startNodeRelay, type RelayMode } from "./media/node-relay.ts";
import { BenchError, setNiceness } from "./media/proc.ts";
import { measureSteady, ramp, Session, MAX_LOSS_PCT, MAX_P99_MS, type Ramp, type RampOptions, type Step } from "./media/ramp.ts";
import { printStep, printStepHeader, printSummary, resultLine } from "./media/report.ts";
import { startRtpengine } from "./media/rtpengine.ts";
import type { MediaTarget } from "./media/target.ts";

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(BENCH_DIR, "..");
const WATCHDOG_MS = 270_000;
/** Every step must have ended by then; stopping targets and printing take the rest. */
const BUDGET_MS = 255_000;
const DEFAULT_LADDER = [200, 400, 600, 800, 1000, 1200, 1500, 2000, 2500, 3000, 4000];
const startedAt = Date.now();
const PROBE_ONLY = "probe step only";

const TARGETS = ["node", "rtpengine", "hotline", "hotline-w2"] as const;
type TargetName = (typeof TARGETS)[number];

interface Options {
  only: TargetName[];
  ladder: number[];
  warmupMs: number;
  measureMs: number;
  refine: number;
  retries: number;
  nodeMode: RelayMode | "auto";
  nodeProbe: number;
  targetCore: number;
  loadCore: number;
  workers2Cpus: string;
  nice: number;
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      only: { type: "string" },
      ladder: { type: "string" },
      "warmup-s": { type: "string", default: "2" },
      "measure-s": { type: "string", default: "5" },
      refine: { type: "string", default: "2" },
      retries: { type: "string", default: "2" },
      "node-mode": { type: "string", default: "auto" },
      "node-probe": { type: "string", default: "600" },
      "target-core": { type: "string", default: "0" },
      "load-core": { type: "string", default: "1" },
      "workers2-cpus": { type: "string" },
      nice: { type: "string", default: "-10" },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(
      "pnpm bench media [-- --only node,rtpengine,hotline,hotline-w2] [--ladder 200,400,…] [--warmup-s 2] [--measure-s 5]\n" +
        "                 [--refine 2] [--retries 2] [--node-mode auto|connected|unconnected] [--node-probe 600]\n" +
        "                 [--target-core 0] [--load-core 1] [--workers2-cpus 0,1] [--nice -10]",
    );
    process.exit(0);
  }
  const num = (s: string | undefined, what: string, min: number, max: number): number => {
    const n = Number(s);
    if (!Number.isFinite(n) || n < min || n > max) throw new BenchError(`--${what} must be a number in ${min}..${max}, got ${s}`);
    return n;
  };
  const only = (values.only?.split(",") ?? [...TARGETS]).map((t) => {
    const name = TARGETS.find((x) => x === t);
    if (name === undefined) throw new BenchError(`--only takes ${TARGETS.join(", ")}; got ${t}`);
    return name;
  });
  const ladder = values.ladder === undefined ? DEFAULT_LADDER : values.ladder.split(",").map((n) => Math.round(num(n, "ladder", 1, 8000)));
  const nodeMode = values["node-mode"];
  if (nodeMode !== "auto" && nodeMode !== "connected" && nodeMode !== "unconnected") throw new BenchError(`--node-mode must be auto, connected or unconnected`);
  const ncpu = cpus().length;
  const targetCore = num(values["target-core"], "target-core", 0, ncpu - 1);
  const loadCore = num(values["load-core"], "load-core", 0, ncpu - 1);
  if (targetCore === loadCore) throw new BenchError("--target-core and --load-core must differ");
  return {
    only,
    ladder: [...new Set(ladder)].sort((a, b) => a - b),
    warmupMs: num(values["warmup-s"], "warmup-s", 0, 30) * 1000,
    measureMs: num(values["measure-s"], "measure-s", 1, 60) * 1000,
    refine: Math.round(num(values.refine, "refine", 0, 5)),
    retries: Math.round(num(values.retries, "retries", 0, 5)),
    nodeMode,
    nodeProbe: Math.round(num(values["node-probe"], "node-probe", 1, 8000)),
    targetCore,
    loadCore,
    workers2Cpus: values["workers2-cpus"] ?? `${targetCore},${loadCore}`,
    nice: Math.round(num(values.nice, "nice", -20, 19)),
  };
}

type Started = MediaTarget & { cpus: string };

class Runner {
  private generators = 0;

  constructor(
    private readonly opts: Options,
    private readonly dir: string,
    private readonly bin: string,
  ) {}

  private rampOptions(deadline: number, targetCores: number, name: string): RampOptions {
    const o = this.opts;
    return {
      warmupMs: o.warmupMs,
      measureMs: o.measureMs,
      targetCore: o.targetCore,
      loadCore: o.loadCore,
      ladder: o.ladder,
      targetCores,
      deadline,
      refine: o.refine,
      retries: o.retries,
      print: (s: Step) => printStep(name, s),
    };
  }

  /** Starts a target and a fresh generator; `body` runs the steps; both are stopped after. */
  private async withTarget<T>(start: () => Promise<Started>, body: (s: Session, t: Started) => Promise<T>): Promise<T> {
    let target: Started | undefined;
    let gen: Generator | undefined;
    try {
      target = await start();
      gen = Generator.start(this.bin, this.dir, this.opts.loadCore, `generator-${++this.generators}-${target.name}.log`);
      console.log(`\n${target.name}: ${target.version}, pid ${target.pid} on CPUs ${target.cpus}; generator pid ${gen.pid} on CPU ${this.opts.loadCore}`);
      const s = new Session(gen, target);
      await s.init();
      printStepHeader();
      return await body(s, target);
    } finally {
      await target?.stop();
      await gen?.stop();
    }
  }

  /**
   * Ramps one target. With `probe`, the first step is at `probe.calls` and the ramp goes on
   * only if `probe.keep(step)` says so.
   */
  async run(start: () => Promise<Started>, deadline: number, probe?: { calls: number; keep(step: Step): boolean }): Promise<Ramp> {
    return this.withTarget(start, async (s, t) => {
      const cores = t.cpus.split(",").reduce((n, part) => {
        const [a, b] = part.split("-").map(Number);
        return n + (b === undefined || a === undefined ? 1 : b - a + 1);
      }, 0);
      const opts = this.rampOptions(deadline, Math.max(1, cores), t.name);
      let r: Pick<Ramp, "steps" | "best" | "stopReason">;
      const first = probe === undefined ? undefined : await measureSteady(s, probe.calls, opts);
      if (first !== undefined && probe?.keep(first) === false) {
        opts.print(first);
        r = { steps: [first], best: first.clean ? first : undefined, stopReason: PROBE_ONLY };
      } else {
        r = await ramp(s, opts, first);
      }
      const last = r.steps[r.steps.length - 1];
      const rtcp = last === undefined ? "" : `; RTCP reaching the generator: ${(last.gen.rtcpPackets / last.gen.windowS).toFixed(1)}/s at ${last.calls} calls`;
      const selfReport = await t.selfReport?.();
      console.log(`${t.name}: ${r.stopReason}${rtcp}` + (selfReport === undefined ? "" : `; its own report: ${selfReport}`));
      return { target: t.name, version: t.version, cpus: t.cpus, baseRssKb: s.baseRssKb, selfReport, ...r };
    });
  }

  /**
   * The Node reference. --node-mode auto: one step with unconnected sockets at --node-probe
   * calls, then connected sockets from the same step on. Connected is ramped on unless
   * unconnected was clearly (> 3 %) cheaper per packet at that step; then unconnected is
   * ramped in a fresh process. Returns the ramped variant and the probe of the other.
   */
  async node(deadline: number): Promise<{ ramp: Ramp; other: Ramp | undefined }> {
    const core = String(this.opts.targetCore);
    const start = (mode: RelayMode) => (): Promise<Started> => startNodeRelay(BENCH_DIR, this.dir, core, mode);
    if (this.opts.nodeMode !== "auto") return { ramp: await this.run(start(this.opts.nodeMode), deadline), other: undefined };
    const calls = this.opts.nodeProbe;
    const unconnected = await this.run(start("unconnected"), deadline, { calls, keep: () => false });
    const cost = unconnected.steps[0]?.usPerPacket ?? Infinity;
    const connected = await this.run(start("connected"), deadline, { calls, keep: (step) => !(step.usPerPacket > cost * 1.03) });
    if (connected.stopReason !== PROBE_ONLY) return { ramp: connected, other: unconnected };
    return { ramp: await this.run(start("unconnected"), deadline), other: connected };
  }
}

async function main(): Promise<number> {
  const opts = parseOptions();
  // The harness stays off the target's core, with the generator.
  pinHarness(opts.loadCore, "target and generator");
  setNiceness(opts.nice);
  const dir = runOutDir(BENCH_DIR, "media");
  const bin = Generator.build(BENCH_DIR, dir);
  console.log(
    `media: PCMA 20 ms both ways per call; target on CPU ${opts.targetCore}, C generator on CPU ${opts.loadCore}; ` +
      `steps of ${opts.warmupMs / 1000} s warm-up + ${opts.measureMs / 1000} s window at up to ${opts.ladder.join(", ")} calls; ` +
      `clean = loss < ${MAX_LOSS_PCT} % and p99 < ${MAX_P99_MS} ms; targets and generator at nice ${opts.nice}; artifacts in ${dir}`,
  );
  const runner = new Runner(opts, dir, bin);
  const ramps: Ramp[] = [];
  const failures: string[] = [];
  const order = TARGETS.filter((t) => opts.only.includes(t));
  const results: Partial<Record<TargetName, Ramp>> = {};
  let nodeOther: Ramp | undefined;
  for (const [i, name] of order.entries()) {
    // Each target gets an equal share of what is left; time a target leaves unused goes to the next.
    const deadline = Date.now() + (startedAt + BUDGET_MS - Date.now()) / (order.length - i);
    try {
      if (name === "node") {
        const r = await runner.node(deadline);
        results.node = r.ramp;
        nodeOther = r.other;
      } else if (name === "rtpengine") {
        results.rtpengine = await runner.run(() => startRtpengine(dir, String(opts.targetCore)), deadline);
      } else {
        const workers = name === "hotline" ? 0 : 2;
        const cores = name === "hotline" ? String(opts.targetCore) : opts.workers2Cpus;
        results[name] = await runner.run(() => startHotline(REPO, dir, cores, workers), deadline);
      }
    } catch (err) {
      if (!(err instanceof BenchError)) throw err;
      failures.push(`${name}: ${err.message}`);
      console.log(`\n${name}: did not run: ${err.message}`);
    }
    const r = results[name];
    if (r !== undefined) ramps.push(r);
  }
  printSummary(ramps);
  if (nodeOther !== undefined && results.node !== undefined) {
    const a = results.node.steps[0];
    const b = nodeOther.steps[0];
    console.log(
      `node relay: ${results.node.target} was ramped (${a?.calls ?? "?"} calls: ${a?.usPerPacket.toFixed(2) ?? "?"} us/packet` +
        ` vs ${nodeOther.target} ${b?.usPerPacket.toFixed(2) ?? "?"} us/packet at the same step)`,
    );
  }
  const w2 = results["hotline-w2"];
  if (w2 !== undefined) console.log(`hotline-w2 ran on CPUs ${w2.cpus}: it shares CPU ${opts.loadCore} with the generator; not comparable to the one-core figures`);
  if (failures.length > 0) {
    console.log(`\nnot every target ran (no RESULT line):\n  ${failures.join("\n  ")}`);
    return 1;
  }
  console.log(resultLine({ hotline: results.hotline, hotline2: results["hotline-w2"], node: results.node, rtpengine: results.rtpengine }));
  return 0;
}

runBench("media", main, WATCHDOG_MS);
