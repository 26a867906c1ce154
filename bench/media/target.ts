// bench/media: what the harness needs from a relay under test, whichever it is.

/** One call as the generator sees it: its caller and callee sockets on 127.0.0.1. */
export interface CallSpec {
  id: number;
  caller: number;
  callee: number;
}

/** The relay's RTP ports for one call: the one the caller talks to and the one the callee talks to. */
export interface RelayPorts {
  id: number;
  toCaller: number;
  toCallee: number;
}

export interface MediaTarget {
  readonly name: string;
  readonly version: string;
  readonly pid: number;
  /** Sets up the calls (ports allocated, both legs bridged) and returns where each leg sends. */
  add(calls: CallSpec[]): Promise<RelayPorts[]>;
  /** Tears the calls down (ports closed and returned). */
  remove(ids: number[]): Promise<void>;
  /** Full GC before a memory reading, for targets that have one. */
  collectGarbage?(): Promise<void>;
  /** A line the target reports about itself after a step (its own counters), if it has one. */
  selfReport?(): Promise<string | undefined>;
  stop(): Promise<void>;
}

/** RTP ports for relays: below the kernel's ephemeral range (32768+), where the generator's sockets live. */
export const RELAY_PORT_MIN = 10000;
export const RELAY_PORT_MAX = 31999;
export const HOST = "127.0.0.1";
