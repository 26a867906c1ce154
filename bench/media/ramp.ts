// bench/media: one measuring step (N calls: warm-up, then a window) and the rising ramp of
// steps for one target, bounded by a time budget.

import { existsSync } from "node:fs";
import type { Generator, WindowReport } from "./generator.ts";
import { BenchError, coreSeconds, cpuSeconds, rssKb, sleep } from "./proc.ts";
import type { MediaTarget } from "./target.ts";

/** A step is clean below these (the goal): loss < 0.1 %, added p99 < 10 ms. */
export const MAX_LOSS_PCT = 0.1;
export const MAX_P99_MS = 10;
/** A step is noisy when other processes used this much of the benchmark cores, % of one core. */
export const NOISY_PCT = 15;
/**
 * ... or when the generator's pacing timer ran this late while the generator itself was not
 * busy: the generator is small, at high priority and on the other core, so a stall that long
 * is the machine's (other work, or the VM's host), not the target's.
 */
export const STALL_US = 8000;

/** Why a step's figures are not the target's alone, or undefined. */
export function noise(step: Step): string | undefined {
  if (step.otherPct >= NOISY_PCT) return `other processes used ${step.otherPct.toFixed(0)}% of a core`;
  if (step.gen.lateMaxUs >= STALL_US && step.gen.cpuS / step.gen.windowS < 0.85 && step.loadCoreBusyPct < 95) {
    return `the generator's timer ran ${(step.gen.lateMaxUs / 1000).toFixed(1)} ms late: the machine stalled`;
  }
  return undefined;
}
/** Packets per second per call: 50 each way (20 ms packetization). */
const PPS_PER_CALL = 100;

export interface StepOptions {
  warmupMs: number;
  measureMs: number;
  targetCore: number;
  loadCore: number;
}

export interface Step {
  calls: number;
  setupS: number;
  gen: WindowReport;
  targetCpuS: number;
  lossPct: number;
  /** Target CPU per relayed packet (one in, one out), µs. */
  usPerPacket: number;
  rssKb: number;
  kbPerCall: number;
  /**
   * CPU that processes other than the target, the generator and this harness used on the two
   * benchmark cores during the window, % of one core: noise from a shared machine.
   */
  otherPct: number;
  /** Everything each benchmark core did during the window (processes, irq, softirq), %. */
  targetCoreBusyPct: number;
  loadCoreBusyPct: number;
  /** irq+softirq on the target's core, %: mostly the loopback delivery of what the target sends. */
  targetCoreIrqPct: number;
  generatorLimited: string | undefined;
  clean: boolean;
  note: string;
}

export interface Ramp {
  target: string;
  version: string;
  cpus: string;
  baseRssKb: number;
  steps: Step[];
  best: Step | undefined;
  stopReason: string;
  selfReport: string | undefined;
}

/** The generator and the target of one ramp, and the calls currently up between them. */
export class Session {
  private active: number[] = [];
  baseRssKb = NaN;

  constructor(
    readonly gen: Generator,
    readonly target: MediaTarget,
  ) {}

  get calls(): number {
    return this.active.length;
  }

  async init(): Promise<void> {
    await this.target.collectGarbage?.();
    this.baseRssKb = rssKb(this.target.pid);
  }

  /** Brings the number of calls up or down to `n`. */
  async setCalls(n: number): Promise<void> {
    if (n > this.active.length) {
      const opened = await this.gen.open(n - this.active.length);
      const ports = await this.target.add(opened.map((c) => ({ id: c.index, caller: c.callerPort, callee: c.calleePort })));
      if (ports.length !== opened.length) throw new BenchError(`${this.target.name} set up ${ports.length} of ${opened.length} calls`);
      await this.gen.connect(ports.map((p) => ({ index: p.id, toCaller: p.toCaller, toCallee: p.toCallee })));
      this.active.push(...opened.map((c) => c.index));
    } else if (n < this.active.length) {
      const drop = this.active.splice(n);
      // The relay first, so it does not send to closed generator sockets.
      await this.target.remove(drop);
      await this.gen.close(drop);
    }
  }
}

