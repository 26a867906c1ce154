// Operator commands for the ACD (issue 4), all through the running switch's local HTTP
// endpoint like `hotline calls`: `hotline queues` (GET /api/queues), `hotline agents`
// (GET /api/agents), `hotline agent <ext> <available|break [reason]|logout|login>`
// (PUT /api/agents/:ext/status, the operator's route without Authorization) and
// `hotline audit` (GET /api/journal?type=supervisor.action, the supervisors' audit log).
import type { HotlineConfig } from "../config/index.js";
import { parseLimit, parseTime, type Parsed } from "../http/params.js";
import { CliError, EXIT, loadConfigOrThrow, type DataOptions } from "./context.js";
import { baseUrl } from "./query-commands.js";
import { formatDuration, formatSeconds } from "./record-commands.js";
import { renderTable } from "./table.js";

type Answer = { ok: true; body: unknown } | { ok: false; reason: string };

/** One request to the running switch; "not running" is an answer, an HTTP error a CliError with the API's own message. */
async function request(config: HotlineConfig, path: string, init: { method: "GET" | "PUT"; body?: unknown } = { method: "GET" }): Promise<Answer> {
  const url = `${baseUrl(config.http)}${path}`;
  let response: Response;
  try {
    response = await fetch(url, { method: init.method, signal: AbortSignal.timeout(3000), ...(init.body !== undefined && { body: JSON.stringify(init.body) }) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    return { ok: false, reason: `${url}: ${cause?.code ?? (error as Error).name}` };
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new CliError(`${url} answered ${response.status} without JSON`);
  }
  if (!response.ok) {
    const message = (body as { error?: unknown } | null)?.error;
    // 4xx: what the operator asked for was wrong (unknown agent, bad status): exit 2 like other bad input.
    throw new CliError(`${url} answered ${response.status}: ${typeof message === "string" ? message : response.statusText}`, response.status < 500 ? EXIT.badInput : EXIT.failure);
  }
  return { ok: true, body };
}

/** The body, or prints "not running" and sets exit 3 (as `hotline status`). */
async function ask(config: HotlineConfig, path: string, init?: { method: "GET" | "PUT"; body?: unknown }): Promise<unknown> {
  const answer = await request(config, path, init);
  if (answer.ok) return answer.body;
  console.log(`hotline is not running (${answer.reason})`);
  process.exitCode = EXIT.notRunning;
  return undefined;
}

function option<T>(flag: string, text: string | undefined, parse: (text: string) => Parsed<T>): T | undefined {
  if (text === undefined) return undefined;
  const parsed = parse(text);
  if (!parsed.ok) throw new CliError(`${flag}: ${parsed.problem}`, EXIT.badInput);
  return parsed.value;
}

const dash = (v: number | null | undefined, unit = ""): string => (v === null || v === undefined ? "-" : `${v}${unit}`);

interface QueueLine {
  queue: string;
  waiting: number;
  oldestWaitSeconds: number | null;
  available: number;
  loggedIn: number;
  answered: number;
  abandoned: number;
  serviceLevelSeconds: number;
  serviceLevelPercent: number | null;
  averageSpeedOfAnswerSeconds: number | null;
  averageHandleTimeSeconds: number | null;
}

/** `hotline queues`: one line per queue with the day's figures. */
export async function queues(options: DataOptions & { json?: boolean }): Promise<void> {
  const config = loadConfigOrThrow(options);
  const body = await ask(config, "/api/queues");
  if (body === undefined) return;
  if (options.json) return void console.log(JSON.stringify(body, null, 2));
  const list = (body as { queues?: QueueLine[] }).queues ?? [];
  if (list.length === 0) return void console.log("no queues");
  const rows = list.map((q) => [
    q.queue,
    String(q.waiting),
    dash(q.oldestWaitSeconds, "s"),
    `${q.available}/${q.loggedIn}`,
    String(q.answered),
    String(q.abandoned),
    q.serviceLevelPercent === null ? "-" : `${q.serviceLevelPercent}% (${q.serviceLevelSeconds}s)`,
    dash(q.averageSpeedOfAnswerSeconds, "s"),
    dash(q.averageHandleTimeSeconds, "s"),
  ]);
  console.log(renderTable(["QUEUE", "WAITING", "OLDEST", "AGENTS AVAIL/IN", "ANSWERED", "ABANDONED", "SL", "ASA", "AHT"], rows));
}

interface AgentLine {
  agent: string;
  registered: boolean;
  status: { kind: string; reason?: string };
  statusSince: string;
  state: string;
  stateSince: string;
  callsAnswered: number;
  talkTimeSeconds: number;
  queues: string[];
}

/** `hotline agents`: each member agent's status and state with since when, calls and talk time today. */
export async function agents(options: DataOptions & { json?: boolean }): Promise<void> {
  const config = loadConfigOrThrow(options);
  const body = await ask(config, "/api/agents");
  if (body === undefined) return;
  if (options.json) return void console.log(JSON.stringify(body, null, 2));
  const list = (body as { agents?: AgentLine[] }).agents ?? [];
  if (list.length === 0) return void console.log("no agents");
  const since = (iso: string): string => formatSeconds(Date.parse(iso));
  const rows = list.map((a) => [
    a.agent,
    a.status.kind === "on-break" ? `on-break (${a.status.reason ?? "break"})` : a.status.kind,
    since(a.statusSince),
    a.state,
    since(a.stateSince),
    a.registered ? "yes" : "no",
    String(a.callsAnswered),
    formatDuration(a.talkTimeSeconds * 1000),
    a.queues.join(","),
  ]);
  console.log(renderTable(["AGENT", "STATUS", "STATUS SINCE (UTC)", "STATE", "STATE SINCE (UTC)", "PHONE", "CALLS", "TALK", "QUEUES"], rows));
}

/** `hotline agent <ext> <what> [reason]` → the body of PUT /api/agents/:ext/status. */
export function agentStatusBody(what: string, reason: string | undefined): { status: string; reason?: string } {
  const status = { available: "available", break: "on-break", logout: "logged-out", login: "logged-in" }[what];
  if (status === undefined) throw new CliError(`agent: unknown action ${JSON.stringify(what)}; use available, break [reason], logout or login`, EXIT.badInput);
  if (reason !== undefined && status !== "on-break") throw new CliError(`agent: a reason goes with "break" only (got ${JSON.stringify(reason)} after ${what})`, EXIT.badInput);
  return reason === undefined ? { status } : { status, reason };
}

/** `hotline agent <ext> <available|break [reason]|logout|login>`: sets the agent's status as the operator. */
export async function agentStatus(ext: string, what: string, reason: string | undefined, options: DataOptions): Promise<void> {
  const body = agentStatusBody(what, reason);
  const config = loadConfigOrThrow(options);
  const answer = await ask(config, `/api/agents/${encodeURIComponent(ext)}/status`, { method: "PUT", body });
  if (answer === undefined) return;
  console.log(`agent ${ext}: ${body.status}${body.reason !== undefined ? ` (${body.reason})` : ""}`);
}

interface AuditEvent {
  seq: number;
  at: number;
  /** Always null: supervision writes its audit entry with recorder.note; the call is data.callId. */
  callId: string | null;
  data: { actor?: string; agent?: string; action?: string; via?: string; outcome?: string; reason?: string | null; callId?: string | null };
}

/** `hotline audit [--since] [--limit]`: the newest supervisor.action entries (oldest of them first). */
export async function audit(options: DataOptions & { since?: string; limit?: string; json?: boolean }): Promise<void> {
  const since = option("--since", options.since, (t) => parseTime(t));
  // --limit is at most 1000, as the journal route's page: the newest N are one page read from the end.
  const limit = option("--limit", options.limit, parseLimit) ?? 50;
  const config = loadConfigOrThrow(options);
  const body = await ask(config, `/api/journal?type=supervisor.action&order=newest&limit=${limit}`);
  if (body === undefined) return;
  const { events } = body as { events: AuditEvent[] };
  const kept = events.filter((e) => since === undefined || e.at >= since).reverse();
  if (options.json) return void console.log(JSON.stringify(kept, null, 2));
  if (kept.length === 0) return void console.log("no supervisor actions");
  const rows = kept.map((e) => [formatSeconds(e.at), e.data.actor ?? "", e.data.action ?? "", e.data.agent ?? "", e.data.via ?? "", e.data.outcome ?? "", e.data.reason ?? "", e.data.callId ?? e.callId ?? ""]);
  console.log(renderTable(["TIME (UTC)", "SUPERVISOR", "ACTION", "AGENT", "VIA", "OUTCOME", "REASON", "CALL"], rows));
}
