// Shared by the benches: child processes started in their own process group (so a target is
// stopped with everything it forked), stopping and killing them, their logs, small timers,
// the /proc clock tick and a process's allowed CPUs.

import { execFileSync, spawn, type ChildProcess, type StdioOptions } from "node:child_process";
import { createWriteStream, readFileSync } from "node:fs";

/** An error that ends the run with its message alone (no stack): a target, a tool or an option is wrong. */
export class BenchError extends Error {}

const live = new Set<ChildProcess>();

export interface StartOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** An IPC channel (process.send) to the child. */
  ipc?: boolean;
  /** A writable stdin instead of /dev/null. */
  stdin?: boolean;
}

/** Spawns `cmd` detached (its own process group) with piped output; killAll() knows it. */
export function startChild(cmd: string, args: string[], opts: StartOptions): ChildProcess {
  const stdio: StdioOptions = [opts.stdin === true ? "pipe" : "ignore", "pipe", "pipe"];
  if (opts.ipc === true) stdio.push("ipc");
  const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, detached: true, stdio });
  live.add(child);
  child.on("exit", () => live.delete(child));
  child.on("error", () => live.delete(child));
  return child;
}

export function isRunning(child: ChildProcess): boolean {
  return child.pid !== undefined && child.exitCode === null && child.signalCode === null;
}

export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (!isRunning(child) || child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

export function exited(child: ChildProcess): Promise<void> {
  if (!isRunning(child)) return Promise.resolve();
  return new Promise((done) => child.once("exit", () => done()));
}

/** SIGTERM to the child, SIGKILL to its group after `graceMs`. */
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

/** Kills every child still running (watchdog, signals, errors). */
export function killAll(): void {
  for (const child of live) killGroup(child, "SIGKILL");
}

/** Appends a child's stdout and stderr to `file` (a target started twice keeps both logs). */
export function logTo(child: ChildProcess, file: string): void {
  const out = createWriteStream(file, { flags: "a" });
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

/** Clock ticks per second of /proc/<pid>/stat times. */
export const CLK_TCK = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** Fields after the command name of /proc/<pid>/stat: index 0 is field 3 (state). */
export function statFields(text: string): string[] {
  return text.slice(text.lastIndexOf(")") + 2).trim().split(" ");
}

/** The CPUs a process may run on (Cpus_allowed_list of /proc/<pid>/status, e.g. "1"), "?" when unreadable. */
export function cpusAllowed(pid: number): string {
  try {
    const m = /^Cpus_allowed_list:\s+(\S+)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m?.[1] ?? "?";
  } catch {
    return "?";
  }
}

/**
 * Runs a bench's main with a watchdog (everything killed, exit 2, after `watchdogMs`),
 * SIGINT/SIGTERM handling (children killed, exit 130), and its exit code; a BenchError is
 * printed as `<name>: <message>` without a stack.
 */
export function runBench(name: string, main: () => Promise<number>, watchdogMs: number): void {
  const watchdog = setTimeout(() => {
    console.error(`${name}: watchdog: ${watchdogMs / 1000} s elapsed; killing everything`);
    killAll();
    process.exit(2);
  }, watchdogMs);
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    process.on(sig, () => {
      console.error(`${name}: ${sig}; killing everything`);
      killAll();
      process.exit(130);
    });
  }
  main().then(
    (code) => {
      clearTimeout(watchdog);
      process.exitCode = code;
    },
    (err: unknown) => {
      clearTimeout(watchdog);
      killAll();
      console.error(err instanceof BenchError ? `${name}: ${err.message}` : err);
      process.exitCode = 1;
    },
  );
}
