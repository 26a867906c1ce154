// HTTP routes over the call records: CDRs, the event journal, missed calls, and (in
// extension-settings-routes.ts) per-extension settings. Answers come from the store, so they
// include calls of earlier runs; reads and writes go through the same group commit as the
// switch's own writes.
import type { IncomingMessage, ServerResponse } from "node:http";
import { CALL_DISPOSITIONS, type CallDisposition, type ExtensionSettingsRecord, type Store } from "@hotline/switch";
import { HttpError, checkParams, methodNotAllowed, optionalParam, pathSegment, readJson, send } from "./http-io.js";
import { parseFlag, parseHandlerName, parseId, parseLimit, parseTime, type Parsed } from "./params.js";
import { extensionSettingsRoute } from "./extension-settings-routes.js";

/** What the record routes need from the composition root. */
export interface RecordRoutesDeps {
  store: Pick<Store, "cdrs" | "journal" | "missedCalls" | "extensionSettings" | "users">;
  /** The clock for handledAt and updatedAt. */
  now(): number;
  /** Called after extension settings were stored, so call control can drop a cached copy. */
  onExtensionSettingsChanged?(settings: ExtensionSettingsRecord): void;
}

const parseDisposition = (text: string): Parsed<CallDisposition> =>
  (CALL_DISPOSITIONS as readonly string[]).includes(text)
    ? { ok: true, value: text as CallDisposition }
    : { ok: false, problem: `must be one of ${CALL_DISPOSITIONS.join(", ")} (got ${JSON.stringify(text)})` };
const parseEpochOrIso = (text: string) => parseTime(text, true);
const parseText = (text: string): Parsed<string> => (text === "" ? { ok: false, problem: "must not be empty" } : { ok: true, value: text });

async function listCdrs(deps: RecordRoutesDeps, query: URLSearchParams): Promise<unknown> {
  checkParams(query, ["from", "to", "party", "disposition", "limit", "before"]);
  const q = {
    from: optionalParam(query, "from", parseEpochOrIso),
    to: optionalParam(query, "to", parseEpochOrIso),
    party: optionalParam(query, "party", parseText),
    disposition: optionalParam(query, "disposition", parseDisposition),
    limit: optionalParam(query, "limit", parseLimit) ?? 100,
    before: optionalParam(query, "before", parseText),
  };
  if (q.before !== undefined && (await deps.store.cdrs.get(q.before)) === null) {
    throw new HttpError(400, `before: no CDR with callId ${JSON.stringify(q.before)}`);
  }
  const cdrs = await deps.store.cdrs.list(q);
  // A full page may have a next one: pass `next` as `before` to get it.
  return { cdrs, next: cdrs.length === q.limit ? (cdrs.at(-1)?.callId ?? null) : null };
}

const JOURNAL_ORDERS = ["oldest", "newest"] as const;
const parseOrder = (text: string): Parsed<(typeof JOURNAL_ORDERS)[number]> =>
  (JOURNAL_ORDERS as readonly string[]).includes(text)
    ? { ok: true, value: text as (typeof JOURNAL_ORDERS)[number] }
    : { ok: false, problem: `must be one of ${JOURNAL_ORDERS.join(", ")} (got ${JSON.stringify(text)})` };

async function listJournal(deps: RecordRoutesDeps, query: URLSearchParams): Promise<unknown> {
  checkParams(query, ["after", "before", "order", "callId", "type", "limit"]);
  const limit = optionalParam(query, "limit", parseLimit) ?? 100;
  const afterSeq = optionalParam(query, "after", parseId);
  const beforeSeq = optionalParam(query, "before", parseId);
  const newestFirst = (optionalParam(query, "order", parseOrder) ?? "oldest") === "newest";
  const callId = optionalParam(query, "callId", parseText);
  // e.g. type=supervisor.action: the supervisors' audit log.
  const type = optionalParam(query, "type", parseText);
  const events = await deps.store.journal.list({ afterSeq, beforeSeq, newestFirst, callId, type, limit });
  // A tailing reader passes `last` (the highest seq seen) as `after` next time (unchanged when nothing was new).
  const last = (newestFirst ? events[0]?.seq : events.at(-1)?.seq) ?? afterSeq ?? 0;
  if (!newestFirst) return { events, last };
  // Paging back from the end: a full page may have an older one; pass `next` as `before` to get it.
  return { events, last, next: events.length === limit ? (events.at(-1)?.seq ?? null) : null };
}

