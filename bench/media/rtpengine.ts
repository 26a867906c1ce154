// bench/media: rtpengine (Debian rtpengine-daemon) in user space as a target, driven with its
// ng control protocol: "<cookie> <bencoded dict>" per UDP datagram, the answer echoes the
// cookie. A call is an `offer` (the caller's SDP; rtpengine answers with the SDP the callee
// gets, whose port faces the callee) and an `answer` (the callee's SDP; rtpengine answers with
// the SDP the caller gets, whose port faces the caller); `delete` ends it.

import { spawnSync } from "node:child_process";
import { createSocket, type Socket } from "node:dgram";
import { join } from "node:path";
import { bdecode, bencode, type BValue } from "./bencode.ts";
import { BenchError, cpusAllowed, logTo, startPinned, stopChild, tail, threadCount } from "./proc.ts";
import { HOST, RELAY_PORT_MAX, RELAY_PORT_MIN, type CallSpec, type MediaTarget, type RelayPorts } from "./target.ts";

/** Calls set up concurrently (each is two ng round trips). */
const CONCURRENCY = 32;

class NgClient {
  private readonly socket: Socket = createSocket("udp4");
  private readonly pending = new Map<string, (v: { [key: string]: BValue }) => void>();
  private cookie = 0;

  constructor(private readonly port: number) {
    this.socket.on("message", (msg: Buffer) => {
      const space = msg.indexOf(0x20);
      if (space < 0) return;
      const done = this.pending.get(msg.toString("latin1", 0, space));
      if (done === undefined) return;
      try {
        const { value } = bdecode(msg, space + 1);
        if (typeof value === "object" && !Array.isArray(value)) done(value);
      } catch {
        // a broken answer: the request times out and says so
      }
    });
    this.socket.on("error", () => {});
  }

  bind(): Promise<void> {
    return new Promise((done) => this.socket.bind(0, HOST, () => done()));
  }

  /** One ng request; retried once after 1 s (UDP), fails after 2 s without an answer. */
  async request(dict: { [key: string]: BValue }): Promise<{ [key: string]: BValue }> {
    const cookie = `b${++this.cookie}`;
    const wire = Buffer.concat([Buffer.from(`${cookie} `), bencode(dict)]);
    try {
      return await new Promise((done, fail) => {
        const timers: NodeJS.Timeout[] = [];
        this.pending.set(cookie, (v) => {
          timers.forEach(clearTimeout);
          done(v);
        });
        this.socket.send(wire, this.port, HOST);
        timers.push(setTimeout(() => this.socket.send(wire, this.port, HOST), 1000));
        timers.push(setTimeout(() => fail(new BenchError(`rtpengine: no answer to ${String(dict["command"])} within 2 s`)), 2000));
      });
    } finally {
      this.pending.delete(cookie);
    }
  }

  close(): void {
    this.socket.close();
  }
}

function sdp(port: number, session: number): string {
  return [
    "v=0",
    `o=- ${session} 1 IN IP4 ${HOST}`,
    "s=-",
    `c=IN IP4 ${HOST}`,
    "t=0 0",
    `m=audio ${port} RTP/AVP 8 101`,
    "a=rtpmap:8 PCMA/8000",
    "a=rtpmap:101 telephone-event/8000",
    "a=fmtp:101 0-16",
    "a=ptime:20",
    "a=sendrecv",
    "",
  ].join("\r\n");
}

function mediaPort(answer: { [key: string]: BValue }, what: string): number {
  if (answer["result"] !== "ok") throw new BenchError(`rtpengine ${what}: ${String(answer["result"])}: ${String(answer["error-reason"] ?? "")}`);
  const m = /^m=audio (\d+) /m.exec(String(answer["sdp"] ?? ""));
  if (m?.[1] === undefined) throw new BenchError(`rtpengine ${what}: no m=audio line in the answer`);
  return Number(m[1]);
}

async function freeUdpPort(): Promise<number> {
  const s = createSocket("udp4");
  await new Promise<void>((done) => s.bind(0, HOST, () => done()));
  const { port } = s.address();
  await new Promise<void>((done) => s.close(() => done()));
  return port;
}

async function inBatches<T, R>(items: T[], n: number, f: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += n) out.push(...(await Promise.all(items.slice(i, i + n).map(f))));
  return out;
}

export async function startRtpengine(dir: string, core: string): Promise<MediaTarget & { cpus: string }> {
  // `rtpengine --version` prints "Version: …" on stderr.
  const v = spawnSync("rtpengine", ["--version"], { encoding: "utf8" });
  if (v.error !== undefined) throw new BenchError(`rtpengine not found (apt-get install rtpengine-daemon): ${v.error.message}`);
  let version = `${v.stdout}${v.stderr}`.trim();
  version = `rtpengine ${version.replace(/^Version:\s*/, "")} (user space, --num-threads=1)`;
  const ngPort = await freeUdpPort();
  // User space only (--table=-1: no kernel forwarding table), one worker thread, no config file.
  const args = [
    "--config-file=none", "--foreground", "--log-stderr", "--log-level=5",
    "--table=-1", `--interface=${HOST}`, `--listen-ng=${HOST}:${ngPort}`,
    `--port-min=${RELAY_PORT_MIN}`, `--port-max=${RELAY_PORT_MAX}`, "--num-threads=1", "--delete-delay=0",
  ];
  const child = startPinned(core, "rtpengine", args, { cwd: dir });
  logTo(child, join(dir, "rtpengine.log"));
  const stderr = tail(child.stderr);
  const ng = new NgClient(ngPort);
  await ng.bind();
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new BenchError(`rtpengine did not start: ${stderr() || "no output"}`);
    const pong = await ng.request({ command: "ping" }).catch(() => undefined);
    if (pong?.["result"] === "pong") break;
    if (Date.now() > deadline) throw new BenchError(`rtpengine did not answer ping within 10 s: ${stderr() || "no output"}`);
  }
  const pid = child.pid ?? 0;
  const callId = (id: number): string => `bench-${id}`;
  return {
    name: "rtpengine",
    version,
    pid,
    cpus: cpusAllowed(pid),
    add: (calls: CallSpec[]): Promise<RelayPorts[]> =>
      inBatches(calls, CONCURRENCY, async (c) => {
        const common = { "call-id": callId(c.id), "from-tag": `f${c.id}` };
        const offer = await ng.request({ command: "offer", ...common, sdp: sdp(c.caller, c.id) });
        const toCallee = mediaPort(offer, "offer");
        const answer = await ng.request({ command: "answer", ...common, "to-tag": `t${c.id}`, sdp: sdp(c.callee, c.id) });
        return { id: c.id, toCaller: mediaPort(answer, "answer"), toCallee };
      }),
    async remove(ids: number[]): Promise<void> {
      await inBatches(ids, CONCURRENCY, (id) => ng.request({ command: "delete", "call-id": callId(id), "from-tag": `f${id}` }));
    },
    selfReport: () => Promise.resolve(`${threadCount(pid)} threads`),
    async stop(): Promise<void> {
      ng.close();
      await stopChild(child, 3000);
    },
  };
}
