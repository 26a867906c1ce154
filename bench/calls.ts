// bench/calls: SIPp call setup and teardown at rising rates, through hotline (a transit
// B2BUA with media anchored) and through Kamailio as a stateful proxy (the signalling
// reference), in the same run, each pinned to one core.
//
// For each target (hotline first, then Kamailio): start it on the target core, make one
// probe call (a failure here is explained in one sentence, e.g. "hotline rejected the first
// call: 404 Not Found"), then run steps at rising rates: a SIPp UAS (the called side) and a
// SIPp UAC (the caller), both on the load core, place rate × step-seconds calls of
// INVITE/200/ACK, a hold, BYE/200. The ladder stops at the first step with a failed call or
// a retransmission. Prints a table and ends with one line:
//   RESULT name=calls hotline_cps=… kamailio_cps=… ratio=… hotline_cpu_at_max=… kamailio_cpu_at_max=… hotline_us_per_call=… kamailio_us_per_call=…
//
//   pnpm bench calls [-- --only kamailio|hotline] [--kamailio-rates 100,200] [--hotline-rates 50,100]
//                       [--step-seconds 8] [--hold-ms 1000] [--retries 1]
//
// Loopback only, ports picked per run, every SIPp run bounded by -m and -timeout, the whole
// run bounded by a watchdog. See bench/README.md.

