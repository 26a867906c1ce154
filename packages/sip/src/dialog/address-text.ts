/**
 * Header value text for the dialog layer: From/To without their tag, name-addr values
 * we write (display names quoted only when needed), Contact values and our Via.
 */
import { isTokenChar } from "../parse-params.js";

/**
 * A From/To value with its `tag` header parameter removed, everything else as written
 * (RFC 3261 §12.1.1/§12.1.2 keep the local and remote URI "as the field value"; the tags
 * live apart in the dialog id). Header parameters start after the closing ">" of a
 * name-addr, or at the first ";" of a bare addr-spec (§20.10); quoted display names may
 * hold ";" and "<" and are skipped.
 */
export function withoutTag(value: string): string {
  const start = headerParamsStart(value);
  if (start === -1) return value.trim();
  const kept = splitParams(value.slice(start + 1)).filter((p) => p.split("=")[0]!.trim().toLowerCase() !== "tag");
  return value.slice(0, start).trim() + kept.map((p) => `;${p.trim()}`).join("");
}

/** Index of the ";" opening the header parameters, or -1. */
function headerParamsStart(value: string): number {
  let inQuote = false;
  let inAngle = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (inQuote) {
      if (c === "\\") i++;
      else if (c === '"') inQuote = false;
    } else if (c === '"') inQuote = true;
    else if (c === "<") inAngle = true;
    else if (c === ">") inAngle = false;
    else if (c === ";" && !inAngle) return i;
  }
  return -1;
}

/** Splits `a;b=c;d="x;y"` on the semicolons outside quoted strings. */
function splitParams(text: string): string[] {
  const out: string[] = [];
  let inQuote = false;
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inQuote) {
      if (c === "\\") i++;
      else if (c === '"') inQuote = false;
    } else if (c === '"') inQuote = true;
    else if (c === ";") {
      out.push(text.slice(from, i));
      from = i + 1;
    }
  }
  out.push(text.slice(from));
  return out.filter((p) => p.trim() !== "");
}

/** The value with `;tag=` appended (RFC 3261 §19.3). */
export function withTag(value: string, tag: string): string {
  return tag === "" ? value : `${value};tag=${tag}`;
}

/**
 * display-name = *(token LWS) / quoted-string (RFC 3261 §25.1): words of token characters
 * separated by single spaces go out as they are, anything else is quoted with `"` and `\`
 * escaped. CR and LF cannot be escaped in a quoted-string (quoted-pair excludes them), so
 * they become spaces.
 */
export function formatDisplayName(name: string): string {
  const clean = name.replace(/[\r\n]+/g, " ");
  if (isTokenWords(clean)) return clean;
  return `"${clean.replace(/(["\\])/g, "\\$1")}"`;
}

function isTokenWords(s: string): boolean {
  if (s === "" || s.startsWith(" ") || s.endsWith(" ") || s.includes("  ")) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 32 && !isTokenChar(c)) return false;
  }
  return true;
}

/**
 * A name-addr for From/To (RFC 3261 §20.10). The URI is always in angle brackets: an
 * addr-spec holding ",", "?" or ";" would otherwise be misread, and brackets are always
 * legal.
 */
export function formatAddress(uri: string, displayName?: string | null): string {
  if (displayName === undefined || displayName === null || displayName === "") return `<${uri}>`;
  return `${formatDisplayName(displayName)} <${uri}>`;
}

/** A Contact value from either a bare URI ("sip:a@b") or a full value ("<sip:a@b>;expires=60"). */
export function contactValue(contact: string): string {
  return contact.includes("<") ? contact : `<${contact}>`;
}

/** Where our requests say they come from (RFC 3261 §8.1.1.7, §18.1.1). */
export interface ViaSpec {
  /** "UDP", "TCP", "TLS", "WS", "WSS" (upper-cased on output). */
  transport: string;
  /** host[:port] responses come back to. */
  sentBy: string;
  /** A fresh "z9hG4bK…" branch (transaction/branch.ts createBranch). */
  branch: string;
  /** Add an empty `rport` (RFC 3581 §3) so responses come back to our source port through a NAT. */
  rport?: boolean;
}

export function viaValue(via: ViaSpec): string {
  return `SIP/2.0/${via.transport.toUpperCase()} ${via.sentBy};branch=${via.branch}${via.rport === true ? ";rport" : ""}`;
}
