// bench/calls: the two targets, each started pinned to the target core and stopped with
// everything it forked. Kamailio (bench/kamailio/calls.cfg) is the stateful-proxy reference;
// hotline runs from its build (packages/server/dist/cli.js) as bench/register.ts starts it,
// with bench/calls-hotline.yaml rendered for the run.

import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BenchError, HOST, cpusAllowed, freeTcpPort, freeUdpPort, httpStatus, logTo, sipOptions, startChild, stopChild, tail, waitReady } from "./proc.ts";

/** In run order. */
export const TARGETS = ["hotline", "kamailio"] as const;
export type TargetName = (typeof TARGETS)[number];

export interface Target {
  name: TargetName;
  version: string;
  pid: number;
  sipPort: number;
  cpusAllowed: string;
  /** The target's output so far (for errors). */
  output: () => string;
  stop(): Promise<void>;
}

export interface TargetSetup {
  repo: string;
  benchDir: string;
  /** The run's artifact folder. */
  dir: string;
  targetCore: number;
  /** Where the answering SIPp listens (Kamailio's $du, hotline's trunk `uas`). */
  uasPort: number;
  /** Where the calling SIPp sends from (hotline's trunk `uac` match). */
  uacPort: number;
  rtpPorts: { min: number; max: number };
  /** hotline's config template (bench/calls-hotline.yaml unless --hotline-template). */
  hotlineTemplate: string;
}

export async function startKamailio(s: TargetSetup): Promise<Target> {
  let version: string;
  try {
    version = execFileSync("kamailio", ["-v"], { encoding: "utf8" }).split("\n")[0]?.replace("version: ", "").trim() ?? "kamailio";
  } catch (err) {
    throw new BenchError(`kamailio did not start: kamailio not found (apt-get install kamailio): ${String(err)}`);
  }
  const runDir = join(s.dir, "kamailio-run");
  mkdirSync(runDir, { recursive: true });
  const sipPort = await freeUdpPort();
  const args = [
    "-c", String(s.targetCore),
    "kamailio", "-f", join(s.benchDir, "kamailio", "calls.cfg"), "-DD", "-E", "-m", "512", "-M", "8", "-Y", runDir,
    "-A", `BENCH_LISTEN=udp:${HOST}:${sipPort}`,
    "-A", `BENCH_UAS="sip:${HOST}:${s.uasPort}"`,
  ];
  writeFileSync(join(s.dir, "kamailio.cmd"), ["taskset", ...args].join(" ") + "\n");
  const child = startChild("taskset", args, { cwd: s.repo });
  logTo(child, join(s.dir, "kamailio.log"));
  const output = tail(child.stderr);
  await waitReady(child, "kamailio", 10_000, async () => (await sipOptions(sipPort, 200)) !== undefined, output);
  const pid = child.pid ?? 0;
  return { name: "kamailio", version: `${version}, stateful proxy (tm + rr), children=1`, pid, sipPort, cpusAllowed: cpusAllowed(pid), output, stop: () => stopChild(child, 5000) };
}

/** Replaces every ${NAME} in `template`; a name without a value is an error (a stale template). */
export function renderTemplate(template: string, values: Readonly<Record<string, string | number>>): string {
  return template.replace(/\$\{([A-Z0-9_]+)\}/g, (_, name: string) => {
    const v = values[name];
    if (v === undefined) throw new BenchError(`hotline config template: no value for \${${name}}`);
    return String(v);
  });
}

export async function startHotline(s: TargetSetup): Promise<Target> {
  const cli = join(s.repo, "packages", "server", "dist", "cli.js");
  if (!existsSync(cli)) throw new BenchError(`hotline did not start: ${cli} not found (build it: pnpm build)`);
  const sipPort = await freeUdpPort();
  const httpPort = await freeTcpPort();
  const dataDir = join(s.dir, "hotline-data");
  mkdirSync(dataDir, { recursive: true });
  const config = join(s.dir, "hotline.yaml");
  const template = readFileSync(s.hotlineTemplate, "utf8");
  writeFileSync(
    config,
    renderTemplate(template, {
      SIP_PORT: sipPort,
      HTTP_PORT: httpPort,
      UAC_PORT: s.uacPort,
      UAS_PORT: s.uasPort,
      RTP_PORT_MIN: s.rtpPorts.min,
      RTP_PORT_MAX: s.rtpPorts.max,
    }),
  );
  // HOTLINE_BENCH_NODE_ARGS passes extra node flags (e.g. --cpu-prof) to the target only.
  const nodeArgs = (process.env["HOTLINE_BENCH_NODE_ARGS"] ?? "").split(" ").filter((a) => a !== "");
  const args = ["-c", String(s.targetCore), process.execPath, ...nodeArgs, cli, "start", "--config", config, "--data", dataDir];
  writeFileSync(join(s.dir, "hotline.cmd"), ["taskset", ...args].join(" ") + "\n");
  const child = startChild("taskset", args, { cwd: s.repo, env: { ...process.env, NODE_ENV: "production" } });
  logTo(child, join(s.dir, "hotline.log"));
  let text = "";
  const collect = (chunk: Buffer): void => {
    text = (text + chunk.toString("utf8")).slice(-4000);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const output = (): string => text.trim();
  await waitReady(child, "hotline", 20_000, async () => (await httpStatus(httpPort, "/api/status", 500)) === 200, output);
  await waitReady(child, "hotline", 5_000, async () => (await sipOptions(sipPort, 200)) !== undefined, output);
  const pid = child.pid ?? 0;
  let version = "hotline";
  try {
    const pkg = JSON.parse(readFileSync(join(s.repo, "packages", "server", "package.json"), "utf8")) as { version?: unknown };
    if (typeof pkg.version === "string") version = `hotline ${pkg.version} (node ${process.version}), transit B2BUA, media anchored`;
  } catch {
    // keep the bare name
  }
  return { name: "hotline", version, pid, sipPort, cpusAllowed: cpusAllowed(pid), output, stop: () => stopChild(child, 5000) };
}
