/**
 * Header field access on a message. Lookups are by lower-case long name ("call-id",
 * "via"); compact forms were expanded by the parser.
 */
import { canonicalHeaderName, LIST_HEADERS } from "./header-names.js";
import type { HeaderField, SipMessage } from "./message.js";
import { splitHeaderList } from "./split-list.js";

type WithHeaders = Pick<SipMessage, "headers">;

/** The first field value of `key`, or undefined. */
export function getHeader(msg: WithHeaders, key: string): string | undefined {
  const hs = msg.headers;
  for (let i = 0; i < hs.length; i++) {
    const h = hs[i]!;
    if (h.key === key) return h.value;
  }
  return undefined;
}

/** Every field of `key`, in order, unsplit. */
export function getHeaderFields(msg: WithHeaders, key: string): string[] {
  const out: string[] = [];
  for (const h of msg.headers) if (h.key === key) out.push(h.value);
  return out;
}

/**
 * Every value of `key`: fields in order, and for list headers (Via, Contact, Route, …)
 * comma-joined values split apart (RFC 3261 §7.3.1).
 */
export function getHeaderValues(msg: WithHeaders, key: string): string[] {
  const fields = getHeaderFields(msg, key);
  if (!LIST_HEADERS.has(key)) return fields;
  const out: string[] = [];
  for (const f of fields) for (const v of splitHeaderList(f)) out.push(v);
  return out;
}

export function hasHeader(msg: WithHeaders, key: string): boolean {
  return getHeader(msg, key) !== undefined;
}

export function countHeaderFields(msg: WithHeaders, key: string): number {
  let n = 0;
  for (const h of msg.headers) if (h.key === key) n++;
  return n;
}

export function headerField(name: string, value: string): HeaderField {
  const c = canonicalHeaderName(name);
  return { name: c.name, key: c.key, value };
}

/** Replaces every field of `name` with one field (appended at the first one's place). */
export function setHeader(msg: WithHeaders, name: string, value: string): void {
  const field = headerField(name, value);
  const idx = msg.headers.findIndex((h) => h.key === field.key);
  removeHeader(msg, field.key);
  if (idx === -1) msg.headers.push(field);
  else msg.headers.splice(Math.min(idx, msg.headers.length), 0, field);
}

export function appendHeader(msg: WithHeaders, name: string, value: string): void {
  msg.headers.push(headerField(name, value));
}

/** Inserts before the first field of the same name (top Via, top Record-Route). */
export function prependHeader(msg: WithHeaders, name: string, value: string): void {
  const field = headerField(name, value);
  const idx = msg.headers.findIndex((h) => h.key === field.key);
  msg.headers.splice(idx === -1 ? msg.headers.length : idx, 0, field);
}

export function removeHeader(msg: WithHeaders, key: string): void {
  for (let i = msg.headers.length - 1; i >= 0; i--) if (msg.headers[i]!.key === key) msg.headers.splice(i, 1);
}
