// Dial patterns, Asterisk style without the leading "_": digits, "*", "#" and "+" are literal,
// X = 0-9, Z = 1-9, N = 2-9, [1-5] / [137] are sets, and a trailing "." stands for one or more
// further characters; otherwise the length must match exactly. A pattern is compiled once into
// one bit mask per position, so matching a number is a loop over its characters (no RegExp).

/** A compiled pattern: true when `s` matches. */
export type PatternMatcher = (s: string) => boolean;

// Bit i of a position mask is set when character CHARS[i] is allowed there.
const CHARS = "0123456789*#+";
const INDEX = new Int8Array(128).fill(-1);
for (let i = 0; i < CHARS.length; i++) INDEX[CHARS.charCodeAt(i)] = i;

const DIGITS_FROM = (lo: number): number => ((1 << 10) - 1) & ~((1 << lo) - 1);
const CLASS_MASKS: Record<string, number> = { X: DIGITS_FROM(0), Z: DIGITS_FROM(1), N: DIGITS_FROM(2) };

interface Parsed {
  masks: number[];
  /** Trailing ".": at least one more character, any. */
  more: boolean;
}

function isDigit(c: string | undefined): c is string {
  return c !== undefined && c >= "0" && c <= "9";
}

/** Reads "[...]" starting at `start` (the "["); returns the mask and the index after "]". */
function parseSet(p: string, start: number): { mask: number; next: number } | string {
  let mask = 0;
  let i = start + 1;
  for (;;) {
    const c = p[i];
    if (c === undefined) return `unclosed '[' at position ${start + 1}`;
    if (c === "]") break;
    if (!isDigit(c)) return `'${c}' in a [set]: only digits and ranges like 1-5`;
    if (p[i + 1] === "-") {
      const hi = p[i + 2];
      if (!isDigit(hi)) return `range '${c}-' needs a digit after '-' in a [set]`;
      if (hi < c) return `bad range '${c}-${hi}' in a [set]: the first digit is greater`;
      for (let d = Number(c); d <= Number(hi); d++) mask |= 1 << d;
      i += 3;
    } else {
      mask |= 1 << Number(c);
      i += 1;
    }
  }
  if (mask === 0) return `empty set '[]' at position ${start + 1}`;
  return { mask, next: i + 1 };
}

function parse(p: string): Parsed | string {
  if (p.length === 0) return "must not be empty";
  const masks: number[] = [];
  let more = false;
  for (let i = 0; i < p.length; ) {
    const c = p[i] as string;
    const upper = c.toUpperCase();
    if (c === ".") {
      if (i !== p.length - 1) return "'.' is only allowed at the end";
      if (masks.length === 0) return "'.' needs something before it";
      more = true;
      i++;
    } else if (c === "[") {
      const set = parseSet(p, i);
      if (typeof set === "string") return set;
      masks.push(set.mask);
      i = set.next;
    } else if (CLASS_MASKS[upper] !== undefined) {
      masks.push(CLASS_MASKS[upper]);
      i++;
    } else {
      const index = INDEX[c.charCodeAt(0)] ?? -1;
      if (index < 0) return `'${c}' is not a digit, *, #, +, X, Z, N, a [set] or a trailing '.'`;
      masks.push(1 << index);
      i++;
    }
  }
  return { masks, more };
}

/** null when `p` is a valid pattern, otherwise why not. */
export function patternProblem(p: string): string | null {
  const parsed = parse(p);
  return typeof parsed === "string" ? parsed : null;
}

/** Compiles a pattern checked with patternProblem; throws on an invalid one (a programming error). */
export function compilePattern(p: string): PatternMatcher {
  const parsed = parse(p);
  if (typeof parsed === "string") throw new Error(`invalid pattern '${p}': ${parsed}`);
  const { masks, more } = parsed;
  const n = masks.length;
  // A literal pattern (the common case for DIDs and short numbers) is a string comparison.
  if (/^[0-9*#+]+\.?$/.test(p)) {
    const literal = more ? p.slice(0, -1) : p;
    return more ? (s) => s.length > n && s.startsWith(literal) : (s) => s === literal;
  }
  return (s) => {
    if (more ? s.length <= n : s.length !== n) return false;
    for (let i = 0; i < n; i++) {
      const code = s.charCodeAt(i);
      const index = code < 128 ? (INDEX[code] ?? -1) : -1;
      if (index < 0 || ((masks[i] as number) & (1 << index)) === 0) return false;
    }
    return true;
  };
}

/** A pattern with the text it came from, for traces ("matches '1380000000X'"). */
export interface SourcedMatcher {
  source: string;
  match: PatternMatcher;
}

export function compilePatterns(patterns: readonly string[]): SourcedMatcher[] {
  return patterns.map((source) => ({ source, match: compilePattern(source) }));
}

/** The first pattern `s` matches, or null. */
export function firstMatch(patterns: readonly SourcedMatcher[], s: string): SourcedMatcher | null {
  for (const p of patterns) if (p.match(s)) return p;
  return null;
}

/**
 * A list of patterns asked "does anything match?" (a blacklist, possibly thousands of numbers
 * long): exact numbers are looked up in a Set, only real patterns are tried one by one.
 */
export class PatternSet {
  private readonly exact = new Set<string>();
  private readonly others: SourcedMatcher[] = [];

  constructor(patterns: readonly string[]) {
    for (const p of patterns) {
      if (/^[0-9*#+]+$/.test(p)) this.exact.add(p);
      else this.others.push({ source: p, match: compilePattern(p) });
    }
  }

  /** The pattern `s` matches (an exact entry first), or null. */
  find(s: string): string | null {
    if (this.exact.has(s)) return s;
    return firstMatch(this.others, s)?.source ?? null;
  }
}
