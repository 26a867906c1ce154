// Cryptographic randomness handed out from a pre-filled pool. crypto.randomBytes costs a
// call into OpenSSL each time (7 % of the REGISTER path for one nonce and one tag per
// answer); filling 8 KiB at once amortises it. Slices are copied out, never reused.
import { randomFillSync } from "node:crypto";

const POOL_SIZE = 8192;

export class RandomPool {
  private readonly pool = Buffer.allocUnsafe(POOL_SIZE);
  private offset = POOL_SIZE;

  bytes(n: number): Uint8Array {
    if (n > POOL_SIZE) return randomFillSync(Buffer.allocUnsafe(n));
    if (this.offset + n > POOL_SIZE) {
      randomFillSync(this.pool);
      this.offset = 0;
    }
    const out = Buffer.from(this.pool.subarray(this.offset, this.offset + n));
    this.offset += n;
    return out;
  }

  /** Lower-case hex of `n` random bytes (tags: RFC 3261 §19.3 wants ≥ 32 random bits). */
  hex(n: number): string {
    if (this.offset + n > POOL_SIZE) {
      randomFillSync(this.pool);
      this.offset = 0;
    }
    const out = this.pool.toString("hex", this.offset, this.offset + n);
    this.offset += n;
    return out;
  }
}
