// The media engine of one describe block of the socket tests: started before its tests with a
// per-run port range on 127.0.0.1, closed after them with the phones they opened and their
// temp directory. Waits are bounded polls, never fixed sleeps.
import { after, before } from "node:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MediaEngine, type EndpointConfig, type MediaEvent } from "../index.js";
import { testPortRange, type Phone } from "./phone.js";

export interface EngineRig {
  /** Set by the describe block's `before` hook: use it inside tests only. */
  engine: MediaEngine;
  /** Every event the engine reported, in order. */
  readonly events: MediaEvent[];
  /** Phones the tests opened; closed after the block. */
  readonly phones: Phone[];
  /** A temp directory for WAV files; removed after the block. */
  readonly tmp: string;
}

/** Registers the before/after hooks of the current describe block; `pairs` RTP/RTCP port pairs. */
export function engineRig(opts: { workers: number; pairs: number; tmpPrefix: string }): EngineRig {
  // `engine` is assigned in `before`, which node:test runs ahead of every test of the block.
  const rig = { events: [], phones: [], tmp: mkdtempSync(join(tmpdir(), opts.tmpPrefix)) } as Omit<EngineRig, "engine"> as EngineRig;
  before(async () => {
    rig.engine = await MediaEngine.start({ bindAddress: "127.0.0.1", ...testPortRange(opts.pairs), workers: opts.workers, mediaTimeoutMs: 0 });
    rig.engine.onEvent((e) => rig.events.push(e));
  });
  after(async () => {
    await rig.engine.close();
    await Promise.all(rig.phones.map((p) => p.close()));
    rmSync(rig.tmp, { recursive: true, force: true });
  });
  return rig;
}

/** Polls `condition` every 5 ms; rejects after `timeoutMs`. */
export async function waitUntil(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** An A-law endpoint sending to a phone on 127.0.0.1:`port`, DTMF on 101, no latching; `extra` overrides. */
export const endpointConfig = (port: number, extra: Partial<EndpointConfig> = {}): EndpointConfig => ({
  remote: { address: "127.0.0.1", port },
  codec: "PCMA",
  pt: 8,
  dtmfPt: 101,
  direction: "sendrecv",
  latch: false,
  ...extra,
});
