/**
 * baresip 1.0 as a headless, scriptable softphone for end-to-end tests (TOOLCHAIN.md):
 * its own config directory, SIP on 127.0.0.1 and a port chosen per run, no stdio UI,
 * a sine-wave source and a null player for audio, and control over `ctrl_tcp`
 * (netstring-framed JSON commands; events arrive on the same connection).
 * The process is bounded by `-t` and by a SIGKILL timer, and `stop()` kills it after a
 * short SIGTERM grace: when the registrar is gone baresip waits for its un-REGISTER.
 * Set BARESIP_TRACE=1 to have baresip print every SIP message it sends and receives (-s).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, waitFor } from "./harness.ts";

export interface BaresipOptions {
  username: string;
  password: string;
  /** The switch's SIP port on 127.0.0.1 (the account's outbound proxy). */
  registrarPort: number;
  domain?: string;
  transport?: "udp" | "tcp" | "tls";
  /** PEM file of CA certificates baresip trusts for SIP over TLS (`sip_cafile`). */
  caFile?: string;
  /** Registration interval asked for (the account's `regint`), seconds. */
  regint?: number;
  /** Extra account parameters, e.g. `answermode=auto`. */
  accountParams?: string[];
  /** Hard bound on the process lifetime; it is SIGKILLed after this. */
  lifetimeSeconds?: number;
  /** Frequency of the ausine source in Hz (ausine accepts 10..20000); default 440. */
  audioFrequency?: number;
  /**
   * Record each call's audio with the sndfile module into this folder: `dump-<time>-dec.wav`
   * is what the phone received (decoded), `dump-<time>-enc.wav` what it sent.
   */
  recordDir?: string;
}

/** A ctrl_tcp event, e.g. `{ event: true, class: "register", type: "REGISTER_OK", ... }`. */
export interface BaresipEvent {
  event: true;
  class?: string;
  type?: string;
  accountaor?: string;
  param?: string;
  [key: string]: unknown;
}

export interface BaresipResponse {
  response: true;
  ok: boolean;
  data?: string;
  token?: string;
}

export interface Baresip {
  sipPort: number;
  ctrlPort: number;
  dir: string;
  aor: string;
  process: ChildProcess;
  /** Events received since ctrl_tcp connected, oldest first (the boot-time REGISTER_OK is often earlier). */
  events: BaresipEvent[];
  output(): string;
  command(command: string, params?: string, timeoutMs?: number): Promise<BaresipResponse>;
  /** Resolves with the first event (already received or future) matching `pred` after index `from`. */
  waitForEvent(pred: (e: BaresipEvent) => boolean, timeoutMs: number, from?: number): Promise<BaresipEvent>;
  /** SIGTERM, then SIGKILL after `graceMs`; removes the config directory. */
  stop(graceMs?: number): Promise<void>;
}

const MODULES = "/usr/lib/baresip/modules";

/** baresip colours its console text (e.g. reginfo's OK/ERR); tests read it plain. */
export function stripAnsi(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\x1b\[[0-9;]*m/g, "");
}

/** Encodes one netstring (`<len>:<bytes>,`). */
export function netstring(s: string): Buffer {
  const body = Buffer.from(s, "utf8");
  return Buffer.concat([Buffer.from(`${body.length}:`), body, Buffer.from(",")]);
}

/** Splits complete netstrings off the front of `buf`; returns them and the rest. */
export function readNetstrings(buf: Buffer): { items: string[]; rest: Buffer } {
  const items: string[] = [];
  let at = 0;
  for (;;) {
    const colon = buf.indexOf(0x3a, at);
    if (colon === -1) break;
    const len = Number(buf.subarray(at, colon).toString("latin1"));
    if (!Number.isInteger(len) || len < 0) throw new Error(`bad netstring length at ${at}`);
    if (buf.length < colon + 1 + len + 1) break;
    items.push(buf.subarray(colon + 1, colon + 1 + len).toString("utf8"));
    at = colon + 1 + len + 1;
  }
  return { items, rest: buf.subarray(at) };
}

function configFile(sipPort: number, ctrlPort: number, caFile: string | undefined, audio: { frequency?: number; recordDir?: string } = {}): string {
  return [
    "poll_method epoll",
    `sip_listen 127.0.0.1:${sipPort}`,
    ...(caFile !== undefined ? [`sip_cafile ${caFile}`] : []),
    "net_interface 127.0.0.1",
    "call_local_timeout 120",
    "call_max_calls 4",
    "audio_buffer 20-160",
    "audio_player aubridge,null",
    `audio_source ausine,${audio.frequency ?? 440}`,
    "audio_alert aubridge,null",
    "ausrc_srate 48000",
    "ausrc_channels 2",
    "rtp_ports 20000-40000",
    "rtcp_mux no",
    "jitter_buffer_delay 5-10",
    `module_path ${MODULES}`,
    "module g711.so",
    "module ausine.so",
    "module aubridge.so",
    ...(audio.recordDir !== undefined ? ["module sndfile.so", `snd_path ${audio.recordDir}`] : []),
    "module_tmp uuid.so",
    "module_tmp account.so",
    "module_app menu.so",
    "module_app ctrl_tcp.so",
    `ctrl_tcp_listen 127.0.0.1:${ctrlPort}`,
    "",
  ].join("\n");
}

/** baresip 1.0 also listens for SIP over TLS on sip_listen's port + 1 (no setting turns it off). */
async function freeSipPort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const p = await freePort();
    const nextFree = await new Promise<boolean>((res) => {
      const s = createServer();
      s.once("error", () => res(false));
      s.listen(p + 1, "127.0.0.1", () => s.close(() => res(true)));
    });
    if (p < 65535 && nextFree) return p;
  }
  throw new Error("no free port pair for baresip");
}

