// `hotline registrations` and `hotline status`: ask the running switch over its HTTP
// endpoint; when nothing answers, say so (and for registrations, read the store instead).
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { BindingRecord } from "@hotline/switch";
import type { HotlineConfig } from "../config/index.js";
import { DB_FILE_NAME, openSqliteStore } from "../store/sqlite-store.js";
import { CliError, EXIT, loadConfigOrThrow, type DataOptions } from "./context.js";
import { renderTable } from "./table.js";

type Fetched = { ok: true; body: unknown } | { ok: false; reason: string };

/** The URL a local client uses for the configured listen address (a wildcard means "any", so ask loopback). */
export function baseUrl(http: HotlineConfig["http"]): string {
  const host = http.host === "0.0.0.0" ? "127.0.0.1" : http.host === "::" ? "::1" : http.host;
  return `http://${host.includes(":") ? `[${host}]` : host}:${http.port}`;
}

async function fetchJson(url: string): Promise<Fetched> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(3000) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    return { ok: false, reason: cause?.code ?? (error as Error).name };
  }
  if (!response.ok) throw new CliError(`${url} answered ${response.status} ${response.statusText}`);
  try {
    return { ok: true, body: await response.json() };
  } catch {
    throw new CliError(`${url} did not answer JSON`);
  }
}

function bindingsOf(body: unknown): BindingRecord[] | null {
  const list = Array.isArray(body) ? body : (body as { registrations?: unknown } | null)?.registrations;
  return Array.isArray(list) ? (list as BindingRecord[]) : null;
}

function printBindings(bindings: readonly BindingRecord[], now: number): void {
  if (bindings.length === 0) return void console.log("no registrations");
  const rows = bindings.map((b) => [
    b.aor,
    b.contact,
    `${b.source.transport} ${b.source.address}:${b.source.port}`,
    String(Math.max(0, Math.round((b.expiresAt - now) / 1000))),
    b.userAgent ?? "",
  ]);
  console.log(renderTable(["AOR", "CONTACT", "SOURCE", "EXPIRES IN (s)", "USER AGENT"], rows));
}

async function storedBindings(config: HotlineConfig, now: number): Promise<BindingRecord[]> {
  if (!existsSync(join(config.dataDir, DB_FILE_NAME))) throw new CliError(`no database at ${join(config.dataDir, DB_FILE_NAME)}`);
  const store = await openSqliteStore(config.dataDir);
  try {
    return (await store.bindings.listAll()).filter((b) => b.expiresAt > now);
  } finally {
    await store.close();
  }
}

export async function registrations(options: DataOptions & { json?: boolean }): Promise<void> {
  const config = loadConfigOrThrow(options);
  const url = `${baseUrl(config.http)}/api/registrations`;
  const fetched = await fetchJson(url);
  const now = Date.now();
  if (fetched.ok) {
    const bindings = bindingsOf(fetched.body);
    if (options.json || !bindings) return void console.log(JSON.stringify(fetched.body, null, 2));
    return printBindings(bindings, now);
  }
  const bindings = await storedBindings(config, now);
  console.error(`hotline is not running (${url}: ${fetched.reason}); showing the registrations stored in ${join(config.dataDir, DB_FILE_NAME)}`);
  if (options.json) return void console.log(JSON.stringify(bindings, null, 2));
  printBindings(bindings, now);
}

/** Flattens nested JSON into "a.b: value" lines for people. */
function flatten(value: unknown, prefix: string, out: string[]): string[] {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out.push(`${prefix || "status"}: ${typeof value === "string" ? value : JSON.stringify(value)}`);
  }
  return out;
}

export async function status(options: DataOptions & { json?: boolean }): Promise<void> {
  const config = loadConfigOrThrow(options);
  const url = `${baseUrl(config.http)}/api/status`;
  const fetched = await fetchJson(url);
  if (!fetched.ok) {
    // "Not running" is an answer, not a failure of the command: stdout, and exit 3 as LSB
    // init scripts and systemctl report a stopped service.
    console.log(`hotline is not running (${url}: ${fetched.reason})`);
    process.exitCode = EXIT.notRunning;
    return;
  }
  console.log(options.json ? JSON.stringify(fetched.body, null, 2) : flatten(fetched.body, "", []).join("\n"));
}


interface LiveCallLeg {
  party: string;
  role: string;
  codec: string | null;
  onHold: boolean;
  media: { packetsIn: number; packetsOut: number; lost: number; jitterMs: number } | null;
}
interface LiveCall {
  id: string;
  state: string;
  caller: string;
  dialed: string;
  connectedTo: string | null;
  talkSeconds: number;
  legs: LiveCallLeg[];
}

/** `hotline calls`: the calls in progress with each leg's RTP counters (GET /api/calls). */
export async function calls(options: DataOptions & { json?: boolean }): Promise<void> {
  const config = loadConfigOrThrow(options);
  const url = `${baseUrl(config.http)}/api/calls`;
  const fetched = await fetchJson(url);
  if (!fetched.ok) {
    console.log(`hotline is not running (${url}: ${fetched.reason})`);
    process.exitCode = EXIT.notRunning;
    return;
  }
  if (options.json) return void console.log(JSON.stringify(fetched.body, null, 2));
  const list = (fetched.body as { calls?: LiveCall[] }).calls ?? [];
  if (list.length === 0) return void console.log("no calls");
  const rows: string[][] = [];
  for (const c of list) {
    for (const [i, l] of c.legs.entries()) {
      const m = l.media;
      rows.push([
        i === 0 ? c.id : "",
        i === 0 ? `${c.caller} → ${c.dialed}${c.connectedTo !== null && c.connectedTo !== c.dialed ? ` (${c.connectedTo})` : ""}` : "",
        i === 0 ? `${c.state} ${c.talkSeconds}s` : "",
        `${l.role} ${l.party}${l.onHold ? " (hold)" : ""}`,
        l.codec ?? "",
        m === null ? "" : `${m.packetsIn}/${m.packetsOut}`,
        m === null ? "" : String(m.lost),
        m === null ? "" : m.jitterMs.toFixed(1),
      ]);
    }
  }
  console.log(renderTable(["CALL", "PARTIES", "STATE", "LEG", "CODEC", "RTP IN/OUT", "LOST", "JITTER ms"], rows));
}
