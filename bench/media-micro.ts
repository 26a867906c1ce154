// Micro-benchmark of the media engine's per-packet cost (not the full media bench: that is
// bench/media.ts). Two parts, both printed in µs or ns per packet:
//
//  1. In-process, no sockets: RelaySession.receiveRtp for one bridged pair (PCMA → PCMA, and
//     PCMA → PCMU with in-place transcoding), against a baseline that only re-stamps the
//     input header (the loop's own cost). Best of 20 batches.
//  2. Real sockets on 127.0.0.1: a generator sends 20 ms G.711 packets both ways for N calls
//     (a few thousand packets/s) through each target in a child process, one after the other:
//       raw              a minimal relay: a socket per side, connected after the first packet,
//                        forwards the bytes as they are (the reference);
//       raw-rtcp         the same plus a bound RTCP socket per side, as the engine has;
//       engine           MediaEngine, workers: 0 (latching, PCMA both sides, telephone-event);
//       engine-workers1  MediaEngine, workers: 1;
//       engine-moh       MediaEngine, workers: 0, 2 × N endpoints on music on hold and no relay
//                        traffic: the cost of a generated 20 ms frame.
//     Figure: CPU time of that process (utime+stime, process.cpuUsage, all threads) over the
//     measuring window / packets relayed (or sent, for engine-moh).
//
// Run: node --conditions=hotline-source --import tsx bench/media-micro.ts [--calls 150] [--seconds 5]
// Env: MEDIA_MICRO_TARGETS=raw,engine (subset/order), MEDIA_MICRO_DEBUG=1 (user/system split),
//      MEDIA_MICRO_PROF=<target> (--cpu-prof of that child into /tmp/media-prof).
// Bounded: one target at a time, about 4 × (seconds + 3) s in all; children exit (or are
// killed) at the end of each.
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
  await runChild(args[1] ?? "engine", Number(args[2]));
} else {
  await main();
}

async function main(): Promise<void> {
  const calls = option("calls", 150);
  const seconds = option("seconds", 5);
  console.log("media-micro: pure relay path (in-process, no sockets)");
  const pure = pureBench();
  for (const [name, ns] of Object.entries(pure)) console.log(`  ${name.padEnd(34)} ${ns.toFixed(1)} ns/packet`);
  console.log(`media-micro: real sockets, ${calls} calls × 2 directions × 50 packets/s = ${calls * 100} packets/s, ${seconds} s measured`);
  const results: Record<string, number> = {};
  for (const target of (process.env["MEDIA_MICRO_TARGETS"] ?? "raw,raw-rtcp,engine,engine-workers1,engine-moh").split(",")) {
    const r = await socketBench(target, calls, seconds);
    results[target] = r.usPerPacket;
    const what = target === "engine-moh" ? `${r.relayed} MOH frames sent` : `${r.relayed} relayed, ${r.lost} lost`;
    console.log(`  ${target.padEnd(16)} ${r.usPerPacket.toFixed(2)} µs CPU/packet  (${what}, ${(r.cpuShare * 100).toFixed(1)} % of a core)`);
  }
  const fmt = (x: number | undefined, digits: number): string => (x === undefined ? "na" : x.toFixed(digits));
  const ratio = results.engine !== undefined && results.raw !== undefined ? results.engine / results.raw : undefined;
  console.log(
    [
      "RESULT name=media-micro",
      `pure_relay_ns=${fmt(pure["relay PCMA→PCMA"], 0)}`,
      `pure_transcode_ns=${fmt(pure["relay PCMA→PCMU (transcode)"], 0)}`,
      `pure_relay_300_ns=${fmt(pure["relay PCMA→PCMA, 300 calls in turn"], 0)}`,
      `raw_us=${fmt(results.raw, 2)}`,
      `raw_rtcp_us=${fmt(results["raw-rtcp"], 2)}`,
      `engine_us=${fmt(results.engine, 2)}`,
      `engine_workers1_us=${fmt(results["engine-workers1"], 2)}`,
      `engine_moh_us_per_frame=${fmt(results["engine-moh"], 2)}`,
      `engine_over_raw=${fmt(ratio, 2)}`,
    ].join(" "),
  );
}