async function listMissed(deps: RecordRoutesDeps, query: URLSearchParams): Promise<unknown> {
  checkParams(query, ["pending", "limit"]);
  const pending = optionalParam(query, "pending", parseFlag) ?? false;
  const limit = optionalParam(query, "limit", parseLimit) ?? 100;
  return { missedCalls: await deps.store.missedCalls.list({ pending, limit }) };
}

async function markHandled(deps: RecordRoutesDeps, req: IncomingMessage, idText: string): Promise<unknown> {
  const id = parseId(idText);
  if (!id.ok) throw new HttpError(400, `id: ${id.problem}`);
  const body = await readJson(req);
  if (body === null || typeof body !== "object" || Array.isArray(body)) throw new HttpError(400, 'body: expected a JSON object like {"by": "alice"}');
  const extra = Object.keys(body).filter((k) => k !== "by");
  if (extra.length > 0) throw new HttpError(400, `body: unknown field ${JSON.stringify(extra[0])}; allowed: by`);
  const byValue = (body as { by?: unknown }).by;
  if (typeof byValue !== "string") throw new HttpError(400, `by: must be a string naming who handled the call (got ${JSON.stringify(byValue ?? null)})`);
  const by = parseHandlerName(byValue);
  if (!by.ok) throw new HttpError(400, `by: ${by.problem}`);
  const at = deps.now();
  if (!(await deps.store.missedCalls.markHandled(id.value, by.value, at))) {
    throw new HttpError(409, `missed call ${id.value} is not pending (no such id, or already handled)`);
  }
  return { id: id.value, handledBy: by.value, handledAt: at };
}

const MISSED_HANDLED = /^\/api\/missed-calls\/([^/]+)\/handled$/;
const EXTENSION_SETTINGS = /^\/api\/extensions\/([^/]+)\/settings$/;

/**
 * Answers the record routes; false when `path` is not one of them. Throws HttpError for
 * client errors (the caller answers them).
 */
export async function recordRoutes(req: IncomingMessage, res: ServerResponse, url: URL, deps: RecordRoutesDeps | undefined): Promise<boolean> {
  const path = url.pathname;
  const get = async (body: () => Promise<unknown>): Promise<true> => {
    if (req.method !== "GET") throw methodNotAllowed(req.method, ["GET"]);
    send(res, 200, await body());
    return true;
  };
  const known = ["/api/cdrs", "/api/journal", "/api/missed-calls"].includes(path) || MISSED_HANDLED.test(path) || EXTENSION_SETTINGS.test(path);
  if (!known) return false;
  if (deps === undefined) throw new HttpError(503, "call records are not available in this process");
  if (path === "/api/cdrs") return get(() => listCdrs(deps, url.searchParams));
  if (path === "/api/journal") return get(() => listJournal(deps, url.searchParams));
  if (path === "/api/missed-calls") return get(() => listMissed(deps, url.searchParams));
  const handled = MISSED_HANDLED.exec(path);
  if (handled) {
    if (req.method !== "POST") throw methodNotAllowed(req.method, ["POST"]);
    send(res, 200, await markHandled(deps, req, pathSegment(handled[1] ?? "", "id")));
    return true;
  }
  const settings = EXTENSION_SETTINGS.exec(path);
  send(res, 200, await extensionSettingsRoute(req, pathSegment(settings?.[1] ?? "", "extension"), deps));
  return true;
}
