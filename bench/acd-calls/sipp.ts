// bench/acd-calls: the SIPp runs. Agents register once (bench/sipp/register-digest.xml, from
// the agents' port); each step then runs one agents' SIPp (bench/sipp/acd-agent.xml, every
// agent's Contact points at it) and one callers' SIPp (bench/sipp/acd-caller.xml), both
// pinned to the load core and bounded by -m and -timeout. Statistics come from -trace_stat
// (bench/calls/sipp.ts reads them), offer/free times from the agents' -trace_logs.

import { type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BenchError, HOST, exited, killGroup, sleep, startChild, tail, timeout, udpBound } from "../calls/proc.ts";
import { readStatRows, sendingRate, sideStats, type SideStats } from "../calls/sipp.ts";

const BUSY_OPTIONS = ["-max_recv_loops", "100000", "-max_sched_loops", "100000", "-buff_size", "4194304"];
/** How long a caller waits for the agent's BYE (bench/sipp/acd-caller.xml, recv BYE timeout). */
export const PATIENCE_S = 20;

export interface Scenarios {
  caller: string;
  agent: string;
  register: string;
}

function sipp(loadCore: number, args: string[], cwd: string): ChildProcess {
  return startChild("taskset", ["-c", String(loadCore), "sipp", ...args], { cwd });
}

async function bounded(child: ChildProcess, ms: number): Promise<boolean> {
  const done = await Promise.race([exited(child).then(() => true), timeout(ms)]);
  if (!done) {
    killGroup(child, "SIGKILL");
    await Promise.race([exited(child), timeout(2000)]);
  }
  return done;
}

/** Registers every agent (digest) with its Contact at HOST:agentPort; throws with SIPp's reason on failure. */
export async function registerAgents(o: { dir: string; loadCore: number; targetPort: number; agentPort: number; scenario: string; agents: readonly { ext: string; password: string }[] }): Promise<void> {
  const users = join(o.dir, "agents.csv");
  writeFileSync(users, ["SEQUENTIAL", ...o.agents.map((a) => `${a.ext};${a.password}`)].join("\n") + "\n");
  const errors = join(o.dir, "register.errors.log");
  const child = sipp(o.loadCore, [
    `${HOST}:${o.targetPort}`, "-sf", o.scenario, "-inf", users, "-i", HOST, "-p", String(o.agentPort), "-t", "u1",
    "-m", String(o.agents.length), "-r", "200", "-l", "200", "-nostdin", "-recv_timeout", "5000", "-timeout", "30", "-timeout_error",
    "-trace_err", "-error_file", errors,
  ], o.dir);
  child.stdout?.resume();
  const err = tail(child.stderr, 1000);
  const done = await bounded(child, 35_000);
  if (!done || child.exitCode !== 0) {
    const first = existsSync(errors) ? readFileSync(errors, "utf8").split("\n").find((l) => l.trim() !== "") : undefined;
    throw new BenchError(`registering ${o.agents.length} agents failed (sipp exit ${child.exitCode ?? "killed"}): ${first ?? (err() || "no output")}`);
  }
}

export interface StepSpec {
  tag: string;
  targetPort: number;
  agentPort: number;
  callerPort: number;
  agentMedia: number;
  callerMedia: number;
  /** Dialled numbers, one per call in turn (SEQUENTIAL injection). */
  dial: readonly string[];
  rate: number;
  calls: number;
  talkMs: number;
  loadCore: number;
}

export interface StepRun {
  caller: SideStats;
  agent: SideStats;
  sentRate: number;
  wallS: number;
  notes: string[];
  agentLog: string;
  files: { callerStat: string; agentStat: string; callerErrors: string; agentErrors: string };
}

