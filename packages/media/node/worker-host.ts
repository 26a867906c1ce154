/**
 * The main thread's handle on one media worker: the same operations as MediaHost, sent
 * as messages; requests that answer (open, stats, release, counters, close) are matched
 * to replies by number.
 */
import { Worker } from "node:worker_threads";
import type { EndpointConfig, EndpointStats, MediaEvent } from "@hotline/media";
import type { HostCounters, OpenResult } from "./media-host.js";
import type { MixOptions, PlaySource } from "./types.js";
import type { WorkerInit, WorkerMessage, WorkerReply, WorkerRequest } from "./worker-protocol.js";

/**
 * The worker runs the same kind of file as this one: media-worker.js once built. From the
 * TypeScript source (tests and benches run `node --import tsx`), Node 20 does not apply the
 * inherited `--import tsx` to a worker's entry file, so the worker registers tsx itself first.
 */
function newWorker(init: WorkerInit): Worker {
  if (!import.meta.url.endsWith(".ts")) return new Worker(new URL("./media-worker.js", import.meta.url), { workerData: init });
  const tsx = import.meta.resolve("tsx/esm/api");
  const entry = new URL("./media-worker.ts", import.meta.url).href;
  const bootstrap = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: init });
}

type RequestWithoutNumber = WorkerRequest extends infer R ? (R extends { req: number } ? Omit<R, "req"> : never) : never;

export class WorkerHost {
  /** Endpoints placed on this worker (kept by the engine, for balancing groups). */
  endpoints = 0;
  private nextReq = 1;
  private readonly pending = new Map<number, { resolve: (r: WorkerReply) => void; reject: (e: Error) => void }>();
  private failure: Error | null = null;

  private constructor(
    private readonly worker: Worker,
    onEvent: (e: MediaEvent) => void,
  ) {
    worker.on("message", (m: WorkerMessage) => {
      if (m.type === "event") onEvent(m.event);
      else if (m.type === "reply") {
        const p = this.pending.get(m.req);
        this.pending.delete(m.req);
        p?.resolve(m.result);
      }
    });
    const fail = (err: Error): void => {
      this.failure = err;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    worker.on("error", fail);
    worker.on("exit", (code) => fail(new Error(`media worker exited (code ${code})`)));
  }

  static start(init: WorkerInit, onEvent: (e: MediaEvent) => void): Promise<WorkerHost> {
    const worker = newWorker(init);
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(new Error(`media worker did not start: ${err.message}`));
      worker.once("error", onError);
      worker.once("message", (m: WorkerMessage) => {
        worker.off("error", onError);
        if (m.type === "ready") resolve(new WorkerHost(worker, onEvent));
        else reject(new Error(`media worker said ${m.type} before ready`));
      });
    });
  }

  open(id: string, rtpPort: number, rtcpPort: number): Promise<OpenResult> {
    return this.request({ op: "open", id, rtpPort, rtcpPort }) as Promise<OpenResult>;
  }

  configure(id: string, cfg: EndpointConfig): void {
    this.post({ op: "configure", id, cfg });
  }

  bridge(a: string, b: string): void {
    this.post({ op: "bridge", a, b });
  }

  unbridge(id: string): void {
    this.post({ op: "unbridge", id });
  }

  play(id: string, source: PlaySource | null): void {
    this.post({ op: "play", id, source });
  }

  mix(id: string, room: string, options: MixOptions): void {
    this.post({ op: "mix", id, room, options });
  }

  unmix(id: string): void {
    this.post({ op: "unmix", id });
  }

  sendDtmf(id: string, digit: string, durationMs: number): void {
    this.post({ op: "dtmf", id, digit, durationMs });
  }

  stats(id: string): Promise<EndpointStats | null> {
    return this.request({ op: "stats", id }) as Promise<EndpointStats | null>;
  }

  release(id: string): Promise<boolean> {
    return this.request({ op: "release", id }) as Promise<boolean>;
  }

  counters(): Promise<HostCounters> {
    return this.request({ op: "counters" }) as Promise<HostCounters>;
  }

  async close(): Promise<void> {
    if (this.failure === null) await this.request({ op: "close" }).catch(() => undefined);
    await this.worker.terminate();
  }

  private post(m: WorkerRequest): void {
    if (this.failure === null) this.worker.postMessage(m);
  }

  private request(m: RequestWithoutNumber): Promise<WorkerReply> {
    if (this.failure !== null) return Promise.reject(this.failure);
    const req = this.nextReq++;
    return new Promise((resolve, reject) => {
      this.pending.set(req, { resolve, reject });
      this.worker.postMessage({ ...m, req } as WorkerRequest);
    });
  }
}
