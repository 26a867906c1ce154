// Supervisor controls over HTTP (issue 4): POST /api/agents/:ext/monitor {mode}, POST
// /api/agents/:ext/take-over, POST /api/agents/:ext/hangup, and PUT /api/agents/:ext/status
// *with* an Authorization header (a supervisor forcing the agent's status; without one the
// route stays the operator's tool in queue-routes.ts). The caller authenticates with HTTP
// Basic (RFC 7617) as the supervisor extension and its SIP password; the switch checks that
// this extension supervises the agent and journals every attempt. Wrong passwords count in
// the SIP digest brute-force guard (keyed by source address and username): once blocked, the
// route answers 429 without looking at the password, so it is no unthrottled password oracle.
import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { ha1Md5, MONITOR_MODES, type MonitorMode, type RefusalWhy, type SupervisorResult, type UserRecord } from "@hotline/switch";
import { HttpError, methodNotAllowed, pathSegment, readJson, send } from "./http-io.js";

/** The part of @hotline/switch's BruteForceGuard the route uses (the one guarding SIP digest). */
export interface AuthFailureGuard {
  isBlocked(key: string, now: number): boolean;
  /** true when this failure starts a block. */
  recordFailure(key: string, now: number): boolean;
  recordSuccess(key: string, now: number): void;
}

export interface SupervisorRoutesDeps {
  /** The SIP realm users' HA1 digests were computed for (sip.domain). */
  realm: string;
  /** Counts wrong HTTP Basic passwords; left out, nothing is throttled (tests). */
  guard?: { failures: AuthFailureGuard; now(): number; onBlocked?(key: string): void };
  user(username: string): Promise<UserRecord | null>;
  monitor(actor: string, agent: string, mode: MonitorMode): SupervisorResult;
  takeOver(actor: string, agent: string): SupervisorResult;
  hangup(actor: string, agent: string): SupervisorResult;
  forceStatus(actor: string, agent: string, action: "force-available" | "force-break" | "force-logout"): SupervisorResult;
}

const AGENT_ROUTE = /^\/api\/agents\/([^/]+)\/(monitor|take-over|hangup|status)$/;
const FORCED_STATUSES = { available: "force-available", "on-break": "force-break", "logged-out": "force-logout" } as const;
const CHALLENGE = { "www-authenticate": 'Basic realm="hotline supervisor", charset="UTF-8"' };

/** HTTP status for each refusal: permission 403, unknown agent 404, the rest a conflict with the current state. */
const HTTP_STATUS: Record<RefusalWhy, number> = {
  "not-permitted": 403,
  "not-an-agent": 404,
  "agent-not-in-call": 409,
  "already-supervised": 409,
  "supervisor-unreachable": 409,
};

/** Serves the supervisor routes; false when the request is not one (PUT status without Authorization is not). */
export async function supervisorRoutes(req: IncomingMessage, res: ServerResponse, path: string, deps: SupervisorRoutesDeps | undefined): Promise<boolean> {
  const m = AGENT_ROUTE.exec(path);
  if (m === null) return false;
  const what = m[2] as "monitor" | "take-over" | "hangup" | "status";
  if (what === "status" && req.headers.authorization === undefined) return false;
  const method = what === "status" ? "PUT" : "POST";
  if (req.method !== method) throw methodNotAllowed(req.method, [method]);
  if (deps === undefined) throw new HttpError(503, "supervisor controls are not running");
  const agent = pathSegment(m[1] ?? "", "agent");
  const actor = await authenticate(req, deps);
  const action = `${what} of agent ${agent}`;
  let result: SupervisorResult;
  switch (what) {
    case "monitor": {
      const mode = field(await readJson(req), "mode");
      if (typeof mode !== "string" || !(MONITOR_MODES as readonly string[]).includes(mode)) {
        throw new HttpError(400, `mode: must be one of ${MONITOR_MODES.join(", ")} (got ${JSON.stringify(mode ?? null)})`);
      }
      result = deps.monitor(actor, agent, mode as MonitorMode);
      break;
    }
    case "take-over":
      result = deps.takeOver(actor, agent);
      break;
    case "hangup":
      result = deps.hangup(actor, agent);
      break;
    case "status": {
      const status = field(await readJson(req), "status");
      if (typeof status !== "string" || !Object.hasOwn(FORCED_STATUSES, status)) {
        throw new HttpError(400, `status: a supervisor can force one of ${Object.keys(FORCED_STATUSES).join(", ")} (got ${JSON.stringify(status ?? null)})`);
      }
      result = deps.forceStatus(actor, agent, FORCED_STATUSES[status as keyof typeof FORCED_STATUSES]);
      if (result.ok) {
        send(res, 200, { agent, status, forcedBy: actor });
        return true;
      }
      break;
    }
  }
  if (!result.ok) throw new HttpError(HTTP_STATUS[result.why], `${action} by ${actor}: ${result.reason}`);
  // monitor and take-over ring the supervisor's phone first (202: the join happens on answer).
  const ringing = what === "monitor" || what === "take-over";
  send(res, ringing ? 202 : 200, { agent, action: what, supervisor: actor, callId: result.callId });
  return true;
}

