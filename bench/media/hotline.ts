// bench/media: the harness side of the hotline target (hotline-target.ts in a child process).

import { existsSync } from "node:fs";
import { join } from "node:path";
import { IpcPeer } from "./ipc.ts";
import { BenchError, cpusAllowed, logTo, startPinned, stopChild, tail, threadCount } from "./proc.ts";
import { RELAY_PORT_MAX, RELAY_PORT_MIN, type CallSpec, type MediaTarget, type RelayPorts } from "./target.ts";

export async function startHotline(repo: string, dir: string, cores: string, workers: number): Promise<MediaTarget & { cpus: string }> {
  const engineSource = join(repo, "packages", "media", "node", "index.ts");
  const override = process.env["HOTLINE_BENCH_MEDIA_MODULE"] ?? "";
  if (override === "" && !existsSync(engineSource)) throw new BenchError(`${engineSource} does not exist yet (@hotline/media/node)`);
  const name = `hotline-w${workers}`;
  const script = join(repo, "bench", "media", "hotline-target.ts");
  // HOTLINE_BENCH_NODE_ARGS passes extra node flags (e.g. --cpu-prof) to the target only.
  const extra = (process.env["HOTLINE_BENCH_NODE_ARGS"] ?? "").split(" ").filter((a) => a !== "");
  const args = ["--conditions=hotline-source", "--import", "tsx", "--expose-gc", ...extra, script, String(workers), String(RELAY_PORT_MIN), String(RELAY_PORT_MAX)];
  const child = startPinned(cores, process.execPath, args, { cwd: repo, ipc: true, env: { ...process.env, NODE_ENV: "production" } });
  logTo(child, join(dir, `${name}.log`));
  const ipc = new IpcPeer(child, name, tail(child.stderr));
  try {
    await ipc.waitReady(30_000);
  } catch (err) {
    await stopChild(child, 1000);
    throw err;
  }
  const pid = child.pid ?? 0;
  return {
    name,
    version: `hotline ${override === "" ? "@hotline/media/node" : override} MediaEngine, workers: ${workers} (node ${process.version})`,
    pid,
    cpus: cpusAllowed(pid),
    async add(calls: CallSpec[]): Promise<RelayPorts[]> {
      const a = await ipc.request({ op: "add", calls }, 60_000);
      return a["calls"] as RelayPorts[];
    },
    async remove(ids: number[]): Promise<void> {
      await ipc.request({ op: "remove", ids }, 30_000);
    },
    async collectGarbage(): Promise<void> {
      await ipc.request({ op: "gc" }, 10_000);
    },
    async selfReport(): Promise<string> {
      const a = await ipc.request({ op: "stats" }, 5000).catch((err: unknown) => ({ text: `stats failed: ${String(err)}` }));
      return `${String(a["text"])}; ${threadCount(pid)} threads`;
    },
    stop: () => stopChild(child, 3000),
  };
}
