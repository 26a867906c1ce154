// bench/register: authenticated REGISTER throughput and memory per binding, hotline vs Kamailio.
//
// For each target (hotline, then Kamailio as the reference with bindings in memory, then the
// same Kamailio writing every binding through to SQLite): start it pinned to one core,
// register N distinct users once to measure memory per binding, then drive SIPp (pinned to
// the other core) at rising rates until the first step with a failed call or a
// retransmission. Prints a table and ends with one line:
//   RESULT name=register hotline_per_s=… kamailio_per_s=… ratio=… hotline_bytes_per_binding=… kamailio_bytes_per_binding=…
//          kamailio_db_per_s=… ratio_db=… kamailio_db_bytes_per_binding=…
//
//   pnpm bench register [-- --only hotline|kamailio|kamailio-db] [--rates 1000,2000] [--step-seconds 3]
//
// Loopback only, ports picked per run, every SIPp run bounded by -m and -timeout, the whole
// run bounded by a watchdog. See bench/README.md.

import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { cpus } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import {
  BenchError, CLK_TCK, HOST, cpuBusySeconds, cpuSeconds, cpusAllowed, exited, freeTcpPort, freeUdpPort, httpStatus, killGroup, logTo, processTree,
  sipOptions, sleep, startChild, statFields, stopChild, tail, timeout, udpDrops, waitReady,
} from "./calls/proc.ts";
import { buckets, quantileBucket, readStatRows, sippVersion } from "./calls/sipp.ts";
import { runBench } from "./lib/children.ts";
import { intOption, pinHarness, runOutDir } from "./lib/cli.ts";
import { fmt, pad, resultFigure } from "./lib/format.ts";

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(BENCH_DIR, "..");
const SCENARIO = join(BENCH_DIR, "sipp", "register-digest.xml");
const KAMAILIO_CFG = join(BENCH_DIR, "kamailio", "register.cfg");
const HOTLINE_CLI = join(REPO, "packages", "server", "dist", "cli.js");
/** Kamailio's own SQLite schema scripts (Debian package kamailio-sqlite-modules). */
const KAMAILIO_SQLITE_SCHEMA = "/usr/share/kamailio/db_sqlite";
const DOMAIN = "bench.local";
const WATCHDOG_MS = 280_000;
/** Stop starting new steps after this much of the run has elapsed. */
const BUDGET_MS = 240_000;
const DEFAULT_RATES = [1000, 2000, 3000, 4000, 5000, 6000, 8000, 10000, 12000, 15000, 20000, 25000, 30000, 35000, 40000, 50000];

/** In run order. `kamailio-db`: the `kamailio` registrar with usrloc writing through to SQLite. */
const TARGETS = ["hotline", "node-minimal", "kamailio", "kamailio-db"] as const;
type TargetName = (typeof TARGETS)[number];

interface Options {
  only: TargetName | undefined;
  rates: number[];
  stepSeconds: number;
  users: number;
  memoryRate: number;
  retries: number;
  targetCore: number;
  loadCore: number;
}

interface Target {
  name: TargetName;
  version: string;
  pid: number;
  sipPort: number;
  cpusAllowed: string;
  /** The target's own memory accounting, for a cross-check (Kamailio: shm used / real_used bytes). */
  shm?: () => { used: number; realUsed: number } | undefined;
  /** Where the bindings are kept, checked after the memory phase (kamailio-db: rows in SQLite). */
  persistence?: () => string;
  /** Collects garbage before a memory reading (hotline: V8 heap via --expose-gc). */
  collectGarbage?: () => Promise<void>;
  /** V8 heap in use, bytes (hotline's own accounting, the cross-check to PSS). */
  heapUsed?: () => Promise<number | undefined>;
  stop(): Promise<void>;
}

interface SippRun {
  exitCode: number | null;
  wallS: number;
  sippCpuS: number;
  outgoing: number;
  successful: number;
  failed: number;
  retransmissions: number;
  callRate: number;
  /** Upper bound (ms) of the response-time bucket holding the 99th percentile, e.g. "<1". */
  p99: string;
  /** Datagrams the kernel dropped at SIPp's own socket (sampled every 100 ms while it runs). */
  sippDrops: number;
  stderrTail: string;
  statFile: string;
}

interface Step {
  rate: number;
  run: SippRun;
  targetCpuS: number;
  /** Datagrams the kernel dropped because the target's socket buffer was full. */
  targetDrops: number;
  /**
   * CPU seconds used on the target's / generator's core by processes other than the target,
   * SIPp and this harness (other work on a shared machine): noise in the measurement.
   */
  foreignTargetCoreS: number;
  foreignLoadCoreS: number;
  clean: boolean;
  note: string;
}

