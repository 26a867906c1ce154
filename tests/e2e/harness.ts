/**
 * End-to-end harness: starts a real hotline process on 127.0.0.1 with ports chosen per
 * run, and drives real peers (SIPp, baresip, sipvicious) against it. Every spawned
 * process is bounded in time and killed on teardown.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { createSocket } from "node:dgram";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "../..");
export const SIPP_DIR = join(ROOT, "fixtures/sipp");

/** A port free on both UDP and TCP at 127.0.0.1 right now (best effort: bind, then release). */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((res, rej) => {
      const s = createServer();
      s.once("error", rej);
      s.listen(0, "127.0.0.1", () => {
        const a = s.address();
        s.close(() => res(typeof a === "object" && a !== null ? a.port : 0));
      });
    });
    const udpFree = await new Promise<boolean>((res) => {
      const u = createSocket("udp4");
      u.once("error", () => res(false));
      u.bind(port, "127.0.0.1", () => u.close(() => res(true)));
    });
    if (udpFree) return port;
  }
  throw new Error("no free port found");
}

/** Media ports handed to SIPp (`-mp`) in this process, so two SIPps of one file never share. */
const sippMediaTaken = new Set<number>();

/**
 * A base for SIPp's `-mp`: SIPp binds RTP and RTCP for audio and video at mp … mp+3. Taken from
 * 20000–29999, below the kernel's ephemeral range (where freePort's SIP ports come from) and
 * below every hotline media range the e2e files configure (30000 and up), so neither a hotline
 * nor another peer grabs it between this check and SIPp's bind. Chosen at random so test files
 * running side by side rarely meet; the four ports are checked free on UDP first.
 */
export async function sippMediaPort(): Promise<number> {
  const udpFree = (port: number): Promise<boolean> =>
    new Promise((res) => {
      const u = createSocket("udp4");
      u.once("error", () => res(false));
      u.bind(port, "127.0.0.1", () => u.close(() => res(true)));
    });
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20000 + 4 * Math.floor(Math.random() * 2500);
    if (sippMediaTaken.has(base)) continue;
    let free = true;
    for (let i = 0; i < 4 && free; i++) free = await udpFree(base + i);
    if (!free) continue;
    sippMediaTaken.add(base);
    return base;
  }
  throw new Error("no free SIPp media ports in 20000–29999");
}

export interface TestUser {
  username: string;
  password: string;
}

export interface Hotline {
  sipPort: number;
  /** Port of each listen entry by transport name (`udp`, `tcp`, `tls`, …). */
  ports: Record<string, number>;
  httpPort: number;
  dataDir: string;
  configPath: string;
  process: ChildProcess;
  output: () => string;
  api<T = unknown>(path: string): Promise<T>;
  metrics(): Promise<string>;
  stop(): Promise<void>;
  kill9(): Promise<void>;
}

export interface StartOptions {
  users?: TestUser[];
  /** Extra YAML appended under the top level (must not repeat keys the harness sets). */
  extraYaml?: string;
  registrar?: Record<string, number>;
  /** Rendered under `registrar:` as `keepalive: { … }` (README.md, registrar.keepalive.*). */
  keepalive?: KeepaliveOptions;
  bruteForce?: { maxFailures: number; windowSeconds: number; blockSeconds: number };
  dataDir?: string;
  sipPort?: number;
  httpPort?: number;
  /**
   * Listen entries on 127.0.0.1: a transport name listens on `sipPort`; an object can carry
   * its own port (a free one is chosen when omitted for `tls`/`ws`/`wss`, `sipPort` otherwise)
   * and, for `tls`/`wss`, the PEM certificate and key paths.
   */
  transports?: (string | ListenEntry)[];
}

export interface ListenEntry {
  transport: string;
  port?: number;
  cert?: string;
  key?: string;
}

export interface KeepaliveOptions {
  method?: "options" | "crlf" | "none";
  scope?: "nat" | "all";
  intervalSeconds?: number;
  failuresBeforeUnreachable?: number;
}

const CLI = join(ROOT, "packages/server/src/cli.ts");

