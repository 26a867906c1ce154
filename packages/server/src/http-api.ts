// The local HTTP endpoint: JSON facts for the CLI (`status`, `registrations`) and
// Prometheus metrics. Bound to http.host (127.0.0.1 by default): it is an operator's
// tool, not a public API, until the console issue adds authentication.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

export interface HttpRoutes {
  status(): unknown;
  registrations(): unknown;
  metrics(): string;
}

export interface HttpLog {
  warn(obj: object, msg: string): void;
}

export function startHttpApi(host: string, port: number, routes: HttpRoutes, log: HttpLog): Promise<Server> {
  const server = createServer((req, res) => {
    try {
      route(req, res, routes);
    } catch (err) {
      // A bug in a route must not take the switch down with it.
      log.warn({ err, url: req.url }, "http route failed");
      send(res, 500, { error: "internal error" });
    }
  });
  return new Promise((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) =>
      reject(new Error(`http: cannot listen on ${host}:${port}: ${err.code ?? err.message}`)),
    );
    server.listen(port, host, () => resolve(server));
  });
}

function route(req: IncomingMessage, res: ServerResponse, routes: HttpRoutes): void {
  const path = (req.url ?? "/").split("?")[0];
  // Benchmarks start the process with --expose-gc to measure retained memory, not garbage.
  const gc = (globalThis as { gc?: () => void }).gc;
  if (req.method === "POST" && path === "/api/debug/gc" && gc !== undefined) {
    gc();
    return send(res, 200, { collected: true });
  }
  if (req.method !== "GET") return send(res, 405, { error: `method ${req.method ?? "?"} not allowed; use GET` });
  switch (path) {
    case "/api/status":
      return send(res, 200, routes.status());
    case "/api/registrations":
      return send(res, 200, routes.registrations());
    case "/metrics":
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
      res.end(routes.metrics());
      return;
    default:
      return send(res, 404, { error: `no route ${path}; try /api/status, /api/registrations, /metrics` });
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body, null, 2));
}
