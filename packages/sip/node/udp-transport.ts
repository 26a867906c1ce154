/**
 * SIP over UDP (RFC 3261 §18): one datagram is one message (§18.3: no framing, no
 * Content-Length needed). Datagrams over maxMessageSize are dropped and counted. All
 * responses leave from the listening socket, as RFC 3581 §4 requires for rport.
 */
import { createSocket, type Socket } from "node:dgram";

const DEFAULT_RECEIVE_BUFFER = 256 * 1024;
import { isIPv6 } from "node:net";
import type { FlowEndpoint } from "@hotline/sip";
import { normalizeAddress, TransportCore } from "./transport-core.js";
import type { BoundAddress, MessageHandler, SipTransport, TransportCounters, TransportOptions } from "./transport.js";

export type UdpTransportOptions = TransportOptions;

export class UdpTransport implements SipTransport {
  readonly kind = "udp";
  private readonly core: TransportCore;
  private socket: Socket | null = null;

  constructor(private readonly options: UdpTransportOptions) {
    this.core = new TransportCore("udp", options);
  }

  listen(): Promise<BoundAddress> {
    const socket = createSocket({
      type: isIPv6(this.options.address) ? "udp6" : "udp4",
      recvBufferSize: this.options.receiveBufferBytes ?? DEFAULT_RECEIVE_BUFFER,
    });
    this.socket = socket;
    socket.on("message", (msg: Buffer, rinfo) => this.core.guard({ remote: `${rinfo.address}:${rinfo.port}` }, () => this.onDatagram(msg, rinfo.address, rinfo.port)));
    return new Promise((resolve, reject) => {
      socket.once("error", reject);
      socket.bind(this.options.port, this.options.address, () => {
        socket.off("error", reject);
        // ICMP errors surface here on some platforms: count, never crash.
        socket.on("error", (err) => {
          this.core.drop("send-error");
          this.core.warn({ err: err.message }, "UDP socket error");
        });
        const a = socket.address();
        resolve({ transport: "udp", address: a.address, port: a.port });
      });
    });
  }

  onMessage(handler: MessageHandler): void {
    this.core.setHandler(handler);
  }

  counters(): TransportCounters {
    return this.core.snapshot();
  }

  send(bytes: Uint8Array, destination: FlowEndpoint): boolean {
    const socket = this.socket;
    const port = destination.port;
    if (socket === null || destination.address === "" || !Number.isInteger(port) || port < 1 || port > 65535) {
      this.core.drop("unroutable");
      return false;
    }
    if (bytes.length > this.core.maxMessageSize) {
      // RFC 3261 §18.1.1: large requests belong on a congestion-controlled transport;
      // choosing one is the caller's job, we just refuse what we would not accept.
      this.core.drop("oversize");
      return false;
    }
    socket.send(bytes, port, destination.address, (err) => {
      if (err !== null) {
        this.core.drop("send-error");
        this.core.warn({ remote: `${destination.address}:${port}`, err: err.message }, "UDP send failed");
      }
    });
    this.core.sent(bytes.length);
    return true;
  }

  async close(): Promise<void> {
    const socket = this.socket;
    this.socket = null;
    if (socket !== null) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  private onDatagram(msg: Buffer, address: string, port: number): void {
    this.core.counters.bytes_in += msg.length;
    if (msg.length > this.core.maxMessageSize) {
      this.core.counters.packets_in++;
      this.core.drop("oversize");
      return;
    }
    if (isCrlfOnly(msg)) {
      // NAT keep-alives some UAs send over UDP; RFC 5626 §4.4.2 uses STUN here, so no pong.
      this.core.counters.keepalives++;
      return;
    }
    this.core.deliver(msg, { transport: "udp", address: normalizeAddress(address), port });
  }
}

function isCrlfOnly(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== 13 && bytes[i] !== 10) return false;
  return true;
}