import { runBench } from "./lib/children.ts";
import { intOption, pinHarness, runOutDir } from "./lib/cli.ts";
import { fmt } from "./lib/format.ts";
import { existsSync, readFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { describeFirstCallFailure, firstError } from "./calls/first-call.ts";
import { BenchError, cpuBusySeconds, cpuSeconds, freeUdpBlocks, freeUdpPort, openFds, processTree, sleep, udpDrops } from "./calls/proc.ts";
import { printStep, printStepHeader, printSummary, resultLine, stepProblems, type Step, type TargetReport } from "./calls/report.ts";
import { runStep, sippVersion, type StepSpec } from "./calls/sipp.ts";
import { TARGETS, startHotline, startKamailio, type Target, type TargetName, type TargetSetup } from "./calls/targets.ts";

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(BENCH_DIR, "..");
const SCENARIOS = { uac: join(BENCH_DIR, "sipp", "call-uac.xml"), uas: join(BENCH_DIR, "sipp", "call-uas.xml") };
const WATCHDOG_MS = 280_000;
/** How long each target's idle CPU is measured before its probe call. */
const IDLE_MS = 2000;
/** Stop starting new steps after this much of the run has elapsed. */
const BUDGET_MS = 240_000;
const DEFAULT_RATES: Record<TargetName, number[]> = {
  hotline: [50, 100, 200, 300, 400, 600, 800, 1000, 1200, 1500],
  kamailio: [200, 500, 1000, 1500, 2000, 2500, 3000, 3500, 4000, 5000],
};
/** The dialled number: Kamailio relays any Request-URI, hotline routes "*" through trunk uas. */
const SERVICE = "2000";
const startedAt = Date.now();

interface Options {
  only: TargetName | undefined;
  rates: Record<TargetName, number[]>;
  stepSeconds: number;
  holdMs: number;
  retries: number;
  targetCore: number;
  loadCore: number;
  rtpPorts: { min: number; max: number };
  hotlineTemplate: string;
}

interface Ports {
  uac: number;
  uas: number;
  uacMedia: number;
  uasMedia: number;
}

function spec(opts: Options, target: Target, ports: Ports, tag: string, rate: number, calls: number, holdMs: number, traceMessages: boolean): StepSpec {
  return {
    tag, targetPort: target.sipPort, uacPort: ports.uac, uasPort: ports.uas, uacMediaPort: ports.uacMedia, uasMediaPort: ports.uasMedia,
    rate, calls, holdMs, service: SERVICE, loadCore: opts.loadCore, traceMessages,
  };
}

/** One call with message logs; throws a BenchError that says why when it fails. */
async function probeCall(opts: Options, dir: string, target: Target, ports: Ports): Promise<void> {
  const run = await runStep(spec(opts, target, ports, `${target.name}-probe`, 1, 1, 200, true), dir, SCENARIOS, () => undefined);
  if (stepProblems(run, 1).length === 0) return;
  const read = (f: string): string => (existsSync(f) ? readFileSync(f, "utf8") : "");
  const why = describeFirstCallFailure(target.name, {
    uacMessages: read(run.files.uacMessages),
    uasMessages: read(run.files.uasMessages),
    uacErrors: read(run.files.uacErrors),
    uasErrors: read(run.files.uasErrors),
  });
  throw new BenchError(`${why}. Messages: ${run.files.uacMessages}, ${run.files.uasMessages}; ${target.name} log: ${join(dir, `${target.name}.log`)}`);
}

async function measureStep(opts: Options, dir: string, target: Target, ports: Ports, rate: number, seq: number): Promise<Step> {
  const calls = rate * opts.stepSeconds;
  const tree = processTree(target.pid);
  // Steady window: from one hold (plus a second of set-up) after the start, when calls end
  // as fast as they begin, to the moment the caller stops creating them.
  const windowStart = opts.holdMs / 1000 + 1;
  const windowEnd = calls / rate;
  let first: { t: number; cpu: number } | undefined;
  let last: { t: number; cpu: number } | undefined;
  let peakFds = openFds(tree);
  const sample = (t: number): void => {
    peakFds = Math.max(peakFds, openFds(tree));
    if (t >= windowStart && t <= windowEnd) {
      const reading = { t, cpu: cpuSeconds(tree) };
      first ??= reading;
      last = reading;
    }
  };
  const cpu0 = cpuSeconds(tree);
  const drops0 = udpDrops(target.sipPort);
  const busy0 = [cpuBusySeconds(opts.targetCore), cpuBusySeconds(opts.loadCore)] as const;
  const self0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const tag = `${target.name}-${String(seq).padStart(2, "0")}-${rate}`;
  const run = await runStep(spec(opts, target, ports, tag, rate, calls, opts.holdMs, false), dir, SCENARIOS, sample);
  const targetCpuS = cpuSeconds(tree) - cpu0;
  const self = process.cpuUsage(self0);
  // The step's whole wall time (the UAS starts before the UAC and may outlive it).
  const stepWallS = Number(process.hrtime.bigint() - t0) / 1e9;
  const problems = stepProblems(run, calls);
  // On failure, SIPp's first error on each side says what happened (e.g. a 503 from the target).
  const firstErrors: string[] = [];
  if (problems.length > 0) {
    for (const [side, file] of [["UAC", run.files.uacErrors], ["UAS", run.files.uasErrors]] as const) {
      const e = existsSync(file) ? firstError(readFileSync(file, "utf8")) : undefined;
      if (e !== undefined) firstErrors.push(`first ${side} error: ${e}`);
    }
  }
  // A step too short for a steady window (--step-seconds near the hold) falls back to the whole step.
  const steadyCpuPct =
    first !== undefined && last !== undefined && last.t - first.t >= 1 ? (100 * (last.cpu - first.cpu)) / (last.t - first.t) : (100 * targetCpuS) / stepWallS;
  return {
    rate,
    calls,
    run,
    targetCpuS,
    steadyCpuPct,
    peakFds,
    targetDrops: udpDrops(target.sipPort) - drops0,
    foreignTargetCoreS: Math.max(0, cpuBusySeconds(opts.targetCore) - busy0[0] - targetCpuS),
    foreignLoadCoreS: Math.max(0, cpuBusySeconds(opts.loadCore) - busy0[1] - run.sippCpuS - (self.user + self.system) / 1e6),
    stepWallS,
    problems: [...problems, ...firstErrors],
  };
}

async function measure(opts: Options, dir: string, target: Target, ports: Ports): Promise<TargetReport> {
  console.log(`\n${target.name}: ${target.version}, pid ${target.pid} on CPUs ${target.cpusAllowed}, SIP ${target.sipPort}; UAC ${ports.uac}, UAS ${ports.uas}`);
  // What the target burns with no calls (timers, housekeeping): the floor under every step's cpu%.
  const tree = processTree(target.pid);
  const idle0 = cpuSeconds(tree);
  await sleep(IDLE_MS);
  const idlePct = (100 * (cpuSeconds(tree) - idle0)) / (IDLE_MS / 1000);
  await probeCall(opts, dir, target, ports);
  console.log(`${target.name}: idle ${fmt(idlePct, 1)}% of a core; probe call completed`);
  printStepHeader();
  let best: Step | undefined;
  let stopReason = "ladder exhausted (the limit is above the highest rate tried)";
  let generatorLimited = false;
  let seq = 0;
  ramp: for (const rate of opts.rates[target.name]) {
    for (let attempt = 0; attempt <= opts.retries; attempt++) {
      if (Date.now() - startedAt + (opts.stepSeconds + opts.holdMs / 1000 + 8) * 1000 > BUDGET_MS) {
        stopReason = `time budget: stopped before ${rate}/s`;
        break ramp;
      }
      const step = await measureStep(opts, dir, target, ports, rate, ++seq);
      printStep(target.name, step);
      if (target.pid > 0 && !existsSync(`/proc/${target.pid}`)) throw new BenchError(`${target.name} exited during the ${rate}/s step: ${target.output()}`);
      if (step.problems.length === 0) {
        // SIPp paces calls itself; if it could not keep up, the step did not test the target.
        if (step.run.sentRate < 0.9 * rate) {
          generatorLimited = true;
          stopReason = `SIPp created only ${fmt(step.run.sentRate)}/s of ${rate}/s: generator-limited`;
          break ramp;
        }
        if (step.run.sippCpuS / step.stepWallS > 0.9) generatorLimited = true;
        best = step;
        continue ramp;
      }
      stopReason = `first failing step: ${rate}/s (${step.problems.join(", ")})`;
      const foreignPct = (100 * Math.max(step.foreignTargetCoreS, step.foreignLoadCoreS)) / step.stepWallS;
      if (foreignPct >= 10) console.log(`${target.name}: note: other processes used up to ${fmt(foreignPct)}% of a benchmark core during this step`);
      if (attempt < opts.retries) console.log(`${target.name}: retrying ${rate}/s (--retries ${opts.retries})`);
    }
    break;
  }
  console.log(`${target.name}: ${stopReason}`);
  return { name: target.name, version: target.version, best, stopReason, generatorLimited };
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      only: { type: "string" },
      "kamailio-rates": { type: "string" },
      "hotline-rates": { type: "string" },
      "step-seconds": { type: "string", default: "8" },
      "hold-ms": { type: "string", default: "1000" },
      // The machine is shared: one rerun of a failing step keeps a stray stall elsewhere
      // from ending a ladder (bench/README.md, "calls" caveats).
      retries: { type: "string", default: "1" },
      "target-core": { type: "string", default: "0" },
      "load-core": { type: "string", default: "1" },
      // Wide, below the kernel's ephemeral range (32768+, where the harness's own ports come
      // from): hotline keeps a released port pair out of use for 30 s (media port-pool
      // quarantine), so the pool, not only the CPU, bounds a ladder of short calls.
      "rtp-ports": { type: "string", default: "10000-32767" },
      "hotline-template": { type: "string", default: join(BENCH_DIR, "calls-hotline.yaml") },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(
      "pnpm bench calls [-- --only kamailio|hotline] [--kamailio-rates 100,200,…] [--hotline-rates 50,100,…]\n" +
        "                 [--step-seconds 8] [--hold-ms 1000] [--retries 1] [--target-core 0] [--load-core 1] [--rtp-ports 10000-32767]\n" +
        "                 [--hotline-template bench/calls-hotline.yaml]",
    );
    process.exit(0);
  }
  const only = TARGETS.find((t) => t === values.only);
  if (values.only !== undefined && only === undefined) throw new BenchError(`--only must be one of ${TARGETS.join(", ")}, got ${values.only}`);
  const rates = (given: string | undefined, name: TargetName): number[] =>
    given === undefined ? DEFAULT_RATES[name] : given.split(",").map((r) => intOption(r, `${name}-rates`, 1, 5000));
  const [rtpMin, rtpMax] = (values["rtp-ports"] ?? "").split("-").map((p) => intOption(p, "rtp-ports", 1024, 65535));
  if (rtpMin === undefined || rtpMax === undefined || rtpMax - rtpMin < 1000) throw new BenchError(`--rtp-ports must be MIN-MAX with at least 1000 ports, got ${values["rtp-ports"]}`);
  const ncpu = cpus().length;
  const opts: Options = {
    only,
    rates: { kamailio: rates(values["kamailio-rates"], "kamailio"), hotline: rates(values["hotline-rates"], "hotline") },
    stepSeconds: intOption(values["step-seconds"], "step-seconds", 2, 20),
    holdMs: intOption(values["hold-ms"], "hold-ms", 0, 5000),
    retries: intOption(values.retries, "retries", 0, 2),
    targetCore: intOption(values["target-core"], "target-core", 0, ncpu - 1),
    loadCore: intOption(values["load-core"], "load-core", 0, ncpu - 1),
    rtpPorts: { min: rtpMin, max: rtpMax },
    hotlineTemplate: resolve(values["hotline-template"] ?? ""),
  };
  if (opts.targetCore === opts.loadCore) throw new BenchError("--target-core and --load-core must differ");
  return opts;
}

