// The local HTTP endpoint: JSON facts for the CLI (`status`, `registrations`), Prometheus
// metrics, and the call-record routes (http/record-routes.ts). Bound to http.host (127.0.0.1
// by default): it is an operator's tool, not a public API, until the console issue adds
// authentication.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { HttpError, methodNotAllowed, send } from "./http/http-io.js";
import { recordRoutes, type RecordRoutesDeps } from "./http/record-routes.js";
import { queueRoutes, type QueueRoutesDeps } from "./http/queue-routes.js";
import type { EventHub } from "./http/events-routes.js";
import { supervisorRoutes, type SupervisorRoutesDeps } from "./http/supervisor-routes.js";

export type { RecordRoutesDeps } from "./http/record-routes.js";

export interface HttpRoutes {
  status(): unknown;
  registrations(): unknown;
  metrics(): string;
  /** Calls in progress with per-leg media counters. */
  calls?(): Promise<unknown>;
  /** ACD queues: live figures and agent status. */
  queues?: QueueRoutesDeps;
  /** GET /api/events: live queue/agent/call events as Server-Sent Events. */
  events?: EventHub;
  /** Supervisor controls (HTTP Basic as a supervisor extension). */
  supervisor?: SupervisorRoutesDeps;
  /**
   * CDRs, journal, missed calls and extension settings. Left out (a process without a
   * store), those paths answer 503.
   */
  records?: RecordRoutesDeps;
}

export interface HttpLog {
  warn(obj: object, msg: string): void;
}

const ROUTE_LIST =
  "/api/status, /api/registrations, /api/calls, /api/queues, /api/queues/:number, /api/agents, /api/events, /api/agents/:ext/status, /api/agents/:ext/monitor, /api/agents/:ext/take-over, /api/agents/:ext/hangup, /api/cdrs, /api/journal, /api/missed-calls, /api/missed-calls/:id/handled, /api/extensions/:ext/settings, /metrics";

export function startHttpApi(host: string, port: number, routes: HttpRoutes, log: HttpLog): Promise<Server> {
  const server = createServer((req, res) => {
    route(req, res, routes).catch((err: unknown) => {
      if (err instanceof HttpError) return send(res, err.status, err.body, err.extra.headers);
      // A bug in a route must not take the switch down with it.
      log.warn({ err, url: req.url }, "http route failed");
      if (!res.headersSent) send(res, 500, { error: "internal error" });
      else res.destroy();
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) =>
      reject(new Error(`http: cannot listen on ${host}:${port}: ${err.code ?? err.message}`)),
    );
    server.listen(port, host, () => resolve(server));
  });
}

async function route(req: IncomingMessage, res: ServerResponse, routes: HttpRoutes): Promise<void> {
  // The Host header is not trusted for anything; a fixed base only parses path and query.
  const url = new URL(req.url ?? "/", "http://localhost");
  const path = url.pathname;
  // Benchmarks start the process with --expose-gc to measure retained memory, not garbage.
  const gc = (globalThis as { gc?: () => void }).gc;
  if (req.method === "POST" && path === "/api/debug/gc" && gc !== undefined) {
    gc();
    return send(res, 200, { collected: true });
  }
  if (await recordRoutes(req, res, url, routes.records)) return;
  // Before queueRoutes: PUT /api/agents/:ext/status with Authorization is a supervisor's force.
  if (await supervisorRoutes(req, res, path, routes.supervisor)) return;
  if (await queueRoutes(req, res, path, routes.queues)) return;
  if (routes.events?.serve(req, res, url) === true) return;
  if (path === "/api/calls" && routes.calls !== undefined) {
    if (req.method !== "GET") throw methodNotAllowed(req.method, ["GET"]);
    return send(res, 200, await routes.calls());
  }
  const simple: Record<string, () => void> = {
    "/api/status": () => send(res, 200, routes.status()),
    "/api/registrations": () => send(res, 200, routes.registrations()),
    "/metrics": () => {
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
      res.end(routes.metrics());
    },
  };
  const answer = Object.hasOwn(simple, path) ? simple[path] : undefined;
  if (answer === undefined) throw new HttpError(404, `no route ${path}; try ${ROUTE_LIST}`);
  if (req.method !== "GET") throw methodNotAllowed(req.method, ["GET"]);
  answer();
}
