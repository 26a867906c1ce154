// WAL checkpoints off the event loop. A checkpoint copies WAL pages into the database and,
// with synchronous=NORMAL, fsyncs: on the main thread that stalled the event loop long
// enough to overflow the UDP receive buffer under load. The server turns SQLite's
// automatic checkpoints off and runs PASSIVE checkpoints (which never block the writer)
// from a worker thread with its own connection.
import { Worker } from "node:worker_threads";
import { createRequire } from "node:module";

// Plain CommonJS so the worker runs the same from dist/ and from TypeScript sources.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.modulePath);
const db = new Database(workerData.file);
db.pragma("busy_timeout = 5000");
const checkpoint = (mode) => {
  try { db.pragma("wal_checkpoint(" + mode + ")"); } catch (e) { parentPort.postMessage({ error: String(e) }); }
};
const timer = setInterval(() => checkpoint("PASSIVE"), workerData.intervalMs);
parentPort.on("message", (m) => {
  if (m !== "stop") return;
  clearInterval(timer);
  checkpoint("TRUNCATE");
  db.close();
  parentPort.postMessage({ stopped: true });
});
`;

export interface Checkpointer {
  stop(): Promise<void>;
}

export function startCheckpointWorker(file: string, intervalMs: number, onError: (message: string) => void): Checkpointer {
  const modulePath = createRequire(import.meta.url).resolve("better-sqlite3");
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, intervalMs, modulePath } });
  worker.on("message", (m: { error?: string }) => {
    if (m.error !== undefined) onError(m.error);
  });
  worker.on("error", (err) => onError(String(err)));
  worker.unref();
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        const done = (): void => resolve();
        worker.ref(); // keep the process alive until the final checkpoint is done
        worker.once("exit", done);
        worker.once("message", () => void worker.terminate().then(done, done));
        worker.postMessage("stop");
        setTimeout(() => void worker.terminate().then(done, done), 5000).unref();
      }),
  };
}
