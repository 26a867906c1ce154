// bench/calls: one load step = a SIPp UAS (bench/sipp/call-uas.xml, the called side) and a
// SIPp UAC (bench/sipp/call-uac.xml, the caller) around the target, both pinned to the load
// core, both bounded by -m and -timeout. Reads their -trace_stat CSVs and, for the probe
// call, their -trace_msg logs.

import { execFileSync, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { BenchError, CLK_TCK, HOST, exited, killGroup, processTree, sleep, startChild, statFields, tail, timeout, udpBound } from "./proc.ts";

export interface StepSpec {
  /** File-name prefix of this step's artifacts. */
  tag: string;
  targetPort: number;
  uacPort: number;
  uasPort: number;
  uacMediaPort: number;
  uasMediaPort: number;
  rate: number;
  calls: number;
  holdMs: number;
  /** The dialled number (Request-URI user of the INVITE). */
  service: string;
  loadCore: number;
  /** -trace_msg on both sides: for the probe call only (a message log per call is slow). */
  traceMessages: boolean;
}

/** The last -trace_stat row of one SIPp, cumulative columns only. */
export interface SideStats {
  present: boolean;
  outgoing: number;
  incoming: number;
  successful: number;
  failed: number;
  retransmissions: number;
  /** Mean of response time 1 (UAC: INVITE → 200), ms; SIPp's clock has 1 ms resolution. */
  rtd1MeanMs: number;
  rtd1: Bucket[];
  rtd2: Bucket[];
}

export interface Bucket {
  /** "<1ms", "<2ms", … ">=1000ms". */
  label: string;
  count: number;
}

export interface StepRun {
  /** From the UAC's start to its exit. */
  wallS: number;
  uac: SideStats;
  uas: SideStats;
  /** Calls/s the UAC created while it was still creating them (not diluted by the last hold). */
  sentRate: number;
  /** CPU of both SIPp processes. */
  sippCpuS: number;
  uacExit: number | null;
  uasExit: number | null;
  /** What went wrong with the processes themselves (killed after a timeout, port never bound). */
  processNotes: string[];
  uacStderr: string;
  files: { uacStat: string; uasStat: string; uacErrors: string; uasErrors: string; uacMessages: string; uasMessages: string };
}

export function sippVersion(): string {
  try {
    const out = execFileSync("sipp", ["-v"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    return /SIPp v\S+/.exec(out)?.[0] ?? "SIPp";
  } catch (err) {
    const out = (err as { stdout?: unknown }).stdout;
    const m = typeof out === "string" ? /SIPp v\S+/.exec(out) : null;
    if (m) return m[0]; // `sipp -v` exits non-zero
    throw new BenchError("sipp not found (apt-get install sip-tester)");
  }
}

/** Every row of a -trace_stat CSV as column → value. */
export function readStatRows(file: string): Array<Map<string, string>> {
  if (!existsSync(file)) return [];
  const lines = readFileSync(file, "utf8").split("\n").filter((l) => l.trim() !== "");
  const header = lines[0]?.split(";") ?? [];
  return lines.slice(1).map((line) => {
    const cells = line.split(";");
    return new Map(header.map((h, i) => [h, cells[i] ?? ""]));
  });
}

/** SIPp's durations, "HH:MM:SS:uuuuuu" (response times) or "HH:MM:SS" (elapsed), in seconds. */
export function durationSeconds(text: string | undefined): number {
  const m = /^(\d+):(\d+):(\d+)(?::(\d+))?$/.exec(text ?? "");
  if (m === null) return NaN;
  return Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) + Number(m[4] ?? "0") / 1e6;
}

/** The Unix time at the end of SIPp's "YYYY-MM-DD<TAB>HH:MM:SS.uuuuuu<TAB>epoch.uuuuuu" timestamps. */
export function epochSeconds(text: string | undefined): number {
  const last = (text ?? "").split("\t").pop() ?? "";
  return /^\d+(\.\d+)?$/.test(last) ? Number(last) : NaN;
}

/** The ResponseTimeRepartition<n> columns of a -trace_stat row, in SIPp's order. */
export function buckets(row: Map<string, string>, n: 1 | 2): Bucket[] {
  const out: Bucket[] = [];
  for (const [k, v] of row) {
    const m = new RegExp(`^ResponseTimeRepartition${n}_(<|>=)(\\d+)$`).exec(k);
    if (m) out.push({ label: `${m[1] ?? ""}${m[2] ?? ""}ms`, count: Number(v) || 0 });
  }
  return out;
}

/** The bucket holding the `q` quantile ("-" without samples). */
export function quantileBucket(list: readonly Bucket[], q: number): string {
  const total = list.reduce((a, b) => a + b.count, 0);
  if (total === 0) return "-";
  let seen = 0;
  for (const b of list) {
    seen += b.count;
    if (seen >= total * q) return b.label;
  }
  return list[list.length - 1]?.label ?? "-";
}

export function sideStats(rows: ReadonlyArray<Map<string, string>>): SideStats {
  const last = rows[rows.length - 1];
  const num = (k: string): number => Number(last?.get(k) ?? "NaN");
  return {
    present: last !== undefined,
    outgoing: num("OutgoingCall(C)"),
    incoming: num("IncomingCall(C)"),
    successful: num("SuccessfulCall(C)"),
    failed: num("FailedCall(C)"),
    retransmissions: num("Retransmissions(C)"),
    rtd1MeanMs: durationSeconds(last?.get("ResponseTime1(C)")) * 1000,
    rtd1: last ? buckets(last, 1) : [],
    rtd2: last ? buckets(last, 2) : [],
  };
}

/**
 * Calls/s while the UAC was creating calls: the last periodic row (-fd 1) before all `calls`
 * were created, calls created / elapsed. The cumulative CallRate(C) of the last row would be
 * diluted by the final hold and teardown.
 */
export function sendingRate(rows: ReadonlyArray<Map<string, string>>, calls: number): number {
  let before: { n: number; t: number } | undefined;
  let done: { n: number; t: number } | undefined;
  for (const row of rows) {
    const n = Number(row.get("OutgoingCall(C)") ?? "NaN");
    // ElapsedTime(C) has whole seconds only; the row's timestamps have microseconds.
    const t = epochSeconds(row.get("CurrentTime")) - epochSeconds(row.get("StartTime"));
    if (!Number.isFinite(n) || !(t > 0)) continue;
    if (n < calls) before = { n, t };
    else if (done === undefined) done = { n, t };
  }
  const pick = before !== undefined && before.t >= 1 ? before : done;
  return pick === undefined ? NaN : pick.n / pick.t;
}

// SIPp runs under a small sh wrapper that records its own children's CPU (cutime/cstime)
// after SIPp exits, so the generator's CPU is known without polling.
const WRAPPER = 'sipp "$@"; rc=$?; read -r s < /proc/$$/stat; printf "%s\\n" "$s" > "$SIPP_SELF_STAT"; exit $rc';
const BUSY_OPTIONS = ["-max_recv_loops", "100000", "-max_sched_loops", "100000", "-buff_size", "4194304"];

/**
 * Kills SIPp but not its sh wrapper, which then records SIPp's CPU as it would after a
 * normal exit. SIPp's -trace_stat keeps its last periodic row (-fd 1).
 */
function stopSipp(wrapper: ChildProcess): void {
  if (wrapper.pid === undefined) return;
  for (const pid of processTree(wrapper.pid).slice(1)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

function sippCpu(file: string): number {
  if (!existsSync(file)) return 0;
  const f = statFields(readFileSync(file, "utf8"));
  return (Number(f[13]) + Number(f[14])) / CLK_TCK;
}

/**
 * Runs one step. `sample` is called every 200 ms while the UAC runs, with the seconds since
 * it started (the harness reads the target's CPU and open descriptors there).
 */
export async function runStep(spec: StepSpec, dir: string, scenarios: { uac: string; uas: string }, sample: (elapsedS: number) => void): Promise<StepRun> {
  const f = (suffix: string): string => join(dir, `${spec.tag}.${suffix}`);
  const files = {
    uacStat: f("uac.stat.csv"),
    uasStat: f("uas.stat.csv"),
    uacErrors: f("uac.errors.log"),
    uasErrors: f("uas.errors.log"),
    uacMessages: f("uac.messages.log"),
    uasMessages: f("uas.messages.log"),
  };
  const sendingS = spec.calls / spec.rate;
  // Bounds: the UAC stops after creating `calls` and finishing them, or at -timeout.
  const uacTimeoutS = Math.ceil(sendingS + spec.holdMs / 1000) + 12;
  const limit = Math.ceil(spec.rate * (spec.holdMs / 1000 + 2)) + 10;
  const trace = (messages: string): string[] => (spec.traceMessages ? ["-trace_msg", "-message_file", messages] : []);
  const common = (port: number, media: number, stat: string, errors: string): string[] => [
    "-i", HOST, "-p", String(port), "-mp", String(media), "-t", "u1", "-m", String(spec.calls),
    ...BUSY_OPTIONS, "-nostdin", "-trace_stat", "-stf", stat, "-fd", "1", "-trace_err", "-error_file", errors,
  ];
  const uasArgs = [
    "-sf", scenarios.uas, ...common(spec.uasPort, spec.uasMediaPort, files.uasStat, files.uasErrors),
    // The UAS creates no calls; its -l only has to stay above the live calls.
    "-l", String(limit * 2), "-timeout", String(uacTimeoutS + 3), ...trace(files.uasMessages),
  ];
  const uacArgs = [
    `${HOST}:${spec.targetPort}`, "-sf", scenarios.uac, "-s", spec.service,
    ...common(spec.uacPort, spec.uacMediaPort, files.uacStat, files.uacErrors),
    "-r", String(spec.rate), "-rp", "1000", "-l", String(limit), "-d", String(spec.holdMs),
    "-recv_timeout", "5000", "-timeout", String(uacTimeoutS), "-timeout_error", ...trace(files.uacMessages),
  ];
  const sippCmd = (args: string[], self: string): ChildProcess =>
    startChild("taskset", ["-c", String(spec.loadCore), "sh", "-c", WRAPPER, "sh", ...args], { env: { ...process.env, SIPP_SELF_STAT: self }, cwd: dir });

  const processNotes: string[] = [];
  const uas = sippCmd(uasArgs, f("uas.sippcpu"));
  uas.stdout?.resume(); // SIPp's screen
  const uasStderr = tail(uas.stderr, 2000);
  const bindDeadline = Date.now() + 5000;
  while (!udpBound(spec.uasPort) && Date.now() < bindDeadline && uas.exitCode === null) await sleep(20);
  if (!udpBound(spec.uasPort)) {
    killGroup(uas, "SIGKILL");
    throw new BenchError(`the UAS SIPp did not listen on ${HOST}:${spec.uasPort}: ${uasStderr() || "no output"}`);
  }

  const t0 = process.hrtime.bigint();
  const uac = sippCmd(uacArgs, f("uac.sippcpu"));
  uac.stdout?.resume();
  const uacStderr = tail(uac.stderr, 2000);
  const sampler = setInterval(() => sample(Number(process.hrtime.bigint() - t0) / 1e9), 200);
  const uacDone = await Promise.race([exited(uac).then(() => true), timeout((uacTimeoutS + 5) * 1000)]);
  clearInterval(sampler);
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  if (!uacDone) {
    stopSipp(uac);
    await Promise.race([exited(uac), timeout(2000)]);
    killGroup(uac, "SIGKILL");
    processNotes.push("UAC SIPp killed after its timeout");
  }
  // The UAS ends by itself after its `calls`-th call; calls it never saw would keep it to
  // its -timeout, so give it a few seconds past the UAC and then stop it.
  const uasDone = await Promise.race([exited(uas).then(() => true), timeout(3000)]);
  if (!uasDone) {
    stopSipp(uas);
    await Promise.race([exited(uas), timeout(2000)]);
    killGroup(uas, "SIGKILL");
    processNotes.push("UAS SIPp still waiting for calls 3 s after the UAC ended (killed)");
  }

  const uacRows = readStatRows(files.uacStat);
  return {
    wallS,
    uac: sideStats(uacRows),
    uas: sideStats(readStatRows(files.uasStat)),
    sentRate: sendingRate(uacRows, spec.calls),
    sippCpuS: sippCpu(f("uac.sippcpu")) + sippCpu(f("uas.sippcpu")),
    uacExit: uacDone ? uac.exitCode : null,
    uasExit: uasDone ? uas.exitCode : null,
    processNotes,
    uacStderr: uacStderr().split("\n").filter((l) => !l.startsWith("Resolving remote host")).join(" ").slice(-300),
    files,
  };
}
