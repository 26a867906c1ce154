/**
 * A tiny last-N memo for header parsers. Sanity checks, the summary, the registrar and the
 * authenticator each parse the same From/To/Via/Contact of one message; remembering the
 * last few inputs turns those repeats into a string comparison. Results are shared:
 * callers must treat them as read-only.
 */
export function memoizeLast<R>(fn: (text: string) => R, size = 8): (text: string) => R {
  const keys: (string | undefined)[] = new Array<string | undefined>(size);
  const values: R[] = new Array<R>(size);
  let next = 0;
  return (text: string): R => {
    for (let i = 0; i < size; i++) if (keys[i] === text) return values[i]!;
    const value = fn(text);
    keys[next] = text;
    values[next] = value;
    next = (next + 1) % size;
    return value;
  };
}
