/**
 * mulberry32: a small seeded PRNG so property tests and strategy tests reproduce from a seed.
 * `next()` is uniform in [0, 1); `int(n)` in [0, n); `pick` one element.
 */
export interface Prng {
  next(): number;
  int(n: number): number;
  pick<T>(xs: readonly T[]): T;
}

export function mulberry32(seed: number): Prng {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  return {
    next,
    int,
    pick<T>(xs: readonly T[]): T {
      if (xs.length === 0) throw new Error("pick from an empty list");
      return xs[int(xs.length)]!;
    },
  };
}

/** A random source that returns the given values in turn (then repeats the last): exact strategy tests. */
export function scriptedRandom(values: readonly number[]): () => number {
  let i = 0;
  return () => values[Math.min(i++, values.length - 1)] ?? 0;
}
