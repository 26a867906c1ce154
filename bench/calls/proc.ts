// bench/calls: the processes the harness starts (bookkeeping, stopping, logs), what it reads
// about them from /proc, free ports and readiness probes. Shared with bench/register.ts and
// bench/acd-calls.ts; the child-process helpers shared with bench/media are in
// bench/lib/children.ts.

import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createSocket, type Socket } from "node:dgram";
import { readFileSync, readdirSync } from "node:fs";
import { request } from "node:http";
import { createServer } from "node:net";
import { BenchError, CLK_TCK, cpusAllowed, exited, isRunning, killAll, killGroup, logTo, sleep, startChild, statFields, stopChild, tail, timeout } from "../lib/children.ts";

export { BenchError, CLK_TCK, cpusAllowed, exited, isRunning, killAll, killGroup, logTo, sleep, startChild, statFields, stopChild, tail, timeout };

export const HOST = "127.0.0.1";

// ---------------------------------------------------------------------------------------
// /proc readings, summed over a process and its descendants (Kamailio forks its workers and
// tm timers; Node is one process with threads, already summed).

export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = Number(statFields(readFileSync(`/proc/${entry}/stat`, "utf8"))[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // exited while scanning
    }
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i] ?? -1) ?? []));
  return tree;
}

/** utime + stime of every process in `pids`, in seconds. */
export function cpuSeconds(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const f = statFields(readFileSync(`/proc/${pid}/stat`, "utf8"));
      ticks += Number(f[11]) + Number(f[12]);
    } catch {
      // exited
    }
  }
  return ticks / CLK_TCK;
}

/**
 * Open file descriptors over `pids`. Sampled during a step: hotline holds an RTP/RTCP socket
 * pair per anchored leg, so its count follows the live calls; a proxy's stays flat.
 */
export function openFds(pids: readonly number[]): number {
  let n = 0;
  for (const pid of pids) {
    try {
      n += readdirSync(`/proc/${pid}/fd`).length;
    } catch {
      // exited
    }
  }
  return n;
}

/** user+nice+system seconds spent on one CPU, from /proc/stat (softirq and steal not included). */
export function cpuBusySeconds(cpu: number): number {
  const m = new RegExp(`^cpu${cpu} (\\d+) (\\d+) (\\d+)`, "m").exec(readFileSync("/proc/stat", "utf8"));
  return m === null ? NaN : (Number(m[1]) + Number(m[2]) + Number(m[3])) / CLK_TCK;
}

/** Kernel receive-buffer drops of the UDP sockets bound to 127.0.0.1:<port> (/proc/net/udp "drops"). */
export function udpDrops(port: number): number {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  let drops = 0;
  try {
    for (const line of readFileSync("/proc/net/udp", "utf8").split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[1] === local) drops += Number(f[f.length - 1]) || 0;
    }
  } catch {
    // no procfs
  }
  return drops;
}

