/**
 * SIP over WebSocket (RFC 7118): WS over an http server, WSS over an https server.
 * The `sip` subprotocol is required and answered (RFC 7118 §4.1); a handshake without it
 * fails with an HTTP error (RFC 6455 §4.2.2). Each WebSocket message carries exactly one
 * SIP message (RFC 7118 §5.2), so there is no stream framing: consumers parse it like a
 * datagram, but the transport is reliable.
 */
import { isUtf8 } from "node:buffer";
import { createServer as createHttpServer, type IncomingMessage, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { isIPv6 } from "node:net";
import type { Duplex } from "node:stream";
import { WebSocket, WebSocketServer, type ClientOptions, type RawData } from "ws";
import type { FlowEndpoint } from "@hotline/sip";
import type { Connection } from "./connection-table.js";
import { ConnectionTransport } from "./connection-transport.js";
import { clientOptions, readPem } from "./tls-transport.js";
import { normalizeAddress } from "./transport-core.js";
import type { ConnectionTransportOptions, ServerTlsOptions } from "./transport.js";

export interface WsTransportOptions extends ConnectionTransportOptions {
  /** Set for WSS: the https server's certificate and key. */
  tls?: ServerTlsOptions;
}

const SUBPROTOCOL = "sip";
const CLOSE_GRACE_MS = 2000;
const HANDSHAKE_TIMEOUT_MS = 10_000;
const CRLF = Uint8Array.of(13, 10);

class WsConnection implements Connection {
  lastActivity: number;
  /** Messages sent while an outbound connection is still opening. */
  pending: Uint8Array[] = [];
  /** False until an outbound connection's handshake completes. */
  opened: boolean;

  constructor(
    readonly id: string,
    readonly remote: FlowEndpoint,
    readonly ws: WebSocket,
    now: number,
  ) {
    this.lastActivity = now;
    this.opened = ws.readyState === WebSocket.OPEN;
  }

  get source(): FlowEndpoint {
    return { transport: this.remote.transport, address: this.remote.address, port: this.remote.port, connectionId: this.id };
  }

  close(): void {
    this.ws.close(1000);
    setTimeout(() => this.ws.terminate(), CLOSE_GRACE_MS).unref();
  }

  destroy(): void {
    this.ws.terminate();
  }
}

export class WsTransport extends ConnectionTransport<WsConnection, Server> {
  declare readonly kind: "ws" | "wss";
  private readonly tlsFiles: { cert: Buffer; key: Buffer } | null;
  private readonly clientTls: ClientOptions;
  private readonly wss: WebSocketServer;

  constructor(options: WsTransportOptions) {
    super(options.tls === undefined ? "ws" : "wss", options);
    this.tlsFiles = options.tls === undefined ? null : { cert: readPem(options.tls.certPath, "certificate"), key: readPem(options.tls.keyPath, "private key") };
    const client = clientOptions(options.clientTls);
    this.clientTls = { rejectUnauthorized: client.rejectUnauthorized ?? true, ...(client.ca !== undefined && { ca: client.ca }) };
    this.wss = new WebSocketServer({ noServer: true, maxPayload: this.core.maxMessageSize, perMessageDeflate: false, handleProtocols: () => SUBPROTOCOL });
  }

  protected createListener(): Server {
    const server = this.tlsFiles === null ? createHttpServer() : createHttpsServer(this.tlsFiles);
    server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => this.core.guard({ event: "upgrade" }, () => this.upgrade(req, socket, head)));
    server.on("request", (_req, res) => {
      // Plain HTTP is not served here (RFC 6455 §4.2.2 / RFC 7231 §6.5.15).
      res.writeHead(426, { Upgrade: "websocket", "Content-Length": "0" }).end();
    });
    return server;
  }

  protected override async stopListener(server: Server | null): Promise<void> {
    this.wss.close();
    if (server !== null && server.listening) server.closeAllConnections();
    await super.stopListener(server);
  }

  protected write(conn: WsConnection, bytes: Uint8Array): boolean {
    const ws = conn.ws;
    if (ws.readyState === WebSocket.CONNECTING) {
      conn.pending.push(bytes);
    } else if (ws.readyState !== WebSocket.OPEN) {
      this.core.drop("unroutable");
      return false;
    } else if (ws.bufferedAmount > this.maxWriteBuffer) {
      this.core.drop("write-buffer-full");
      return false;
    } else {
      // RFC 7118 §5.1: text frames for UTF-8 messages, binary frames otherwise.
      ws.send(bytes, { binary: !isUtf8(bytes) });
    }
    conn.lastActivity = this.core.now();
    this.core.sent(bytes.length);
    return true;
  }

  protected connect(address: string, port: number): WsConnection {
    const host = isIPv6(address) ? `[${address}]` : address;
    const options: ClientOptions = { maxPayload: this.core.maxMessageSize, perMessageDeflate: false, handshakeTimeout: HANDSHAKE_TIMEOUT_MS, ...(this.kind === "wss" && this.clientTls) };
    const ws = new WebSocket(`${this.kind}://${host}:${port}`, [SUBPROTOCOL], options);
    const conn = this.attach(ws, address, port);
    ws.once("open", () => {
      // RFC 7118 §4.1: a server that did not pick `sip` cannot carry SIP.
      if (ws.protocol !== SUBPROTOCOL) {
        this.core.drop("connect-failed");
        conn.destroy();
        return;
      }
      conn.opened = true;
      const queued = conn.pending;
      conn.pending = [];
      for (const bytes of queued) ws.send(bytes, { binary: !isUtf8(bytes) });
    });
    return conn;
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on("error", () => socket.destroy());
    const address = normalizeAddress(req.socket.remoteAddress);
    if (!offersSip(req.headers["sec-websocket-protocol"])) {
      this.core.drop("no-sip-subprotocol");
      refuse(socket, 400, "Bad Request");
      return;
    }
    if (this.closed || !this.table.admits(address)) {
      if (!this.closed) this.core.drop("connection-limit");
      refuse(socket, 503, "Service Unavailable");
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.attach(ws, address, req.socket.remotePort ?? 0);
    });
  }

  private attach(ws: WebSocket, address: string, port: number): WsConnection {
    const conn = new WsConnection(this.table.newId(), { transport: this.kind, address, port }, ws, this.core.now());
    this.table.add(conn);
    const touch = (): void => {
      conn.lastActivity = this.core.now();
    };
    ws.on("message", (data: RawData) => this.core.guard({ connectionId: conn.id }, () => this.onFrame(conn, toBytes(data))));
    ws.on("ping", touch);
    ws.on("pong", touch);
    ws.on("error", (err: Error & { code?: string }) => {
      if (err.code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH") this.core.drop("oversize");
      else if (!conn.opened) this.core.drop("connect-failed");
      this.core.warn({ connectionId: conn.id, remote: `${address}:${port}`, err: err.code ?? err.message }, "WebSocket error; closing");
    });
    ws.on("close", () => this.forget(conn));
    return conn;
  }

  private onFrame(conn: WsConnection, bytes: Uint8Array): void {
    conn.lastActivity = this.core.now();
    this.core.counters.bytes_in += bytes.length;
    if (isKeepAlive(bytes)) {
      // Browser UAs (SIP.js, JsSIP) send RFC 5626-style CRLFCRLF pings over WebSocket too.
      this.core.counters.keepalives++;
      if (bytes.length === 4) this.write(conn, CRLF);
      return;
    }
    this.core.deliver(bytes, conn.source);
  }
}

/** Sec-WebSocket-Protocol is a comma-separated token list (RFC 6455 §11.3.4). */
function offersSip(header: string | undefined): boolean {
  if (header === undefined) return false;
  return header.split(",").some((p) => p.trim() === SUBPROTOCOL);
}

function refuse(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  setTimeout(() => socket.destroy(), CLOSE_GRACE_MS).unref();
}

/** "\r\n" (pong) or "\r\n\r\n" (ping). */
function isKeepAlive(bytes: Uint8Array): boolean {
  if (bytes.length !== 2 && bytes.length !== 4) return false;
  for (let i = 0; i < bytes.length; i += 2) if (bytes[i] !== 13 || bytes[i + 1] !== 10) return false;
  return true;
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}
