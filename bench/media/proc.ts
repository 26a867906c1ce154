// bench/media: child-process bookkeeping and /proc readings.
//
// Every child starts in its own process group so it can be stopped with everything it forked;
// killAll() (watchdog, signals, errors) kills what is left. CPU and memory are read from /proc.

import { execFileSync, spawn, type ChildProcess, type StdioOptions } from "node:child_process";
import { createWriteStream, readFileSync } from "node:fs";

const live = new Set<ChildProcess>();

export class BenchError extends Error {}

export function startChild(cmd: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; ipc?: boolean; stdin?: boolean }): ChildProcess {
  const stdio: StdioOptions = [opts.stdin === true ? "pipe" : "ignore", "pipe", "pipe"];
  if (opts.ipc === true) stdio.push("ipc");
  const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, detached: true, stdio });
  live.add(child);
  child.on("exit", () => live.delete(child));
  child.on("error", () => live.delete(child));
  return child;
}

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

export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return Promise.resolve();
  return new Promise((done) => child.once("exit", () => done()));
}

export function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/** SIGTERM, then SIGKILL to the whole group after `graceMs`. */
export async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.pid === undefined) return;
  try {
    process.kill(child.pid, "SIGTERM");
  } catch {
    // already gone
  }
  const gone = await Promise.race([exited(child).then(() => true), timeout(graceMs)]);
  killGroup(child, "SIGKILL");
  if (!gone) await Promise.race([exited(child), timeout(2000)]);
}

export function killAll(): void {
  for (const child of live) killGroup(child, "SIGKILL");
}

/** Copies a child's stdout and stderr into `file` (artifacts of the run). */
export function logTo(child: ChildProcess, file: string): void {
  const out = createWriteStream(file, { flags: "a" }); // a target started twice keeps both logs
  child.stdout?.pipe(out, { end: false });
  child.stderr?.pipe(out, { end: false });
  child.once("exit", () => setTimeout(() => out.end(), 100));
}

/** Keeps the last `max` characters written to a stream, for error messages. */
export function tail(stream: NodeJS.ReadableStream | null, max = 4000): () => string {
  let text = "";
  stream?.on("data", (chunk: Buffer) => {
    text = (text + chunk.toString("utf8")).slice(-max);
  });
  return () => text.trim();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

/** A timeout for Promise.race that does not keep the process alive once the race is decided. */
export function timeout(ms: number): Promise<false> {
  return new Promise((done) => setTimeout(() => done(false), ms).unref());
}

const CLK_TCK = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** Fields after the command name of /proc/<pid>/stat: index 0 is field 3 (state). */
function statFields(text: string): string[] {
  return text.slice(text.lastIndexOf(")") + 2).trim().split(" ");
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

export function cpusAllowed(pid: number): string {
  try {
    const m = /^Cpus_allowed_list:\s+(\S+)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m?.[1] ?? "?";
  } catch {
    return "?";
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