export async function startHotline(opts: StartOptions = {}): Promise<Hotline> {
  const sipPort = opts.sipPort ?? (await freePort());
  const httpPort = opts.httpPort ?? (await freePort());
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), "hotline-e2e-"));
  const configPath = join(dataDir, "hotline.yaml");
  const users = (opts.users ?? []).map((u) => `  - { username: "${u.username}", password: "${u.password}" }`).join("\n");
  const registrar = Object.entries({ minExpires: 60, ...(opts.registrar ?? {}) }).map(([k, v]) => `  ${k}: ${v}`).join("\n");
  const keepalive = opts.keepalive === undefined ? "" : `  keepalive: { ${Object.entries(opts.keepalive).map(([k, v]) => `${k}: ${v}`).join(", ")} }`;
  const bf = opts.bruteForce ?? { maxFailures: 1000, windowSeconds: 60, blockSeconds: 60 };
  const transports: (ListenEntry & { port: number })[] = [];
  for (const t of opts.transports ?? ["udp", "tcp"]) {
    const e = typeof t === "string" ? { transport: t } : t;
    // Stream transports may not share a port with each other, so they get their own by default.
    const port = e.port ?? (["tls", "ws", "wss"].includes(e.transport) ? await freePort() : sipPort);
    transports.push({ ...e, port });
  }
  // A JSON string is a valid YAML double-quoted scalar (temp paths may hold any character).
  const yamlString = (s: string): string => JSON.stringify(s);
  writeFileSync(
    configPath,
    [
      "sip:",
      "  domain: hotline.test",
      "  listen:",
      ...transports.map((t) => {
        const pem = [t.cert !== undefined ? `, cert: ${yamlString(t.cert)}` : "", t.key !== undefined ? `, key: ${yamlString(t.key)}` : ""].join("");
        return `    - { transport: ${t.transport}, host: 127.0.0.1, port: ${t.port}${pem} }`;
      }),
      `http: { host: 127.0.0.1, port: ${httpPort} }`,
      "demo: { extensions: [] }",
      "log: { level: info }",
      `auth: { bruteForce: { maxFailures: ${bf.maxFailures}, windowSeconds: ${bf.windowSeconds}, blockSeconds: ${bf.blockSeconds} } }`,
      "registrar:",
      registrar,
      keepalive,
      users === "" ? "" : `users:\n${users}`,
      opts.extraYaml ?? "",
    ].join("\n"),
  );
  const child = spawn(process.execPath, ["--conditions=hotline-source", "--import", "tsx", CLI, "start", "--config", configPath, "--data", dataDir], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  const base = `http://127.0.0.1:${httpPort}`;
  const h: Hotline = {
    sipPort,
    ports: Object.fromEntries(transports.map((t) => [t.transport, t.port])),
    httpPort,
    dataDir,
    configPath,
    process: child,
    output: () => out,
    async api<T>(path: string): Promise<T> {
      const r = await fetch(base + path);
      if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
      return (await r.json()) as T;
    },
    async metrics() {
      return (await fetch(base + "/metrics")).text();
    },
    async stop() {
      // A process killed by a signal has exitCode null and signalCode set: it has exited too.
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((res) => child.once("exit", () => res()));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    },
    async kill9() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((res) => child.once("exit", () => res()));
      child.kill("SIGKILL");
      await exited;
    },
  };
  await waitFor(async () => {
    if (child.exitCode !== null) throw new Error(`hotline exited ${child.exitCode}:\n${out}`);
    try {
      return (await fetch(base + "/api/status")).ok;
    } catch {
      return false;
    }
  }, 20_000, () => `hotline did not become ready:\n${out}`);
  return h;
}

export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs: number, what: () => string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(what());
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export interface SippResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Contents of the -trace_msg log, for evidence in failures. */
  messages: string;
  successful: number;
  failed: number;
  retransmissions: number;
}

export interface SippOptions {
  scenario: string;
  port: number;
  /** SIPp's own local port; chosen per run when omitted. */
  localPort?: number;
  calls?: number;
  rate?: number;
  timeoutSeconds?: number;
  injection?: string;
  keys?: Record<string, string>;
  transport?: "u1" | "t1" | "un";
  extra?: string[];
}

