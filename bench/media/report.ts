// bench/media: the per-step table, the summary and the RESULT line.

import { fmt, pad, resultFigure } from "../lib/format.ts";
import type { Ramp, Step } from "./ramp.ts";

const NAME = 16;

export function printStepHeader(): void {
  console.log(
    [
      pad("target", NAME), pad("calls", 6), pad("pkt/s", 7), pad("loss%", 7), pad("p50ms", 6), pad("p99ms", 6), pad("maxms", 6),
      pad("cpu%", 5), pad("sirq%", 6), pad("us/pkt", 7), pad("kB/call", 8), pad("gen%", 5), pad("genlag", 7), pad("core t/g", 9), pad("other%", 7), "result",
    ].join(" "),
  );
}

export function printStep(name: string, s: Step): void {
  const g = s.gen;
  console.log(
    [
      pad(name, NAME), pad(String(s.calls), 6), pad(fmt(g.expected / g.windowS), 7), pad(fmt(s.lossPct, 3), 7),
      pad(fmt(g.p50Us / 1000, 2), 6), pad(fmt(g.p99Us / 1000, 2), 6), pad(fmt(g.maxUs / 1000, 1), 6),
      pad(fmt((100 * s.targetCpuS) / g.windowS), 5), pad(fmt(s.targetCoreIrqPct), 6), pad(fmt(s.usPerPacket, 2), 7), pad(fmt(s.kbPerCall, 1), 8),
      pad(fmt((100 * g.cpuS) / g.windowS), 5), pad(fmt(g.lateMaxUs / 1000, 1), 7),
      pad(`${fmt(s.targetCoreBusyPct)}/${fmt(s.loadCoreBusyPct)}`, 9), pad(fmt(s.otherPct), 7),
      (s.clean ? "clean" : `FAIL ${s.note}`) + (s.generatorLimited !== undefined ? ` [${s.generatorLimited}]` : ""),
    ].join(" "),
  );
}

export function printSummary(ramps: Ramp[]): void {
  console.log("\nsummary (figures at the highest clean step; clean = loss < 0.1 % and added p99 < 10 ms):");
  console.log([pad("target", NAME), pad("cpus", 5), pad("calls", 6), pad("p99ms", 6), pad("cpu%", 5), pad("us/pkt", 7), pad("kB/call", 8), "stopped by"].join(" "));
  for (const r of ramps) {
    const b = r.best;
    console.log(
      [
        pad(r.target, NAME), pad(r.cpus, 5), pad(b ? String(b.calls) : "0", 6), pad(fmt(b && b.gen.p99Us / 1000, 2), 6),
        pad(fmt(b && (100 * b.targetCpuS) / b.gen.windowS), 5), pad(fmt(b?.usPerPacket, 2), 7), pad(fmt(b?.kbPerCall, 1), 8), r.stopReason,
      ].join(" "),
    );
  }
}

export interface ResultFigures {
  hotline: Ramp | undefined;
  hotline2: Ramp | undefined;
  node: Ramp | undefined;
  rtpengine: Ramp | undefined;
}

export function resultLine(f: ResultFigures): string {
  /** A figure at the highest clean step; na for a target not run or without a clean step. */
  const v = (r: Ramp | undefined, get: (s: Step) => number, digits: number): string => resultFigure(r?.best === undefined ? undefined : get(r.best), digits);
  /** Clean calls: 0 for a target run without a clean step, na for one not run. */
  const calls = (r: Ramp | undefined): string => (r === undefined ? "na" : String(r.best?.calls ?? 0));
  const limited = (r: Ramp | undefined): string => (r?.best === undefined ? "na" : r.best.generatorLimited === undefined ? "0" : "1");
  const ratio = (a: Ramp | undefined, b: Ramp | undefined): string =>
    a === undefined || b?.best === undefined ? "na" : ((a.best?.calls ?? 0) / b.best.calls).toFixed(2);
  return [
    "RESULT name=media",
    `hotline_calls=${calls(f.hotline)}`,
    `node_relay_calls=${calls(f.node)}`,
    `rtpengine_calls=${calls(f.rtpengine)}`,
    `ratio_node=${ratio(f.hotline, f.node)}`,
    `ratio_rtpengine=${ratio(f.hotline, f.rtpengine)}`,
    `hotline_p99_ms=${v(f.hotline, (s) => s.gen.p99Us / 1000, 2)}`,
    `hotline_cpu_us_per_packet=${v(f.hotline, (s) => s.usPerPacket, 2)}`,
    `node_us_per_packet=${v(f.node, (s) => s.usPerPacket, 2)}`,
    `rtpengine_us_per_packet=${v(f.rtpengine, (s) => s.usPerPacket, 2)}`,
    `hotline_kb_per_call=${v(f.hotline, (s) => s.kbPerCall, 1)}`,
    `hotline_workers2_calls=${calls(f.hotline2)}`,
    `node_p99_ms=${v(f.node, (s) => s.gen.p99Us / 1000, 2)}`,
    `rtpengine_p99_ms=${v(f.rtpengine, (s) => s.gen.p99Us / 1000, 2)}`,
    `node_kb_per_call=${v(f.node, (s) => s.kbPerCall, 1)}`,
    `rtpengine_kb_per_call=${v(f.rtpengine, (s) => s.kbPerCall, 1)}`,
    // 1: the highest clean step was already generator-limited, so that target's calls are a lower bound.
    `hotline_generator_limited=${limited(f.hotline)}`,
    `node_generator_limited=${limited(f.node)}`,
    `rtpengine_generator_limited=${limited(f.rtpengine)}`,
  ].join(" ");
}