export async function measureStep(s: Session, n: number, opts: StepOptions): Promise<Step> {
  const t0 = Date.now();
  await s.setCalls(n);
  const setupS = (Date.now() - t0) / 1000;
  await sleep(opts.warmupMs);
  const pid = s.target.pid;
  const cpu0 = cpuSeconds(pid);
  const t0core = coreSeconds(opts.targetCore);
  const l0core = coreSeconds(opts.loadCore);
  const self0 = process.cpuUsage();
  await s.gen.begin();
  await sleep(opts.measureMs);
  await s.gen.end();
  const cpu1 = cpuSeconds(pid);
  const t1core = coreSeconds(opts.targetCore);
  const l1core = coreSeconds(opts.loadCore);
  const self = process.cpuUsage(self0);
  await sleep(300); // packets still in flight at the end of the window
  const gen = await s.gen.report();
  if (!Number.isFinite(cpu1)) throw new BenchError(`${s.target.name} exited during the ${n}-call step`);
  await s.target.collectGarbage?.();
  const rss = rssKb(pid);
  const targetCpuS = cpu1 - cpu0;
  const w = gen.windowS / 100; // seconds -> % of the window
  const tTask = t1core.task - t0core.task;
  const lTask = l1core.task - l0core.task;
  const tIrq = t1core.irq - t0core.irq;
  const lIrq = l1core.irq - l0core.irq;
  const lost = gen.expected - gen.received;
  const lossPct = gen.expected > 0 ? (100 * lost) / gen.expected : 100;
  const problems: string[] = [];
  if (gen.received === 0) problems.push("nothing relayed");
  else {
    if (lossPct >= MAX_LOSS_PCT) problems.push(`loss ${lossPct.toFixed(2)}%`);
    if (gen.p99Us / 1000 >= MAX_P99_MS) problems.push(`p99 ${(gen.p99Us / 1000).toFixed(1)} ms`);
  }
  if (gen.misrouted > 0) problems.push(`${gen.misrouted} misrouted`);
  if (gen.duplicates > 0) problems.push(`${gen.duplicates} duplicates`);
  if (gen.bad > 0) problems.push(`${gen.bad} not ours`);
  const limits: string[] = [];
  const loadCoreBusyPct = (lTask + lIrq) / w;
  const otherPct = Math.max(0, (tTask + lTask - targetCpuS - gen.cpuS - (self.user + self.system) / 1e6) / w);
  // A full generator core says the generator is the limit, unless other processes filled it.
  if (loadCoreBusyPct > 95 && otherPct < NOISY_PCT) limits.push(`generator core ${loadCoreBusyPct.toFixed(0)}% busy`);
  if (gen.cpuS / gen.windowS > 0.85) limits.push(`generator CPU ${((100 * gen.cpuS) / gen.windowS).toFixed(0)}%`);
  if (gen.kernelDrops > 0) limits.push(`${gen.kernelDrops} drops at the generator's sockets`);
  return {
    calls: n,
    setupS,
    gen,
    targetCpuS,
    lossPct,
    usPerPacket: gen.expected > 0 ? (1e6 * targetCpuS) / gen.expected : NaN,
    rssKb: rss,
    kbPerCall: (rss - s.baseRssKb) / n,
    otherPct,
    targetCoreBusyPct: (tTask + tIrq) / w,
    loadCoreBusyPct,
    targetCoreIrqPct: tIrq / w,
    generatorLimited: limits.length > 0 ? limits.join(", ") : undefined,
    clean: problems.length === 0,
    note: problems.join(", "),
  };
}

export interface RampOptions extends StepOptions {
  ladder: number[];
  /** Cores the target may use (for the CPU-based prediction of where it saturates). */
  targetCores: number;
  /** Wall-clock time by which the ramp must have finished its last step. */
  deadline: number;
  /** Bisection steps between the last clean and the first failing step. */
  refine: number;
  /** Re-measurements of a failing step that was noisy (see noise()). */
  retries: number;
  print(step: Step): void;
}

