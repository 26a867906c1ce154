/**
 * SIP over a byte stream (TCP, TLS): RFC 3261 §18.3 framing with StreamFramer, RFC 5626
 * §3.5.1 CRLF keep-alives; connection reuse, per-IP admission and idle timeouts live in
 * ConnectionTransport. tcp-transport.ts and tls-transport.ts only supply the sockets.
 */
import { randomBytes } from "node:crypto";
import type { Server, Socket } from "node:net";
import { framingErrorResponse, StreamFramer, type FlowEndpoint, type FramerOutput } from "@hotline/sip";
import type { Connection } from "./connection-table.js";
import { ConnectionTransport } from "./connection-transport.js";
import { normalizeAddress } from "./transport-core.js";
import type { ConnectionTransportOptions } from "./transport.js";

/** How a concrete stream transport makes sockets. */
export interface StreamSockets {
  createServer(onSocket: (socket: Socket) => void): Server;
  /** An outbound socket; writes before it is ready are queued by Node. */
  connect(address: string, port: number): Socket;
  /** Event after which the socket carries data: "connect" (TCP) or "secureConnect" (TLS). */
  readyEvent: "connect" | "secureConnect";
}

/** RFC 5626 §3.5.1: the pong answering a CRLFCRLF ping. */
const CRLF = Uint8Array.of(13, 10);
/** After a graceful end(), a peer that never closes is cut off after this long. */
const CLOSE_GRACE_MS = 2000;

class StreamConnection implements Connection {
  lastActivity: number;
  ready: boolean;

  constructor(
    readonly id: string,
    readonly remote: FlowEndpoint,
    readonly socket: Socket,
    readonly framer: StreamFramer,
    now: number,
    ready: boolean,
  ) {
    this.lastActivity = now;
    this.ready = ready;
  }

  get source(): FlowEndpoint {
    return { transport: this.remote.transport, address: this.remote.address, port: this.remote.port, connectionId: this.id };
  }

  close(): void {
    this.socket.end();
    setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS).unref();
  }

  destroy(): void {
    this.socket.destroy();
  }
}

export class StreamTransport extends ConnectionTransport<StreamConnection> {
  declare readonly kind: "tcp" | "tls";

  constructor(
    kind: "tcp" | "tls",
    private readonly sockets: StreamSockets,
    options: ConnectionTransportOptions,
  ) {
    super(kind, options);
  }

  protected createListener(): Server {
    const server = this.sockets.createServer((socket) => this.core.guard({ event: "accept" }, () => this.accept(socket)));
    // Only a tls.Server emits this: a client that is not TLS, or that rejected our
    // certificate, or that did not finish the handshake in time. Counted and logged
    // (rate-limited) so "the phone never connected" and "the handshake failed" differ.
    server.on("tlsClientError", (err: Error, socket: { remoteAddress?: string }) => {
      this.core.drop("tls-handshake");
      this.core.warn({ err: err.message, remote: socket.remoteAddress }, "TLS handshake failed");
    });
    return server;
  }

  protected write(conn: StreamConnection, bytes: Uint8Array): boolean {
    if (conn.socket.destroyed || conn.socket.writableLength > this.maxWriteBuffer) {
      this.core.drop(conn.socket.destroyed ? "unroutable" : "write-buffer-full");
      return false;
    }
    conn.socket.write(bytes);
    conn.lastActivity = this.core.now();
    this.core.sent(bytes.length);
    return true;
  }

  protected connect(address: string, port: number): StreamConnection {
    const socket = this.sockets.connect(address, port);
    const conn = this.attach(socket, address, port, false);
    socket.once(this.sockets.readyEvent, () => {
      conn.ready = true;
    });
    return conn;
  }

  private accept(socket: Socket): void {
    const address = normalizeAddress(socket.remoteAddress);
    if (this.closed || !this.table.admits(address)) {
      if (!this.closed) this.core.drop("connection-limit");
      socket.destroy();
      return;
    }
    this.attach(socket, address, socket.remotePort ?? 0, true);
  }

  private attach(socket: Socket, address: string, port: number, ready: boolean): StreamConnection {
    const framer = new StreamFramer({ maxMessageSize: this.core.maxMessageSize });
    const conn = new StreamConnection(this.table.newId(), { transport: this.kind, address, port }, socket, framer, this.core.now(), ready);
    this.table.add(conn);
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.core.guard({ connectionId: conn.id }, () => this.onData(conn, chunk)));
    socket.on("error", (err: NodeJS.ErrnoException) => {
      // Resets and timeouts are routine on the Internet: only a failed connect is counted.
      if (!conn.ready) {
        this.core.drop("connect-failed");
        this.core.warn({ remote: `${address}:${port}`, err: err.code ?? err.message }, "outbound connection failed");
      }
    });
    socket.on("close", () => this.forget(conn));
    return conn;
  }

  private onData(conn: StreamConnection, chunk: Buffer): void {
    conn.lastActivity = this.core.now();
    this.core.counters.bytes_in += chunk.length;
    for (const out of conn.framer.push(chunk)) this.onFrame(conn, out);
  }

  private onFrame(conn: StreamConnection, out: FramerOutput): void {
    if (out.kind === "message") {
      this.core.deliver(out.bytes, conn.source);
    } else if (out.kind === "ping") {
      this.core.counters.keepalives++;
      this.write(conn, CRLF);
    } else {
      const oversize = out.reason === "header-too-large" || out.reason === "message-too-large";
      this.core.drop(oversize ? "oversize" : "bad-framing");
      this.core.warn({ connectionId: conn.id, remote: `${conn.remote.address}:${conn.remote.port}`, reason: out.reason }, "unframeable stream; closing connection");
      // RFC 3261 §18.3: the stream cannot be resynchronised. Answer if possible, then close.
      const answer = framingErrorResponse(out.reason, out.head, randomBytes(6).toString("hex"));
      if (answer !== null) this.write(conn, answer);
      this.forget(conn);
      conn.close();
    }
  }
}
