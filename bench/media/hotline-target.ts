// bench/media: hotline's media plane as a target process. Runs `@hotline/media/node`'s
// MediaEngine and is driven by the harness over IPC (bench/media/hotline.ts):
//   node --conditions=hotline-source --import tsx bench/media/hotline-target.ts <workers> <portMin> <portMax>
// Messages: {seq, op: "add", calls: [{id, caller, callee}]} -> {seq, ok, calls: [{id, toCaller, toCallee}]}
//           {seq, op: "remove", ids} -> {seq, ok}; {seq, op: "gc"} -> {seq, ok}; {seq, op: "stats"} -> {seq, ok, text}
// Per call: two endpoints in one group (the call id), both PCMA/8000 with telephone-event 101,
// sendrecv, latching, remote = the generator's socket for that leg (RTCP on the next port,
// where the generator has a socket that counts it); then bridged.

import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

// The subset of the @hotline/media/node contract this target uses. Declared here because
// bench/package.json does not list @hotline/media, so its types cannot be imported by name.
interface EndpointDescription {
  id: string;
  rtpPort: number;
}
interface EndpointConfig {
  remote: { address: string; port: number; rtcpPort?: number } | null;
  codec: "PCMA" | "PCMU";
  pt: number;
  dtmfPt: number | null;
  direction: "sendrecv" | "sendonly" | "recvonly" | "inactive";
  latch: boolean;
}
interface EndpointStats {
  packetsIn: number;
  packetsOut: number;
  lost: number;
}
interface MediaEngine {
  allocate(group: string): Promise<EndpointDescription>;
  configure(id: string, cfg: EndpointConfig): void;
  bridge(a: string, b: string): void;
  stats(id: string): Promise<EndpointStats | null>;
  release(id: string): Promise<void>;
  readonly endpointCount: number;
  close(): Promise<void>;
}
interface MediaEngineModule {
  MediaEngine: {
    start(opts: { bindAddress: string; portMin: number; portMax: number; workers: number }): Promise<MediaEngine>;
  };
}

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const HOST = "127.0.0.1";

/**
 * `@hotline/media/node` by name when the bench package can resolve it; otherwise through the
 * package's own manifest (its "./node" export, under the condition this process runs with).
 */
async function loadEngine(): Promise<MediaEngineModule> {
  // HOTLINE_BENCH_MEDIA_MODULE: another module with the same contract (e.g. a built dist-node).
  const override = process.env["HOTLINE_BENCH_MEDIA_MODULE"];
  if (override !== undefined && override !== "") return (await import(pathToFileURL(resolve(override)).href)) as MediaEngineModule;
  const name = "@hotline/media/node";
  try {
    return (await import(name)) as MediaEngineModule;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code !== "ERR_MODULE_NOT_FOUND" || !String(err).includes("@hotline/media")) throw err;
  }
  const pkgDir = join(REPO, "packages", "media");
  const pkg = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8")) as { exports?: Record<string, Record<string, string> | string> };
  const entry = pkg.exports?.["./node"];
  const source = process.execArgv.some((a) => a.includes("hotline-source"));
  const rel = typeof entry === "string" ? entry : source ? (entry?.["hotline-source"] ?? entry?.["default"]) : entry?.["default"];
  if (rel === undefined) throw new Error(`packages/media/package.json has no "./node" export (is @hotline/media/node built yet?)`);
  return (await import(pathToFileURL(join(pkgDir, rel)).href)) as MediaEngineModule;
}

interface CallSpec {
  id: number;
  caller: number;
  callee: number;
}

const [workersArg, portMinArg, portMaxArg] = process.argv.slice(2);
const send = (m: Record<string, unknown>): void => {
  process.send?.(m);
};

async function main(): Promise<void> {
  const { MediaEngine } = await loadEngine();
  const engine = await MediaEngine.start({ bindAddress: HOST, portMin: Number(portMinArg), portMax: Number(portMaxArg), workers: Number(workersArg) });
  const calls = new Map<number, [string, string]>();
  const leg = (port: number): EndpointConfig => ({
    remote: { address: HOST, port, rtcpPort: port + 1 },
    codec: "PCMA",
    pt: 8,
    dtmfPt: 101,
    direction: "sendrecv",
    latch: true,
  });
  const add = async (c: CallSpec): Promise<{ id: number; toCaller: number; toCallee: number }> => {
    const group = `call-${c.id}`;
    const [a, b] = await Promise.all([engine.allocate(group), engine.allocate(group)]);
    engine.configure(a.id, leg(c.caller));
    engine.configure(b.id, leg(c.callee));
    engine.bridge(a.id, b.id);
    calls.set(c.id, [a.id, b.id]);
    return { id: c.id, toCaller: a.rtpPort, toCallee: b.rtpPort };
  };
  process.on("message", (raw: unknown) => {
    const m = raw as { seq: number; op: string; calls?: CallSpec[]; ids?: number[] };
    const reply = (p: Promise<Record<string, unknown>>): void => {
      p.then(
        (r) => send({ seq: m.seq, ok: true, ...r }),
        (err: unknown) => send({ seq: m.seq, ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
      );
    };
    if (m.op === "add") {
      reply(
        (async () => {
          const out = [];
          const list = m.calls ?? [];
          for (let i = 0; i < list.length; i += 64) out.push(...(await Promise.all(list.slice(i, i + 64).map(add))));
          return { calls: out };
        })(),
      );
    } else if (m.op === "remove") {
      reply(
        (async () => {
          for (const id of m.ids ?? []) {
            const pair = calls.get(id);
            calls.delete(id);
            if (pair !== undefined) await Promise.all(pair.map((e) => engine.release(e)));
          }
          return {};
        })(),
      );
    } else if (m.op === "gc") {
      // --expose-gc is on the command line; gc is absent otherwise.
      (globalThis as { gc?: () => void }).gc?.();
      reply(Promise.resolve({}));
    } else if (m.op === "stats") {
      reply(
        (async () => {
          const first = calls.values().next().value;
          const s = first === undefined ? null : await engine.stats(first[0]);
          return { text: `${engine.endpointCount} endpoints` + (s === null ? "" : `; call 0 leg A: in ${s.packetsIn} out ${s.packetsOut} lost ${s.lost}`) };
        })(),
      );
    } else {
      send({ seq: m.seq, ok: false, error: `unknown op ${m.op}` });
    }
  });
  process.on("disconnect", () => {
    void engine.close().finally(() => process.exit(0));
  });
  send({ seq: 0, ok: true, ready: true });
}

main().catch((err: unknown) => {
  send({ seq: 0, ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  process.exitCode = 1;
  setTimeout(() => process.exit(1), 100);
});