/** Runs SIPp once against 127.0.0.1:port, bounded by -m and -timeout. */
export async function runSipp(o: SippOptions): Promise<SippResult> {
  const dir = mkdtempSync(join(tmpdir(), "sipp-"));
  const localPort = o.localPort ?? (await freePort());
  const args = [
    "-sf", o.scenario.includes("/") ? o.scenario : join(SIPP_DIR, o.scenario),
    `127.0.0.1:${o.port}`,
    "-i", "127.0.0.1", "-p", String(localPort),
    "-m", String(o.calls ?? 1), "-r", String(o.rate ?? 10),
    "-t", o.transport ?? "u1",
    "-nostdin", "-timeout", `${o.timeoutSeconds ?? 20}s`, "-timeout_error",
    "-trace_msg", "-message_file", join(dir, "msg.log"),
    "-trace_stat", "-stf", join(dir, "stat.csv"),
    "-trace_err", "-error_file", join(dir, "err.log"),
    ...(o.injection !== undefined ? ["-inf", o.injection] : []),
    ...Object.entries(o.keys ?? {}).flatMap(([k, v]) => ["-key", k, v]),
    ...(o.extra ?? []),
  ];
  const child = spawn("sipp", args, { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const killer = setTimeout(() => child.kill("SIGKILL"), ((o.timeoutSeconds ?? 20) + 10) * 1000);
  const code = await new Promise<number | null>((res) => child.once("exit", (c) => res(c)));
  clearTimeout(killer);
  const read = (f: string): string => {
    try {
      return readFileSync(join(dir, f), "utf8");
    } catch {
      return "";
    }
  };
  const stats = parseSippStats(read("stat.csv"));
  const messages = read("msg.log") + read("err.log");
  rmSync(dir, { recursive: true, force: true });
  return { code, stdout, stderr, messages, ...stats };
}

/** Reads the last row of SIPp's -trace_stat CSV (cumulative counters). */
export function parseSippStats(csv: string): { successful: number; failed: number; retransmissions: number } {
  const lines = csv.trim().split("\n");
  if (lines.length < 2) return { successful: 0, failed: 0, retransmissions: 0 };
  const head = lines[0]!.split(";");
  const last = lines[lines.length - 1]!.split(";");
  const col = (name: string): number => Number(last[head.indexOf(name)] ?? 0);
  return { successful: col("SuccessfulCall(C)"), failed: col("FailedCall(C)"), retransmissions: col("Retransmissions(C)") };
}

/** Writes a SIPp injection CSV (SEQUENTIAL) in a temp dir and returns its path. */
export function injectionFile(rows: string[][]): string {
  const dir = mkdtempSync(join(tmpdir(), "sipp-inf-"));
  const path = join(dir, "users.csv");
  writeFileSync(path, ["SEQUENTIAL", ...rows.map((r) => r.join(";"))].join("\n") + "\n");
  return path;
}

/** One sample of a Prometheus text rendering (`name{a="b"} 3`); 0 when absent. Labels must match exactly. */
export function metricValue(text: string, name: string, labels: Record<string, string | number> = {}): number {
  // Label keys sorted, as the server's Metrics renders them (otherwise a query with the
  // labels in another order would silently read an absent metric as 0).
  const want = Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}="${v}"`)
    .join(",");
  const prefix = want === "" ? `${name} ` : `${name}{${want}} `;
  const line = text.split("\n").find((l) => l.startsWith(prefix));
  return line === undefined ? 0 : Number(line.slice(prefix.length));
}

/** One row of GET /api/registrations (packages/server/src/reports.ts). */
export interface Registration {
  aor: string;
  contact: string;
  source: { transport: string; address: string; port: number; connectionId?: string };
  expiresAt: number;
  expiresInSeconds: number;
  q: number | null;
  userAgent: string | null;
  reachable: boolean;
  keepaliveFailures: number;
  callId: string;
  cseq: number;
  instanceId: string | null;
  regId: number | null;
  updatedAt: number;
}

export async function registrations(h: Hotline): Promise<Registration[]> {
  return (await h.api<{ registrations: Registration[] }>("/api/registrations")).registrations;
}


/** Media counters of a leg in GET /api/calls (the media engine's stats; only the fields the tests read). */
export interface LegMedia {
  packetsIn: number;
  packetsOut: number;
  dtmfIn: number;
}

/** One leg of a row of GET /api/calls (packages/server/src/reports.ts, callsReport). */
export interface LiveLeg {
  id: string;
  role: string;
  party: string;
  /** A leg that has hung up (a transferor) while its call goes on. */
  ended: boolean;
  onHold: boolean;
  media: LegMedia | null;
}

/** One row of GET /api/calls (packages/server/src/reports.ts, callsReport). */
export interface LiveCall {
  id: string;
  state: string;
  caller: string;
  dialed: string;
  answeredBy: string | null;
  connectedTo: string | null;
  parkedSlot: string | null;
  legs: LiveLeg[];
}

export async function liveCalls(h: Hotline): Promise<LiveCall[]> {
  return (await h.api<{ calls: LiveCall[] }>("/api/calls")).calls;
}

/** One event of GET /api/journal (packages/server/src/http/record-routes.ts). */
export interface JournalEvent {
  seq: number;
  at: number;
  type: string;
  callId: string | null;
  data: Record<string, unknown>;
}

/** GET /api/journal?`query` (the route's default limit is 100: pass `limit=` to read more). */
export async function journal(h: Hotline, query: string): Promise<JournalEvent[]> {
  return (await h.api<{ events: JournalEvent[] }>(`/api/journal?${query}`)).events;
}
