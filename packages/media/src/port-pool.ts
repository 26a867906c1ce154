/**
 * RTP port allocation from a configured range, with quarantine on release.
 *
 * Modes:
 * - "pair" (default): RFC 3550 §11: RTP uses an even port and RTCP the next (odd) one, so
 *   the range must start even and end odd (e.g. 20000–29999: 5,000 pairs).
 * - "single": RTP and RTCP share one port (rtcp-mux, RFC 5761 §4); every port in the range
 *   is a unit and the bounds may have any parity.
 *
 * Order: units are handed out in ascending order at first, then least-recently-released
 * first, so a port is reused as late as possible. A released unit sits in quarantine for
 * `quarantineMs` so late packets of the old call do not reach a new one. `markUnusable`
 * takes an allocated unit out for `unusableMs` (a foreign process holds it: the adapter's
 * bind failed; it retries with another `allocate`).
 *
 * Time is an input (`now` in ms, expected non-decreasing); nothing here reads a clock.
 * Held units come back to the free list on the next `allocate(now)` or `reclaim(now)`.
 */

export const PORT_POOL_MODES = ["pair", "single"] as const;
export type PortPoolMode = (typeof PORT_POOL_MODES)[number];

/** Ports below 1024 are privileged; 65535 is the largest UDP port. */
export const PORT_POOL_MIN_PORT = 1024;
export const PORT_POOL_MAX_PORT = 65535;
export const PORT_POOL_DEFAULT_QUARANTINE_MS = 30_000;
export const PORT_POOL_DEFAULT_UNUSABLE_MS = 300_000;

export interface PortPoolOptions {
  /** First port of the range (even in pair mode). */
  min: number;
  /** Last port of the range, inclusive (odd in pair mode). */
  max: number;
  mode?: PortPoolMode;
  /** How long a released unit waits before reuse (default 30 s). */
  quarantineMs?: number;
  /** How long a unit marked unusable is skipped (default 5 min). */
  unusableMs?: number;
}

export interface PortAllocation {
  ok: true;
  rtpPort: number;
  /** rtpPort + 1 in pair mode; equal to rtpPort in single (rtcp-mux) mode. */
  rtcpPort: number;
}

export interface PortPoolExhausted {
  ok: false;
  error: "exhausted";
  /** Human-readable: range, counts, and when the next held unit frees up. */
  message: string;
}

export type PortAllocateResult = PortAllocation | PortPoolExhausted;

/** Range and option problems, one message each; empty when the options are valid. */
export function checkPortPoolOptions(options: PortPoolOptions): string[] {
  const errors: string[] = [];
  const { min, max } = options;
  const mode = options.mode ?? "pair";
  if (!(PORT_POOL_MODES as readonly string[]).includes(mode)) errors.push(`mode must be one of ${PORT_POOL_MODES.join(", ")}, got '${String(mode)}'`);
  for (const [name, port] of [["min", min], ["max", max]] as const) {
    if (!Number.isInteger(port) || port < PORT_POOL_MIN_PORT || port > PORT_POOL_MAX_PORT) {
      errors.push(`${name} port ${port} outside ${PORT_POOL_MIN_PORT}–${PORT_POOL_MAX_PORT}`);
    }
  }
  if (errors.length > 0) return errors;
  if (min > max) errors.push(`range ${min}–${max} is reversed (min > max)`);
  if (mode === "pair") {
    if (min % 2 !== 0) errors.push(`min port ${min} is odd: RTP ports are even (RFC 3550 §11), start at ${min + 1} or ${min - 1}`);
    if (max % 2 !== 1) errors.push(`max port ${max} is even: the last pair needs its odd RTCP port (RFC 3550 §11), end at ${max + 1} or ${max - 1}`);
  }
  for (const [name, ms] of [["quarantineMs", options.quarantineMs], ["unusableMs", options.unusableMs]] as const) {
    if (ms !== undefined && !(Number.isFinite(ms) && ms >= 0)) errors.push(`${name} must be a finite number ≥ 0, got ${ms}`);
  }
  return errors;
}

const FREE = 0;
const IN_USE = 1;
const QUARANTINED = 2;
const UNUSABLE = 3;

/** A FIFO of unit indexes in a fixed ring (each unit is in at most one queue). */
class UnitQueue {
  private readonly ring: Int32Array;
  private head = 0;
  length = 0;

  constructor(capacity: number) {
    this.ring = new Int32Array(capacity);
  }

  push(unit: number): void {
    this.ring[(this.head + this.length) % this.ring.length] = unit;
    this.length++;
  }

  /** Only when length > 0. */
  peek(): number {
    return this.ring[this.head] ?? -1;
  }

  shift(): number {
    const unit = this.peek();
    this.head = (this.head + 1) % this.ring.length;
    this.length--;
    return unit;
  }
}

export class PortPool {
  readonly min: number;
  readonly max: number;
  readonly mode: PortPoolMode;
  readonly quarantineMs: number;
  readonly unusableMs: number;
  /** Units in the range: pairs in pair mode, ports in single mode. */
  readonly capacity: number;
  private readonly step: number;
  private readonly state: Uint8Array;
  /** For held units: when they may be reused. */
  private readonly until: Float64Array;
  private readonly free: UnitQueue;
  private readonly quarantine: UnitQueue;
  private readonly unusableQueue: UnitQueue;
  private used = 0;