/** Worst-case duration of a step: setup, warm-up, window, report, GC. */
function stepCostMs(opts: StepOptions, calls: number): number {
  return opts.warmupMs + opts.measureMs + 1500 + calls * 2;
}

/** One step; a failing step that was noisy is printed and measured again (opts.retries). */
export async function measureSteady(s: Session, n: number, opts: RampOptions): Promise<Step> {
  let step = await measureStep(s, n, opts);
  for (let i = 0; i < opts.retries && !step.clean && noise(step) !== undefined && Date.now() + stepCostMs(opts, n) <= opts.deadline; i++) {
    opts.print(step);
    console.log(`  (${noise(step) ?? ""} during that step: measuring ${n} calls again)`);
    step = await measureStep(s, n, opts);
  }
  return step;
}

/**
 * Rising N until the first step that is not clean. Steps far below where the first step's
 * CPU per packet says the target's cores would saturate (under half of it) are skipped,
 * then the gap between the last clean and the first failing step is bisected `refine` times.
 */
export async function ramp(s: Session, opts: RampOptions, first?: Step): Promise<Pick<Ramp, "steps" | "best" | "stopReason">> {
  const steps: Step[] = [];
  let best: Step | undefined;
  let failed: Step | undefined;
  let stopReason = "ladder exhausted (the limit is above the highest step tried)";
  let predicted = Infinity;
  // Clean steps only ever rise (ladder, then bisection above the best), failing ones only fall.
  const take = (step: Step): void => {
    steps.push(step);
    opts.print(step);
    if (step.clean) best = step;
    else failed = step;
    if (steps.length === 1 && step.usPerPacket > 0) predicted = (opts.targetCores * 1e6) / (step.usPerPacket * PPS_PER_CALL);
  };
  const fits = (n: number): boolean => Date.now() + stepCostMs(opts, n) <= opts.deadline;
  const measure = (n: number): Promise<Step> => measureSteady(s, n, opts);
  if (first !== undefined) take(first);
  const top = opts.ladder[opts.ladder.length - 1];
  for (const n of opts.ladder) {
    if (failed !== undefined) break;
    const last = steps[steps.length - 1];
    if (last !== undefined && (n <= last.calls || (n < predicted / 2 && n !== top))) continue;
    if (!fits(n)) {
      stopReason = `time budget: stopped before ${n} calls`;
      break;
    }
    let step: Step;
    try {
      step = await measure(n);
    } catch (err) {
      // Setting up the calls failed (e.g. the target ran out of ports): the ramp ends here,
      // with what was clean so far. A target that died is not caught here (stepping fails).
      if (!(err instanceof BenchError) || !existsSync(`/proc/${s.target.pid}`)) throw err;
      stopReason = `error at ${n} calls: ${err.message}`;
      break;
    }
    take(step);
    if (step.clean && step.generatorLimited !== undefined && noise(step) === undefined) {
      stopReason = `generator-limited at ${n} calls (${step.generatorLimited})`;
      break;
    }
  }
  for (let i = 0; i < opts.refine && failed !== undefined; i++) {
    const lo = best?.calls ?? 0;
    const mid = Math.round((lo + failed.calls) / 2 / 10) * 10;
    if (mid <= lo || mid >= failed.calls || failed.calls - lo <= Math.max(20, lo * 0.1) || !fits(mid)) break;
    take(await measure(mid));
  }
  if (failed !== undefined) {
    const why = noise(failed);
    const noisy = why === undefined ? "" : `; noisy: ${why}`;
    stopReason = `first failing step: ${failed.calls} calls (${failed.note}${noisy})` + (failed.generatorLimited !== undefined ? ` [${failed.generatorLimited}]` : "");
  }
  return { steps, best, stopReason };
}
