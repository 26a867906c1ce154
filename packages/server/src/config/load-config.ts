// Reads hotline.yaml: YAML syntax, then the schema, then cross-field checks; every error is
// reported as "file:line:col: path: message" (STYLE.md §4).
import { readFileSync } from "node:fs";
import { dirname } from "node:path";
import { LineCounter, parseDocument } from "yaml";
import { crossChecks, resolvePaths } from "./checks.js";
import { errorMap, formatIssues, fromZod, type FormatContext } from "./issues.js";
import { configSchema, type HotlineConfig } from "./schema.js";
import { numericKeyIssues } from "./yaml-keys.js";

export type LoadConfigResult = { ok: true; config: HotlineConfig } | { ok: false; errors: string[] };

function readText(path: string): { ok: true; text: string } | { ok: false; error: string } {
  try {
    return { ok: true, text: readFileSync(path, "utf8") };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { ok: false, error: `${path}: cannot read the configuration file (${code ?? String(error)})` };
  }
}

/**
 * Validates YAML text as a hotline configuration. Relative paths in it (dataDir, cert, key)
 * are resolved against `baseDir`, normally the directory of the file.
 */
export function parseConfig(text: string, file: string, baseDir: string): LoadConfigResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map((e) => {
        const pos = lines.linePos(e.pos[0]);
        return `${file}:${pos.line}:${pos.col}: ${e.message.split("\n")[0] ?? e.code}`;
      }),
    };
  }
  // An empty file (or one holding only comments) is the embedded default configuration.
  const data: unknown = doc.contents === null ? {} : doc.toJS({ maxAliasCount: 100 });
  const ctx: FormatContext = { file, doc, lines, data };
  const keyIssues = numericKeyIssues(doc);
  const parsed = configSchema.safeParse(data, { error: errorMap });
  if (!parsed.success) return { ok: false, errors: formatIssues(ctx, [...keyIssues, ...fromZod(parsed.error, configSchema)]) };
  const config = resolvePaths(parsed.data, baseDir);
  const issues = [...keyIssues, ...crossChecks(config)];
  if (issues.length > 0) return { ok: false, errors: formatIssues(ctx, issues) };
  return { ok: true, config };
}

/** Loads `path`, or the embedded defaults when `path` is null (relative paths then resolve against the cwd). */
export function loadConfig(path: string | null): LoadConfigResult {
  if (path === null) return parseConfig("", "(defaults)", process.cwd());
  const read = readText(path);
  if (!read.ok) return { ok: false, errors: [read.error] };
  return parseConfig(read.text, path, dirname(path));
}

/** A copy safe to log: provisioned and carrier passwords replaced. */
export function redactConfig(config: HotlineConfig): HotlineConfig {
  const hidden = "[redacted]";
  return {
    ...config,
    users: config.users.map((u) => ({ ...u, password: hidden })),
    trunks: Object.fromEntries(
      Object.entries(config.trunks).map(([name, t]) => [
        name,
        { ...t, register: t.register && { ...t.register, password: hidden }, auth: t.auth && { ...t.auth, password: hidden } },
      ]),
    ),
  };
}
