/**
 * Open connections of one connection-oriented transport: lookup by id (RFC 5626 flow
 * token: the connection a contact registered over) and by remote address:port (RFC 3261
 * §18: reuse a connection to the destination), the per-IP admission limit, and the idle
 * sweep. One interval timer per table, not one per connection: a packet only stamps
 * `lastActivity`.
 */
import { randomBytes } from "node:crypto";
import type { Endpoint, TransportKind } from "@hotline/sip";

export interface Connection {
  readonly id: string;
  readonly remote: Endpoint;
  /** now() of the last traffic either way. */
  lastActivity: number;
  /** Graceful close: flush, FIN, then destroy after a grace period. */
  close(): void;
  /** Immediate teardown. */
  destroy(): void;
}

export interface ConnectionTableOptions<C extends Connection> {
  kind: TransportKind;
  maxPerIp: number;
  idleTimeoutMs: number;
  now: () => number;
  /** Called by the sweep for each idle connection (already removed from the table). */
  onIdle: (connection: C) => void;
}

/**
 * Connection ids carry a per-process random part: a binding stored before a restart must
 * not match a new, unrelated connection that happens to get the same sequence number.
 */
const PROCESS_TAG = randomBytes(4).toString("hex");

export class ConnectionTable<C extends Connection> {
  private readonly byId = new Map<string, C>();
  private readonly byRemote = new Map<string, C>();
  private readonly perIp = new Map<string, number>();
  private sweepTimer: NodeJS.Timeout | null = null;
  private sequence = 0;

  constructor(private readonly options: ConnectionTableOptions<C>) {}

  get size(): number {
    return this.byId.size;
  }

  newId(): string {
    return `${this.options.kind}-${PROCESS_TAG}-${++this.sequence}`;
  }

  /** Whether one more inbound connection from `ip` is allowed. */
  admits(ip: string): boolean {
    return (this.perIp.get(ip) ?? 0) < this.options.maxPerIp;
  }

  add(connection: C): void {
    this.byId.set(connection.id, connection);
    this.byRemote.set(remoteKey(connection.remote.address, connection.remote.port), connection);
    const ip = connection.remote.address;
    this.perIp.set(ip, (this.perIp.get(ip) ?? 0) + 1);
    this.startSweep();
  }

  /** Idempotent; returns whether the connection was still in the table. */
  remove(connection: C): boolean {
    if (this.byId.get(connection.id) !== connection) return false;
    this.byId.delete(connection.id);
    const key = remoteKey(connection.remote.address, connection.remote.port);
    if (this.byRemote.get(key) === connection) this.byRemote.delete(key);
    const ip = connection.remote.address;
    const n = (this.perIp.get(ip) ?? 1) - 1;
    if (n <= 0) this.perIp.delete(ip);
    else this.perIp.set(ip, n);
    return true;
  }

  get(id: string): C | undefined {
    return this.byId.get(id);
  }

  findByRemote(address: string, port: number): C | undefined {
    return this.byRemote.get(remoteKey(address, port));
  }

  all(): C[] {
    return [...this.byId.values()];
  }

  /** Closes idle connections; runs from the interval timer, exposed for tests. */
  sweep(): void {
    const limit = this.options.now() - this.options.idleTimeoutMs;
    for (const c of this.byId.values()) {
      if (c.lastActivity > limit) continue;
      this.remove(c);
      this.options.onIdle(c);
    }
  }

  stop(): void {
    if (this.sweepTimer !== null) clearInterval(this.sweepTimer);
    this.sweepTimer = null;
  }

  private startSweep(): void {
    if (this.sweepTimer !== null || !Number.isFinite(this.options.idleTimeoutMs)) return;
    // A quarter of the timeout: a connection closes between 1x and 1.25x idle time.
    const every = Math.min(Math.max(this.options.idleTimeoutMs / 4, 10), 60_000);
    this.sweepTimer = setInterval(() => this.sweep(), every);
    this.sweepTimer.unref();
  }
}

function remoteKey(address: string, port: number): string {
  return `${address.toLowerCase()}|${port}`;
}
