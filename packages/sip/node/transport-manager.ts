/**
 * The set of transports a server runs: one per TransportKind. Routes each send to the
 * transport named by its destination, fans received messages into one handler, and
 * gathers counters for the metrics endpoint.
 */
import type { FlowEndpoint, TransportKind } from "@hotline/sip";
import type { BoundAddress, MessageHandler, SipTransport, TransportCounters } from "./transport.js";

export interface TransportMetrics {
  /** Counters per transport kind present. */
  transports: Partial<Record<TransportKind, TransportCounters>>;
  /** Sends naming a transport kind the manager does not run. */
  no_transport_drops: number;
}

export class TransportManager {
  private readonly byKind = new Map<TransportKind, SipTransport>();
  private noTransport = 0;

  constructor(transports: readonly SipTransport[]) {
    for (const t of transports) {
      if (this.byKind.has(t.kind)) throw new Error(`TransportManager: two '${t.kind}' transports; run one per kind`);
      this.byKind.set(t.kind, t);
    }
  }

  get kinds(): TransportKind[] {
    return [...this.byKind.keys()];
  }

  get(kind: TransportKind): SipTransport | undefined {
    return this.byKind.get(kind);
  }

  /** Binds every transport; if one fails the others are closed and the error is rethrown. */
  async listen(): Promise<BoundAddress[]> {
    const results = await Promise.allSettled([...this.byKind.values()].map((t) => t.listen()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed !== undefined) {
      await this.close();
      throw failed.reason;
    }
    return results.map((r) => (r as PromiseFulfilledResult<BoundAddress>).value);
  }

  onMessage(handler: MessageHandler): void {
    for (const t of this.byKind.values()) t.onMessage(handler);
  }

  /** Sends over the transport `destination.transport` names; false if it cannot. */
  send(bytes: Uint8Array, destination: FlowEndpoint): boolean {
    const transport = this.byKind.get(destination.transport);
    if (transport === undefined) {
      this.noTransport++;
      return false;
    }
    return transport.send(bytes, destination);
  }

  metrics(): TransportMetrics {
    const transports: Partial<Record<TransportKind, TransportCounters>> = {};
    for (const [kind, t] of this.byKind) transports[kind] = t.counters();
    return { transports, no_transport_drops: this.noTransport };
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.byKind.values()].map((t) => t.close()));
  }
}