export async function runStep(s: StepSpec, dir: string, sc: Scenarios): Promise<StepRun> {
  const f = (suffix: string): string => join(dir, `${s.tag}.${suffix}`);
  const files = { callerStat: f("caller.stat.csv"), agentStat: f("agent.stat.csv"), callerErrors: f("caller.errors.log"), agentErrors: f("agent.errors.log") };
  const agentLog = f("agent.log");
  const dial = f("dial.csv");
  writeFileSync(dial, ["SEQUENTIAL", ...s.dial].join("\n") + "\n");
  const sendingS = s.calls / s.rate;
  // Callers may wait for an agent up to PATIENCE_S; the run ends well after the last one could.
  const callerTimeoutS = Math.ceil(sendingS + PATIENCE_S) + 10;
  // Live calls: a talk time and a few seconds of queueing per call; SIPp needs a descriptor per
  // live call under its open-file limit (20,000 here), so a rate past what is taken in time
  // shows as SIPp falling behind (sent/s), not as SIPp refusing to start.
  const limit = Math.min(15_000, Math.ceil(s.rate * (s.talkMs / 1000 + 4)) + 100);
  const stat = (file: string, errors: string): string[] => ["-trace_stat", "-stf", file, "-fd", "1", "-trace_err", "-error_file", errors];
  const agent = sipp(s.loadCore, [
    "-sf", sc.agent, "-i", HOST, "-p", String(s.agentPort), "-mp", String(s.agentMedia), "-t", "u1", "-m", String(s.calls),
    "-d", String(s.talkMs), ...BUSY_OPTIONS, "-nostdin", "-l", String(limit), "-timeout", String(callerTimeoutS + 3),
    "-trace_logs", "-log_file", agentLog, ...stat(files.agentStat, files.agentErrors),
  ], dir);
  agent.stdout?.resume();
  const agentErr = tail(agent.stderr, 2000);
  const bindBy = Date.now() + 5000;
  while (!udpBound(s.agentPort) && Date.now() < bindBy && agent.exitCode === null) await sleep(20);
  if (!udpBound(s.agentPort)) {
    killGroup(agent, "SIGKILL");
    throw new BenchError(`the agents' SIPp did not listen on ${HOST}:${s.agentPort}: ${agentErr() || "no output"}`);
  }
  const t0 = Date.now();
  const caller = sipp(s.loadCore, [
    `${HOST}:${s.targetPort}`, "-sf", sc.caller, "-inf", dial, "-i", HOST, "-p", String(s.callerPort), "-mp", String(s.callerMedia), "-t", "u1",
    "-m", String(s.calls), "-r", String(s.rate), "-rp", "1000", "-l", String(limit), ...BUSY_OPTIONS, "-nostdin",
    "-recv_timeout", "5000", "-timeout", String(callerTimeoutS), "-timeout_error", ...stat(files.callerStat, files.callerErrors),
  ], dir);
  caller.stdout?.resume();
  const notes: string[] = [];
  if (!(await bounded(caller, (callerTimeoutS + 5) * 1000))) notes.push("caller SIPp killed after its timeout");
  const wallS = (Date.now() - t0) / 1000;
  // The agents' SIPp ends after its `calls`-th call; calls it never got would keep it waiting.
  if (!(await bounded(agent, 3000))) notes.push("agents' SIPp still waiting 3 s after the callers ended (killed)");
  const callerRows = readStatRows(files.callerStat);
  return {
    caller: sideStats(callerRows),
    agent: sideStats(readStatRows(files.agentStat)),
    sentRate: sendingRate(callerRows, s.calls),
    wallS,
    notes,
    agentLog: existsSync(agentLog) ? readFileSync(agentLog, "utf8") : "",
    files,
  };
}

/** SIPp's first error line (e.g. "Aborting call on unexpected message … 486"). */
export function firstError(file: string): string | undefined {
  if (!existsSync(file)) return undefined;
  // Lines are "<date>\t<time>\t<epoch>: <what>"; the first one says what went wrong.
  const line = readFileSync(file, "utf8").split("\n").find((l) => /^\d{4}-\d\d-\d\d\t/.test(l));
  return line?.replace(/^[^:]*:[^:]*:[^:]*: /, "").trim().slice(0, 160);
}
