/**
 * A copy of `s` that shares no memory with the string it was cut from. Header values are V8
 * "sliced strings" of the whole received header section (and concatenations keep their
 * parts), so anything that outlives the request — a binding for an hour, a nonce-count
 * entry for the nonce TTL — would otherwise keep the entire request text alive.
 * Concatenating forces a flat copy; the leading character is then sliced off that copy,
 * which is only one character longer than `s`.
 */
export function ownString(s: string): string {
  return (" " + s).slice(1);
}
