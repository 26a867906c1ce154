// Micro-benchmark of the media engine's per-packet cost (not the full media bench: that is
// bench/media.ts). Two parts, both printed in µs or ns per packet:
//
//  1. In-process, no sockets: RelaySession.receiveRtp for one bridged pair (PCMA → PCMA, and
//     PCMA → PCMU with in-place transcoding), against a baseline that only re-stamps the
//     input header (the loop's own cost). Best of 20 batches.
//  2. Real sockets on 127.0.0.1: a generator sends 20 ms G.711 packets both ways for N calls
//     (a few thousand packets/s) through (a) the engine (`workers: 0`) and (b) a minimal raw
//     relay (connected sockets, forward as is), each in a child process; CPU time of that
//     process (utime+stime from process.cpuUsage) over the measuring window / packets relayed.
//
// Run: node --conditions=hotline-source --import tsx bench/media-micro.ts [--calls 100] [--seconds 5]
// Bounded: one target at a time, ~3 × (seconds + 2) s in all; children are killed at the end.
import { fork } from "node:child_process";
import { createSocket, type Socket } from "node:dgram";
import { fileURLToPath } from "node:url";
// bench/package.json does not list @hotline/media: the package's entry points are imported by path.
import { RelaySession, type RelayEndpoint, type RelayOutput } from "../packages/media/src/index.ts";

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};

// ---------------------------------------------------------------- child roles (real sockets)

if (args[0] === "--child") {
  await runChild(args[1] ?? "engine", Number(args[2]), Number(args[3]));
} else {
  await main();
}

async function main(): Promise<void> {
  const calls = option("calls", 100);
  const seconds = option("seconds", 5);
  console.log("media-micro: pure relay path (in-process, no sockets)");
  const pure = pureBench();
  for (const [name, ns] of Object.entries(pure)) console.log(`  ${name.padEnd(34)} ${ns.toFixed(1)} ns/packet`);
  console.log(`media-micro: real sockets, ${calls} calls × 2 directions × 50 packets/s = ${calls * 100} packets/s, ${seconds} s measured`);
  const results: Record<string, number> = {};
  for (const target of (process.env["MEDIA_MICRO_TARGETS"] ?? "raw,engine,engine-workers1").split(",")) {
    const r = await socketBench(target, calls, seconds);
    results[target] = r.usPerPacket;
    console.log(`  ${target.padEnd(16)} ${r.usPerPacket.toFixed(2)} µs CPU/packet  (${r.relayed} relayed, ${r.lost} lost, ${(r.cpuShare * 100).toFixed(1)} % of a core)`);
  }
  const overhead = (results.engine ?? 0) / (results.raw ?? 1);
  console.log(
    `RESULT name=media-micro pure_relay_ns=${pure["relay PCMA→PCMA"]!.toFixed(0)} pure_transcode_ns=${pure["relay PCMA→PCMU (transcode)"]!.toFixed(0)} raw_us=${results.raw!.toFixed(2)} engine_us=${results.engine!.toFixed(2)} engine_workers1_us=${results["engine-workers1"]!.toFixed(2)} engine_over_raw=${overhead.toFixed(2)}`,
  );
}

