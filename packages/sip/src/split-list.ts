/**
 * Splits a comma-separated header value (RFC 3261 §7.3.1) into its elements, respecting
 * quoted strings (with backslash escapes) and <...> URIs, which may contain commas.
 */
export function splitHeaderList(value: string): string[] {
  if (value.indexOf(",") === -1) return value === "" ? [] : [value];
  const out: string[] = [];
  let start = 0;
  let inQuote = false;
  let inAngle = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (inQuote) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inQuote = false;
    } else if (c === 34) inQuote = true;
    else if (c === 60 /* < */) inAngle = true;
    else if (c === 62 /* > */) inAngle = false;
    else if (c === 44 /* , */ && !inAngle) {
      pushTrimmed(out, value.slice(start, i));
      start = i + 1;
    }
  }
  pushTrimmed(out, value.slice(start));
  return out;
}

function pushTrimmed(out: string[], s: string): void {
  const t = s.trim();
  if (t !== "") out.push(t);
}