interface Memory {
  rssKb: number;
  pssKb: number;
}

interface TargetReport {
  name: TargetName;
  version: string;
  cpusAllowed: string;
  best: Step | undefined;
  stopReason: string;
  memBefore: Memory;
  memAfter: Memory;
  bindings: number;
  bytesPerBinding: number | undefined;
  selfReport: string | undefined;
  sippLimited: boolean;
}

const startedAt = Date.now();

// ---------------------------------------------------------------------------------------
// /proc readings of memory, summed over a process and all its descendants (Kamailio forks
// its workers; Node is one process with threads, already summed). CPU, drops and ports come
// from bench/calls/proc.ts.

function kbField(text: string, name: string): number {
  const m = new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(text);
  return m?.[1] === undefined ? 0 : Number(m[1]);
}

/** VmRSS summed over the tree (counts shared pages once per process) and Pss summed (counts them once). */
function treeMemory(root: number): Memory {
  let rssKb = 0;
  let pssKb = 0;
  for (const pid of processTree(root)) {
    try {
      rssKb += kbField(readFileSync(`/proc/${pid}/status`, "utf8"), "VmRSS");
      pssKb += kbField(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"), "Pss");
    } catch {
      // exited
    }
  }
  return { rssKb, pssKb };
}

// ---------------------------------------------------------------------------------------
// Users: one CSV per run, random passwords, shared by both targets.

interface Users {
  list: Array<[string, string]>;
  sippCsv: string;
}

function makeUsers(dir: string, n: number): Users {
  const list: Array<[string, string]> = [];
  for (let i = 0; i < n; i++) list.push([`user${1000 + i}`, randomBytes(9).toString("base64url")]);
  const sippCsv = join(dir, "users.sipp.csv");
  writeFileSync(sippCsv, "SEQUENTIAL\n" + list.map(([u, p]) => `${u};${p}\n`).join(""));
  return { list, sippCsv };
}

// ---------------------------------------------------------------------------------------
// Targets.

/**
 * Creates the usrloc `location` table for db_sqlite from Kamailio's own scripts, with the
 * sqlite3 CLI (what kamdbctl would run), and switches the file to WAL. Returns the SQLite
 * library version.
 */
function createLocationDb(file: string): string {
  const scripts = ["standard-create.sql", "usrloc-create.sql"].map((f) => join(KAMAILIO_SQLITE_SCHEMA, f));
  for (const script of scripts) {
    if (!existsSync(script)) throw new BenchError(`kamailio-db did not start: ${script} not found (apt-get install kamailio-sqlite-modules)`);
  }
  const sql = [...scripts.map((f) => readFileSync(f, "utf8")), "PRAGMA journal_mode=WAL;", "SELECT sqlite_version();", ""].join("\n");
  try {
    const out = execFileSync("sqlite3", ["-batch", "-bail", file], { input: sql, encoding: "utf8", stdio: ["pipe", "pipe", "pipe"] });
    return out.trim().split("\n").pop() ?? "?";
  } catch (err) {
    const stderr = (err as { stderr?: unknown }).stderr;
    throw new BenchError(
      `kamailio-db did not start: creating ${file} with the sqlite3 CLI failed (apt-get install sqlite3): ${typeof stderr === "string" && stderr !== "" ? stderr.trim() : String(err)}`,
    );
  }
}

/** `SELECT count(*) FROM location`, read next to the running Kamailio (WAL: readers do not block it). */
function locationRows(file: string): number {
  try {
    return Number(execFileSync("sqlite3", ["-batch", file, "SELECT count(*) FROM location;"], { encoding: "utf8", timeout: 5000, stdio: ["ignore", "pipe", "pipe"] }).trim());
  } catch {
    return NaN;
  }
}

async function startKamailio(opts: Options, dir: string, users: Users, name: "kamailio" | "kamailio-db"): Promise<Target> {
  let version: string;
  try {
    version = execFileSync("kamailio", ["-v"], { encoding: "utf8" }).split("\n")[0]?.replace("version: ", "").trim() ?? "kamailio";
  } catch (err) {
    throw new BenchError(`${name} did not start: kamailio not found (apt-get install kamailio): ${String(err)}`);
  }
  // db_text table read once by htable at start: key_name key_type value_type key_value expires.
  // Both Kamailio targets load the same file.
  const db = join(dir, "kamailio-users");
  mkdirSync(db, { recursive: true });
  writeFileSync(
    join(db, "users"),
    "key_name(str) key_type(int) value_type(int) key_value(str) expires(int)\n" + users.list.map(([u, p]) => `${u}:0:0:${p}:0\n`).join(""),
  );
  const runDir = join(dir, `${name}-run`);
  mkdirSync(runDir, { recursive: true });
  const ctl = join(runDir, "ctl.sock");
  const sipPort = await freeUdpPort();
  const args = [
    "-c", String(opts.targetCore),
    "kamailio", "-f", KAMAILIO_CFG, "-DD", "-E", "-m", "64", "-M", "8", "-Y", runDir,
    "-A", `BENCH_LISTEN=udp:${HOST}:${sipPort}`,
    "-A", `BENCH_DB_URL="text://${db}"`,
    "-A", `BENCH_CTL="unix:${ctl}"`,
  ];
  // kamailio-db: usrloc in db_mode 1 (write-through) on an SQLite file made from Kamailio's
  // schema scripts; register.cfg explains what matches hotline's SQLite settings.
  let locationDb: string | undefined;
  if (name === "kamailio-db") {
    locationDb = join(runDir, "location.sqlite");
    const sqliteVersion = createLocationDb(locationDb);
    version += ` + usrloc db_mode 1 on db_sqlite (libsqlite3 ${sqliteVersion})`;
    // db_sqlite takes the file path after "sqlite://" + "/": an absolute path gives four slashes.
    const url = `sqlite:///${locationDb}`;
    args.push(
      "-A", `BENCH_LOCATION_DB_URL="${url}"`,
      "-A", `BENCH_LOCATION_DB_JOURNAL="${locationDb}=WAL;"`,
      "-A", `BENCH_LOCATION_SQLCON="loc=>${url}"`,
    );
  }
  writeFileSync(join(dir, `${name}.cmd`), ["taskset", ...args].join(" ") + "\n");
  const child = startChild("taskset", args, { cwd: REPO });
  logTo(child, join(dir, `${name}.log`));
  const stderr = tail(child.stderr);
  // The SIP worker logs the pragmas of its location db connection once, at start (register.cfg).
  let pragmas: string | undefined;
  if (locationDb !== undefined) {
    let text = "";
    const scan = (chunk: Buffer): void => {
      text = (text + chunk.toString("utf8")).slice(-8000);
      const m = /bench: location db connection in pid \d+: ([^\n]*)\n/.exec(text);
      if (m?.[1] !== undefined) {
        pragmas = m[1].trim();
        child.stderr?.off("data", scan);
      }
    };
    child.stderr?.on("data", scan);
  }
  await waitReady(child, name, 10_000, async () => (await sipOptions(sipPort, 200, DOMAIN)) !== undefined, stderr);
  const pid = child.pid ?? 0;
  let persistence: (() => string) | undefined;
  if (locationDb !== undefined) {
    const file = locationDb;
    persistence = (): string => {
      const sync = /synchronous=(\S+)/.exec(pragmas ?? "")?.[1];
      const journal = /journal_mode=(\S+)/.exec(pragmas ?? "")?.[1];
      const warn = sync === "1" && journal === "wal" ? "" : " WARNING: not synchronous=1 (NORMAL) with journal_mode=wal, so this is not hotline's setting";
      return `${locationRows(file)} rows in ${file}; the SIP worker's connection reports ${pragmas ?? "nothing (pragmas not logged)"}${warn}`;
    };
  }
  const shm = (): { used: number; realUsed: number } | undefined => {
    try {
      const out = execFileSync("kamcmd", ["-s", `unix:${ctl}`, "core.shmmem"], { encoding: "utf8", timeout: 3000 });
      const used = /\bused: (\d+)/.exec(out)?.[1];
      const realUsed = /real_used: (\d+)/.exec(out)?.[1];
      return used === undefined || realUsed === undefined ? undefined : { used: Number(used), realUsed: Number(realUsed) };
    } catch {
      return undefined; // kamcmd missing: no cross-check
    }
  };
  return { name, version, pid, sipPort, cpusAllowed: cpusAllowed(pid), shm, ...(persistence ? { persistence } : {}), stop: () => stopChild(child, 5000) };
}

async function startHotline(opts: Options, dir: string, users: Users): Promise<Target> {
  if (!existsSync(HOTLINE_CLI)) {
    throw new BenchError(`hotline did not start: ${HOTLINE_CLI} not found (build it: pnpm build)`);
  }
  const sipPort = await freeUdpPort();
  const httpPort = await freeTcpPort();
  const dataDir = join(dir, "hotline-data");
  mkdirSync(dataDir, { recursive: true });
  const config = join(dir, "hotline.yaml");
  writeFileSync(
    config,
    [
      `sip: { domain: ${DOMAIN}, listen: [ { transport: udp, host: ${HOST}, port: ${sipPort} } ] }`,
      `http: { host: ${HOST}, port: ${httpPort} }`,
      "demo: { extensions: [] }",
      "registrar: { maxExpires: 7200 }",
      "log: { level: warn }",
      "",
    ].join("\n"),
  );
  const csv = join(dir, "users.hotline.csv");
  writeFileSync(csv, users.list.map(([u, p]) => `${u},${p}\n`).join(""));

  const importer = startChild(process.execPath, [HOTLINE_CLI, "user", "import", csv, "--data", dataDir, "--config", config], { cwd: REPO });
  const importErr = tail(importer.stderr);
  const importOut = tail(importer.stdout);
  const imported = await Promise.race([exited(importer).then(() => true), timeout(60_000)]);
  if (!imported) {
    killGroup(importer, "SIGKILL");
    throw new BenchError("hotline did not start: `user import` did not finish within 60 s");
  }
  if (importer.exitCode !== 0) {
    throw new BenchError(`hotline did not start: \`user import\` exited (${importer.exitCode ?? importer.signalCode}): ${importErr() || importOut() || "no output"}`);
  }

  // HOTLINE_BENCH_NODE_ARGS passes extra node flags (e.g. --cpu-prof) to the target only.
  // --expose-gc lets the harness collect garbage before each memory reading, so bytes per
  // binding counts what is retained, not garbage V8 has not collected yet.
  const nodeArgs = ["--expose-gc", ...(process.env["HOTLINE_BENCH_NODE_ARGS"] ?? "").split(" ").filter((a) => a !== "")];
  const args = ["-c", String(opts.targetCore), process.execPath, ...nodeArgs, HOTLINE_CLI, "start", "--config", config, "--data", dataDir];
  writeFileSync(join(dir, "hotline.cmd"), ["taskset", ...args].join(" ") + "\n");
  const child = startChild("taskset", args, { cwd: REPO, env: { ...process.env, NODE_ENV: "production" } });
  logTo(child, join(dir, "hotline.log"));
  const stderr = tail(child.stderr);
  await waitReady(child, "hotline", 20_000, async () => (await httpStatus(httpPort, "/api/status", 500)) === 200, stderr);
  await waitReady(child, "hotline", 5_000, async () => (await sipOptions(sipPort, 200, DOMAIN)) !== undefined, stderr);
  const pid = child.pid ?? 0;
  let version = "hotline";
  try {
    const pkg = JSON.parse(readFileSync(join(REPO, "packages", "server", "package.json"), "utf8")) as { version?: unknown };
    if (typeof pkg.version === "string") version = `hotline ${pkg.version} (node ${process.version})`;
  } catch {
    // keep the bare name
  }
  const collectGarbage = async (): Promise<void> => {
    await httpStatus(httpPort, "/api/debug/gc", 5000, "POST");
  };
  const heapUsed = (): Promise<number | undefined> =>
    new Promise((done) => {
      const req = request({ host: HOST, port: httpPort, path: "/api/status", method: "GET", timeout: 2000 }, (res) => {
        let body = "";
        res.on("data", (d: Buffer) => (body += d.toString()));
        res.on("end", () => {
          try {
            done((JSON.parse(body) as { heapUsedBytes?: number }).heapUsedBytes);
          } catch {
            done(undefined);
          }
        });
      });
      req.on("timeout", () => req.destroy());
      req.on("error", () => done(undefined));
      req.end();
    });
  return { name: "hotline", version, pid, sipPort, cpusAllowed: cpusAllowed(pid), collectGarbage, heapUsed, stop: () => stopChild(child, 5000) };
}

/**
 * The floor of Node itself on this harness: bench/reference/minimal-registrar.mjs (regex
 * parsing, MD5 digest, in-memory bindings, nothing durable, no checks). Not a product; it
 * says how much of the gap to Kamailio is Node and how much is hotline.
 */
async function startNodeMinimal(opts: Options, dir: string, users: Users): Promise<Target> {
  const sipPort = await freeUdpPort();
  const csv = join(dir, "users.minimal.csv");
  writeFileSync(csv, users.list.map(([u, p]) => `${u},${p}\n`).join(""));
  const script = join(BENCH_DIR, "reference", "minimal-registrar.mjs");
  const args = ["-c", String(opts.targetCore), process.execPath, script, String(sipPort), csv, DOMAIN];
  writeFileSync(join(dir, "node-minimal.cmd"), ["taskset", ...args].join(" ") + "\n");
  const child = startChild("taskset", args, { cwd: REPO });
  logTo(child, join(dir, "node-minimal.log"));
  const stderr = tail(child.stderr);
  await waitReady(child, "node-minimal", 10_000, async () => (await sipOptions(sipPort, 200, DOMAIN)) !== undefined, stderr);
  const pid = child.pid ?? 0;
  return { name: "node-minimal", version: `minimal Node registrar (node ${process.version})`, pid, sipPort, cpusAllowed: cpusAllowed(pid), stop: () => stopChild(child, 5000) };
}

// ---------------------------------------------------------------------------------------
// SIPp.

let sippSeq = 0;

/**
 * One bounded SIPp run: `calls` REGISTER transactions pairs at `rate`/s. SIPp runs under a
 * tiny sh wrapper that prints its own children's CPU times (cutime/cstime) after SIPp exits.
 */
async function runSipp(opts: Options, dir: string, users: Users, target: Target, sippPort: number, rate: number, calls: number): Promise<SippRun> {
  const tag = `${target.name}-${String(++sippSeq).padStart(2, "0")}-${rate}`;
  const statFile = join(dir, `${tag}.stat.csv`);
  const selfStat = join(dir, `${tag}.sippcpu`);
  const timeoutS = Math.ceil(calls / rate) + 12;
  const args = [
    `${HOST}:${target.sipPort}`,
    "-sf", SCENARIO,
    "-inf", users.sippCsv,
    "-i", HOST, "-p", String(sippPort), "-t", "u1",
    "-m", String(calls), "-r", String(rate), "-rp", "1000", "-l", String(Math.max(rate, 1000)),
    "-recv_timeout", "4000", "-timeout", String(timeoutS), "-timeout_error",
    // Larger loop budgets keep SIPp from falling behind and then sending in bursts;
    // a large socket buffer keeps the generator's own socket from dropping answers.
    "-max_recv_loops", "100000", "-max_sched_loops", "100000", "-buff_size", "4194304",
    "-nostdin", "-trace_stat", "-stf", statFile, "-fd", "1",
    "-trace_err", "-error_file", join(dir, `${tag}.errors.log`),
  ];
  const wrapper = 'sipp "$@"; rc=$?; read -r s < /proc/$$/stat; printf "%s\\n" "$s" > "$SIPP_SELF_STAT"; exit $rc';
  const t0 = process.hrtime.bigint();
  const child = startChild("taskset", ["-c", String(opts.loadCore), "sh", "-c", wrapper, "sh", ...args], {
    env: { ...process.env, SIPP_SELF_STAT: selfStat },
    cwd: dir,
  });
  const stderr = tail(child.stderr, 2000);
  child.stdout?.resume(); // SIPp's screen
  let sippDrops = 0;
  const sampler = setInterval(() => (sippDrops = Math.max(sippDrops, udpDrops(sippPort))), 100);
  const finished = await Promise.race([exited(child).then(() => true), timeout((timeoutS + 5) * 1000)]);
  clearInterval(sampler);
  if (!finished) killGroup(child, "SIGKILL");
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;

  let sippCpuS = 0;
  if (existsSync(selfStat)) {
    const f = statFields(readFileSync(selfStat, "utf8"));
    sippCpuS = (Number(f[13]) + Number(f[14])) / CLK_TCK; // cutime, cstime
  }
  const stat = readStatRows(statFile).at(-1);
  const num = (k: string): number => Number(stat?.get(k) ?? "NaN");
  return {
    exitCode: finished ? child.exitCode : null,
    wallS,
    sippCpuS,
    outgoing: num("OutgoingCall(C)"),
    successful: num("SuccessfulCall(C)"),
    failed: num("FailedCall(C)"),
    retransmissions: num("Retransmissions(C)"),
    callRate: num("CallRate(C)"),
    p99: stat ? quantileBucket(buckets(stat, 1), 0.99) : "-",
    sippDrops,
    stderrTail: stderr().split("\n").filter((l) => !l.startsWith("Resolving remote host")).join(" ").slice(-300),
    statFile,
  };
}

// ---------------------------------------------------------------------------------------
// The measurement of one target.

const NAME_WIDTH = 12;

function printStepHeader(): void {
  console.log(
    [pad("target", NAME_WIDTH), pad("rate/s", 7), pad("sent/s", 8), pad("ok", 7), pad("failed", 7), pad("retrans", 8), pad("drops t/sipp", 12), pad("p99", 8), pad("cpu%", 6), pad("us/reg", 7), pad("sipp%", 6), pad("other%", 7), "result"].join(" "),
  );
}

function printStep(name: string, s: Step): void {
  const r = s.run;
  const cpuPct = (100 * s.targetCpuS) / r.wallS;
  const usPerReg = r.successful > 0 ? (1e6 * s.targetCpuS) / r.successful : NaN;
  console.log(
    [
      pad(name, NAME_WIDTH), pad(String(s.rate), 7), pad(fmt(r.callRate), 8), pad(fmt(r.successful), 7), pad(fmt(r.failed), 7),
      pad(fmt(r.retransmissions), 8), pad(`${s.targetDrops}/${r.sippDrops}`, 12), pad(r.p99, 8), pad(fmt(cpuPct), 6), pad(fmt(usPerReg, 1), 7),
      pad(fmt((100 * r.sippCpuS) / r.wallS), 6),
      pad(`${fmt((100 * s.foreignTargetCoreS) / r.wallS)}/${fmt((100 * s.foreignLoadCoreS) / r.wallS)}`, 7),
      s.clean ? "clean" : `FAIL ${s.note}`,
    ].join(" "),
  );
}

async function measure(opts: Options, dir: string, users: Users, target: Target): Promise<TargetReport> {
  const sippPort = await freeUdpPort(); // one SIPp port per target: the Contact of each user stays the same
  console.log(`\n${target.name}: ${target.version}, pid ${target.pid} on CPUs ${target.cpusAllowed}, SIP ${HOST}:${target.sipPort}`);

  // Memory per binding: N distinct users, each registered once, on a fresh process.
  await sleep(500);
  await target.collectGarbage?.();
  const memBefore = treeMemory(target.pid);
  const shmBefore = target.shm?.();
  const heapBefore = await target.heapUsed?.();
  const memRun = await runSipp(opts, dir, users, target, sippPort, opts.memoryRate, users.list.length);
  await sleep(1000);
  await target.collectGarbage?.();
  const memAfter = treeMemory(target.pid);
  const shmAfter = target.shm?.();
  const heapAfter = await target.heapUsed?.();
  let selfReport: string | undefined;
  if (heapBefore !== undefined && heapAfter !== undefined) {
    selfReport = `V8 heap used +${fmt((heapAfter - heapBefore) / users.list.length)} B/binding (after a full GC)`;
    console.log(`${target.name}: own accounting (process.memoryUsage): ${selfReport}`);
  }
  if (shmBefore !== undefined && shmAfter !== undefined) {
    const per = (a: number, b: number): string => fmt((b - a) / users.list.length);
    selfReport = `shm used +${per(shmBefore.used, shmAfter.used)} B/binding, real_used (with allocator overhead) +${per(shmBefore.realUsed, shmAfter.realUsed)} B/binding`;
    console.log(`${target.name}: own accounting (kamcmd core.shmmem): ${selfReport}`);
  }
  const bindings = Number.isFinite(memRun.successful) ? memRun.successful : 0;
  const bytesPerBinding = bindings > 0 ? ((memAfter.pssKb - memBefore.pssKb) * 1024) / users.list.length : undefined;
  console.log(
    `${target.name}: memory: ${bindings}/${users.list.length} users registered at ${opts.memoryRate}/s` +
      ` (failed ${fmt(memRun.failed)}, retrans ${fmt(memRun.retransmissions)});` +
      ` PSS ${memBefore.pssKb} -> ${memAfter.pssKb} kB, RSS ${memBefore.rssKb} -> ${memAfter.rssKb} kB;` +
      ` ${bytesPerBinding === undefined ? "-" : fmt(bytesPerBinding)} bytes per binding`,
  );
  if (bindings !== users.list.length) console.log(`${target.name}: WARNING: not every user registered; bytes per binding is not comparable`);
  if (target.persistence !== undefined) console.log(`${target.name}: bindings stored: ${target.persistence()}`);

  // Throughput ramp.
  printStepHeader();
  let best: Step | undefined;
  let stopReason = "ladder exhausted (the limit is above the highest rate tried)";
  let sippLimited = false;
  ramp: for (const rate of opts.rates) {
    for (let attempt = 0; attempt <= opts.retries; attempt++) {
      const calls = rate * opts.stepSeconds;
      if (Date.now() - startedAt + (opts.stepSeconds + 6) * 1000 > BUDGET_MS) {
        stopReason = `time budget: stopped before ${rate}/s`;
        break ramp;
      }
      const cpu0 = cpuSeconds(processTree(target.pid));
      const drops0 = udpDrops(target.sipPort);
      const busy0 = [cpuBusySeconds(opts.targetCore), cpuBusySeconds(opts.loadCore)] as const;
      const self0 = process.cpuUsage();
      const run = await runSipp(opts, dir, users, target, sippPort, rate, calls);
      const targetCpuS = cpuSeconds(processTree(target.pid)) - cpu0;
      const targetDrops = udpDrops(target.sipPort) - drops0;
      const self = process.cpuUsage(self0);
      const selfS = (self.user + self.system) / 1e6;
      const foreignTargetCoreS = Math.max(0, cpuBusySeconds(opts.targetCore) - busy0[0] - targetCpuS);
      const foreignLoadCoreS = Math.max(0, cpuBusySeconds(opts.loadCore) - busy0[1] - run.sippCpuS - selfS);
      const problems: string[] = [];
      if (run.exitCode === null) problems.push("sipp killed after its timeout");
      if (!Number.isFinite(run.successful)) problems.push(`no SIPp statistics (exit ${run.exitCode}): ${run.stderrTail}`);
      else {
        if (run.failed > 0) problems.push(`${run.failed} failed`);
        if (run.retransmissions > 0) problems.push(`${run.retransmissions} retransmissions`);
        if (run.successful !== calls) problems.push(`${run.successful}/${calls} succeeded`);
      }
      const clean = problems.length === 0;
      const step: Step = { rate, run, targetCpuS, targetDrops, foreignTargetCoreS, foreignLoadCoreS, clean, note: problems.join(", ") };
      printStep(target.name, step);
      if (target.pid > 0 && !existsSync(`/proc/${target.pid}`)) throw new BenchError(`${target.name} exited during the ${rate}/s step`);
      if (clean) {
        // SIPp paces calls itself; if it could not keep up, the step did not test the target.
        if (run.callRate < 0.9 * rate) {
          sippLimited = true;
          stopReason = `SIPp sent only ${fmt(run.callRate)}/s of ${rate}/s: generator-limited`;
          break ramp;
        }
        if (run.sippCpuS / run.wallS > 0.9) sippLimited = true;
        best = step;
        continue ramp;
      }
      stopReason = `first failing step: ${rate}/s (${step.note})`;
      const foreignPct = (100 * Math.max(step.foreignTargetCoreS, step.foreignLoadCoreS)) / run.wallS;
      if (foreignPct >= 10) {
        console.log(`${target.name}: note: other processes used up to ${fmt(foreignPct)}% of a benchmark core during this step; a rerun on a quiet machine may go higher`);
      }
      if (attempt < opts.retries) console.log(`${target.name}: retrying ${rate}/s (--retries ${opts.retries})`);
    }
    break;
  }
  console.log(`${target.name}: ${stopReason}`);
  if (best !== undefined && best.run.sippCpuS / best.run.wallS > 0.9) {
    console.log(`${target.name}: WARNING: SIPp used ${fmt((100 * best.run.sippCpuS) / best.run.wallS)}% of its core at ${best.rate}/s: the generator may be the limit`);
  }
  return { name: target.name, version: target.version, cpusAllowed: target.cpusAllowed, best, stopReason, memBefore, memAfter, bindings, bytesPerBinding, selfReport, sippLimited };
}

// ---------------------------------------------------------------------------------------

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      only: { type: "string" },
      rates: { type: "string" },
      "step-seconds": { type: "string", default: "3" },
      users: { type: "string", default: "10000" },
      "memory-rate": { type: "string", default: "2000" },
      retries: { type: "string", default: "0" },
      "target-core": { type: "string", default: "1" },
      "load-core": { type: "string", default: "0" },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(
      "pnpm bench register [-- --only hotline|kamailio|kamailio-db] [--rates 1000,2000,…] [--step-seconds 3] [--users 10000]\n" +
        "                    [--memory-rate 2000] [--retries 0] [--target-core 1] [--load-core 0]",
    );
    process.exit(0);
  }
  const only = TARGETS.find((t) => t === values.only);
  if (values.only !== undefined && only === undefined) throw new BenchError(`--only must be one of ${TARGETS.join(", ")}, got ${values.only}`);
  const rates = values.rates === undefined ? DEFAULT_RATES : values.rates.split(",").map((r) => intOption(r, "rates", 1, 100_000));
  const ncpu = cpus().length;
  const opts: Options = {
    only,
    rates,
    stepSeconds: intOption(values["step-seconds"], "step-seconds", 1, 20),
    users: intOption(values.users, "users", 1, 100_000),
    memoryRate: intOption(values["memory-rate"], "memory-rate", 1, 50_000),
    retries: intOption(values.retries, "retries", 0, 3),
    targetCore: intOption(values["target-core"], "target-core", 0, ncpu - 1),
    loadCore: intOption(values["load-core"], "load-core", 0, ncpu - 1),
  };
  if (opts.targetCore === opts.loadCore) throw new BenchError("--target-core and --load-core must differ");
  return opts;
}

