// Runs SoX (the Debian `sox` package) as the reference implementation in media tests.
// There is no skip: without sox the tests fail and say how to install it.
import { spawnSync } from "node:child_process";

const INSTALL_HINT = "sox is not installed: run `apt-get install -y sox` (CI: add `sox` to the apt-get line in .ci/run)";

/**
 * Runs `sox ARGS` with `input` on stdin and returns stdout. `-V1` keeps expected warnings
 * (clipping of the extreme test inputs) off the test output; errors still fail the test.
 */
export function sox(args: readonly string[], input?: Uint8Array): Uint8Array {
  const run = spawnSync("sox", ["-V1", ...args], { input, maxBuffer: 64 * 1024 * 1024 });
  if (run.error !== undefined) {
    const code = (run.error as NodeJS.ErrnoException).code;
    throw new Error(code === "ENOENT" ? INSTALL_HINT : `sox could not run: ${run.error.message}`);
  }
  if (run.status !== 0) throw new Error(`sox ${args.join(" ")} exited with ${String(run.status)}: ${run.stderr.toString()}`);
  return new Uint8Array(run.stdout.buffer, run.stdout.byteOffset, run.stdout.byteLength);
}

/** Raw 8 kHz mono signed 16-bit little-endian, as sox arguments for stdin/stdout (`-`). */
export const RAW_S16 = ["-t", "raw", "-r", "8000", "-c", "1", "-e", "signed", "-b", "16"] as const;
export const RAW_ALAW = ["-t", "raw", "-r", "8000", "-c", "1", "-e", "a-law", "-b", "8"] as const;
export const RAW_ULAW = ["-t", "raw", "-r", "8000", "-c", "1", "-e", "mu-law", "-b", "8"] as const;

/** Int16 samples → little-endian bytes. */
export function s16le(samples: Int16Array): Uint8Array {
  const out = new Uint8Array(samples.length * 2);
  const view = new DataView(out.buffer);
  samples.forEach((s, i) => view.setInt16(2 * i, s, true));
  return out;
}

/** Little-endian bytes → Int16 samples (a trailing odd byte is ignored). */
export function fromS16le(bytes: Uint8Array): Int16Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Int16Array(bytes.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = view.getInt16(2 * i, true);
  return out;
}

/** Every 16-bit sample once, from -32768 up to 32767. */
export function everySample(): Int16Array {
  const all = new Int16Array(65536);
  for (let i = 0; i < all.length; i++) all[i] = i - 32768;
  return all;
}

/** Every 8-bit code once, 0 to 255. */
export function everyCode(): Uint8Array {
  const all = new Uint8Array(256);
  for (let i = 0; i < all.length; i++) all[i] = i;
  return all;
}
