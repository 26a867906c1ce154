// bench/calls: what a step measured, whether it was clean, and how it is printed.

import { fmt, pad, resultFigure } from "../lib/format.ts";
import { quantileBucket, type StepRun } from "./sipp.ts";
import type { TargetName } from "./targets.ts";

export interface Step {
  rate: number;
  calls: number;
  run: StepRun;
  /** Target CPU over the whole step (UAC start to exit), seconds. */
  targetCpuS: number;
  /**
   * Target CPU in % of one core over the steady part of the step: after the first calls
   * have been held and hung up (calls start and end at the same rate) and before the
   * caller stops creating calls; over the whole step when it is too short for such a window.
   */
  steadyCpuPct: number;
  /** Most open descriptors the target held during the step (media anchoring shows here). */
  peakFds: number;
  /** Datagrams the kernel dropped because the target's socket buffer was full. */
  targetDrops: number;
  /** CPU seconds other processes used on the target's / generator's core during the step. */
  foreignTargetCoreS: number;
  foreignLoadCoreS: number;
  /** Wall time of the whole step, UAS start to UAS end (the foreign CPU's interval). */
  stepWallS: number;
  problems: string[];
}

export interface TargetReport {
  name: TargetName;
  version: string;
  best: Step | undefined;
  stopReason: string;
  generatorLimited: boolean;
}

/** Why a step is not clean (empty: clean). The bench's rule: zero failed calls, zero retransmissions, every call completed. */
export function stepProblems(run: StepRun, calls: number): string[] {
  const problems = [...run.processNotes];
  if (!run.uac.present || !Number.isFinite(run.uac.successful)) {
    problems.push(`no UAC statistics (exit ${run.uacExit}): ${run.uacStderr || "no output"}`);
    return problems;
  }
  if (run.uac.failed > 0) problems.push(`${run.uac.failed} failed`);
  if (run.uac.retransmissions > 0) problems.push(`${run.uac.retransmissions} UAC retransmissions`);
  if (run.uac.successful !== calls) problems.push(`${run.uac.successful}/${calls} completed`);
  if (!run.uas.present) problems.push("no UAS statistics");
  else {
    if (run.uas.failed > 0) problems.push(`${run.uas.failed} failed at the UAS`);
    if (run.uas.retransmissions > 0) problems.push(`${run.uas.retransmissions} UAS retransmissions`);
    if (run.uas.successful !== calls && run.uac.successful === calls) problems.push(`${run.uas.successful}/${calls} completed at the UAS`);
  }
  return problems;
}

const NAME_WIDTH = 9;

export function printStepHeader(): void {
  console.log(
    [
      pad("target", NAME_WIDTH), pad("rate/s", 6), pad("sent/s", 7), pad("calls", 6), pad("ok", 6), pad("failed", 6), pad("retr c/s", 9),
      pad("drops", 5), pad("inv avg", 7), pad("inv p99", 8), pad("cpu%", 5), pad("us/call", 7), pad("fds", 6), pad("sipp%", 5), pad("other%", 7), "result",
    ].join(" "),
  );
}

export function printStep(name: string, s: Step): void {
  const r = s.run;
  const usPerCall = r.uac.successful > 0 ? (1e6 * s.targetCpuS) / r.uac.successful : NaN;
  console.log(
    [
      pad(name, NAME_WIDTH), pad(String(s.rate), 6), pad(fmt(r.sentRate), 7), pad(String(s.calls), 6), pad(fmt(r.uac.successful), 6),
      pad(fmt(r.uac.failed + (Number.isFinite(r.uas.failed) ? r.uas.failed : 0)), 6),
      pad(`${fmt(r.uac.retransmissions)}/${fmt(r.uas.retransmissions)}`, 9), pad(String(s.targetDrops), 5),
      pad(`${fmt(r.uac.rtd1MeanMs, 1)}ms`, 7), pad(quantileBucket(r.uac.rtd1, 0.99), 8), pad(fmt(s.steadyCpuPct), 5), pad(fmt(usPerCall), 7),
      pad(String(s.peakFds), 6), pad(fmt((100 * r.sippCpuS) / s.stepWallS), 5),
      pad(`${fmt((100 * s.foreignTargetCoreS) / s.stepWallS)}/${fmt((100 * s.foreignLoadCoreS) / s.stepWallS)}`, 7),
      s.problems.length === 0 ? "clean" : `FAIL ${s.problems.join(", ")}`,
    ].join(" "),
  );
}

export function printSummary(reports: Iterable<TargetReport>): void {
  console.log("\nsummary (at the highest clean rate; cpu% over the steady part of that step):");
  console.log([pad("target", NAME_WIDTH), pad("clean/s", 8), pad("cpu%", 5), pad("us/call", 8), pad("inv p99", 8), pad("sipp%", 6), "stopped by"].join(" "));
  for (const r of reports) {
    const b = r.best;
    console.log(
      [
        pad(r.name, NAME_WIDTH),
        pad(b ? String(b.rate) : "0", 8),
        pad(b ? fmt(b.steadyCpuPct) : "-", 5),
        pad(b && b.run.uac.successful > 0 ? fmt((1e6 * b.targetCpuS) / b.run.uac.successful) : "-", 8),
        pad(b ? quantileBucket(b.run.uac.rtd1, 0.99) : "-", 8),
        pad(b ? fmt((100 * b.run.sippCpuS) / b.stepWallS) : "-", 6),
        r.stopReason + (r.generatorLimited ? " [generator-limited]" : ""),
      ].join(" "),
    );
  }
}

/** The last line: `RESULT name=calls hotline_cps=… kamailio_cps=… ratio=… hotline_cpu_at_max=… kamailio_cpu_at_max=… …`. */
export function resultLine(h: TargetReport | undefined, k: TargetReport | undefined): string {
  const value = (r: TargetReport | undefined, f: (r: TargetReport) => number | undefined): string => resultFigure(r === undefined ? undefined : f(r));
  const cps = (r: TargetReport): number => r.best?.rate ?? 0;
  const usPerCall = (r: TargetReport): number | undefined => (r.best && r.best.run.uac.successful > 0 ? (1e6 * r.best.targetCpuS) / r.best.run.uac.successful : undefined);
  const ratio = h !== undefined && k !== undefined && cps(k) > 0 ? (cps(h) / cps(k)).toFixed(2) : "na";
  return (
    `RESULT name=calls hotline_cps=${value(h, cps)} kamailio_cps=${value(k, cps)} ratio=${ratio}` +
    ` hotline_cpu_at_max=${value(h, (r) => r.best?.steadyCpuPct)} kamailio_cpu_at_max=${value(k, (r) => r.best?.steadyCpuPct)}` +
    ` hotline_us_per_call=${value(h, usPerCall)} kamailio_us_per_call=${value(k, usPerCall)}`
  );
}