function pureBench(): Record<string, number> {
  const noop: RelayOutput = { sendRtp: () => {}, sendRtcp: () => {}, event: () => {} };
  let r = 1;
  const random = (): number => (r = (r * 1103515245 + 12345) >>> 0);
  const K = 1024;
  const packets = Array.from({ length: K }, () => new Uint8Array(172));
  const stamp = (p: Uint8Array, seq: number, pt: number): void => {
    p[0] = 0x80;
    p[1] = pt;
    p[2] = seq >>> 8;
    p[3] = seq & 0xff;
    const ts = seq * 160;
    p[4] = ts >>> 24;
    p[5] = ts >>> 16;
    p[6] = ts >>> 8;
    p[7] = ts;
    p[8] = 0x12;
    p[9] = 0x34;
    p[10] = 0x56;
    p[11] = 0x78;
  };
  const make = (codecB: "PCMA" | "PCMU"): { session: RelaySession; a: RelayEndpoint } => {
    const session = new RelaySession({ output: noop, random, mediaTimeoutMs: 0 });
    const a = session.createEndpoint("a", 0);
    const b = session.createEndpoint("b", 0);
    session.configure(a, { remote: { address: "127.0.0.1", port: 4000 }, codec: "PCMA", pt: 8, dtmfPt: 101, direction: "sendrecv", latch: true });
    session.configure(b, { remote: { address: "127.0.0.1", port: 6000 }, codec: codecB, pt: codecB === "PCMA" ? 8 : 0, dtmfPt: 101, direction: "sendrecv", latch: true });
    session.bridge(a, b, 0);
    return { session, a };
  };
  const measure = (body: (seq: number) => void): number => {
    const N = 200_000;
    let best = Infinity;
    let seq = 0;
    for (let batch = 0; batch < 20; batch++) {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < N; i++) body(seq++ & 0xffff);
      best = Math.min(best, Number(process.hrtime.bigint() - t0) / N);
    }
    return best;
  };
  const baseline = measure((seq) => stamp(packets[seq & (K - 1)]!, seq, 8));
  const same = make("PCMA");
  const relay = measure((seq) => {
    const p = packets[seq & (K - 1)]!;
    stamp(p, seq, 8);
    same.session.receiveRtp(same.a, p, "127.0.0.1", 4000, seq * 20);
  });
  const trans = make("PCMU");
  const transcode = measure((seq) => {
    const p = packets[seq & (K - 1)]!;
    stamp(p, seq, 8);
    trans.session.receiveRtp(trans.a, p, "127.0.0.1", 4000, seq * 20);
  });
  return {
    "baseline (re-stamp header only)": baseline,
    "relay PCMA→PCMA": relay - baseline,
    "relay PCMA→PCMU (transcode)": transcode - baseline,
  };
}

// ---------------------------------------------------------------- real sockets

interface SocketResult {
  usPerPacket: number;
  relayed: number;
  lost: number;
  cpuShare: number;
}

async function socketBench(target: string, calls: number, seconds: number): Promise<SocketResult> {
  // The generator owns 2 sockets per call; the child tells us its 2 ports per call.
  const gen: Socket[] = [];
  for (let i = 0; i < 2 * calls; i++) {
    const s = createSocket("udp4");
    await new Promise<void>((resolve) => s.bind(0, "127.0.0.1", resolve));
    gen.push(s);
  }
  const child = fork(fileURLToPath(import.meta.url), ["--child", target, String(calls), String(calls)], { execArgv: ["--conditions=hotline-source", "--import", "tsx", ...(process.env["MEDIA_MICRO_PROF"] === target ? ["--cpu-prof", "--cpu-prof-dir=/tmp/media-prof"] : [])] });
  const ask = <T>(msg: unknown): Promise<T> =>
    new Promise((resolve) => {
      child.once("message", (m) => resolve(m as T));
      child.send(msg as object);
    });
  try {
    const ports = await ask<number[]>({ op: "setup", genPorts: gen.map((s) => s.address().port) });
    let received = 0;
    for (const s of gen) s.on("message", () => received++);
    const packet = Buffer.alloc(172);
    packet[0] = 0x80;
    packet[1] = 8;
    let seq = 0;
    const start = performance.now();
    const warmup = 2000;
    let marked = false;
    let sentAtMark = 0;
    let receivedAtMark = 0;
    let sent = 0;
    let tick = 0;
    await new Promise<void>((resolve) => {
      const step = (): void => {
        const now = performance.now();
        // Drift-free 20 ms pacing from the start time.
        while (start + tick * 20 <= now) {
          seq = (seq + 1) & 0xffff;
          packet.writeUInt16BE(seq, 2);
          packet.writeUInt32BE(seq * 160, 4);
          for (let c = 0; c < calls; c++) {
            packet.writeUInt32BE(c + 1, 8);
            gen[2 * c]!.send(packet, ports[2 * c]!, "127.0.0.1");
            gen[2 * c + 1]!.send(packet, ports[2 * c + 1]!, "127.0.0.1");
          }
          sent += 2 * calls;
          tick++;
        }
        if (!marked && now - start >= warmup) {
          marked = true;
          sentAtMark = sent;
          receivedAtMark = received;
          child.send({ op: "mark" });
        }
        if (now - start >= warmup + seconds * 1000) resolve();
        else setTimeout(step, Math.max(0, start + tick * 20 - performance.now()));
      };
      step();
    });
    const report = await ask<{ cpuUs: number; userUs: number; wallMs: number; relayed: number }>({ op: "report" });
    if (process.env["MEDIA_MICRO_DEBUG"] !== undefined) console.log(`    ${target}: user ${(report.userUs / report.relayed).toFixed(2)} µs, system ${((report.cpuUs - report.userUs) / report.relayed).toFixed(2)} µs per packet`);
    await new Promise((r) => setTimeout(r, 100));
    const expected = sent - sentAtMark;
    const got = received - receivedAtMark;
    return { usPerPacket: report.cpuUs / report.relayed, relayed: report.relayed, lost: Math.max(0, expected - got), cpuShare: report.cpuUs / 1000 / report.wallMs };
  } finally {
    // A clean exit (so --cpu-prof can write its profile), killed if it takes longer than 2 s.
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.send({ op: "exit" });
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 2000))]);
    child.kill();
    for (const s of gen) s.close();
  }
}

