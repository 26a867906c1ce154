// Turns schema and cross-field findings into "file:line:col: path: message (got value)" lines.
import { z } from "zod";
import type { Document, LineCounter } from "yaml";
import { formatPath, locate, valueAt, type ConfigPath } from "./locate.js";

export interface ConfigIssue {
  path: ConfigPath;
  message: string;
  /** The last path segment is an unknown mapping key; point at the key, show no value. */
  atKey?: boolean;
  /** Append "(got …)" with the offending value (default true). */
  showValue?: boolean;
  /** The value to show when it is not in the file (a default). */
  value?: unknown;
}

const TYPE_WORDS: Record<string, string> = {
  string: "a string",
  number: "a number",
  int: "an integer",
  boolean: "true or false",
  object: "a mapping",
  array: "a list",
};

/** Wording for zod's generic issues; schema-specific messages (ranges, formats) take precedence. */
export const errorMap: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case "invalid_type": {
      if (issue.input === undefined) return "is required";
      const want = TYPE_WORDS[issue.expected] ?? issue.expected;
      // YAML reads 2001 as a number and 0012 as 12: ask for quotes rather than guess.
      if (issue.expected === "string" && typeof issue.input === "number") return `must be ${want}; quote it in YAML`;
      return `must be ${want}`;
    }
    case "invalid_value":
      // A required enum key (queues.*.strategy) that is missing: say so, as for other keys.
      if (issue.input === undefined) return "is required";
      return `must be one of: ${issue.values.map(String).join(", ")}`;
    case "too_small":
      return issue.origin === "array" ? `must list at least ${issue.minimum}` : undefined;
    default:
      return undefined;
  }
};

function describe(value: unknown): string {
  if (Array.isArray(value)) return "a list";
  if (value !== null && typeof value === "object") return "a mapping";
  const text = typeof value === "string" ? JSON.stringify(value) : String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Edit distance counting a swap of two neighbours as one edit ("prot" → "port"). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 0; j <= b.length; j++) (d[0] as number[])[j] = j;
  const at = (i: number, j: number) => d[i]?.[j] ?? Infinity;
  for (let i = 1; i <= a.length; i++) {
    const row = d[i] as number[];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(at(i, j), at(i - 2, j - 2) + 1);
    }
  }
  return at(a.length, b.length);
}

/** The closest known key to a misspelt one, if it is close enough to be a typo. */
export function suggestKey(unknown: string, known: readonly string[]): string | null {
  const squash = (s: string) => s.toLowerCase().replace(/[-_]/g, "");
  const sameLetters = known.find((k) => squash(k) === squash(unknown));
  if (sameLetters) return sameLetters;
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = editDistance(unknown.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return bestDistance <= Math.max(1, Math.floor(unknown.length / 3)) ? best : null;
}

function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  let s = schema;
  for (;;) {
    if (s instanceof z.ZodPipe) s = s.in;
    else if (s instanceof z.ZodDefault || s instanceof z.ZodPrefault || s instanceof z.ZodOptional || s instanceof z.ZodNullable) s = s.unwrap();
    else return s;
  }
}

/** Keys the schema accepts for the mapping at `path` (for "did you mean"). */
export function knownKeys(schema: z.core.$ZodType, path: ConfigPath): string[] {
  let s = unwrap(schema);
  for (const segment of path) {
    if (s instanceof z.ZodObject && typeof segment === "string") {
      const next = (s.shape as Record<string, z.core.$ZodType | undefined>)[segment];
      if (!next) return [];
      s = unwrap(next);
    } else if (s instanceof z.ZodArray) {
      s = unwrap(s.element);
    } else if (s instanceof z.ZodRecord && typeof segment === "string") {
      s = unwrap(s.valueType);
    } else {
      return [];
    }
  }
  return s instanceof z.ZodObject ? Object.keys(s.shape) : [];
}

/** Splits zod's issues into ConfigIssues (one per unknown key). */
export function fromZod(error: z.ZodError, schema: z.core.$ZodType): ConfigIssue[] {
  return error.issues.flatMap((issue): ConfigIssue[] => {
    const path = issue.path.map((p) => (typeof p === "symbol" ? String(p) : p));
    // A bad mapping key (ringGroups: { abc: … }): zod nests the key's own issue.
    if (issue.code === "invalid_key") return [{ path, message: `key ${issue.issues[0]?.message ?? issue.message}`, atKey: true }];
    // A custom issue about a whole mapping says what is wrong with it; "(got a mapping)" adds nothing.
    if (issue.code === "custom" && issue.params?.wholeMapping === true) return [{ path, message: issue.message, showValue: false }];
    if (issue.code !== "unrecognized_keys") return [{ path, message: issue.message }];
    const known = knownKeys(schema, path);
    return issue.keys.map((key) => {
      const hint = suggestKey(key, known);
      return { path: [...path, key], message: `unknown key${hint ? ` (did you mean "${hint}"?)` : ""}`, atKey: true };
    });
  });
}

export interface FormatContext {
  file: string;
  doc: Document;
  lines: LineCounter;
  data: unknown;
}

/** Formats and orders issues by position in the file. */
export function formatIssues(ctx: FormatContext, issues: readonly ConfigIssue[]): string[] {
  const rows = issues.map((issue) => {
    const pos = locate(ctx.doc, ctx.lines, issue.path, issue.atKey);
    const value = issue.value ?? valueAt(ctx.data, issue.path);
    // Never echo a password back, even a malformed one: error output ends up in logs.
    const secret = issue.path.includes("password");
    const got = issue.atKey || issue.showValue === false || value === undefined || secret ? "" : ` (got ${describe(value)})`;
    const where = issue.path.length > 0 ? `${formatPath(issue.path)}: ` : "";
    return { pos, text: `${ctx.file}:${pos.line}:${pos.col}: ${where}${issue.message}${got}` };
  });
  rows.sort((a, b) => a.pos.line - b.pos.line || a.pos.col - b.pos.col);
  return [...new Set(rows.map((r) => r.text))];
}
