// GET and PUT /api/extensions/:ext/settings: forward, do-not-disturb and call waiting of one
// extension, as users change them at runtime. null in a field means "use the configured
// default"; "" in a forward field means "off, whatever the configuration says". PUT merges:
// fields left out keep their stored value.
import type { IncomingMessage } from "node:http";
import type { ExtensionSettingsRecord } from "@hotline/switch";
import { usernameProblem } from "../config/index.js";
import { HttpError, methodNotAllowed, readJson } from "./http-io.js";
import type { RecordRoutesDeps } from "./record-routes.js";

type SettingField = "dnd" | "callWaiting" | "forwardAlways" | "forwardBusy" | "forwardNoAnswer";
const FLAG_FIELDS = ["dnd", "callWaiting"] as const;
const FORWARD_FIELDS = ["forwardAlways", "forwardBusy", "forwardNoAnswer"] as const;
const FIELDS: readonly SettingField[] = [...FLAG_FIELDS, ...FORWARD_FIELDS];

export type SettingsPatch = Partial<Pick<ExtensionSettingsRecord, SettingField>>;

/** What GET answers for an extension that never changed a setting: every field at its default. */
export function defaultSettings(extension: string): Omit<ExtensionSettingsRecord, "updatedAt"> & { updatedAt: null } {
  return { extension, dnd: null, callWaiting: null, forwardAlways: null, forwardBusy: null, forwardNoAnswer: null, updatedAt: null };
}

/**
 * Checks a PUT body. Returns the patch, or every problem found, each naming its field:
 * `dnd: must be true, false or null (got "yes")`.
 */
export function parseSettingsPatch(extension: string, body: unknown): { ok: true; patch: SettingsPatch } | { ok: false; errors: string[] } {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    return { ok: false, errors: [`body: expected a JSON object with any of ${FIELDS.join(", ")}`] };
  }
  const errors: string[] = [];
  const patch: SettingsPatch = {};
  for (const [key, value] of Object.entries(body)) {
    if ((FLAG_FIELDS as readonly string[]).includes(key)) {
      if (value === null || typeof value === "boolean") patch[key as (typeof FLAG_FIELDS)[number]] = value;
      else errors.push(`${key}: must be true, false or null (got ${JSON.stringify(value)})`);
    } else if ((FORWARD_FIELDS as readonly string[]).includes(key)) {
      const problem = forwardProblem(extension, value);
      if (problem) errors.push(`${key}: ${problem}`);
      else patch[key as (typeof FORWARD_FIELDS)[number]] = value as string | null;
    } else {
      errors.push(`${key}: unknown field; allowed: ${FIELDS.join(", ")}`);
    }
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, patch };
}

function forwardProblem(extension: string, value: unknown): string | null {
  // null: the configured default; "": off, even when the configuration sets a forward.
  if (value === null || value === "") return null;
  if (typeof value !== "string") return `must be an extension or number, "" for off, or null for the default (got ${JSON.stringify(value)})`;
  // Targets end up in a Request-URI user part: the same characters as a username.
  const problem = usernameProblem(value);
  if (problem) return `${JSON.stringify(value)}: ${problem}`;
  if (value === extension) return "must not be the extension itself (a forwarding loop)";
  return null;
}

async function requireExtension(deps: RecordRoutesDeps, extension: string): Promise<void> {
  const problem = usernameProblem(extension);
  if (problem) throw new HttpError(400, `extension ${JSON.stringify(extension)}: ${problem}`);
  if ((await deps.store.users.get(extension)) === null) throw new HttpError(404, `no such extension: ${extension}`);
}

export async function extensionSettingsRoute(req: IncomingMessage, extension: string, deps: RecordRoutesDeps): Promise<unknown> {
  if (req.method === "GET") {
    await requireExtension(deps, extension);
    return (await deps.store.extensionSettings.get(extension)) ?? defaultSettings(extension);
  }
  if (req.method !== "PUT") throw methodNotAllowed(req.method, ["GET", "PUT"]);
  await requireExtension(deps, extension);
  const parsed = parseSettingsPatch(extension, await readJson(req));
  if (!parsed.ok) throw new HttpError(400, parsed.errors.join("; "), { errors: parsed.errors });
  const stored = (await deps.store.extensionSettings.get(extension)) ?? { ...defaultSettings(extension), updatedAt: 0 };
  const record: ExtensionSettingsRecord = { ...stored, ...parsed.patch, extension, updatedAt: deps.now() };
  await deps.store.extensionSettings.put(record);
  deps.onExtensionSettingsChanged?.(record);
  return record;
}
