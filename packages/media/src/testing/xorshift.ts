/** xorshift32, seeded so a failing property or fuzz test reproduces. Returns uint32 values. */
export function xorshift32(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return (): number => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>>= 0);
  };
}
