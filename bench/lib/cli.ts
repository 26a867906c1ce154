// Shared by the benches' mains: integer options, pinning the harness to the load core, and
// the run's artifact folder.

import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { BenchError } from "./children.ts";

/** `--<what>` as an integer in min..max; anything else is a BenchError naming the option. */
export function intOption(s: string | undefined, what: string, min: number, max: number): number {
  const n = Number(s);
  if (!Number.isInteger(n) || n < min || n > max) throw new BenchError(`--${what} must be an integer in ${min}..${max}, got ${s}`);
  return n;
}

/**
 * Moves this process (all its threads) to `loadCore`, so the harness stays off the target's
 * core. Needs two CPUs; `pinned` says what runs on each, for the error message
 * ("target and load generator").
 */
export function pinHarness(loadCore: number, pinned: string): void {
  if (cpus().length < 2) throw new BenchError(`needs at least 2 CPUs (${pinned} each pinned to one)`);
  try {
    execFileSync("taskset", ["-a", "-p", "-c", String(loadCore), String(process.pid)], { stdio: "ignore" });
  } catch {
    throw new BenchError("taskset not found (util-linux)");
  }
}

/** Creates and returns `<benchDir>/out/<name>-<ISO time>`, this run's artifact folder (git-ignored). */
export function runOutDir(benchDir: string, name: string): string {
  const dir = join(benchDir, "out", `${name}-${new Date().toISOString().replace(/[:.]/g, "-")}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}
