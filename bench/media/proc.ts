// bench/media: child-process bookkeeping and /proc readings.
//
// Every child starts in its own process group so it can be stopped with everything it forked;
// killAll() (watchdog, signals, errors) kills what is left. CPU and memory are read from /proc.

import type { ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { BenchError, CLK_TCK, cpusAllowed, exited, isRunning, killAll, killGroup, logTo, sleep, startChild, statFields, stopChild, tail, timeout } from "../lib/children.ts";

export { BenchError, cpusAllowed, exited, isRunning, killAll, killGroup, logTo, sleep, startChild, stopChild, tail, timeout };

let niceness = 0;

/** Scheduling priority (nice) for the processes started with startPinned. */
export function setNiceness(n: number): void {
  niceness = n;
}

/** `cmd args` pinned to `cores` (taskset), at the niceness set with setNiceness. */
export function startPinned(cores: string, cmd: string, args: string[], opts: Parameters<typeof startChild>[2]): ChildProcess {
  const pinned = ["taskset", "-c", cores, cmd, ...args];
  return niceness === 0 ? startChild(pinned[0] ?? "", pinned.slice(1), opts) : startChild("nice", ["-n", String(niceness), ...pinned], opts);
}

/** utime + stime of a process (all its threads), seconds; NaN once it has exited. */
export function cpuSeconds(pid: number): number {
  try {
    const f = statFields(readFileSync(`/proc/${pid}/stat`, "utf8"));
    return (Number(f[11]) + Number(f[12])) / CLK_TCK;
  } catch {
    return NaN;
  }
}

/** VmRSS of a process, kB. */
export function rssKb(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m?.[1] === undefined ? NaN : Number(m[1]);
  } catch {
    return NaN;
  }
}

export function threadCount(pid: number): number {
  try {
    const m = /^Threads:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m?.[1] === undefined ? NaN : Number(m[1]);
  } catch {
    return NaN;
  }
}

/**
 * Seconds one CPU spent, from /proc/stat: `task` = user+nice+system (what processes are charged
 * in /proc/<pid>/stat), `irq` = irq+softirq. Loopback delivery of a sent datagram runs as
 * softirq on the sender's CPU and is charged to no process: it shows up only in `irq`.
 */
export function coreSeconds(cpu: number): { task: number; irq: number } {
  const m = new RegExp(`^cpu${cpu} (\\d+) (\\d+) (\\d+) \\d+ \\d+ (\\d+) (\\d+)`, "m").exec(readFileSync("/proc/stat", "utf8"));
  if (m === null) return { task: NaN, irq: NaN };
  return { task: (Number(m[1]) + Number(m[2]) + Number(m[3])) / CLK_TCK, irq: (Number(m[4]) + Number(m[5])) / CLK_TCK };
}
