/**
 * Entry point of a media worker thread: a MediaHost driven by the engine's messages
 * (worker-protocol.ts). Its sockets, timer and RelaySession live here.
 */
import { parentPort, workerData } from "node:worker_threads";
import { MediaHost } from "./media-host.js";
import type { WorkerInit, WorkerMessage, WorkerReply, WorkerRequest } from "./worker-protocol.js";

const port = parentPort;
if (port === null) throw new Error("media-worker.ts runs as a worker thread (MediaEngine with workers > 0)");

const post = (m: WorkerMessage): void => port.postMessage(m);
const host = new MediaHost(workerData as WorkerInit, (event) => post({ type: "event", event }));
const reply = (req: number, result: WorkerReply): void => post({ type: "reply", req, result });

port.on("message", (m: WorkerRequest) => {
  switch (m.op) {
    case "open":
      void host.open(m.id, m.rtpPort, m.rtcpPort).then((r) => reply(m.req, r));
      return;
    case "configure":
      return host.configure(m.id, m.cfg);
    case "bridge":
      return host.bridge(m.a, m.b);
    case "unbridge":
      return host.unbridge(m.id);
    case "play":
      return host.play(m.id, m.source);
    case "mix":
      return host.mix(m.id, m.room, m.options);
    case "unmix":
      return host.unmix(m.id);
    case "dtmf":
      return host.sendDtmf(m.id, m.digit, m.durationMs);
    case "stats":
      return reply(m.req, host.stats(m.id));
    case "release":
      void host.release(m.id).then((r) => reply(m.req, r));
      return;
    case "counters":
      return reply(m.req, host.counters());
    case "close":
      void host.close().then(() => {
        reply(m.req, undefined);
        port.close();
      });
      return;
  }
});

post({ type: "ready" });
