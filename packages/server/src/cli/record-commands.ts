// `hotline cdr list` and `hotline missed list|done`: call records read from (and callbacks
// marked in) the store of the configured data directory, whether or not the switch runs.
import type { CallDisposition, CdrQuery, CdrRecord, MissedCallRecord } from "@hotline/switch";
import { CALL_DISPOSITIONS } from "@hotline/switch";
import { parseHandlerName, parseId, parseLimit, parseTime, type Parsed } from "../http/params.js";
import { CliError, EXIT, withStore, type DataOptions } from "./context.js";
import { renderTable } from "./table.js";

/** The option's value, or exit 2 naming the option: `--from: not an ISO 8601 date …`. */
function option<T>(flag: string, text: string | undefined, parse: (text: string) => Parsed<T>): T | undefined {
  if (text === undefined) return undefined;
  const parsed = parse(text);
  if (!parsed.ok) throw new CliError(`${flag}: ${parsed.problem}`, EXIT.badInput);
  return parsed.value;
}

/** "2025-01-31 14:05:09" (UTC; the column header says so). */
export function formatSeconds(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace("T", " ");
}

/** Talk time as m:ss, or h:mm:ss from an hour on. */
export function formatDuration(ms: number): string {
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

export interface CdrListOptions extends DataOptions {
  from?: string;
  to?: string;
  party?: string;
  disposition?: string;
  limit?: string;
  before?: string;
  json?: boolean;
}

function cdrQuery(options: CdrListOptions): CdrQuery & { limit: number } {
  const disposition = option("--disposition", options.disposition, (t): Parsed<CallDisposition> =>
    (CALL_DISPOSITIONS as readonly string[]).includes(t)
      ? { ok: true, value: t as CallDisposition }
      : { ok: false, problem: `must be one of ${CALL_DISPOSITIONS.join(", ")} (got ${JSON.stringify(t)})` },
  );
  const q = {
    from: option("--from", options.from, (t) => parseTime(t)),
    to: option("--to", options.to, (t) => parseTime(t)),
    party: options.party,
    disposition,
    limit: option("--limit", options.limit, parseLimit) ?? 100,
    before: options.before,
  };
  if (q.from !== undefined && q.to !== undefined && q.from >= q.to) {
    throw new CliError(`--from must be before --to (${formatSeconds(q.from)} is not before ${formatSeconds(q.to)} UTC)`, EXIT.badInput);
  }
  return q;
}

const cdrRow = (c: CdrRecord): string[] => [
  formatSeconds(c.startedAt),
  c.direction,
  c.callerName ? `${c.caller} (${c.callerName})` : c.caller,
  c.dialed,
  c.answeredBy ?? "",
  c.disposition,
  c.answeredAt === null ? "" : formatDuration(c.talkMs),
  c.callId,
];

export async function cdrList(options: CdrListOptions): Promise<void> {
  const q = cdrQuery(options);
  await withStore(options, async (store) => {
    if (q.before !== undefined && (await store.cdrs.get(q.before)) === null) throw new CliError(`--before: no CDR with call id ${q.before}`, EXIT.badInput);
    const cdrs = await store.cdrs.list(q);
    if (options.json) return void console.log(JSON.stringify(cdrs, null, 2));
    if (cdrs.length === 0) return void console.log("no CDRs match");
    console.log(renderTable(["STARTED (UTC)", "DIRECTION", "CALLER", "DIALED", "ANSWERED BY", "DISPOSITION", "TALK", "CALL ID"], cdrs.map(cdrRow)));
    const last = cdrs.at(-1);
    if (cdrs.length === q.limit && last) console.log(`\n${cdrs.length} shown, newest first; older ones: --before ${last.callId}`);
  });
}

const handledText = (m: MissedCallRecord): string =>
  m.handledAt === null ? "pending" : `${formatSeconds(m.handledAt)} by ${m.handledBy ?? "?"}`;

export async function missedList(options: DataOptions & { all?: boolean; limit?: string; json?: boolean }): Promise<void> {
  const limit = option("--limit", options.limit, parseLimit) ?? 100;
  await withStore(options, async (store) => {
    const list = await store.missedCalls.list({ pending: !options.all, limit });
    if (options.json) return void console.log(JSON.stringify(list, null, 2));
    if (list.length === 0) return void console.log(options.all ? "no missed calls" : "no pending missed calls");
    const headers = ["ID", "AT (UTC)", "CALLER", "NAME", "DIALED", "REASON", "PRIORITY", ...(options.all ? ["HANDLED"] : [])];
    const rows = list.map((m) => [
      String(m.id), formatSeconds(m.at), m.caller, m.callerName ?? "", m.dialed, m.reason, String(m.priority),
      ...(options.all ? [handledText(m)] : []),
    ]);
    console.log(renderTable(headers, rows));
  });
}

export async function missedDone(idText: string, options: DataOptions & { by: string }): Promise<void> {
  const id = option("id", idText, parseId) ?? 0;
  const by = option("--by", options.by, parseHandlerName) ?? "";
  await withStore(options, async (store) => {
    if (!(await store.missedCalls.markHandled(id, by, Date.now()))) {
      throw new CliError(`missed call ${id} is not pending (no such id, or already handled; see "hotline missed list --all")`);
    }
    console.log(`missed call ${id} marked handled by ${by}`);
  });
}
