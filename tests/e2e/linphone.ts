/**
 * linphonec (Debian `linphone-cli`, liblinphone 5.1) as a headless, scriptable softphone
 * for end-to-end tests: unlike baresip 1.0 it can do an attended transfer
 * (`transfer <id1> --to-call <id2>`: REFER with Replaces, RFC 5589 §7).
 * Each instance gets its own HOME and a fresh configuration file (TOOLCHAIN.md), SIP on
 * 127.0.0.1 at a port chosen per run, RTP bound to 127.0.0.1, and `.wav` files instead of
 * a sound card (the machine has none). Commands go to its stdin, its console is read
 * from stdout. linphonec has no lifetime option: a SIGKILL timer bounds the process, and
 * `stop()` sends `quit`, then kills it after a short grace.
 * Set LINPHONE_TRACE=1 to have liblinphone log every SIP message (-d 6) into the output.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, waitFor } from "./harness.ts";

export interface LinphoneOptions {
  username: string;
  password: string;
  /** The switch's SIP port on 127.0.0.1 (the proxy the account registers with). */
  registrarPort: number;
  domain?: string;
  /** Registration interval asked for (`reg_expires`), seconds. */
  regExpires?: number;
  /** Hard bound on the process lifetime; it is SIGKILLed after this. */
  lifetimeSeconds?: number;
}

/** One row of linphonec's `calls` table. */
export interface LinphoneCall {
  id: number;
  /** The remote party's address as linphonec prints it. */
  destination: string;
  /** liblinphone's call state, e.g. `StreamsRunning`, `Paused`, `OutgoingRinging`. */
  state: string;
  flags: string;
}

export interface Linphone {
  sipPort: number;
  home: string;
  aor: string;
  process: ChildProcess;
  output(): string;
  /** Writes one command line to linphonec's stdin. */
  send(line: string): void;
  /** Resolves with the first match of `re` in the output after character offset `from`. */
  waitForOutput(re: RegExp, timeoutMs: number, from?: number): Promise<RegExpMatchArray>;
  /** Runs `calls` and parses the table it prints. */
  calls(timeoutMs?: number): Promise<LinphoneCall[]>;
  /** Sends `quit`, then SIGKILL after `graceMs`; removes the home directory. */
  stop(graceMs?: number): Promise<void>;
}

function rcFile(o: LinphoneOptions, aor: string, sipPort: number): string {
  return [
    "[sip]",
    `sip_port=${sipPort}`,
    // UDP only: the account registers over UDP and no other listener is wanted.
    "sip_tcp_port=0",
    "sip_tls_port=0",
    "guess_hostname=0",
    `contact=sip:${o.username}@127.0.0.1`,
    // Loopback only, no network-state or UPnP probing before REGISTER.
    "register_only_when_network_is_up=0",
    "register_only_when_upnp_is_ok=0",
    "inc_timeout=60",
    "default_proxy=0",
    "[net]",
    "ipv6=0",
    "[rtp]",
    "bind_address=127.0.0.1",
    // A range, not one port: the transferor holds two calls at once, each with its own stream.
    "audio_rtp_port=41000-41999",
    "[sound]",
    "echocancellation=0",
    "[video]",
    "enabled=0",
    "automatically_initiate=0",
    "automatically_accept=0",
    "[proxy_0]",
    `reg_proxy=<sip:127.0.0.1:${o.registrarPort}>`,
    // Every request goes to the switch, whatever the Request-URI's domain (hotline.test
    // resolves nowhere): RFC 3261 §8.1.2 pre-existing route set.
    `reg_route=<sip:127.0.0.1:${o.registrarPort};lr>`,
    `reg_identity=${aor}`,
    `reg_expires=${o.regExpires ?? 60}`,
    "reg_sendregister=1",
    "publish=0",
    "[auth_info_0]",
    `username=${o.username}`,
    `passwd=${o.password}`,
    "",
  ].join("\n");
}

/** Parses linphonec's `calls` table (`id | destination | state | flags`). */
export function parseCalls(text: string): LinphoneCall[] {
  const calls: LinphoneCall[] = [];
  for (const line of text.split("\n")) {
    const m = /^\s*(\d+)\s*\|\s*(.*?)\s*\|\s*(\S+)\s*\|\s*(.*?)\s*$/.exec(line);
    if (m === null) continue;
    calls.push({ id: Number(m[1]), destination: m[2] ?? "", state: m[3] ?? "", flags: m[4] ?? "" });
  }
  return calls;
}

export async function startLinphone(o: LinphoneOptions): Promise<Linphone> {
  const aor = `sip:${o.username}@${o.domain ?? "hotline.test"}`;
  const home = mkdtempSync(join(tmpdir(), "linphone-e2e-"));
  // liblinphone keeps its call log and chat database here; without it, it logs an error.
  mkdirSync(join(home, ".local/share/linphone"), { recursive: true });
  const sipPort = await freePort();
  const rc = join(home, "linphonerc");
  writeFileSync(rc, rcFile(o, aor, sipPort));
  const lifetime = o.lifetimeSeconds ?? 120;
  const child = spawn("linphonec", ["-c", rc, "-d", process.env.LINPHONE_TRACE ? "6" : "0"], {
    env: { ...process.env, HOME: home },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let out = "";
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  child.stdin?.on("error", () => {});
  const killer = setTimeout(() => child.kill("SIGKILL"), lifetime * 1000);
  killer.unref();
  const exited = new Promise<void>((res) => child.once("exit", () => res()));
  const alive = (): boolean => child.exitCode === null && child.signalCode === null;
  const send = (line: string): void => {
    if (alive()) child.stdin?.write(line + "\n");
  };
  const waitForOutput = async (re: RegExp, timeoutMs: number, from = 0): Promise<RegExpMatchArray> => {
    let found: RegExpMatchArray | null = null;
    await waitFor(() => {
      if (!alive()) throw new Error(`linphonec exited (${child.exitCode ?? child.signalCode}):\n${out}`);
      return (found = out.slice(from).match(re)) !== null;
    }, timeoutMs, () => `linphonec printed no ${re} in ${timeoutMs} ms:\n${out.slice(from)}`);
    return found!;
  };
  const l: Linphone = {
    sipPort,
    home,
    aor,
    process: child,
    output: () => out,
    send,
    waitForOutput,
    async calls(timeoutMs = 3000) {
      const from = out.length;
      send("calls");
      // The table ends at the next prompt; "No active call." when there is none.
      const m = await waitForOutput(/(No active call\.?|(?:^.*\|.*\n)+)[\s\S]*?linphonec>/m, timeoutMs, from);
      return parseCalls(m[0]);
    },
    async stop(graceMs = 2000) {
      if (alive()) {
        send("quit");
        const t = setTimeout(() => child.kill("SIGKILL"), graceMs);
        await exited;
        clearTimeout(t);
      }
      clearTimeout(killer);
      rmSync(home, { recursive: true, force: true });
    },
  };
  // linphonec 5.1 ignores the configured sip_port and listens on none (TOOLCHAIN.md):
  // setting it at the prompt opens the socket, and the pending REGISTER then goes out.
  send(`ports sip ${sipPort}`);
  try {
    await waitForOutput(/Setting sip port to \d+/, 10_000);
  } catch (err) {
    await l.stop(0);
    throw err;
  }
  return l;
}