function resultValue(r: TargetReport | undefined, f: (r: TargetReport) => number | undefined): string {
  return resultFigure(r === undefined ? undefined : f(r));
}

async function main(): Promise<number> {
  const opts = parseOptions();
  pinHarness(opts.loadCore, "target and load generator");
  const sipp = sippVersion();
  const dir = runOutDir(BENCH_DIR, "register");
  const users = makeUsers(dir, opts.users);
  const targets: readonly TargetName[] = opts.only === undefined ? TARGETS : [opts.only];
  console.log(
    `register: ${sipp} on CPU ${opts.loadCore}, targets on CPU ${opts.targetCore}; ${opts.users} users, steps of ${opts.stepSeconds} s at ` +
      `${opts.rates.join(", ")}/s until the first failure or retransmission; artifacts in ${dir}`,
  );

  const reports = new Map<TargetName, TargetReport>();
  for (const name of targets) {
    const target =
      name === "hotline" ? await startHotline(opts, dir, users) : name === "node-minimal" ? await startNodeMinimal(opts, dir, users) : await startKamailio(opts, dir, users, name);
    try {
      reports.set(name, await measure(opts, dir, users, target));
    } finally {
      await target.stop();
    }
  }

  console.log("\nsummary (CPU at the highest clean rate; bytes per binding from PSS growth over all processes):");
  console.log([pad("target", NAME_WIDTH), pad("clean/s", 8), pad("cpu%", 6), pad("us/reg", 7), pad("p99", 8), pad("sipp%", 6), pad("B/binding", 10), "stopped by"].join(" "));
  for (const r of reports.values()) {
    const b = r.best;
    console.log(
      [
        pad(r.name, NAME_WIDTH),
        pad(b ? String(b.rate) : "0", 8),
        pad(b ? fmt((100 * b.targetCpuS) / b.run.wallS) : "-", 6),
        pad(b && b.run.successful > 0 ? fmt((1e6 * b.targetCpuS) / b.run.successful, 1) : "-", 7),
        pad(b ? b.run.p99 : "-", 8),
        pad(b ? fmt((100 * b.run.sippCpuS) / b.run.wallS) : "-", 6),
        pad(r.bytesPerBinding === undefined ? "-" : fmt(r.bytesPerBinding), 10),
        r.stopReason + (r.sippLimited ? " [generator-limited]" : ""),
      ].join(" "),
    );
  }

  for (const r of reports.values()) {
    if (r.selfReport !== undefined) console.log(`${r.name}: memory cross-check, its own accounting: ${r.selfReport}`);
  }

  const h = reports.get("hotline");
  const k = reports.get("kamailio");
  const kdb = reports.get("kamailio-db");
  const nm = reports.get("node-minimal");
  const perS = (r: TargetReport): number => r.best?.rate ?? 0;
  const ratioTo = (ref: TargetReport | undefined): string =>
    h !== undefined && ref !== undefined && perS(ref) > 0 ? (perS(h) / perS(ref)).toFixed(2) : "na";
  console.log(
    `RESULT name=register hotline_per_s=${resultValue(h, perS)} kamailio_per_s=${resultValue(k, perS)} ratio=${ratioTo(k)}` +
      ` hotline_bytes_per_binding=${resultValue(h, (r) => r.bytesPerBinding)} kamailio_bytes_per_binding=${resultValue(k, (r) => r.bytesPerBinding)}` +
      ` kamailio_db_per_s=${resultValue(kdb, perS)} ratio_db=${ratioTo(kdb)} kamailio_db_bytes_per_binding=${resultValue(kdb, (r) => r.bytesPerBinding)}` +
      ` node_minimal_per_s=${resultValue(nm, perS)} ratio_node_minimal=${ratioTo(nm)}`,
  );
  return 0;
}

runBench("register", main, WATCHDOG_MS);