async function main(): Promise<number> {
  const opts = parseOptions();
  pinHarness(opts.loadCore, "target and load generator");
  const sipp = sippVersion();
  const dir = runOutDir(BENCH_DIR, "calls");
  const targets: readonly TargetName[] = opts.only === undefined ? TARGETS : [opts.only];
  console.log(
    `calls: ${sipp} (UAC and UAS) on CPU ${opts.loadCore}, targets on CPU ${opts.targetCore}; steps of ${opts.stepSeconds} s of calls held ${opts.holdMs} ms, ` +
      `until the first failed call or retransmission; artifacts in ${dir}`,
  );
  const reports = new Map<TargetName, TargetReport>();
  let failure: BenchError | undefined;
  for (const name of targets) {
    // Ports of the two SIPp instances stay the same for a target: hotline's trunks name them.
    const [uacMedia = 0, uasMedia = 0] = await freeUdpBlocks(2, 4);
    const ports: Ports = { uac: await freeUdpPort(), uas: await freeUdpPort(), uacMedia, uasMedia };
    const setup: TargetSetup = { repo: REPO, benchDir: BENCH_DIR, dir, targetCore: opts.targetCore, uacPort: ports.uac, uasPort: ports.uas, rtpPorts: opts.rtpPorts, hotlineTemplate: opts.hotlineTemplate };
    try {
      const target = name === "kamailio" ? await startKamailio(setup) : await startHotline(setup);
      try {
        reports.set(name, await measure(opts, dir, target, ports));
      } finally {
        await target.stop();
      }
    } catch (err) {
      // One target failing (e.g. hotline rejecting calls) still lets the other's figures print.
      if (!(err instanceof BenchError)) throw err;
      console.log(`${name}: FAILED: ${err.message}`);
      failure ??= err;
    }
  }
  if (reports.size > 0) printSummary(reports.values());
  if (failure !== undefined) throw failure;
  console.log(resultLine(reports.get("hotline"), reports.get("kamailio")));
  return 0;
}

runBench("calls", main, WATCHDOG_MS);
