/**
 * What the connection-oriented transports (TCP, TLS, WS, WSS) share: binding the listener,
 * routing a send to a connection (RFC 5626 flow by id, else reuse of an open connection to
 * the destination per RFC 3261 §18.1.1/§18.2.2, else a new outbound one), counting, the
 * idle sweep and shutdown. Subclasses supply the sockets: the listener, outbound connects
 * and how bytes are written.
 */
import type { AddressInfo, Server } from "node:net";
import type { FlowEndpoint } from "@hotline/sip";
import { ConnectionTable, type Connection } from "./connection-table.js";
import { normalizeAddress, TransportCore } from "./transport-core.js";
import {
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_MAX_CONNECTIONS_PER_IP,
  DEFAULT_MAX_WRITE_BUFFER,
  type BoundAddress,
  type ConnectionTransportOptions,
  type MessageHandler,
  type SipTransport,
  type TransportCounters,
} from "./transport.js";

export type ConnectionKind = "tcp" | "tls" | "ws" | "wss";

export abstract class ConnectionTransport<C extends Connection, S extends Server = Server> implements SipTransport {
  protected readonly core: TransportCore;
  protected readonly table: ConnectionTable<C>;
  protected readonly maxWriteBuffer: number;
  protected closed = false;
  private server: S | null = null;

  constructor(
    readonly kind: ConnectionKind,
    private readonly options: ConnectionTransportOptions,
  ) {
    this.core = new TransportCore(kind, options);
    this.maxWriteBuffer = options.maxWriteBuffer ?? DEFAULT_MAX_WRITE_BUFFER;
    this.table = new ConnectionTable<C>({
      kind,
      maxPerIp: options.maxConnectionsPerIp ?? DEFAULT_MAX_CONNECTIONS_PER_IP,
      idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
      now: this.core.now,
      onIdle: (c) => {
        this.core.counters.connections_idle_closed++;
        this.forget(c);
        c.close();
      },
    });
  }

  /** A new, not yet listening server with its accept/upgrade handlers attached. */
  protected abstract createListener(): S;
  /** A new outbound connection to address:port, already in the table. */
  protected abstract connect(address: string, port: number): C;
  /** Writes on `conn`; false (and a counted drop) when it cannot. */
  protected abstract write(conn: C, bytes: Uint8Array): boolean;

  listen(): Promise<BoundAddress> {
    const server = this.createListener();
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.options.port, this.options.address, () => {
        server.off("error", reject);
        server.on("error", (err) => this.core.warn({ err: err.message }, "listener error"));
        const a = server.address() as AddressInfo;
        resolve({ transport: this.kind, address: a.address, port: a.port });
      });
    });
  }

  onMessage(handler: MessageHandler): void {
    this.core.setHandler(handler);
  }

  counters(): TransportCounters {
    this.core.counters.connections_open = this.table.size;
    return this.core.snapshot();
  }

  send(bytes: Uint8Array, destination: FlowEndpoint): boolean {
    const conn = this.route(destination);
    if (conn === null) {
      this.core.drop("unroutable");
      return false;
    }
    return this.write(conn, bytes);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.table.stop();
    for (const c of this.table.all()) {
      this.forget(c);
      c.destroy();
    }
    const server = this.server;
    this.server = null;
    await this.stopListener(server);
  }

  /** Called by close() once every connection is destroyed. */
  protected async stopListener(server: S | null): Promise<void> {
    if (server !== null && server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Removes a closed (or closing) connection from the table and the gauge. */
  protected forget(conn: C): void {
    this.table.remove(conn);
    this.core.counters.connections_open = this.table.size;
  }

  /** The connection for a destination: the named flow, an open one, or a new one. */
  private route(destination: FlowEndpoint): C | null {
    if (this.closed) return null;
    if (destination.connectionId !== undefined) return this.table.get(destination.connectionId) ?? null;
    const address = normalizeAddress(destination.address);
    const open = this.table.findByRemote(address, destination.port);
    if (open !== undefined) return open;
    if (address === "" || !Number.isInteger(destination.port) || destination.port < 1 || destination.port > 65535) return null;
    return this.connect(address, destination.port);
  }
}