async function runChild(target: string, calls: number, _: number): Promise<void> {
  let relayed = 0;
  let markCpu = process.cpuUsage();
  let markWall = performance.now();
  let markRelayed = 0;
  let countRelayed: () => Promise<number> = async () => relayed;
  const setup = async (genPorts: number[]): Promise<number[]> => {
    const ports: number[] = [];
    if (target === "raw") {
      for (let c = 0; c < calls; c++) {
        const pair: Socket[] = [];
        for (let side = 0; side < 2; side++) {
          const s = createSocket("udp4");
          await new Promise<void>((resolve) => s.bind(0, "127.0.0.1", resolve));
          ports.push(s.address().port);
          pair.push(s);
        }
        const [x, y] = pair as [Socket, Socket];
        const link = (from: Socket, to: Socket, peerPort: number): void => {
          let connected = false;
          from.on("message", (msg) => {
            relayed++;
            if (!connected) {
              to.connect(peerPort, "127.0.0.1");
              connected = true;
              to.send(msg, peerPort, "127.0.0.1");
            } else to.send(msg);
          });
        };
        // RTP from the caller goes out to the callee and back.
        link(x, y, genPorts[2 * c + 1]!);
        link(y, x, genPorts[2 * c]!);
      }
      return ports;
    }
    const { MediaEngine } = await import("../packages/media/node/index.ts");
    const engine = await MediaEngine.start({ bindAddress: "127.0.0.1", portMin: 40000, portMax: 40000 + 4 * calls + 199, workers: target === "engine-workers1" ? 1 : 0, mediaTimeoutMs: 0 });
    const ids: string[] = [];
    for (let c = 0; c < calls; c++) {
      const a = await engine.allocate(`call-${c}`);
      const b = await engine.allocate(`call-${c}`);
      engine.configure(a.id, { remote: { address: "127.0.0.1", port: genPorts[2 * c]! }, codec: "PCMA", pt: 8, dtmfPt: 101, direction: "sendrecv", latch: true });
      engine.configure(b.id, { remote: { address: "127.0.0.1", port: genPorts[2 * c + 1]! }, codec: "PCMA", pt: 8, dtmfPt: 101, direction: "sendrecv", latch: true });
      engine.bridge(a.id, b.id);
      ports.push(a.rtpPort, b.rtpPort);
      ids.push(a.id, b.id);
    }
    countRelayed = async () => {
      let n = 0;
      for (const id of ids) n += (await engine.stats(id))?.packetsOut ?? 0;
      return n;
    };
    return ports;
  };
  process.on("message", (m: { op: string; genPorts?: number[] }) => {
    void (async () => {
      if (m.op === "exit") process.exit(0);
      if (m.op === "setup") process.send!(await setup(m.genPorts ?? []));
      if (m.op === "mark") {
        markRelayed = await countRelayed();
        markCpu = process.cpuUsage();
        markWall = performance.now();
      }
      if (m.op === "report") {
        const cpu = process.cpuUsage(markCpu);
        const wallMs = performance.now() - markWall;
        const n = (await countRelayed()) - markRelayed;
        process.send!({ cpuUs: cpu.user + cpu.system, userUs: cpu.user, wallMs, relayed: n });
      }
    })();
  });
}
