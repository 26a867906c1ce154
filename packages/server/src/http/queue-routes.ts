// GET /api/queues (live figures per queue, each agent's status and state), GET
// /api/queues/:number (one queue), GET /api/agents (agents with the day's figures) and
// PUT /api/agents/:ext/status (log in, log out, break, available — what *60–*63 do from a phone).
import type { IncomingMessage, ServerResponse } from "node:http";
import { HttpError, methodNotAllowed, pathSegment, readJson, send } from "./http-io.js";

export const AGENT_STATUSES = { "logged-in": "agent-login", "logged-out": "agent-logout", "on-break": "agent-break", available: "agent-available" } as const;
export type AgentStatusName = keyof typeof AGENT_STATUSES;

export interface QueueRoutesDeps {
  report(): unknown;
  /** One queue's figures (GET /api/queues/:number); undefined = no such queue. */
  queue?(queue: string): unknown;
  /** Every member agent with the day's figures (GET /api/agents). */
  agents?(): unknown;
  isAgent(agent: string): boolean;
  /** `reason` goes with agent-break only (default "break"). */
  agentAction(agent: string, action: (typeof AGENT_STATUSES)[AgentStatusName], reason?: string): boolean;
  /** Journals an operator's status change (`agent.status`, via "api"), as *60–*63 journal theirs. */
  journal?(type: "agent.status", data: Record<string, unknown>): void;
}

/** Serves the queue routes; false when the path is not one of them. */
export async function queueRoutes(req: IncomingMessage, res: ServerResponse, path: string, deps: QueueRoutesDeps | undefined): Promise<boolean> {
  if (path === "/api/queues") {
    if (req.method !== "GET") throw methodNotAllowed(req.method, ["GET"]);
    if (deps === undefined) throw new HttpError(503, "queues are not running");
    send(res, 200, deps.report());
    return true;
  }
  const one = /^\/api\/queues\/([^/]+)$/.exec(path);
  if (one !== null || path === "/api/agents") {
    if (req.method !== "GET") throw methodNotAllowed(req.method, ["GET"]);
    if (deps?.queue === undefined || deps.agents === undefined) throw new HttpError(503, "queues are not running");
    let body: unknown;
    if (one === null) body = deps.agents();
    else {
      const number = pathSegment(one[1] ?? "", "queue");
      body = deps.queue(number);
      if (body === undefined) throw new HttpError(404, `queue ${number}: no such queue`);
    }
    send(res, 200, body);
    return true;
  }
  const m = /^\/api\/agents\/([^/]+)\/status$/.exec(path);
  if (m === null) return false;
  if (req.method !== "PUT") throw methodNotAllowed(req.method, ["PUT"]);
  if (deps === undefined) throw new HttpError(503, "queues are not running");
  const agent = pathSegment(m[1] ?? "", "agent");
  if (!deps.isAgent(agent)) throw new HttpError(404, `agent ${agent}: not a member of any queue`);
  const body = await readJson(req);
  const status = body !== null && typeof body === "object" && !Array.isArray(body) ? (body as Record<string, unknown>)["status"] : undefined;
  if (typeof status !== "string" || !Object.hasOwn(AGENT_STATUSES, status)) {
    throw new HttpError(400, `status: must be one of ${Object.keys(AGENT_STATUSES).join(", ")} (got ${JSON.stringify(status ?? null)})`);
  }
  const reason = (body as Record<string, unknown>)["reason"];
  if (reason !== undefined && (status !== "on-break" || typeof reason !== "string" || !/^[\w.-]{1,40}$/.test(reason))) {
    throw new HttpError(400, `reason: goes with status on-break only, 1-40 letters, digits, "_", "." or "-" (got ${JSON.stringify(reason)})`);
  }
  const action = AGENT_STATUSES[status as AgentStatusName];
  if (deps.agentAction(agent, action, reason)) deps.journal?.("agent.status", reason === undefined ? { agent, action, via: "api" } : { agent, action, reason, via: "api" });
  send(res, 200, reason === undefined ? { agent, status } : { agent, status, reason });
  return true;
}