  constructor(options: PortPoolOptions) {
    const errors = checkPortPoolOptions(options);
    if (errors.length > 0) throw new RangeError(`RTP port pool ${options.min}–${options.max}: ${errors.join("; ")}`);
    this.min = options.min;
    this.max = options.max;
    this.mode = options.mode ?? "pair";
    this.quarantineMs = options.quarantineMs ?? PORT_POOL_DEFAULT_QUARANTINE_MS;
    this.unusableMs = options.unusableMs ?? PORT_POOL_DEFAULT_UNUSABLE_MS;
    this.step = this.mode === "pair" ? 2 : 1;
    this.capacity = (this.max - this.min + 1) / this.step;
    this.state = new Uint8Array(this.capacity);
    this.until = new Float64Array(this.capacity);
    this.free = new UnitQueue(this.capacity);
    this.quarantine = new UnitQueue(this.capacity);
    this.unusableQueue = new UnitQueue(this.capacity);
    for (let unit = 0; unit < this.capacity; unit++) this.free.push(unit);
  }

  /** Allocated units. */
  get inUse(): number {
    return this.used;
  }

  /** Units ready to allocate, not counting held units whose time is up but not yet reclaimed. */
  get available(): number {
    return this.free.length;
  }

  /** Released units waiting out their quarantine. */
  get quarantined(): number {
    return this.quarantine.length;
  }

  /** Units skipped because a foreign process held them. */
  get unusable(): number {
    return this.unusableQueue.length;
  }

  /** Returns held units whose time is up (`until <= now`) to the free list. */
  reclaim(now: number): void {
    this.drain(this.quarantine, now);
    this.drain(this.unusableQueue, now);
  }

  allocate(now: number): PortAllocateResult {
    this.reclaim(now);
    if (this.free.length === 0) return { ok: false, error: "exhausted", message: this.exhaustedMessage() };
    const unit = this.free.shift();
    this.state[unit] = IN_USE;
    this.used++;
    const rtpPort = this.min + unit * this.step;
    return { ok: true, rtpPort, rtcpPort: this.mode === "pair" ? rtpPort + 1 : rtpPort };
  }

  /** Returns an allocated unit (by its RTP port); it is reusable from `now + quarantineMs`. */
  release(rtpPort: number, now: number): void {
    const unit = this.allocatedUnit(rtpPort, "release");
    this.hold(unit, QUARANTINED, this.quarantine, now + this.quarantineMs);
  }

  /** The adapter could not bind this allocated unit: skip it until `now + unusableMs`. */
  markUnusable(rtpPort: number, now: number): void {
    const unit = this.allocatedUnit(rtpPort, "markUnusable");
    this.hold(unit, UNUSABLE, this.unusableQueue, now + this.unusableMs);
  }

  private hold(unit: number, state: number, queue: UnitQueue, until: number): void {
    this.state[unit] = state;
    this.until[unit] = until;
    queue.push(unit);
    this.used--;
  }

  private drain(queue: UnitQueue, now: number): void {
    // FIFO order is expiry order: one hold duration per queue and non-decreasing `now`.
    while (queue.length > 0 && (this.until[queue.peek()] ?? 0) <= now) {
      const unit = queue.shift();
      this.state[unit] = FREE;
      this.free.push(unit);
    }
  }

  private allocatedUnit(rtpPort: number, operation: string): number {
    const where = `RTP port pool ${this.min}–${this.max}: ${operation}(${rtpPort})`;
    if (!Number.isInteger(rtpPort) || rtpPort < this.min || rtpPort > this.max) throw new RangeError(`${where}: port outside the pool`);
    const offset = rtpPort - this.min;
    if (offset % this.step !== 0) throw new RangeError(`${where}: not an RTP port of this pool (RTCP port of pair ${rtpPort - 1}?)`);
    const unit = offset / this.step;
    const state = this.state[unit];
    if (state !== IN_USE) throw new Error(`${where}: port is not allocated (${stateName(state)})`);
    return unit;
  }

  private exhaustedMessage(): string {
    const unitName = this.mode === "pair" ? "pairs" : "ports";
    const nextFree = Math.min(this.nextUntil(this.quarantine), this.nextUntil(this.unusableQueue));
    const next = Number.isFinite(nextFree) ? `; next frees at t=${nextFree} ms` : "";
    return `RTP port pool ${this.min}–${this.max} exhausted: ${this.capacity} ${unitName}, ${this.used} in use, ${this.quarantine.length} in quarantine, ${this.unusableQueue.length} unusable${next}`;
  }

  private nextUntil(queue: UnitQueue): number {
    return queue.length > 0 ? (this.until[queue.peek()] ?? Infinity) : Infinity;
  }
}

function stateName(state: number | undefined): string {
  switch (state) {
    case FREE:
      return "free";
    case QUARANTINED:
      return "in quarantine after release";
    case UNUSABLE:
      return "marked unusable";
    default:
      return "unknown";
  }
}