function field(body: unknown, name: string): unknown {
  return body !== null && typeof body === "object" && !Array.isArray(body) ? (body as Record<string, unknown>)[name] : undefined;
}

/**
 * The guard key of an HTTP Basic attempt: source address and username (a mistyping supervisor
 * blocks only itself, not a whole office behind one address, nor SIP from that address — SIP
 * keys are bare addresses). IPv4-mapped IPv6 is written as IPv4; the username is cut short so
 * a guesser cannot make the keys big.
 */
export function basicAuthKey(remoteAddress: string | undefined, username: string): string {
  const ip = (remoteAddress ?? "unknown").replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, "");
  return `${ip} http-basic ${JSON.stringify(username.slice(0, 64))}`;
}

/**
 * HTTP Basic (RFC 7617 §2) checked against the stored HA1 = MD5(user:realm:password)
 * (RFC 7616 §3.4.2): the password itself is never stored. 401 with a challenge when missing
 * or wrong; the comparison takes the same time whatever matches. Credentials presented and
 * wrong count as a failure in the guard; while (address, username) is blocked the answer is
 * 429 before the password is looked at (RFC 6585 §4). A missing header is not a failure (as
 * for SIP: every first request lacks it).
 */
async function authenticate(req: IncomingMessage, deps: SupervisorRoutesDeps): Promise<string> {
  const header = req.headers.authorization ?? "";
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (m === null) throw new HttpError(401, "authorization: HTTP Basic credentials of a supervisor extension required", { headers: CHALLENGE });
  const decoded = Buffer.from(m[1] ?? "", "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  const username = colon < 0 ? decoded : decoded.slice(0, colon);
  const password = colon < 0 ? "" : decoded.slice(colon + 1);
  const guard = deps.guard;
  const key = basicAuthKey(req.socket.remoteAddress, username);
  if (guard !== undefined && guard.failures.isBlocked(key, guard.now())) {
    throw new HttpError(429, "authorization: too many wrong passwords for this extension from this address; try again later");
  }
  const user = username === "" ? null : await deps.user(username);
  // An unknown user still costs one digest and compare, so timing does not tell users apart.
  const stored = Buffer.from(user !== null && user.realm === deps.realm ? user.ha1Md5 : "0".repeat(32), "utf8");
  const given = Buffer.from(ha1Md5(username, deps.realm, password), "utf8");
  const same = stored.length === given.length && timingSafeEqual(stored, given);
  if (user === null || !same) {
    if (guard !== undefined && guard.failures.recordFailure(key, guard.now())) guard.onBlocked?.(key);
    throw new HttpError(401, "authorization: wrong extension or password", { headers: CHALLENGE });
  }
  guard?.failures.recordSuccess(key, guard.now());
  return user.username;
}