/** True when some socket is bound to 127.0.0.1:<port> over UDP (a SIPp that has started listening). */
export function udpBound(port: number): boolean {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  try {
    return readFileSync("/proc/net/udp", "utf8").split("\n").some((line) => line.trim().split(/\s+/)[1] === local);
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------
// Ports and readiness probes.

/** A UDP port free at 127.0.0.1 right now, never 5060. */
export function freeUdpPort(): Promise<number> {
  return new Promise((done, fail) => {
    const s = createSocket("udp4");
    s.once("error", fail);
    s.bind(0, HOST, () => {
      const { port } = s.address();
      s.close(() => (port === 5060 ? freeUdpPort().then(done, fail) : done(port)));
    });
  });
}

function bindUdp(port: number): Promise<Socket | undefined> {
  return new Promise((done) => {
    const s = createSocket("udp4");
    s.once("error", () => {
      s.close();
      done(undefined);
    });
    s.bind(port, HOST, () => done(s));
  });
}

/**
 * `count` blocks of `size` consecutive UDP ports, all free at 127.0.0.1 right now and not
 * overlapping. SIPp binds its media port p and p + 2 (audio, video), so each SIPp needs a
 * block, not a port. The ports are held until every block is found, then released.
 */
export async function freeUdpBlocks(count: number, size: number): Promise<number[]> {
  const held: Socket[] = [];
  const blocks: number[] = [];
  try {
    for (let attempt = 0; blocks.length < count && attempt < 50; attempt++) {
      const first = await bindUdp(0);
      if (first === undefined) continue;
      held.push(first);
      const base = first.address().port;
      if (base + size > 65535) continue;
      const rest: Socket[] = [];
      for (let p = base + 1; p < base + size; p++) {
        const s = await bindUdp(p);
        if (s === undefined) break;
        rest.push(s);
      }
      held.push(...rest);
      if (rest.length === size - 1) blocks.push(base);
    }
  } finally {
    await Promise.all(held.map((s) => new Promise<void>((done) => s.close(() => done()))));
  }
  if (blocks.length < count) throw new BenchError(`no ${count} blocks of ${size} free UDP ports found`);
  return blocks;
}

export function freeTcpPort(): Promise<number> {
  return new Promise((done, fail) => {
    const srv = createServer();
    srv.once("error", fail);
    srv.listen(0, HOST, () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr !== null ? addr.port : 0;
      srv.close(() => done(port));
    });
  });
}

/**
 * One SIP OPTIONS over UDP; resolves with the status line of the first answer, or undefined.
 * `fromHost`: the host part of the From URI (bench/register sends its SIP domain).
 */
export function sipOptions(port: number, timeoutMs: number, fromHost = HOST): Promise<string | undefined> {
  return new Promise((done) => {
    const s = createSocket("udp4");
    const finish = (v: string | undefined): void => {
      clearTimeout(timer);
      s.close();
      done(v);
    };
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    s.once("error", () => finish(undefined));
    s.on("message", (msg: Buffer) => {
      const line = msg.toString("utf8").split("\r\n", 1)[0] ?? "";
      if (line.startsWith("SIP/2.0 ")) finish(line);
    });
    s.bind(0, HOST, () => {
      const local = s.address().port;
      const tag = randomBytes(6).toString("hex");
      const text = [
        `OPTIONS sip:${HOST}:${port} SIP/2.0`,
        `Via: SIP/2.0/UDP ${HOST}:${local};branch=z9hG4bK${tag};rport`,
        "Max-Forwards: 70",
        `From: <sip:bench@${fromHost}>;tag=${tag}`,
        `To: <sip:${HOST}:${port}>`,
        `Call-ID: ${tag}@${HOST}`,
        "CSeq: 1 OPTIONS",
        `Contact: <sip:bench@${HOST}:${local}>`,
        "Content-Length: 0",
        "",
        "",
      ].join("\r\n");
      s.send(text, port, HOST);
    });
  });
}

/** The status code of one HTTP request to 127.0.0.1:<port><path>, or undefined (no answer in time). */
export function httpStatus(port: number, path: string, timeoutMs: number, method = "GET"): Promise<number | undefined> {
  return new Promise((done) => {
    const req = request({ host: HOST, port, path, method, timeout: timeoutMs }, (res) => {
      res.resume();
      done(res.statusCode);
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => done(undefined));
    req.end();
  });
}

/** Polls `probe` until it returns true; fails early if `child` exits. */
export async function waitReady(child: ChildProcess, what: string, timeoutMs: number, probe: () => Promise<boolean>, output: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isRunning(child)) {
      throw new BenchError(`${what} did not start: exited (${child.exitCode ?? child.signalCode}): ${output() || "no output"}`);
    }
    if (await probe()) return;
    await sleep(100);
  }
  throw new BenchError(`${what} did not start: not ready within ${timeoutMs / 1000} s: ${output() || "no output"}`);
}