/** Connects to ctrl_tcp, retrying while baresip starts up. */
async function connectCtrl(port: number, child: ChildProcess, output: () => string): Promise<Socket> {
  const conn: { sock?: Socket } = {};
  await waitFor(async () => {
    if (child.exitCode !== null) throw new Error(`baresip exited ${child.exitCode}:\n${output()}`);
    conn.sock = await new Promise<Socket | undefined>((res) => {
      const s = connect(port, "127.0.0.1");
      s.once("connect", () => res(s));
      s.once("error", () => res(undefined));
    });
    return conn.sock !== undefined;
  }, 10_000, () => `baresip ctrl_tcp did not open on ${port}:\n${output()}`);
  return conn.sock!;
}

interface Spawned {
  child: ChildProcess;
  dir: string;
  sipPort: number;
  ctrlPort: number;
  ctrl: Socket;
  killer: NodeJS.Timeout;
  exited: Promise<void>;
  output: () => string;
}

/** Writes a fresh config and starts baresip; resolves once ctrl_tcp accepts a connection. */
async function spawnBaresip(o: BaresipOptions, aor: string): Promise<Spawned> {
  const dir = mkdtempSync(join(tmpdir(), "baresip-e2e-"));
  const sipPort = await freeSipPort();
  const ctrlPort = await freePort();
  const transport = o.transport ?? "udp";
  const account = [
    `<${aor}${transport === "udp" ? "" : `;transport=${transport}`}>`,
    `auth_pass=${o.password}`,
    `outbound="sip:127.0.0.1:${o.registrarPort};transport=${transport}"`,
    `regint=${o.regint ?? 60}`,
    ...(o.accountParams ?? []),
  ].join(";");
  writeFileSync(join(dir, "config"), configFile(sipPort, ctrlPort, o.caFile, { ...(o.audioFrequency !== undefined && { frequency: o.audioFrequency }), ...(o.recordDir !== undefined && { recordDir: o.recordDir }) }));
  writeFileSync(join(dir, "accounts"), account + "\n");
  writeFileSync(join(dir, "contacts"), "");
  const lifetime = o.lifetimeSeconds ?? 120;
  const child = spawn("baresip", ["-f", dir, "-t", String(lifetime), ...(process.env.BARESIP_TRACE ? ["-s"] : [])], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  const killer = setTimeout(() => child.kill("SIGKILL"), (lifetime + 5) * 1000);
  killer.unref();
  const exited = new Promise<void>((res) => child.once("exit", () => res()));
  try {
    const ctrl = await connectCtrl(ctrlPort, child, () => out);
    return { child, dir, sipPort, ctrlPort, ctrl, killer, exited, output: () => out };
  } catch (err) {
    child.kill("SIGKILL");
    await exited;
    clearTimeout(killer);
    rmSync(dir, { recursive: true, force: true });
    throw Object.assign(err as Error, { output: out });
  }
}

export async function startBaresip(o: BaresipOptions): Promise<Baresip> {
  const aor = `sip:${o.username}@${o.domain ?? "hotline.test"}`;
  let spawned: Spawned | undefined;
  // Ports are chosen free, then bound by baresip: another process may take one in between.
  for (let attempt = 1; spawned === undefined; attempt++) {
    try {
      spawned = await spawnBaresip(o, aor);
    } catch (err) {
      if (attempt >= 3 || !/Address already in use/.test((err as { output?: string }).output ?? "")) throw err;
    }
  }
  const { child, dir, sipPort, ctrlPort, ctrl, killer, exited } = spawned;
  const out = spawned.output;

  const events: BaresipEvent[] = [];
  const pending = new Map<string, (r: BaresipResponse) => void>();
  let buf: Buffer = Buffer.alloc(0);
  ctrl.on("data", (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    const { items, rest } = readNetstrings(buf);
    buf = rest;
    for (const item of items) {
      const msg = JSON.parse(item) as (BaresipEvent | BaresipResponse) & { token?: string };
      if ("event" in msg && msg.event) events.push(msg);
      else if (msg.token !== undefined) {
        pending.get(msg.token)?.(msg as BaresipResponse);
        pending.delete(msg.token);
      }
    }
  });
  ctrl.on("error", () => {});
  let seq = 0;

  const b: Baresip = {
    sipPort,
    ctrlPort,
    dir,
    aor,
    process: child,
    events,
    output: out,
    command(command, params = "", timeoutMs = 5000) {
      const token = `t${++seq}`;
      return new Promise<BaresipResponse>((res, rej) => {
        const t = setTimeout(() => {
          pending.delete(token);
          rej(new Error(`baresip ${command}: no response in ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(token, (r) => {
          clearTimeout(t);
          res(r);
        });
        ctrl.write(netstring(JSON.stringify({ command, params, token })));
      });
    },
    async waitForEvent(pred, timeoutMs, from = 0) {
      let found: BaresipEvent | undefined;
      await waitFor(() => (found = events.slice(from).find(pred)) !== undefined, timeoutMs, () => `no matching baresip event in ${timeoutMs} ms; events: ${JSON.stringify(events.map((e) => e.type))}\n${out()}`);
      return found!;
    },
    async stop(graceMs = 1000) {
      ctrl.destroy();
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const t = setTimeout(() => child.kill("SIGKILL"), graceMs);
        await exited;
        clearTimeout(t);
      }
      clearTimeout(killer);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return b;
}
