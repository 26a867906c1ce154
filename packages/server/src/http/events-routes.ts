// GET /api/events: the ACD's live figures pushed as Server-Sent Events (WHATWG HTML
// "Server-sent events": text/event-stream, `event:` + `data:` lines, a blank line ends an
// event, lines starting with ":" are comments). Event types: `queue` (a queue's figures,
// at most one per queue per throttle period), `agent` (an agent's status/state, at once),
// `call` (a queue call joined/offered/answered/abandoned/overflowed/refused/ended). A new
// client first gets every queue and agent (the snapshot). `?queues=7000,7001` narrows all
// three to those queues (agents: members of them). Changes that are not journaled events (an
// agent's phone registering, going in or out of use; a callback deferred or re-joining; the day's
// figures starting again at midnight) push the `agent` / `queue` event too (`refresh`).
import type { IncomingMessage, ServerResponse } from "node:http";
import type { FigureEvent, QueueRefresh } from "@hotline/switch";
import { checkParams, HttpError, methodNotAllowed } from "./http-io.js";

/** What the hub reads its figures from (QueueService in production). */
export interface LiveFigures {
  queueIds(): readonly string[];
  agentIds(): readonly string[];
  queue(queue: string, now: number): unknown;
  agent(agent: string, now: number): unknown;
  queuesOf(agent: string): readonly string[];
}

export interface EventHubOptions {
  now(): number;
  /** Default 250 ms: at most one `queue` event per queue per this long. */
  throttleMs?: number;
  /** Default 15 s: a comment line keeps proxies and idle timeouts from closing the stream. */
  heartbeatMs?: number;
  /** Default 1 MiB: a client whose unsent bytes exceed this is dropped (it cannot keep up). */
  maxBufferedBytes?: number;
  /** Counts dropped clients: sse_clients_dropped_total{reason}. */
  count(name: string, labels: Record<string, string>): void;
}

interface Client {
  res: ServerResponse;
  /** null = every queue. */
  queues: ReadonlySet<string> | null;
}

export class EventHub {
  private readonly clients = new Set<Client>();
  /** Per queue: when its last `queue` event went out, and the timer of one held back. */
  private readonly throttle = new Map<string, { sentAt: number; timer: NodeJS.Timeout | null }>();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly throttleMs: number;
  private readonly maxBufferedBytes: number;

  constructor(
    private readonly source: LiveFigures,
    private readonly opts: EventHubOptions,
  ) {
    this.throttleMs = opts.throttleMs ?? 250;
    this.maxBufferedBytes = opts.maxBufferedBytes ?? 1024 * 1024;
    this.heartbeat = setInterval(() => {
      for (const c of this.clients) this.write(c, ": heartbeat\n\n");
    }, opts.heartbeatMs ?? 15_000);
    this.heartbeat.unref();
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** QueueService.onFigure: call events and agent changes go out now, queue figures throttled. */
  publish(e: FigureEvent): void {
    if (this.clients.size === 0) return; // nothing to build frames for; a new client starts from a snapshot
    const now = this.opts.now();
    if (e.type === "agent") {
      const data = frame("agent", this.source.agent(e.agent, now));
      const queues = this.source.queuesOf(e.agent);
      for (const c of this.clients) if (wants(c, queues)) this.write(c, data);
      for (const q of queues) this.queueChanged(q);
      return;
    }
    const data = frame("call", e);
    for (const c of this.clients) if (wants(c, [e.queue])) this.write(c, data);
    this.queueChanged(e.queue);
  }

  /** QueueService.onRefresh: an agent's report now (and its queues, throttled), or a queue's, throttled. */
  refresh(r: QueueRefresh): void {
    if (this.clients.size === 0) return;
    if (r.kind === "queue") return this.queueChanged(r.queue);
    const queues = this.source.queuesOf(r.agent);
    const data = frame("agent", this.source.agent(r.agent, this.opts.now()));
    for (const c of this.clients) if (wants(c, queues)) this.write(c, data);
    for (const q of queues) this.queueChanged(q);
  }

  /** Serves GET /api/events; false for other paths. */
  serve(req: IncomingMessage, res: ServerResponse, url: URL): boolean {
    if (url.pathname !== "/api/events") return false;
    if (req.method !== "GET") throw methodNotAllowed(req.method, ["GET"]);
    checkParams(url.searchParams, ["queues"]);
    const param = url.searchParams.get("queues");
    let queues: Set<string> | null = null;
    if (param !== null) {
      queues = new Set(param.split(",").map((q) => q.trim()).filter((q) => q !== ""));
      const known = new Set(this.source.queueIds());
      const unknown = [...queues].filter((q) => !known.has(q));
      if (unknown.length > 0) throw new HttpError(404, `queues: no queue ${unknown.join(", ")}`);
    }
    res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", connection: "keep-alive" });
    const client: Client = { res, queues };
    this.clients.add(client);
    const gone = (): void => {
      this.clients.delete(client);
    };
    res.on("close", gone);
    req.on("close", gone);
    // The snapshot: every (wanted) queue and agent, before any change.
    const now = this.opts.now();
    let snapshot = ": hotline live figures\n\n";
    for (const q of this.source.queueIds()) if (wants(client, [q])) snapshot += frame("queue", this.source.queue(q, now));
    for (const a of this.source.agentIds()) if (wants(client, this.source.queuesOf(a))) snapshot += frame("agent", this.source.agent(a, now));
    this.write(client, snapshot);
    return true;
  }

  close(): void {
    clearInterval(this.heartbeat);
    for (const t of this.throttle.values()) if (t.timer !== null) clearTimeout(t.timer);
    this.throttle.clear();
    for (const c of [...this.clients]) c.res.end();
    this.clients.clear();
  }

  private queueChanged(queue: string): void {
    const now = this.opts.now();
    let t = this.throttle.get(queue);
    if (t === undefined) this.throttle.set(queue, (t = { sentAt: -Infinity, timer: null }));
    if (t.timer !== null) return; // one is already due: it will carry this change too
    const wait = t.sentAt + this.throttleMs - now;
    if (wait <= 0) return this.sendQueue(queue, t);
    const held = t;
    t.timer = setTimeout(() => {
      held.timer = null;
      this.sendQueue(queue, held);
    }, wait);
    t.timer.unref();
  }

  private sendQueue(queue: string, t: { sentAt: number }): void {
    const now = this.opts.now();
    t.sentAt = now;
    if (this.clients.size === 0) return;
    const data = frame("queue", this.source.queue(queue, now));
    for (const c of this.clients) if (wants(c, [queue])) this.write(c, data);
  }

  /** Writes, or drops a client whose unsent output passed the cap (memory stays bounded). */
  private write(c: Client, data: string): void {
    if (c.res.destroyed || c.res.writableEnded) return void this.clients.delete(c);
    if (c.res.writableLength + data.length > this.maxBufferedBytes) {
      this.clients.delete(c);
      this.opts.count("sse_clients_dropped_total", { reason: "slow" });
      c.res.destroy();
      return;
    }
    c.res.write(data);
  }
}

function wants(c: Client, queues: readonly string[]): boolean {
  return c.queues === null || queues.some((q) => c.queues!.has(q));
}

/** One SSE event; JSON has no raw newlines, so `data` is one line. */
function frame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
