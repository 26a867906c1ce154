// bench/media: the harness side of the RTP generator (rtp-generator.c, compiled per run and
// started pinned to the load core). Line protocol on its stdin/stdout, described in the C file.

import { execFileSync, type ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { BenchError, isRunning, startPinned, stopChild, tail } from "./proc.ts";

/** What the generator measured over one window (latencies in µs, upper bucket edges). */
export interface WindowReport {
  calls: number;
  windowS: number;
  cpuS: number;
  expected: number;
  received: number;
  duplicates: number;
  misrouted: number;
  bad: number;
  stale: number;
  sendErrors: number;
  recvErrors: number;
  kernelDrops: number;
  skippedSlots: number;
  /** RTCP packets that reached the calls' RTCP sockets (RTP port + 1) during the window. */
  rtcpPackets: number;
  p50Us: number;
  p90Us: number;
  p99Us: number;
  p999Us: number;
  maxUs: number;
  /** How late the 0.25 ms pacing ticks ran: the generator's own event-loop lag. */
  lateP99Us: number;
  lateMaxUs: number;
}

export interface GeneratorCall {
  index: number;
  callerPort: number;
  calleePort: number;
}

export class Generator {
  private readonly lines: string[] = [];
  private waiter: (() => void) | undefined;

  private constructor(
    private readonly child: ChildProcess,
    private readonly stderr: () => string,
  ) {
    const rl = createInterface({ input: child.stdout! }); // stdout is piped by startChild
    rl.on("line", (line) => {
      this.lines.push(line);
      this.waiter?.();
    });
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  /** Compiles rtp-generator.c into `dir`; returns the binary's path. */
  static build(benchDir: string, dir: string): string {
    const bin = join(dir, "rtp-generator");
    try {
      execFileSync("gcc", ["-O2", "-Wall", "-o", bin, join(benchDir, "media", "rtp-generator.c")], { stdio: ["ignore", "pipe", "pipe"] });
    } catch (err) {
      const e = err as { stderr?: Buffer; code?: string };
      if (e.code === "ENOENT") throw new BenchError("gcc not found: the RTP generator is C (apt-get install gcc)");
      throw new BenchError(`compiling the RTP generator failed: ${e.stderr?.toString() ?? String(err)}`);
    }
    return bin;
  }

  /** Starts a fresh generator (no calls) pinned to `core`. */
  static start(bin: string, dir: string, core: number, logName: string): Generator {
    const child = startPinned(String(core), bin, [], { cwd: dir, stdin: true });
    const stderr = tail(child.stderr);
    child.stderr?.pipe(createWriteStream(join(dir, logName)));
    return new Generator(child, stderr);
  }

  private async next(timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (this.lines.length === 0) {
      if (!isRunning(this.child)) throw new BenchError(`the RTP generator exited: ${this.stderr() || "no output"}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new BenchError("the RTP generator did not answer within " + timeoutMs + " ms");
      await new Promise<void>((done) => {
        const t = setTimeout(done, Math.min(left, 200));
        this.waiter = () => {
          clearTimeout(t);
          done();
        };
      });
      this.waiter = undefined;
    }
    const line = this.lines.shift() ?? "";
    if (line.startsWith("error ")) throw new BenchError(`RTP generator: ${line.slice(6)}`);
    return line;
  }

  private write(text: string): void {
    this.child.stdin?.write(text);
  }

  /** Opens `count` new calls (two sockets each); returns their indexes and ports. */
  async open(count: number): Promise<GeneratorCall[]> {
    this.write(`open ${count}\n`);
    const f = (await this.next(10_000)).split(" ");
    if (f[0] !== "opened") throw new BenchError(`RTP generator: unexpected answer to open: ${f.join(" ").slice(0, 200)}`);
    const first = Number(f[1]);
    const out: GeneratorCall[] = [];
    for (let j = 0; j < count; j++) out.push({ index: first + j, callerPort: Number(f[2 + 2 * j]), calleePort: Number(f[3 + 2 * j]) });
    return out;
  }

  /** Points call `index` at the relay's ports (facing the caller, facing the callee) and starts it. */
  async connect(list: Array<{ index: number; toCaller: number; toCallee: number }>): Promise<void> {
    this.write(list.map((c) => `connect ${c.index} ${c.toCaller} ${c.toCallee}\n`).join("") + "sync\n");
    await this.expectOk();
  }

  async close(indexes: number[]): Promise<void> {
    this.write(indexes.map((i) => `close ${i}\n`).join("") + "sync\n");
    await this.expectOk();
  }

  async begin(): Promise<void> {
    this.write("begin\nsync\n");
    await this.expectOk();
  }

  async end(): Promise<void> {
    this.write("end\nsync\n");
    await this.expectOk();
  }

  async report(): Promise<WindowReport> {
    this.write("report\n");
    const line = await this.next(5000);
    if (!line.startsWith("report ")) throw new BenchError(`RTP generator: unexpected answer to report: ${line.slice(0, 200)}`);
    return JSON.parse(line.slice(7)) as WindowReport;
  }

  private async expectOk(): Promise<void> {
    const line = await this.next(10_000);
    if (line !== "ok") throw new BenchError(`RTP generator: expected ok, got ${line.slice(0, 200)}`);
  }

  async stop(): Promise<void> {
    if (isRunning(this.child)) this.write("quit\n");
    await stopChild(this.child, 1000);
  }
}
