/**
 * What every transport adapter shares: counters, the consumer's handler, the clock and
 * the last-resort guard (STYLE.md §4): an exception while serving one datagram or chunk
 * is counted and logged (rate-limited, STYLE.md §6) and the next one is served.
 */
import { DEFAULT_MAX_MESSAGE_SIZE, type FlowEndpoint, type TransportKind } from "@hotline/sip";
import { DROP_REASONS, type DropReason, type MessageHandler, type TransportCounters, type TransportLog, type TransportOptions } from "./transport.js";

/** At most one warning per this interval per transport; the rest are counted. */
const LOG_INTERVAL_MS = 10_000;

export function emptyCounters(): TransportCounters {
  const drops = {} as Record<DropReason, number>;
  for (const reason of DROP_REASONS) drops[reason] = 0;
  return { packets_in: 0, packets_out: 0, bytes_in: 0, bytes_out: 0, connections_open: 0, connections_idle_closed: 0, keepalives: 0, drops };
}

export class TransportCore {
  readonly counters: TransportCounters = emptyCounters();
  readonly now: () => number;
  readonly maxMessageSize: number;
  private handler: MessageHandler = () => undefined;
  private readonly log: TransportLog | undefined;
  private lastLogAt = Number.NEGATIVE_INFINITY;
  private suppressed = 0;

  constructor(
    readonly kind: TransportKind,
    options: TransportOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.maxMessageSize = options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
    this.log = options.log;
  }

  setHandler(handler: MessageHandler): void {
    this.handler = handler;
  }

  /** Hands one message to the consumer; a consumer exception costs only this message. */
  deliver(bytes: Uint8Array, source: FlowEndpoint): void {
    this.counters.packets_in++;
    this.guard({ source: `${source.address}:${source.port}` }, () => this.handler({ bytes, source, receivedAt: this.now() }));
  }

  drop(reason: DropReason): void {
    this.counters.drops[reason]++;
  }

  sent(bytes: number): void {
    this.counters.packets_out++;
    this.counters.bytes_out += bytes;
  }

  /** Runs `fn`; an exception is counted as handler-error and logged (rate-limited). */
  guard(context: Record<string, unknown>, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.drop("handler-error");
      this.warn({ ...context, err: errorText(err) }, "exception while serving input; continuing");
    }
  }

  /** A warning, at most one per LOG_INTERVAL_MS; the count of skipped ones rides along. */
  warn(obj: Record<string, unknown>, msg: string): void {
    const now = this.now();
    if (now - this.lastLogAt < LOG_INTERVAL_MS) {
      this.suppressed++;
      return;
    }
    this.lastLogAt = now;
    const suppressed = this.suppressed;
    this.suppressed = 0;
    this.log?.warn({ component: "transport", transport: this.kind, ...obj, ...(suppressed > 0 && { suppressed }) }, msg);
  }

  snapshot(): TransportCounters {
    return { ...this.counters, drops: { ...this.counters.drops } };
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/** IPv4-mapped IPv6 addresses (dual-stack "::" listeners) as plain IPv4. */
export function normalizeAddress(address: string | undefined): string {
  if (address === undefined) return "";
  return address.startsWith("::ffff:") && address.includes(".") ? address.slice(7) : address;
}
