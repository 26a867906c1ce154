// bench/media: the raw Node relay reference (bench/reference/raw-rtp-relay.mjs) as a target.

import { join } from "node:path";
import { IpcPeer } from "./ipc.ts";
import { cpusAllowed, logTo, startPinned, stopChild, tail } from "./proc.ts";
import { RELAY_PORT_MAX, RELAY_PORT_MIN, type CallSpec, type MediaTarget, type RelayPorts } from "./target.ts";

export type RelayMode = "connected" | "unconnected";

export async function startNodeRelay(benchDir: string, dir: string, core: string, mode: RelayMode): Promise<MediaTarget & { cpus: string }> {
  const script = join(benchDir, "reference", "raw-rtp-relay.mjs");
  const name = `node-${mode}`;
  // --expose-gc: memory readings follow a full GC (retained memory, not garbage not yet collected).
  const args = ["--expose-gc", script, mode, String(RELAY_PORT_MIN), String(RELAY_PORT_MAX)];
  const child = startPinned(core, process.execPath, args, { cwd: dir, ipc: true });
  logTo(child, join(dir, `${name}.log`));
  const ipc = new IpcPeer(child, name, tail(child.stderr));
  await ipc.waitReady(10_000);
  const pid = child.pid ?? 0;
  return {
    name,
    version: `raw Node relay, ${mode} sockets (node ${process.version})`,
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
    stop: () => stopChild(child, 3000),
  };
}