function pureBench(): Record<string, number> {
  const noop: RelayOutput = { sendRtp: () => {}, sendRtcp: () => {}, event: () => {} };
  let r = 1;
  const random = (): number => (r = (r * 1103515245 + 12345) >>> 0);
  const K = 1024;
  const T0 = 1.7e12;
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
  /** `calls` bridged pairs; returns the session and the endpoints packets arrive on (a side). */
  const make = (codecB: "PCMA" | "PCMU", calls: number): { session: RelaySession; eps: RelayEndpoint[] } => {
    const session = new RelaySession({ output: noop, random, mediaTimeoutMs: 0 });
    const eps: RelayEndpoint[] = [];
    for (let c = 0; c < calls; c++) {
      const a = session.createEndpoint(`a${c}`, 0);
      const b = session.createEndpoint(`b${c}`, 0);
      session.configure(a, { remote: { address: "127.0.0.1", port: 4000 }, codec: "PCMA", pt: 8, dtmfPt: 101, direction: "sendrecv", latch: true });
      session.configure(b, { remote: { address: "127.0.0.1", port: 6000 }, codec: codecB, pt: codecB === "PCMA" ? 8 : 0, dtmfPt: 101, direction: "sendrecv", latch: true });
      session.bridge(a, b, 0);
      eps.push(a);
    }
    return { session, eps };
  };
  const measure = (body: (seq: number) => void): number => {
    const N = 200_000;
    let best = Infinity;
    let seq = 0;
    for (let batch = 0; batch < 20; batch++) {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < N; i++) body(seq++);
      best = Math.min(best, Number(process.hrtime.bigint() - t0) / N);
    }
    return best;
  };
  const run = (codecB: "PCMA" | "PCMU", calls: number): number => {
    const { session, eps } = make(codecB, calls);
    return measure((n) => {
      const call = n % calls;
      const seq = Math.floor(n / calls) & 0xffff;
      const p = packets[n & (K - 1)]!;
      stamp(p, seq, 8);
      // A wall-clock-sized `now` (a double, as the adapter's clock gives), not a small integer.
      session.receiveRtp(eps[call]!, p, "127.0.0.1", 4000, T0 + n * 0.1);
    });
  };
  const baseline = measure((n) => stamp(packets[n & (K - 1)]!, n & 0xffff, 8));
  const relay = run("PCMA", 1);
  const transcode = run("PCMU", 1);
  const relayMany = run("PCMA", 300);
  return {
    "baseline (re-stamp header only)": baseline,
    "relay PCMA→PCMA": relay - baseline,
    "relay PCMA→PCMU (transcode)": transcode - baseline,
    "relay PCMA→PCMA, 300 calls in turn": relayMany - baseline,
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
  const child = fork(fileURLToPath(import.meta.url), ["--child", target, String(calls)], { execArgv: ["--conditions=hotline-source", "--import", "tsx", ...(process.env["MEDIA_MICRO_PROF"] === target ? ["--cpu-prof", "--cpu-prof-dir=/tmp/media-prof"] : [])] });
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
          for (let c = 0; c < calls && target !== "engine-moh"; c++) {
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

async function runChild(target: string, calls: number): Promise<void> {
  let relayed = 0;
  let markCpu = process.cpuUsage();
  let markWall = performance.now();
  let markRelayed = 0;
  let countRelayed: () => Promise<number> = async () => relayed;
  const setup = async (genPorts: number[]): Promise<number[]> => {
    const ports: number[] = [];
    if (target === "raw" || target === "raw-rtcp") {
      for (let c = 0; c < calls; c++) {
        const pair: Socket[] = [];
        for (let side = 0; side < 2; side++) {
          const s = createSocket("udp4");
          await new Promise<void>((resolve) => s.bind(0, "127.0.0.1", resolve));
          ports.push(s.address().port);
          pair.push(s);
          if (target === "raw-rtcp") {
            const rtcp = createSocket("udp4");
            rtcp.on("message", () => {});
            await new Promise<void>((resolve) => rtcp.bind(0, "127.0.0.1", resolve));
          }
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
    const engine = await MediaEngine.start({ bindAddress: "127.0.0.1", portMin: 21000, portMax: 21000 + 4 * calls + 199, workers: target === "engine-workers1" ? 1 : 0, mediaTimeoutMs: 0 });
    const ids: string[] = [];
    for (let c = 0; c < calls; c++) {
      const a = await engine.allocate(`call-${c}`);
      const b = await engine.allocate(`call-${c}`);
      engine.configure(a.id, { remote: { address: "127.0.0.1", port: genPorts[2 * c]! }, codec: "PCMA", pt: 8, dtmfPt: 101, direction: "sendrecv", latch: true });
      engine.configure(b.id, { remote: { address: "127.0.0.1", port: genPorts[2 * c + 1]! }, codec: "PCMA", pt: 8, dtmfPt: 101, direction: "sendrecv", latch: true });
      if (target === "engine-moh") {
        engine.play(a.id, { kind: "moh" });
        engine.play(b.id, { kind: "moh" });
      } else engine.bridge(a.id, b.id);
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
