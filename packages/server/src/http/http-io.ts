// Request and response plumbing shared by the HTTP routes: JSON answers, JSON bodies with a
// size limit, and an error type whose message is what the client is told.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Parsed } from "./params.js";

/**
 * A client error: answered with `status` and `{ error: message }`, plus `errors` (one line per
 * problem) when a body had several.
 */
export class HttpError extends Error {
  override name = "HttpError";
  constructor(
    readonly status: number,
    message: string,
    readonly extra: { headers?: Record<string, string>; errors?: string[] } = {},
  ) {
    super(message);
  }

  get body(): { error: string; errors?: string[] } {
    return this.extra.errors === undefined ? { error: this.message } : { error: this.message, errors: this.extra.errors };
  }
}

/** decodeURIComponent for a path segment; a malformed %-escape is the client's error. */
export function pathSegment(text: string, name: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new HttpError(400, `${name}: malformed percent-encoding in ${JSON.stringify(text)}`);
  }
}

export function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body, null, 2));
}

/** Bodies are small JSON objects; anything bigger is a mistake or an attack. */
export const MAX_BODY_BYTES = 64 * 1024;

/** Reads and parses a JSON body; throws HttpError 413 past MAX_BODY_BYTES, 400 on bad JSON. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `body: larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") throw new HttpError(400, "body: expected a JSON object, got an empty body");
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new HttpError(400, `body: not valid JSON (${(error as Error).message})`);
  }
}

/** The value of an optional query parameter parsed by `parse`, or a 400 naming the parameter. */
export function optionalParam<T>(query: URLSearchParams, name: string, parse: (text: string) => Parsed<T>): T | undefined {
  const text = query.get(name);
  if (text === null) return undefined;
  const parsed = parse(text);
  if (!parsed.ok) throw new HttpError(400, `${name}: ${parsed.problem}`);
  return parsed.value;
}

/** 405 with the Allow header RFC 9110 §15.5.6 requires. */
export function methodNotAllowed(method: string | undefined, allowed: readonly string[]): HttpError {
  return new HttpError(405, `method ${method ?? "?"} not allowed; use ${allowed.join(" or ")}`, { headers: { allow: allowed.join(", ") } });
}

/** Rejects query parameters the route does not know: a typo must not silently widen a query. */
export function checkParams(query: URLSearchParams, allowed: readonly string[]): void {
  for (const name of query.keys()) {
    if (!allowed.includes(name)) throw new HttpError(400, `unknown query parameter ${JSON.stringify(name)}; allowed: ${allowed.join(", ")}`);
  }
}
